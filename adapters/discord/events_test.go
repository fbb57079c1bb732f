package discord

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/vigie-edu/vigie/adapters/discord/fakediscord"
	"github.com/vigie-edu/vigie/bot"
)

func TestMessageCreatedTranslated(t *testing.T) {
	h := StartHarness(t, World, nil)
	f := h.Fake
	first := f.SendMessage(GuildA, ChanGen, Bob, "salut")
	h.Next(bot.MessageCreated)
	id := f.SendMessage(GuildA, ChanGen, Alice, "regarde ça <@"+Bob+"> dans <#"+ChanAlerts+">",
		fakediscord.Mentions(Bob), fakediscord.ReplyTo(first),
		fakediscord.Attachment("photo.png"),
		fakediscord.Embed("https://example.org/x", "Titre", "Description"))
	ev := h.Next(bot.MessageCreated)
	m := ev.Message
	if ev.Platform != bot.Discord || ev.Received.IsZero() {
		t.Errorf("event platform/received = %q/%v", ev.Platform, ev.Received)
	}
	want := bot.MessageRef{Class: GuildA, Channel: ChanGen, ID: id}
	if m.Ref != want {
		t.Errorf("Ref = %+v, want %+v", m.Ref, want)
	}
	if m.Text != "regarde ça @bob dans #alertes-vigie" || m.Direct || m.Author.Bot {
		t.Errorf("text/direct/bot = %q/%v/%v", m.Text, m.Direct, m.Author.Bot)
	}
	if m.Author.ID != Alice || m.Author.Name != "alice" {
		t.Errorf("author = %+v", m.Author.UserRef)
	}
	if !slices.Equal(m.Author.Roles, []string{RoleEleve, "Élève"}) {
		t.Errorf("roles = %q, want id then name", m.Author.Roles)
	}
	if m.Author.Owner || m.Author.Admin {
		t.Errorf("student is owner/admin: %+v", m.Author)
	}
	if m.ClassName != "4e B" || m.ChannelName != "general" {
		t.Errorf("class/channel names = %q/%q", m.ClassName, m.ChannelName)
	}
	if len(m.Mentions) != 1 || m.Mentions[0].ID != Bob {
		t.Errorf("mentions = %+v", m.Mentions)
	}
	if m.ReplyTo == nil || m.ReplyTo.ID != Bob {
		t.Errorf("ReplyTo = %+v, want bob", m.ReplyTo)
	}
	if !slices.Equal(m.Attachments, []string{"photo.png"}) {
		t.Errorf("attachments = %q", m.Attachments)
	}
	if len(m.Embeds) != 1 || m.Embeds[0] != (bot.Embed{URL: "https://example.org/x", Title: "Titre", Description: "Description"}) {
		t.Errorf("embeds = %+v", m.Embeds)
	}
	if wantLink := "https://discord.com/channels/" + GuildA + "/" + ChanGen + "/" + id; m.Link != wantLink {
		t.Errorf("link = %q, want %q", m.Link, wantLink)
	}
	if ev.Channel != (bot.ChannelRef{Class: GuildA, ID: ChanGen, Name: "general"}) {
		t.Errorf("channel = %+v", ev.Channel)
	}
}

func TestAuthorFlags(t *testing.T) {
	h := StartHarness(t, func(f *fakediscord.Server) {
		World(f)
		f.AddUser("500000000000000009", "root", false)
		f.AddMember(GuildA, "500000000000000009", "Admin")
	}, nil)
	f := h.Fake
	tests := []struct {
		name         string
		user         string
		opts         []fakediscord.MessageOption
		owner, admin bool
		isBot        bool
	}{
		{"owner", Owner, nil, true, true, false},
		{"administrator role", "500000000000000009", nil, false, true, false},
		{"teacher", Teacher, nil, false, false, false},
		{"other bot", OtherBot, nil, false, false, true},
		{"webhook", Alice, []fakediscord.MessageOption{fakediscord.Webhook("600000000000000001")}, false, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.SendMessage(GuildA, ChanGen, tt.user, "bonjour", tt.opts...)
			a := h.Next(bot.MessageCreated).Message.Author
			if a.Owner != tt.owner || a.Admin != tt.admin || a.Bot != tt.isBot {
				t.Errorf("owner/admin/bot = %v/%v/%v, want %v/%v/%v", a.Owner, a.Admin, a.Bot, tt.owner, tt.admin, tt.isBot)
			}
		})
	}
}

func TestDirectMessage(t *testing.T) {
	h := StartHarness(t, World, nil)
	id := h.Fake.SendMessage("", "", Alice, "j'ai besoin d'aide")
	m := h.Next(bot.MessageCreated).Message
	if !m.Direct || m.Ref.Class != "" || m.Ref.ID != id || m.Author.ID != Alice {
		t.Errorf("direct message = %+v", m)
	}
	if !strings.HasPrefix(m.Link, "https://discord.com/channels/@me/") {
		t.Errorf("link = %q", m.Link)
	}
}

func TestOwnMessagesCarrySelf(t *testing.T) {
	h := StartHarness(t, World, nil)
	if _, err := h.Adapter.Post(context.Background(), bot.ChannelRef{Class: GuildA, ID: ChanAlerts}, bot.OutMessage{Body: "test"}); err != nil {
		t.Fatal(err)
	}
	for {
		ev := <-h.Events
		if ev.Kind == bot.MessageCreated {
			if ev.Message.Author.ID != h.Adapter.Self().ID || h.Adapter.Self().ID != h.Fake.BotID() {
				t.Errorf("echo author %q, Self %q, bot %q", ev.Message.Author.ID, h.Adapter.Self().ID, h.Fake.BotID())
			}
			return
		}
	}
}

func TestEdits(t *testing.T) {
	h := StartHarness(t, World, nil)
	f := h.Fake
	id := f.SendMessage(GuildA, ChanGen, Alice, "bonjour")
	h.Next(bot.MessageCreated)

	// A real edit.
	f.EditMessage(id, "bonjour espèce de …")
	ev := h.Next(bot.MessageCreated, bot.MessageEdited)
	if ev.Kind != bot.MessageEdited || ev.Message.Text != "bonjour espèce de …" || ev.Message.Ref.ID != id {
		t.Fatalf("edit event = %v %+v", ev.Kind, ev.Message)
	}
	if !slices.Contains(ev.Message.Author.Roles, "Élève") {
		t.Errorf("edit author roles = %q", ev.Message.Author.Roles)
	}

	// An update that changes nothing the bot judges: no event. The next
	// event must be the marker message.
	f.EditMessage(id, "bonjour espèce de …")
	marker := f.SendMessage(GuildA, ChanGen, Bob, "marqueur")
	if ev := h.Next(bot.MessageCreated, bot.MessageEdited); ev.Kind != bot.MessageCreated || ev.Message.Ref.ID != marker {
		t.Fatalf("unchanged update produced %v %+v", ev.Kind, ev.Message.Ref)
	}

	// An unfurl: partial update without content, fetched from REST, judged
	// because it brings a new embed.
	before := len(f.Calls())
	f.UnfurlEmbed(id, "https://adult.example/x", "XXX videos", "")
	ev = h.Next(bot.MessageCreated, bot.MessageEdited)
	if ev.Kind != bot.MessageEdited || ev.Message.Text != "bonjour espèce de …" ||
		len(ev.Message.Embeds) != 1 || ev.Message.Embeds[0].Title != "XXX videos" {
		t.Fatalf("unfurl event = %v %+v", ev.Kind, ev.Message)
	}
	if ev.Message.Author.ID != Alice || !slices.Contains(ev.Message.Author.Roles, RoleEleve) {
		t.Errorf("unfurl author = %+v", ev.Message.Author)
	}
	fetched := false
	for _, c := range f.Calls()[before:] {
		if c.Method == http.MethodGet && strings.HasSuffix(c.Path, "/messages/"+id) {
			fetched = true
		}
	}
	if !fetched {
		t.Error("partial update was not completed with GET message")
	}

	// The same unfurl again: nothing new.
	f.UnfurlEmbed(id, "https://adult.example/x", "XXX videos", "")
	marker = f.SendMessage(GuildA, ChanGen, Bob, "marqueur 2")
	if ev := h.Next(bot.MessageCreated, bot.MessageEdited); ev.Kind != bot.MessageCreated || ev.Message.Ref.ID != marker {
		t.Fatalf("repeated unfurl produced %v", ev.Kind)
	}
}

func TestMemberJoined(t *testing.T) {
	h := StartHarness(t, World, nil)
	h.Fake.AddUser("500000000000000010", "charlie", false)
	h.Fake.AddMember(GuildA, "500000000000000010", "Élève")
	ev := h.Next(bot.MemberJoined)
	if ev.Member == nil || ev.Member.ID != "500000000000000010" || ev.Member.Name != "charlie" {
		t.Fatalf("member = %+v", ev.Member)
	}
	if ev.Channel != (bot.ChannelRef{Class: GuildA, ID: ChanGen, Name: "general"}) {
		t.Errorf("channel = %+v, want the system channel", ev.Channel)
	}
	if !slices.Equal(ev.Member.Roles, []string{RoleEleve, "Élève"}) {
		t.Errorf("roles = %q", ev.Member.Roles)
	}
}

func TestBotJoinedClass(t *testing.T) {
	h := StartHarness(t, World, nil)
	// Guild A was there at READY: no BotJoinedClass for it. Guild B is
	// new.
	h.Fake.AddGuild(GuildB, "5e A", Owner)
	ev := h.Next(bot.BotJoinedClass)
	if ev.Channel != (bot.ChannelRef{Class: GuildB, ID: GuildB, Name: "general"}) {
		t.Errorf("channel = %+v", ev.Channel)
	}
	marker := h.Fake.SendMessage(GuildA, ChanGen, Bob, "marqueur")
	if ev := h.Next(bot.MessageCreated, bot.BotJoinedClass); ev.Kind != bot.MessageCreated || ev.Message.Ref.ID != marker {
		t.Errorf("second BotJoinedClass: %+v", ev)
	}
}

func TestCommandsRegistered(t *testing.T) {
	h := StartHarness(t, World, nil)
	cmds := h.Fake.Commands("")
	var names []string
	for _, c := range cmds {
		names = append(names, c.Name)
		if c.Name == cmdVigie {
			if c.DefaultMemberPermissions == nil || *c.DefaultMemberPermissions != discordgo.PermissionManageMessages {
				t.Errorf("/vigie default_member_permissions = %v, want Manage Messages", c.DefaultMemberPermissions)
			}
			var subs []string
			for _, o := range c.Options {
				subs = append(subs, o.Name)
			}
			if !slices.Equal(subs, []string{"status", "dryrun", "setup", "console"}) {
				t.Errorf("/vigie subcommands = %q", subs)
			}
		}
		if c.DescriptionLocalizations == nil || (*c.DescriptionLocalizations)[discordgo.French] == "" ||
			(*c.DescriptionLocalizations)[discordgo.EnglishUS] == "" {
			t.Errorf("/%s lacks French or English description", c.Name)
		}
	}
	if !slices.Equal(names, []string{"vigie", "aide", "help"}) {
		t.Errorf("commands = %q", names)
	}
}

func TestCommandsPerGuild(t *testing.T) {
	h := StartHarness(t, World, func(c *Config) { c.CommandGuilds = []string{GuildA} })
	if len(h.Fake.Commands("")) != 0 || len(h.Fake.Commands(GuildA)) != 3 {
		t.Errorf("global %d, guild %d commands", len(h.Fake.Commands("")), len(h.Fake.Commands(GuildA)))
	}
}

func TestCommandInvoked(t *testing.T) {
	h := StartHarness(t, World, nil)
	f := h.Fake
	tests := []struct {
		name, cmd, sub string
		opts           map[string]string
		user           string
		wantSub        string
		wantArgs       map[string]string
	}{
		{"status", "vigie", "status", nil, Teacher, "status", map[string]string{}},
		{"dryrun", "vigie", "dryrun", map[string]string{"mode": "on"}, Teacher, "dryrun", map[string]string{"mode": "on"}},
		{"setup", "vigie", "setup", map[string]string{"channel": ChanAlerts, "role": RoleProf, "lang": "fr"}, Owner, "setup",
			map[string]string{"channel": ChanAlerts, "role": RoleProf, "lang": "fr"}},
		{"aide with report", "aide", "", map[string]string{"signaler": "on se moque de moi"}, Alice, "report", map[string]string{"text": "on se moque de moi"}},
		{"help without text", "help", "", nil, Bob, "", map[string]string{}},
		{"help with report", "help", "", map[string]string{"report": "someone insults me"}, Bob, "report", map[string]string{"text": "someone insults me"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			iid := f.Interact(GuildA, ChanGen, tt.user, tt.cmd, tt.sub, tt.opts)
			ev := h.Next(bot.CommandInvoked)
			c := ev.Command
			if c.Name != tt.cmd || c.Sub != tt.wantSub || !mapsEqual(c.Args, tt.wantArgs) {
				t.Errorf("command = %q %q %v, want %q %q %v", c.Name, c.Sub, c.Args, tt.cmd, tt.wantSub, tt.wantArgs)
			}
			if c.User.ID != tt.user || c.Channel != (bot.ChannelRef{Class: GuildA, ID: ChanGen, Name: "general"}) {
				t.Errorf("user/channel = %+v %+v", c.User, c.Channel)
			}
			if err := c.Respond(context.Background(), bot.Reply{Text: "Réponse **privée**"}); err != nil {
				t.Fatalf("Respond: %v", err)
			}
			if err := c.Respond(context.Background(), bot.Reply{Text: "encore"}); err == nil {
				t.Error("second Respond succeeded")
			}
			var got *fakediscord.InteractionResponse
			for _, r := range f.Responses() {
				if r.Interaction == iid {
					got = &r
				}
			}
			if got == nil || got.Content != "Réponse **privée**" || got.Flags&discordgo.MessageFlagsEphemeral == 0 ||
				got.Type != discordgo.InteractionResponseChannelMessageWithSource {
				t.Errorf("response = %+v, want ephemeral message", got)
			}
		})
	}
	t.Run("teacher flags", func(t *testing.T) {
		f.Interact(GuildA, ChanGen, Owner, "vigie", "status", nil)
		u := h.Next(bot.CommandInvoked).Command.User
		if !u.Owner || !u.Admin {
			t.Errorf("owner flags = %+v", u)
		}
	})
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func TestResumeAfterDroppedConnection(t *testing.T) {
	h := StartHarness(t, World, nil)
	f := h.Fake
	f.SendMessage(GuildA, ChanGen, Alice, "avant")
	h.Next(bot.MessageCreated)
	if ok, detail := h.Adapter.Status(); !ok {
		t.Errorf("Status before the drop = %v %q, want connected", ok, detail)
	}

	f.DropConnection()
	var sent []string
	for i := range 20 {
		sent = append(sent, f.SendMessage(GuildA, ChanGen, Bob, "pendant "+string(rune('a'+i))))
	}
	var got []string
	for len(got) < len(sent) {
		got = append(got, h.Next(bot.MessageCreated).Message.Ref.ID)
	}
	if !slices.Equal(got, sent) {
		t.Errorf("after resume got %q, want %q in order", got, sent)
	}
	if f.Resumes() < 1 || f.Identifies() != 1 {
		t.Errorf("resumes %d, identifies %d: want a resumed session", f.Resumes(), f.Identifies())
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		ok, detail := h.Adapter.Status()
		if ok && strings.Contains(detail, "resumed") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Status after the resume = %v %q, want connected (session resumed)", ok, detail)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestSharding(t *testing.T) {
	CheckNoLeaks(t)
	f := fakediscord.New()
	t.Cleanup(f.Close)
	// Guild ids whose shard ((id >> 22) % 2) differs.
	g0 := "8388608" // 2<<22: shard 0
	g1 := "4194304" // 1<<22: shard 1
	f.AddGuild(g0, "shard zéro", Owner)
	f.AddGuild(g1, "shard un", Owner)
	f.AddUser(Alice, "alice", false)
	f.AddMember(g0, Alice)
	f.AddMember(g1, Alice)

	var hs [2]*Harness
	for shard := range 2 {
		cfg := Config{Token: f.Token(), APIURL: f.URL(), ShardID: shard, ShardCount: 2}
		a, err := New(cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		h := &Harness{T: t, Fake: f, Adapter: a, Events: make(chan bot.Event, 16)}
		ctx, cancel := context.WithCancel(context.Background())
		h.stop, h.done = cancel, make(chan error, 1)
		go func() { h.done <- a.Run(ctx, h.Events) }()
		t.Cleanup(func() { h.Stop() })
		hs[shard] = h
		h.WaitFor("shard connected", func() bool { return a.Self().ID != "" })
	}
	id0 := f.SendMessage(g0, g0, Alice, "zéro")
	id1 := f.SendMessage(g1, g1, Alice, "un")
	if got := hs[0].Next(bot.MessageCreated).Message.Ref.ID; got != id0 {
		t.Errorf("shard 0 got %s, want %s", got, id0)
	}
	if got := hs[1].Next(bot.MessageCreated).Message.Ref.ID; got != id1 {
		t.Errorf("shard 1 got %s, want %s", got, id1)
	}
	if f.Identifies() != 2 {
		t.Errorf("identifies = %d", f.Identifies())
	}
	// Only shard 0 registers the commands (shard 1 has read READY: its
	// Self is set).
	hs[0].WaitFor("commands registered", func() bool { return len(f.Commands("")) > 0 })
	if n := countCalls(f, http.MethodPut, "/commands"); n != 1 {
		t.Errorf("%d command registrations, want 1", n)
	}
}

func countCalls(f *fakediscord.Server, method, suffix string) int {
	n := 0
	for _, c := range f.Calls() {
		if c.Method == method && strings.HasSuffix(c.Path, suffix) {
			n++
		}
	}
	return n
}

func TestRunRefusedToken(t *testing.T) {
	CheckNoLeaks(t)
	f := fakediscord.New()
	t.Cleanup(f.Close)
	a, err := New(Config{Token: "not-the-token", APIURL: f.URL(), DisableReconnect: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = a.Run(context.Background(), make(chan bot.Event))
	if err == nil {
		t.Fatal("Run with a refused token returned nil")
	}
	if strings.Contains(err.Error(), "not-the-token") {
		t.Errorf("error shows the token: %v", err)
	}
}

func TestRunTwice(t *testing.T) {
	h := StartHarness(t, World, nil)
	err := h.Adapter.Run(context.Background(), make(chan bot.Event))
	if err == nil || errors.Is(err, context.Canceled) {
		t.Errorf("second Run = %v, want an error", err)
	}
}

func TestRunReturnsWhenConnectionLostWithoutReconnect(t *testing.T) {
	CheckNoLeaks(t)
	f := fakediscord.New()
	t.Cleanup(f.Close)
	World(f)
	a, err := New(Config{Token: f.Token(), APIURL: f.URL(), DisableReconnect: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- a.Run(context.Background(), make(chan bot.Event, 64)) }()
	ctx, cancel := context.WithTimeout(context.Background(), testWait)
	defer cancel()
	// Self is set when discordgo has read READY: the session is open.
	if err := f.WaitFor(ctx, func() bool { return a.Self().ID != "" }); err != nil {
		t.Fatal(err)
	}
	f.DropConnection()
	select {
	case err := <-done:
		if !errors.Is(err, errConnectionLost) {
			t.Errorf("Run = %v, want errConnectionLost", err)
		}
	case <-ctx.Done():
		t.Fatal("Run did not return after the connection dropped")
	}
	if f.Resumes() != 0 {
		t.Errorf("resumed %d times", f.Resumes())
	}
}

func TestRunRetriesFirstConnection(t *testing.T) {
	h := StartHarness(t, func(f *fakediscord.Server) {
		World(f)
		f.FailNext("GET", `/api/v9/gateway$`, http.StatusServiceUnavailable, `{"message":"upstream","code":0}`)
	}, nil)
	var statuses []int
	for _, c := range h.Fake.Calls() {
		if c.Path == "/api/v9/gateway" {
			statuses = append(statuses, c.Status)
		}
	}
	if !slices.Equal(statuses, []int{503, 200}) {
		t.Errorf("gateway lookups = %v, want a failure then a success", statuses)
	}
}
