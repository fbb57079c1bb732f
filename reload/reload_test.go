package reload_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/vigie-edu/vigie/bot"
	"github.com/vigie-edu/vigie/filters"
	"github.com/vigie-edu/vigie/reload"
)

const (
	// baseRules knows nothing of "zorglub".
	baseRules = "version: 1\nlexicon:\n  fr:\n    insult:\n      - {term: bachibouzouk, severity: high}\n"
	// withZorglub adds it as an insult.
	withZorglub = "version: 1\nlexicon:\n  fr:\n    insult:\n      - {term: bachibouzouk, severity: high}\n      - {term: zorglub, severity: high}\n"
	// broken has an unknown key on line 3.
	broken = "version: 1\nlexicon:\n  fr:\n    insulte: [zorglub]\n"
)

// waitFor polls cond until it holds; the deadline only bounds a broken
// test, it is not what the test asserts.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// writeFile writes data to path.
func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// replaceFile writes data next to path and renames it over path, as
// editors do.
func replaceFile(t *testing.T, path, data string) {
	t.Helper()
	tmp := path + ".tmp~"
	writeFile(t, tmp, data)
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// action classifies text with the rules in force.
func action(h *bot.RulesHolder, text string) filters.Action {
	return h.Current().Classifier.Classify(context.Background(), filters.Message{Text: text, Lang: "fr"}).Action
}

// harness runs a reloader over a rules file in a temporary directory.
type harness struct {
	dir, path string
	holder    *bot.RulesHolder
	rl        *reload.Reloader
	reg       *prometheus.Registry
	logs      *observer.ObservedLogs
	hup       chan os.Signal
}

func start(t *testing.T, content string, extra map[string]string) *harness {
	t.Helper()
	h := &harness{dir: t.TempDir(), reg: prometheus.NewRegistry(), hup: make(chan os.Signal, 1)}
	for name, data := range extra {
		p := filepath.Join(h.dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		writeFile(t, p, data)
	}
	h.path = filepath.Join(h.dir, "vigie.yaml")
	writeFile(t, h.path, content)
	snap, files, err := reload.Load(h.path)
	if err != nil {
		t.Fatal(err)
	}
	h.holder = bot.NewRulesHolder(snap)
	core, logs := observer.New(zap.InfoLevel)
	h.logs = logs
	h.rl, err = reload.New(reload.Options{
		Path: h.path, Holder: h.holder, Files: files, Logger: zap.New(core), Registerer: h.reg,
		Debounce: 20 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := h.rl.Run(ctx, h.hup); err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	t.Cleanup(func() {
		cancel()
		wg.Wait()
	})
	// Run has set up its watches once a reload through SIGHUP is done:
	// the select loop serves the watcher and the signal alike.
	h.hup <- os.Interrupt
	waitFor(t, "the first reload", func() bool { return h.count("ok") == 1 })
	return h
}

func (h *harness) count(result string) float64 {
	var m dto.Metric
	if err := h.rl.Metrics().Reloads.WithLabelValues(result).Write(&m); err != nil {
		panic(err)
	}
	return m.GetCounter().GetValue()
}

// value returns the value of a counter or gauge.
func value(t *testing.T, c prometheus.Metric) float64 {
	t.Helper()
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		t.Fatal(err)
	}
	if m.Counter != nil {
		return m.GetCounter().GetValue()
	}
	return m.GetGauge().GetValue()
}

// series counts the series a collector has.
func series(c prometheus.Collector) int {
	ch := make(chan prometheus.Metric)
	go func() {
		c.Collect(ch)
		close(ch)
	}()
	n := 0
	for range ch {
		n++
	}
	return n
}

func TestReloadAppliesAValidChange(t *testing.T) {
	for _, tt := range []struct {
		name  string
		write func(t *testing.T, path, data string)
	}{
		{"write in place", writeFile},
		{"rename and replace", replaceFile},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := start(t, baseRules, nil)
			before := h.holder.Current()
			if got := action(h.holder, "t'es un zorglub"); got != filters.Allow {
				t.Fatalf("before the change: %s, want allow", got)
			}
			tt.write(t, h.path, withZorglub)
			waitFor(t, "the reload", func() bool { return h.holder.Current() != before })
			if got := action(h.holder, "t'es un zorglub"); got != filters.Remove {
				t.Errorf("after the change: %s, want remove", got)
			}
			if got := h.count("ok"); got != 2 {
				t.Errorf("reloads ok = %v, want 2", got)
			}
			if got := h.count("failed"); got != 0 {
				t.Errorf("reloads failed = %v, want 0", got)
			}
			v := h.holder.Current().Version
			if v == before.Version || !strings.HasPrefix(v, h.path+"@") {
				t.Errorf("version %q after %q: want a new version of %s", v, before.Version, h.path)
			}
			if got := value(t, h.rl.Metrics().Version.WithLabelValues(v)); got != 1 {
				t.Errorf("vigie_rules_version{version=%q} = %v, want 1", v, got)
			}
			if n := series(h.rl.Metrics().Version); n != 1 {
				t.Errorf("vigie_rules_version has %d series, want 1 (the old version dropped)", n)
			}
		})
	}
}

func TestReloadRefusesABrokenChange(t *testing.T) {
	h := start(t, withZorglub, nil)
	before := h.holder.Current()
	replaceFile(t, h.path, broken)
	waitFor(t, "the refused reload", func() bool { return h.count("failed") == 1 })
	if h.holder.Current() != before {
		t.Fatal("the broken rules were swapped in")
	}
	if got := action(h.holder, "t'es un zorglub"); got != filters.Remove {
		t.Errorf("with the old rules: %s, want remove", got)
	}
	// The metric and the log name the line and the reason.
	if n := series(h.rl.Metrics().Error); n != 1 {
		t.Fatalf("vigie_rules_reload_error has %d series, want 1", n)
	}
	var found bool
	for _, e := range h.logs.FilterMessage("rules refused").All() {
		f := e.ContextMap()
		if f["line"] == int64(4) && strings.Contains(f["reason"].(string), "insulte") {
			found = true
		}
	}
	if !found {
		t.Errorf("no log of the error at line 4 naming the key: %v", h.logs.All())
	}
	for _, e := range h.logs.All() {
		if strings.Contains(e.Message+" "+strings.Join(fieldStrings(e.ContextMap()), " "), "t'es un") {
			t.Errorf("a log line holds message text: %v", e)
		}
	}

	// Fixing the file clears the error and applies the fix.
	replaceFile(t, h.path, baseRules)
	waitFor(t, "the fixed reload", func() bool { return h.count("ok") == 2 })
	if n := series(h.rl.Metrics().Error); n != 0 {
		t.Errorf("vigie_rules_reload_error still has %d series after a good reload", n)
	}
	if got := action(h.holder, "t'es un zorglub"); got != filters.Allow {
		t.Errorf("after the fix: %s, want allow", got)
	}
}

func fieldStrings(m map[string]any) []string {
	var out []string
	for _, v := range m {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func TestReloadWatchesListFiles(t *testing.T) {
	rules := "version: 1\nlinks:\n  lists:\n    - {path: lists/blocked.hosts, format: hosts, category: porn_link}\n"
	h := start(t, rules, map[string]string{"lists/blocked.hosts": "# none yet\n"})
	list := filepath.Join(h.dir, "lists", "blocked.hosts")
	if !contains(h.rl.Files(), list) {
		t.Fatalf("watched files %v lack %s", h.rl.Files(), list)
	}
	before := h.holder.Current()
	if got := action(h.holder, "va sur zorglub-example.net"); got != filters.Allow {
		t.Fatalf("before: %s, want allow", got)
	}
	replaceFile(t, list, "0.0.0.0 zorglub-example.net\n")
	waitFor(t, "the reload", func() bool { return h.holder.Current() != before })
	if got := action(h.holder, "va sur zorglub-example.net"); got != filters.Remove {
		t.Errorf("after: %s, want remove", got)
	}
	if h.holder.Current().Version == before.Version {
		t.Errorf("the version did not change with the list")
	}
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func TestSIGHUPReloads(t *testing.T) {
	h := start(t, baseRules, nil)
	before := h.holder.Current()
	h.hup <- os.Interrupt
	waitFor(t, "the reload", func() bool { return h.count("ok") == 2 })
	if h.holder.Current() == before {
		t.Errorf("SIGHUP did not swap in a new snapshot")
	}
}

func TestReloadKeepsTheRulesWhenTheFileIsGone(t *testing.T) {
	h := start(t, withZorglub, nil)
	before := h.holder.Current()
	if err := os.Remove(h.path); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the refused reload", func() bool { return h.count("failed") == 1 })
	if h.holder.Current() != before {
		t.Fatal("rules swapped although the file is gone")
	}
	// Writing it again is seen: the directory is still watched.
	writeFile(t, h.path, baseRules)
	waitFor(t, "the reload", func() bool { return h.count("ok") == 2 })
}

func TestNewNeedsASnapshot(t *testing.T) {
	if _, err := reload.New(reload.Options{Holder: new(bot.RulesHolder)}); err == nil {
		t.Error("New accepted an empty holder")
	}
}

func TestVersion(t *testing.T) {
	dir := t.TempDir()
	rulesFile := filepath.Join(dir, "r.yaml")
	list := filepath.Join(dir, "l.hosts")
	writeFile(t, rulesFile, "version: 1\n")
	writeFile(t, list, "0.0.0.0 a.example\n")
	files := []string{rulesFile, list}
	v1 := reload.Version(rulesFile, files)
	if v2 := reload.Version(rulesFile, files); v2 != v1 {
		t.Errorf("same files, versions %q and %q", v1, v2)
	}
	writeFile(t, list, "0.0.0.0 a.example\n0.0.0.0 b.example\n")
	if v3 := reload.Version(rulesFile, files); v3 == v1 {
		t.Errorf("the list changed, the version did not: %q", v3)
	}
	if got := reload.Version("", nil); got != "defaults" {
		t.Errorf("Version of the defaults = %q", got)
	}
}

// TestReloadSeesAConfigMapUpdate mimics Kubernetes' atomic writer: the
// rules file is a symlink through "..data", which is swapped by a
// rename; the file's own name sees no event.
func TestReloadSeesAConfigMapUpdate(t *testing.T) {
	dir := t.TempDir()
	version := func(name, content string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Join(dir, name), 0o755); err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, name, "vigie.yaml"), content)
	}
	version("..2026_01", baseRules)
	if err := os.Symlink("..2026_01", filepath.Join(dir, "..data")); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "vigie.yaml")
	if err := os.Symlink(filepath.Join("..data", "vigie.yaml"), path); err != nil {
		t.Fatal(err)
	}
	snap, files, err := reload.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	holder := bot.NewRulesHolder(snap)
	rl, err := reload.New(reload.Options{Path: path, Holder: holder, Files: files, Debounce: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	hup := make(chan os.Signal, 1)
	var wg sync.WaitGroup
	wg.Go(func() { _ = rl.Run(ctx, hup) })
	defer func() {
		cancel()
		wg.Wait()
	}()
	count := func() float64 { return value(t, rl.Metrics().Reloads.WithLabelValues("ok")) }
	hup <- os.Interrupt // watching once this is done
	waitFor(t, "the first reload", func() bool { return count() == 1 })

	version("..2026_02", withZorglub)
	if err := os.Symlink("..2026_02", filepath.Join(dir, "..data_tmp")); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(dir, "..data_tmp"), filepath.Join(dir, "..data")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the reload", func() bool { return action(holder, "t'es un zorglub") == filters.Remove })
}
