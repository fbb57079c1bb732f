package discord

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// discordHost is the host discordgo's endpoint variables point at.
const discordHost = "discord.com"

// rewriteTransport sends discordgo's requests for https://discord.com to
// the configured API base (a fake Discord or a proxy), per session,
// without touching discordgo's package-level endpoint variables. It also
// tells the caller of a request (through its context) the status and the
// rate-limit headers of the answer, which discordgo does not keep in the
// errors it returns.
type rewriteTransport struct {
	base    *url.URL // nil: no rewriting
	next    http.RoundTripper
	timeout time.Duration // bounds each request (requestTimeout)
}

func (t *rewriteTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithTimeout(req.Context(), t.timeout)
	resp, err := t.roundTrip(req.WithContext(ctx))
	if err != nil {
		cancel()
		return nil, err
	}
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

// requestTimeout bounds each request, from its start to the end of its
// answer's body. The HTTP client has no Timeout of its own: net/http
// enforces a client Timeout over a RoundTripper it does not know (this
// one) with a goroutine, a timer and channels per request; a context
// deadline costs a timer.
const requestTimeout = 20 * time.Second

// cancelOnClose releases a request's context when its answer's body is
// closed (discordgo always closes it).
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelOnClose) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// roundTrip sends req, RoundTrip's shallow copy of the caller's request
// (RoundTrippers must not modify the caller's request: its fields may be
// replaced here, nothing they point to may be changed).
func (t *rewriteTransport) roundTrip(req *http.Request) (*http.Response, error) {
	if t.base != nil && req.URL.Host == discordHost {
		u := *req.URL
		u.Scheme = t.base.Scheme
		u.Host = t.base.Host
		u.Path = strings.TrimRight(t.base.Path, "/") + req.URL.Path
		if req.URL.RawPath != "" {
			u.RawPath = strings.TrimRight(t.base.EscapedPath(), "/") + req.URL.RawPath
		}
		req.URL = &u
		req.Host = ""
	}
	resp, err := t.next.RoundTrip(req)
	if err == nil {
		if rec, ok := req.Context().Value(recorderKey{}).(*responseRecorder); ok {
			rec.record(resp)
		}
	}
	return resp, err
}

// recorderKey keys a *responseRecorder in a request's context.
type recorderKey struct{}

// responseRecorder keeps what the adapter needs from the last answer to a
// call: discordgo's errors lose the status of a 429 and its headers.
type responseRecorder struct {
	mu         sync.Mutex
	status     int
	retryAfter time.Duration
}

func (r *responseRecorder) record(resp *http.Response) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.status = resp.StatusCode
	r.retryAfter = 0
	if resp.StatusCode == http.StatusTooManyRequests {
		r.retryAfter = retryAfterHeader(resp.Header)
	}
}

func (r *responseRecorder) last() (status int, retryAfter time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.status, r.retryAfter
}

// withRecorder returns a context whose requests report to a new recorder.
func withRecorder(ctx context.Context) (context.Context, *responseRecorder) {
	rec := &responseRecorder{}
	return context.WithValue(ctx, recorderKey{}, rec), rec
}

// retryAfterHeader reads Discord's rate-limit headers: Retry-After
// (seconds) or X-RateLimit-Reset-After (seconds with a fraction).
func retryAfterHeader(h http.Header) time.Duration {
	for _, k := range []string{"X-RateLimit-Reset-After", "Retry-After"} {
		v := strings.TrimSpace(h.Get(k))
		if v == "" {
			continue
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < 0 || f > 24*3600 {
			continue
		}
		return time.Duration(f * float64(time.Second))
	}
	return 0
}

// newHTTPClient builds the session's HTTP client for an API base URL
// (empty: Discord itself).
func newHTTPClient(apiURL string) (*http.Client, *http.Transport, error) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 16
	rt := &rewriteTransport{next: tr, timeout: requestTimeout}
	if apiURL != "" {
		u, err := url.Parse(apiURL)
		if err != nil {
			return nil, nil, fmt.Errorf("discord: API URL: %w", err)
		}
		rt.base = u
	}
	return &http.Client{Transport: rt}, tr, nil // requestTimeout bounds each request
}
