package mattermost

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/vigie-edu/vigie/bot"
)

// apiError writes a Mattermost-style error answer.
func apiError(w http.ResponseWriter, status int, id string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"id":%q,"message":"refused","status_code":%d}`, id, status)
}

// TestErrorMapping calls a real Client4 against a server that answers
// each status, through the adapter's calls, and checks the sentinel
// errors, the permission named and the retry delay.
func TestErrorMapping(t *testing.T) {
	tests := []struct {
		name       string
		status     int
		header     map[string]string
		call       func(context.Context, *Adapter) error
		kind       error
		missing    string
		retryAfter time.Duration
		plain      bool // not a PlatformError: no wait fixes it
	}{
		{name: "delete forbidden", status: 403, call: deleteCall, kind: bot.ErrForbidden, missing: MissingDelete},
		{name: "delete not found", status: 404, call: deleteCall, kind: bot.ErrNotFound},
		{name: "delete rate limited, Retry-After", status: 429, header: map[string]string{"Retry-After": "3"},
			call: deleteCall, kind: bot.ErrRateLimited, retryAfter: 3 * time.Second},
		{name: "rate limited, X-Ratelimit-Reset", status: 429, header: map[string]string{"X-Ratelimit-Reset": "7"},
			call: deleteCall, kind: bot.ErrRateLimited, retryAfter: 7 * time.Second},
		{name: "server error", status: 503, call: deleteCall, kind: bot.ErrUnavailable},
		{name: "bad request", status: 400, call: deleteCall, plain: true},
		{name: "ephemeral forbidden", status: 403, call: func(ctx context.Context, a *Adapter) error {
			return a.PostEphemeral(ctx, bot.ChannelRef{ID: "ch"}, bot.UserRef{ID: "u"}, bot.OutMessage{Body: "x"})
		}, kind: bot.ErrForbidden, missing: MissingEphemeral},
		{name: "remove forbidden", status: 403, call: func(ctx context.Context, a *Adapter) error {
			return a.RemoveFromChannel(ctx, bot.ChannelRef{ID: "ch"}, bot.UserRef{ID: "u"})
		}, kind: bot.ErrForbidden, missing: MissingRemove},
		{name: "direct message refused", status: 403, call: func(ctx context.Context, a *Adapter) error {
			return a.SendDirect(ctx, bot.UserRef{ID: "u"}, bot.OutMessage{Body: "x"})
		}, kind: bot.ErrDirectClosed},
		{name: "member not found", status: 404, call: func(ctx context.Context, a *Adapter) error {
			_, err := a.Member(ctx, "team", bot.UserRef{ID: "u"})
			return err
		}, kind: bot.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if got := r.Header.Get("Authorization"); got != "BEARER "+secretToken && got != "Bearer "+secretToken {
					t.Errorf("Authorization = %q", got)
				}
				switch {
				case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/api/v4/channels/"):
					// Channel lookups succeed: the call under test fails.
					w.Header().Set("Content-Type", "application/json")
					_, _ = w.Write([]byte(`{"id":"ch","team_id":"team","type":"O","name":"classe"}`))
					return
				}
				for k, v := range tt.header {
					w.Header().Set(k, v)
				}
				apiError(w, tt.status, "api.test.app_error")
			}))
			defer srv.Close()
			a := newTestAdapter(t, srv.URL)
			err := tt.call(context.Background(), a)
			if err == nil {
				t.Fatal("no error")
			}
			if strings.Contains(err.Error(), secretToken) {
				t.Fatalf("the error shows the token: %v", err)
			}
			var pe *bot.PlatformError
			if tt.plain {
				if errors.As(err, &pe) {
					t.Fatalf("HTTP %d should be a plain error, got %v", tt.status, err)
				}
				return
			}
			if !errors.As(err, &pe) || !errors.Is(err, tt.kind) {
				t.Fatalf("err = %v, want a PlatformError wrapping %v", err, tt.kind)
			}
			if pe.Status != tt.status || pe.Missing != tt.missing || pe.RetryAfter != tt.retryAfter {
				t.Fatalf("PlatformError = %+v, want status %d, missing %q, retry after %s", pe, tt.status, tt.missing, tt.retryAfter)
			}
		})
	}
}

func deleteCall(ctx context.Context, a *Adapter) error {
	return a.Delete(ctx, bot.MessageRef{Class: "team", Channel: "ch", ID: "post"}, "reason")
}

// newTestAdapter returns an adapter for a server URL that believes it is
// connected as user "bot".
func newTestAdapter(t *testing.T, url string) *Adapter {
	t.Helper()
	a, err := New(Config{URL: url, Token: secretToken}, nil)
	if err != nil {
		t.Fatal(err)
	}
	a.self.ID = "bot"
	return a
}

func TestUnreachableServerIsUnavailable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	a := newTestAdapter(t, url)
	err := deleteCall(context.Background(), a)
	if !errors.Is(err, bot.ErrUnavailable) {
		t.Fatalf("err = %v, want ErrUnavailable", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := deleteCall(ctx, a); !errors.Is(err, bot.ErrUnavailable) {
		t.Fatalf("cancelled: err = %v, want ErrUnavailable", err)
	}
}

func TestTimeoutIsUnsupported(t *testing.T) {
	a := newTestAdapter(t, "http://127.0.0.1:1")
	err := a.Timeout(context.Background(), "team", bot.UserRef{ID: "u"}, time.Minute, "r")
	if !errors.Is(err, bot.ErrUnsupported) {
		t.Fatalf("Timeout = %v, want ErrUnsupported", err)
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		h    http.Header
		want time.Duration
	}{
		{nil, 0},
		{http.Header{"Retry-After": {"2"}}, 2 * time.Second},
		{http.Header{"Retry-After": {"0.5"}}, 500 * time.Millisecond},
		{http.Header{"Retry-After": {now.Add(4 * time.Second).Format(http.TimeFormat)}}, 4 * time.Second},
		{http.Header{"Retry-After": {now.Add(-time.Second).Format(http.TimeFormat)}}, 0},
		{http.Header{"X-Ratelimit-Reset": {"9"}}, 9 * time.Second},
		{http.Header{"Retry-After": {"soon"}, "X-Ratelimit-Reset": {"1"}}, time.Second},
		{http.Header{"Retry-After": {"-3"}}, 0},
	}
	for _, tt := range tests {
		if got := retryAfter(tt.h, now); got != tt.want {
			t.Errorf("retryAfter(%v) = %s, want %s", tt.h, got, tt.want)
		}
	}
}

func TestRedact(t *testing.T) {
	r := redactor{token: secretToken}
	base := errors.New("GET /x?access_token=" + secretToken + ": refused")
	err := r.redact(base)
	if strings.Contains(err.Error(), secretToken) || !errors.Is(err, base) {
		t.Fatalf("redact = %v", err)
	}
	plain := errors.New("nothing secret")
	if r.redact(plain) != plain {
		t.Fatal("an error without the token must be returned as is")
	}
}
