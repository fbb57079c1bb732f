package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits of the moderation endpoints.
const (
	// MaxBody bounds the body of POST /v1/moderate.
	MaxBody = 64 << 10
	// MaxBatchBody bounds the body of POST /v1/moderate/batch.
	MaxBatchBody = 8 << 20
	// MaxBatch is the most items a batch may hold.
	MaxBatch = 1000
	// MaxText bounds one text, in bytes.
	MaxText = 64 << 10
	// MaxField bounds class, author, channel and message_id, in bytes.
	MaxField = 256
)

// ModerateRequest is the body of POST /v1/moderate and one item of a
// batch.
type ModerateRequest struct {
	// Text is the message to judge (required, not empty).
	Text string `json:"text"`
	// Class is the HTTP class's id (the `id` of a class with `platform:
	// http` in the rules); its policy applies (its webhook receives the
	// alerts). Empty or unknown: the default policy.
	Class string `json:"class,omitempty"`
	// Author is the author's id in the caller's system: it groups alerts
	// and counts repeated incidents per student.
	Author string `json:"author,omitempty"`
	// Channel is where the message was posted, in the caller's system.
	Channel string `json:"channel,omitempty"`
	// MessageID is the message's id in the caller's system, kept with the
	// incident.
	MessageID string `json:"message_id,omitempty"`
	// Lang, when set, is the message's language (ISO 639-1, e.g. "fr"):
	// detection is skipped.
	Lang string `json:"lang,omitempty"`
}

// BatchRequest is the body of POST /v1/moderate/batch.
type BatchRequest struct {
	Items []ModerateRequest `json:"items"`
}

// decodeJSON reads r's body, at most limit bytes, into v: the media type
// must be application/json, the body one JSON object with no unknown
// field and nothing after it.
func decodeJSON(w http.ResponseWriter, r *http.Request, limit int64, v any) *apiError {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, params, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/json" {
			return &apiError{http.StatusUnsupportedMediaType, CodeMediaType, "the body must be application/json"}
		}
		if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
			return &apiError{http.StatusUnsupportedMediaType, CodeMediaType, "the body must be UTF-8"}
		}
	} else {
		return &apiError{http.StatusUnsupportedMediaType, CodeMediaType, "Content-Type: application/json is required"}
	}
	body := http.MaxBytesReader(w, r.Body, limit)
	return decodeBody(body, limit, v)
}

// decodeBody decodes one JSON object from body into v, strictly.
func decodeBody(body io.Reader, limit int64, v any) *apiError {
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err, limit)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		if err != nil {
			if e := jsonError(err, limit); e.status == http.StatusRequestEntityTooLarge {
				return e
			}
		}
		return &apiError{http.StatusBadRequest, CodeBadRequest, "the body must hold one JSON object only"}
	}
	return nil
}

// jsonError turns a decoding error into an error answer. Messages name
// fields and offsets, never the body's content.
func jsonError(err error, limit int64) *apiError {
	var (
		tooBig *http.MaxBytesError
		syn    *json.SyntaxError
		typ    *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &tooBig):
		return &apiError{http.StatusRequestEntityTooLarge, CodeTooLarge, fmt.Sprintf("the body is larger than %d bytes", limit)}
	case errors.Is(err, io.EOF):
		return &apiError{http.StatusBadRequest, CodeBadRequest, "the body is empty"}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return &apiError{http.StatusBadRequest, CodeBadRequest, "the JSON body is cut short"}
	case errors.As(err, &syn):
		return &apiError{http.StatusBadRequest, CodeBadRequest, fmt.Sprintf("invalid JSON at byte %d", syn.Offset)}
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return &apiError{http.StatusBadRequest, CodeBadRequest, "the body must be a JSON object"}
		}
		return &apiError{http.StatusBadRequest, CodeBadRequest, fmt.Sprintf("field %q must be a %s", field, jsonKind(typ.Type.Kind().String()))}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return &apiError{http.StatusBadRequest, CodeBadRequest, "unknown field " + strings.TrimPrefix(err.Error(), "json: unknown field ")}
	}
	return &apiError{http.StatusBadRequest, CodeBadRequest, "invalid JSON body"}
}

// jsonKind names a Go kind as JSON does.
func jsonKind(kind string) string {
	switch kind {
	case "slice", "array":
		return "array"
	case "struct", "map":
		return "object"
	}
	return kind
}

// validate checks a request's fields; where prefixes the messages
// ("items[3].").
func (m *ModerateRequest) validate(where string) *apiError {
	invalid := func(format string, args ...any) *apiError {
		return &apiError{http.StatusUnprocessableEntity, CodeInvalid, where + fmt.Sprintf(format, args...)}
	}
	switch {
	case m.Text == "":
		return invalid("text is required and must not be empty")
	case len(m.Text) > MaxText:
		return invalid("text is longer than %d bytes", MaxText)
	case !utf8.ValidString(m.Text):
		return invalid("text is not valid UTF-8")
	}
	if m.Lang != "" && !isLangCode(m.Lang) {
		return invalid("lang must be an ISO 639-1 code of two lower-case letters, such as \"fr\" or \"en\"")
	}
	for _, f := range []struct{ name, value string }{
		{"class", m.Class}, {"author", m.Author}, {"channel", m.Channel}, {"message_id", m.MessageID},
	} {
		if len(f.value) > MaxField {
			return invalid("%s is longer than %d bytes", f.name, MaxField)
		}
		if !utf8.ValidString(f.value) || strings.IndexFunc(f.value, unicode.IsControl) >= 0 {
			return invalid("%s holds control characters or invalid UTF-8", f.name)
		}
	}
	return nil
}

// isLangCode reports whether s is two ASCII lower-case letters.
func isLangCode(s string) bool {
	return len(s) == 2 && 'a' <= s[0] && s[0] <= 'z' && 'a' <= s[1] && s[1] <= 'z'
}

// validate checks a batch.
func (b *BatchRequest) validate() *apiError {
	switch {
	case len(b.Items) == 0:
		return &apiError{http.StatusUnprocessableEntity, CodeInvalid, "items is required and must not be empty"}
	case len(b.Items) > MaxBatch:
		return &apiError{http.StatusUnprocessableEntity, CodeInvalid, fmt.Sprintf("items holds %d texts; at most %d per batch", len(b.Items), MaxBatch)}
	}
	for i := range b.Items {
		if err := b.Items[i].validate(fmt.Sprintf("items[%d].", i)); err != nil {
			return err
		}
	}
	return nil
}
