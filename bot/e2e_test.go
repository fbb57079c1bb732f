package bot_test

import (
	"bytes"
	"flag"
	"maps"
	"os"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/vigie-edu/vigie/bot"
	"github.com/vigie-edu/vigie/bot/bottest"
	"github.com/vigie-edu/vigie/filters"
	"github.com/vigie-edu/vigie/rules"
	"github.com/vigie-edu/vigie/store"
)

var (
	defaultsOnce sync.Once
	defaultRules *rules.Rules
	defaultJudge *filters.Classifier
	defaultsErr  error
)

// realRules returns the embedded default rules and their classifier.
func realRules(t testing.TB) (*rules.Rules, *filters.Classifier) {
	t.Helper()
	defaultsOnce.Do(func() {
		defaultRules, defaultsErr = rules.Defaults()
		if defaultsErr == nil {
			defaultJudge, defaultsErr = defaultRules.Classifier()
		}
	})
	if defaultsErr != nil {
		t.Fatalf("default rules: %v", defaultsErr)
	}
	return defaultRules, defaultJudge
}

// withDefaults runs the bot on the embedded default rules, with an alert
// channel and the given locale.
func withDefaults(t testing.TB, locale string) envOption {
	r, c := realRules(t)
	return func(_ *bot.Options, s *bot.Snapshot) {
		s.Classifier = c
		s.Config = r.Bot
		s.Config.Default.Locale = locale
		s.Config.Default.AlertChannel = alertChannel
		s.Actions = maps.Clone(r.Filters.Actions)
		s.Version = "defaults"
	}
}

var updateTexts = flag.Bool("update-texts", false, "rewrite rules/defaults/81-texts.yaml from the texts compiled into package bot")

// textsHeader opens rules/defaults/81-texts.yaml.
const textsHeader = `# Texts of notices, alerts and replies, per locale (fr, en), as Go
# text/template strings. Every template receives the same data
# (bot.TextData): .Recipient, .Author, .AuthorID, .Class, .Channel, .Time,
# .Category, .Categories, .Rule, .Where, .Removed, .DryRun, .Steps,
# .IncidentID, .Count, .Kept, .Window, .Breakdown, .Summary, .Version,
# .Route, .Lang, .RetentionDays, .Link and, for step.* lines, .Name, .Status,
# .Target, .Detail, .Permission, .Duration.
#
# A school changes a text by giving the same key in its rules file; a
# key it leaves out keeps the text below. The bot carries the same texts
# compiled in, so that a missing or broken key never silences a notice.
#
# Tone: to students, short and calm, "tu" in French; the victim is never
# at fault. To teachers: facts, what Vigie did, whether it worked.
`

// textsYAML renders the compiled-in texts as rules/defaults/81-texts.yaml.
func textsYAML(t *testing.T) []byte {
	t.Helper()
	texts := bot.DefaultTexts()
	root := &yaml.Node{Kind: yaml.MappingNode}
	byLocale := &yaml.Node{Kind: yaml.MappingNode}
	root.Content = append(root.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: "texts"}, byLocale)
	for _, loc := range []string{"fr", "en"} {
		m := &yaml.Node{Kind: yaml.MappingNode}
		byLocale.Content = append(byLocale.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: loc}, m)
		for _, k := range slices.Sorted(maps.Keys(texts[loc])) {
			m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: k},
				&yaml.Node{Kind: yaml.ScalarNode, Value: texts[loc][k], Style: yaml.DoubleQuotedStyle})
		}
	}
	var buf bytes.Buffer
	buf.WriteString(textsHeader)
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(root); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestDefaultsTextsAndHelplinesMatchCompiledIn(t *testing.T) {
	const textsFile = "../rules/defaults/81-texts.yaml"
	if *updateTexts {
		if err := os.WriteFile(textsFile, textsYAML(t), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Skip("rewrote " + textsFile + "; run the tests again (package rules embeds it)")
	}
	r, _ := realRules(t)
	if !reflect.DeepEqual(r.Bot.Texts, bot.DefaultTexts()) {
		t.Error("rules/defaults/81-texts.yaml differs from the texts compiled into package bot: run go test ./bot -run TestDefaultsTexts -update-texts")
	}
	if !reflect.DeepEqual(r.Bot.Helplines, bot.DefaultHelplines()) {
		t.Error("rules/defaults/82-helplines.yaml differs from the helplines compiled into package bot")
	}
	if err := r.Bot.Texts.Validate(); err != nil {
		t.Errorf("default texts: %v", err)
	}
}

func TestEndToEndOnDefaultRules(t *testing.T) {
	tests := []struct {
		name, locale, text string
		action             filters.Action
		deleted            bool
		alert              []string
		notice             []string
	}{
		{"french insult", "fr", "t'es qu'un gros connard", filters.Remove, true,
			[]string{"insulte", "✔ message supprimé", "3018", "gratuit, anonyme et confidentiel", "https://3018.fr", "119", "https://www.internet-signalement.gouv.fr"},
			[]string{"a été retiré", "les insultes ne sont pas acceptées ici", "Ton professeur a été prévenu"}},
		{"english insult", "en", "you are a fucking idiot", filters.Remove, true,
			[]string{"insult", "✔ message removed", "3018", "free, anonymous and confidential"},
			[]string{"was removed", "insults are not allowed here", "Your teacher has been told"}},
		{"porn link", "en", "regarde https://pornhub.com", filters.Remove, true,
			[]string{"link to a porn site", "✔ message removed"}, []string{"was removed"}},
		{"self-harm", "fr", "je veux mourir", filters.Alert, false,
			[]string{"URGENT", "détresse", "3114", "Le message a été conservé"}, []string{"3114", "Tu n'es pas seul·e"}},
		{"profanity is only reported", "fr", "merde j'ai oublié", filters.Alert, false,
			[]string{"grossièreté", "message conservé"}, []string{"a été signalé à ton professeur"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, withDefaults(t, tt.locale))
			m := e.message(tt.text)
			m.Mentions = []bot.UserRef{{ID: target, Name: "Sam"}}
			res := e.handle(m)
			if res.Action != tt.action {
				t.Fatalf("action = %s, want %s (verdict %+v)", res.Action, tt.action, res.Verdict)
			}
			if got := len(e.ad.Succeeded(bottest.OpDelete)) == 1; got != tt.deleted {
				t.Fatalf("deleted = %v, want %v", got, tt.deleted)
			}
			alerts := e.alerts()
			if len(alerts) != 1 {
				t.Fatalf("%d alerts", len(alerts))
			}
			mustContain(t, "alert", full(alerts[0]), tt.alert...)
			notices := e.ad.DirectsTo(student)
			if len(notices) != 1 {
				t.Fatalf("%d notices to the author", len(notices))
			}
			mustContain(t, "author notice", full(notices[0]), tt.notice...)
			mustNotContain(t, "author notice", full(notices[0]), tt.text)
			if in := e.incident(res.IncidentID); in.Text != tt.text || in.Action != tt.action {
				t.Fatalf("incident = %+v", in)
			}
		})
	}
}

func TestEndToEndBenignOnDefaultRules(t *testing.T) {
	for _, text := range []string{
		"bonjour, quelqu'un a fait l'exercice 3 ?",
		"l'analyse du texte est pour jeudi",
		"Can someone share the homework for Monday?",
	} {
		e := newEnv(t, withDefaults(t, "fr"))
		if res := e.handle(e.message(text)); res.Action != filters.Allow || len(e.ad.Calls()) != 0 {
			t.Errorf("%q: action %s, %d calls", text, res.Action, len(e.ad.Calls()))
		}
	}
}

func TestEndToEndRaidOnDefaultRules(t *testing.T) {
	e := newEnv(t, withDefaults(t, "fr"))
	texts := []string{"t'es qu'un gros connard", "fils de pute", "regarde https://pornhub.com"}
	var last *bot.Result
	for i := range 50 {
		last = e.handle(e.message(texts[i%len(texts)]))
		e.clock.Advance(2 * time.Second)
	}
	e.bot.Flush(e.ctx)
	alerts := e.alerts()
	// The first alert, the escalation alert (after 3 removals) and one
	// summary per window.
	if len(alerts) > 4 {
		t.Fatalf("%d alerts for a raid of 50 messages", len(alerts))
	}
	if n := len(e.ad.Calls(bottest.OpTimeout)); n != 1 {
		t.Fatalf("%d time-outs, want 1", n)
	}
	if n, _ := e.st.Count(e.ctx, store.Filter{Author: student}); n != 50 {
		t.Fatalf("%d incidents, want 50", n)
	}
	if last.Action != filters.Remove {
		t.Fatalf("last action %s", last.Action)
	}
}
