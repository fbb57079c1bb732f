package bot_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"

	"github.com/vigie-edu/vigie/bot"
	"github.com/vigie-edu/vigie/store"
)

// hookServer records webhook requests and answers them with statuses in
// turn (200 when they run out).
type hookServer struct {
	mu       sync.Mutex
	statuses []int
	bodies   [][]byte
	sigs     []string
}

func (h *hookServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	h.mu.Lock()
	h.bodies = append(h.bodies, body)
	h.sigs = append(h.sigs, r.Header.Get(bot.SignatureHeader))
	status := http.StatusOK
	if len(h.statuses) > 0 {
		status, h.statuses = h.statuses[0], h.statuses[1:]
	}
	h.mu.Unlock()
	w.WriteHeader(status)
}

func webhookEnv(t *testing.T, h *hookServer) (*env, string) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	url := srv.URL + "/hooks/TOKEN-abc123"
	p := testPolicy("en")
	p.AlertChannel = ""
	p.Webhook = bot.Webhook{URL: url, Secret: "s3cret-key"}
	return newEnv(t, withPolicy(p)), url
}

func TestWebhookAlertSignedAndRetried(t *testing.T) {
	h := &hookServer{statuses: []int{http.StatusServiceUnavailable}}
	e, _ := webhookEnv(t, h)
	res := e.handle(e.message("idiot"))

	if len(h.bodies) != 2 {
		t.Fatalf("%d webhook requests, want 2 (one retry after 503)", len(h.bodies))
	}
	body := h.bodies[1]
	if want := bot.Sign([]byte("s3cret-key"), body); h.sigs[1] != want {
		t.Fatalf("signature %q, want %q", h.sigs[1], want)
	}
	var p bot.WebhookPayload
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatal(err)
	}
	if p.Type != "incident" || p.IncidentID != res.IncidentID || p.Author.ID != student || p.Evidence != "idiot" ||
		!slices.Contains(p.Categories, "insult") || p.Action != "remove" || p.ClassID != class {
		t.Fatalf("payload = %+v", p)
	}
	s := steps(e.incident(res.IncidentID), store.StepAlert)
	if len(s) != 1 || s[0].Target != "webhook" || s[0].Status != store.StatusOK {
		t.Fatalf("alert steps = %+v", s)
	}
	if v := counter(t, e.bot.Metrics().AlertsSent.WithLabelValues("webhook")); v != 1 {
		t.Fatalf("webhook alerts = %v", v)
	}
	if len(e.ad.DirectsTo(owner)) != 0 {
		t.Fatal("the owner was alerted although the webhook is a route")
	}
}

func TestWebhookRefusedIsNotRetriedNorLeaksItsURL(t *testing.T) {
	h := &hookServer{statuses: []int{http.StatusForbidden}}
	e, _ := webhookEnv(t, h)
	res := e.handle(e.message("idiot"))
	if len(h.bodies) != 1 {
		t.Fatalf("%d requests, want 1", len(h.bodies))
	}
	s := steps(e.incident(res.IncidentID), store.StepAlert)
	if len(s) != 1 || s[0].Status != store.StatusFailed {
		t.Fatalf("alert steps = %+v", s)
	}
	mustContain(t, "detail", s[0].Detail, "HTTP 403")
	mustNotContain(t, "detail", s[0].Detail, "TOKEN-abc123", "s3cret-key")
}

func TestWebhookUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL + "/hooks/TOKEN-abc123"
	srv.Close() // nothing listens there any more
	p := testPolicy("en")
	p.AlertChannel = ""
	p.Webhook = bot.Webhook{URL: url, Secret: "s3cret-key"}
	e := newEnv(t, withPolicy(p))
	res := e.handle(e.message("idiot"))
	s := steps(e.incident(res.IncidentID), store.StepAlert)
	if len(s) != 1 || s[0].Status != store.StatusFailed {
		t.Fatalf("alert steps = %+v", s)
	}
	mustNotContain(t, "detail", s[0].Detail, "TOKEN-abc123", "s3cret-key")
	if n := len(e.clock.Sleeps()); n != 3 {
		t.Fatalf("%d backoff waits, want 3 (4 attempts)", n)
	}
}
