package bot_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/vigie-edu/vigie/bot"
	"github.com/vigie-edu/vigie/bot/bottest"
	"github.com/vigie-edu/vigie/filters"
	"github.com/vigie-edu/vigie/store"
)

// Places and people of the tests.
const (
	class        = "guild-1"
	channel      = "chan-general"
	alertChannel = "111111111111111111" // a Discord-like channel id
	student      = "u-alex"
	target       = "u-sam"
	replied      = "u-lou"
	teacher      = "u-prof"
	owner        = "u-owner"
)

var start = time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC)

// testJudge knows a few words per category.
func testJudge() *bottest.Judge {
	return &bottest.Judge{
		Words: map[string]filters.Category{
			"connard": filters.Insult, "idiot": filters.Insult, "pornsite": filters.PornLink,
			"sexe": filters.Sexual, "suicide": filters.SelfHarm, "tuer": filters.Threat, "merde": filters.Profanity,
		},
		Actions: map[filters.Category]filters.Action{filters.SelfHarm: filters.Alert, filters.Profanity: filters.Alert},
	}
}

// testPolicy is a class policy with every notice and an alert channel.
func testPolicy(locale string) bot.Policy {
	return bot.Policy{
		Locale: locale, Lang: "fr", NotifyAuthor: true, NotifyTargets: true,
		AlertChannel: alertChannel, TeacherRoles: []string{"Professeur", "Teacher"},
		ExemptRoles: []string{"Modérateur"}, ExemptBots: true,
		Escalation:  bot.Escalation{After: 3, Window: 10 * time.Minute, Duration: 10 * time.Minute, Mode: bot.ModeTimeout},
		GroupWindow: 2 * time.Minute, NoticeTTL: time.Minute,
	}
}

// env is a bot with a fake adapter, a fake clock and an in-memory store.
type env struct {
	t      testing.TB
	ctx    context.Context
	clock  *bottest.Clock
	ad     *bottest.Adapter
	st     store.Store
	bot    *bot.Bot
	judge  bot.Judge
	holder *bot.RulesHolder
	reg    *prometheus.Registry
	nextID int
}

type envOption func(*bot.Options, *bot.Snapshot)

func withConfig(cfg bot.Config) envOption {
	return func(_ *bot.Options, s *bot.Snapshot) { s.Config = cfg }
}

func withPolicy(p bot.Policy) envOption {
	return func(_ *bot.Options, s *bot.Snapshot) { s.Config.Default = p }
}

func withJudge(j bot.Judge) envOption {
	return func(_ *bot.Options, s *bot.Snapshot) { s.Classifier = j }
}

func withStore(wrap func(store.Store) store.Store) envOption {
	return func(o *bot.Options, _ *bot.Snapshot) { o.Store = wrap(o.Store) }
}

func newEnv(t testing.TB, opts ...envOption) *env {
	t.Helper()
	ctx := t.Context()
	clock := bottest.NewClock(start)
	st, err := store.OpenWith(ctx, ":memory:", store.Options{Now: clock.Now})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	ad := bottest.NewAdapter(bot.Discord)
	ad.Classes = map[string]bot.ClassInfo{class: {ID: class, Name: "4e B", Owner: bot.UserRef{ID: owner, Name: "Mme Owner"}}}
	ad.Members = map[string]bot.Author{
		target:  {UserRef: bot.UserRef{ID: target, Name: "Sam"}},
		replied: {UserRef: bot.UserRef{ID: replied, Name: "Lou"}},
		"u-bot": {UserRef: bot.UserRef{ID: "u-bot", Name: "OtherBot"}, Bot: true},
	}
	snap := &bot.Snapshot{Classifier: testJudge(), Config: bot.Config{Default: testPolicy("en")}, Version: "test-1"}
	reg := prometheus.NewRegistry()
	o := bot.Options{Store: st, Clock: clock, Registerer: reg, Workers: 2, QueueSize: 16}
	for _, f := range opts {
		f(&o, snap)
	}
	holder := bot.NewRulesHolder(snap)
	o.Rules = holder
	b, err := bot.New(o)
	if err != nil {
		t.Fatalf("bot.New: %v", err)
	}
	return &env{t: t, ctx: ctx, clock: clock, ad: ad, st: o.Store, bot: b, judge: snap.Classifier, holder: holder, reg: reg}
}

// message builds a message from the student in the general channel.
func (e *env) message(text string) *bot.Message {
	e.nextID++
	return &bot.Message{
		Ref:         bot.MessageRef{Class: class, Channel: channel, ID: "m" + strconv.Itoa(e.nextID)},
		ChannelName: "général", ClassName: "4e B",
		Author: bot.Author{UserRef: bot.UserRef{ID: student, Name: "Alex"}},
		Text:   text, Time: e.clock.Now(), Link: "https://chat.example/" + channel,
	}
}

// handle handles a new message and fails the test on error.
func (e *env) handle(m *bot.Message) *bot.Result {
	e.t.Helper()
	return e.handleEvent(bot.Event{Kind: bot.MessageCreated, Platform: e.ad.Platform(), Message: m})
}

func (e *env) handleEvent(ev bot.Event) *bot.Result {
	e.t.Helper()
	res, err := e.bot.Handle(e.ctx, e.ad, ev)
	if err != nil {
		e.t.Fatalf("Handle: %v", err)
	}
	return res
}

// incident returns the stored incident.
func (e *env) incident(id string) *store.Incident {
	e.t.Helper()
	if id == "" {
		e.t.Fatal("no incident id")
	}
	in, err := e.st.Get(e.ctx, id)
	if err != nil {
		e.t.Fatalf("store.Get(%s): %v", id, err)
	}
	return in
}

// step returns the incident's steps of a name.
func steps(in *store.Incident, name string) []store.Step {
	var out []store.Step
	for _, s := range in.Steps {
		if s.Name == name {
			out = append(out, s)
		}
	}
	return out
}

// alerts returns the alerts posted in the alert channel.
func (e *env) alerts() []bot.OutMessage { return e.ad.PostsIn(alertChannel) }

// command runs a command and returns the private reply.
func (e *env) command(user bot.Author, name, sub string, args map[string]string) (string, *bot.Result) {
	e.t.Helper()
	var reply string
	cmd := &bot.Command{
		Name: name, Sub: sub, Args: args, User: user,
		Channel: bot.ChannelRef{Class: class, ID: channel, Name: "général"},
		Respond: func(_ context.Context, r bot.Reply) error { reply = r.Text; return nil },
	}
	res := e.handleEvent(bot.Event{Kind: bot.CommandInvoked, Platform: e.ad.Platform(), Command: cmd})
	return reply, res
}

// counter returns the value of a collector holding one counter or
// gauge.
func counter(t *testing.T, c prometheus.Collector) float64 {
	t.Helper()
	ch := make(chan prometheus.Metric, 16)
	c.Collect(ch)
	close(ch)
	var sum float64
	for m := range ch {
		var pb dto.Metric
		if err := m.Write(&pb); err != nil {
			t.Fatalf("read metric: %v", err)
		}
		sum += pb.GetCounter().GetValue() + pb.GetGauge().GetValue()
	}
	return sum
}

func mustContain(t *testing.T, what, s string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			t.Errorf("%s does not contain %q:\n%s", what, sub, s)
		}
	}
}

func mustNotContain(t *testing.T, what, s string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			t.Errorf("%s contains %q:\n%s", what, sub, s)
		}
	}
}

// full renders a message as one string, for assertions.
func full(m bot.OutMessage) string {
	return m.Title + "\n" + m.Body + "\n" + m.Evidence + "\n" + m.Footer
}
