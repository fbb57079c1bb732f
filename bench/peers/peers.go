// Package peers wraps the filters the benchmark compares behind one
// small interface: Vigie's whole classification pipeline with its
// default rules, github.com/TwiN/go-away, and a public word list
// compiled into one case-insensitive regular expression.
package peers

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	goaway "github.com/TwiN/go-away"

	"github.com/vigie-edu/vigie/bench"
	"github.com/vigie-edu/vigie/filters"
	"github.com/vigie-edu/vigie/rules"
)

// Filter says whether a message should be acted on. Implementations are
// safe for concurrent use.
type Filter interface {
	// Name is the filter's short name in tables and benchmark names.
	Name() string
	// Describe says what the filter is and how it is configured.
	Describe() string
	// Flags reports whether the filter would act on text (remove it or
	// alert a teacher), posted in a class whose language is lang.
	Flags(ctx context.Context, text, lang string) bool
}

// Vigie is Vigie's classifier compiled from the embedded default rules:
// normalisation, lexicons, context rules (frames and cues), language
// detection when a finding depends on it, links and personal
// information.
type Vigie struct{ c *filters.Classifier }

// NewVigie compiles the embedded default rules (rules.Defaults() →
// Classifier()).
func NewVigie() (*Vigie, error) {
	r, err := rules.Defaults()
	if err != nil {
		return nil, fmt.Errorf("vigie: loading the default rules: %w", err)
	}
	c, err := r.Classifier()
	if err != nil {
		return nil, fmt.Errorf("vigie: compiling the default rules: %w", err)
	}
	return &Vigie{c: c}, nil
}

// Name implements Filter.
func (*Vigie) Name() string { return "vigie" }

// Describe implements Filter.
func (*Vigie) Describe() string {
	return "Vigie, `rules.Defaults()` → `Classifier()`: whole pipeline (normalisation, lexicons, context rules, language detection when needed, links, personal info); flags = action remove or alert"
}

// Classify returns Vigie's verdict on text posted in a class whose
// language is lang (given as the default language, so detection runs as
// in production).
func (v *Vigie) Classify(ctx context.Context, text, lang string) filters.Verdict {
	return v.c.Classify(ctx, filters.Message{Text: text, DefaultLang: lang})
}

// Flags implements Filter: the verdict's action is remove or alert.
func (v *Vigie) Flags(ctx context.Context, text, lang string) bool {
	return v.Classify(ctx, text, lang).Action != filters.Allow
}

// GoAway is github.com/TwiN/go-away's default profanity detector
// (English dictionary, leetspeak, special characters, accents and
// spaces sanitised).
type GoAway struct{ d *goaway.ProfanityDetector }

// NewGoAway builds go-away's default detector.
func NewGoAway() *GoAway { return &GoAway{d: goaway.NewProfanityDetector()} }

// Name implements Filter.
func (*GoAway) Name() string { return "go-away" }

// Describe implements Filter.
func (*GoAway) Describe() string {
	return "github.com/TwiN/go-away v1.6.13, `NewProfanityDetector()` with its defaults; flags = `IsProfane`"
}

// Flags implements Filter: IsProfane (go-away has no notion of
// language).
func (g *GoAway) Flags(_ context.Context, text, _ string) bool { return g.d.IsProfane(text) }

// Regex is a word list compiled into one regular expression
// `(?i)\b(w1|w2|…)\b`, the approach of the Mattermost profanity filter
// plugin.
type Regex struct {
	re    *regexp.Regexp
	langs []string
	words int
}

// NewRegex compiles the LDNOOBW word lists of langs (en, fr) into one
// regular expression.
func NewRegex(langs ...string) (*Regex, error) {
	words, err := bench.WordLists(langs...)
	if err != nil {
		return nil, fmt.Errorf("regex: %w", err)
	}
	re, err := CompileWordList(words)
	if err != nil {
		return nil, fmt.Errorf("regex: %w", err)
	}
	return &Regex{re: re, langs: langs, words: len(words)}, nil
}

// CompileWordList compiles words into `(?i)\b(w1|w2|…)\b`, each word
// quoted.
func CompileWordList(words []string) (*regexp.Regexp, error) {
	if len(words) == 0 {
		return nil, fmt.Errorf("empty word list")
	}
	quoted := make([]string, len(words))
	for i, w := range words {
		quoted[i] = regexp.QuoteMeta(w)
	}
	re, err := regexp.Compile(`(?i)\b(` + strings.Join(quoted, "|") + `)\b`)
	if err != nil {
		return nil, fmt.Errorf("compiling the word list: %w", err)
	}
	return re, nil
}

// Name implements Filter.
func (*Regex) Name() string { return "regex" }

// Describe implements Filter.
func (r *Regex) Describe() string {
	return fmt.Sprintf("LDNOOBW word lists (%s, %d words, naughty-words 1.2.0, CC BY 4.0) in one `(?i)\\b(…)\\b` Go regexp; flags = a match",
		strings.Join(r.langs, "+"), r.words)
}

// Flags implements Filter: the expression matches somewhere in text.
func (r *Regex) Flags(_ context.Context, text, _ string) bool { return r.re.MatchString(text) }

// All builds the compared filters in table order: Vigie, go-away, regex
// (English and French word lists).
func All() ([]Filter, error) {
	v, err := NewVigie()
	if err != nil {
		return nil, err
	}
	re, err := NewRegex(bench.WordListLanguages...)
	if err != nil {
		return nil, err
	}
	return []Filter{v, NewGoAway(), re}, nil
}

// Stats returns the sizes of Vigie's compiled rules.
func (v *Vigie) Stats() filters.Stats { return v.c.Stats() }
