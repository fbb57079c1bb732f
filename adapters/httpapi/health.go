package httpapi

import (
	"context"
	_ "embed"
	"net/http"
	"time"

	"go.uber.org/zap"

	"github.com/vigie-edu/vigie/bot"
)

// Health is the body of GET /healthz.
type Health struct {
	Status string `json:"status"` // "ok"
}

// Readiness is the body of GET /readyz.
type Readiness struct {
	// Ready: the rules are loaded, the store answers, and every adapter
	// that reports its state is connected.
	Ready    bool            `json:"ready"`
	Rules    Check           `json:"rules"`
	Store    Check           `json:"store"`
	Adapters []AdapterStatus `json:"adapters"`
}

// Check is the outcome of one readiness check.
type Check struct {
	OK     bool   `json:"ok"`
	Detail string `json:"detail,omitempty"`
}

// AdapterStatus is a chat adapter's connection state.
type AdapterStatus struct {
	Platform string `json:"platform"`
	// State is "connected", "disconnected", or "unknown" for an adapter
	// that does not report it (which does not make Vigie unready).
	State  string `json:"state"`
	Detail string `json:"detail,omitempty"`
}

// pingTimeout bounds the store's ping in /readyz.
const pingTimeout = 2 * time.Second

// serveHealth is GET /healthz: the process is alive.
func (s *Server) serveHealth(w http.ResponseWriter, r *http.Request) {
	if allowMethods(w, r, http.MethodGet) {
		writeJSON(w, http.StatusOK, Health{Status: "ok"})
	}
}

// serveReady is GET /readyz: 200 when ready, 503 when not, with every
// check's outcome.
func (s *Server) serveReady(w http.ResponseWriter, r *http.Request) {
	if !allowMethods(w, r, http.MethodGet) {
		return
	}
	rd := s.readiness(r.Context())
	status := http.StatusOK
	if !rd.Ready {
		status = http.StatusServiceUnavailable
	}
	writeJSON(w, status, rd)
}

// readiness runs the checks.
func (s *Server) readiness(ctx context.Context) Readiness {
	rd := Readiness{Adapters: []AdapterStatus{}}
	if snap := s.rules.Current(); snap != nil && snap.Classifier != nil {
		rd.Rules = Check{OK: true, Detail: snap.Version}
	} else {
		rd.Rules = Check{Detail: "no rules loaded"}
	}
	rd.Store = s.pingStore(ctx)
	rd.Ready = rd.Rules.OK && rd.Store.OK
	for _, a := range s.adapters {
		st := AdapterStatus{Platform: string(a.Platform()), State: "unknown"}
		if sr, ok := a.(bot.StatusReporter); ok {
			connected, detail := sr.Status()
			st.State, st.Detail = "disconnected", detail
			if connected {
				st.State = "connected"
			} else {
				rd.Ready = false
			}
		}
		rd.Adapters = append(rd.Adapters, st)
	}
	return rd
}

// pingStore pings the store. Its error is logged when an outage starts
// (it may name the database's host), not put in the answer.
func (s *Server) pingStore(ctx context.Context) Check {
	if s.store == nil {
		return Check{OK: true, Detail: "not checked"}
	}
	ctx, cancel := context.WithTimeout(ctx, pingTimeout)
	defer cancel()
	err := s.store.Ping(ctx)
	s.mu.Lock()
	wasDown := s.storeDown
	s.storeDown = err != nil
	s.mu.Unlock()
	switch {
	case err != nil && !wasDown:
		s.log.Error("incident store unreachable: not ready", zap.Error(err))
	case err == nil && wasDown:
		s.log.Info("incident store reachable again")
	}
	if err != nil {
		return Check{Detail: "unreachable (see the server's log)"}
	}
	return Check{OK: true}
}

//go:embed openapi.json
var openapiDoc []byte

// OpenAPI returns the API's OpenAPI 3.1 document (JSON).
func OpenAPI() []byte { return append([]byte(nil), openapiDoc...) }

// serveOpenAPI is GET /v1/openapi.json.
func serveOpenAPI(w http.ResponseWriter, r *http.Request) {
	if !allowMethods(w, r, http.MethodGet) {
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(openapiDoc)
}
