package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/vigie-edu/vigie/rules"
)

func newRulesCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "rules",
		Short: "Lint and test rules files, read the embedded defaults",
		Long: `Rules files extend Vigie's embedded defaults: they add and remove words,
allowlist terms, change actions, languages, texts and classes. See
rules/FORMAT.md for the format.`,
	}
	cmd.AddCommand(newRulesLintCmd(), newRulesTestCmd(), newRulesDefaultsCmd())
	return cmd
}

func newRulesLintCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "lint FILE...",
		Short: "Check rules files and report every error with its position",
		Long: `Lint loads each FILE as the bot would (over the embedded defaults, unless
it says extends: none) and prints "FILE: ok" or every error, one per line,
as FILE:LINE:COL: reason. It exits 1 if any file has errors.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			out := cmd.OutOrStdout()
			bad := 0
			for _, path := range args {
				_, err := rules.Load(path)
				if err == nil {
					fmt.Fprintf(out, "%s: ok\n", path)
					continue
				}
				bad++
				if list := rulesErrors(err); list != nil {
					for _, e := range list {
						fmt.Fprintln(out, e)
					}
				} else {
					fmt.Fprintf(out, "%s: %v\n", path, err)
				}
			}
			if bad > 0 {
				return &exitError{code: 1, err: fmt.Errorf("%d of %d rules files have errors", bad, len(args))}
			}
			return nil
		},
	}
}

func newRulesTestCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "test FILE",
		Short: "Run the tests written in a rules file",
		Long: `Test loads FILE, classifies the text of each case of its tests: section
with its rules and compares the verdict with the expectation. It prints
each failure with its FILE:LINE, the verdict and why, then a summary, and
exits 1 if a test fails, 2 if the rules do not load.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			r, c, err := loadClassifier(args[0])
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			results := rules.RunTests(cmd.Context(), c, r.Tests)
			failed := 0
			for _, res := range results {
				if res.Pass {
					continue
				}
				failed++
				t := res.Test
				lang := ""
				if t.Lang != "" {
					lang = " [" + t.Lang + "]"
				}
				fmt.Fprintf(out, "%s:%d: FAIL %q%s: %s\n", t.File, t.Line, t.Text, lang, res.Why)
				if err := writeVerdict(indent(out), t.Text, &res.Verdict, plainStyle); err != nil {
					return fmt.Errorf("writing results: %w", err)
				}
			}
			fmt.Fprintf(out, "%d passed, %d failed\n", len(results)-failed, failed)
			if err := cmd.Context().Err(); err != nil {
				return err
			}
			if failed > 0 {
				return &exitError{code: 1, err: fmt.Errorf("%s: %d of %d tests failed", args[0], failed, len(results))}
			}
			return nil
		},
	}
}

// indent returns a writer that indents every line by two spaces.
func indent(w io.Writer) io.Writer { return &indenter{w: w, bol: true} }

type indenter struct {
	w   io.Writer
	bol bool // at the beginning of a line
}

func (in *indenter) Write(p []byte) (int, error) {
	n := 0
	for len(p) > 0 {
		if in.bol {
			if _, err := in.w.Write([]byte("  ")); err != nil {
				return n, err
			}
			in.bol = false
		}
		line := p
		if i := bytes.IndexByte(p, '\n'); i >= 0 {
			line, in.bol = p[:i+1], true
		}
		m, err := in.w.Write(line)
		n += m
		if err != nil {
			return n, err
		}
		p = p[len(line):]
	}
	return n, nil
}

func newRulesDefaultsCmd() *cobra.Command {
	var outDir string
	cmd := &cobra.Command{
		Use:   "defaults [--out DIR] [FILE]",
		Short: "List, print or write out the embedded default rules",
		Long: `Defaults lists the embedded default rules: the fragments merged in name
order and the files they refer to. With FILE, it prints that file; with
--out DIR, it writes them all under DIR (which must not hold files of
the same names), for school IT to read or to start a rules file from.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			fsys := rules.DefaultsFS()
			out := cmd.OutOrStdout()
			switch {
			case outDir != "" && len(args) > 0:
				return errors.New("give FILE or --out, not both")
			case len(args) == 1:
				data, err := fs.ReadFile(fsys, args[0])
				if err != nil {
					return fmt.Errorf("no embedded default file %q (vigie rules defaults lists them)", args[0])
				}
				_, err = out.Write(data)
				return err
			case outDir != "":
				n, err := writeDefaults(fsys, outDir)
				if err != nil {
					return err
				}
				fmt.Fprintf(out, "wrote %d files to %s\n", n, outDir)
				return nil
			}
			return listDefaults(out, fsys)
		},
	}
	cmd.Flags().StringVar(&outDir, "out", "", "write the embedded defaults under `DIR`")
	return cmd
}

// listDefaults prints the fragments in merge order, then the other files.
func listDefaults(w io.Writer, fsys fs.FS) error {
	names, err := rules.DefaultFragments()
	if err != nil {
		return err
	}
	fragment := map[string]bool{}
	fmt.Fprintln(w, "Embedded default rules, merged in this order:")
	for _, n := range names {
		fragment[n] = true
		fmt.Fprintf(w, "  %-28s %s\n", n, fileSize(fsys, n))
	}
	var others []string
	err = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && !fragment[p] {
			others = append(others, p)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("reading embedded defaults: %w", err)
	}
	if len(others) > 0 {
		fmt.Fprintln(w, "Other files (lists the fragments refer to):")
		for _, p := range others {
			fmt.Fprintf(w, "  %-28s %s\n", p, fileSize(fsys, p))
		}
	}
	_, err = fmt.Fprintln(w, "Print one with: vigie rules defaults FILE; write them all with: vigie rules defaults --out DIR")
	return err
}

func fileSize(fsys fs.FS, name string) string {
	st, err := fs.Stat(fsys, name)
	if err != nil {
		return "?"
	}
	n := st.Size()
	if n < 1024 {
		return fmt.Sprintf("%d B", n)
	}
	return fmt.Sprintf("%.1f KiB", float64(n)/1024)
}

// writeDefaults copies fsys under dir, refusing to overwrite a file.
func writeDefaults(fsys fs.FS, dir string) (int, error) {
	n := 0
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		dst := filepath.Join(dir, filepath.FromSlash(p))
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil {
			return err
		}
		if _, err := f.Write(data); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
		n++
		return nil
	})
	if err != nil {
		return n, fmt.Errorf("writing the defaults to %s: %w", dir, err)
	}
	return n, nil
}
