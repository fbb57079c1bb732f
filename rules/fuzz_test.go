package rules

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse checks that no rules file makes Parse panic, and that every
// error it reports has a position in the file. The fixtures of testdata
// and the corpus in testdata/fuzz/FuzzParse are the seeds. The file is
// merged over the small testDefaults rather than the embedded defaults,
// which take milliseconds to load and would slow the fuzzer a hundredfold.
func FuzzParse(f *testing.F) {
	files, err := filepath.Glob("testdata/*.yaml")
	if err != nil {
		f.Fatal(err)
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	dir := fsSource{fsys: os.DirFS("testdata")}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := load(testDefaults, "fuzz.yaml", data, dir)
		if err == nil {
			if r == nil {
				t.Fatal("Parse returned neither rules nor an error")
			}
			return
		}
		var list ErrorList
		if !errors.As(err, &list) || len(list) == 0 {
			t.Fatalf("Parse error is %T, want a non-empty ErrorList: %v", err, err)
		}
		for _, e := range list {
			if e.File != "fuzz.yaml" || e.Line < 1 || e.Col < 1 || e.Msg == "" {
				t.Errorf("error without a proper position: %#v", e)
			}
		}
	})
}
