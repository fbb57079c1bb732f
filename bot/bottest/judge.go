package bottest

import (
	"context"
	"strings"
	"sync/atomic"
	"unicode"

	"github.com/vigie-edu/vigie/filters"
)

// Judge is a fake bot.Judge for policy tests: it finds the whole words
// of Words in a message, case-insensitively, and reports each with its
// category and severity High. The verdict's action is the strongest of
// the categories' Actions (remove for a category not listed).
type Judge struct {
	Words   map[string]filters.Category
	Actions map[filters.Category]filters.Action
	// Gate, when set, makes Classify wait until it can receive from Gate
	// (or Gate is closed, or ctx is done): tests use it to fill queues.
	Gate chan struct{}

	calls   atomic.Int64
	waiting atomic.Int64
}

// Waiting returns the number of Classify calls waiting at the Gate.
func (j *Judge) Waiting() int64 { return j.waiting.Load() }

// Calls returns the number of messages classified.
func (j *Judge) Calls() int64 { return j.calls.Load() }

// Classify implements bot.Judge.
func (j *Judge) Classify(ctx context.Context, m filters.Message) filters.Verdict {
	if j.Gate != nil {
		j.waiting.Add(1)
		defer j.waiting.Add(-1)
		select {
		case <-j.Gate:
		case <-ctx.Done():
		}
	}
	j.calls.Add(1)
	v := filters.Verdict{Action: filters.Allow, Lang: m.Lang}
	seen := map[filters.Category]bool{}
	start := -1
	for i, r := range m.Text + " " {
		word := unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_'
		switch {
		case word && start < 0:
			start = i
		case !word && start >= 0:
			w := m.Text[start:i]
			if cat, ok := j.Words[strings.ToLower(w)]; ok {
				v.Findings = append(v.Findings, filters.Finding{
					Rule: "test." + strings.ToLower(w), Category: cat, Severity: filters.High,
					Span: filters.Span{Start: start, End: i}, Text: w,
				})
				if !seen[cat] {
					seen[cat] = true
					v.Categories = append(v.Categories, filters.CategoryScore{Name: cat, Severity: filters.High})
				}
				a, ok := j.Actions[cat]
				if !ok {
					a = filters.Remove
				}
				if a.Stronger(v.Action) {
					v.Action = a
				}
			}
			start = -1
		}
	}
	return v
}
