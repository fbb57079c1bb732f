// Package measure measures filters: precision and recall on labelled
// cases, throughput on one core and on all cores, allocations per
// message and peak heap on a stream of messages.
package measure

import (
	"context"
	"sort"

	"github.com/vigie-edu/vigie/bench/corpus"
	"github.com/vigie-edu/vigie/bench/peers"
)

// Counts is a confusion matrix: flagged harmful messages (TP), flagged
// benign ones (FP), missed harmful ones (FN) and benign ones left alone
// (TN).
type Counts struct{ TP, FP, FN, TN int }

// Add counts one judgement.
func (c *Counts) Add(harmful, flagged bool) {
	switch {
	case harmful && flagged:
		c.TP++
	case harmful:
		c.FN++
	case flagged:
		c.FP++
	default:
		c.TN++
	}
}

// Merge adds o's counts to c.
func (c *Counts) Merge(o Counts) {
	c.TP += o.TP
	c.FP += o.FP
	c.FN += o.FN
	c.TN += o.TN
}

// Total is the number of judgements.
func (c Counts) Total() int { return c.TP + c.FP + c.FN + c.TN }

// Precision is the share of flagged messages that are harmful (1 when
// nothing was flagged: no false alarm).
func (c Counts) Precision() float64 {
	if c.TP+c.FP == 0 {
		return 1
	}
	return float64(c.TP) / float64(c.TP+c.FP)
}

// Recall is the share of harmful messages that were flagged (1 when
// there were none).
func (c Counts) Recall() float64 {
	if c.TP+c.FN == 0 {
		return 1
	}
	return float64(c.TP) / float64(c.TP+c.FN)
}

// F1 is the harmonic mean of precision and recall.
func (c Counts) F1() float64 {
	p, r := c.Precision(), c.Recall()
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}

// Accuracy holds a filter's counts per language and labelled set.
type Accuracy struct {
	Filter string
	// By maps language → set → counts.
	By map[string]map[string]Counts
}

// Lang returns the counts of a language over all sets.
func (a Accuracy) Lang(lang string) Counts {
	var c Counts
	for _, sc := range a.By[lang] {
		c.Merge(sc)
	}
	return c
}

// Langs returns the languages counted, sorted.
func (a Accuracy) Langs() []string {
	out := make([]string, 0, len(a.By))
	for l := range a.By {
		out = append(out, l)
	}
	sort.Strings(out)
	return out
}

// Judge runs f over every labelled case (text and class language) and
// counts its judgements against the labels. Wrong is called, when not
// nil, with every case the filter got wrong.
func Judge(ctx context.Context, f peers.Filter, cases []corpus.Case, wrong func(corpus.Case, bool)) Accuracy {
	a := Accuracy{Filter: f.Name(), By: map[string]map[string]Counts{}}
	for _, c := range cases {
		flagged := f.Flags(ctx, c.Text, c.Lang)
		m := a.By[c.Lang]
		if m == nil {
			m = map[string]Counts{}
			a.By[c.Lang] = m
		}
		n := m[c.Set]
		n.Add(c.Harmful(), flagged)
		m[c.Set] = n
		if wrong != nil && flagged != c.Harmful() {
			wrong(c, flagged)
		}
	}
	return a
}
