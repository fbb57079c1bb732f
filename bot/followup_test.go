package bot_test

import (
	"context"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/vigie-edu/vigie/bot"
	"github.com/vigie-edu/vigie/bot/bottest"
	"github.com/vigie-edu/vigie/store"
)

// histogramCount returns how many observations a histogram holds.
func histogramCount(t *testing.T, h prometheus.Histogram) uint64 {
	t.Helper()
	var pb dto.Metric
	if err := h.Write(&pb); err != nil {
		t.Fatalf("read histogram: %v", err)
	}
	return pb.GetHistogram().GetSampleCount()
}

// TestFollowUpDoesNotHoldTheNextRemoval checks that Run's workers remove
// a channel's next harmful message while the notices and alerts about
// the previous one are still being sent, that the follow-ups then run in
// the order of the removals, and that Run waits for them before it
// returns.
func TestFollowUpDoesNotHoldTheNextRemoval(t *testing.T) {
	e := newEnv(t, func(o *bot.Options, _ *bot.Snapshot) { o.Workers = 1 })
	gate := make(chan struct{})
	unrecorded := 0 // deletions of a message whose incident was not recorded yet
	e.ad.Hook = func(ctx context.Context, c bottest.Call) error {
		switch c.Op {
		case bottest.OpSendDirect: // the author's notice: held until the gate opens
			select {
			case <-gate:
			case <-ctx.Done():
				return ctx.Err()
			}
		case bottest.OpDelete:
			// Every incident is recorded before its message is deleted.
			n, err := e.st.Count(ctx, store.Filter{})
			if err != nil {
				return err
			}
			if !(c.Message.ID == "m1" && n == 1 || c.Message.ID == "m2" && n == 2) {
				unrecorded++
			}
		}
		return nil
	}
	stop := runBot(t, e)
	m1, m2 := e.message("idiot"), e.message("espèce d'idiot")
	for _, m := range []*bot.Message{m1, m2} {
		if err := e.ad.Send(e.ctx, bot.Event{Kind: bot.MessageCreated, Platform: bot.Discord, Message: m, Received: e.clock.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	// The second message of the channel is removed although the notice
	// about the first one has not gone out.
	waitFor(t, "both removals", func() bool { return len(e.ad.Succeeded(bottest.OpDelete)) == 2 })
	if unrecorded != 0 {
		t.Errorf("%d messages deleted before their incident was recorded", unrecorded)
	}
	if n := len(e.ad.Calls(bottest.OpSendDirect)); n != 0 {
		t.Fatalf("%d notices sent while the gate was shut", n)
	}
	m := e.bot.Metrics()
	if v := counter(t, m.FollowUpsPending); v < 1 {
		t.Errorf("follow-ups pending = %v while one waits at the gate", v)
	}

	stopped := make(chan error, 1)
	go func() { stopped <- stop() }()
	close(gate)
	if err := <-stopped; err != nil {
		t.Fatalf("Run: %v", err)
	}

	// Run returned after both follow-ups ran, in order: the first
	// incident's alert went out at once, the second was grouped with it.
	list, err := e.st.List(e.ctx, store.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 {
		t.Fatalf("%d incidents, want 2", len(list))
	}
	byMessage := map[string]*store.Incident{}
	for _, in := range list {
		byMessage[in.MessageID] = in
	}
	for _, id := range []string{"m1", "m2"} {
		in := byMessage[id]
		if in == nil {
			t.Fatalf("no incident for %s", id)
		}
		if s := steps(in, store.StepDelete); len(s) != 1 || s[0].Status != store.StatusOK {
			t.Errorf("%s: delete steps %+v, want one ok", id, s)
		}
		if s := steps(in, store.StepNoticeAuthor); len(s) != 1 || s[0].Status != store.StatusOK {
			t.Errorf("%s: author notice steps %+v, want one ok", id, s)
		}
	}
	if s := steps(byMessage["m1"], store.StepAlert); len(s) != 1 || s[0].Status != store.StatusOK {
		t.Errorf("m1: alert steps %+v, want the alert sent", s)
	}
	// (m2's second alert step is the summary Run sent at shutdown.)
	if s := steps(byMessage["m2"], store.StepAlert); len(s) == 0 || s[0].Status != store.StatusSkipped {
		t.Errorf("m2: alert steps %+v, want grouped with m1's first", s)
	}
	if n := len(e.ad.DirectsTo(student)); n != 2 {
		t.Errorf("%d notices to the student, want 2", n)
	}
	if v := counter(t, m.FollowUpsPending); v != 0 {
		t.Errorf("follow-ups pending = %v after Run", v)
	}
	if n := histogramCount(t, m.RemovalSeconds); n != 2 {
		t.Errorf("removal latency observed %d times, want 2", n)
	}
	if n := histogramCount(t, m.IncidentRecordSeconds); n != 2 {
		t.Errorf("incident record time observed %d times, want 2", n)
	}
	if n := histogramCount(t, m.QueueWaitSeconds); n != 2 {
		t.Errorf("queue wait observed %d times, want 2", n)
	}
}

// TestHandleRunsTheFollowUpAtOnce checks that Handle, which the HTTP API
// and tests call, returns only when the follow-up has run: its result
// holds every step.
func TestHandleRunsTheFollowUpAtOnce(t *testing.T) {
	e := newEnv(t)
	res := e.handle(e.message("idiot"))
	names := map[string]bool{}
	for _, s := range res.Steps {
		names[s.Name] = true
	}
	for _, want := range []string{store.StepDelete, store.StepNoticeAuthor, store.StepAlert} {
		if !names[want] {
			t.Errorf("Handle's result lacks the %s step: %+v", want, res.Steps)
		}
	}
	if in := e.incident(res.IncidentID); len(in.Steps) != len(res.Steps) {
		t.Errorf("%d steps stored, %d in the result", len(in.Steps), len(res.Steps))
	}
}
