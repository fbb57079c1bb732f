package bot

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"go.uber.org/zap"
)

// Retry bounds for platform calls.
const (
	maxAttempts      = 4                // attempts for an unavailable platform or a rate limit
	maxRetryAfter    = 30 * time.Second // longest wait a rate limit may ask for
	defaultRateWait  = time.Second      // wait when a rate limit gives no RetryAfter
	unavailableFirst = 500 * time.Millisecond
)

// errKind names the kind of a platform error for metrics, logs and step
// details: one of the sentinel errors, or "other".
func errKind(err error) string {
	switch {
	case err == nil:
		return "none"
	case errors.Is(err, ErrForbidden):
		return "forbidden"
	case errors.Is(err, ErrNotFound):
		return "not_found"
	case errors.Is(err, ErrRateLimited):
		return "rate_limited"
	case errors.Is(err, ErrDirectClosed):
		return "direct_closed"
	case errors.Is(err, ErrUnsupported):
		return "unsupported"
	case errors.Is(err, ErrUnavailable):
		return "unavailable"
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	}
	return "other"
}

// failureReason describes err for an incident step, in English, with the
// missing permission when the adapter named it ("missing permission:
// Manage Messages"). It never includes message text: adapters' errors
// carry ids and statuses only.
func failureReason(err error) string {
	var pe *PlatformError
	if errors.As(err, &pe) && errors.Is(err, ErrForbidden) && pe.Missing != "" {
		return reasonForbidden + ": " + pe.Missing
	}
	switch errKind(err) {
	case "forbidden":
		return reasonForbidden
	case "not_found":
		return reasonNotFound
	case "rate_limited":
		return reasonRateLimited
	case "direct_closed":
		return reasonDirectClosed
	case "unsupported":
		return reasonUnsupported
	case "unavailable":
		return reasonUnavailable
	case "timeout":
		return reasonTimeout
	}
	msg := err.Error()
	if len(msg) > 200 {
		msg = msg[:200] + "…"
	}
	return msg
}

// missingPermission returns the permission named by a forbidden error,
// or "".
func missingPermission(err error) string {
	var pe *PlatformError
	if errors.As(err, &pe) && errors.Is(err, ErrForbidden) {
		return pe.Missing
	}
	return ""
}

// call runs a platform operation with the bot's retry policy: a rate
// limit is retried after its RetryAfter (at most 30 s), an unavailable
// platform (and an error of no known kind, such as a network error an
// adapter did not classify) with exponential backoff and jitter, up to
// maxAttempts attempts in all; a missing permission, a missing object,
// closed direct messages, an unsupported call and the end of ctx are
// returned at once. Every failed
// attempt counts in vigie_platform_failures_total and is logged (ids
// only, never message text).
func (b *Bot) call(ctx context.Context, p Platform, op string, f func(context.Context) error) error {
	backoff := unavailableFirst
	for attempt := 1; ; attempt++ {
		err := f(ctx)
		if err == nil {
			return nil
		}
		kind := errKind(err)
		if kind == "unsupported" {
			// A capability the platform lacks (the HTTP API deletes
			// nothing, Mattermost has no time-out), not a failure: the
			// caller records what it means.
			return err
		}
		b.metrics.PlatformFailures.WithLabelValues(string(p), op, kind).Inc()
		var wait time.Duration
		switch kind {
		case "rate_limited":
			wait = defaultRateWait
			var pe *PlatformError
			if errors.As(err, &pe) && pe.RetryAfter > 0 {
				wait = min(pe.RetryAfter, maxRetryAfter)
			}
		case "unavailable", "other":
			wait = backoff + rand.N(backoff/2+1)
			backoff *= 2
		}
		retry := wait > 0 && attempt < maxAttempts && ctx.Err() == nil
		b.log.Warn("platform call failed",
			zap.String("platform", string(p)), zap.String("op", op), zap.String("kind", kind),
			zap.Int("attempt", attempt), zap.Bool("retry", retry), zap.Duration("wait", wait), zap.Error(err))
		if !retry {
			return err
		}
		if serr := b.clock.Sleep(ctx, wait); serr != nil {
			return errors.Join(err, serr)
		}
	}
}
