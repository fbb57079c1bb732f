package vigiebin

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigie-edu/vigie/bench/corpus"
)

// script writes an executable shell script standing in for vigie.
func script(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "vigie")
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestWriteJSONL(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.jsonl")
	msgs := []corpus.Message{{Text: "salut \"toi\""}, {Text: "ligne\navec retour"}}
	if err := WriteJSONL(path, msgs); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		var l struct {
			ID   int    `json:"id"`
			Text string `json:"text"`
		}
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("line %d: %v", n+1, err)
		}
		if l.ID != n+1 || l.Text != msgs[n].Text {
			t.Errorf("line %d = %+v", n+1, l)
		}
		n++
	}
	if n != len(msgs) {
		t.Errorf("%d lines, want %d", n, len(msgs))
	}
}

// TestRunScan feeds a stream through a pipe to a stand-in that echoes
// its input (as vigie scan writes one line per message) and checks the
// count and the resource usage read back.
func TestRunScan(t *testing.T) {
	if _, err := os.Stat(TimeCommand); err != nil {
		t.Skipf("GNU time is not installed (apt-get install -y time): %v", err)
	}
	input := filepath.Join(t.TempDir(), "s.jsonl")
	msgs := make([]corpus.Message, 500)
	for i := range msgs {
		msgs[i].Text = "message"
	}
	if err := WriteJSONL(input, msgs); err != nil {
		t.Fatal(err)
	}
	s, err := RunScan(context.Background(), script(t, `[ "$1 $2 $3" = "scan --input jsonl" ] || exit 3; exec cat`), input)
	if err != nil {
		t.Fatal(err)
	}
	if s.Lines != len(msgs) || s.MaxRSS == 0 || s.Wall <= 0 {
		t.Errorf("scan %+v, want %d lines and a peak RSS", s, len(msgs))
	}
	if _, err := RunScan(context.Background(), script(t, "cat >/dev/null; echo rules broken >&2; exit 2"), input); err == nil || !strings.Contains(err.Error(), "rules broken") {
		t.Errorf("a failing scan gave %v", err)
	}
}

// TestRunStartupExitEarly checks that a vigie that exits before it is
// ready is reported with what it logged.
func TestRunStartupExitEarly(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	bin := script(t, `echo '{"level":"error","msg":"cannot open store"}' >&2; exit 1`)
	_, err := RunStartup(ctx, bin, filepath.Join(t.TempDir(), "v.db"), "http://127.0.0.1:1/readyz")
	if err == nil || !strings.Contains(err.Error(), "cannot open store") {
		t.Errorf("got %v, want the early exit with its log", err)
	}
}

func TestMedians(t *testing.T) {
	r := Result{
		Scans:    []Scan{{MaxRSS: 30}, {MaxRSS: 10}, {MaxRSS: 20}},
		Startups: []Startup{{Connected: 3}, {Connected: 1}, {Connected: 2}},
	}
	if got := r.MedianScan().MaxRSS; got != 20 {
		t.Errorf("median RSS %d", got)
	}
	if got := r.MedianStartup().Connected; got != 2 {
		t.Errorf("median start-up %d", got)
	}
}

func TestCleanEnv(t *testing.T) {
	t.Setenv("VIGIE_DISCORD_TOKEN", "secret")
	for _, kv := range cleanEnv() {
		if strings.HasPrefix(kv, "VIGIE_") {
			t.Errorf("%s kept", kv)
		}
	}
}

func TestReadMaxRSS(t *testing.T) {
	dir := t.TempDir()
	for content, want := range map[string]uint64{"73916\n": 73916 * 1024, "Command exited with non-zero status 2\n512\n": 512 * 1024} {
		path := filepath.Join(dir, "rss")
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := readMaxRSS(path)
		if err != nil || got != want {
			t.Errorf("readMaxRSS(%q) = %d, %v; want %d", content, got, err, want)
		}
	}
	for _, bad := range []string{"", "lots\n"} {
		path := filepath.Join(dir, "bad")
		if err := os.WriteFile(path, []byte(bad), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := readMaxRSS(path); err == nil {
			t.Errorf("readMaxRSS(%q) gave no error", bad)
		}
	}
}
