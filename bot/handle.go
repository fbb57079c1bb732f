package bot

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/vigie-edu/vigie/filters"
	"github.com/vigie-edu/vigie/store"
)

// removedTTL is how long the bot remembers a removed message so that an
// edit of it (which platforms may still deliver) does nothing.
const removedTTL = 24 * time.Hour

// segment is a part of the classified text that is not the message's
// own text: an attachment's file name or a piece of an embed.
type segment struct {
	start, end int
	where      string // "attachment" or "embed"
	label      string // file name, or "url", "title", "description"
}

// classifiedText joins the message text, the attachments' file names and
// the embeds' URLs, titles and descriptions with newlines, so that one
// classification covers them all. The message text comes first, so that
// spans inside it stay valid.
func classifiedText(m *Message) (string, []segment) {
	if len(m.Attachments) == 0 && len(m.Embeds) == 0 {
		return m.Text, nil
	}
	var sb strings.Builder
	sb.WriteString(m.Text)
	var segs []segment
	add := func(s, where, label string) {
		if s == "" {
			return
		}
		sb.WriteByte('\n')
		start := sb.Len()
		sb.WriteString(s)
		segs = append(segs, segment{start: start, end: sb.Len(), where: where, label: label})
	}
	for _, a := range m.Attachments {
		add(a, "attachment", a)
	}
	for _, e := range m.Embeds {
		add(e.URL, "embed", "url")
		add(e.Title, "embed", "title")
		add(e.Description, "embed", "description")
	}
	return sb.String(), segs
}

// relocate makes the verdict's spans relative to the message text:
// findings and links inside an attachment name or an embed get an empty
// span and a Detail that says where they were ("attachment: photo.png",
// "embed title"). It returns where the first such finding was
// ("attachment" or "embed"), or "" when every finding is in the text.
func relocate(v *filters.Verdict, textLen int, segs []segment) string {
	if len(segs) == 0 {
		return ""
	}
	locate := func(sp *filters.Span) (segment, bool) {
		if sp.Start < textLen {
			sp.End = min(sp.End, textLen)
			return segment{}, false
		}
		for _, s := range segs {
			if sp.Start >= s.start-1 && sp.Start < s.end {
				*sp = filters.Span{}
				return s, true
			}
		}
		*sp = filters.Span{}
		return segment{where: "embed"}, true
	}
	describe := func(s segment) string {
		if s.where == "attachment" {
			return "attachment: " + s.label
		}
		return strings.TrimSpace("embed " + s.label)
	}
	first := ""
	for i := range v.Findings {
		f := &v.Findings[i]
		if s, moved := locate(&f.Span); moved {
			f.Detail = strings.TrimPrefix(f.Detail+"; in "+describe(s), "; ")
			if first == "" {
				first = s.where
			}
		}
	}
	for i := range v.Links {
		l := &v.Links[i]
		if s, moved := locate(&l.Span); moved && first == "" && l.Category != "" {
			first = s.where
		}
	}
	for i := range v.Suppressed {
		locate(&v.Suppressed[i].Span)
	}
	return first
}

// decideAction applies a class's actions to a verdict: each category
// found takes the class's action for it, else the rules' action, else
// the verdict's action; the strongest wins.
func decideAction(v *filters.Verdict, class, rules map[filters.Category]filters.Action) filters.Action {
	if len(v.Categories) == 0 {
		return filters.Allow
	}
	best := filters.Allow
	for _, cs := range v.Categories {
		a, ok := class[cs.Name]
		if !ok {
			a, ok = rules[cs.Name]
		}
		if !ok {
			a = v.Action
		}
		if a.Stronger(best) {
			best = a
		}
	}
	return best
}

// topCategory returns the verdict's category of highest severity.
func topCategory(v *filters.Verdict) filters.Category {
	var top filters.CategoryScore
	for _, c := range v.Categories {
		if top.Name == "" || c.Severity > top.Severity {
			top = c
		}
	}
	return top.Name
}

// categoryNames returns the verdict's categories.
func categoryNames(v *filters.Verdict) []filters.Category {
	out := make([]filters.Category, 0, len(v.Categories))
	for _, c := range v.Categories {
		out = append(out, c.Name)
	}
	return out
}

// evidence is the quoted evidence of a message for alerts: its text,
// then its attachments and embeds.
func evidence(m *Message) string {
	var sb strings.Builder
	sb.WriteString(m.Text)
	for _, a := range m.Attachments {
		sb.WriteString("\n📎 " + a)
	}
	for _, e := range m.Embeds {
		for _, s := range []string{e.URL, e.Title, e.Description} {
			if s != "" {
				sb.WriteString("\n🔗 " + s)
			}
		}
	}
	return sb.String()
}

// attachmentsOf lists what the store keeps besides the text: file names
// and embed URLs.
func attachmentsOf(m *Message) []string {
	out := slices.Clone(m.Attachments)
	for _, e := range m.Embeds {
		if e.URL != "" {
			out = append(out, e.URL)
		}
	}
	return out
}

// wasRemoved reports whether the bot removed the message.
func (b *Bot) wasRemoved(ref MessageRef) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	_, ok := b.removed[ref]
	return ok
}

// markRemoved remembers a removed message (for later edits) and forgets
// those removed long ago.
func (b *Bot) markRemoved(ref MessageRef) {
	now := b.clock.Now()
	b.mu.Lock()
	defer b.mu.Unlock()
	b.removed[ref] = now
	if len(b.removed)%256 == 0 {
		for r, t := range b.removed {
			if now.Sub(t) > removedTTL {
				delete(b.removed, r)
			}
		}
	}
}

// handleMessage judges a new or edited message and acts on it. later,
// when set, takes the follow-up of a removal (see act).
func (b *Bot) handleMessage(ctx context.Context, c *compiled, a Adapter, ev Event, later func(*followUp)) (*Result, error) {
	m := ev.Message
	p := a.Platform()
	res := &Result{Kind: ev.Kind, Action: filters.Allow}
	b.metrics.MessagesSeen.WithLabelValues(string(p)).Inc()
	self := selfOf(a)
	if self.ID != "" && m.Author.ID == self.ID {
		res.Exempt = "self"
		return res, nil
	}
	if m.Direct {
		res.Skipped = "direct"
		return res, nil
	}
	if ev.Kind == MessageEdited && b.wasRemoved(m.Ref) {
		res.Skipped = "already_removed"
		return res, nil
	}
	cp := b.policyFor(ctx, c, p, m.Ref.Class, m.Ref.Channel, m.ChannelName)
	res.DryRun = cp.DryRun
	if r := exemptReason(cp.Policy, m.Author, self); r != "" {
		res.Exempt = r
		return res, nil
	}
	text, segs := classifiedText(m)
	if strings.TrimSpace(text) == "" {
		res.Skipped = "empty"
		return res, nil
	}
	start := time.Now()
	v := c.snap.Classifier.Classify(ctx, filters.Message{Text: text, Lang: m.Lang, DefaultLang: cp.Lang})
	b.metrics.ClassifySeconds.Observe(time.Since(start).Seconds())
	where := relocate(&v, len(m.Text), segs)
	action := decideAction(&v, cp.Actions, c.snap.Actions)
	res.Verdict, res.Action = &v, action
	if len(v.Categories) == 0 {
		b.metrics.Verdicts.WithLabelValues("none", string(action)).Inc()
	}
	for _, cs := range v.Categories {
		b.metrics.Verdicts.WithLabelValues(string(cs.Name), string(action)).Inc()
	}
	if action == filters.Allow {
		return res, nil
	}
	b.act(ctx, c, a, cp, ev, &v, action, where, res, later)
	return res, nil
}

// act records the incident, then removes the message: that is the
// critical path, what must be done before the next message of the
// channel is judged. What follows (recording the removal's outcome,
// notices, escalation, teacher alerts) is a followUp: act runs it at
// once when later is nil (Handle), or gives it to later (Run's workers
// hand it to their follow-up goroutine, so that the next deletion never
// waits behind the notices and alerts of the previous one).
func (b *Bot) act(ctx context.Context, c *compiled, a Adapter, cp classPolicy, ev Event, v *filters.Verdict, action filters.Action, where string, res *Result, later func(*followUp)) {
	m := ev.Message
	p := a.Platform()
	kind := store.KindMessage
	if ev.Kind == MessageEdited {
		kind = store.KindEdit
	}
	inc := &store.Incident{
		Platform: string(p), ClassID: m.Ref.Class, ClassName: className(cp, m.ClassName),
		ChannelID: m.Ref.Channel, ChannelName: m.ChannelName, MessageID: m.Ref.ID,
		AuthorID: m.Author.ID, AuthorName: m.Author.Name, Kind: kind, Time: m.Time,
		Text: m.Text, Attachments: attachmentsOf(m), Link: m.Link,
		Verdict: *v, Action: action, DryRun: cp.DryRun,
	}
	o := b.record(ctx, inc, res)
	fields := []zap.Field{
		zap.String("incident", o.id), zap.String("platform", string(p)), zap.String("class", m.Ref.Class),
		zap.String("channel", m.Ref.Channel), zap.String("message", m.Ref.ID), zap.String("author", m.Author.ID),
		zap.Any("categories", categoryNames(v)), zap.String("action", string(action)), zap.Bool("dry_run", cp.DryRun),
		zap.String("kind", string(kind)),
	}
	if b.logText {
		fields = append(fields, zap.String("text", m.Text))
	}
	b.log.Info("incident", fields...)

	f := &followUp{c: c, a: a, cp: cp, m: m, v: v, action: action, where: where, o: o, res: res}
	switch {
	case action != filters.Remove:
		f.removal = store.Step{Name: store.StepDelete, Target: m.Ref.ID, Status: store.StatusSkipped, Detail: "alert only: message kept"}
	case cp.DryRun:
		f.removal = store.Step{Name: store.StepDelete, Target: m.Ref.ID, Status: store.StatusDryRun, Detail: "dry run: would have removed"}
	default:
		reason := "Vigie: " + string(topCategory(v))
		if o.id != "" {
			reason += " (incident " + o.id + ")"
		}
		err := b.call(ctx, p, "delete", func(ctx context.Context) error { return a.Delete(ctx, m.Ref, reason) })
		switch {
		case errors.Is(err, ErrUnsupported):
			// The HTTP API: the caller removes the message itself.
			f.removal = store.Step{Name: store.StepDelete, Target: m.Ref.ID, Status: store.StatusSkipped, Detail: "removal left to the platform (the API caller)"}
		case err != nil:
			f.removal = store.Step{Name: store.StepDelete, Target: m.Ref.ID, Status: store.StatusFailed, Detail: failureReason(err)}
		default:
			b.markRemoved(m.Ref)
			if !ev.Received.IsZero() {
				b.metrics.RemovalSeconds.Observe(time.Since(ev.Received).Seconds())
			}
			f.removal = store.Step{Name: store.StepDelete, Target: m.Ref.ID, Status: store.StatusOK}
		}
	}
	f.removal.At = b.clock.Now()
	if later == nil {
		f.run(ctx, b)
		return
	}
	later(f)
}

// followUp is what the bot does about an incident after the critical
// path: it records the removal's outcome, sends the notices, escalates
// and alerts the teachers, recording each step.
type followUp struct {
	c       *compiled
	a       Adapter
	cp      classPolicy
	m       *Message
	v       *filters.Verdict
	action  filters.Action
	where   string
	o       *outcome
	res     *Result
	removal store.Step // the outcome of the deletion (or why there was none)
}

// run does the follow-up. The outcome and the result belong to it from
// then on.
func (f *followUp) run(ctx context.Context, b *Bot) {
	o, m := f.o, f.m
	o.add(ctx, f.removal)
	b.sendNotices(ctx, f.c, f.a, f.cp, m, f.v, o)
	key := authorKey{Platform: f.a.Platform(), Class: m.Ref.Class, Author: m.Author.ID}
	if f.action == filters.Remove {
		b.maybeEscalate(ctx, f.c, f.a, f.cp, key, m, o, f.res)
	}
	b.alertIncident(ctx, f.c, f.a, f.cp, key, m, f.v, f.action, f.where, o)
	f.res.Steps = o.steps
}

// outcome collects the steps of one incident and records each in the
// store as it happens.
type outcome struct {
	b     *Bot
	id    string // "" when the incident could not be recorded
	steps []store.Step
	names map[string]string // user id → name, for step lines
}

// record stores an incident before any platform call. When the store
// fails, the bot still acts: the failure is logged (with the message id),
// counted and shown in the alert.
func (b *Bot) record(ctx context.Context, inc *store.Incident, res *Result) *outcome {
	o := &outcome{b: b, names: map[string]string{}}
	start := time.Now()
	id, err := b.store.Record(ctx, inc)
	b.metrics.IncidentRecordSeconds.Observe(time.Since(start).Seconds())
	if err != nil {
		b.metrics.IncidentStoreFailures.Inc()
		b.log.Error("could not record incident; acting anyway",
			zap.String("platform", inc.Platform), zap.String("class", inc.ClassID),
			zap.String("channel", inc.ChannelID), zap.String("message", inc.MessageID), zap.Error(err))
		o.steps = append(o.steps, store.Step{Name: "record", Status: store.StatusFailed, Detail: reasonStore, At: b.clock.Now()})
		return o
	}
	b.metrics.IncidentsStored.Inc()
	o.id = id
	res.IncidentID = id
	return o
}

// add records a step.
func (o *outcome) add(ctx context.Context, s store.Step) {
	if s.At.IsZero() {
		s.At = o.b.clock.Now()
	}
	o.steps = append(o.steps, s)
	if o.id == "" {
		return
	}
	if err := o.b.store.AddStep(ctx, o.id, s); err != nil {
		o.b.metrics.IncidentStoreFailures.Inc()
		o.b.log.Error("could not record step", zap.String("incident", o.id), zap.String("step", s.Name),
			zap.String("status", s.Status), zap.Error(err))
	}
}

// fail records a failed step with the reason of err.
func (o *outcome) fail(ctx context.Context, name, target string, err error) {
	o.add(ctx, store.Step{Name: name, Target: target, Status: store.StatusFailed, Detail: failureReason(err)})
}
