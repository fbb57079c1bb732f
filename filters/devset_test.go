package filters_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/vigie-edu/vigie/filters"
	"github.com/vigie-edu/vigie/rules"
)

// devsetDir holds the labelled development set: one JSONL file per
// language (fr.jsonl, en.jsonl) and KNOWN_MISSES.
const devsetDir = "../testdata/devset"

// devCase is one labelled message of the development set.
type devCase struct {
	ID   string `json:"id"`   // "fr-0001": stable, never reused
	Text string `json:"text"` // the message as a pupil would write it
	// Lang is the class's language: it is given to the classifier as
	// the default language, not as a hint, so that detection runs as in
	// production ("Hoy voy a la playa con mis amigos" in a French class).
	Lang     string           `json:"lang"`
	Expect   filters.Action   `json:"expect"`   // the verdict's action with the default rules
	Category filters.Category `json:"category"` // the category that must be among the verdict's; empty for allow
	Kind     string           `json:"kind"`     // short label: leet, spaced, benign-scunthorpe, report, regression…
	file     string
	line     int
}

func (c devCase) String() string { return fmt.Sprintf("%s (%s:%d)", c.ID, c.file, c.line) }

var devIDPattern = regexp.MustCompile(`^([a-z]{2})-[0-9]{4}$`)

// loadDevset reads and checks every *.jsonl file of the dev set: strict
// fields, unique well-formed ids whose prefix is the file's language, a
// valid action, a known category given exactly when the action is not
// allow.
func loadDevset(t testing.TB) []devCase {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(devsetDir, "*.jsonl"))
	if err != nil {
		t.Fatalf("listing the dev set: %v", err)
	}
	if len(files) == 0 {
		t.Fatalf("no dev set files in %s", devsetDir)
	}
	sort.Strings(files)
	known := map[filters.Category]bool{}
	for _, c := range filters.KnownCategories {
		known[c] = true
	}
	var cases []devCase
	seen := map[string]string{}
	for _, path := range files {
		lang := strings.TrimSuffix(filepath.Base(path), ".jsonl")
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("reading the dev set: %v", err)
		}
		sc := bufio.NewScanner(bytes.NewReader(data))
		for n := 1; sc.Scan(); n++ {
			line := bytes.TrimSpace(sc.Bytes())
			if len(line) == 0 {
				continue
			}
			where := fmt.Sprintf("%s:%d", filepath.Base(path), n)
			dec := json.NewDecoder(bytes.NewReader(line))
			dec.DisallowUnknownFields()
			var c devCase
			if err := dec.Decode(&c); err != nil {
				t.Errorf("%s: %v", where, err)
				continue
			}
			c.file, c.line = filepath.Base(path), n
			if err := checkCase(c, lang, known); err != nil {
				t.Errorf("%s: %v", where, err)
				continue
			}
			if prev, dup := seen[c.ID]; dup {
				t.Errorf("%s: id %s already used at %s", where, c.ID, prev)
				continue
			}
			seen[c.ID] = where
			cases = append(cases, c)
		}
		if err := sc.Err(); err != nil {
			t.Fatalf("reading %s: %v", path, err)
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	return cases
}

func checkCase(c devCase, lang string, known map[filters.Category]bool) error {
	m := devIDPattern.FindStringSubmatch(c.ID)
	switch {
	case m == nil:
		return fmt.Errorf("id %q: want LANG-NNNN", c.ID)
	case m[1] != lang || c.Lang != lang:
		return fmt.Errorf("%s: id and lang %q must be the file's language %q", c.ID, c.Lang, lang)
	case strings.TrimSpace(c.Text) == "":
		return fmt.Errorf("%s: empty text", c.ID)
	case c.Kind == "":
		return fmt.Errorf("%s: empty kind", c.ID)
	}
	if _, err := filters.ParseAction(string(c.Expect)); err != nil {
		return fmt.Errorf("%s: %w", c.ID, err)
	}
	switch {
	case c.Expect == filters.Allow && c.Category != "":
		return fmt.Errorf("%s: expect allow with category %q", c.ID, c.Category)
	case c.Expect != filters.Allow && c.Category == "":
		return fmt.Errorf("%s: expect %s needs a category", c.ID, c.Expect)
	case c.Category != "" && !known[c.Category]:
		return fmt.Errorf("%s: unknown category %q", c.ID, c.Category)
	}
	return nil
}

// loadKnownMisses reads KNOWN_MISSES: one "ID reason…" per line, '#'
// starts a comment. Every listed case must exist and must have a reason.
func loadKnownMisses(t testing.TB, cases []devCase) map[string]string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(devsetDir, "KNOWN_MISSES"))
	if errors.Is(err, os.ErrNotExist) {
		return map[string]string{}
	}
	if err != nil {
		t.Fatalf("reading KNOWN_MISSES: %v", err)
	}
	ids := map[string]bool{}
	for _, c := range cases {
		ids[c.ID] = true
	}
	misses := map[string]string{}
	for n, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		id, reason, _ := strings.Cut(line, " ")
		reason = strings.TrimSpace(reason)
		switch {
		case !ids[id]:
			t.Errorf("KNOWN_MISSES:%d: no dev set case %q", n+1, id)
		case reason == "":
			t.Errorf("KNOWN_MISSES:%d: %s has no reason", n+1, id)
		default:
			misses[id] = reason
		}
	}
	return misses
}

// defaultClassifier compiles the embedded default rules once per test
// binary: the dev set judges the defaults, exactly as Vigie ships them.
var defaultClassifier = sync.OnceValues(func() (*filters.Classifier, error) {
	r, err := rules.Defaults()
	if err != nil {
		return nil, fmt.Errorf("loading the default rules: %w", err)
	}
	return r.Classifier()
})

func devClassifier(t testing.TB) *filters.Classifier {
	t.Helper()
	c, err := defaultClassifier()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// judged is a dev set case with the classifier's verdict.
type judged struct {
	devCase
	v filters.Verdict
}

// flags reports whether the verdict acts on category cat.
func (j judged) flags(cat filters.Category) bool {
	return j.v.Action != filters.Allow && j.v.Has(cat)
}

// pass reports whether the verdict is the expected one: the same action
// and, for a harmful case, the expected category among the verdict's.
func (j judged) pass() bool {
	return j.v.Action == j.Expect && (j.Category == "" || j.v.Has(j.Category))
}

// explain describes a verdict for a failure message: action,
// categories, the rules that fired and those that were suppressed.
func (j judged) explain() string {
	var b strings.Builder
	fmt.Fprintf(&b, "got %s", j.v.Action)
	if len(j.v.Categories) > 0 {
		var cats []string
		for _, c := range j.v.Categories {
			cats = append(cats, fmt.Sprintf("%s/%s", c.Name, c.Severity))
		}
		fmt.Fprintf(&b, " %v", cats)
	}
	fmt.Fprintf(&b, " (lang %s %.2f %s)", j.v.Lang, j.v.LangConfidence, j.v.LangSource)
	for _, f := range j.v.Findings {
		fmt.Fprintf(&b, "\n\t\tfinding %s %s %q", f.Rule, f.Category, f.Text)
	}
	for _, s := range j.v.Suppressed {
		fmt.Fprintf(&b, "\n\t\tsuppressed %s %q: %s by %s", s.Rule, s.Text, s.Reason, s.By)
	}
	return b.String()
}

func judgeAll(t testing.TB, c *filters.Classifier, cases []devCase) []judged {
	t.Helper()
	ctx := context.Background()
	out := make([]judged, len(cases))
	for i, dc := range cases {
		out[i] = judged{devCase: dc, v: c.Classify(ctx, filters.Message{Text: dc.Text, DefaultLang: dc.Lang})}
	}
	return out
}

// TestDevset runs every case of the development set through the default
// rules. A case listed in KNOWN_MISSES may fail (its reason is shown); a
// listed case that passes fails the test, so that the list only holds
// real misses.
func TestDevset(t *testing.T) {
	cases := loadDevset(t)
	misses := loadKnownMisses(t, cases)
	c := devClassifier(t)
	for _, j := range judgeAll(t, c, cases) {
		t.Run(j.ID, func(t *testing.T) {
			reason, known := misses[j.ID]
			switch ok := j.pass(); {
			case ok && known:
				t.Errorf("%s passes now: take it out of KNOWN_MISSES (%s)", j.devCase, reason)
			case !ok && known:
				t.Logf("known miss %s: %s", j.devCase, reason)
			case !ok:
				want := string(j.Expect)
				if j.Category != "" {
					want += " " + string(j.Category)
				}
				t.Errorf("%s [%s] %q: want %s, %s", j.devCase, j.Kind, j.Text, want, j.explain())
			}
		})
	}
}

// TestDevsetShape keeps the dev set worth passing: enough cases per
// language, a realistic share of harmful ones, every main category and
// the hard benign kinds represented.
func TestDevsetShape(t *testing.T) {
	cases := loadDevset(t)
	byLang := map[string][]devCase{}
	for _, c := range cases {
		byLang[c.Lang] = append(byLang[c.Lang], c)
	}
	for _, lang := range []string{"fr", "en"} {
		t.Run(lang, func(t *testing.T) {
			cs := byLang[lang]
			if len(cs) < 250 {
				t.Errorf("%d cases, want at least 250", len(cs))
			}
			harmful := 0
			cats := map[filters.Category]int{}
			kinds := map[string]int{}
			for _, c := range cs {
				if c.Expect != filters.Allow {
					harmful++
				}
				cats[c.Category]++
				kinds[c.Kind]++
			}
			if share := float64(harmful) / float64(len(cs)); share < 0.3 || share > 0.6 {
				t.Errorf("harmful share %.2f, want 0.3–0.6", share)
			}
			for _, cat := range []filters.Category{filters.Insult, filters.Hate, filters.Sexual, filters.Threat, filters.SelfHarm, filters.Profanity, filters.PornLink} {
				if cats[cat] < 2 {
					t.Errorf("category %s has %d cases, want at least 2", cat, cats[cat])
				}
			}
			for _, kind := range []string{"benign-scunthorpe", "benign-idiom", "benign-school", "report", "counter", "leet", "spaced"} {
				if kinds[kind] == 0 {
					t.Errorf("no case of kind %q", kind)
				}
			}
		})
	}
}

// TestBenignWords classifies, alone, each word of benign-words.txt:
// words that contain or start with a lexicon term (cocktail, Scunthorpe,
// pique-nique, baisser) and must be allowed.
func TestBenignWords(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(devsetDir, "benign-words.txt"))
	if err != nil {
		t.Fatalf("reading benign-words.txt: %v", err)
	}
	c := devClassifier(t)
	n := 0
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		lang, word, ok := strings.Cut(line, " ")
		if !ok || len(lang) != 2 || strings.TrimSpace(word) == "" {
			t.Errorf("benign-words.txt:%d: want \"LANG WORD\", got %q", i+1, line)
			continue
		}
		n++
		j := judged{devCase: devCase{ID: word, Text: word, Lang: lang}, v: c.Classify(context.Background(), filters.Message{Text: word, DefaultLang: lang})}
		if j.v.Action != filters.Allow {
			t.Errorf("benign-words.txt:%d: %s %q: want allow, %s", i+1, lang, word, j.explain())
		}
	}
	if n < 100 {
		t.Errorf("benign-words.txt has %d words, want at least 100", n)
	}
}

// Example_defaultRules shows what the embedded default rules make of a
// few messages of the dev set: insults aimed at someone, a report of
// one, the Scunthorpe problem, self-harm (alerted, never removed) and an
// idiom.
func Example_defaultRules() {
	r, err := rules.Defaults()
	if err != nil {
		fmt.Println(err)
		return
	}
	c, err := r.Classifier()
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, m := range []filters.Message{
		{Text: "t'es qu'un gros c0nnard", DefaultLang: "fr"},
		{Text: "t'es débile ou quoi", DefaultLang: "fr"},
		{Text: "il m'a traité de connard, je l'ai dit au prof", DefaultLang: "fr"},
		{Text: "l'analyse du texte est pour lundi", DefaultLang: "fr"},
		{Text: "je veux mourir", DefaultLang: "fr"},
		{Text: "you're such a loser", DefaultLang: "en"},
		{Text: "I'm from Scunthorpe", DefaultLang: "en"},
		{Text: "this homework is killing me", DefaultLang: "en"},
	} {
		v := c.Classify(context.Background(), m)
		var cats []string
		for _, cs := range v.Categories {
			cats = append(cats, fmt.Sprintf("%s/%s", cs.Name, cs.Severity))
		}
		fmt.Println(strings.TrimRight(fmt.Sprintf("%-46s %-6s %s", m.Text, v.Action, strings.Join(cats, " ")), " "))
	}
	// Output:
	// t'es qu'un gros c0nnard                        remove insult/high
	// t'es débile ou quoi                            remove insult/high
	// il m'a traité de connard, je l'ai dit au prof  allow
	// l'analyse du texte est pour lundi              allow
	// je veux mourir                                 alert  self_harm/high
	// you're such a loser                            remove insult/high
	// I'm from Scunthorpe                            allow
	// this homework is killing me                    allow
}
