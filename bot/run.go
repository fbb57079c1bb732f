package bot

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"sync"
	"time"

	"go.uber.org/zap"
)

// queue is one adapter's bounded queue, split into one shard per worker:
// the events of one channel always go to the same shard, so that they
// are judged in order (an edit after its message).
type queue struct {
	platform Platform
	shards   []chan Event
}

func newQueue(p Platform, workers, size int) *queue {
	per := max(1, (size+workers-1)/workers)
	q := &queue{platform: p, shards: make([]chan Event, workers)}
	for i := range q.shards {
		q.shards[i] = make(chan Event, per)
	}
	return q
}

// placeOf returns the class and channel of an event, which choose its
// shard.
func placeOf(ev Event) (class, channel, id string) {
	switch {
	case ev.Message != nil:
		return ev.Message.Ref.Class, ev.Message.Ref.Channel, ev.Message.Ref.ID
	case ev.Command != nil:
		return ev.Command.Channel.Class, ev.Command.Channel.ID, ""
	}
	return ev.Channel.Class, ev.Channel.ID, ""
}

func (q *queue) shard(ev Event) chan Event {
	class, channel, _ := placeOf(ev)
	h := fnv.New32a()
	h.Write([]byte(class))
	h.Write([]byte{0})
	h.Write([]byte(channel))
	return q.shards[int(h.Sum32()%uint32(len(q.shards)))]
}

// Run runs every adapter and judges their events until ctx is done. Each
// adapter has its own bounded queue and Workers workers. When a queue is
// full, the adapter's reader waits (which holds the adapter back) up to
// QueueWait, then gives the event up as unjudged — counted and logged,
// never silently. A worker records an incident and removes the message,
// then hands the rest (the removal's outcome, notices, escalation,
// alerts) to its follow-up goroutine and goes on with the next event
// (see work). When ctx is done, the adapters stop, the queued events and
// their follow-ups are still handled (within DrainTimeout), pending
// alert summaries are sent and channel notices deleted (Flush), and Run
// returns the adapters' errors, if any, other than ctx's own.
func (b *Bot) Run(ctx context.Context, adapters ...Adapter) error {
	if len(adapters) == 0 {
		return errors.New("bot: no adapter to run")
	}
	// Workers keep a context that outlives ctx, so that the events queued
	// at shutdown are still acted on; it ends after DrainTimeout.
	workCtx, cancelWork := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelWork()
	var (
		workers sync.WaitGroup
		intake  sync.WaitGroup
		mu      sync.Mutex
		errs    []error
	)
	for _, a := range adapters {
		p := a.Platform()
		q := newQueue(p, b.workers, b.queueSize)
		for _, shard := range q.shards {
			workers.Go(func() { b.work(workCtx, a, shard) })
		}
		intake.Go(func() {
			defer func() {
				for _, s := range q.shards {
					close(s)
				}
			}()
			if err := b.runAdapter(ctx, a, q); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		})
	}
	intake.Wait()
	b.log.Info("adapters stopped; judging queued events")
	drained := make(chan struct{})
	go func() {
		workers.Wait()
		close(drained)
	}()
	t := time.NewTimer(b.drainTimeout)
	select {
	case <-drained:
		t.Stop()
	case <-t.C:
		b.log.Error("queued events not judged in time; cancelling", zap.Duration("drain_timeout", b.drainTimeout))
		cancelWork()
		<-drained
	}
	flushCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), b.drainTimeout)
	defer cancel()
	b.Flush(flushCtx)
	b.log.Info("bot stopped")
	return errors.Join(errs...)
}

// runAdapter runs one adapter and feeds its events to its queue until it
// returns.
func (b *Bot) runAdapter(ctx context.Context, a Adapter, q *queue) error {
	p := a.Platform()
	out := make(chan Event)
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx, out) }()
	b.log.Info("adapter started", zap.String("platform", string(p)))
	for {
		select {
		case ev := <-out:
			b.enqueue(q, ev)
		case err := <-done:
			if err != nil && !errors.Is(err, context.Canceled) && ctx.Err() == nil {
				b.log.Error("adapter stopped", zap.String("platform", string(p)), zap.Error(err))
				return fmt.Errorf("bot: %s adapter: %w", p, err)
			}
			b.log.Info("adapter stopped", zap.String("platform", string(p)))
			return nil
		}
	}
}

// enqueue puts an event in its shard. When the shard is full it counts
// and logs it, then waits up to QueueWait; an event still without room
// is counted and logged as unjudged.
func (b *Bot) enqueue(q *queue, ev Event) {
	p := string(q.platform)
	shard := q.shard(ev)
	depth := b.metrics.QueueDepth.WithLabelValues(p)
	depth.Inc()
	select {
	case shard <- ev:
		return
	default:
	}
	class, channel, id := placeOf(ev)
	b.metrics.QueueFull.WithLabelValues(p).Inc()
	b.log.Warn("queue full; holding the adapter back", zap.String("platform", p), zap.String("class", class),
		zap.String("channel", channel), zap.String("message", id), zap.String("event", ev.Kind.String()))
	expired := make(chan struct{})
	timer := b.clock.AfterFunc(b.queueWait, func() { close(expired) })
	defer timer.Stop()
	select {
	case shard <- ev:
	case <-expired:
		depth.Dec()
		b.metrics.Unjudged.WithLabelValues(p).Inc()
		b.log.Error("queue still full: event NOT judged", zap.String("platform", p), zap.String("class", class),
			zap.String("channel", channel), zap.String("message", id), zap.String("event", ev.Kind.String()),
			zap.Duration("waited", b.queueWait))
	}
}

// followUpQueue is how many follow-ups of removals each worker lets
// wait before it waits itself (a raid while the platform rate-limits
// the notices).
const followUpQueue = 256

// work judges the events of one shard in order until it is closed. The
// follow-ups of removals (outcome record, notices, escalation, alerts)
// run on a goroutine of the worker's own, in the order of the removals,
// so that a harmful message never waits for the notices and alerts of
// the previous one; when followUpQueue of them wait, the worker waits
// for room (nothing is dropped). work returns when every follow-up has
// run.
func (b *Bot) work(ctx context.Context, a Adapter, shard <-chan Event) {
	p := string(a.Platform())
	followUps := make(chan *followUp, followUpQueue)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for f := range followUps {
			f.run(ctx, b)
			b.metrics.FollowUpsPending.Dec()
		}
	}()
	later := func(f *followUp) {
		b.metrics.FollowUpsPending.Inc()
		followUps <- f
	}
	for ev := range shard {
		b.metrics.QueueDepth.WithLabelValues(p).Dec()
		if !ev.Received.IsZero() {
			b.metrics.QueueWaitSeconds.Observe(time.Since(ev.Received).Seconds())
		}
		b.handleQueued(ctx, a, ev, later)
	}
	close(followUps)
	<-done
}

// handleQueued handles one queued event, logging failures; later takes
// the follow-up of a removal.
func (b *Bot) handleQueued(ctx context.Context, a Adapter, ev Event, later func(*followUp)) {
	if _, err := b.handle(ctx, a, ev, later); err != nil {
		class, channel, id := placeOf(ev)
		b.log.Error("event handling failed", zap.String("platform", string(a.Platform())), zap.String("class", class),
			zap.String("channel", channel), zap.String("message", id), zap.String("event", ev.Kind.String()), zap.Error(err))
	}
}
