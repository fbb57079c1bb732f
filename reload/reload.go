// Package reload keeps the running rules current. It loads the rules
// (the embedded defaults and a school's rules file over them) into a
// bot.Snapshot, watches the rules file and every file it names (domain
// lists, secret files) and reloads them when they change or when the
// process gets SIGHUP. A new rule set is swapped in atomically
// (bot.RulesHolder); a rule set that fails to load is refused, its
// errors are logged with their file, line and reason and shown by the
// metrics, and the running rules stay in force.
//
// It is a package of its own rather than a file of package rules
// because it is the running server's concern: it needs goroutines, a
// file watcher, signals, metrics and the bot's holder, none of which the
// loader (shared with `vigie rules lint` and `vigie check`) should carry.
package reload

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/vigie-edu/vigie/bot"
	"github.com/vigie-edu/vigie/rules"
)

// DefaultDebounce is how long the watcher waits after the last change
// of a file before it reloads: editors write a file in several steps
// (truncate, write, rename, chmod), and a list may be copied in pieces.
const DefaultDebounce = 200 * time.Millisecond

// maxReason bounds the length of the reason label of
// vigie_rules_reload_error.
const maxReason = 200

// Load loads the rules at path (the embedded defaults only when path is
// empty) and compiles them into a snapshot for the bot. It also returns
// the files the rules were read from, for the watcher. The error, for a
// problem in a rules file, wraps a rules.ErrorList.
func Load(path string) (*bot.Snapshot, []string, error) {
	r, err := rules.Load(path)
	if err != nil {
		return nil, nil, fmt.Errorf("loading rules: %w", err)
	}
	c, err := r.Classifier()
	if err != nil {
		return nil, nil, err
	}
	snap := &bot.Snapshot{
		Classifier: c,
		Config:     r.Bot,
		Version:    Version(path, r.Files),
		Actions:    maps.Clone(r.Filters.Actions),
	}
	return snap, r.Files, nil
}

// Version names a version of the rules: "defaults" for the embedded
// defaults alone, else the rules file's name, "@" and the first 12 hex
// digits of a SHA-256 over the rules file's content and the path, size
// and modification time of every other file read (lists, secret files:
// their content is not hashed, so that a secret never shapes a label).
func Version(path string, files []string) string {
	if path == "" {
		return "defaults"
	}
	h := sha256.New()
	for i, f := range files {
		if i == 0 {
			data, err := os.ReadFile(f)
			if err != nil {
				return path
			}
			h.Write(data)
			continue
		}
		fi, err := os.Stat(f)
		if err != nil {
			fmt.Fprintf(h, "\x00%s\x00missing", f)
			continue
		}
		fmt.Fprintf(h, "\x00%s\x00%d\x00%d", f, fi.Size(), fi.ModTime().UnixNano())
	}
	return path + "@" + hex.EncodeToString(h.Sum(nil))[:12]
}

// Metrics are the reloader's Prometheus metrics.
type Metrics struct {
	// Reloads counts reloads per result, "ok" or "failed".
	Reloads *prometheus.CounterVec // vigie_rules_reloads_total{result}
	// Version is 1 for the version of the rules in force.
	Version *prometheus.GaugeVec // vigie_rules_version{version}
	// Error is 1 for the first error of the last reload while it failed
	// (cleared by a successful reload): its file, line and reason.
	Error *prometheus.GaugeVec // vigie_rules_reload_error{file,line,reason}
	// LastSuccess is the Unix time of the last successful load.
	LastSuccess prometheus.Gauge // vigie_rules_last_reload_success_timestamp_seconds
}

// NewMetrics creates the metrics and registers them on reg (nil: not
// registered). Metrics reg already holds are reused.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		Reloads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigie_rules_reloads_total", Help: "Rules reloads per result (ok, failed).",
		}, []string{"result"}),
		Version: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "vigie_rules_version", Help: "The version of the rules in force (value 1).",
		}, []string{"version"}),
		Error: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "vigie_rules_reload_error", Help: "First error of the last reload while it failed (value 1); absent after a successful reload.",
		}, []string{"file", "line", "reason"}),
		LastSuccess: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "vigie_rules_last_reload_success_timestamp_seconds", Help: "Unix time of the last successful rules load.",
		}),
	}
	// Both results exist from the start, so that rate() sees the first
	// failure.
	m.Reloads.WithLabelValues("ok")
	m.Reloads.WithLabelValues("failed")
	if reg == nil {
		return m, nil
	}
	var err error
	m.Reloads = bot.RegisterCollector(reg, m.Reloads, &err)
	m.Version = bot.RegisterCollector(reg, m.Version, &err)
	m.Error = bot.RegisterCollector(reg, m.Error, &err)
	m.LastSuccess = bot.RegisterCollector(reg, m.LastSuccess, &err)
	if err != nil {
		return nil, fmt.Errorf("reload: %w", err)
	}
	return m, nil
}

// Options configure a Reloader.
type Options struct {
	// Path is the rules file ("" for the embedded defaults alone: there
	// is nothing to watch, SIGHUP still reloads).
	Path string
	// Holder holds the snapshot in force; reloads swap it. Required, and
	// it must already hold the first snapshot.
	Holder *bot.RulesHolder
	// Files are the files the snapshot in force was read from (as Load
	// returned them): the watcher starts with them.
	Files []string
	// Logger receives reloads and their errors; nil: no logs.
	Logger *zap.Logger
	// Registerer registers the metrics; nil: not registered.
	Registerer prometheus.Registerer
	// Debounce is the quiet time after a change before reloading
	// (default DefaultDebounce).
	Debounce time.Duration
	// Load loads a rule set (default: Load).
	Load func(path string) (*bot.Snapshot, []string, error)
	// Now gives the time for the last-success metric (default time.Now).
	Now func() time.Time
}

// Reloader reloads the rules on change and on demand. Build it with New;
// its methods are safe for concurrent use.
type Reloader struct {
	path     string
	holder   *bot.RulesHolder
	log      *zap.Logger
	metrics  *Metrics
	debounce time.Duration
	load     func(string) (*bot.Snapshot, []string, error)
	now      func() time.Time

	mu    sync.Mutex // serialises reloads; guards files
	files []string
}

// New builds a reloader for the snapshot in o.Holder.
func New(o Options) (*Reloader, error) {
	if o.Holder == nil || o.Holder.Current() == nil {
		return nil, errors.New("reload: Options.Holder must hold the first snapshot")
	}
	m, err := NewMetrics(o.Registerer)
	if err != nil {
		return nil, err
	}
	r := &Reloader{
		path: o.Path, holder: o.Holder, log: o.Logger, metrics: m, debounce: o.Debounce,
		load: o.Load, now: o.Now, files: cleanAll(o.Files),
	}
	if r.log == nil {
		r.log = zap.NewNop()
	}
	if r.debounce <= 0 {
		r.debounce = DefaultDebounce
	}
	if r.load == nil {
		r.load = Load
	}
	if r.now == nil {
		r.now = time.Now
	}
	m.Version.Reset()
	m.Version.WithLabelValues(o.Holder.Current().Version).Set(1)
	m.LastSuccess.Set(float64(r.now().Unix()))
	return r, nil
}

// Metrics returns the reloader's metrics.
func (r *Reloader) Metrics() *Metrics { return r.metrics }

// Files returns the files the rules in force were read from.
func (r *Reloader) Files() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.files...)
}

// Reload loads the rules again and swaps them in. When they fail to
// load, the rules in force stay, the errors are logged (file, line,
// reason: never message text, never a secret's content) and counted,
// and Reload returns the error.
func (r *Reloader) Reload(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("reload: %w", err)
	}
	old := r.holder.Current()
	snap, files, err := r.load(r.path)
	if err != nil {
		r.refuse(old, err)
		return err
	}
	r.holder.Store(snap)
	r.files = cleanAll(files)
	r.metrics.Reloads.WithLabelValues("ok").Inc()
	r.metrics.Error.Reset()
	r.metrics.Version.Reset()
	r.metrics.Version.WithLabelValues(snap.Version).Set(1)
	r.metrics.LastSuccess.Set(float64(r.now().Unix()))
	r.log.Info("rules reloaded", zap.String("version", snap.Version), zap.String("previous", old.Version),
		zap.Int("classes", len(snap.Config.Classes)), zap.Int("files", len(files)))
	return nil
}

// refuse counts and logs a failed reload.
func (r *Reloader) refuse(old *bot.Snapshot, err error) {
	r.metrics.Reloads.WithLabelValues("failed").Inc()
	r.metrics.Error.Reset()
	var list rules.ErrorList
	if errors.As(err, &list) && len(list) > 0 {
		first := list[0]
		r.metrics.Error.WithLabelValues(first.File, strconv.Itoa(first.Line), truncate(first.Msg, maxReason)).Set(1)
		const maxLogged = 20
		for i, e := range list {
			if i == maxLogged {
				r.log.Error("rules refused: more errors not logged", zap.Int("more", len(list)-maxLogged))
				break
			}
			r.log.Error("rules refused", zap.String("file", e.File), zap.Int("line", e.Line), zap.Int("col", e.Col),
				zap.String("reason", e.Msg))
		}
	} else {
		r.metrics.Error.WithLabelValues(r.path, "0", truncate(err.Error(), maxReason)).Set(1)
		r.log.Error("rules refused", zap.String("file", r.path), zap.Error(err))
	}
	r.log.Warn("the running rules stay in force", zap.String("version", old.Version))
}

// truncate cuts s to at most n bytes, on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !validStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// validStart reports whether b starts a UTF-8 sequence.
func validStart(b byte) bool { return b&0xC0 != 0x80 }

// Run watches the rules' files and reloads after each change (once the
// files have been quiet for the debounce time) and on every value from
// hup (SIGHUP), until ctx is done. It watches the files' directories,
// not the files, so that an editor's rename-and-replace, a copy over
// the file and a Kubernetes ConfigMap's symlink swap are all seen.
// After each reload it watches the directories of the new rule set's
// files. Run returns nil when ctx is done, or an error when the watcher
// cannot start.
func (r *Reloader) Run(ctx context.Context, hup <-chan os.Signal) error {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("reload: start file watcher: %w", err)
	}
	defer w.Close()
	watched := map[string]bool{}
	r.watch(w, watched)

	var (
		timer *time.Timer
		fire  <-chan time.Time
	)
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-w.Events:
			if !ok {
				return nil
			}
			if !r.relevant(ev) {
				continue
			}
			r.log.Debug("rules file changed", zap.String("file", ev.Name), zap.String("op", ev.Op.String()))
			if timer == nil {
				timer = time.NewTimer(r.debounce)
			} else {
				timer.Reset(r.debounce)
			}
			fire = timer.C
		case err, ok := <-w.Errors:
			if !ok {
				return nil
			}
			r.log.Warn("file watcher error; SIGHUP still reloads", zap.Error(err))
		case <-fire:
			fire = nil
			_ = r.Reload(ctx) // logged and counted
			r.watch(w, watched)
		case <-hup:
			r.log.Info("SIGHUP: reloading the rules")
			_ = r.Reload(ctx)
			r.watch(w, watched)
		}
	}
}

// watch makes w watch the directories of the current files, and stop
// watching directories no file is in any more.
func (r *Reloader) watch(w *fsnotify.Watcher, watched map[string]bool) {
	want := map[string]bool{}
	for _, f := range r.Files() {
		want[filepath.Dir(f)] = true
	}
	for d := range want {
		if watched[d] {
			continue
		}
		if err := w.Add(d); err != nil {
			r.log.Warn("cannot watch a rules directory; SIGHUP still reloads", zap.String("dir", d), zap.Error(err))
			continue
		}
		watched[d] = true
	}
	for d := range watched {
		if !want[d] {
			_ = w.Remove(d)
			delete(watched, d)
		}
	}
}

// relevant reports whether a watcher event may change the rules: a
// write, creation, removal or rename of one of the current files, or of
// a Kubernetes atomic-writer entry ("..data", "..2024_…") next to them.
// A change of permissions alone is not.
func (r *Reloader) relevant(ev fsnotify.Event) bool {
	if ev.Op == fsnotify.Chmod || ev.Op == 0 {
		return false
	}
	name := filepath.Clean(ev.Name)
	files := r.Files()
	for _, f := range files {
		if f == name {
			return true
		}
	}
	if strings.HasPrefix(filepath.Base(name), "..") {
		dir := filepath.Dir(name)
		for _, f := range files {
			if filepath.Dir(f) == dir {
				return true
			}
		}
	}
	return false
}

// cleanAll returns the absolute, cleaned form of paths.
func cleanAll(paths []string) []string {
	out := make([]string, 0, len(paths))
	for _, p := range paths {
		if abs, err := filepath.Abs(p); err == nil {
			p = abs
		}
		out = append(out, filepath.Clean(p))
	}
	return out
}
