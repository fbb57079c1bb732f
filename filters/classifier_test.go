package filters

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/vigie-edu/vigie/filters/links"
)

// testConfig is a small hand-written configuration that exercises every
// mechanism of the engine independently of the default rules.
func testConfig() Config {
	return Config{
		Languages:   []string{"fr", "en", "es"},
		DefaultLang: "fr",
		Lexicon: []Entry{
			{Term: "connard", Lang: "fr", Category: Insult, Severity: High},
			{Term: "con", Lang: "fr", Category: Insult, Severity: Low, LangDependent: true},
			{Term: "enculé", Lang: "fr", Category: Insult, Severity: High, Mode: Prefix},
			{Term: "pute", Lang: "fr", Category: Insult, Severity: Medium},
			{Term: "fils de pute", Lang: "fr", Category: Insult, Severity: High},
			{Term: "anal", Lang: "en", Category: Sexual, Severity: Medium, Mode: Prefix},
			{Term: "fuck", Lang: "en", Category: Profanity, Severity: Medium, Mode: Substring},
			{Term: "bite", Lang: "fr", Category: Sexual, Severity: Medium, LangDependent: true},
			{Term: "sale", Lang: "fr", Category: Insult, Severity: Low},
		},
		Allow: []AllowEntry{
			{Term: "analys*", Lang: "fr"},
			{Term: "bite d'amarrage", Lang: "fr"},
		},
		Terms: []TermSet{
			{Name: "you", Lang: "fr", Terms: []string{"t'es", "tu es", "espèce de"}},
			{Name: "group", Lang: "fr", Terms: []string{"arabes", "noirs", "juifs"}},
			{Name: "vermin", Lang: "fr", Terms: []string{"parasite*", "rats", "cafards"}},
		},
		Frames: []Frame{
			{ID: "fr.insult.second_person", Lang: "fr", Category: Insult, Severity: High, Pattern: "@you (qu un | qu une)? ~2 @lex:insult"},
			{ID: "fr.hate.dehumanise", Lang: "fr", Category: Hate, Severity: Critical, Pattern: "les @group (sont | c est) (des)? @vermin"},
		},
		Cues: []Cue{
			{ID: "fr.report", Lang: "fr", Kind: CueReport, Pattern: "(m a | il m a | elle m a) (traite* | appele*) de?", After: 6, Categories: []Category{Insult}},
			{ID: "fr.negation", Lang: "fr", Kind: CueNegation, Pattern: "(je ne pense pas | je pense pas) que", After: 8, Categories: []Category{Hate}},
			{ID: "fr.counter", Lang: "fr", Kind: CueCounter, Pattern: "c est (raciste | grave)", Message: true, Quoted: true, Categories: []Category{Hate, Insult}},
		},
		Actions:      map[Category]Action{Profanity: Alert, PersonalInfo: Alert},
		Links:        links.Config{Lists: []links.List{{Name: "adult", Category: "porn_link", Domains: []string{"pornhub.com"}}}, AdultTLDs: []string{"xxx"}},
		PersonalInfo: true,
	}
}

func newTestClassifier(t testing.TB) *Classifier {
	t.Helper()
	c, err := New(testConfig())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestClassify(t *testing.T) {
	c := newTestClassifier(t)
	tests := []struct {
		text     string
		lang     string
		action   Action
		rules    string // the rules of the findings, comma-separated
		suppress string // reasons of the suppressions, comma-separated
	}{
		{text: "t'es qu'un gros c0nnard", action: Remove, rules: "fr.insult.second_person"},
		{text: "l'analyse du texte", action: Allow, suppress: "allowlist"},
		{text: "anal sex", lang: "en", action: Remove, rules: "lex.en.anal"},
		{text: "il m'a traité de connard, je l'ai dit au prof", action: Allow, suppress: "report"},
		{text: "c o n n a r d", action: Remove, rules: "lex.fr.connard"},
		{text: "espèce d'enculé", action: Remove, rules: "lex.fr.enculé"},
		{text: "espèce de enculé", action: Remove, rules: "fr.insult.second_person"},
		{text: "fils de pute", action: Remove, rules: "lex.fr.fils_de_pute"},
		{text: "motherfucker", action: Alert, rules: "lex.en.fuck"},
		{text: "la salle de classe", action: Allow},
		{text: "t'es saaaale", action: Remove, rules: "fr.insult.second_person"},
		{text: "quiero un café con leche por favor amigo, gracias", action: Allow, suppress: "language"},
		{text: "tu es con", action: Remove, rules: "fr.insult.second_person"},
		{text: "la bite d'amarrage du port", action: Allow, suppress: "allowlist"},
		{text: "les arabes sont des parasites", action: Remove, rules: "fr.hate.dehumanise"},
		{text: "je ne pense pas que les arabes sont des parasites", action: Allow, suppress: "negation"},
		{text: "dire \"les juifs sont des rats\" c'est raciste", action: Allow, suppress: "counter_speech"},
		{text: "les juifs sont des rats c'est grave", action: Remove, rules: "fr.hate.dehumanise"},
		{text: "va sur pornhub.com", action: Remove, rules: "link.porn_link"},
		{text: "va sur www.videos.pornhub.com/x", action: Remove, rules: "link.porn_link"},
		{text: "son numéro c'est 06 12 34 56 78", action: Alert, rules: "pii.phone"},
		{text: "", action: Allow},
	}
	for _, tt := range tests {
		v := c.Classify(context.Background(), Message{Text: tt.text, Lang: tt.lang})
		var rules, reasons []string
		for _, f := range v.Findings {
			rules = append(rules, f.Rule)
			if got := tt.text[f.Span.Start:f.Span.End]; got != f.Text {
				t.Errorf("%q: finding text %q does not match its span %q", tt.text, f.Text, got)
			}
		}
		for _, s := range v.Suppressed {
			reasons = append(reasons, s.Reason)
		}
		if v.Action != tt.action || strings.Join(rules, ",") != tt.rules || strings.Join(reasons, ",") != tt.suppress {
			t.Errorf("Classify(%q) = %s rules=%v suppressed=%v (lang %s %.2f %s), want %s rules=%q suppressed=%q",
				tt.text, v.Action, rules, reasons, v.Lang, v.LangConfidence, v.LangSource, tt.action, tt.rules, tt.suppress)
		}
	}
}

func TestClassifySpans(t *testing.T) {
	c := newTestClassifier(t)
	text := "Bon, t'es qu'un gros c0nnard 😡"
	v := c.Classify(context.Background(), Message{Text: text})
	if len(v.Findings) != 1 {
		t.Fatalf("findings = %+v", v.Findings)
	}
	if got := v.Findings[0].Text; got != "t'es qu'un gros c0nnard" {
		t.Errorf("span text = %q", got)
	}
	if v.Categories[0] != (CategoryScore{Name: Insult, Severity: High}) {
		t.Errorf("categories = %+v", v.Categories)
	}
}

func TestClassifyLanguage(t *testing.T) {
	c := newTestClassifier(t)
	// "bite" is French-only: in English it is judged harmless.
	v := c.Classify(context.Background(), Message{Text: "be careful, my dog might bite you if you pull his tail"})
	if v.Action != Allow || v.LangSource != LangDetected || v.Lang != "en" {
		t.Errorf("english bite: %s lang=%s/%s", v.Action, v.Lang, v.LangSource)
	}
	v = c.Classify(context.Background(), Message{Text: "bite", Lang: "fr"})
	if v.Action != Remove || v.LangSource != LangHint {
		t.Errorf("hinted french bite: %s %s", v.Action, v.LangSource)
	}
	// No language-dependent finding: no detection, the class's language.
	v = c.Classify(context.Background(), Message{Text: "bonjour à tous", DefaultLang: "en"})
	if v.LangSource != LangDefault || v.Lang != "en" {
		t.Errorf("no detection expected: %s/%s", v.Lang, v.LangSource)
	}
	v = c.Classify(context.Background(), Message{Text: "Bonjour à tous, le devoir de français est pour lundi prochain", Detect: true})
	if v.LangSource != LangDetected || v.Lang != "fr" {
		t.Errorf("forced detection: %s/%s", v.Lang, v.LangSource)
	}
	// The language that counts is that of the words around the
	// language-dependent one, not of the whole message.
	v = c.Classify(context.Background(), Message{Text: "le contrôle de maths est reporté à jeudi, révisez bien le chapitre sur les fractions. Be careful, my dog might bite you", DefaultLang: "fr"})
	if v.Action != Allow || v.Lang != "en" {
		t.Errorf("english bite after french chat: %s lang=%s/%s", v.Action, v.Lang, v.LangSource)
	}
	v = c.Classify(context.Background(), Message{Text: "the teacher said the history essay is due on Monday. Franchement il a montré sa bite à toute la classe hier", DefaultLang: "en"})
	if v.Action != Remove || v.Lang != "fr" {
		t.Errorf("french bite after english chat: %s lang=%s/%s", v.Action, v.Lang, v.LangSource)
	}
}

func TestLangWindow(t *testing.T) {
	long := "one two three four five six seven eight nine ten"
	for _, tc := range []struct {
		text, word, want string
	}{
		{"bite", "bite", "bite"},
		{"short message with bite in it", "bite", "short message with bite in it"},
		// At least 24 letters on each side, cut between words.
		{long + " bite " + long, "bite", "five six seven eight nine ten bite one two three four five six seven"},
		{"école élève ÉTÉ café crème brûlée à côté bite", "bite", "élève ÉTÉ café crème brûlée à côté bite"},
		{"   bite   ", "bite", "   bite   "},
	} {
		lo := strings.Index(tc.text, tc.word)
		if got := langWindow(tc.text, lo, lo+len(tc.word)); got != tc.want {
			t.Errorf("langWindow(%q, %q) = %q, want %q", tc.text, tc.word, got, tc.want)
		}
	}
}

func TestNewErrors(t *testing.T) {
	bad := []struct {
		mutate func(*Config)
		want   string
	}{
		{func(c *Config) { c.Frames[0].Pattern = "(a | b" }, "unclosed"},
		{func(c *Config) { c.Frames[0].Pattern = "@nosuch x" }, "unknown term set @nosuch"},
		{func(c *Config) { c.Frames[0].Pattern = "@lex:threat x" }, "no lexicon entry has category threat"},
		{func(c *Config) { c.Lexicon[0].Severity = 9 }, "severity 9 out of range"},
		{func(c *Config) { c.Lexicon[0].Mode = "regex" }, "unknown match mode"},
		{func(c *Config) { c.Lexicon[0].Term = "!!!" }, "has no letters"},
		{func(c *Config) { c.Cues[0].Kind = "sarcasm" }, "unknown kind"},
		{func(c *Config) { c.Cues[0].ID = c.Frames[0].ID }, "duplicate rule id"},
		{func(c *Config) { c.Languages = []string{"fr", "klingon"} }, "unknown language"},
		{func(c *Config) { c.Actions[Insult] = "ban" }, "unknown action"},
		{func(c *Config) { c.Allow[1].Mode = Substring }, "mode must be word or prefix"},
	}
	for _, tt := range bad {
		cfg := testConfig()
		tt.mutate(&cfg)
		_, err := New(cfg)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("New: error %v, want one containing %q", err, tt.want)
		}
	}
}

func TestClassifyConcurrent(t *testing.T) {
	c := newTestClassifier(t)
	texts := []string{"t'es qu'un gros c0nnard", "l'analyse du texte", "va sur pornhub.com", "les arabes sont des parasites", "bonjour"}
	want := make([]Action, len(texts))
	for i, s := range texts {
		want[i] = c.Classify(context.Background(), Message{Text: s}).Action
	}
	var wg sync.WaitGroup
	errs := make(chan string, 100)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				k := (i + g) % len(texts)
				if got := c.Classify(context.Background(), Message{Text: texts[k]}).Action; got != want[k] {
					errs <- fmt.Sprintf("%q: %s, want %s", texts[k], got, want[k])
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func ExampleClassifier_Classify() {
	c, err := New(testConfig())
	if err != nil {
		panic(err)
	}
	v := c.Classify(context.Background(), Message{Text: "t'es qu'un gros c0nnard"})
	fmt.Println(v.Action, v.Findings[0].Rule, v.Findings[0].Category, v.Findings[0].Severity, v.Findings[0].Text)
	v = c.Classify(context.Background(), Message{Text: "il m'a traité de connard"})
	fmt.Println(v.Action, v.Suppressed[0].Reason, v.Suppressed[0].By)
	// Output:
	// remove fr.insult.second_person insult high t'es qu'un gros c0nnard
	// allow report fr.report
}
