package rules

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/*.bad.yaml")

// parseFixture parses a file of testdata, resolving list files in
// testdata, with the name errors will carry.
func parseFixture(t *testing.T, name string) (*Rules, error) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return Parse(name, data, os.DirFS("testdata"))
}

func TestGoodFixtures(t *testing.T) {
	t.Setenv("VIGIE_TEST_SECRET", "fixture-env-secret")
	files, err := filepath.Glob("testdata/*.good.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no good fixtures: %v", err)
	}
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			if _, err := parseFixture(t, name); err != nil {
				t.Errorf("Parse: unexpected errors:\n%v", err)
			}
		})
	}
}

// TestBadFixtures checks every testdata/*.bad.yaml against the errors
// in its .golden file (run with -update to rewrite them).
func TestBadFixtures(t *testing.T) {
	files, err := filepath.Glob("testdata/*.bad.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no bad fixtures: %v", err)
	}
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			_, err := parseFixture(t, name)
			if err == nil {
				t.Fatal("Parse: no error")
			}
			var list ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("Parse error is %T, want ErrorList: %v", err, err)
			}
			for _, e := range list {
				if e.File != name || e.Line < 1 || e.Col < 1 {
					t.Errorf("error without a proper position: %#v", e)
				}
			}
			got := err.Error() + "\n"
			golden := strings.TrimSuffix(f, ".yaml") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("errors differ from %s:\ngot:\n%s\nwant:\n%s", golden, got, want)
			}
		})
	}
}
