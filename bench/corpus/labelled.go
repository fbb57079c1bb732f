// Package corpus provides the messages the benchmark judges: the labelled
// cases of Vigie's development set and functional hate suite, read from
// their JSONL files, and a large realistic stream generated from them
// with a fixed seed.
package corpus

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Case is one labelled message.
type Case struct {
	ID   string // e.g. "fr-0001"
	Set  string // "devset" or "hatesuite": the directory it comes from
	Text string // the message as a pupil would write it
	Lang string // ISO 639-1 code of the class's language
	// Expect is the action the case expects: "allow", "alert" or
	// "remove".
	Expect   string
	Category string // the expected category, empty for allow
}

// Harmful reports whether a filter should flag the case: its expected
// action is to alert a teacher or to remove the message.
func (c Case) Harmful() bool { return c.Expect != "allow" }

// Sets are the labelled sets, in the order they are read, as directories
// under the project's testdata/ directory. A set that is absent is
// skipped.
var Sets = []string{"devset", "hatesuite"}

// line is the JSON shape of a labelled case; fields that only some sets
// have (kind, functionality, target) are ignored.
type line struct {
	ID       string `json:"id"`
	Text     string `json:"text"`
	Lang     string `json:"lang"`
	Expect   string `json:"expect"`
	Category string `json:"category"`
}

// LoadLabelled reads every *.jsonl file of each set of Sets present under
// dir (the project's testdata directory), in file name order.
func LoadLabelled(dir string) ([]Case, error) {
	var out []Case
	found := false
	for _, set := range Sets {
		files, err := filepath.Glob(filepath.Join(dir, set, "*.jsonl"))
		if err != nil {
			return nil, fmt.Errorf("listing %s: %w", set, err)
		}
		sort.Strings(files)
		for _, path := range files {
			found = true
			cs, err := readFile(path, set)
			if err != nil {
				return nil, err
			}
			out = append(out, cs...)
		}
	}
	if !found {
		return nil, fmt.Errorf("no labelled sets (%s) under %s", strings.Join(Sets, ", "), dir)
	}
	return out, nil
}

func readFile(path, set string) ([]Case, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading labelled cases: %w", err)
	}
	defer f.Close()
	cs, err := Parse(f, set)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return cs, nil
}

// maxLine is the longest line Parse accepts.
const maxLine = 64 << 10

// Parse reads labelled cases, one JSON object per line (blank lines are
// skipped), and tags them with set. A case must have an id, a text, a
// language and an expected action among allow, alert and remove; extra
// text after the action ("allow |") is ignored. Errors name the line.
func Parse(r io.Reader, set string) ([]Case, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxLine)
	var out []Case
	for n := 1; sc.Scan(); n++ {
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		var l line
		if err := json.Unmarshal(b, &l); err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		expect, err := parseExpect(l.Expect)
		switch {
		case err != nil:
			return nil, fmt.Errorf("line %d: %w", n, err)
		case l.ID == "":
			return nil, fmt.Errorf("line %d: no id", n)
		case strings.TrimSpace(l.Text) == "":
			return nil, fmt.Errorf("line %d (%s): empty text", n, l.ID)
		case l.Lang == "":
			return nil, fmt.Errorf("line %d (%s): no lang", n, l.ID)
		}
		out = append(out, Case{ID: l.ID, Set: set, Text: l.Text, Lang: l.Lang, Expect: expect, Category: l.Category})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading labelled cases: %w", err)
	}
	return out, nil
}

// parseExpect reads an expected action: its first word, without trailing
// punctuation.
func parseExpect(s string) (string, error) {
	w := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '|' || r == '\t' })
	if len(w) == 0 {
		return "", errors.New("no expected action")
	}
	switch w[0] {
	case "allow", "alert", "remove":
		return w[0], nil
	}
	return "", fmt.Errorf("unknown expected action %q (want allow, alert or remove)", s)
}

// Languages returns the languages of cases, sorted.
func Languages(cases []Case) []string {
	seen := map[string]bool{}
	var out []string
	for _, c := range cases {
		if !seen[c.Lang] {
			seen[c.Lang] = true
			out = append(out, c.Lang)
		}
	}
	sort.Strings(out)
	return out
}
