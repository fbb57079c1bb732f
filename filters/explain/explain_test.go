package explain_test

import (
	"errors"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/vigie-edu/vigie/filters"
	"github.com/vigie-edu/vigie/filters/explain"
)

func TestHighlight(t *testing.T) {
	long := strings.Repeat("é", 30) + " connard " + strings.Repeat("b", 60)
	i := strings.Index(long, "connard")
	tests := []struct {
		text string
		span filters.Span
		want string
	}{
		{"t'es qu'un gros c0nnard", filters.Span{Start: 16, End: 23}, "t'es qu'un gros [c0nnard]"},
		{"a\nb", filters.Span{Start: 0, End: 3}, "[a b]"},
		{"abc", filters.Span{Start: 2, End: 99}, "ab[c]"},
		{"abc", filters.Span{Start: -4, End: 1}, "[a]bc"},
		{"éa", filters.Span{Start: 1, End: 3}, "[éa]"}, // a span inside a character starts at its beginning
		{long, filters.Span{Start: i, End: i + 7}, "…" + strings.Repeat("é", 20) + " [connard] " + strings.Repeat("b", 39) + "…"},
	}
	for _, tt := range tests {
		if got := explain.Highlight(tt.text, tt.span, explain.Plain); got != tt.want {
			t.Errorf("Highlight(%q, %v) = %q, want %q", tt.text, tt.span, got, tt.want)
		}
	}
}

func TestSegments(t *testing.T) {
	sp := func(s, e int) filters.Span { return filters.Span{Start: s, End: e} }
	type seg = explain.Segment
	tests := []struct {
		name  string
		text  string
		spans []filters.Span
		want  []seg
	}{
		{"none", "bonjour", nil, []seg{{Text: "bonjour"}}},
		{"empty text", "", []filters.Span{sp(0, 3)}, nil},
		{"one", "t'es un con ok", []filters.Span{sp(8, 11)}, []seg{{Text: "t'es un "}, {Text: "con", Marked: true}, {Text: " ok"}}},
		{"whole", "con", []filters.Span{sp(0, 3)}, []seg{{Text: "con", Marked: true}}},
		{"overlap and disorder", "abcdefgh", []filters.Span{sp(4, 6), sp(1, 3), sp(2, 5)},
			[]seg{{Text: "a"}, {Text: "bcdef", Marked: true}, {Text: "gh"}}},
		{"touching spans merge", "abcd", []filters.Span{sp(0, 2), sp(2, 4)}, []seg{{Text: "abcd", Marked: true}}},
		{"out of range", "abc", []filters.Span{sp(-5, 1), sp(2, 40)}, []seg{{Text: "a", Marked: true}, {Text: "b"}, {Text: "c", Marked: true}}},
		{"empty and reversed spans", "abc", []filters.Span{sp(1, 1), sp(2, 0)}, []seg{{Text: "abc"}}},
		{"inside a character", "aéb", []filters.Span{sp(2, 3)}, []seg{{Text: "a"}, {Text: "é", Marked: true}, {Text: "b"}}},
		{"markup stays text", "<script>x</script>", []filters.Span{sp(0, 8)},
			[]seg{{Text: "<script>", Marked: true}, {Text: "x</script>"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := explain.Segments(tt.text, tt.spans)
			if len(got) != len(tt.want) {
				t.Fatalf("Segments = %+v, want %+v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("Segments = %+v, want %+v", got, tt.want)
				}
			}
		})
	}
}

// FuzzSegments checks Segments' promises on any text and spans: the
// segments join back to the text, alternate, are never empty and, on
// valid UTF-8, cut on character boundaries.
func FuzzSegments(f *testing.F) {
	f.Add("t'es un con ok", 8, 11, 2, 5)
	f.Add("aéb", 2, 3, -1, 99)
	f.Add("", 0, 0, 0, 0)
	f.Fuzz(func(t *testing.T, text string, s1, e1, s2, e2 int) {
		segs := explain.Segments(text, []filters.Span{{Start: s1, End: e1}, {Start: s2, End: e2}})
		var b strings.Builder
		for i, s := range segs {
			if s.Text == "" {
				t.Fatalf("empty segment %d in %+v", i, segs)
			}
			if i > 0 && segs[i-1].Marked == s.Marked {
				t.Fatalf("segments %d and %d both marked=%v", i-1, i, s.Marked)
			}
			if utf8.ValidString(text) && !utf8.ValidString(s.Text) {
				t.Fatalf("segment %q cuts a character", s.Text)
			}
			b.WriteString(s.Text)
		}
		if b.String() != text {
			t.Fatalf("segments join to %q, want %q", b.String(), text)
		}
	})
}

func TestWriteReportsWriteErrors(t *testing.T) {
	v := &filters.Verdict{Action: filters.Allow}
	if err := explain.Write(failWriter{}, "x", v, explain.Plain); err == nil {
		t.Fatal("Write on a failing writer returned nil")
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

// Write explains a verdict the way `vigie check` prints it.
func ExampleWrite() {
	text := "regarde adult-example.com, gros c0nnard"
	v := &filters.Verdict{
		Action:     filters.Remove,
		Categories: []filters.CategoryScore{{Name: filters.Insult, Severity: filters.High}},
		Lang:       "fr", LangConfidence: 1, LangSource: filters.LangHint,
		Findings: []filters.Finding{{Rule: "lex.fr.connard", Category: filters.Insult, Severity: filters.High,
			Span: filters.Span{Start: 32, End: 39}, Text: "c0nnard"}},
		Links: []filters.Link{{URL: "http://adult-example.com", Host: "adult-example.com", Span: filters.Span{Start: 8, End: 25}}},
	}
	explain.Write(os.Stdout, text, v, explain.Plain)
	// Output:
	// regarde adult-example.com, gros c0nnard
	//   action: remove
	//   categories: insult (high)
	//   language: fr (1.00, hint)
	//   matches:
	//     lex.fr.connard  insult high  regarde adult-example.com, gros [c0nnard]
	//   links:
	//     http://adult-example.com  host adult-example.com  not listed
}
