package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/vigie-edu/vigie/filters"
)

// checkCases are the messages of the golden tests of `vigie check`.
var checkCases = []struct {
	name string
	args []string
}{
	{"insult", []string{"--lang", "fr", "t'es qu'un gros c0nnard"}},
	{"allowlist", []string{"--lang", "fr", "l'analyse du texte"}},
	{"report", []string{"--lang", "fr", "il m'a traité de connard"}},
	{"links", []string{"--lang", "fr", "regarde adult-example.com et https://bit.ly/xyz"}},
	{"several", []string{"--lang", "en", "you idiot", "hello"}},
	{"detected", []string{"t'es qu'un gros connard, franchement je n'en reviens pas"}},
}

func TestCheckGolden(t *testing.T) {
	for _, tt := range checkCases {
		for _, format := range []string{"text", "json"} {
			t.Run(tt.name+"/"+format, func(t *testing.T) {
				args := append([]string{"check", "--rules", "testdata/school.yaml"}, tt.args...)
				if format == "json" {
					args = append(args, "--json")
				}
				out, errOut, code := run(t, nil, args...)
				if code != 0 {
					t.Fatalf("exit %d: %s", code, errOut)
				}
				if format == "json" {
					for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
						var v filters.Verdict
						if err := json.Unmarshal([]byte(line), &v); err != nil {
							t.Errorf("--json line is not a verdict: %v\n%s", err, line)
						}
					}
				}
				golden(t, "check/"+tt.name+"."+format+".golden", out)
			})
		}
	}
}

func TestCheckVerdicts(t *testing.T) {
	tests := []struct {
		text   string
		action filters.Action
		cat    filters.Category
	}{
		{"t'es qu'un gros c0nnard", filters.Remove, filters.Insult},
		{"l'analyse du texte", filters.Allow, ""},
		{"il m'a traité de connard", filters.Allow, ""},
	}
	for _, tt := range tests {
		out, _, code := run(t, nil, "check", "--rules", "testdata/school.yaml", "--lang", "fr", "--json", tt.text)
		var v filters.Verdict
		if err := json.Unmarshal([]byte(out), &v); err != nil || code != 0 {
			t.Fatalf("%q: exit %d, %v", tt.text, code, err)
		}
		if v.Action != tt.action || (tt.cat != "" && !v.Has(tt.cat)) {
			t.Errorf("%q: verdict %s %v, want %s %s", tt.text, v.Action, v.Categories, tt.action, tt.cat)
		}
	}
}

func TestCheckErrors(t *testing.T) {
	if _, errOut, code := run(t, nil, "check", "--rules", "testdata/bad.yaml", "x"); code != 2 || !strings.Contains(errOut, "testdata/bad.yaml:6:5:") {
		t.Errorf("bad rules: exit %d, %q; want 2 and the errors", code, errOut)
	}
	if _, _, code := run(t, nil, "check"); code != 1 {
		t.Errorf("no text: exit %d, want a usage error", code)
	}
}
