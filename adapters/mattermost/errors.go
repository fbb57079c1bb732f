package mattermost

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/vigie-edu/vigie/bot"
)

// Operation names used in PlatformError.Op.
const (
	opDelete      = "delete"
	opDM          = "dm"
	opPost        = "post"
	opEphemeral   = "ephemeral"
	opRemove      = "remove_from_channel"
	opMember      = "member"
	opClass       = "class"
	opRoleMembers = "role_members"
	opRespond     = "respond"
	opFetch       = "fetch"
	opCommands    = "register_commands"
	opConnect     = "connect"
)

// Permissions the bot may lack, as alerts name them.
const (
	MissingDelete    = "team admin (delete others' posts)"
	MissingEphemeral = "system admin (ephemeral posts)"
	MissingRemove    = "manage channel members"
	MissingPost      = "create posts in the channel"
	MissingCommands  = "team admin (manage slash commands)"
	MissingRead      = "read the channel"
)

// missingFor names the permission a 403 means for each operation.
var missingFor = map[string]string{
	opDelete:    MissingDelete,
	opEphemeral: MissingEphemeral,
	opRemove:    MissingRemove,
	opPost:      MissingPost,
	opCommands:  MissingCommands,
	opFetch:     MissingRead,
}

// safeError is an error whose message has had secrets removed. It
// unwraps to the original error so that errors.Is and errors.As still
// see the SDK's types.
type safeError struct {
	msg string
	err error
}

func (e *safeError) Error() string { return e.msg }
func (e *safeError) Unwrap() error { return e.err }

// redactor removes a token from error messages.
type redactor struct{ token string }

// redact returns err with the token removed from its message (the SDK
// sends the token in a header, never in a URL, but an error may quote a
// request).
func (r redactor) redact(err error) error {
	if err == nil || r.token == "" {
		return err
	}
	msg := err.Error()
	if !strings.Contains(msg, r.token) {
		return err
	}
	return &safeError{msg: strings.ReplaceAll(msg, r.token, redacted), err: err}
}

// statusOf returns the HTTP status of a Client4 call: from its Response,
// else from the *model.AppError it returned.
func statusOf(resp *model.Response, err error) int {
	if resp != nil && resp.StatusCode != 0 {
		return resp.StatusCode
	}
	var ae *model.AppError
	if errors.As(err, &ae) {
		return ae.StatusCode
	}
	return 0
}

// retryAfter reads how long a 429 asks to wait: Retry-After (seconds or
// an HTTP date), else X-Ratelimit-Reset (seconds until the window
// resets, as Mattermost's rate limiter sends it). 0 when neither says.
func retryAfter(h http.Header, now time.Time) time.Duration {
	if h == nil {
		return 0
	}
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if n, err := strconv.ParseFloat(v, 64); err == nil && n >= 0 && n < 1e6 {
			return time.Duration(n * float64(time.Second))
		}
		if t, err := http.ParseTime(v); err == nil {
			if d := t.Sub(now); d > 0 {
				return d
			}
			return 0
		}
	}
	if v := strings.TrimSpace(h.Get("X-Ratelimit-Reset")); v != "" {
		if n, err := strconv.ParseFloat(v, 64); err == nil && n >= 0 && n < 1e6 {
			return time.Duration(n * float64(time.Second))
		}
	}
	return 0
}

// classify turns an error from a Client4 call into one that wraps the
// bot's sentinel errors: 403 → ErrForbidden (ErrDirectClosed for direct
// messages) with the permission named, 404 → ErrNotFound, 429 →
// ErrRateLimited with RetryAfter, 5xx, network errors and timeouts →
// ErrUnavailable. Other statuses (400 invalid request, 401 token
// refused) are plain errors: no wait fixes them.
func (r redactor) classify(op string, resp *model.Response, err error) error {
	if err == nil {
		return nil
	}
	status := statusOf(resp, err)
	perr := &bot.PlatformError{Op: op, Status: status, Err: r.redact(err)}
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		perr.Kind = bot.ErrUnavailable
	case status == http.StatusForbidden && op == opDM:
		perr.Kind = bot.ErrDirectClosed
	case status == http.StatusForbidden:
		perr.Kind = bot.ErrForbidden
		perr.Missing = missingFor[op]
	case status == http.StatusNotFound:
		perr.Kind = bot.ErrNotFound
	case status == http.StatusTooManyRequests:
		perr.Kind = bot.ErrRateLimited
		if resp != nil {
			perr.RetryAfter = retryAfter(resp.Header, time.Now())
		}
	case status >= 500, status == 0:
		// 0: no answer at all (connection refused, reset, DNS).
		perr.Kind = bot.ErrUnavailable
	default:
		return fmt.Errorf("mattermost: %s: HTTP %d: %w", op, status, perr.Err)
	}
	return perr
}
