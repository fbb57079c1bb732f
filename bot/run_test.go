package bot_test

import (
	"context"
	"testing"
	"time"

	"github.com/vigie-edu/vigie/bot"
	"github.com/vigie-edu/vigie/bot/bottest"
)

// runBot runs the bot on the env's adapter until the returned stop is
// called; stop returns Run's error.
func runBot(t *testing.T, e *env) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(e.ctx)
	done := make(chan error, 1)
	go func() { done <- e.bot.Run(ctx, e.ad) }()
	return func() error {
		cancel()
		return <-done
	}
}

func TestQueueFullHoldsTheAdapterBackThenCountsUnjudged(t *testing.T) {
	judge := testJudge()
	judge.Gate = make(chan struct{})
	e := newEnv(t, withJudge(judge), func(o *bot.Options, _ *bot.Snapshot) {
		o.QueueSize, o.Workers, o.QueueWait = 1, 1, 5*time.Second
	})
	stop := runBot(t, e)
	ctx := e.ctx
	send := func(text string) {
		t.Helper()
		if err := e.ad.Send(ctx, bot.Event{Kind: bot.MessageCreated, Message: e.message(text)}); err != nil {
			t.Fatalf("send: %v", err)
		}
	}
	m := e.bot.Metrics()
	send("one") // taken by the worker, which waits at the gate
	waitFor(t, "the worker to take the first event", func() bool { return judge.Waiting() == 1 })
	send("two")   // fills the queue
	send("three") // finds the queue full: the reader waits
	if err := e.clock.WaitForTimers(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if v := counter(t, m.QueueFull.WithLabelValues("discord")); v != 1 {
		t.Fatalf("queue full = %v, want 1", v)
	}
	// While the reader waits, the adapter cannot hand over more events.
	blocked, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	err := e.ad.Send(blocked, bot.Event{Kind: bot.MessageCreated, Message: e.message("not sent")})
	cancel()
	if err == nil {
		t.Fatal("the adapter was not held back while the queue was full")
	}
	// The wait runs out: "three" is given up, counted and logged; the
	// reader takes the next event, which waits for room in turn.
	e.clock.Advance(5 * time.Second)
	send("four")
	if err := e.clock.WaitForTimers(ctx, 1); err != nil {
		t.Fatal(err)
	}
	close(judge.Gate)
	if err := stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if v := counter(t, m.Unjudged.WithLabelValues("discord")); v != 1 {
		t.Fatalf("unjudged = %v, want 1", v)
	}
	if v := counter(t, m.QueueFull.WithLabelValues("discord")); v != 2 {
		t.Fatalf("queue full = %v, want 2", v)
	}
	if got := judge.Calls(); got != 3 {
		t.Fatalf("%d messages judged, want 3 (one, two, four)", got)
	}
	if v := counter(t, m.QueueDepth.WithLabelValues("discord")); v != 0 {
		t.Fatalf("queue depth %v after shutdown", v)
	}
}

func TestShutdownDrainsQueuesAndFlushes(t *testing.T) {
	judge := testJudge()
	judge.Gate = make(chan struct{})
	e := newEnv(t, withJudge(judge), func(o *bot.Options, _ *bot.Snapshot) {
		o.QueueSize, o.Workers = 64, 2
	})
	e.ad.FailAlways(bottest.OpSendDirect, bottest.DirectClosed())
	stop := runBot(t, e)
	const n = 20
	for i := range n {
		m := e.message("idiot")
		m.Ref.Channel = []string{"c1", "c2", "c3"}[i%3]
		if err := e.ad.Send(e.ctx, bot.Event{Kind: bot.MessageCreated, Message: m}); err != nil {
			t.Fatal(err)
		}
	}
	// Stop while every event still waits in the queues, then let the
	// workers go: Run must judge them all before it returns.
	stopped := make(chan error, 1)
	go func() { stopped <- stop() }()
	time.Sleep(10 * time.Millisecond) // let Run see the cancellation first; correctness does not depend on it
	close(judge.Gate)
	if err := <-stopped; err != nil {
		t.Fatalf("Run: %v", err)
	}
	if got := judge.Calls(); got != n {
		t.Fatalf("%d of %d queued messages judged", got, n)
	}
	notices := 0
	for _, c := range e.ad.Succeeded(bottest.OpPost) {
		if c.Channel.ID != alertChannel {
			notices++
		}
	}
	deletes := len(e.ad.Succeeded(bottest.OpDelete))
	if deletes != n+notices {
		t.Fatalf("%d deletions, want %d messages + %d channel notices (deleted at shutdown)", deletes, n, notices)
	}
	alerts := e.alerts()
	if len(alerts) < 2 || len(alerts) > 3 {
		t.Fatalf("%d alerts, want the first, the escalation and the flushed summary", len(alerts))
	}
	mustContain(t, "summary", alerts[len(alerts)-1].Body, "more message(s)")
	if e.clock.Pending() != 0 {
		t.Fatalf("%d timers pending after Run", e.clock.Pending())
	}
}

func TestRunNeedsAnAdapter(t *testing.T) {
	e := newEnv(t)
	if err := e.bot.Run(e.ctx); err == nil {
		t.Fatal("Run without adapters succeeded")
	}
}

// failingAdapter stops at once with an error.
type failingAdapter struct{ *bottest.Adapter }

func (failingAdapter) Run(context.Context, chan<- bot.Event) error {
	return &bot.PlatformError{Op: "connect", Kind: bot.ErrForbidden, Missing: "token"}
}

func TestRunReturnsAdapterFailure(t *testing.T) {
	e := newEnv(t)
	err := e.bot.Run(e.ctx, failingAdapter{e.ad})
	if err == nil {
		t.Fatal("Run hid the adapter's failure")
	}
	mustContain(t, "error", err.Error(), "discord adapter", "missing permission")
}

// waitFor polls cond until it holds, for state that another goroutine
// reaches without telling (a worker taking an event); it fails after 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}
