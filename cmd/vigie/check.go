package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/vigie-edu/vigie/filters"
	"github.com/vigie-edu/vigie/rules"
)

// exitRules is the exit status for a rules file that does not load.
const exitRules = 2

// loadClassifier loads the rules (the embedded defaults when path is
// empty) and compiles them. Failures carry exit status 2.
func loadClassifier(path string) (*rules.Rules, *filters.Classifier, error) {
	r, err := rules.Load(path)
	if err != nil {
		return nil, nil, &exitError{code: exitRules, err: err}
	}
	c, err := r.Classifier()
	if err != nil {
		return nil, nil, &exitError{code: exitRules, err: err}
	}
	return r, c, nil
}

func newCheckCmd() *cobra.Command {
	var (
		rulesPath, lang string
		asJSON          bool
	)
	cmd := &cobra.Command{
		Use:   "check [--rules FILE] [--lang fr] [--json] TEXT...",
		Short: "Explain the verdict on messages",
		Long: `Check classifies each TEXT with the rules (the embedded defaults, or FILE
over them) and explains the verdict: the action, the categories with
their severity, the language and how it was found, every match with its
rule and the matched part of the text, the matches that context
suppressed and why, and the links with their classification.

It is an explanation tool: it exits 0 whatever the verdicts, and 2 when
the rules do not load.`,
		Example: `  vigie check "t'es qu'un gros c0nnard"
  vigie check --rules ecole.yaml --json "l'analyse du texte"`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			_, c, err := loadClassifier(rulesPath)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			style := plainStyle
			if isTerminal(out) {
				style = ansiStyle
			}
			enc := json.NewEncoder(out)
			enc.SetEscapeHTML(false)
			for i, text := range args {
				v := c.Classify(cmd.Context(), filters.Message{Text: text, Lang: lang, Detect: true})
				if asJSON {
					if err := enc.Encode(v); err != nil {
						return fmt.Errorf("writing verdict: %w", err)
					}
					continue
				}
				if i > 0 {
					fmt.Fprintln(out)
				}
				if err := writeVerdict(out, text, &v, style); err != nil {
					return fmt.Errorf("writing verdict: %w", err)
				}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&rulesPath, "rules", "", "rules `FILE` merged over the embedded defaults")
	f.StringVar(&lang, "lang", "", "the messages' language (ISO 639-1 code); default: detected")
	f.BoolVar(&asJSON, "json", false, "print each verdict as a JSON object, one per line")
	return cmd
}

// style says how a matched span is shown.
type style struct{ open, close string }

var (
	plainStyle = style{"[", "]"}
	ansiStyle  = style{"\x1b[1;4;31m", "\x1b[0m"} // bold, underlined, red
)

// isTerminal reports whether w is a terminal that wants colour (NO_COLOR
// unset).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok || os.Getenv("NO_COLOR") != "" {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// writeVerdict explains a verdict in text.
func writeVerdict(w io.Writer, text string, v *filters.Verdict, st style) error {
	ew := &errWriter{w: w}
	ew.printf("%s\n", oneLine(text))
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
			ew.printf("    %s  %s %s  %s\n", f.Rule, f.Category, f.Severity, highlight(text, f.Span, st))
		}
	}
	if len(v.Suppressed) > 0 {
		ew.printf("  suppressed:\n")
		for _, s := range v.Suppressed {
			by := ""
			if s.By != "" {
				by = " by " + s.By
			}
			ew.printf("    %s  %s %s  %s%s  %s\n", s.Rule, s.Category, s.Severity, s.Reason, by, highlight(text, s.Span, st))
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

// oneLine replaces line breaks and tabs by spaces, byte for byte, so
// that offsets into the text stay valid.
func oneLine(s string) string {
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

// highlight shows text with the span marked, cut to some context on
// each side when the text is long.
func highlight(text string, sp filters.Span, st style) string {
	start, end := clampSpan(text, sp)
	before, mid, after := text[:start], text[start:end], text[end:]
	if len(before) > highlightContext {
		before = "…" + before[runeStart(before, len(before)-highlightContext):]
	}
	if len(after) > highlightContext {
		after = after[:runeStart(after, highlightContext)] + "…"
	}
	return oneLine(before) + st.open + oneLine(mid) + st.close + oneLine(after)
}

// clampSpan keeps a span within the text and on character boundaries.
func clampSpan(text string, sp filters.Span) (int, int) {
	start := min(max(sp.Start, 0), len(text))
	end := min(max(sp.End, start), len(text))
	return runeStart(text, start), runeStart(text, end)
}

// runeStart moves i back to the start of the UTF-8 character it is in.
func runeStart(s string, i int) int {
	for i > 0 && i < len(s) && !utf8.RuneStart(s[i]) {
		i--
	}
	return i
}

// rulesErrors returns the rules errors inside err, if it holds any.
func rulesErrors(err error) rules.ErrorList {
	var list rules.ErrorList
	if errors.As(err, &list) {
		return list
	}
	return nil
}
