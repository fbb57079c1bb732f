package filters_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"text/tabwriter"

	"github.com/vigie-edu/vigie/filters"
)

// Quality thresholds that the default rules must meet on the dev set.
const (
	minAccuracy      = 0.95 // share of cases whose verdict is the expected one, per language
	minHarmPrecision = 0.95 // "harmful or not" (action ≠ allow), per language
	minHarmRecall    = 0.95
	minCatPrecision  = 0.90 // per language and category, for categories with at least minCatSupport cases
	minCatRecall     = 0.90
	minCatSupport    = 10
)

// counts are the confusion counts of one category (or of "harmful").
type counts struct{ tp, fp, fn int }

func (c counts) precision() float64 { return ratio(c.tp, c.tp+c.fp) }
func (c counts) recall() float64    { return ratio(c.tp, c.tp+c.fn) }

// ratio is a/b, or NaN when b is 0 (nothing to measure).
func ratio(a, b int) float64 {
	if b == 0 {
		return math.NaN()
	}
	return float64(a) / float64(b)
}

func pct(x float64) string {
	if math.IsNaN(x) {
		return "-"
	}
	return fmt.Sprintf("%.3f", x)
}

// quality is the measure of one language.
type quality struct {
	lang    string
	cases   int
	correct int
	harm    counts
	cat     map[filters.Category]*counts
	support map[filters.Category]int
}

// measure computes, per language, the accuracy, the "harmful or not"
// counts and the per-category counts:
//   - TP: the case is labelled c and the verdict acts on c;
//   - FN: the case is labelled c and the verdict does not act on c;
//   - FP: the verdict acts on c, the case is not labelled c, and the
//     verdict missed the case's own category (a benign case, or a harmful
//     one put in the wrong category). A verdict that finds the labelled
//     category and another one too ("fuck you": insult and profanity) is
//     not a false positive: cases carry a single label.
func measure(js []judged) []*quality {
	byLang := map[string]*quality{}
	var order []*quality
	for _, j := range js {
		q := byLang[j.Lang]
		if q == nil {
			q = &quality{lang: j.Lang, cat: map[filters.Category]*counts{}, support: map[filters.Category]int{}}
			byLang[j.Lang] = q
			order = append(order, q)
		}
		q.cases++
		if j.pass() {
			q.correct++
		}
		wantHarm, gotHarm := j.Expect != filters.Allow, j.v.Action != filters.Allow
		switch {
		case wantHarm && gotHarm:
			q.harm.tp++
		case wantHarm:
			q.harm.fn++
		case gotHarm:
			q.harm.fp++
		}
		at := func(c filters.Category) *counts {
			if q.cat[c] == nil {
				q.cat[c] = &counts{}
			}
			return q.cat[c]
		}
		if j.Category != "" {
			q.support[j.Category]++
			if j.flags(j.Category) {
				at(j.Category).tp++
			} else {
				at(j.Category).fn++
			}
		}
		hitOwn := j.Category != "" && j.flags(j.Category)
		for _, cs := range j.v.Categories {
			if cs.Name != j.Category && j.flags(cs.Name) && !hitOwn {
				at(cs.Name).fp++
			}
		}
	}
	return order
}

// report renders the measures as a table.
func report(qs []*quality) string {
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "lang\tcategory\tcases\tTP\tFP\tFN\tprecision\trecall\t")
	total, correct := 0, 0
	for _, q := range qs {
		total += q.cases
		correct += q.correct
		for _, c := range categoriesOf(q) {
			n := q.cat[c]
			fmt.Fprintf(w, "%s\t%s\t%d\t%d\t%d\t%d\t%s\t%s\t\n", q.lang, c, q.support[c], n.tp, n.fp, n.fn, pct(n.precision()), pct(n.recall()))
		}
		h := q.harm
		fmt.Fprintf(w, "%s\t(harmful)\t%d\t%d\t%d\t%d\t%s\t%s\t\n", q.lang, h.tp+h.fn, h.tp, h.fp, h.fn, pct(h.precision()), pct(h.recall()))
		fmt.Fprintf(w, "%s\t(accuracy)\t%d\t\t\t\t%s\t\t\n", q.lang, q.cases, pct(ratio(q.correct, q.cases)))
	}
	fmt.Fprintf(w, "all\t(accuracy)\t%d\t\t\t\t%s\t\t\n", total, pct(ratio(correct, total)))
	w.Flush()
	return b.String()
}

// categoriesOf lists the categories measured for a language, in the
// engine's order, then any other.
func categoriesOf(q *quality) []filters.Category {
	var out []filters.Category
	seen := map[filters.Category]bool{}
	for _, c := range filters.KnownCategories {
		if q.cat[c] != nil {
			out = append(out, c)
			seen[c] = true
		}
	}
	for c := range q.cat {
		if !seen[c] {
			out = append(out, c)
		}
	}
	return out
}

// TestQualityReport prints precision and recall per language and
// category on the dev set (run it with -v to see the table:
// go test ./filters -run TestQualityReport -v) and fails when the
// default rules fall below the thresholds above.
func TestQualityReport(t *testing.T) {
	js := judgeAll(t, devClassifier(t), loadDevset(t))
	qs := measure(js)
	t.Logf("quality on %d dev set cases:\n%s", len(js), report(qs))
	for _, q := range qs {
		if acc := ratio(q.correct, q.cases); acc < minAccuracy {
			t.Errorf("%s: accuracy %.3f < %.2f", q.lang, acc, minAccuracy)
		}
		if p := q.harm.precision(); !(p >= minHarmPrecision) {
			t.Errorf("%s: harmful precision %s < %.2f", q.lang, pct(p), minHarmPrecision)
		}
		if r := q.harm.recall(); !(r >= minHarmRecall) {
			t.Errorf("%s: harmful recall %s < %.2f", q.lang, pct(r), minHarmRecall)
		}
		for _, c := range categoriesOf(q) {
			if q.support[c] < minCatSupport {
				continue
			}
			n := q.cat[c]
			if p := n.precision(); !(p >= minCatPrecision) {
				t.Errorf("%s/%s: precision %s < %.2f", q.lang, c, pct(p), minCatPrecision)
			}
			if r := n.recall(); !(r >= minCatRecall) {
				t.Errorf("%s/%s: recall %s < %.2f", q.lang, c, pct(r), minCatRecall)
			}
		}
	}
}

// TestMeasure checks the metric definitions on hand-made verdicts.
func TestMeasure(t *testing.T) {
	verdict := func(a filters.Action, cats ...filters.Category) filters.Verdict {
		v := filters.Verdict{Action: a}
		for _, c := range cats {
			v.Categories = append(v.Categories, filters.CategoryScore{Name: c, Severity: filters.Medium})
		}
		return v
	}
	mk := func(expect filters.Action, cat filters.Category, v filters.Verdict) judged {
		return judged{devCase: devCase{ID: "xx-0001", Lang: "xx", Expect: expect, Category: cat}, v: v}
	}
	js := []judged{
		mk(filters.Remove, filters.Insult, verdict(filters.Remove, filters.Insult, filters.Profanity)), // TP insult, no FP profanity
		mk(filters.Remove, filters.Insult, verdict(filters.Remove, filters.Hate)),                      // FN insult, FP hate
		mk(filters.Allow, "", verdict(filters.Alert, filters.Profanity)),                               // FP profanity
		mk(filters.Allow, "", verdict(filters.Allow)),                                                  // TN
		mk(filters.Alert, filters.SelfHarm, verdict(filters.Allow)),                                    // FN self_harm
	}
	qs := measure(js)
	if len(qs) != 1 {
		t.Fatalf("got %d languages, want 1", len(qs))
	}
	q := qs[0]
	tests := []struct {
		name string
		got  counts
		want counts
	}{
		{"insult", *q.cat[filters.Insult], counts{tp: 1, fn: 1}},
		{"hate", *q.cat[filters.Hate], counts{fp: 1}},
		{"profanity", *q.cat[filters.Profanity], counts{fp: 1}},
		{"self_harm", *q.cat[filters.SelfHarm], counts{fn: 1}},
		{"harmful", q.harm, counts{tp: 2, fp: 1, fn: 1}},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %+v, want %+v", tt.name, tt.got, tt.want)
		}
	}
	if q.correct != 2 || q.cases != 5 {
		t.Errorf("accuracy %d/%d, want 2/5", q.correct, q.cases)
	}
	if !strings.Contains(report(qs), "0.500") {
		t.Errorf("report lacks insult precision/recall 0.500:\n%s", report(qs))
	}
}

// BenchmarkClassifyDevset measures the default rules' throughput on the
// dev set's realistic mix of messages.
func BenchmarkClassifyDevset(b *testing.B) {
	cases := loadDevset(b)
	c := devClassifier(b)
	ctx := context.Background()
	msgs := make([]filters.Message, len(cases))
	for i, dc := range cases {
		msgs[i] = filters.Message{Text: dc.Text, DefaultLang: dc.Lang}
	}
	n := 0
	for b.Loop() {
		c.Classify(ctx, msgs[n%len(msgs)])
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "msgs/s")
}
