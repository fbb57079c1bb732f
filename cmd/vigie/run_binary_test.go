package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/vigie-edu/vigie/adapters/httpapi"
	"github.com/vigie-edu/vigie/bot"
	"github.com/vigie-edu/vigie/store"
)

// buildVigie builds the vigie binary into a temporary directory.
func buildVigie(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binary: not in -short mode")
	}
	bin := filepath.Join(t.TempDir(), "vigie")
	// go test puts its own toolchain's bin directory first in PATH.
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("no go command to build with: %v", err)
	}
	out, err := exec.Command(gobin, "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// process is a running `vigie run` whose log lines the test reads.
type process struct {
	t    *testing.T
	cmd  *exec.Cmd
	mu   sync.Mutex
	logs []string
	seen chan struct{} // a new log line arrived
	done chan error
}

func startVigie(t *testing.T, bin string, env []string, args ...string) *process {
	t.Helper()
	p := &process{t: t, cmd: exec.Command(bin, append([]string{"run"}, args...)...), seen: make(chan struct{}, 1), done: make(chan error, 1)}
	p.cmd.Env = env
	stderr, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
		for sc.Scan() {
			p.mu.Lock()
			p.logs = append(p.logs, sc.Text())
			p.mu.Unlock()
			select {
			case p.seen <- struct{}{}:
			default:
			}
		}
		p.done <- p.cmd.Wait()
	}()
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			_ = p.cmd.Process.Kill()
		}
	})
	return p
}

// logLine waits for a JSON log line with message msg and returns it.
func (p *process) logLine(msg string) map[string]any {
	p.t.Helper()
	deadline := time.After(60 * time.Second)
	for i := 0; ; {
		p.mu.Lock()
		lines := p.logs[i:]
		i = len(p.logs)
		p.mu.Unlock()
		for _, l := range lines {
			var m map[string]any
			if json.Unmarshal([]byte(l), &m) == nil && m["msg"] == msg {
				return m
			}
		}
		select {
		case <-p.seen:
		case err := <-p.done:
			p.done <- err
			p.t.Fatalf("vigie exited (%v) before logging %q:\n%s", err, msg, p.allLogs())
		case <-deadline:
			p.t.Fatalf("no log %q:\n%s", msg, p.allLogs())
		}
	}
}

func (p *process) allLogs() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.logs, "\n")
}

// wait waits for the process to exit.
func (p *process) wait() error {
	p.t.Helper()
	select {
	case err := <-p.done:
		return err
	case <-time.After(90 * time.Second):
		p.t.Fatalf("vigie did not stop:\n%s", p.allLogs())
		return nil
	}
}

// poll calls f until it returns true; the deadline only bounds a broken
// test.
func poll(t *testing.T, what string, f func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !f() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// api calls the running API.
type apiClient struct {
	t     *testing.T
	base  string
	token string
}

func (c apiClient) call(method, path, body string) (int, string) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(data)
}

// metric returns the value of one series of /metrics ("" when absent).
func (c apiClient) metric(series string) string {
	c.t.Helper()
	_, body := c.call(http.MethodGet, "/metrics", "")
	for _, line := range strings.Split(body, "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			return v
		}
	}
	return ""
}

func TestBinaryServesReloadsAndStopsCleanly(t *testing.T) {
	bin := buildVigie(t)
	dir := t.TempDir()
	const token = "e2e-token-5d41402abc4b2a76b9719d911017c592"
	const secret = "e2e-webhook-secret"

	var (
		hookMu   sync.Mutex
		hookSigs []bool
	)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		hookMu.Lock()
		hookSigs = append(hookSigs, r.Header.Get(bot.SignatureHeader) == bot.Sign([]byte(secret), body))
		hookMu.Unlock()
	}))
	defer hook.Close()

	rulesFile := filepath.Join(dir, "ecole.yaml")
	writeRules := func(extra string) {
		t.Helper()
		data := "version: 1\n" + extra + `classes:
  - name: "ENT"
    platform: http
    id: ent
    policy:
      webhook: {url: "` + hook.URL + `/vigie", secret_env: VIGIE_E2E_WEBHOOK_SECRET}
      escalation: {after: 0}
`
		tmp := rulesFile + ".tmp"
		if err := os.WriteFile(tmp, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, rulesFile); err != nil {
			t.Fatal(err)
		}
	}
	writeRules("")
	dsn := filepath.Join(dir, "vigie.db")
	env := []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + dir,
		httpapi.EnvTokenHashes + "=" + httpapi.HashToken(token),
		"VIGIE_E2E_WEBHOOK_SECRET=" + secret,
	}

	// The hash to configure, as an operator makes it.
	hashCmd := exec.Command(bin, "api", "hash-token")
	hashCmd.Stdin = strings.NewReader(token + "\n")
	if out, err := hashCmd.Output(); err != nil || strings.TrimSpace(string(out)) != httpapi.HashToken(token) {
		t.Fatalf("vigie api hash-token: %q, %v", out, err)
	}

	// Without tokens, an address beyond loopback is refused at once.
	out, err := exec.Command(bin, "run", "--listen", "0.0.0.0:0", "--store", filepath.Join(dir, "refused.db")).CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() == 0 || !strings.Contains(string(out), "refusing") || !strings.Contains(string(out), "hash-token") {
		t.Errorf("non-loopback without tokens: %v\n%s", err, out)
	}

	p := startVigie(t, bin, env, "--rules", rulesFile, "--store", dsn, "--listen", "127.0.0.1:0", "--log-format", "json")
	running := p.logLine("Vigie running")
	addr, _ := running["listen"].(string)
	if addr == "" {
		t.Fatalf("no address in %v", running)
	}
	c := apiClient{t: t, base: "http://" + addr, token: token}
	poll(t, "/readyz", func() bool { code, _ := c.call(http.MethodGet, "/readyz", ""); return code == 200 })

	// The health check command, as the Docker HEALTHCHECK runs it.
	if out, err := exec.Command(bin, "healthcheck", "--listen", addr).CombinedOutput(); err != nil {
		t.Errorf("vigie healthcheck: %v\n%s", err, out)
	}

	// A message: judged, recorded, the webhook alerted.
	code, body := c.call(http.MethodPost, "/v1/moderate", `{"text":"t'es qu'un gros connard","class":"ent","author":"eleve-1","message_id":"m-1"}`)
	if code != 200 {
		t.Fatalf("moderate: %d %s", code, body)
	}
	var resp httpapi.ModerateResponse
	if err := json.Unmarshal([]byte(body), &resp); err != nil || resp.Action != "remove" || resp.IncidentID == "" {
		t.Fatalf("moderate: %v %s", err, body)
	}
	hookMu.Lock()
	if len(hookSigs) != 1 || !hookSigs[0] {
		t.Errorf("webhook calls (signature valid): %v", hookSigs)
	}
	hookMu.Unlock()
	if code, _ := (apiClient{t: t, base: c.base}).call(http.MethodPost, "/v1/moderate", `{"text":"x"}`); code != 401 {
		t.Errorf("without a token: %d, want 401", code)
	}
	if v := c.metric("vigie_incidents_stored_total"); v != "1" {
		t.Errorf("vigie_incidents_stored_total = %q, want 1", v)
	}

	// A change of the rules file is applied…
	word := `{"text":"espèce de zorglub","class":"ent","author":"eleve-2","lang":"fr"}`
	if _, body := c.call(http.MethodPost, "/v1/moderate", word); !strings.Contains(body, `"action":"allow"`) {
		t.Fatalf("before the change: %s", body)
	}
	writeRules("lexicon:\n  fr:\n    insult: [zorglub]\n")
	poll(t, "the reload", func() bool { return c.metric(`vigie_rules_reloads_total{result="ok"}`) == "1" })
	if _, body := c.call(http.MethodPost, "/v1/moderate", word); !strings.Contains(body, `"action":"remove"`) {
		t.Errorf("after the change: %s", body)
	}
	// …a broken one refused, the rules in force kept…
	writeRules("lexicon:\n  fr:\n    insulte: [zorglub]\n")
	poll(t, "the refused reload", func() bool { return c.metric(`vigie_rules_reloads_total{result="failed"}`) == "1" })
	if _, body := c.call(http.MethodPost, "/v1/moderate", word); !strings.Contains(body, `"action":"remove"`) {
		t.Errorf("after the broken change: %s", body)
	}
	refused := p.logLine("rules refused")
	if refused["line"] == nil || !strings.Contains(refused["reason"].(string), "insulte") {
		t.Errorf("refusal log %v", refused)
	}
	// …and SIGHUP reloads (and does not kill).
	writeRules("lexicon:\n  fr:\n    insult: [zorglub]\n")
	poll(t, "the fixed reload", func() bool { return c.metric(`vigie_rules_reloads_total{result="ok"}`) == "2" })
	if err := p.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	poll(t, "the SIGHUP reload", func() bool { return c.metric(`vigie_rules_reloads_total{result="ok"}`) == "3" })

	// SIGTERM: a clean stop, exit status 0, the store closed.
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := p.wait(); err != nil {
		t.Fatalf("exit: %v\n%s", err, p.allLogs())
	}
	p.logLine("incident store closed")
	p.logLine("stopped")
	logs := p.allLogs()
	for _, secretText := range []string{token, secret, "connard", "zorglub\""} {
		if strings.Contains(logs, secretText) {
			t.Errorf("the logs hold %q", secretText)
		}
	}
	if out, err := exec.Command(bin, "healthcheck", "--listen", addr, "--timeout", "2s").CombinedOutput(); err == nil {
		t.Errorf("vigie healthcheck succeeded after the stop: %s", out)
	}

	st, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	inc, err := st.Get(context.Background(), resp.IncidentID)
	if err != nil || inc.Platform != "http" || inc.ClassID != "ent" || inc.MessageID != "m-1" {
		t.Errorf("stored incident %+v, %v", inc, err)
	}
}
