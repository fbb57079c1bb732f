package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/vigie-edu/vigie/filters"
	"github.com/vigie-edu/vigie/filters/explain"
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

// Styles of a matched span: brackets, or colour on a terminal.
var (
	plainStyle = explain.Plain
	ansiStyle  = explain.ANSI
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

// writeVerdict explains a verdict in text (package filters/explain, which
// the web console's try-it page shares).
func writeVerdict(w io.Writer, text string, v *filters.Verdict, st explain.Style) error {
	return explain.Write(w, text, v, st)
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

// rulesErrors returns the rules errors inside err, if it holds any.
func rulesErrors(err error) rules.ErrorList {
	var list rules.ErrorList
	if errors.As(err, &list) {
		return list
	}
	return nil
}
