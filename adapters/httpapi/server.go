// Package httpapi is Vigie's HTTP server: the moderation API (POST
// /v1/moderate, POST /v1/moderate/batch, its OpenAPI document at
// /v1/openapi.json), the health and readiness probes (/healthz,
// /readyz) and the Prometheus metrics (/metrics). Other parts (the
// console) mount their handlers on it.
//
// The Server is also the bot.Adapter of platform "http": a text posted
// to the API goes through the bot's own pipeline (the class's policy,
// the incident recorded, the teacher alerted through the class's
// webhook) and the answer carries the verdict and the incident id.
//
// Bearer tokens are configured as SHA-256 hashes and compared in
// constant time; without any, the server only listens on loopback
// (Listen). Bodies are size-limited, JSON is decoded strictly, and
// every error is a JSON {"error": {"code", "message"}} with its status.
// Message text is never logged.
package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"runtime"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.uber.org/zap"

	"github.com/vigie-edu/vigie/bot"
)

// Moderator handles one event; *bot.Bot is one.
type Moderator interface {
	Handle(ctx context.Context, a bot.Adapter, ev bot.Event) (*bot.Result, error)
}

// Pinger checks that the incident store answers; store.Store is one.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Options configure a Server. Bot and Rules are required.
type Options struct {
	// Bot judges the texts and acts on them.
	Bot Moderator
	// Rules gives the rules in force (readiness, rules_version).
	Rules bot.RulesSource
	// Store is pinged by /readyz; nil: not checked.
	Store Pinger
	// Adapters are the chat adapters, whose connection /readyz reports
	// (those implementing bot.StatusReporter).
	Adapters []bot.Adapter
	// Tokens are the accepted bearer tokens; empty: no authentication
	// (then listen on loopback only: see Listen).
	Tokens *Tokens
	// Gatherer is served at /metrics (nil: no /metrics).
	Gatherer prometheus.Gatherer
	// Registerer registers the server's own metrics (requests per
	// handler and status); nil: not registered.
	Registerer prometheus.Registerer
	// Logger receives start, stop and failures (never message text);
	// nil: no logs.
	Logger *zap.Logger
	// Listener is where Run and Serve serve.
	Listener net.Listener
	// MaxInFlight bounds the moderation requests served at once; more
	// are answered 429 (default 64).
	MaxInFlight int
	// HandleTimeout bounds the judging of one request, alerts included
	// (default 60 s). A client that goes away does not cut it short: the
	// incident is recorded and the teachers alerted all the same.
	HandleTimeout time.Duration
	// ShutdownTimeout bounds the wait for requests being served when
	// Run's context is done (default 30 s).
	ShutdownTimeout time.Duration
	// Now gives the time of the API's messages (default time.Now).
	Now func() time.Time
}

// Defaults of Options.
const (
	DefaultMaxInFlight     = 64
	DefaultHandleTimeout   = 60 * time.Second
	DefaultShutdownTimeout = 30 * time.Second
)

var errNoListener = errors.New("httpapi: Options.Listener is required to serve")

// Server is the HTTP server. Build it with New.
type Server struct {
	bot      Moderator
	rules    bot.RulesSource
	store    Pinger
	adapters []bot.Adapter
	tokens   *Tokens
	gatherer prometheus.Gatherer
	log      *zap.Logger
	ln       net.Listener
	timeout  time.Duration
	shutdown time.Duration
	now      func() time.Time
	inflight chan struct{}
	workers  int
	metrics  *metrics

	mux *http.ServeMux

	mu        sync.Mutex
	serving   string // address, while serving
	storeDown bool   // the last ping failed (logged once per outage)
}

// New builds a server and its routes.
func New(o Options) (*Server, error) {
	if o.Bot == nil {
		return nil, errors.New("httpapi: Options.Bot is required")
	}
	if o.Rules == nil {
		return nil, errors.New("httpapi: Options.Rules is required")
	}
	m, err := newMetrics(o.Registerer)
	if err != nil {
		return nil, err
	}
	s := &Server{
		bot: o.Bot, rules: o.Rules, store: o.Store, adapters: o.Adapters, tokens: o.Tokens,
		gatherer: o.Gatherer, log: o.Logger, ln: o.Listener, timeout: o.HandleTimeout,
		shutdown: o.ShutdownTimeout, now: o.Now, metrics: m, mux: http.NewServeMux(),
		workers: runtime.GOMAXPROCS(0),
	}
	if s.log == nil {
		s.log = zap.NewNop()
	}
	if s.timeout <= 0 {
		s.timeout = DefaultHandleTimeout
	}
	if s.shutdown <= 0 {
		s.shutdown = DefaultShutdownTimeout
	}
	if s.now == nil {
		s.now = time.Now
	}
	n := o.MaxInFlight
	if n <= 0 {
		n = DefaultMaxInFlight
	}
	s.inflight = make(chan struct{}, n)
	s.routes()
	return s, nil
}

// routes registers the handlers. Paths are matched without methods, so
// that a wrong method gets a JSON 405 rather than the mux's text one.
func (s *Server) routes() {
	s.handle("/v1/moderate", "moderate", s.authenticated(http.HandlerFunc(s.serveModerate)))
	s.handle("/v1/moderate/batch", "moderate_batch", s.authenticated(http.HandlerFunc(s.serveBatch)))
	s.handle("/v1/openapi.json", "openapi", http.HandlerFunc(serveOpenAPI))
	s.handle("/healthz", "healthz", http.HandlerFunc(s.serveHealth))
	s.handle("/readyz", "readyz", http.HandlerFunc(s.serveReady))
	if s.gatherer != nil {
		metricsHandler := promhttp.HandlerFor(s.gatherer, promhttp.HandlerOpts{
			ErrorLog: zap.NewStdLog(s.log.Named("metrics")), ErrorHandling: promhttp.ContinueOnError,
		})
		s.handle("/metrics", "metrics", s.authenticated(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if allowMethods(w, r, http.MethodGet) {
				metricsHandler.ServeHTTP(w, r)
			}
		})))
	}
	s.mux.Handle("/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, CodeNotFound, "no such endpoint; see /v1/openapi.json")
	}))
}

// handle registers h at path, counted under name.
func (s *Server) handle(path, name string, h http.Handler) {
	s.mux.Handle(path, s.metrics.instrument(name, h))
}

// Mount adds a handler under pattern (a net/http ServeMux pattern, e.g.
// "/console/") to the server, for parts of Vigie that serve beside the
// API. It may be called before or while serving; the handler does its
// own authentication.
func (s *Server) Mount(pattern string, h http.Handler) {
	s.mux.Handle(pattern, h)
}

// Handler returns the server's handler, for tests and for serving it
// elsewhere.
func (s *Server) Handler() http.Handler { return s.mux }

// Authenticated reports whether the API requires a bearer token.
func (s *Server) Authenticated() bool { return s.tokens.Len() > 0 }

// authenticated requires a valid bearer token when tokens are
// configured.
func (s *Server) authenticated(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.tokens.Len() > 0 && !s.tokens.Check(bearer(r.Header.Get("Authorization"))) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="vigie"`)
			writeError(w, http.StatusUnauthorized, CodeUnauthorized, "a valid bearer token is required (Authorization: Bearer TOKEN)")
			return
		}
		h.ServeHTTP(w, r)
	})
}

// Serve serves on Options.Listener until ctx is done, then stops taking
// requests and waits up to Options.ShutdownTimeout for those being
// served. It closes the listener.
func (s *Server) Serve(ctx context.Context) error {
	if s.ln == nil {
		return errNoListener
	}
	srv := &http.Server{
		Handler:           s.mux,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          zap.NewStdLog(s.log.Named("http")),
	}
	addr := s.ln.Addr().String()
	s.mu.Lock()
	s.serving = addr
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.serving = ""
		s.mu.Unlock()
	}()
	if s.Authenticated() {
		s.log.Info("HTTP API listening", zap.String("addr", addr), zap.Int("tokens", s.tokens.Len()))
	} else {
		s.log.Warn("HTTP API listening WITHOUT authentication, on loopback only; configure "+EnvTokenHashes+" or "+EnvTokensFile+" to serve beyond it",
			zap.String("addr", addr))
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(s.ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("httpapi: serve: %w", err)
	case <-ctx.Done():
	}
	s.log.Info("HTTP API stopping: finishing the requests being served")
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.shutdown)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		s.log.Error("HTTP API: requests still running at the shutdown timeout; closing", zap.Error(err))
		_ = srv.Close()
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("httpapi: serve: %w", err)
	}
	s.log.Info("HTTP API stopped")
	return nil
}
