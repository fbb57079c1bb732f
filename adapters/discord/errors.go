package discord

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/vigie-edu/vigie/bot"
)

// Operation names used in PlatformError.Op.
const (
	opDelete      = "delete"
	opDM          = "dm"
	opPost        = "post"
	opEphemeral   = "ephemeral"
	opTimeout     = "timeout"
	opRemove      = "remove_from_channel"
	opMember      = "member"
	opClass       = "class"
	opRoleMembers = "role_members"
	opRespond     = "respond"
	opFetch       = "fetch_message"
	opCommands    = "register_commands"
	opOpen        = "open"
)

// missingFor names the permission a 403 means for each operation.
var missingFor = map[string]string{
	opDelete:  PermManageMessages,
	opTimeout: PermModerateMembers,
	opPost:    PermSendMessages,
	opDM:      PermSendMessages,
	opFetch:   PermReadMessageHistory,
}

// secretInPath matches the token part of interaction and webhook URLs.
var secretInPath = regexp.MustCompile(`(/(?:interactions|webhooks)/[0-9]+/)[^/?\s"]+`)

// safeError is an error whose message has had secrets removed. It
// unwraps to the part of the original chain that cannot hold them.
type safeError struct {
	msg string
	err error
}

func (e *safeError) Error() string { return e.msg }
func (e *safeError) Unwrap() error { return e.err }

// redact returns err with the bot token and interaction tokens removed
// from its message. A *url.Error (whose message holds the request URL) is
// rebuilt around its cause so that unwrapping cannot reach the URL.
func (a *Adapter) redact(err error) error {
	if err == nil {
		return nil
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		msg := a.scrub(fmt.Sprintf("%s %q: %v", ue.Op, ue.URL, ue.Err))
		return &safeError{msg: msg, err: ue.Err}
	}
	msg := err.Error()
	clean := a.scrub(msg)
	if clean == msg {
		return err
	}
	// The message held a secret: keep the chain for errors.Is/As on the
	// SDK's types, but never let the original message be printed from
	// this error.
	return &safeError{msg: clean, err: err}
}

// scrub removes secrets from a string.
func (a *Adapter) scrub(s string) string {
	if a.rawToken != "" {
		s = strings.ReplaceAll(s, a.rawToken, redacted)
	}
	return secretInPath.ReplaceAllString(s, "${1}"+redacted)
}

// classify turns an error from a discordgo call into one that wraps the
// bot's sentinel errors. rec holds the status of the last answer, which
// discordgo's errors do not always keep.
func (a *Adapter) classify(op string, rec *responseRecorder, err error) error {
	if err == nil {
		return nil
	}
	status, hdrRetry := 0, rec.retryAfterOrZero()
	if rec != nil {
		status, _ = rec.last()
	}
	perr := &bot.PlatformError{Op: op, Err: a.redact(err), Status: status}

	var rl *discordgo.RateLimitError
	var rest *discordgo.RESTError
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		perr.Kind = bot.ErrUnavailable
	case errors.As(err, &rl):
		perr.Kind = bot.ErrRateLimited
		perr.Status = http.StatusTooManyRequests
		if rl.RateLimit != nil && rl.TooManyRequests != nil {
			perr.RetryAfter = rl.RetryAfter
		}
		if perr.RetryAfter <= 0 {
			perr.RetryAfter = hdrRetry
		}
	case errors.As(err, &rest):
		code := 0
		if rest.Message != nil {
			code = rest.Message.Code
		}
		if rest.Response != nil {
			perr.Status = rest.Response.StatusCode
		}
		switch {
		case code == discordgo.ErrCodeCannotSendMessagesToThisUser:
			perr.Kind = bot.ErrDirectClosed
		case perr.Status == http.StatusForbidden || code == discordgo.ErrCodeMissingPermissions || code == discordgo.ErrCodeMissingAccess:
			perr.Kind = bot.ErrForbidden
			perr.Missing = missingFor[op]
		case perr.Status == http.StatusNotFound || (code >= 10001 && code <= 10099):
			perr.Kind = bot.ErrNotFound
		case perr.Status == http.StatusTooManyRequests:
			perr.Kind = bot.ErrRateLimited
			perr.RetryAfter = hdrRetry
		case perr.Status >= 500:
			perr.Kind = bot.ErrUnavailable
		default:
			// A request Discord refuses (400 invalid form, 401 bad
			// token): not a condition the bot can wait out.
			return fmt.Errorf("discord: %s: HTTP %d: %w", op, perr.Status, perr.Err)
		}
	case status == http.StatusTooManyRequests:
		// A 429 whose body discordgo could not read.
		perr.Kind = bot.ErrRateLimited
		perr.RetryAfter = hdrRetry
	default:
		// Network errors, 502s after discordgo's retries, unreadable
		// answers: the platform is not usable right now.
		perr.Kind = bot.ErrUnavailable
	}
	return perr
}

// retryAfterOrZero is rec's last Retry-After, or 0 for a nil recorder.
func (r *responseRecorder) retryAfterOrZero() time.Duration {
	if r == nil {
		return 0
	}
	_, d := r.last()
	return d
}
