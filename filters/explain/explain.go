// Package explain writes a verdict of package filters as text for people:
// the action, the categories with their severity, the language and how it
// was found, every match with its rule and the matched part of the text,
// the matches that context suppressed and why, and the links with their
// classification. `vigie check`, `vigie rules test` and the web console's
// try-it page print the same explanation through it.
package explain

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/vigie-edu/vigie/filters"
)

// Style says how a matched span is shown in a highlight.
type Style struct{ Open, Close string }

// Styles.
var (
	// Plain brackets the span: "t'es qu'un gros [c0nnard]".
	Plain = Style{"[", "]"}
	// ANSI shows the span bold, underlined and red on a terminal.
	ANSI = Style{"\x1b[1;4;31m", "\x1b[0m"}
)

// Write explains v, the verdict on text, in lines of plain text.
func Write(w io.Writer, text string, v *filters.Verdict, st Style) error {
	ew := &errWriter{w: w}
	ew.printf("%s\n", OneLine(text))
	ew.printf("  action: %s\n", v.Action)
	if len(v.Categories) == 0 {
		ew.printf("  categories: none\n")
	} else {
		cats := make([]string, len(v.Categories))
		for i, c := range v.Categories {
			cats[i] = fmt.Sprintf("%s (%s)", c.Name, c.Severity)
		}
		ew.printf("  categories: %s\n", strings.Join(cats, ", "))
	}
	if v.Lang != "" {
		ew.printf("  language: %s (%.2f, %s)\n", v.Lang, v.LangConfidence, v.LangSource)
	} else {
		ew.printf("  language: not determined\n")
	}
	if len(v.Findings) > 0 {
		ew.printf("  matches:\n")
		for _, f := range v.Findings {
			ew.printf("    %s  %s %s  %s\n", f.Rule, f.Category, f.Severity, Highlight(text, f.Span, st))
		}
	}
	if len(v.Suppressed) > 0 {
		ew.printf("  suppressed:\n")
		for _, s := range v.Suppressed {
			by := ""
			if s.By != "" {
				by = " by " + s.By
			}
			ew.printf("    %s  %s %s  %s%s  %s\n", s.Rule, s.Category, s.Severity, s.Reason, by, Highlight(text, s.Span, st))
		}
	}
	if len(v.Links) > 0 {
		ew.printf("  links:\n")
		for _, l := range v.Links {
			class := "not listed"
			if l.Category != "" {
				class = string(l.Category)
			}
			if l.Reason != "" {
				class += " (" + l.Reason + ")"
			}
			ew.printf("    %s  host %s  %s\n", l.URL, l.Host, class)
		}
	}
	return ew.err
}

// errWriter keeps the first write error.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}

// OneLine replaces line breaks and tabs by spaces, byte for byte, so
// that offsets into the text stay valid.
func OneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == '\t' {
			return ' '
		}
		return r
	}, s)
}

// highlightContext is how many bytes of context a highlight keeps on
// each side of the span in a long message.
const highlightContext = 40

// Highlight shows text on one line with the span marked, cut to some
// context on each side when the text is long.
func Highlight(text string, sp filters.Span, st Style) string {
	start, end := ClampSpan(text, sp)
	before, mid, after := text[:start], text[start:end], text[end:]
	if len(before) > highlightContext {
		before = "…" + before[runeStart(before, len(before)-highlightContext):]
	}
	if len(after) > highlightContext {
		after = after[:runeStart(after, highlightContext)] + "…"
	}
	return OneLine(before) + st.Open + OneLine(mid) + st.Close + OneLine(after)
}

// ClampSpan keeps a span within the text and on character boundaries: a
// span that starts or ends inside a character starts or ends at that
// character's beginning.
func ClampSpan(text string, sp filters.Span) (start, end int) {
	start = min(max(sp.Start, 0), len(text))
	end = min(max(sp.End, start), len(text))
	return runeStart(text, start), runeStart(text, end)
}

// runeStart moves i back to the start of the UTF-8 character it is in.
func runeStart(s string, i int) int {
	for i > 0 && i < len(s) && !utf8.RuneStart(s[i]) {
		i--
	}
	return i
}
