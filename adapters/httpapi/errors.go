package httpapi

import (
	"encoding/json"
	"net/http"
	"strings"
)

// Error codes of the API's error answers ({"error": {"code", "message"}}).
const (
	CodeBadRequest       = "bad_request"            // 400: the body is not one JSON object of the documented shape
	CodeUnauthorized     = "unauthorized"           // 401: missing or unknown bearer token
	CodeNotFound         = "not_found"              // 404
	CodeMethodNotAllowed = "method_not_allowed"     // 405
	CodeTooLarge         = "payload_too_large"      // 413
	CodeMediaType        = "unsupported_media_type" // 415: not application/json
	CodeInvalid          = "invalid_request"        // 422: well-formed, but a field's value is refused
	CodeTooMany          = "too_many_requests"      // 429: too many requests being served
	CodeInternal         = "internal_error"         // 500
	CodeNotReady         = "not_ready"              // 503: no rules loaded
)

// ErrorBody is the JSON body of every error answer.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail says what went wrong. Messages never quote the request's
// text nor a token.
type ErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// apiError is an error answer waiting to be written.
type apiError struct {
	status  int
	code    string
	message string
}

func (e *apiError) Error() string { return e.code + ": " + e.message }

// writeJSON writes v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // the client went away: nothing to do
}

// writeError writes an error answer.
func writeError(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, ErrorBody{Error: ErrorDetail{Code: code, Message: message}})
}

// writeAPIError writes e.
func writeAPIError(w http.ResponseWriter, e *apiError) {
	writeError(w, e.status, e.code, e.message)
}

// allowMethods answers 405 and returns false unless r's method is one of
// methods (HEAD is allowed with GET).
func allowMethods(w http.ResponseWriter, r *http.Request, methods ...string) bool {
	for _, m := range methods {
		if r.Method == m || m == http.MethodGet && r.Method == http.MethodHead {
			return true
		}
	}
	allow := strings.Join(methods, ", ")
	for _, m := range methods {
		if m == http.MethodGet {
			allow += ", " + http.MethodHead
		}
	}
	w.Header().Set("Allow", allow)
	writeError(w, http.StatusMethodNotAllowed, CodeMethodNotAllowed, r.Method+" is not allowed here; use "+allow)
	return false
}
