// Package vigiebin measures the built vigie binary: the peak resident
// memory (with GNU time) and wall time of `vigie scan` over a generated
// stream fed as JSONL through a pipe, and the start-up time of `vigie
// run` until it is ready, connected to an in-process fake Discord.
package vigiebin

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/vigie-edu/vigie/adapters/discord/fakediscord"
	"github.com/vigie-edu/vigie/bench/corpus"
)

// Config says what to measure.
type Config struct {
	// ModuleDir is the Vigie module's directory (its cmd/vigie is
	// built).
	ModuleDir string
	// Binary, when set, is a built vigie binary used instead of building
	// one.
	Binary string
	Stream []corpus.Message // the messages `vigie scan` judges
	Repeat int              // runs of each measurement; the median is reported (default 3)
	// ReadyURL is polled during start-up when the binary has no --listen
	// flag; a 200 answer counts as ready (default
	// http://127.0.0.1:8080/readyz). With --listen, vigie run is given a
	// free loopback port and its /readyz there is polled.
	ReadyURL string
}

// Scan is one `vigie scan` run.
type Scan struct {
	Wall   time.Duration
	MaxRSS uint64 // peak resident set size in bytes, as GNU time reports it
	Lines  int    // verdict lines written
}

// TimeCommand is GNU time, which RunScan runs vigie under to read its
// peak resident set size.
//
// The rusage of a child of this process would not do: a child started
// from a large process (this one holds the stream and the compared
// filters) inherits its parent's high-water mark when it execs, so its
// ru_maxrss is at least the parent's RSS. GNU time is small.
const TimeCommand = "/usr/bin/time"

// Startup is one `vigie run` start.
type Startup struct {
	// LogReady is the time to the log line saying Vigie runs ("Vigie
	// running").
	LogReady time.Duration
	// Connected is the time until the fake Discord saw the bot connected
	// with its slash commands registered: ready to moderate.
	Connected time.Duration
	// Readyz is the time until ReadyURL answered 200, 0 when it never
	// did (the HTTP API is not there).
	Readyz time.Duration
}

// Result is the medians of the runs, and every run.
type Result struct {
	Scans    []Scan
	Startups []Startup
	Messages int
	Binary   string
}

// MedianScan returns the scan of median peak memory.
func (r Result) MedianScan() Scan {
	s := slices.Clone(r.Scans)
	slices.SortFunc(s, func(a, b Scan) int { return int(a.MaxRSS) - int(b.MaxRSS) })
	return s[(len(s)-1)/2]
}

// MedianStartup returns the start-up of median time to connection.
func (r Result) MedianStartup() Startup {
	s := slices.Clone(r.Startups)
	slices.SortFunc(s, func(a, b Startup) int { return int(a.Connected - b.Connected) })
	return s[(len(s)-1)/2]
}

// Measure builds the binary (unless cfg.Binary is set) and measures
// scan and run cfg.Repeat times each.
func Measure(ctx context.Context, cfg Config) (Result, error) {
	if cfg.Repeat < 1 {
		cfg.Repeat = 3
	}
	if cfg.ReadyURL == "" {
		cfg.ReadyURL = "http://127.0.0.1:8080/readyz"
	}
	dir, err := os.MkdirTemp("", "vigie-bin-")
	if err != nil {
		return Result{}, fmt.Errorf("temporary directory: %w", err)
	}
	defer os.RemoveAll(dir)
	bin := cfg.Binary
	if bin == "" {
		bin = filepath.Join(dir, "vigie")
		if err := Build(ctx, cfg.ModuleDir, bin); err != nil {
			return Result{}, err
		}
	}
	input := filepath.Join(dir, "stream.jsonl")
	if err := WriteJSONL(input, cfg.Stream); err != nil {
		return Result{}, err
	}
	res := Result{Messages: len(cfg.Stream), Binary: bin}
	for range cfg.Repeat {
		s, err := RunScan(ctx, bin, input)
		if err != nil {
			return Result{}, err
		}
		if s.Lines != len(cfg.Stream) {
			return Result{}, fmt.Errorf("vigie scan wrote %d verdicts for %d messages", s.Lines, len(cfg.Stream))
		}
		res.Scans = append(res.Scans, s)
	}
	listen := supportsListen(ctx, bin)
	for i := range cfg.Repeat {
		var extra []string
		readyURL := cfg.ReadyURL
		if listen {
			addr, err := freeLoopback()
			if err != nil {
				return Result{}, err
			}
			extra = []string{"--listen", addr}
			readyURL = "http://" + addr + "/readyz"
		}
		st, err := RunStartup(ctx, bin, filepath.Join(dir, fmt.Sprintf("run-%d.db", i)), readyURL, extra...)
		if err != nil {
			return Result{}, err
		}
		res.Startups = append(res.Startups, st)
	}
	return res, nil
}

// Build builds moduleDir/cmd/vigie into out.
func Build(ctx context.Context, moduleDir, out string) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, "./cmd/vigie")
	cmd.Dir = moduleDir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build ./cmd/vigie: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	return nil
}

// WriteJSONL writes msgs as `vigie scan --input jsonl` lines
// ({"id": N, "text": …}) to path.
func WriteJSONL(path string, msgs []corpus.Message) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("writing the stream: %w", err)
	}
	w := bufio.NewWriter(f)
	enc := json.NewEncoder(w)
	for i, m := range msgs {
		if err := enc.Encode(struct {
			ID   int    `json:"id"`
			Text string `json:"text"`
		}{i + 1, m.Text}); err != nil {
			f.Close()
			return fmt.Errorf("writing the stream: %w", err)
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("writing the stream: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing the stream: %w", err)
	}
	return nil
}

// RunScan runs `bin scan --input jsonl` under GNU time, feeding it the
// file input through a pipe (cat-like, from this process), counts its
// output lines and returns its wall time and peak RSS.
func RunScan(ctx context.Context, bin, input string) (Scan, error) {
	in, err := os.Open(input)
	if err != nil {
		return Scan{}, fmt.Errorf("vigie scan: %w", err)
	}
	defer in.Close()
	if _, err := os.Stat(TimeCommand); err != nil {
		return Scan{}, fmt.Errorf("vigie scan: measuring memory needs GNU time (apt-get install -y time): %w", err)
	}
	rssFile, err := os.CreateTemp("", "vigie-rss-")
	if err != nil {
		return Scan{}, fmt.Errorf("vigie scan: %w", err)
	}
	rssFile.Close()
	defer os.Remove(rssFile.Name())
	cmd := exec.CommandContext(ctx, TimeCommand, "-f", "%M", "-o", rssFile.Name(), bin, "scan", "--input", "jsonl")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return Scan{}, fmt.Errorf("vigie scan: %w", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return Scan{}, fmt.Errorf("vigie scan: %w", err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return Scan{}, fmt.Errorf("vigie scan: %w", err)
	}
	copyErr := make(chan error, 1)
	go func() {
		_, err := io.Copy(stdin, in)
		if cerr := stdin.Close(); err == nil {
			err = cerr
		}
		copyErr <- err
	}()
	lines := 0
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
	for sc.Scan() {
		lines++
	}
	scanErr := sc.Err()
	waitErr := cmd.Wait()
	wall := time.Since(start)
	if err := errors.Join(waitErr, scanErr, <-copyErr); err != nil {
		return Scan{}, fmt.Errorf("vigie scan: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	rss, err := readMaxRSS(rssFile.Name())
	if err != nil {
		return Scan{}, fmt.Errorf("vigie scan: %w", err)
	}
	return Scan{Wall: wall, MaxRSS: rss, Lines: lines}, nil
}

// readMaxRSS reads the peak RSS GNU time wrote with -f %M (kilobytes)
// and returns it in bytes.
func readMaxRSS(path string) (uint64, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, fmt.Errorf("reading GNU time's output: %w", err)
	}
	fields := strings.Fields(string(data))
	if len(fields) == 0 {
		return 0, fmt.Errorf("GNU time wrote no peak RSS")
	}
	kb, err := strconv.ParseUint(fields[len(fields)-1], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("GNU time's peak RSS %q: %w", fields[len(fields)-1], err)
	}
	return kb * 1024, nil
}

// readyLine is what `vigie run` logs once it has started its platforms.
const readyLine = "Vigie running"

// RunStartup starts `bin run` with a fresh SQLite store at dbPath and
// the Discord platform pointed at an in-process fake Discord (and args
// after the others), and
// measures the time to the ready log line, to the bot's connection with
// its commands registered, and to readyURL answering 200 (if it does
// within the wait; not polled when something already answered there
// before vigie started); then it stops vigie with SIGTERM.
func RunStartup(ctx context.Context, bin, dbPath, readyURL string, args ...string) (Startup, error) {
	fake := fakediscord.New()
	defer fake.Close()
	fake.AddUser("510000000000000001", "Mme Directrice", false)
	fake.AddGuild("210000000000000001", "Collège", "510000000000000001")

	client := &http.Client{Timeout: 200 * time.Millisecond}
	if readyOK(client, readyURL) {
		readyURL = "" // something else answers there: it would not measure vigie
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	cmd := exec.Command(bin, append([]string{"run", "--store", dbPath, "--log-format", "json"}, args...)...)
	cmd.Env = append(cleanEnv(), "VIGIE_DISCORD_TOKEN="+fake.Token(), "VIGIE_DISCORD_API_URL="+fake.URL())
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return Startup{}, fmt.Errorf("vigie run: %w", err)
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return Startup{}, fmt.Errorf("vigie run: %w", err)
	}
	var st Startup
	var mu sync.Mutex
	var tail []string
	logReady := make(chan struct{})
	logDone := make(chan struct{})
	go func() {
		defer close(logDone)
		sc := bufio.NewScanner(stderr)
		once := sync.Once{}
		for sc.Scan() {
			line := sc.Text()
			mu.Lock()
			tail = append(tail, line)
			if len(tail) > 20 {
				tail = tail[1:]
			}
			mu.Unlock()
			if strings.Contains(line, readyLine) {
				once.Do(func() {
					mu.Lock()
					st.LogReady = time.Since(start)
					mu.Unlock()
					close(logReady)
				})
			}
		}
	}()
	exited := make(chan error, 1)
	go func() {
		<-logDone
		exited <- cmd.Wait()
	}()

	poll := time.NewTicker(2 * time.Millisecond)
	defer poll.Stop()
	connected := false
	for !connected || readyURL != "" && st.Readyz == 0 && time.Since(start) < 2*time.Second+st.Connected {
		select {
		case <-ctx.Done():
			_ = cmd.Process.Kill()
			<-exited
			return Startup{}, fmt.Errorf("vigie run: not ready within a minute: %s", strings.Join(tail, "\n"))
		case err := <-exited:
			mu.Lock()
			defer mu.Unlock()
			return Startup{}, fmt.Errorf("vigie run exited early (%v): %s", err, strings.Join(tail, "\n"))
		case <-poll.C:
		}
		if !connected && fake.Connected() && len(fake.Commands("")) > 0 {
			connected = true
			st.Connected = time.Since(start)
		}
		if st.Readyz == 0 && readyURL != "" && readyOK(client, readyURL) {
			st.Readyz = time.Since(start)
		}
	}
	select {
	case <-logReady:
	case <-time.After(10 * time.Second):
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		<-exited
		return Startup{}, errors.New("vigie run did not stop within 30 s of SIGTERM")
	}
	mu.Lock()
	defer mu.Unlock()
	return st, nil
}

// supportsListen reports whether `bin run` has a --listen flag (the
// HTTP API with /readyz).
func supportsListen(ctx context.Context, bin string) bool {
	out, err := exec.CommandContext(ctx, bin, "run", "--help").CombinedOutput()
	return err == nil && bytes.Contains(out, []byte("--listen"))
}

// freeLoopback returns a loopback address with a port free now.
func freeLoopback() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("finding a free port: %w", err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		return "", fmt.Errorf("finding a free port: %w", err)
	}
	return addr, nil
}

func readyOK(c *http.Client, url string) bool {
	resp, err := c.Get(url)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode == http.StatusOK
}

// cleanEnv is the environment without Vigie's own variables, so that a
// developer's settings do not change the measurement.
func cleanEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "VIGIE_") {
			out = append(out, kv)
		}
	}
	return out
}
