package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigie-edu/vigie/rules"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// run runs the vigie command in-process with args and stdin, and returns
// its standard output, standard error (with main's "vigie: …" line) and
// exit status.
func run(t *testing.T, stdin io.Reader, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	root := newRootCmd()
	var out, errb bytes.Buffer
	if stdin == nil {
		stdin = strings.NewReader("")
	}
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(&out)
	root.SetErr(&errb)
	if err := root.ExecuteContext(context.Background()); err != nil {
		fmt.Fprintln(&errb, "vigie:", err)
		code = exitCode(err)
	}
	return out.String(), errb.String(), code
}

// golden compares got with testdata/NAME, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s:\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

func TestRulesLint(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout []string // lines expected in the output, in order
	}{
		{"good", []string{"testdata/school.yaml"}, 0, []string{"testdata/school.yaml: ok"}},
		{"bad", []string{"testdata/bad.yaml"}, 1, []string{
			`testdata/bad.yaml:6:5: lexicon.fr: unknown category "insults"`,
			`testdata/bad.yaml:8:40: frames[0].pattern: column 1 of the pattern: unclosed '('`,
		}},
		{"several", []string{"testdata/school.yaml", "testdata/bad.yaml", "testdata/missing.yaml"}, 1, []string{
			"testdata/school.yaml: ok",
			"testdata/bad.yaml:6:5:",
			"testdata/missing.yaml: reading rules: open testdata/missing.yaml: no such file or directory",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := run(t, nil, append([]string{"rules", "lint"}, tt.args...)...)
			if code != tt.code {
				t.Errorf("exit status %d, want %d (stderr %q)", code, tt.code, errOut)
			}
			rest := out
			for _, want := range tt.stdout {
				i := strings.Index(rest, want)
				if i < 0 {
					t.Fatalf("output lacks %q (in order):\n%s", want, out)
				}
				rest = rest[i+len(want):]
			}
		})
	}
}

func TestRulesTest(t *testing.T) {
	out, errOut, code := run(t, nil, "rules", "test", "testdata/school.yaml")
	if code != 0 || !strings.HasSuffix(out, "4 passed, 0 failed\n") {
		t.Errorf("school.yaml: exit %d, stdout:\n%s\nstderr: %s", code, out, errOut)
	}

	out, errOut, code = run(t, nil, "rules", "test", "testdata/failing.yaml")
	if code != 1 || !strings.Contains(errOut, "testdata/failing.yaml: 2 of 3 tests failed") {
		t.Errorf("failing.yaml: exit %d, stderr %q", code, errOut)
	}
	golden(t, "rules-test-failing.golden", out)

	_, errOut, code = run(t, nil, "rules", "test", "testdata/bad.yaml")
	if code != 2 || !strings.Contains(errOut, `testdata/bad.yaml:6:5: lexicon.fr: unknown category "insults"`) {
		t.Errorf("bad.yaml: exit %d, stderr %q", code, errOut)
	}
}

func TestRulesDefaults(t *testing.T) {
	out, _, code := run(t, nil, "rules", "defaults")
	names, err := rules.DefaultFragments()
	if err != nil || code != 0 {
		t.Fatalf("exit %d, %v", code, err)
	}
	for _, n := range names {
		if !strings.Contains(out, "  "+n+" ") {
			t.Errorf("listing lacks %s:\n%s", n, out)
		}
	}

	out, _, code = run(t, nil, "rules", "defaults", "10-base.yaml")
	want, _ := fs.ReadFile(rules.DefaultsFS(), "10-base.yaml")
	if code != 0 || out != string(want) {
		t.Errorf("rules defaults 10-base.yaml: exit %d, output differs from the embedded file", code)
	}
	if _, errOut, code := run(t, nil, "rules", "defaults", "99-nope.yaml"); code != 1 || !strings.Contains(errOut, `no embedded default file "99-nope.yaml"`) {
		t.Errorf("unknown file: exit %d, %q", code, errOut)
	}

	dir := t.TempDir()
	if _, errOut, code := run(t, nil, "rules", "defaults", "--out", dir); code != 0 {
		t.Fatalf("--out: exit %d, %s", code, errOut)
	}
	err = fs.WalkDir(rules.DefaultsFS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		want, _ := fs.ReadFile(rules.DefaultsFS(), p)
		got, err := os.ReadFile(filepath.Join(dir, p))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: written copy differs (%v)", p, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The copy loads as a school's file over the defaults.
	if _, errOut, code := run(t, nil, "rules", "lint", filepath.Join(dir, "10-base.yaml")); code != 0 {
		t.Errorf("lint of the written 10-base.yaml: exit %d, %s", code, errOut)
	}
	if _, errOut, code := run(t, nil, "rules", "defaults", "--out", dir); code != 1 || !strings.Contains(errOut, "file exists") {
		t.Errorf("--out over existing files: exit %d, %q; want a refusal", code, errOut)
	}
}
