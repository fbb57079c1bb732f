package httpapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigie-edu/vigie/adapters/httpapi"
	"github.com/vigie-edu/vigie/bot"
	"github.com/vigie-edu/vigie/store"
)

func TestModerateRecordsAndAlerts(t *testing.T) {
	e := newEnv(t, envConfig{})
	text := "t'es qu'un gros connard"
	got := e.moderate(httpapi.ModerateRequest{Text: text, Class: httpClass, Author: "eleve-42", Channel: "devoirs", MessageID: "m-1", Lang: "fr"})

	if got.Action != "remove" {
		t.Fatalf("action %q, want remove: %+v", got.Action, got)
	}
	if len(got.Categories) == 0 || got.Categories[0].Name != "insult" {
		t.Errorf("categories %+v, want insult", got.Categories)
	}
	if got.Language != "fr" || got.LanguageSource != "hint" {
		t.Errorf("language %q from %q, want fr from the hint", got.Language, got.LanguageSource)
	}
	if len(got.Matches) == 0 {
		t.Fatal("no matches")
	}
	for _, m := range got.Matches {
		if m.Rule == "" || m.Span.Start < 0 || m.Span.End > len(text) || text[m.Span.Start:m.Span.End] != m.Text {
			t.Errorf("match %+v does not point into the text", m)
		}
	}
	if got.RulesVersion != "test@1" {
		t.Errorf("rules_version %q", got.RulesVersion)
	}

	// The incident is in the store, as an HTTP incident of the class.
	if !strings.HasPrefix(got.IncidentID, "inc_") {
		t.Fatalf("incident id %q", got.IncidentID)
	}
	inc, err := e.store.Get(context.Background(), got.IncidentID)
	if err != nil {
		t.Fatal(err)
	}
	if inc.Platform != "http" || inc.ClassID != httpClass || inc.AuthorID != "eleve-42" || inc.MessageID != "m-1" || inc.Text != text {
		t.Errorf("stored incident %+v", inc)
	}

	// The teachers were alerted through the class's webhook, signed.
	payloads := e.hook.payloads(t)
	if len(payloads) != 1 {
		t.Fatalf("%d webhook alerts, want 1", len(payloads))
	}
	if p := payloads[0]; p.IncidentID != got.IncidentID || p.Platform != "http" || p.ClassID != httpClass || p.Type != "incident" {
		t.Errorf("webhook payload %+v", p)
	}

	// The steps say so; the removal is the caller's to do.
	steps := map[string]string{}
	for _, s := range got.Steps {
		steps[s.Name+":"+s.Target] = s.Status
	}
	if steps["alert:webhook"] != store.StatusOK {
		t.Errorf("steps %+v: want alert:webhook ok", got.Steps)
	}
	if steps["delete:m-1"] != store.StatusSkipped {
		t.Errorf("steps %+v: want delete skipped (left to the caller)", got.Steps)
	}
	// The author's calm notice, with the helpline, comes back to the
	// caller.
	if len(got.Messages) != 1 || got.Messages[0].To != "eleve-42" || !strings.Contains(got.Messages[0].Footer+got.Messages[0].Body, "3018") {
		t.Errorf("messages %+v: want the author's notice with 3018", got.Messages)
	}
	if steps["notice_author:eleve-42"] != store.StatusOK {
		t.Errorf("steps %+v: want notice_author ok", got.Steps)
	}
}

func TestModerateAllowsOrdinaryText(t *testing.T) {
	e := newEnv(t, envConfig{})
	for _, tt := range []struct{ text, lang string }{
		{"On se retrouve à 14 h pour l'exposé ?", ""},
		{"thanks for your help with exercise 3", "en"},
		{"l'analyse du concours de Sussex", ""},
	} {
		got := e.moderate(httpapi.ModerateRequest{Text: tt.text, Class: httpClass, Author: "eleve-7", Lang: tt.lang})
		if got.Action != "allow" || got.IncidentID != "" || len(got.Categories) != 0 || len(got.Matches) != 0 {
			t.Errorf("%q: %+v, want allow with nothing", tt.text, got)
		}
	}
	if n, err := e.store.Count(context.Background(), store.Filter{}); err != nil || n != 0 {
		t.Errorf("store holds %d incidents (%v), want 0", n, err)
	}
	if p := e.hook.payloads(t); len(p) != 0 {
		t.Errorf("%d alerts for ordinary texts", len(p))
	}
}

func TestModerateLangHint(t *testing.T) {
	e := newEnv(t, envConfig{})
	got := e.moderate(httpapi.ModerateRequest{Text: "bonjour tout le monde", Lang: "en"})
	if got.Language != "en" || got.LanguageSource != "hint" {
		t.Errorf("language %q from %q, want en from the hint", got.Language, got.LanguageSource)
	}
}

func TestAuth(t *testing.T) {
	const good, other = "tok-7f3a9c1e5b2d4f60", "tok-second-0e1d2c3b"
	e := newEnv(t, envConfig{tokens: []string{good, other}})
	body := `{"text":"bonjour"}`
	tests := []struct {
		name, method, path, auth string
		want                     int
	}{
		{"no token", "POST", "/v1/moderate", "", 401},
		{"unknown token", "POST", "/v1/moderate", "Bearer nope", 401},
		{"token of another length", "POST", "/v1/moderate", "Bearer " + good + "x", 401},
		{"basic scheme", "POST", "/v1/moderate", "Basic " + good, 401},
		{"empty bearer", "POST", "/v1/moderate", "Bearer ", 401},
		{"first token", "POST", "/v1/moderate", "Bearer " + good, 200},
		{"second token", "POST", "/v1/moderate", "Bearer " + other, 200},
		{"scheme case", "POST", "/v1/moderate", "bearer " + good, 200},
		{"batch without token", "POST", "/v1/moderate/batch", "", 401},
		{"metrics without token", "GET", "/metrics", "", 401},
		{"metrics with token", "GET", "/metrics", "Bearer " + good, 200},
		{"healthz is open", "GET", "/healthz", "", 200},
		{"readyz is open", "GET", "/readyz", "", 200},
		{"openapi is open", "GET", "/v1/openapi.json", "", 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := body
			if tt.method == "GET" {
				b = ""
			}
			// An empty value removes the header.
			resp, data := e.do(tt.method, tt.path, b, "Authorization", tt.auth)
			if resp.StatusCode != tt.want {
				t.Fatalf("%s %s with %q: %s %s, want %d", tt.method, tt.path, tt.auth, resp.Status, data, tt.want)
			}
			if tt.want == 401 {
				if code := errorCode(t, data); code != httpapi.CodeUnauthorized {
					t.Errorf("code %q", code)
				}
				if !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
					t.Errorf("WWW-Authenticate %q", resp.Header.Get("WWW-Authenticate"))
				}
				if strings.Contains(string(data), good) {
					t.Errorf("the answer quotes a token: %s", data)
				}
			}
		})
	}
}

func TestNoTokensMeansNoAuth(t *testing.T) {
	e := newEnv(t, envConfig{})
	if e.srv.Authenticated() {
		t.Fatal("Authenticated() with no token")
	}
	resp, data := e.do("POST", "/v1/moderate", `{"text":"bonjour"}`)
	if resp.StatusCode != 200 {
		t.Fatalf("%s %s", resp.Status, data)
	}
}

func TestRequestErrors(t *testing.T) {
	e := newEnv(t, envConfig{})
	big := `{"text":"` + strings.Repeat("a", httpapi.MaxBody) + `"}`
	tests := []struct {
		name, method, path, body string
		headers                  []string
		status                   int
		code                     string
	}{
		{"invalid JSON", "POST", "/v1/moderate", `{"text":`, nil, 400, httpapi.CodeBadRequest},
		{"syntax error", "POST", "/v1/moderate", `{"text" "a"}`, nil, 400, httpapi.CodeBadRequest},
		{"unknown field", "POST", "/v1/moderate", `{"text":"a","user":"b"}`, nil, 400, httpapi.CodeBadRequest},
		{"wrong type", "POST", "/v1/moderate", `{"text":42}`, nil, 400, httpapi.CodeBadRequest},
		{"array body", "POST", "/v1/moderate", `[{"text":"a"}]`, nil, 400, httpapi.CodeBadRequest},
		{"two objects", "POST", "/v1/moderate", `{"text":"a"}{"text":"b"}`, nil, 400, httpapi.CodeBadRequest},
		{"trailing garbage", "POST", "/v1/moderate", `{"text":"a"} x`, nil, 400, httpapi.CodeBadRequest},
		{"empty body", "POST", "/v1/moderate", ``, []string{"Content-Type", "application/json"}, 400, httpapi.CodeBadRequest},
		{"too large", "POST", "/v1/moderate", big, nil, 413, httpapi.CodeTooLarge},
		{"text/plain", "POST", "/v1/moderate", `{"text":"a"}`, []string{"Content-Type", "text/plain"}, 415, httpapi.CodeMediaType},
		{"no content type", "POST", "/v1/moderate", `{"text":"a"}`, []string{"Content-Type", ""}, 415, httpapi.CodeMediaType},
		{"latin-1", "POST", "/v1/moderate", `{"text":"a"}`, []string{"Content-Type", "application/json; charset=iso-8859-1"}, 415, httpapi.CodeMediaType},
		{"missing text", "POST", "/v1/moderate", `{"class":"5e-a"}`, nil, 422, httpapi.CodeInvalid},
		{"null text", "POST", "/v1/moderate", `{"text":null}`, nil, 422, httpapi.CodeInvalid},
		{"empty text", "POST", "/v1/moderate", `{"text":""}`, nil, 422, httpapi.CodeInvalid},
		{"bad lang", "POST", "/v1/moderate", `{"text":"a","lang":"FR"}`, nil, 422, httpapi.CodeInvalid},
		{"long author", "POST", "/v1/moderate", `{"text":"a","author":"` + strings.Repeat("x", 257) + `"}`, nil, 422, httpapi.CodeInvalid},
		{"control in class", "POST", "/v1/moderate", `{"text":"a","class":"5e\n-a"}`, nil, 422, httpapi.CodeInvalid},
		{"GET moderate", "GET", "/v1/moderate", ``, nil, 405, httpapi.CodeMethodNotAllowed},
		{"DELETE batch", "DELETE", "/v1/moderate/batch", ``, nil, 405, httpapi.CodeMethodNotAllowed},
		{"POST healthz", "POST", "/healthz", `{}`, nil, 405, httpapi.CodeMethodNotAllowed},
		{"unknown path", "GET", "/v2/moderate", ``, nil, 404, httpapi.CodeNotFound},
		{"root", "GET", "/", ``, nil, 404, httpapi.CodeNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, data := e.do(tt.method, tt.path, tt.body, tt.headers...)
			if resp.StatusCode != tt.status {
				t.Fatalf("%s, want %d: %.300s", resp.Status, tt.status, data)
			}
			if code := errorCode(t, data); code != tt.code {
				t.Errorf("code %q, want %q", code, tt.code)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type %q", ct)
			}
			if tt.status == 405 && resp.Header.Get("Allow") == "" {
				t.Error("405 without Allow")
			}
		})
	}
}

// batchBody builds a batch of n texts.
func batchBody(n int, text func(i int) string) string {
	items := make([]httpapi.ModerateRequest, n)
	for i := range items {
		items[i] = httpapi.ModerateRequest{Text: text(i), Class: httpClass, Author: fmt.Sprintf("eleve-%d", i%7), MessageID: fmt.Sprintf("m-%d", i)}
	}
	b, _ := json.Marshal(httpapi.BatchRequest{Items: items})
	return string(b)
}

func TestBatch(t *testing.T) {
	e := newEnv(t, envConfig{})
	texts := []string{"bonjour à tous", "t'es qu'un gros connard", "merci pour l'exercice", "ferme-la espèce de débile"}
	resp, data := e.do("POST", "/v1/moderate/batch", batchBody(len(texts), func(i int) string { return texts[i] }))
	if resp.StatusCode != 200 {
		t.Fatalf("%s %s", resp.Status, data)
	}
	var got httpapi.BatchResponse
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Results) != len(texts) {
		t.Fatalf("%d results for %d texts", len(got.Results), len(texts))
	}
	want := []string{"allow", "remove", "allow", "remove"}
	for i, r := range got.Results {
		if r.Action != want[i] {
			t.Errorf("item %d %q: %s, want %s", i, texts[i], r.Action, want[i])
		}
		if (r.IncidentID != "") != (want[i] != "allow") {
			t.Errorf("item %d: incident %q", i, r.IncidentID)
		}
		for _, m := range r.Matches {
			if texts[i][m.Span.Start:m.Span.End] != m.Text {
				t.Errorf("item %d: span %+v is not in its own text", i, m)
			}
		}
	}
	// The incidents keep their own message ids.
	inc, err := e.store.Get(context.Background(), got.Results[3].IncidentID)
	if err != nil || inc.MessageID != "m-3" {
		t.Errorf("incident of item 3: %+v, %v", inc, err)
	}
}

func TestBatchLimits(t *testing.T) {
	e := newEnv(t, envConfig{})
	short := func(i int) string { return fmt.Sprintf("message numéro %d", i) }
	tests := []struct {
		name   string
		body   string
		status int
		code   string
	}{
		{"1000 items", batchBody(httpapi.MaxBatch, short), 200, ""},
		{"1001 items", batchBody(httpapi.MaxBatch+1, short), 422, httpapi.CodeInvalid},
		{"no items", `{"items":[]}`, 422, httpapi.CodeInvalid},
		{"missing items", `{}`, 422, httpapi.CodeInvalid},
		{"an empty item", `{"items":[{"text":"a"},{"text":""}]}`, 422, httpapi.CodeInvalid},
		{"over 8 MiB", batchBody(200, func(int) string { return strings.Repeat("é", 22000) }), 413, httpapi.CodeTooLarge},
		{"unknown field in an item", `{"items":[{"text":"a","x":1}]}`, 400, httpapi.CodeBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, data := e.do("POST", "/v1/moderate/batch", tt.body)
			if resp.StatusCode != tt.status {
				t.Fatalf("%s, want %d: %.300s", resp.Status, tt.status, data)
			}
			if tt.code != "" {
				if code := errorCode(t, data); code != tt.code {
					t.Errorf("code %q, want %q", code, tt.code)
				}
				return
			}
			var got httpapi.BatchResponse
			if err := json.Unmarshal(data, &got); err != nil || len(got.Results) != httpapi.MaxBatch {
				t.Errorf("%d results (%v)", len(got.Results), err)
			}
		})
	}
	resp, data := e.do("POST", "/v1/moderate/batch", `{"items":[{"text":"a"},{"text":""}]}`)
	if resp.StatusCode != 422 || !strings.Contains(string(data), "items[1]") {
		t.Errorf("the error does not name the item: %s", data)
	}
}

// blockingBot is a Moderator that waits until released.
type blockingBot struct {
	entered chan struct{}
	release chan struct{}
}

func (b *blockingBot) Handle(ctx context.Context, _ bot.Adapter, _ bot.Event) (*bot.Result, error) {
	b.entered <- struct{}{}
	select {
	case <-b.release:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return &bot.Result{Kind: bot.MessageCreated}, nil
}

func TestTooManyRequests(t *testing.T) {
	mod := &blockingBot{entered: make(chan struct{}, 1), release: make(chan struct{})}
	e := newEnv(t, envConfig{maxInFlight: 1, moderator: mod})
	var wg sync.WaitGroup
	wg.Go(func() {
		resp, data := e.do("POST", "/v1/moderate", `{"text":"premier"}`)
		if resp.StatusCode != 200 {
			t.Errorf("first request: %s %s", resp.Status, data)
		}
	})
	<-mod.entered
	resp, data := e.do("POST", "/v1/moderate", `{"text":"second"}`)
	if resp.StatusCode != http.StatusTooManyRequests || errorCode(t, data) != httpapi.CodeTooMany {
		t.Errorf("second request: %s %s, want 429", resp.Status, data)
	}
	close(mod.release)
	wg.Wait()
	resp, data = e.do("POST", "/v1/moderate", `{"text":"third"}`)
	<-mod.entered
	if resp.StatusCode != 200 {
		t.Errorf("after the first finished: %s %s", resp.Status, data)
	}
}

// failingBot fails every event.
type failingBot struct{}

func (failingBot) Handle(context.Context, bot.Adapter, bot.Event) (*bot.Result, error) {
	return nil, errors.New("store on fire")
}

func TestInternalErrorAndNotReady(t *testing.T) {
	e := newEnv(t, envConfig{moderator: failingBot{}})
	resp, data := e.do("POST", "/v1/moderate", `{"text":"bonjour"}`)
	if resp.StatusCode != 500 || errorCode(t, data) != httpapi.CodeInternal || strings.Contains(string(data), "fire") {
		t.Errorf("%s %s, want a 500 that does not leak the error", resp.Status, data)
	}
	e.holder.Store(nil)
	resp, data = e.do("POST", "/v1/moderate", `{"text":"bonjour"}`)
	if resp.StatusCode != 503 || errorCode(t, data) != httpapi.CodeNotReady {
		t.Errorf("without rules: %s %s, want 503", resp.Status, data)
	}
}

func TestAdapterCalls(t *testing.T) {
	e := newEnv(t, envConfig{})
	var a bot.Adapter = e.srv
	ctx := context.Background()
	if a.Platform() != bot.HTTP {
		t.Errorf("platform %q", a.Platform())
	}
	for name, err := range map[string]error{
		"delete":  a.Delete(ctx, bot.MessageRef{ID: "m"}, "r"),
		"timeout": a.Timeout(ctx, "c", bot.UserRef{ID: "u"}, time.Minute, "r"),
		"remove":  a.RemoveFromChannel(ctx, bot.ChannelRef{ID: "c"}, bot.UserRef{ID: "u"}),
		"dm":      a.SendDirect(ctx, bot.UserRef{ID: "u"}, bot.OutMessage{Body: "b"}),
	} {
		if !errors.Is(err, bot.ErrUnsupported) {
			t.Errorf("%s: %v, want ErrUnsupported", name, err)
		}
	}
	if info, err := a.Class(ctx, httpClass); err != nil || info.ID != httpClass || info.Owner.ID != "" {
		t.Errorf("Class: %+v, %v", info, err)
	}
	if ok, _ := e.srv.Status(); ok {
		t.Error("Status says serving before Serve")
	}
}
