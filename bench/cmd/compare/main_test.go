package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRun runs the command on a small stream, without the end-to-end
// and binary parts, and checks the report's sections and rows.
func TestRun(t *testing.T) {
	dir := t.TempDir()
	o := options{
		testdata: "../../../testdata", n: 400, seed: 1, repeat: 1, compare: true, e2eRepeat: 1,
		misses: filepath.Join(dir, "misses.txt"), out: filepath.Join(dir, "report.md"),
		cpuprofile: filepath.Join(dir, "cpu.out"), memprofile: filepath.Join(dir, "heap.out"), profile: "vigie",
	}
	var stdout, logs strings.Builder
	if err := run(context.Background(), o, &stdout, &logs); err != nil {
		t.Fatalf("run: %v\n%s", err, logs.String())
	}
	md := stdout.String()
	for _, want := range []string{
		"Command: `cd bench && go run ./cmd/compare",
		"### Accuracy on the labelled sets",
		"| vigie | fr |", "| vigie | en |", "| go-away | fr |", "| regex | en |",
		"### Speed on the generated stream",
		"400 messages generated with seed 1",
		"- **regex**: LDNOOBW word lists",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, "End to end") || strings.Contains(md, "vigie binary") {
		t.Errorf("report has sections that were turned off:\n%s", md)
	}
	saved, err := os.ReadFile(o.out)
	if err != nil || string(saved) != md {
		t.Errorf("-out file differs from the output (%v)", err)
	}
	for _, f := range []string{o.misses, o.cpuprofile, o.memprofile} {
		if st, err := os.Stat(f); err != nil || st.Size() == 0 {
			t.Errorf("%s not written (%v)", f, err)
		}
	}
}

func TestSelected(t *testing.T) {
	bs, err := selected("regex, vigie")
	if err != nil || len(bs) != 2 || bs[0].name != "regex" || bs[1].name != "vigie" {
		t.Errorf("selected = %v, %v", bs, err)
	}
	if _, err := selected("nope"); err == nil {
		t.Error("an unknown filter was accepted")
	}
	if bs, _ := selected(""); len(bs) != len(builders) {
		t.Errorf("default selection has %d filters", len(bs))
	}
}

func TestRunRefusesBadOptions(t *testing.T) {
	var out strings.Builder
	if err := run(context.Background(), options{testdata: "../../../testdata", n: 0, repeat: 1, e2eRepeat: 1}, &out, &out); err == nil {
		t.Error("-n 0 accepted")
	}
	if err := run(context.Background(), options{testdata: t.TempDir(), n: 10, repeat: 1, e2eRepeat: 1}, &out, &out); err == nil {
		t.Error("a testdata directory without labelled sets accepted")
	}
}
