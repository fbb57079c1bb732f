package bot

import (
	"context"
	"errors"
	"time"

	"go.uber.org/zap"

	"github.com/vigie-edu/vigie/filters"
	"github.com/vigie-edu/vigie/store"
)

// Escalation defaults.
const (
	defaultEscalationWindow   = 10 * time.Minute
	defaultEscalationDuration = 10 * time.Minute
)

// Escalation modes.
const (
	ModeTimeout           = "timeout"
	ModeRemoveFromChannel = "remove_from_channel"
	ModeAlertOnly         = "alert_only"
)

// escalationState is what the bot remembers of a student's last
// escalation in a class.
type escalationState struct {
	last  time.Time // when it happened: removals before it no longer count
	until time.Time // end of the time-out it applied, if any
}

// maybeEscalate applies the class's escalation when the student reached
// Escalation.After removals within Window (counted by the store, or in
// memory when the incident could not be recorded), then alerts the
// teachers. A student whose time-out is running is not escalated again.
func (b *Bot) maybeEscalate(ctx context.Context, c *compiled, a Adapter, cp classPolicy, key authorKey, m *Message, o *outcome, res *Result) {
	e := cp.Escalation
	if e.After <= 0 {
		return
	}
	window := e.Window
	if window <= 0 {
		window = defaultEscalationWindow
	}
	now := b.clock.Now()
	b.mu.Lock()
	st := b.escalated[key]
	if now.Before(st.until) {
		b.mu.Unlock()
		return
	}
	since := now.Add(-window)
	if st.last.After(since) {
		since = st.last.Add(time.Nanosecond)
	}
	times := b.removals[key][:0]
	for _, t := range b.removals[key] {
		if !t.Before(since) {
			times = append(times, t)
		}
	}
	times = append(times, now)
	b.removals[key] = times
	count := len(times)
	b.mu.Unlock()

	if o.id != "" {
		n, err := b.store.CountByAuthor(ctx, string(key.Platform), key.Class, key.Author, filters.Remove, since)
		if err != nil {
			b.metrics.IncidentStoreFailures.Inc()
			b.log.Error("could not count removals; counting in memory", zap.String("incident", o.id), zap.Error(err))
		} else {
			count = n
		}
	}
	if count < e.After {
		return
	}
	duration := e.Duration
	if duration <= 0 {
		duration = defaultEscalationDuration
	}
	// A time-out counts from now: no other worker escalates the student
	// again while it is being applied (the follow-ups of removals in
	// other channels run concurrently). A time-out that fails is taken
	// back below.
	next := escalationState{last: now}
	if e.Mode == ModeTimeout && !cp.DryRun {
		next.until = now.Add(duration)
	}
	b.mu.Lock()
	if b.escalated[key] != st { // another worker escalated meanwhile
		b.mu.Unlock()
		return
	}
	b.escalated[key] = next
	delete(b.removals, key)
	b.mu.Unlock()
	res.Escalated = true

	p := a.Platform()
	eo := &outcome{b: b, id: o.id, names: o.names}
	user := m.Author.UserRef
	reason := "Vigie: repeated removals"
	if o.id != "" {
		reason += " (incident " + o.id + ")"
	}
	apply := func(step string, f func(context.Context) error) {
		err := b.call(ctx, p, step, f)
		if err != nil && step == store.StepTimeout {
			// No time-out is running: the next removals count again.
			b.mu.Lock()
			if b.escalated[key] == next {
				b.escalated[key] = escalationState{last: now}
			}
			b.mu.Unlock()
		}
		switch {
		case err == nil:
			eo.add(ctx, store.Step{Name: step, Target: user.ID, Status: store.StatusOK, Detail: "duration " + duration.String()})
		case errors.Is(err, ErrUnsupported):
			eo.add(ctx, store.Step{Name: step, Target: user.ID, Status: store.StatusSkipped, Detail: "not supported by this platform: alert only"})
		default:
			eo.fail(ctx, step, user.ID, err)
		}
	}
	switch e.Mode {
	case ModeTimeout:
		if cp.DryRun {
			eo.add(ctx, store.Step{Name: store.StepTimeout, Target: user.ID, Status: store.StatusDryRun, Detail: "duration " + duration.String()})
			break
		}
		apply(store.StepTimeout, func(ctx context.Context) error {
			return a.Timeout(ctx, m.Ref.Class, user, duration, reason)
		})
	case ModeRemoveFromChannel:
		if cp.DryRun {
			eo.add(ctx, store.Step{Name: store.StepRemoveFromChannel, Target: user.ID, Status: store.StatusDryRun})
			break
		}
		apply(store.StepRemoveFromChannel, func(ctx context.Context) error {
			return a.RemoveFromChannel(ctx, ChannelRef{Class: m.Ref.Class, ID: m.Ref.Channel, Name: m.ChannelName}, user)
		})
	default:
		eo.add(ctx, store.Step{Name: ModeAlertOnly, Target: user.ID, Status: store.StatusOK})
	}
	b.log.Info("escalation", zap.String("incident", o.id), zap.String("platform", string(p)),
		zap.String("class", key.Class), zap.String("author", key.Author), zap.String("mode", e.Mode), zap.Int("removals", count))

	t, loc := c.texts, cp.Locale
	d := TextData{
		Author: orID(user.Name, user.ID), AuthorID: user.ID, Class: className(cp, m.ClassName),
		Channel: orID(m.ChannelName, m.Ref.Channel), Count: count, Window: humanDuration(loc, window),
		Steps: eo.lines(t, loc), DryRun: cp.DryRun, IncidentID: o.id,
	}
	msg := OutMessage{
		Title:  t.render(loc, "alert.escalation.title", d),
		Body:   t.render(loc, "alert.escalation", d),
		Footer: t.helplineBlock(loc, whenDanger),
		Link:   m.Link,
	}
	payload := WebhookPayload{
		Type: "escalation", IncidentID: o.id, Platform: string(p), ClassID: key.Class, ClassName: d.Class,
		ChannelID: m.Ref.Channel, ChannelName: m.ChannelName, Author: user, Time: now, Action: e.Mode,
		DryRun: cp.DryRun, Title: msg.Title, Text: msg.Body, Link: m.Link, Count: count,
	}
	steps := len(eo.steps)
	payload.Steps = eo.steps[:steps:steps]
	b.deliver(ctx, a, cp, msg, payload, eo)
	o.steps = append(o.steps, eo.steps...)
}
