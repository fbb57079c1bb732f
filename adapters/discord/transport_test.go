package discord

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// roundTripFunc is a RoundTripper made of a function.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestRewriteTransport checks that a request for discord.com goes to the
// configured base without the caller's request being changed, that its
// context carries a deadline, and that the context is released when the
// answer's body is closed.
func TestRewriteTransport(t *testing.T) {
	base, _ := url.Parse("http://127.0.0.1:9/fake")
	var sent *http.Request
	rt := &rewriteTransport{base: base, timeout: time.Minute, next: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		sent = r
		return &http.Response{StatusCode: http.StatusNoContent, Body: io.NopCloser(strings.NewReader("")), Request: r}, nil
	})}
	req, _ := http.NewRequest(http.MethodDelete, "https://discord.com/api/v9/channels/1/messages/2", nil)
	resp, err := rt.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	if got := sent.URL.String(); got != "http://127.0.0.1:9/fake/api/v9/channels/1/messages/2" {
		t.Errorf("sent to %s", got)
	}
	if req.URL.String() != "https://discord.com/api/v9/channels/1/messages/2" || req.Context() == sent.Context() {
		t.Errorf("the caller's request was changed: %s", req.URL)
	}
	if _, ok := sent.Context().Deadline(); !ok {
		t.Error("the request has no deadline")
	}
	if err := sent.Context().Err(); err != nil {
		t.Fatalf("context ended before the body was closed: %v", err)
	}
	resp.Body.Close()
	if err := sent.Context().Err(); !errors.Is(err, context.Canceled) {
		t.Errorf("context after the body was closed: %v, want canceled", err)
	}

	// Other hosts are left alone; a failed request releases its context.
	boom := errors.New("connection refused")
	rt.next = roundTripFunc(func(r *http.Request) (*http.Response, error) { sent = r; return nil, boom })
	other, _ := http.NewRequest(http.MethodGet, "https://cdn.discordapp.com/x", nil)
	if _, err := rt.RoundTrip(other); !errors.Is(err, boom) {
		t.Errorf("error %v, want %v", err, boom)
	}
	if sent.URL.Host != "cdn.discordapp.com" || sent.Context().Err() == nil {
		t.Errorf("other host: sent to %s, context %v", sent.URL.Host, sent.Context().Err())
	}
}

// TestRequestTimeout checks that a request whose answer never comes ends
// with the transport's timeout, the HTTP client having none of its own.
func TestRequestTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	client, _, err := newHTTPClient(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if client.Timeout != 0 {
		t.Fatalf("client Timeout %v: the transport bounds requests", client.Timeout)
	}
	client.Transport.(*rewriteTransport).timeout = 50 * time.Millisecond
	req, _ := http.NewRequest(http.MethodGet, "https://discord.com/api/v9/gateway", nil)
	_, err = client.Do(req)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("request with no answer: %v, want a deadline exceeded", err)
	}
}
