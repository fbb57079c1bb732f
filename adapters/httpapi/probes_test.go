package httpapi_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigie-edu/vigie/adapters/httpapi"
	"github.com/vigie-edu/vigie/bot"
	"github.com/vigie-edu/vigie/bot/bottest"
)

// scrape reads /metrics into series → value ("name{labels}" as
// exposed).
func (e *env) scrape() map[string]float64 {
	e.t.Helper()
	resp, data := e.do(http.MethodGet, "/metrics", "")
	if resp.StatusCode != 200 {
		e.t.Fatalf("GET /metrics: %s", resp.Status)
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			e.t.Fatalf("metrics line %q: %v", line, err)
		}
		out[line[:i]] = v
	}
	return out
}

func TestMetricsMove(t *testing.T) {
	e := newEnv(t, envConfig{})
	rl := e.reloader()
	before := e.scrape()
	e.moderate(httpapi.ModerateRequest{Text: "t'es qu'un gros connard", Class: httpClass, Author: "eleve-1", Lang: "fr"})
	e.moderate(httpapi.ModerateRequest{Text: "bonjour à tous", Class: httpClass, Author: "eleve-2"})
	if err := rl.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	after := e.scrape()
	for _, tt := range []struct {
		series string
		moved  float64
	}{
		{`vigie_messages_seen_total{platform="http"}`, 2},
		{`vigie_verdicts_total{action="remove",category="insult"}`, 1},
		{`vigie_verdicts_total{action="allow",category="none"}`, 1},
		{`vigie_incidents_stored_total`, 1},
		{`vigie_alerts_sent_total{route="webhook"}`, 1},
		{`vigie_classify_seconds_count`, 2},
		{`vigie_platform_failures_total{kind="unsupported",op="delete",platform="http"}`, 0}, // a capability, not a failure
		{`vigie_rules_reloads_total{result="ok"}`, 1},
		{`vigie_http_requests_total{code="200",handler="moderate"}`, 2},
	} {
		if got := after[tt.series] - before[tt.series]; got != tt.moved {
			t.Errorf("%s moved by %v, want %v", tt.series, got, tt.moved)
		}
	}
	for _, s := range []string{`vigie_rules_reloads_total{result="failed"}`, `vigie_rules_version{version="defaults"}`} {
		if _, ok := after[s]; !ok {
			t.Errorf("%s not exposed", s)
		}
	}
}

// statusAdapter is a chat adapter that reports its connection.
type statusAdapter struct {
	*bottest.Adapter
	connected bool
}

func (a statusAdapter) Status() (bool, string) {
	if a.connected {
		return true, "connected as Vigie"
	}
	return false, "reconnecting"
}

func readiness(t *testing.T, e *env) (int, httpapi.Readiness) {
	t.Helper()
	resp, data := e.do(http.MethodGet, "/readyz", "")
	var rd httpapi.Readiness
	if err := json.Unmarshal(data, &rd); err != nil {
		t.Fatalf("readyz: %v: %s", err, data)
	}
	return resp.StatusCode, rd
}

func TestReadyz(t *testing.T) {
	tests := []struct {
		name     string
		adapters []bot.Adapter
		status   int
		states   []string
	}{
		{"no adapter", nil, 200, nil},
		{"connected", []bot.Adapter{statusAdapter{bottest.NewAdapter(bot.Discord), true}}, 200, []string{"connected"}},
		{"disconnected", []bot.Adapter{statusAdapter{bottest.NewAdapter(bot.Discord), true}, statusAdapter{bottest.NewAdapter(bot.Mattermost), false}}, 503, []string{"connected", "disconnected"}},
		{"silent adapter", []bot.Adapter{bottest.NewAdapter(bot.Discord)}, 200, []string{"unknown"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, envConfig{adapters: tt.adapters})
			status, rd := readiness(t, e)
			if status != tt.status || rd.Ready != (tt.status == 200) {
				t.Fatalf("%d %+v, want %d", status, rd, tt.status)
			}
			if !rd.Rules.OK || rd.Rules.Detail != "test@1" || !rd.Store.OK {
				t.Errorf("checks %+v", rd)
			}
			var states []string
			for _, a := range rd.Adapters {
				states = append(states, a.State)
			}
			if strings.Join(states, ",") != strings.Join(tt.states, ",") {
				t.Errorf("adapter states %v, want %v", states, tt.states)
			}
		})
	}
}

func TestReadyzStoreAndRules(t *testing.T) {
	e := newEnv(t, envConfig{})
	if err := e.store.Close(); err != nil {
		t.Fatal(err)
	}
	status, rd := readiness(t, e)
	if status != 503 || rd.Ready || rd.Store.OK || !rd.Rules.OK {
		t.Errorf("store closed: %d %+v", status, rd)
	}
	e.holder.Store(nil)
	if status, rd := readiness(t, e); status != 503 || rd.Rules.OK {
		t.Errorf("no rules: %d %+v", status, rd)
	}
	// Liveness does not depend on them.
	if resp, data := e.do(http.MethodGet, "/healthz", ""); resp.StatusCode != 200 || !strings.Contains(string(data), `"ok"`) {
		t.Errorf("healthz: %s %s", resp.Status, data)
	}
}

func TestServeStopsGracefully(t *testing.T) {
	mod := &blockingBot{entered: make(chan struct{}, 1), release: make(chan struct{})}
	e := newEnv(t, envConfig{moderator: mod})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := httpapi.New(httpapi.Options{Bot: mod, Rules: e.holder, Listener: ln})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Run(ctx, nil) }()
	url := "http://" + ln.Addr().String()
	// /healthz answers once serving; then Status says so.
	if err := httpapi.CheckHealth(context.Background(), http.DefaultClient, url+"/healthz", 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if ok, detail := srv.Status(); !ok || !strings.Contains(detail, ln.Addr().String()) {
		t.Errorf("Status %v %q while serving", ok, detail)
	}

	var wg sync.WaitGroup
	wg.Go(func() {
		resp, err := http.Post(url+"/v1/moderate", "application/json", strings.NewReader(`{"text":"en cours"}`))
		if err != nil {
			t.Errorf("request in flight at shutdown: %v", err)
			return
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("request in flight at shutdown: %s", resp.Status)
		}
	})
	<-mod.entered
	cancel()
	// Serve waits for the request being judged.
	select {
	case err := <-served:
		t.Fatalf("Run returned %v with a request in flight", err)
	case <-time.After(50 * time.Millisecond):
	}
	close(mod.release)
	wg.Wait()
	if err := <-served; err != nil {
		t.Fatalf("Run: %v", err)
	}
	if ok, _ := srv.Status(); ok {
		t.Error("Status still serving after Run returned")
	}
	if _, err := net.Dial("tcp", ln.Addr().String()); err == nil {
		t.Error("the listener is still open")
	}
}

func TestServeNeedsAListener(t *testing.T) {
	srv, err := httpapi.New(httpapi.Options{Bot: failingBot{}, Rules: bot.NewRulesHolder(&bot.Snapshot{})})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Serve(context.Background()); err == nil {
		t.Error("Serve without a listener succeeded")
	}
}

func TestListen(t *testing.T) {
	ctx := context.Background()
	for _, addr := range []string{"127.0.0.1:0", "localhost:0", "127.0.0.2:0"} {
		ln, err := httpapi.Listen(ctx, addr, false)
		if err != nil {
			t.Errorf("Listen(%q) without tokens: %v", addr, err)
			continue
		}
		ln.Close()
	}
	// Refused before anything is bound.
	for _, addr := range []string{"0.0.0.0:8080", ":8080", "[::]:8080", "192.0.2.10:8080", "vigie.example:8080"} {
		_, err := httpapi.Listen(ctx, addr, false)
		if !errors.Is(err, httpapi.ErrNotLoopback) {
			t.Errorf("Listen(%q) without tokens: %v, want ErrNotLoopback", addr, err)
			continue
		}
		if !strings.Contains(err.Error(), httpapi.EnvTokenHashes) || !strings.Contains(err.Error(), "hash-token") {
			t.Errorf("the error does not say how to configure tokens: %v", err)
		}
	}
	if _, err := httpapi.Listen(ctx, "no-port", false); err == nil {
		t.Error("Listen accepted an address without a port")
	}
}

func TestHealthURL(t *testing.T) {
	tests := []struct{ addr, want string }{
		{"127.0.0.1:8080", "http://127.0.0.1:8080/healthz"},
		{"0.0.0.0:8080", "http://127.0.0.1:8080/healthz"},
		{":9090", "http://127.0.0.1:9090/healthz"},
		{"[::]:8080", "http://[::1]:8080/healthz"},
		{"[::1]:8080", "http://[::1]:8080/healthz"},
		{"vigie.internal:8080", "http://vigie.internal:8080/healthz"},
	}
	for _, tt := range tests {
		got, err := httpapi.HealthURL(tt.addr)
		if err != nil || got != tt.want {
			t.Errorf("HealthURL(%q) = %q, %v; want %q", tt.addr, got, err, tt.want)
		}
	}
	if _, err := httpapi.HealthURL("8080"); err == nil {
		t.Error("HealthURL accepted an address without a port")
	}
}

func TestMount(t *testing.T) {
	e := newEnv(t, envConfig{})
	e.srv.Mount("/console/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("console " + r.URL.Path))
	}))
	resp, data := e.do(http.MethodGet, "/console/incidents", "")
	if resp.StatusCode != 200 || string(data) != "console /console/incidents" {
		t.Errorf("mounted handler: %s %s", resp.Status, data)
	}
}
