package rules

import (
	"context"
	"path/filepath"
	"testing"
)

// TestExamples loads every example school file and runs its tests, so
// that the files the README points to stay valid.
func TestExamples(t *testing.T) {
	files, err := filepath.Glob("examples/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no example files: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			r, err := Load(f)
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Tests) == 0 {
				t.Fatal("an example file should show its tests")
			}
			c, err := r.Classifier()
			if err != nil {
				t.Fatal(err)
			}
			for _, res := range RunTests(context.Background(), c, r.Tests) {
				if !res.Pass {
					t.Errorf("%s:%d: %q: %s", res.Test.File, res.Test.Line, res.Test.Text, res.Why)
				}
			}
		})
	}
}
