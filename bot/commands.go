package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/vigie-edu/vigie/filters"
	"github.com/vigie-edu/vigie/store"
)

// handleCommand answers /aide, /help and /vigie.
func (b *Bot) handleCommand(ctx context.Context, c *compiled, a Adapter, ev Event) (*Result, error) {
	cmd := ev.Command
	p := a.Platform()
	res := &Result{Kind: ev.Kind, Action: filters.Allow}
	cp := b.policyFor(ctx, c, p, cmd.Channel.Class, cmd.Channel.ID, cmd.Channel.Name)
	res.DryRun = cp.DryRun
	t, loc := c.texts, cp.Locale
	var reply string
	switch name := strings.ToLower(strings.TrimPrefix(cmd.Name, "/")); name {
	case "aide", "help":
		switch strings.ToLower(cmd.Sub) {
		case "", "aide", "help":
			reply = t.render(loc, "help", TextData{})
		case "signaler", "report":
			reply = b.report(ctx, c, a, cp, cmd, res)
		default:
			reply = t.render(loc, "command.unknown", TextData{})
		}
	case "vigie":
		if !isTeacher(cp.Policy, cmd.User) {
			b.log.Info("command refused", zap.String("platform", string(p)), zap.String("class", cp.ID),
				zap.String("user", cmd.User.ID), zap.String("sub", cmd.Sub))
			res.Skipped = "refused"
			reply = t.render(loc, "command.refused", TextData{})
			break
		}
		switch strings.ToLower(cmd.Sub) {
		case "status":
			reply = b.status(ctx, c, p, cp)
		case "dryrun", "dry-run", "test":
			reply = b.setDryRun(ctx, p, cp, t, cmd)
		case "setup":
			reply = b.setup(ctx, c, p, cp, cmd)
		case "console":
			reply = b.consoleLink(ctx, c, p, cp, cmd)
		default:
			reply = t.render(loc, "command.unknown", TextData{})
		}
	default:
		reply = t.render(loc, "command.unknown", TextData{})
	}
	if cmd.Respond == nil {
		return res, fmt.Errorf("bot: command %s without a way to respond", cmd.Name)
	}
	if err := cmd.Respond(ctx, Reply{Text: reply}); err != nil {
		b.metrics.PlatformFailures.WithLabelValues(string(p), "respond", errKind(err)).Inc()
		b.log.Warn("could not answer a command", zap.String("platform", string(p)), zap.String("class", cp.ID),
			zap.String("command", cmd.Name), zap.Error(err))
		return res, fmt.Errorf("bot: answer /%s: %w", cmd.Name, err)
	}
	return res, nil
}

// report forwards a student's private report to the class's teachers,
// records it as an incident of kind "report" and returns the
// confirmation for the student.
func (b *Bot) report(ctx context.Context, c *compiled, a Adapter, cp classPolicy, cmd *Command, res *Result) string {
	t, loc := c.texts, cp.Locale
	text := strings.TrimSpace(cmd.Args["text"])
	if text == "" {
		return t.render(loc, "report.empty", TextData{})
	}
	p := a.Platform()
	now := b.clock.Now()
	// The report is judged too, so that distress or a threat makes the
	// alert urgent; it is never removed.
	v := c.snap.Classifier.Classify(ctx, filters.Message{Text: text, DefaultLang: cp.Lang})
	v.Action = filters.Alert
	res.Verdict, res.Action = &v, filters.Alert
	inc := &store.Incident{
		Platform: string(p), ClassID: cp.ID, ClassName: className(cp, ""), ChannelID: cmd.Channel.ID,
		ChannelName: cmd.Channel.Name, AuthorID: cmd.User.ID, AuthorName: cmd.User.Name,
		Kind: store.KindReport, Time: now, Text: text, Verdict: v, Action: filters.Alert, DryRun: cp.DryRun,
	}
	o := b.record(ctx, inc, res)
	b.log.Info("private report", zap.String("incident", o.id), zap.String("platform", string(p)),
		zap.String("class", cp.ID), zap.String("channel", cmd.Channel.ID), zap.Any("categories", categoryNames(&v)))
	urgent := v.Has(filters.SelfHarm) || v.Has(filters.Threat)
	d := TextData{
		Author: orID(cmd.User.Name, cmd.User.ID), AuthorID: cmd.User.ID, Class: className(cp, ""),
		Channel: orID(cmd.Channel.Name, cmd.Channel.ID), Time: formatTime(loc, now), IncidentID: o.id,
	}
	situations := []string{whenDanger, whenIllegal}
	if v.Has(filters.SelfHarm) {
		situations = append(situations, whenSelf)
	}
	msg := OutMessage{
		Title:    t.render(loc, "alert.report.title", d),
		Body:     t.render(loc, "alert.report", d),
		Evidence: text,
		Footer:   t.helplineBlock(loc, situations...),
		Urgent:   urgent,
	}
	payload := WebhookPayload{
		Type: "report", IncidentID: o.id, Platform: string(p), ClassID: cp.ID, ClassName: d.Class,
		ChannelID: cmd.Channel.ID, ChannelName: cmd.Channel.Name, Author: cmd.User.UserRef, Time: now,
		Action: string(filters.Alert), DryRun: cp.DryRun, Urgent: urgent, Title: msg.Title, Text: msg.Body, Evidence: text,
	}
	for _, cs := range v.Categories {
		payload.Categories = append(payload.Categories, string(cs.Name))
	}
	delivered := b.deliver(ctx, a, cp, msg, payload, o)
	res.Steps = o.steps
	if !delivered {
		o.add(ctx, store.Step{Name: store.StepReportForwarded, Target: cmd.User.ID, Status: store.StatusFailed, Detail: reasonNoRoute})
		res.Steps = o.steps
		b.log.Error("private report not delivered to any teacher", zap.String("incident", o.id), zap.String("class", cp.ID))
		return t.render(loc, "report.failed", d)
	}
	o.add(ctx, store.Step{Name: store.StepReportForwarded, Target: cmd.User.ID, Status: store.StatusOK})
	res.Steps = o.steps
	reply := t.render(loc, "report.confirm", d)
	if v.Has(filters.SelfHarm) {
		reply += "\n\n" + t.render(loc, "notice.self_harm", d)
	}
	return reply
}

// routeText describes where a class's alerts go, for /vigie status and
// setup.
func routeText(t *texts, cp classPolicy) string {
	var parts []string
	if cp.AlertChannel != "" {
		ch := channelRef(cp.ID, cp.AlertChannel)
		parts = append(parts, "#"+orID(ch.Name, ch.ID))
	}
	for _, u := range cp.AlertUsers {
		parts = append(parts, "@"+u)
	}
	for _, r := range cp.AlertRoles {
		parts = append(parts, "@"+strings.TrimPrefix(r, "@"))
	}
	if cp.Webhook.URL != "" {
		parts = append(parts, "webhook")
	}
	if len(parts) == 0 {
		return t.render(cp.Locale, "status.route.none", TextData{})
	}
	return strings.Join(parts, ", ")
}

// status answers /vigie status.
func (b *Bot) status(ctx context.Context, c *compiled, p Platform, cp classPolicy) string {
	d := TextData{Version: c.snap.Version, DryRun: cp.DryRun, Route: routeText(c.texts, cp)}
	n, err := b.store.Count(ctx, store.Filter{Platform: string(p), Class: cp.ID, Since: b.clock.Now().Add(-24 * time.Hour)})
	if err != nil {
		b.log.Error("could not count incidents", zap.String("class", cp.ID), zap.Error(err))
		n = -1
	}
	d.Count = n
	if d.Version == "" {
		d.Version = "?"
	}
	return c.texts.render(cp.Locale, "status", d)
}

// parseOnOff reads on/off in French or English.
func parseOnOff(s string) (on, ok bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "on", "true", "1", "yes", "oui", "enable", "activer":
		return true, true
	case "off", "false", "0", "no", "non", "disable", "desactiver", "désactiver":
		return false, true
	}
	return false, false
}

// updateSettings reads a class's stored settings (new ones when it has
// none), applies change, records who changed them and writes them back.
func (b *Bot) updateSettings(ctx context.Context, p Platform, class, by string, change func(*store.ClassSettings)) (store.ClassSettings, error) {
	s := store.ClassSettings{Platform: string(p), Class: class}
	cur, err := b.store.GetClassSettings(ctx, string(p), class)
	switch {
	case err == nil && cur != nil:
		s = *cur
	case err != nil && !errors.Is(err, store.ErrNotFound):
		return s, fmt.Errorf("read class settings: %w", err)
	}
	change(&s)
	s.UpdatedBy, s.UpdatedAt = by, b.clock.Now()
	err = b.store.PutClassSettings(ctx, s)
	b.forgetSettings(p, class)
	if err != nil {
		return s, fmt.Errorf("save class settings: %w", err)
	}
	return s, nil
}

// setDryRun answers /vigie dryrun on|off.
func (b *Bot) setDryRun(ctx context.Context, p Platform, cp classPolicy, t *texts, cmd *Command) string {
	var on, ok bool
	for _, k := range []string{"state", "on", "value", "mode"} {
		if v, present := cmd.Args[k]; present {
			if on, ok = parseOnOff(v); ok {
				break
			}
		}
	}
	if !ok {
		return t.render(cp.Locale, "dryrun.invalid", TextData{})
	}
	if _, err := b.updateSettings(ctx, p, cp.ID, cmd.User.ID, func(s *store.ClassSettings) { s.DryRun = &on }); err != nil {
		b.log.Error("could not save dry run", zap.String("class", cp.ID), zap.Error(err))
		return t.render(cp.Locale, "settings.failed", TextData{})
	}
	b.log.Info("dry run changed", zap.String("platform", string(p)), zap.String("class", cp.ID),
		zap.Bool("dry_run", on), zap.String("by", cmd.User.ID))
	if on {
		return t.render(cp.Locale, "dryrun.on", TextData{})
	}
	return t.render(cp.Locale, "dryrun.off", TextData{})
}

// trimRef strips Discord-style markup from a channel or role option
// ("<#123>", "<@&456>", "#alertes", "@Professeur").
func trimRef(s string) string {
	s = strings.TrimSpace(s)
	for _, pre := range []string{"<#", "<@&", "<@"} {
		if strings.HasPrefix(s, pre) && strings.HasSuffix(s, ">") {
			return s[len(pre) : len(s)-1]
		}
	}
	return strings.TrimLeft(s, "#@")
}

// setup answers /vigie setup channel:<id> role:<role> lang:<fr|en>.
func (b *Bot) setup(ctx context.Context, c *compiled, p Platform, cp classPolicy, cmd *Command) string {
	t := c.texts
	ch, role, lang := trimRef(cmd.Args["channel"]), trimRef(cmd.Args["role"]), strings.ToLower(strings.TrimSpace(cmd.Args["lang"]))
	if ch == "" && role == "" && lang == "" {
		return t.render(cp.Locale, "setup.invalid", TextData{Detail: "channel, role, lang"})
	}
	if lang != "" && !t.hasLocale(lang) {
		return t.render(cp.Locale, "setup.invalid", TextData{Detail: "lang " + lang})
	}
	s, err := b.updateSettings(ctx, p, cp.ID, cmd.User.ID, func(s *store.ClassSettings) {
		if ch != "" {
			s.AlertChannel = ch
		}
		if role != "" {
			s.TeacherRole = role
		}
		if lang != "" {
			s.Locale = lang
		}
	})
	if err != nil {
		b.log.Error("could not save class settings", zap.String("class", cp.ID), zap.Error(err))
		return t.render(cp.Locale, "settings.failed", TextData{})
	}
	if ch != "" {
		cp.AlertChannel = ch
	}
	if lang != "" {
		cp.Locale = lang
	}
	b.log.Info("class set up", zap.String("platform", string(p)), zap.String("class", cp.ID),
		zap.String("alert_channel", s.AlertChannel), zap.String("teacher_role", s.TeacherRole),
		zap.String("locale", s.Locale), zap.String("by", cmd.User.ID))
	return t.render(cp.Locale, "setup.done", TextData{Route: routeText(t, cp), Lang: cp.Locale})
}

// hasLocale reports whether texts exist for a locale.
func (t *texts) hasLocale(loc string) bool {
	return len(t.cfg[loc]) > 0 || len(t.builtin[loc]) > 0
}

// handleJoined introduces Vigie in a class it just joined and asks the
// owner to run /vigie setup.
func (b *Bot) handleJoined(ctx context.Context, c *compiled, a Adapter, ev Event) (*Result, error) {
	p := a.Platform()
	res := &Result{Kind: ev.Kind, Action: filters.Allow}
	class := ev.Channel.Class
	cp := b.policyFor(ctx, c, p, class, ev.Channel.ID, ev.Channel.Name)
	t, loc := c.texts, cp.Locale
	days := c.snap.Config.RetentionDays
	if days <= 0 {
		days = DefaultRetentionDays
	}
	var info ClassInfo
	infoErr := b.call(ctx, p, "class", func(ctx context.Context) error {
		var err error
		info, err = a.Class(ctx, class)
		return err
	})
	d := TextData{Class: className(cp, info.Name), RetentionDays: days}
	var errs []error
	if ev.Channel.ID != "" || ev.Channel.Name != "" {
		err := b.call(ctx, p, "post", func(ctx context.Context) error {
			_, err := a.Post(ctx, ev.Channel, OutMessage{
				Title:  t.render(loc, "intro.title", d),
				Body:   t.render(loc, "intro", d),
				Footer: t.helplineBlock(loc),
			})
			return err
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("post introduction: %w", err))
		}
	}
	switch {
	case infoErr != nil:
		errs = append(errs, fmt.Errorf("look up class owner: %w", infoErr))
	case info.Owner.ID != "":
		err := b.call(ctx, p, "dm", func(ctx context.Context) error {
			return a.SendDirect(ctx, info.Owner, OutMessage{
				Title: t.render(loc, "intro.owner.title", d),
				Body:  t.render(loc, "intro.owner", d),
			})
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("ask the owner to set up: %w", err))
		}
	}
	b.log.Info("joined class", zap.String("platform", string(p)), zap.String("class", class), zap.Int("failures", len(errs)))
	if len(errs) > 0 {
		err := errors.Join(errs...)
		b.log.Warn("introduction incomplete", zap.String("platform", string(p)), zap.String("class", class), zap.Error(err))
		return res, fmt.Errorf("bot: join %s: %w", class, err)
	}
	return res, nil
}
