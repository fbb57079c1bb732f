package bot

import (
	"context"
	"errors"
	"time"

	"go.uber.org/zap"

	"github.com/vigie-edu/vigie/filters"
	"github.com/vigie-edu/vigie/store"
)

// pendingNotice is a channel notice waiting to be deleted.
type pendingNotice struct {
	a     Adapter
	ref   MessageRef
	timer Timer
}

// targetsOf returns the students a message was aimed at: those it
// mentions and the author of the message it replies to, without its
// author, the bot itself, and duplicates.
func targetsOf(m *Message, self UserRef) []UserRef {
	var out []UserRef
	seen := map[string]bool{m.Author.ID: true}
	if self.ID != "" {
		seen[self.ID] = true
	}
	add := func(u UserRef) {
		if u.ID == "" || seen[u.ID] {
			return
		}
		seen[u.ID] = true
		out = append(out, u)
	}
	for _, u := range m.Mentions {
		add(u)
	}
	if m.ReplyTo != nil {
		add(*m.ReplyTo)
	}
	return out
}

// sendNotices sends the author a calm notice (a caring one for
// self-harm) and each targeted student a safety notice.
func (b *Bot) sendNotices(ctx context.Context, c *compiled, a Adapter, cp classPolicy, m *Message, v *filters.Verdict, o *outcome) {
	t, loc := c.texts, cp.Locale
	top := topCategory(v)
	channel := ChannelRef{Class: m.Ref.Class, ID: m.Ref.Channel, Name: m.ChannelName}
	d := TextData{
		Recipient: orID(m.Author.Name, m.Author.ID), Class: className(cp, m.ClassName),
		Channel: orID(m.ChannelName, m.Ref.Channel), Category: t.category(loc, top), Rule: t.rule(loc, top),
		Removed: o.removed(), DryRun: cp.DryRun,
	}
	selfHarm := v.Has(filters.SelfHarm)
	switch {
	case selfHarm:
		// Always: a student in distress hears from someone at once.
		msg := OutMessage{
			Title:  t.render(loc, "notice.self_harm.title", d),
			Body:   t.render(loc, "notice.self_harm", d),
			Footer: t.helplineBlock(loc, whenSelf),
		}
		b.notify(ctx, c, a, cp, channel, m.Author.UserRef, store.StepNoticeAuthor, msg, t.render(loc, "notice.channel.self_harm", d), o)
	case cp.NotifyAuthor:
		key := "notice.author"
		if !d.Removed {
			key = "notice.author.kept"
		}
		msg := OutMessage{
			Title:  t.render(loc, "notice.author.title", d),
			Body:   t.render(loc, key, d),
			Footer: t.helplineBlock(loc),
		}
		b.notify(ctx, c, a, cp, channel, m.Author.UserRef, store.StepNoticeAuthor, msg, t.render(loc, "notice.channel.author", d), o)
	}
	if !cp.NotifyTargets || selfHarm {
		return
	}
	for _, u := range targetsOf(m, selfOf(a)) {
		if b.isBot(ctx, a, m.Ref.Class, u) {
			continue
		}
		td := d
		td.Recipient = orID(u.Name, u.ID)
		msg := OutMessage{
			Title:  t.render(loc, "notice.target.title", td),
			Body:   t.render(loc, "notice.target", td),
			Footer: t.helplineBlock(loc),
		}
		b.notify(ctx, c, a, cp, channel, u, store.StepNoticeTarget, msg, t.render(loc, "notice.channel.target", td), o)
	}
}

// isBot reports whether a user is a bot, asking the platform. When the
// platform cannot say, the user is taken for a student (a notice too
// many is better than one missing).
func (b *Bot) isBot(ctx context.Context, a Adapter, class string, u UserRef) bool {
	var who Author
	err := b.call(ctx, a.Platform(), "member", func(ctx context.Context) error {
		var err error
		who, err = a.Member(ctx, class, u)
		return err
	})
	return err == nil && who.Bot
}

// notify sends one private notice. When the user does not accept direct
// messages, a short notice that mentions them is posted in the channel
// instead and deleted after the class's NoticeTTL.
func (b *Bot) notify(ctx context.Context, c *compiled, a Adapter, cp classPolicy, channel ChannelRef, u UserRef, step string, msg OutMessage, short string, o *outcome) {
	p := a.Platform()
	o.names[u.ID] = orID(u.Name, u.ID)
	err := b.call(ctx, p, "dm", func(ctx context.Context) error { return a.SendDirect(ctx, u, msg) })
	if err == nil {
		o.add(ctx, store.Step{Name: step, Target: u.ID, Status: store.StatusOK})
		return
	}
	o.fail(ctx, step, u.ID, err)
	if !errors.Is(err, ErrDirectClosed) {
		return
	}
	body := c.texts.render(cp.Locale, "notice.channel", TextData{Recipient: orID(u.Name, u.ID), Summary: short})
	var ref MessageRef
	err = b.call(ctx, p, "post", func(ctx context.Context) error {
		var err error
		ref, err = a.Post(ctx, channel, OutMessage{Body: body, Mentions: []UserRef{u}})
		return err
	})
	if err != nil {
		o.fail(ctx, store.StepChannelNotice, u.ID, err)
		return
	}
	o.add(ctx, store.Step{Name: store.StepChannelNotice, Target: u.ID, Status: store.StatusOK,
		Detail: "deleted after " + cp.NoticeTTL.String()})
	b.scheduleNoticeDeletion(a, ref, cp.NoticeTTL)
}

// scheduleNoticeDeletion deletes a channel notice after ttl, or at
// shutdown (Flush) at the latest.
func (b *Bot) scheduleNoticeDeletion(a Adapter, ref MessageRef, ttl time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	id := b.nextID
	b.nextID++
	n := &pendingNotice{a: a, ref: ref}
	b.notices[id] = n
	n.timer = b.clock.AfterFunc(ttl, func() {
		b.mu.Lock()
		if b.notices[id] != n {
			b.mu.Unlock()
			return
		}
		delete(b.notices, id)
		b.inflight++
		b.mu.Unlock()
		defer b.callbackDone()
		ctx, cancel := context.WithTimeout(context.Background(), callbackTimeout)
		defer cancel()
		b.deleteNotice(ctx, n)
	})
}

// deleteNotice deletes a channel notice; a failure is logged and
// counted (the notice holds no message text).
func (b *Bot) deleteNotice(ctx context.Context, n *pendingNotice) {
	err := b.call(ctx, n.a.Platform(), "delete_notice", func(ctx context.Context) error {
		return n.a.Delete(ctx, n.ref, "Vigie: notice expired")
	})
	if err != nil && !errors.Is(err, ErrNotFound) {
		b.log.Warn("could not delete a channel notice", zap.String("platform", string(n.a.Platform())),
			zap.String("channel", n.ref.Channel), zap.String("message", n.ref.ID), zap.Error(err))
	}
}

// callbackDone marks the end of a timer callback.
func (b *Bot) callbackDone() {
	b.mu.Lock()
	b.inflight--
	if b.inflight == 0 {
		b.idle.Broadcast()
	}
	b.mu.Unlock()
}
