package bot

import (
	"context"
	"time"
)

// Clock is the bot's source of time. The bot reads the time, sleeps
// between retries and schedules work for later (deleting a channel notice,
// closing an alert group) only through it, so that tests can drive time
// with a fake (package bot/bottest).
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// Sleep waits for d or until ctx is done, whichever comes first; it
	// returns ctx.Err() in the second case.
	Sleep(ctx context.Context, d time.Duration) error
	// AfterFunc calls f in its own goroutine (or, for a fake clock, in
	// the goroutine that advances time) once d has passed.
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is a scheduled call returned by Clock.AfterFunc.
type Timer interface {
	// Stop cancels the call; it reports whether the call was cancelled
	// before it ran.
	Stop() bool
}

// realClock is the wall clock; now, when set, replaces time.Now (for
// Options.Now).
type realClock struct {
	now func() time.Time
}

func (c realClock) Now() time.Time {
	if c.now != nil {
		return c.now()
	}
	return time.Now()
}

func (realClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func (realClock) AfterFunc(d time.Duration, f func()) Timer { return time.AfterFunc(d, f) }
