package discord

import (
	"context"
	"runtime"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/vigie-edu/vigie/adapters/discord/fakediscord"
	"github.com/vigie-edu/vigie/bot"
)

// Fixed ids of the test world.
const (
	GuildA     = "200000000000000001"
	GuildB     = "200000000000000002"
	ChanGen    = GuildA // the system channel "general" has the guild's id
	ChanAlerts = "300000000000000001"
	RoleProf   = "400000000000000001"
	RoleEleve  = "400000000000000002"
	RoleAdmin  = "400000000000000003"
	Owner      = "500000000000000001"
	Teacher    = "500000000000000002"
	Alice      = "500000000000000003"
	Bob        = "500000000000000004"
	OtherBot   = "500000000000000005"
)

// testWait bounds every wait for a condition; tests fail (they do not
// measure) when it passes.
const testWait = 15 * time.Second

// World builds the test world in a fake Discord: guild A ("4e B") with
// an owner, a teacher, two students, roles and an alert channel.
func World(f *fakediscord.Server) {
	f.AddUser(Owner, "Mme Directrice", false)
	f.AddUser(Teacher, "M. Martin", false)
	f.AddUser(Alice, "alice", false)
	f.AddUser(Bob, "bob", false)
	f.AddUser(OtherBot, "quizbot", true)
	f.AddGuild(GuildA, "4e B", Owner,
		fakediscord.Role{ID: RoleProf, Name: "Professeur"},
		fakediscord.Role{ID: RoleEleve, Name: "Élève"},
		fakediscord.Role{ID: RoleAdmin, Name: "Admin", Permissions: 8})
	f.AddChannel(GuildA, ChanAlerts, "alertes-vigie")
	f.AddMember(GuildA, Teacher, "Professeur")
	f.AddMember(GuildA, Alice, "Élève")
	f.AddMember(GuildA, Bob, RoleEleve)
	f.AddMember(GuildA, OtherBot)
}

// Harness runs an adapter against a fake Discord.
type Harness struct {
	T       testing.TB
	Fake    *fakediscord.Server
	Adapter *Adapter
	Events  chan bot.Event
	stop    context.CancelFunc
	done    chan error
}

// StartHarness starts a fake Discord, builds the world with setup, and
// runs an adapter connected to it until the test ends (the adapter stops
// before the fake closes, and no goroutine may outlive the test).
func StartHarness(t testing.TB, setup func(*fakediscord.Server), mutate func(*Config)) *Harness {
	t.Helper()
	CheckNoLeaks(t)
	f := fakediscord.New()
	t.Cleanup(f.Close)
	if setup != nil {
		setup(f)
	}
	cfg := Config{Token: f.Token(), APIURL: f.URL()}
	if mutate != nil {
		mutate(&cfg)
	}
	h := &Harness{T: t, Fake: f, Events: make(chan bot.Event, 4096)}
	a, err := New(cfg, zap.NewNop())
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	h.Adapter = a
	ctx, cancel := context.WithCancel(context.Background())
	h.stop, h.done = cancel, make(chan error, 1)
	go func() { h.done <- a.Run(ctx, h.Events) }()
	t.Cleanup(func() { h.Stop() })
	h.WaitFor("gateway connected and commands registered", func() bool {
		return f.Connected() && a.Self().ID != "" && len(f.Commands(commandScope(cfg))) > 0
	})
	return h
}

func commandScope(cfg Config) string {
	if len(cfg.CommandGuilds) > 0 {
		return cfg.CommandGuilds[0]
	}
	return ""
}

// Stop stops the adapter and returns Run's result (idempotent).
func (h *Harness) Stop() error {
	h.T.Helper()
	if h.stop == nil {
		return nil
	}
	h.stop()
	h.stop = nil
	select {
	case err := <-h.done:
		if err != nil {
			h.T.Errorf("Run: %v", err)
		}
		return err
	case <-time.After(testWait):
		h.T.Fatalf("Run did not return after its context was cancelled")
	}
	return nil
}

// WaitFor fails the test if cond does not hold within testWait.
func (h *Harness) WaitFor(what string, cond func() bool) {
	h.T.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testWait)
	defer cancel()
	if err := h.Fake.WaitFor(ctx, cond); err != nil {
		h.T.Fatalf("waiting for %s: %v", what, err)
	}
}

// Next returns the next event of one of kinds, skipping the others
// (such as the bot's own messages echoed by the gateway).
func (h *Harness) Next(kinds ...bot.EventKind) bot.Event {
	h.T.Helper()
	timer := time.NewTimer(testWait)
	defer timer.Stop()
	for {
		select {
		case ev := <-h.Events:
			if ev.Kind == bot.MessageCreated && ev.Message != nil && ev.Message.Author.ID == h.Adapter.Self().ID {
				continue
			}
			for _, k := range kinds {
				if ev.Kind == k {
					return ev
				}
			}
		case <-timer.C:
			h.T.Fatalf("no %v event", kinds)
			return bot.Event{}
		}
	}
}

// CheckNoLeaks registers a check, run after every other cleanup, that no
// goroutine of discordgo, gorilla/websocket, the fake or an HTTP
// connection outlives the test. It polls (goroutines take a moment to
// notice closed connections) and fails with their stacks.
func CheckNoLeaks(t testing.TB) {
	t.Helper()
	t.Cleanup(func() {
		var stacks string
		deadline := time.Now().Add(testWait)
		for {
			stacks = leakedGoroutines()
			if stacks == "" {
				return
			}
			if time.Now().After(deadline) {
				t.Errorf("goroutines leaked:\n%s", stacks)
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	})
}

func leakedGoroutines() string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var leaked []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "CheckNoLeaks") || strings.Contains(g, "leakedGoroutines") {
			continue
		}
		for _, marker := range []string{"bwmarrin/discordgo", "gorilla/websocket", "fakediscord", "net/http.(*persistConn)", "adapters/discord.(*Adapter)"} {
			if strings.Contains(g, marker) {
				leaked = append(leaked, g)
				break
			}
		}
	}
	return strings.Join(leaked, "\n\n")
}
