package bot

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/vigie-edu/vigie/filters"
	"github.com/vigie-edu/vigie/store"
)

// Alert routes (the label of vigie_alerts_sent_total and the prefix of
// the alert steps' targets).
const (
	routeChannel = "channel"
	routeUser    = "user"
	routeRole    = "role"
	routeWebhook = "webhook"
	routeOwner   = "owner"
)

// alertGroup accumulates the alerts about one student in one class while
// its window is open; when the window closes they go out as one summary.
type alertGroup struct {
	a       Adapter
	c       *compiled
	cp      classPolicy
	author  UserRef
	class   string // class name to show
	channel ChannelRef
	link    string
	timer   Timer

	count    int
	kept     int // grouped messages not removed (alert only, dry run or failed deletion)
	cats     map[filters.Category]int
	dryRun   bool
	incident string // last grouped incident, which the summary's steps go to
}

// alertIncident alerts the teachers about an incident: at once for the
// first incident about a student within the class's GroupWindow, and for
// urgent ones (self-harm, threats); later ones are summed up when the
// window closes.
func (b *Bot) alertIncident(ctx context.Context, c *compiled, a Adapter, cp classPolicy, key authorKey, m *Message, v *filters.Verdict, action filters.Action, where string, o *outcome) {
	t, loc := c.texts, cp.Locale
	top := topCategory(v)
	urgent := v.Has(filters.SelfHarm) || v.Has(filters.Threat)
	if cp.GroupWindow > 0 && !urgent {
		g := &alertGroup{
			a: a, c: c, cp: cp, author: m.Author.UserRef, class: className(cp, m.ClassName), link: m.Link,
			channel: ChannelRef{Class: m.Ref.Class, ID: m.Ref.Channel, Name: m.ChannelName},
		}
		if b.joinOrOpenGroup(key, g, v, cp.DryRun, o.removed(), o.id) {
			o.add(ctx, store.Step{Name: store.StepAlert, Status: store.StatusSkipped,
				Detail: "grouped: summed up when the " + cp.GroupWindow.String() + " window closes"})
			return
		}
	}
	cats := make([]string, 0, len(v.Categories))
	for _, cs := range v.Categories {
		cats = append(cats, t.category(loc, cs.Name))
	}
	whereText := ""
	if where != "" {
		whereText = t.render(loc, "alert.where."+where, TextData{})
	}
	d := TextData{
		Author: orID(m.Author.Name, m.Author.ID), AuthorID: m.Author.ID,
		Class: className(cp, m.ClassName), Channel: orID(m.ChannelName, m.Ref.Channel),
		Time: formatTime(loc, m.Time), Category: t.category(loc, top), Categories: strings.Join(cats, ", "),
		Where: whereText, Removed: o.removed(), DryRun: cp.DryRun, Steps: o.lines(t, loc), IncidentID: o.id,
	}
	titleKey := "alert.title"
	if urgent {
		titleKey = "alert.title.urgent"
	}
	body := t.render(loc, "alert.body", d)
	situations := []string{whenDanger, whenIllegal}
	if v.Has(filters.SelfHarm) {
		body += "\n\n" + t.render(loc, "alert.self_harm", d)
		situations = append(situations, whenSelf)
	}
	msg := OutMessage{
		Title:    t.render(loc, titleKey, d),
		Body:     body,
		Evidence: evidence(m),
		Hidden:   v.Has(filters.Sexual) || v.Has(filters.PornLink),
		Footer:   t.helplineBlock(loc, situations...),
		Link:     m.Link,
		Urgent:   urgent,
	}
	payload := WebhookPayload{
		Type: "incident", IncidentID: o.id, Platform: string(a.Platform()), ClassID: m.Ref.Class,
		ClassName: d.Class, ChannelID: m.Ref.Channel, ChannelName: m.ChannelName,
		Author: m.Author.UserRef, Time: m.Time, Action: string(action), DryRun: cp.DryRun,
		Urgent: urgent, Title: msg.Title, Text: body, Evidence: msg.Evidence, Link: m.Link,
		Steps: slices.Clone(o.steps),
	}
	for _, cs := range v.Categories {
		payload.Categories = append(payload.Categories, string(cs.Name))
	}
	b.deliver(ctx, a, cp, msg, payload, o)
}

// joinOrOpenGroup adds an incident to the open group of its student and
// reports true; when there is none, it opens g (whose window starts now)
// and reports false: the caller alerts at once.
func (b *Bot) joinOrOpenGroup(key authorKey, g *alertGroup, v *filters.Verdict, dryRun, removed bool, incident string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if open := b.groups[key]; open != nil {
		open.count++
		if !removed {
			open.kept++
		}
		for _, cs := range v.Categories {
			open.cats[cs.Name]++
		}
		open.dryRun = open.dryRun || dryRun
		if incident != "" {
			open.incident = incident
		}
		return true
	}
	g.cats = map[filters.Category]int{}
	b.groups[key] = g
	g.timer = b.clock.AfterFunc(g.cp.GroupWindow, func() { b.closeWindow(key, g) })
	return false
}

// closeWindow runs when a group's window closes: a summary goes out if
// incidents were grouped, and the group stays open for one more window
// (a raid goes on being summed up); an empty window ends the group.
func (b *Bot) closeWindow(key authorKey, g *alertGroup) {
	b.mu.Lock()
	if b.groups[key] != g {
		b.mu.Unlock()
		return
	}
	if g.count == 0 {
		delete(b.groups, key)
		b.mu.Unlock()
		return
	}
	s := g.take()
	g.timer = b.clock.AfterFunc(g.cp.GroupWindow, func() { b.closeWindow(key, g) })
	b.inflight++
	b.mu.Unlock()
	defer b.callbackDone()
	ctx, cancel := context.WithTimeout(context.Background(), callbackTimeout)
	defer cancel()
	b.sendSummary(ctx, g, s)
}

// groupSummary is what a group accumulated in one window.
type groupSummary struct {
	count    int
	kept     int
	cats     map[filters.Category]int
	dryRun   bool
	incident string
}

// take returns and resets what the group accumulated. b.mu is held.
func (g *alertGroup) take() groupSummary {
	s := groupSummary{count: g.count, kept: g.kept, cats: g.cats, dryRun: g.dryRun, incident: g.incident}
	g.count, g.kept, g.cats, g.dryRun, g.incident = 0, 0, map[filters.Category]int{}, false, ""
	return s
}

// sendSummary sends one summary alert for the incidents of a window
// ("12 more messages from X removed in the last 2 minutes: insult ×9,
// porn_link ×3").
func (b *Bot) sendSummary(ctx context.Context, g *alertGroup, s groupSummary) {
	t, loc := g.c.texts, g.cp.Locale
	cats := slices.SortedFunc(maps.Keys(s.cats), func(x, y filters.Category) int {
		if s.cats[x] != s.cats[y] {
			return s.cats[y] - s.cats[x]
		}
		return strings.Compare(string(x), string(y))
	})
	parts := make([]string, 0, len(cats))
	breakdown := make(map[string]int, len(cats))
	for _, c := range cats {
		parts = append(parts, fmt.Sprintf("%s ×%d", t.category(loc, c), s.cats[c]))
		breakdown[string(c)] = s.cats[c]
	}
	d := TextData{
		Author: orID(g.author.Name, g.author.ID), AuthorID: g.author.ID, Class: g.class,
		Channel: orID(g.channel.Name, g.channel.ID), Count: s.count, Kept: s.kept, Window: humanDuration(loc, g.cp.GroupWindow),
		Breakdown: strings.Join(parts, ", "), DryRun: s.dryRun, IncidentID: s.incident,
	}
	msg := OutMessage{
		Title:  t.render(loc, "alert.summary.title", d),
		Body:   t.render(loc, "alert.summary", d),
		Footer: t.helplineBlock(loc, whenDanger, whenIllegal),
		Link:   g.link,
	}
	payload := WebhookPayload{
		Type: "summary", IncidentID: s.incident, Platform: string(g.a.Platform()), ClassID: g.cp.ID,
		ClassName: g.class, ChannelID: g.channel.ID, ChannelName: g.channel.Name, Author: g.author,
		Time: b.clock.Now(), DryRun: s.dryRun, Title: msg.Title, Text: msg.Body, Link: g.link,
		Count: s.count, Breakdown: breakdown,
	}
	for _, c := range cats {
		payload.Categories = append(payload.Categories, string(c))
	}
	o := &outcome{b: b, id: s.incident, names: map[string]string{}}
	b.deliver(ctx, g.a, g.cp, msg, payload, o)
}

// humanDuration writes a window in words ("2 minutes").
func humanDuration(loc string, d time.Duration) string {
	fr := baseLocale(loc) == "fr"
	switch {
	case d%time.Hour == 0 && d >= time.Hour:
		n := int(d / time.Hour)
		if fr {
			return plural(n, "heure", "heures")
		}
		return plural(n, "hour", "hours")
	case d%time.Minute == 0 && d >= time.Minute:
		n := int(d / time.Minute)
		return plural(n, "minute", "minutes")
	}
	n := int(d.Round(time.Second) / time.Second)
	if fr {
		return plural(n, "seconde", "secondes")
	}
	return plural(n, "second", "seconds")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// alertRoute is one place an alert goes.
type alertRoute struct {
	kind    string // routeChannel, routeUser, routeRole, routeWebhook, routeOwner
	channel ChannelRef
	user    UserRef
}

// target names a route in steps ("channel:123", "user:456", "webhook").
func (r alertRoute) target() string {
	switch r.kind {
	case routeChannel:
		return routeChannel + ":" + orID(r.channel.ID, r.channel.Name)
	case routeWebhook:
		return routeWebhook
	}
	return r.kind + ":" + r.user.ID
}

// channelRef returns the reference of a channel given by id or name in
// the rules or by /vigie setup ("123", "<#123>", "#alertes"). A value
// that does not look like a platform id (Discord snowflake, Mattermost
// id) is passed as Name with an empty ID, for the adapter to resolve.
func channelRef(class, v string) ChannelRef {
	v = strings.TrimSpace(v)
	if strings.HasPrefix(v, "#") {
		return ChannelRef{Class: class, Name: strings.TrimLeft(v, "#")}
	}
	v = trimRef(v)
	if looksLikeID(v) {
		return ChannelRef{Class: class, ID: v}
	}
	return ChannelRef{Class: class, Name: v}
}

// looksLikeID reports whether s looks like a platform id: 15 or more
// lower-case letters and digits.
func looksLikeID(s string) bool {
	if len(s) < 15 {
		return false
	}
	for _, r := range s {
		if !('0' <= r && r <= '9' || 'a' <= r && r <= 'z') {
			return false
		}
	}
	return true
}

// routes returns where a class's alerts go: its alert channel, alert
// users, members of its alert roles and webhook; the class owner by
// direct message when there is none.
func (b *Bot) routes(ctx context.Context, a Adapter, cp classPolicy, o *outcome) []alertRoute {
	var rs []alertRoute
	if cp.AlertChannel != "" {
		rs = append(rs, alertRoute{kind: routeChannel, channel: channelRef(cp.ID, cp.AlertChannel)})
	}
	seen := map[string]bool{}
	for _, u := range cp.AlertUsers {
		if u != "" && !seen[u] {
			seen[u] = true
			rs = append(rs, alertRoute{kind: routeUser, user: UserRef{ID: u}})
		}
	}
	if len(cp.AlertRoles) > 0 {
		lister, ok := a.(RoleMemberLister)
		for _, role := range cp.AlertRoles {
			if !ok {
				o.add(ctx, store.Step{Name: store.StepAlert, Target: routeRole + ":" + role, Status: store.StatusFailed,
					Detail: reasonNoRoles})
				continue
			}
			var members []UserRef
			err := b.call(ctx, a.Platform(), "role_members", func(ctx context.Context) error {
				var err error
				members, err = lister.RoleMembers(ctx, cp.ID, role)
				return err
			})
			if err != nil {
				o.fail(ctx, store.StepAlert, routeRole+":"+role, err)
				b.metrics.AlertsFailed.WithLabelValues(routeRole).Inc()
				continue
			}
			for _, u := range members {
				if !seen[u.ID] {
					seen[u.ID] = true
					rs = append(rs, alertRoute{kind: routeRole, user: u})
				}
			}
		}
	}
	if cp.Webhook.URL != "" {
		rs = append(rs, alertRoute{kind: routeWebhook})
	}
	if len(rs) > 0 || len(cp.AlertRoles) > 0 {
		return rs
	}
	var info ClassInfo
	err := b.call(ctx, a.Platform(), "class", func(ctx context.Context) error {
		var err error
		info, err = a.Class(ctx, cp.ID)
		return err
	})
	switch {
	case err != nil:
		o.fail(ctx, store.StepAlert, routeOwner, err)
		b.metrics.AlertsFailed.WithLabelValues(routeOwner).Inc()
		b.log.Error("no alert route and the class owner is unknown: alert not delivered",
			zap.String("incident", o.id), zap.String("class", cp.ID), zap.Error(err))
	case info.Owner.ID == "":
		o.add(ctx, store.Step{Name: store.StepAlert, Target: routeOwner, Status: store.StatusFailed, Detail: reasonNoOwner})
		b.metrics.AlertsFailed.WithLabelValues(routeOwner).Inc()
	default:
		rs = append(rs, alertRoute{kind: routeOwner, user: info.Owner})
	}
	return rs
}

// deliver sends an alert along every route of the class, recording each
// route's outcome as an "alert" step. It reports whether at least one
// route delivered it.
func (b *Bot) deliver(ctx context.Context, a Adapter, cp classPolicy, msg OutMessage, payload WebhookPayload, o *outcome) bool {
	p := a.Platform()
	delivered := false
	for _, r := range b.routes(ctx, a, cp, o) {
		var err error
		switch r.kind {
		case routeChannel:
			err = b.call(ctx, p, "post", func(ctx context.Context) error {
				_, err := a.Post(ctx, r.channel, msg)
				return err
			})
		case routeWebhook:
			err = b.postWebhook(ctx, cp.Webhook, payload)
		default:
			err = b.call(ctx, p, "dm", func(ctx context.Context) error { return a.SendDirect(ctx, r.user, msg) })
		}
		if err != nil {
			b.metrics.AlertsFailed.WithLabelValues(r.kind).Inc()
			o.fail(ctx, store.StepAlert, r.target(), err)
			b.log.Error("alert not delivered", zap.String("incident", o.id), zap.String("platform", string(p)),
				zap.String("class", cp.ID), zap.String("route", r.kind), zap.Error(err))
			continue
		}
		delivered = true
		b.metrics.AlertsSent.WithLabelValues(r.kind).Inc()
		o.add(ctx, store.Step{Name: store.StepAlert, Target: r.target(), Status: store.StatusOK})
	}
	return delivered
}

// Flush does at once what timers would do later: it deletes the channel
// notices still shown and sends the summaries of open alert groups. Run
// calls it on shutdown; callers of Handle call it before they stop.
func (b *Bot) Flush(ctx context.Context) {
	b.mu.Lock()
	notices := slices.Collect(maps.Values(b.notices))
	clear(b.notices)
	type pending struct {
		g *alertGroup
		s groupSummary
	}
	var summaries []pending
	for key, g := range b.groups {
		g.timer.Stop()
		if g.count > 0 {
			summaries = append(summaries, pending{g, g.take()})
		}
		delete(b.groups, key)
	}
	b.mu.Unlock()
	for _, n := range notices {
		n.timer.Stop()
		b.deleteNotice(ctx, n)
	}
	for _, p := range summaries {
		b.sendSummary(ctx, p.g, p.s)
	}
	b.mu.Lock()
	for b.inflight > 0 {
		b.idle.Wait()
	}
	b.mu.Unlock()
}

// removed reports whether the outcome removed the message.
func (o *outcome) removed() bool { return o.has(store.StepDelete, store.StatusOK) }

// has reports whether the outcome has a step of that name and status.
func (o *outcome) has(name, status string) bool {
	return slices.ContainsFunc(o.steps, func(s store.Step) bool { return s.Name == name && s.Status == status })
}

// lines renders the steps so far, one per line, for an alert (the alert
// steps themselves are left out).
func (o *outcome) lines(t *texts, loc string) string {
	var sb strings.Builder
	for _, s := range o.steps {
		if s.Name == store.StepAlert {
			continue
		}
		if sb.Len() > 0 {
			sb.WriteByte('\n')
		}
		sb.WriteString("• " + stepLine(t, loc, s, o.names))
	}
	return sb.String()
}

// stepLine renders one step in plain words ("could not delete: the bot
// lacks Manage Messages").
func stepLine(t *texts, loc string, s store.Step, names map[string]string) string {
	d := TextData{Name: s.Name, Status: s.Status, Detail: s.Detail, Target: s.Target}
	if n := names[s.Target]; n != "" {
		d.Target = n
	}
	key := "step." + s.Name + "." + s.Status
	switch {
	case s.Status == store.StatusFailed && strings.HasPrefix(s.Detail, "missing permission: "):
		d.Permission = strings.TrimPrefix(s.Detail, "missing permission: ")
		key = "step." + s.Name + ".forbidden"
	case s.Status == store.StatusSkipped && strings.HasPrefix(s.Detail, "not supported"):
		key = "step." + s.Name + ".unsupported"
	}
	if k, ok := reasonKeys[s.Detail]; ok {
		d.Detail = t.render(loc, k, TextData{})
	}
	if v, ok := strings.CutPrefix(s.Detail, "duration "); ok {
		if dur, err := time.ParseDuration(v); err == nil {
			d.Duration = humanDuration(loc, dur)
		}
	}
	if !t.has(loc, key) {
		key = "step.generic"
	}
	return t.render(loc, key, d)
}

// Step details the bot writes (in English, in the store), and the texts
// that say them in the class's language in alerts.
const (
	reasonForbidden    = "missing permission"
	reasonNotFound     = "not found"
	reasonRateLimited  = "rate limited (gave up after retries)"
	reasonDirectClosed = "direct messages closed"
	reasonUnsupported  = "not supported by this platform"
	reasonUnavailable  = "platform unavailable (gave up after retries)"
	reasonTimeout      = "timed out"
	reasonStore        = "incident store unavailable"
	reasonNoOwner      = "no alert route and no class owner"
	reasonNoRoute      = "no alert route delivered it"
	reasonNoRoles      = "this platform's adapter cannot list role members"
)

var reasonKeys = map[string]string{
	reasonForbidden:    "reason.forbidden",
	reasonNotFound:     "reason.not_found",
	reasonRateLimited:  "reason.rate_limited",
	reasonDirectClosed: "reason.direct_closed",
	reasonUnsupported:  "reason.unsupported",
	reasonUnavailable:  "reason.unavailable",
	reasonTimeout:      "reason.timeout",
	reasonStore:        "reason.store",
	reasonNoOwner:      "reason.no_owner",
	reasonNoRoute:      "reason.no_route",
	reasonNoRoles:      "reason.no_roles",
}
