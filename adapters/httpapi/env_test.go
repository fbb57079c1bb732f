package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigie-edu/vigie/adapters/httpapi"
	"github.com/vigie-edu/vigie/bot"
	"github.com/vigie-edu/vigie/reload"
	"github.com/vigie-edu/vigie/rules"
	"github.com/vigie-edu/vigie/store"
)

// The test school: one HTTP class whose alerts go to a webhook.
const (
	httpClass     = "5e-a"
	webhookSecret = "webhook-test-secret"
	schoolRules   = `version: 1
classes:
  - name: "5e A"
    platform: http
    id: "5e-a"
    policy:
      locale: fr
      escalation: {after: 0}
`
)

// webhook records the alerts it receives.
type webhook struct {
	mu       sync.Mutex
	bodies   [][]byte
	sigs     []string
	received chan struct{}
}

func (h *webhook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	h.mu.Lock()
	h.bodies = append(h.bodies, body)
	h.sigs = append(h.sigs, r.Header.Get(bot.SignatureHeader))
	h.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

func (h *webhook) payloads(t *testing.T) []bot.WebhookPayload {
	t.Helper()
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []bot.WebhookPayload
	for i, b := range h.bodies {
		if want := bot.Sign([]byte(webhookSecret), b); h.sigs[i] != want {
			t.Errorf("webhook body %d signed %q, want %q", i, h.sigs[i], want)
		}
		var p bot.WebhookPayload
		if err := json.Unmarshal(b, &p); err != nil {
			t.Fatalf("webhook body %d: %v", i, err)
		}
		out = append(out, p)
	}
	return out
}

// env is a server over a real bot, the default rules and an in-memory
// store.
type env struct {
	t      testing.TB
	srv    *httpapi.Server
	http   *httptest.Server
	store  store.Store
	reg    *prometheus.Registry
	holder *bot.RulesHolder
	hook   *webhook
	token  string
}

type envConfig struct {
	tokens      []string
	adapters    []bot.Adapter
	maxInFlight int
	moderator   httpapi.Moderator
}

func newEnv(t testing.TB, cfg envConfig) *env {
	t.Helper()
	ctx := context.Background()
	r, err := rules.Parse("school.yaml", []byte(schoolRules), nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err := r.Classifier()
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, reg: prometheus.NewRegistry(), hook: &webhook{}}
	hookSrv := httptest.NewServer(e.hook)
	t.Cleanup(hookSrv.Close)
	for i := range r.Bot.Classes {
		if r.Bot.Classes[i].Platform == bot.HTTP {
			r.Bot.Classes[i].Policy.Webhook = bot.Webhook{URL: hookSrv.URL + "/alerts", Secret: webhookSecret}
		}
	}
	e.holder = bot.NewRulesHolder(&bot.Snapshot{Classifier: c, Config: r.Bot, Version: "test@1", Actions: r.Filters.Actions})
	e.store, err = store.Open(ctx, ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.store.Close() })
	b, err := bot.New(bot.Options{Rules: e.holder, Store: e.store, Registerer: e.reg})
	if err != nil {
		t.Fatal(err)
	}
	var tokens *httpapi.Tokens
	if len(cfg.tokens) > 0 {
		var hashes []string
		for _, tok := range cfg.tokens {
			hashes = append(hashes, httpapi.HashToken(tok))
		}
		tokens, err = httpapi.ParseTokenHashes("test", strings.Join(hashes, ","))
		if err != nil {
			t.Fatal(err)
		}
		e.token = cfg.tokens[0]
	}
	var mod httpapi.Moderator = b
	if cfg.moderator != nil {
		mod = cfg.moderator
	}
	e.srv, err = httpapi.New(httpapi.Options{
		Bot: mod, Rules: e.holder, Store: e.store, Adapters: cfg.adapters, Tokens: tokens,
		Gatherer: e.reg, Registerer: e.reg, MaxInFlight: cfg.maxInFlight,
		Now: func() time.Time { return time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC) },
	})
	if err != nil {
		t.Fatal(err)
	}
	e.http = httptest.NewServer(e.srv.Handler())
	t.Cleanup(e.http.Close)
	return e
}

// do sends a request; body is sent as is. A JSON content type and the
// env's token are set unless headers say otherwise.
func (e *env) do(method, path, body string, headers ...string) (*http.Response, []byte) {
	e.t.Helper()
	req, err := http.NewRequest(method, e.http.URL+path, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if e.token != "" {
		req.Header.Set("Authorization", "Bearer "+e.token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "" {
			req.Header.Del(headers[i])
		} else {
			req.Header.Set(headers[i], headers[i+1])
		}
	}
	resp, err := e.http.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp, data
}

// moderate posts one request and decodes a 200 answer.
func (e *env) moderate(req httpapi.ModerateRequest) httpapi.ModerateResponse {
	e.t.Helper()
	body, _ := json.Marshal(req)
	resp, data := e.do(http.MethodPost, "/v1/moderate", string(body))
	if resp.StatusCode != http.StatusOK {
		e.t.Fatalf("POST /v1/moderate: %s %s", resp.Status, data)
	}
	var out httpapi.ModerateResponse
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&out); err != nil {
		e.t.Fatalf("answer: %v: %s", err, data)
	}
	return out
}

// errorCode decodes an error answer's code, failing on any other shape.
func errorCode(t *testing.T, data []byte) string {
	t.Helper()
	var body httpapi.ErrorBody
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil || body.Error.Code == "" || body.Error.Message == "" {
		t.Fatalf("not a JSON error answer (%v): %s", err, data)
	}
	return body.Error.Code
}

// reloadMetrics registers the reloader's metrics on the env's registry
// and returns a reloader over the defaults.
func (e *env) reloader() *reload.Reloader {
	e.t.Helper()
	rl, err := reload.New(reload.Options{Holder: e.holder, Registerer: e.reg})
	if err != nil {
		e.t.Fatal(err)
	}
	return rl
}
