package filters_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/vigie-edu/vigie/filters"
	"github.com/vigie-edu/vigie/rules"
)

// The hate-speech functional suite (testdata/hatesuite) follows
// HateCheck (Röttger et al., 2021): each case tests one functionality,
// a kind of hateful message the rules must catch or a kind of
// non-hateful message they must leave alone, in French and English and
// across many target groups. TestHateSuite prints recall and
// specificity per functionality and language with -v and fails under
// the thresholds below.

// hateSuiteDir holds fr.jsonl and en.jsonl.
const hateSuiteDir = "../testdata/hatesuite"

// Thresholds of TestHateSuite.
const (
	minHarmfulRecall   = 0.90 // harmful functionalities, per language
	minSpecificity     = 0.90 // non-hateful functionalities, per language
	minFunctionality   = 0.75 // every functionality, per language
	minCasesPerFunc    = 20   // cases per functionality and language
	minTargetsPerLang  = 7    // target groups among the hateful cases
	hateRulesFragments = "defaults/5"
)

// The functionalities of the suite, by class.
var (
	// Hate against a protected group.
	hateFuncs = []string{
		"derog_neg_emote",  // "je déteste les X", "X disgust me"
		"derog_neg_attrib", // "les X sont tous des voleurs"
		"derog_dehum",      // "X are rats", "les X sont un cancer"
		"derog_impl",       // "intelligent pour un X", "I'd never hire a X"
		"threat_dir",       // "je vais tuer tous les X"
		"threat_norm",      // "X should be deported"
		"slur",             // "sale bougnoule", "you faggot"
		"phrase_question",  // "pourquoi les X sont si bêtes ?"
		"phrase_opinion",   // "I think X are a plague"
		"ref_pronoun",      // "je les supporte pas, ces X"
		"spell_char",       // letters left out or swapped
		"spell_leet",       // "n01rs", "mu$lims"
		"spell_space",      // "a r a b e s", "salearabe"
	}
	// Other harm aimed at a person.
	harmFuncs = []string{
		"insult_personal", "threat_personal", "sexual_solicit", "sextortion", "self_harm", "doxxing",
	}
	// Messages that must not be flagged as hate, insult or threat.
	benignFuncs = []string{
		"ident_neutral", "ident_pos", "negate_neg", "counter_quote", "counter_ref", "report",
		"profanity_nonhate", "idiom", "school_subject", "slur_reclaimed", "slur_homonym",
	}
)

// hateCase is one case of the suite.
type hateCase struct {
	ID            string           `json:"id"`
	Text          string           `json:"text"`
	Lang          string           `json:"lang"`
	Functionality string           `json:"functionality"`
	Target        string           `json:"target"`
	Expect        filters.Action   `json:"expect"`
	Category      filters.Category `json:"category,omitempty"`
	line          int
}

// hateClass returns "hate", "harm" or "benign" for a functionality, or
// "" for an unknown one.
func hateClass(fn string) string {
	switch {
	case slices.Contains(hateFuncs, fn):
		return "hate"
	case slices.Contains(harmFuncs, fn):
		return "harm"
	case slices.Contains(benignFuncs, fn):
		return "benign"
	}
	return ""
}

// readHateSuite decodes one JSONL file of the suite, strictly.
func readHateSuite(r io.Reader, lang string) ([]hateCase, error) {
	var out []hateCase
	var errs []error
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.DisallowUnknownFields()
		var c hateCase
		if err := dec.Decode(&c); err != nil {
			errs = append(errs, fmt.Errorf("line %d: %w", n, err))
			continue
		}
		c.line = n
		if err := checkHateCase(c, lang); err != nil {
			errs = append(errs, fmt.Errorf("line %d (%s): %w", n, c.ID, err))
			continue
		}
		out = append(out, c)
	}
	if err := sc.Err(); err != nil {
		errs = append(errs, err)
	}
	return out, errors.Join(errs...)
}

func checkHateCase(c hateCase, lang string) error {
	known := map[filters.Category]bool{}
	for _, k := range filters.KnownCategories {
		known[k] = true
	}
	switch {
	case c.ID == "" || !strings.HasPrefix(c.ID, lang+"-"):
		return fmt.Errorf("id %q must start with %q", c.ID, lang+"-")
	case strings.TrimSpace(c.Text) == "":
		return errors.New("empty text")
	case c.Lang != lang:
		return fmt.Errorf("lang %q in the %s file", c.Lang, lang)
	case hateClass(c.Functionality) == "":
		return fmt.Errorf("unknown functionality %q", c.Functionality)
	case c.Target == "":
		return errors.New("no target")
	case c.Expect != filters.Allow && c.Expect != filters.Alert && c.Expect != filters.Remove:
		return fmt.Errorf("expect %q", c.Expect)
	case c.Category != "" && !known[c.Category]:
		return fmt.Errorf("unknown category %q", c.Category)
	case c.Expect != filters.Allow && c.Category == "":
		return errors.New("a harmful case needs its category")
	case hateClass(c.Functionality) == "hate" && (c.Category != filters.Hate || c.Expect != filters.Remove):
		return errors.New("a hateful case expects remove, category hate")
	case hateClass(c.Functionality) == "benign" && c.Expect == filters.Remove:
		return errors.New("a non-hateful case cannot expect remove")
	}
	return nil
}

// loadHateSuite reads both languages and checks the suite's shape: ids
// unique, enough cases per functionality, enough target groups.
func loadHateSuite(t testing.TB) map[string][]hateCase {
	t.Helper()
	suite := map[string][]hateCase{}
	ids := map[string]bool{}
	for _, lang := range []string{"fr", "en"} {
		f, err := os.Open(filepath.Join(hateSuiteDir, lang+".jsonl"))
		if err != nil {
			t.Fatal(err)
		}
		cases, err := readHateSuite(f, lang)
		f.Close()
		if err != nil {
			t.Fatalf("%s.jsonl:\n%v", lang, err)
		}
		per := map[string]int{}
		targets := map[string]bool{}
		for _, c := range cases {
			if ids[c.ID] {
				t.Errorf("%s.jsonl:%d: duplicate id %s", lang, c.line, c.ID)
			}
			ids[c.ID] = true
			per[c.Functionality]++
			if hateClass(c.Functionality) == "hate" {
				targets[c.Target] = true
			}
		}
		for _, fn := range slices.Concat(hateFuncs, harmFuncs, benignFuncs) {
			if per[fn] < minCasesPerFunc {
				t.Errorf("%s: functionality %s has %d cases, want at least %d", lang, fn, per[fn], minCasesPerFunc)
			}
		}
		if len(targets) < minTargetsPerLang {
			t.Errorf("%s: hateful cases target %d groups, want at least %d", lang, len(targets), minTargetsPerLang)
		}
		suite[lang] = cases
	}
	return suite
}

// hateRulesClassifier compiles the default rules.
func hateRulesClassifier(t testing.TB) (*rules.Rules, *filters.Classifier) {
	t.Helper()
	r, err := rules.Defaults()
	if err != nil {
		t.Fatal(err)
	}
	c, err := r.Classifier()
	if err != nil {
		t.Fatal(err)
	}
	return r, c
}

// hatePasses reports whether a verdict is the one a case expects: the
// same action and, when the case names one, its category.
func hatePasses(c hateCase, v *filters.Verdict) bool {
	return v.Action == c.Expect && (c.Category == "" || v.Has(c.Category))
}

// hateTally counts cases and passes.
type hateTally struct{ n, pass int }

func (k hateTally) rate() float64 {
	if k.n == 0 {
		return 1
	}
	return float64(k.pass) / float64(k.n)
}

func (k *hateTally) add(ok bool) {
	k.n++
	if ok {
		k.pass++
	}
}

// hateExplain describes a verdict for a failure line.
func hateExplain(v *filters.Verdict) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s", v.Action)
	for _, f := range v.Findings {
		fmt.Fprintf(&b, " +%s(%s)", f.Rule, f.Category)
	}
	for _, s := range v.Suppressed {
		fmt.Fprintf(&b, " -%s(%s by %s)", s.Rule, s.Reason, s.By)
	}
	return b.String()
}

func TestHateSuite(t *testing.T) {
	suite := loadHateSuite(t)
	_, c := hateRulesClassifier(t)
	ctx := context.Background()
	for _, lang := range []string{"fr", "en"} {
		perFunc := map[string]*hateTally{}
		var hate, harm, benign hateTally
		var failures []string
		for _, hc := range suite[lang] {
			v := c.Classify(ctx, filters.Message{Text: hc.Text, DefaultLang: hc.Lang})
			ok := hatePasses(hc, &v)
			if perFunc[hc.Functionality] == nil {
				perFunc[hc.Functionality] = &hateTally{}
			}
			perFunc[hc.Functionality].add(ok)
			switch hateClass(hc.Functionality) {
			case "hate":
				hate.add(ok)
				harm.add(ok)
			case "harm":
				harm.add(ok)
			default:
				benign.add(ok)
			}
			if !ok {
				want := string(hc.Expect)
				if hc.Category != "" {
					want += "/" + string(hc.Category)
				}
				failures = append(failures, fmt.Sprintf("%s %q: want %s, got %s", hc.ID, hc.Text, want, hateExplain(&v)))
			}
		}

		var b strings.Builder
		w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintf(w, "%s\tclass\tcases\tpass\trate\t\n", lang)
		for _, group := range [][]string{hateFuncs, harmFuncs, benignFuncs} {
			for _, fn := range group {
				k := perFunc[fn]
				if k == nil {
					k = &hateTally{}
				}
				fmt.Fprintf(w, "%s\t%s\t%d\t%d\t%.2f\t\n", fn, hateClass(fn), k.n, k.pass, k.rate())
			}
		}
		w.Flush()
		t.Logf("hate suite, %s:\n%s", lang, b.String())
		t.Logf("%s: hate recall %.3f (%d/%d), harmful recall %.3f (%d/%d), non-hateful specificity %.3f (%d/%d)",
			lang, hate.rate(), hate.pass, hate.n, harm.rate(), harm.pass, harm.n, benign.rate(), benign.pass, benign.n)
		sort.Strings(failures)
		for _, f := range failures {
			t.Logf("miss %s", f)
		}

		if harm.rate() < minHarmfulRecall {
			t.Errorf("%s: harmful recall %.3f < %.2f", lang, harm.rate(), minHarmfulRecall)
		}
		if benign.rate() < minSpecificity {
			t.Errorf("%s: non-hateful specificity %.3f < %.2f", lang, benign.rate(), minSpecificity)
		}
		for fn, k := range perFunc {
			if k.rate() < minFunctionality {
				t.Errorf("%s: functionality %s at %.2f (%d/%d) < %.2f", lang, fn, k.rate(), k.pass, k.n, minFunctionality)
			}
		}
	}
}

// TestHateSuiteReader checks that the reader rejects malformed suites.
func TestHateSuiteReader(t *testing.T) {
	good := `{"id":"fr-x-01","text":"les X","lang":"fr","functionality":"slur","target":"arabs","expect":"remove","category":"hate"}`
	tests := []struct {
		name, in, want string
	}{
		{"good", good, ""},
		{"unknown field", `{"id":"fr-x-01","text":"t","lang":"fr","functionality":"slur","target":"a","expect":"remove","category":"hate","extra":1}`, "unknown field"},
		{"wrong language", strings.Replace(good, `"lang":"fr"`, `"lang":"en"`, 1), "lang"},
		{"id prefix", strings.Replace(good, `fr-x-01`, `x-01`, 1), "must start with"},
		{"functionality", strings.Replace(good, `"slur"`, `"slurs"`, 1), "unknown functionality"},
		{"expect", strings.Replace(good, `"remove"`, `"ban"`, 1), "expect"},
		{"hate needs remove", strings.Replace(good, `"remove"`, `"alert"`, 1), "expects remove"},
		{"harmful needs a category", `{"id":"fr-x-01","text":"t","lang":"fr","functionality":"self_harm","target":"none","expect":"alert"}`, "needs its category"},
		{"benign cannot remove", `{"id":"fr-x-01","text":"t","lang":"fr","functionality":"idiom","target":"none","expect":"remove","category":"threat"}`, "cannot expect remove"},
		{"not json", `{"id":`, "line 1"},
	}
	for _, tt := range tests {
		cases, err := readHateSuite(strings.NewReader(tt.in+"\n"), "fr")
		switch {
		case tt.want == "" && (err != nil || len(cases) != 1):
			t.Errorf("%s: %d cases, %v", tt.name, len(cases), err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: error %v, want one containing %q", tt.name, err, tt.want)
		}
	}
}

// TestHateRulesTests runs the `tests:` of the hate-speech fragments
// (rules/defaults/5*.yaml), as `vigie rules test` does.
func TestHateRulesTests(t *testing.T) {
	r, c := hateRulesClassifier(t)
	var mine []rules.Test
	for _, tc := range r.Tests {
		if strings.HasPrefix(tc.File, hateRulesFragments) {
			mine = append(mine, tc)
		}
	}
	if len(mine) == 0 {
		t.Fatal("the hate-speech fragments have no tests")
	}
	for _, res := range rules.RunTests(context.Background(), c, mine) {
		if !res.Pass {
			t.Errorf("%s:%d %q: %s", res.Test.File, res.Test.Line, res.Test.Text, res.Why)
		}
	}
}

// withoutHateRules returns the configuration minus what the hate-speech
// fragments add: their lexicon entries, allowlist terms, term sets,
// frames and cues. (A term a fragment adds to a set defined earlier
// stays, and an entry that replaces an earlier one goes with it.)
func withoutHateRules(cfg filters.Config) filters.Config {
	mine := func(source string) bool { return strings.HasPrefix(source, hateRulesFragments) }
	cfg.Lexicon = slices.DeleteFunc(slices.Clone(cfg.Lexicon), func(e filters.Entry) bool { return mine(e.Source) })
	cfg.Allow = slices.DeleteFunc(slices.Clone(cfg.Allow), func(e filters.AllowEntry) bool { return mine(e.Source) })
	cfg.Terms = slices.DeleteFunc(slices.Clone(cfg.Terms), func(e filters.TermSet) bool { return mine(e.Source) })
	cfg.Frames = slices.DeleteFunc(slices.Clone(cfg.Frames), func(e filters.Frame) bool { return mine(e.Source) })
	cfg.Cues = slices.DeleteFunc(slices.Clone(cfg.Cues), func(e filters.Cue) bool { return mine(e.Source) })
	return cfg
}

func TestWithoutHateRules(t *testing.T) {
	r, _ := hateRulesClassifier(t)
	cfg := withoutHateRules(r.Filters)
	if len(cfg.Frames) >= len(r.Filters.Frames) || len(cfg.Cues) >= len(r.Filters.Cues) || len(cfg.Terms) >= len(r.Filters.Terms) {
		t.Fatalf("the hate-speech fragments add nothing: %d/%d frames, %d/%d cues, %d/%d term sets",
			len(cfg.Frames), len(r.Filters.Frames), len(cfg.Cues), len(r.Filters.Cues), len(cfg.Terms), len(r.Filters.Terms))
	}
	if _, err := filters.New(cfg); err != nil {
		t.Fatalf("the rules without the hate-speech fragments do not compile: %v", err)
	}
}

// hateBenchMessages is a classroom mix of n messages: ordinary ones and,
// one in every, a message of the suite (hateful or tricky); every 1 means
// suite messages only.
func hateBenchMessages(t testing.TB, n, every int) []string {
	t.Helper()
	ordinary := []string{
		"salut tout le monde, quelqu'un a fait l'exercice 3 page 42 pour demain ?",
		"Le prof a dit que le contrôle de maths est reporté à jeudi, révisez bien le chapitre sur les fractions",
		"jsp mdr, t'as compris la question 2 ? moi j'ai rien capté 😅",
		"on se retrouve au CDI à 13h pour l'exposé ? j'amène l'ordi",
		"l'analyse du texte de Zola c'est pour lundi, n'oubliez pas la bibliographie",
		"les filles de la 4e B ont gagné le tournoi de hand, trop fort !",
		"ma mère dit que les élèves de ma classe sont tous invités samedi",
		"Bonjour madame, est-ce que le devoir doit être rendu sur l'ENT ou sur papier ? Merci d'avance",
		"en histoire on commence la Première Guerre mondiale, pensez à vos cahiers",
		"ok merci !!",
		"hey did anyone finish the history essay? I'm stuck on the part about the industrial revolution",
		"can someone explain photosynthesis again, I was absent on Tuesday because I was sick",
		"the girls in my group want to present first, is that ok with everyone?",
		"the Essex trip is on Friday, bring a packed lunch and a raincoat",
		"my parents said the new students from Poland are really nice",
		"lol same, this homework is so long",
		"Here is the link to the worksheet https://docs.google.com/document/d/1abcDEF/edit",
		"who's coming to football practice after school? we need two more players",
	}
	suite := loadHateSuite(t)
	var tricky []string
	for _, lang := range []string{"fr", "en"} {
		for _, c := range suite[lang] {
			tricky = append(tricky, c.Text)
		}
	}
	out := make([]string, n)
	for i := range out {
		if i%every == every-1 {
			out[i] = tricky[(i*7919)%len(tricky)]
		} else {
			out[i] = ordinary[(i*31)%len(ordinary)]
		}
	}
	return out
}

// benchmarkHate measures c on two mixes: "classroom", ordinary messages
// with one in 20 from the suite (the rate of filters/bench_test.go), and
// "suite", the suite's messages only, hateful or tricky: the worst case.
func benchmarkHate(b *testing.B, c *filters.Classifier) {
	for _, mix := range []struct {
		name  string
		every int
	}{{"classroom", 20}, {"suite", 1}} {
		b.Run(mix.name, func(b *testing.B) {
			msgs := hateBenchMessages(b, 2000, mix.every)
			ctx := context.Background()
			for _, m := range msgs {
				c.Classify(ctx, filters.Message{Text: m, DefaultLang: "fr"})
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				c.Classify(ctx, filters.Message{Text: msgs[i%len(msgs)], DefaultLang: "fr"})
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
		})
	}
}

// BenchmarkClassifyWithHateRules measures the default rules.
func BenchmarkClassifyWithHateRules(b *testing.B) {
	_, c := hateRulesClassifier(b)
	benchmarkHate(b, c)
}

// BenchmarkClassifyWithoutHateRules measures the same rules minus the
// hate-speech fragments (50–59), for comparison.
func BenchmarkClassifyWithoutHateRules(b *testing.B) {
	r, _ := hateRulesClassifier(b)
	c, err := filters.New(withoutHateRules(r.Filters))
	if err != nil {
		b.Fatal(err)
	}
	benchmarkHate(b, c)
}

// BenchmarkHateRulesOverhead measures what the hate-speech rules cost, on
// the two mixes of benchmarkHate: it classifies the same blocks of 64
// messages with and without them, alternately, so that both see the
// same machine (on a shared VM, two benchmarks run one after the other
// can differ by a third for reasons of their own), and reports ns per
// message of each, their ratio (time with ÷ time without) and the
// throughput with the rules as a share of the throughput without them
// (time without ÷ time with): issue 3 asks that it stay within 20 %,
// 0.80 or more.
func BenchmarkHateRulesOverhead(b *testing.B) {
	r, with := hateRulesClassifier(b)
	without, err := filters.New(withoutHateRules(r.Filters))
	if err != nil {
		b.Fatal(err)
	}
	for _, mix := range []struct {
		name  string
		every int
	}{{"classroom", 20}, {"suite", 1}, {"ordinary", 1 << 30}} {
		b.Run(mix.name, func(b *testing.B) {
			msgs := hateBenchMessages(b, 2048, mix.every)
			ctx := context.Background()
			run := func(c *filters.Classifier, block []string) time.Duration {
				start := time.Now()
				for _, m := range block {
					c.Classify(ctx, filters.Message{Text: m, DefaultLang: "fr"})
				}
				return time.Since(start)
			}
			run(with, msgs)
			run(without, msgs)
			const block = 64
			var tWith, tWithout time.Duration
			n := 0
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				k := (i * block) % len(msgs)
				part := msgs[k : k+block]
				if i%2 == 0 { // alternate which goes first
					tWith += run(with, part)
					tWithout += run(without, part)
				} else {
					tWithout += run(without, part)
					tWith += run(with, part)
				}
				n += block
			}
			b.ReportMetric(float64(tWith.Nanoseconds())/float64(n), "ns/msg-with")
			b.ReportMetric(float64(tWithout.Nanoseconds())/float64(n), "ns/msg-without")
			b.ReportMetric(float64(tWith)/float64(tWithout), "ratio")
			b.ReportMetric(float64(tWithout)/float64(tWith), "throughput-share")
		})
	}
}
