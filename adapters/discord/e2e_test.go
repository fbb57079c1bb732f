package discord_test

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigie-edu/vigie/adapters/discord"
	"github.com/vigie-edu/vigie/adapters/discord/fakediscord"
	"github.com/vigie-edu/vigie/bot"
	"github.com/vigie-edu/vigie/rules"
	"github.com/vigie-edu/vigie/store"
)

// End-to-end tests: the real adapter, the real bot, a real incident
// store (SQLite in a temporary file) and the classifier compiled from
// the embedded default rules, against the fake Discord.

// e2e is a running Vigie connected to a fake Discord.
type e2e struct {
	t     testing.TB
	fake  *fakediscord.Server
	ad    *discord.Adapter
	store store.Store
	reg   *prometheus.Registry
}

func startE2E(t testing.TB, setup func(*fakediscord.Server)) *e2e {
	t.Helper()
	discord.CheckNoLeaks(t)
	ctx := context.Background()
	r, err := rules.Defaults()
	if err != nil {
		t.Fatalf("rules: %v", err)
	}
	clf, err := r.Classifier()
	if err != nil {
		t.Fatalf("classifier: %v", err)
	}
	cfg := r.Bot
	cfg.Default.AlertChannel = "alertes-vigie" // by name: the adapter resolves it

	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "vigie.db"))
	if err != nil {
		t.Fatalf("store: %v", err)
	}
	t.Cleanup(func() { st.Close() })

	f := fakediscord.New()
	t.Cleanup(f.Close)
	discord.World(f)
	if setup != nil {
		setup(f)
	}
	ad, err := discord.New(discord.Config{Token: f.Token(), APIURL: f.URL()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	b, err := bot.New(bot.Options{
		Rules: bot.NewRulesHolder(&bot.Snapshot{
			Classifier: clf, Config: cfg, Version: "e2e", Actions: maps.Clone(r.Filters.Actions),
		}),
		Store:      st,
		Registerer: reg,
	})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- b.Run(runCtx, ad) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("bot.Run: %v", err)
			}
		case <-time.After(time.Minute):
			t.Errorf("bot.Run did not return")
		}
	})
	e := &e2e{t: t, fake: f, ad: ad, store: st, reg: reg}
	e.waitFor(15*time.Second, "connected", func() bool {
		return f.Connected() && ad.Self().ID != "" && len(f.Commands("")) > 0
	})
	return e
}

// waitFor fails the test when cond does not hold within d.
func (e *e2e) waitFor(d time.Duration, what string, cond func() bool) {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	if err := e.fake.WaitFor(ctx, cond); err != nil {
		e.t.Fatalf("waiting for %s: %v", what, err)
	}
}

// deletedCount returns how many times each message was deleted.
func (e *e2e) deletedCount() map[string]int {
	n := map[string]int{}
	for _, d := range e.fake.Deletes() {
		n[d.Message]++
	}
	return n
}

// counter sums a counter's values over the series whose labels include
// want.
func (e *e2e) counter(name string, want map[string]string) float64 {
	mfs, err := e.reg.Gather()
	if err != nil {
		e.t.Fatalf("gather: %v", err)
	}
	var sum float64
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	metrics:
		for _, m := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			for k, v := range want {
				if labels[k] != v {
					continue metrics
				}
			}
			sum += m.GetCounter().GetValue()
		}
	}
	return sum
}

var incidentInReason = regexp.MustCompile(`\(incident (inc_[^)\s]+)\)`)

func TestE2EInsultRemovedAfterIncidentRecorded(t *testing.T) {
	e := startE2E(t, nil)
	f := e.fake

	// The fake's DELETE handler checks the store: the incident named in
	// the audit-log reason must already be there.
	type seen struct {
		message, incident string
		stored            *store.Incident
		err               error
	}
	var (
		mu     sync.Mutex
		checks []seen
	)
	f.BeforeRequest("DELETE", `/messages/\d+$`, func(c fakediscord.Call) {
		s := seen{message: c.Path[strings.LastIndex(c.Path, "/")+1:]}
		if m := incidentInReason.FindStringSubmatch(c.AuditReason); m != nil {
			s.incident = m[1]
			s.stored, s.err = e.store.Get(context.Background(), m[1])
		}
		mu.Lock()
		checks = append(checks, s)
		mu.Unlock()
	})

	id := f.SendMessage(discord.GuildA, discord.ChanGen, discord.Alice, "t'es qu'un gros connard <@"+discord.Bob+">",
		fakediscord.Mentions(discord.Bob))
	e.waitFor(15*time.Second, "the insult deleted", func() bool { return e.deletedCount()[id] == 1 })

	mu.Lock()
	got := slices.Clone(checks)
	mu.Unlock()
	if len(got) != 1 || got[0].message != id {
		t.Fatalf("DELETE requests = %+v", got)
	}
	if got[0].incident == "" {
		t.Fatalf("the audit-log reason names no incident")
	}
	if got[0].err != nil || got[0].stored == nil || got[0].stored.MessageID != id || got[0].stored.AuthorID != discord.Alice {
		t.Fatalf("incident %s not recorded before the DELETE: %v %+v", got[0].incident, got[0].err, got[0].stored)
	}
	// The evidence is what the students saw: the mention with its name.
	if got[0].stored.Text != "t'es qu'un gros connard @bob" {
		t.Errorf("evidence = %q", got[0].stored.Text)
	}

	e.waitFor(15*time.Second, "notices and alert", func() bool {
		return len(dmsTo(f, discord.Alice)) > 0 && len(dmsTo(f, discord.Bob)) > 0 && len(f.Posts()) > 0
	})
	if target := dmsTo(f, discord.Bob)[0]; !strings.Contains(target.Content, "3018") {
		t.Errorf("target notice without 3018:\n%s", target.Content)
	}
	alert := f.Posts()[0]
	if alert.Channel != discord.ChanAlerts || !strings.Contains(alert.Content, "3018") || !strings.Contains(alert.Content, got[0].incident) {
		t.Errorf("alert in %s:\n%s", alert.Channel, alert.Content)
	}
	if !strings.Contains(alert.Content, "> ||") && !strings.Contains(alert.Content, "> ") {
		t.Errorf("alert without the quoted evidence:\n%s", alert.Content)
	}
	for _, m := range append(f.DMs(), f.Posts()...) {
		if n := len([]rune(m.Content)); n > discord.MaxContent {
			t.Errorf("message of %d characters", n)
		}
	}
}

func dmsTo(f *fakediscord.Server, user string) []fakediscord.Sent {
	var out []fakediscord.Sent
	for _, m := range f.DMs() {
		if m.Recipient == user {
			out = append(out, m)
		}
	}
	return out
}

func TestE2EBenignMessageNoCall(t *testing.T) {
	e := startE2E(t, nil)
	f := e.fake
	allowed := map[string]string{"category": "none", "action": "allow"}
	before := len(f.Calls())
	judged := e.counter("vigie_verdicts_total", allowed)
	id := f.SendMessage(discord.GuildA, discord.ChanGen, discord.Alice, "bonjour, on révise l'analyse du texte ?")
	e.waitFor(15*time.Second, "the message judged", func() bool {
		return e.counter("vigie_verdicts_total", allowed) == judged+1
	})
	for _, c := range f.Calls()[before:] {
		t.Errorf("REST call for a benign message: %s %s", c.Method, c.Path)
	}
	// One channel's events are judged in order: once this insult is
	// handled, nothing more can come from the benign message.
	marker := f.SendMessage(discord.GuildA, discord.ChanGen, discord.Bob, "sale connard")
	e.waitFor(15*time.Second, "the marker deleted", func() bool { return e.deletedCount()[marker] == 1 })
	for _, c := range f.Calls()[before:] {
		if strings.Contains(c.Path, id) || strings.Contains(string(c.Body), id) {
			t.Errorf("REST call about the benign message: %s %s", c.Method, c.Path)
		}
	}
	if _, ok := f.Message(id); !ok {
		t.Error("benign message gone")
	}
}

func TestE2ETeacherExempt(t *testing.T) {
	e := startE2E(t, nil)
	f := e.fake
	teacher := f.SendMessage(discord.GuildA, discord.ChanGen, discord.Teacher, "bande de connards, rangez vos téléphones")
	owner := f.SendMessage(discord.GuildA, discord.ChanGen, discord.Owner, "quel connard a laissé la porte ouverte")
	marker := f.SendMessage(discord.GuildA, discord.ChanGen, discord.Bob, "sale connard")
	e.waitFor(15*time.Second, "the marker deleted", func() bool { return e.deletedCount()[marker] == 1 })
	del := e.deletedCount()
	if del[teacher] != 0 || del[owner] != 0 {
		t.Errorf("exempt messages deleted: teacher %d, owner %d", del[teacher], del[owner])
	}
	n, err := e.store.Count(context.Background(), store.Filter{Author: discord.Teacher})
	if err != nil || n != 0 {
		t.Errorf("incidents for the teacher: %d %v", n, err)
	}
}

func TestE2EDeleteForbiddenAlertSaysSo(t *testing.T) {
	e := startE2E(t, nil)
	f := e.fake
	f.FailNext("DELETE", `/messages/\d+$`, 403, `{"message": "Missing Permissions", "code": 50013}`)
	id := f.SendMessage(discord.GuildA, discord.ChanGen, discord.Alice, "t'es une salope")
	e.waitFor(15*time.Second, "the alert", func() bool { return len(f.Posts()) > 0 })
	alert := f.Posts()[0].Content
	if !strings.Contains(alert, "Manage Messages") {
		t.Errorf("alert does not name the missing permission:\n%s", alert)
	}
	if _, ok := f.Message(id); !ok {
		t.Error("message deleted despite the 403")
	}
	ins, err := e.store.List(context.Background(), store.Filter{Author: discord.Alice})
	if err != nil || len(ins) != 1 {
		t.Fatalf("incidents: %v %v", ins, err)
	}
	var step *store.Step
	for i, s := range ins[0].Steps {
		if s.Name == store.StepDelete {
			step = &ins[0].Steps[i]
		}
	}
	if step == nil || step.Status != store.StatusFailed || !strings.Contains(step.Detail, "Manage Messages") {
		t.Errorf("delete step = %+v", step)
	}
}

func TestE2ERateLimitHonoured(t *testing.T) {
	e := startE2E(t, nil)
	f := e.fake
	const wait = time.Second
	f.RateLimitNext("DELETE", `/messages/\d+$`, wait)
	id := f.SendMessage(discord.GuildA, discord.ChanGen, discord.Alice, "nique ta mère")
	e.waitFor(30*time.Second, "the insult deleted", func() bool { return e.deletedCount()[id] == 1 })
	var limited time.Time
	for _, c := range f.Calls() {
		if c.Method == "DELETE" && c.Status == 429 && limited.IsZero() {
			limited = c.Time
		}
	}
	if limited.IsZero() {
		t.Fatal("no 429 answered")
	}
	// The fake refuses anything sent before retry_after: the successful
	// DELETE shows the wait was honoured.
	if gap := f.Deletes()[0].Time.Sub(limited); gap < wait-50*time.Millisecond {
		t.Errorf("DELETE accepted %v after the 429 (retry_after %v)", gap, wait)
	}
	if n := e.counter("vigie_platform_failures_total", map[string]string{"op": "delete", "kind": "rate_limited"}); n < 1 {
		t.Errorf("rate limit not seen by the bot (failures %v)", n)
	}
}

func TestE2EResumeKeepsMessages(t *testing.T) {
	e := startE2E(t, nil)
	f := e.fake
	first := f.SendMessage(discord.GuildA, discord.ChanGen, discord.Alice, "espèce d'enculé")
	e.waitFor(15*time.Second, "first deleted", func() bool { return e.deletedCount()[first] == 1 })

	f.DropConnection()
	var harmful, benign []string
	for i := range 5 {
		harmful = append(harmful, f.SendMessage(discord.GuildA, discord.ChanGen, discord.Bob, fmt.Sprintf("t'es vraiment un connard %d", i)))
		benign = append(benign, f.SendMessage(discord.GuildA, discord.ChanGen, discord.Alice, fmt.Sprintf("la réunion est à %dh", 14+i)))
	}
	e.waitFor(30*time.Second, "the messages sent while disconnected deleted", func() bool {
		d := e.deletedCount()
		for _, id := range harmful {
			if d[id] != 1 {
				return false
			}
		}
		return true
	})
	d := e.deletedCount()
	for _, id := range benign {
		if d[id] != 0 {
			t.Errorf("benign %s deleted", id)
		}
	}
	if f.Resumes() < 1 || f.Identifies() != 1 {
		t.Errorf("resumes %d identifies %d: the session was not resumed", f.Resumes(), f.Identifies())
	}
}

func TestE2EBurst(t *testing.T) {
	const (
		total    = 1000
		students = 12
	)
	channels := []string{discord.ChanGen, "300000000000000011", "300000000000000012"}
	var studentIDs []string
	e := startE2E(t, func(f *fakediscord.Server) {
		f.AddChannel(discord.GuildA, channels[1], "maths")
		f.AddChannel(discord.GuildA, channels[2], "français")
		for i := range students {
			id := fmt.Sprintf("52%016d", i)
			f.AddUser(id, fmt.Sprintf("eleve%d", i), false)
			f.AddMember(discord.GuildA, id, "Élève")
			studentIDs = append(studentIDs, id)
		}
	})
	f := e.fake
	harmfulTexts := []string{"t'es qu'un gros connard", "ferme ta gueule sale pute", "you're a moron", "va sur pornhub.com", "je vais te tuer", "espèce d'enculé"}
	benignTexts := []string{"bonjour, on révise l'analyse du texte ?", "la réunion est à 14h", "qui a fini l'exercice 3 ?", "le concours de maths est demain", "j'ai raté le bus", "bonne soirée à tous"}
	harmful := map[string]bool{}
	var benign []string
	for i := range total {
		ch := channels[i%len(channels)]
		author := studentIDs[i%students]
		if i%3 == 0 {
			id := f.SendMessage(discord.GuildA, ch, author, fmt.Sprintf("%s %d", harmfulTexts[i%len(harmfulTexts)], i))
			harmful[id] = true
		} else {
			benign = append(benign, f.SendMessage(discord.GuildA, ch, author, fmt.Sprintf("%s (%d)", benignTexts[i%len(benignTexts)], i)))
		}
	}
	e.waitFor(3*time.Minute, fmt.Sprintf("%d harmful messages deleted", len(harmful)), func() bool {
		d := e.deletedCount()
		for id := range harmful {
			if d[id] == 0 {
				return false
			}
		}
		return true
	})
	// A last insult per channel: when it is deleted, every earlier
	// message of the channel has been judged.
	var markers []string
	for _, ch := range channels {
		markers = append(markers, f.SendMessage(discord.GuildA, ch, discord.Bob, "sale connard"))
	}
	e.waitFor(time.Minute, "markers deleted", func() bool {
		d := e.deletedCount()
		for _, m := range markers {
			if d[m] == 0 {
				return false
			}
		}
		return true
	})
	d := e.deletedCount()
	for id := range harmful {
		if d[id] != 1 {
			t.Errorf("harmful %s deleted %d times", id, d[id])
		}
	}
	for _, id := range benign {
		if d[id] != 0 {
			t.Errorf("benign %s deleted", id)
		}
	}
	if len(d) != len(harmful)+len(markers) {
		t.Errorf("%d messages deleted, want %d", len(d), len(harmful)+len(markers))
	}
	n, err := e.store.Count(context.Background(), store.Filter{Platform: "discord"})
	if err != nil || n != len(harmful)+len(markers) {
		t.Errorf("%d incidents recorded (%v), want %d", n, err, len(harmful)+len(markers))
	}
}

func TestE2ECommands(t *testing.T) {
	e := startE2E(t, nil)
	f := e.fake
	reply := func(iid string) *fakediscord.InteractionResponse {
		var got *fakediscord.InteractionResponse
		e.waitFor(15*time.Second, "the answer to "+iid, func() bool {
			for _, r := range f.Responses() {
				if r.Interaction == iid {
					got = &r
					return true
				}
			}
			return false
		})
		if got.Flags&discordgo.MessageFlagsEphemeral == 0 {
			t.Errorf("answer %s is not ephemeral", iid)
		}
		return got
	}

	// A student's private report reaches the teachers and is confirmed.
	r := reply(f.Interact(discord.GuildA, discord.ChanGen, discord.Alice, "aide", "", map[string]string{"signaler": "on se moque de moi"}))
	if !strings.Contains(r.Content, "3018") {
		t.Errorf("report confirmation:\n%s", r.Content)
	}
	e.waitFor(15*time.Second, "the report alert", func() bool {
		for _, p := range f.Posts() {
			if p.Channel == discord.ChanAlerts && strings.Contains(p.Content, "on se moque de moi") {
				return true
			}
		}
		return false
	})
	n, err := e.store.Count(context.Background(), store.Filter{Author: discord.Alice})
	if err != nil || n != 1 {
		t.Errorf("report incidents: %d %v", n, err)
	}

	// /vigie is for teachers.
	refused := reply(f.Interact(discord.GuildA, discord.ChanGen, discord.Alice, "vigie", "status", nil))
	status := reply(f.Interact(discord.GuildA, discord.ChanGen, discord.Teacher, "vigie", "status", nil))
	if refused.Content == status.Content || status.Content == "" {
		t.Errorf("student and teacher got the same /vigie status answer:\n%s", status.Content)
	}
}

func TestE2EBotJoinedIntroduces(t *testing.T) {
	e := startE2E(t, nil)
	f := e.fake
	f.AddGuild(discord.GuildB, "5e A", discord.Owner)
	e.waitFor(15*time.Second, "the introduction", func() bool {
		for _, p := range f.Posts() {
			if p.Channel == discord.GuildB && strings.Contains(p.Content, "3018") {
				return true
			}
		}
		return false
	})
}

// BenchmarkE2E measures the whole path: fake gateway → adapter → bot
// (classifier, incident store, notices, alerts) → REST calls, with one
// message in three harmful, in three channels.
func BenchmarkE2E(b *testing.B) {
	channels := []string{discord.ChanGen, "300000000000000011", "300000000000000012"}
	e := startE2E(b, func(f *fakediscord.Server) {
		f.AddChannel(discord.GuildA, channels[1], "maths")
		f.AddChannel(discord.GuildA, channels[2], "français")
	})
	f := e.fake
	authors := []string{discord.Alice, discord.Bob}
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		text := "la réunion est à 14h"
		if i%3 == 0 {
			text = "t'es qu'un gros connard"
		}
		f.SendMessage(discord.GuildA, channels[i%len(channels)], authors[i%len(authors)], fmt.Sprintf("%s %d", text, i))
	}
	var markers []string
	for _, ch := range channels {
		markers = append(markers, f.SendMessage(discord.GuildA, ch, discord.Bob, "sale connard"))
	}
	e.waitFor(10*time.Minute, "markers deleted", func() bool {
		d := e.deletedCount()
		for _, m := range markers {
			if d[m] == 0 {
				return false
			}
		}
		return true
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
}
