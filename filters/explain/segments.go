package explain

import (
	"slices"

	"github.com/vigie-edu/vigie/filters"
)

// Segment is a part of a message's text, marked when a span covers it.
type Segment struct {
	Text   string
	Marked bool
}

// Segments cuts text into consecutive segments, marking the parts that
// spans cover. Spans may overlap, touch, come in any order or fall
// partly outside the text: each is clamped like ClampSpan, and
// overlapping or touching spans are merged. Joining the segments' texts
// gives text back; two consecutive segments are never both marked or
// both unmarked, and no segment is empty.
func Segments(text string, spans []filters.Span) []Segment {
	type rng struct{ start, end int }
	rs := make([]rng, 0, len(spans))
	for _, sp := range spans {
		s, e := ClampSpan(text, sp)
		if s < e {
			rs = append(rs, rng{s, e})
		}
	}
	slices.SortFunc(rs, func(a, b rng) int { return a.start - b.start })
	var out []Segment
	pos := 0
	for i := 0; i < len(rs); {
		start, end := rs[i].start, rs[i].end
		for i++; i < len(rs) && rs[i].start <= end; i++ {
			end = max(end, rs[i].end)
		}
		if start > pos {
			out = append(out, Segment{Text: text[pos:start]})
		}
		out = append(out, Segment{Text: text[start:end], Marked: true})
		pos = end
	}
	if pos < len(text) {
		out = append(out, Segment{Text: text[pos:]})
	}
	return out
}

// FindingSpans returns the spans of a verdict's findings.
func FindingSpans(v *filters.Verdict) []filters.Span {
	out := make([]filters.Span, len(v.Findings))
	for i, f := range v.Findings {
		out[i] = f.Span
	}
	return out
}
