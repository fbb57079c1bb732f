package filters_test

import (
	"context"
	"math"
	"reflect"
	"testing"

	"github.com/vigie-edu/vigie/filters"
)

// quickPair returns the default rules' classifier and one without its
// quick filter.
func quickPair(t testing.TB) (quick, full *filters.Classifier) {
	t.Helper()
	r, quick := hateRulesClassifier(t)
	full, err := r.Classifier()
	if err != nil {
		t.Fatal(err)
	}
	filters.WithoutQuick(full)
	return quick, full
}

// quickCorpus is every message the tests know: the dev set, the hate
// suite and the benchmark's ordinary messages.
func quickCorpus(t testing.TB) []string {
	t.Helper()
	var out []string
	for _, c := range loadDevset(t) {
		out = append(out, c.Text)
	}
	for _, cases := range loadHateSuite(t) {
		for _, c := range cases {
			out = append(out, c.Text)
		}
	}
	return append(out, hateBenchMessages(t, 64, 1<<30)...)
}

// sameVerdict reports whether two verdicts are equal, up to the last
// digits of the language confidence (lingua sums its probabilities in
// map order: two runs on the same text may differ there).
func sameVerdict(a, b filters.Verdict) bool {
	if math.Abs(a.LangConfidence-b.LangConfidence) < 1e-9 {
		b.LangConfidence = a.LangConfidence
	}
	return reflect.DeepEqual(a, b)
}

// TestQuickFilterSameVerdicts checks, with the default rules, that the
// quick filter changes no verdict on any message of the tests' corpora.
func TestQuickFilterSameVerdicts(t *testing.T) {
	quick, full := quickPair(t)
	ctx := context.Background()
	for _, m := range quickCorpus(t) {
		for _, lang := range []string{"fr", "en"} {
			msg := filters.Message{Text: m, DefaultLang: lang}
			if a, b := quick.Classify(ctx, msg), full.Classify(ctx, msg); !sameVerdict(a, b) {
				t.Errorf("%q (%s): with the quick filter %+v\nwithout %+v", m, lang, a, b)
			}
		}
	}
}

// FuzzQuickFilter checks that the quick filter changes no verdict on any
// text (go test -fuzz FuzzQuickFilter ./filters).
func FuzzQuickFilter(f *testing.F) {
	quick, full := quickPair(f)
	for _, m := range quickCorpus(f) {
		f.Add(m)
	}
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, text string) {
		msg := filters.Message{Text: text, DefaultLang: "fr"}
		if a, b := quick.Classify(ctx, msg), full.Classify(ctx, msg); !sameVerdict(a, b) {
			t.Errorf("%q: with the quick filter %+v\nwithout %+v", text, a, b)
		}
	})
}
