package bot_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigie-edu/vigie/bot"
	"github.com/vigie-edu/vigie/bot/bottest"
	"github.com/vigie-edu/vigie/filters"
	"github.com/vigie-edu/vigie/store"
)

func TestInsultRecordedBeforeDeleteThenNotifiedAndAlerted(t *testing.T) {
	tests := []struct {
		locale                                     string
		authorNotice, targetNotice, alert, helpDsc string
	}{
		{"en", "Your message in **général** (4e B) was removed: insults are not allowed here", "You did nothing wrong",
			"✔ message removed", "free, anonymous and confidential"},
		{"fr", "Ton message dans **général** (4e B) a été retiré : les insultes ne sont pas acceptées ici", "Tu n'as rien fait de mal",
			"✔ message supprimé", "gratuit, anonyme et confidentiel"},
	}
	for _, tt := range tests {
		t.Run(tt.locale, func(t *testing.T) {
			e := newEnv(t, withPolicy(testPolicy(tt.locale)))
			m := e.message("t'es qu'un connard")
			m.Mentions = []bot.UserRef{{ID: target, Name: "Sam"}, {ID: student, Name: "Alex"}}
			m.ReplyTo = &bot.UserRef{ID: replied, Name: "Lou"}
			var storedAtDelete []*store.Incident
			e.ad.Hook = func(ctx context.Context, c bottest.Call) error {
				if c.Op == bottest.OpDelete {
					var err error
					storedAtDelete, err = e.st.List(ctx, store.Filter{})
					return err
				}
				return nil
			}
			res := e.handle(m)

			if res.Action != filters.Remove || res.IncidentID == "" {
				t.Fatalf("result = %+v, want remove with an incident", res)
			}
			if len(storedAtDelete) != 1 || storedAtDelete[0].MessageID != m.Ref.ID || storedAtDelete[0].Text != m.Text {
				t.Fatalf("at delete time the store held %d incidents, want this message's", len(storedAtDelete))
			}
			if d := e.ad.Succeeded(bottest.OpDelete); len(d) != 1 || d[0].Message != m.Ref {
				t.Fatalf("deletes = %+v", d)
			}
			if got := e.ad.DirectsTo(student); len(got) != 1 {
				t.Fatalf("author got %d notices", len(got))
			} else {
				mustContain(t, "author notice", full(got[0]), tt.authorNotice)
				mustNotContain(t, "author notice", full(got[0]), "connard")
			}
			for _, u := range []string{target, replied} {
				got := e.ad.DirectsTo(u)
				if len(got) != 1 {
					t.Fatalf("target %s got %d notices", u, len(got))
				}
				mustContain(t, "target notice", full(got[0]), tt.targetNotice, "3018", "https://3018.fr", tt.helpDsc)
			}
			alerts := e.alerts()
			if len(alerts) != 1 {
				t.Fatalf("%d alerts, want 1", len(alerts))
			}
			a := alerts[0]
			mustContain(t, "alert", full(a), "Alex", student, "4e B", "général", tt.alert, "3018", "https://3018.fr",
				"https://www.internet-signalement.gouv.fr", "119", tt.helpDsc)
			if a.Evidence != m.Text || a.Hidden || a.Link != m.Link {
				t.Errorf("alert evidence %q hidden=%v link=%q", a.Evidence, a.Hidden, a.Link)
			}

			in := e.incident(res.IncidentID)
			for _, name := range []string{store.StepDelete, store.StepNoticeAuthor, store.StepAlert} {
				if s := steps(in, name); len(s) != 1 || s[0].Status != store.StatusOK {
					t.Errorf("steps %s = %+v, want one ok", name, s)
				}
			}
			if s := steps(in, store.StepNoticeTarget); len(s) != 2 {
				t.Errorf("target notice steps = %+v, want 2", s)
			}
			if in.Action != filters.Remove || in.Kind != store.KindMessage || in.AuthorID != student {
				t.Errorf("incident = %+v", in)
			}
		})
	}
}

func TestBenignMessageMakesNoCall(t *testing.T) {
	e := newEnv(t)
	res := e.handle(e.message("bonjour, quelqu'un a fait l'exercice 3 ?"))
	if res.Action != filters.Allow || res.IncidentID != "" {
		t.Fatalf("result = %+v", res)
	}
	if calls := e.ad.Calls(); len(calls) != 0 {
		t.Fatalf("calls = %+v, want none", calls)
	}
	if n, _ := e.st.Count(e.ctx, store.Filter{}); n != 0 {
		t.Fatalf("%d incidents stored", n)
	}
}

func TestExemptAuthors(t *testing.T) {
	tests := []struct {
		name   string
		author bot.Author
		want   string
	}{
		{"teacher role", bot.Author{UserRef: bot.UserRef{ID: teacher}, Roles: []string{"professeur"}}, "teacher"},
		{"owner", bot.Author{UserRef: bot.UserRef{ID: owner}, Owner: true}, "owner"},
		{"admin", bot.Author{UserRef: bot.UserRef{ID: "u-adm"}, Admin: true}, "admin"},
		{"moderator", bot.Author{UserRef: bot.UserRef{ID: "u-mod"}, Roles: []string{"Modérateur"}}, "exempt_role"},
		{"other bot", bot.Author{UserRef: bot.UserRef{ID: "u-bot"}, Bot: true}, "bot"},
		{"the bot itself", bot.Author{UserRef: bot.UserRef{ID: "vigie-bot"}, Bot: true}, "self"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			m := e.message("espèce de connard")
			m.Author = tt.author
			res := e.handle(m)
			if res.Exempt != tt.want || res.Action != filters.Allow {
				t.Fatalf("result = %+v, want exempt %q", res, tt.want)
			}
			if calls := e.ad.Calls(); len(calls) != 0 {
				t.Fatalf("calls = %+v, want none", calls)
			}
		})
	}
	t.Run("bot itself even when bots are not exempt", func(t *testing.T) {
		p := testPolicy("en")
		p.ExemptBots = false
		e := newEnv(t, withPolicy(p))
		m := e.message("connard")
		m.Author = bot.Author{UserRef: bot.UserRef{ID: "vigie-bot"}, Bot: true}
		if res := e.handle(m); res.Exempt != "self" {
			t.Fatalf("exempt = %q, want self", res.Exempt)
		}
		m = e.message("connard")
		m.Author = bot.Author{UserRef: bot.UserRef{ID: "u-bot"}, Bot: true}
		if res := e.handle(m); res.Action != filters.Remove {
			t.Fatalf("another bot's insult: action %s, want remove", res.Action)
		}
	})
	t.Run("exempt user", func(t *testing.T) {
		p := testPolicy("en")
		p.ExemptUsers = []string{student}
		e := newEnv(t, withPolicy(p))
		if res := e.handle(e.message("connard")); res.Exempt != "exempt_user" {
			t.Fatalf("exempt = %q", res.Exempt)
		}
	})
}

func TestMissingPermissionOnDelete(t *testing.T) {
	for _, tt := range []struct{ locale, want string }{
		{"en", "could not delete: the bot lacks Manage Messages"},
		{"fr", "impossible de supprimer : le bot n'a pas la permission « Manage Messages »"},
	} {
		t.Run(tt.locale, func(t *testing.T) {
			e := newEnv(t, withPolicy(testPolicy(tt.locale)))
			e.ad.FailAlways(bottest.OpDelete, bottest.Forbidden("delete", "Manage Messages"))
			res := e.handle(e.message("idiot"))
			if n := len(e.ad.Calls(bottest.OpDelete)); n != 1 {
				t.Fatalf("%d delete calls, want 1 (a missing permission is not retried)", n)
			}
			alerts := e.alerts()
			if len(alerts) != 1 {
				t.Fatalf("%d alerts", len(alerts))
			}
			mustContain(t, "alert", alerts[0].Body, tt.want)
			s := steps(e.incident(res.IncidentID), store.StepDelete)
			if len(s) != 1 || s[0].Status != store.StatusFailed || s[0].Detail != "missing permission: Manage Messages" {
				t.Fatalf("delete steps = %+v", s)
			}
			if got := e.bot.Metrics().PlatformFailures.WithLabelValues("discord", "delete", "forbidden"); counter(t, got) != 1 {
				t.Errorf("platform failure metric = %v", counter(t, got))
			}
		})
	}
}

func TestRetries(t *testing.T) {
	t.Run("rate limit honoured", func(t *testing.T) {
		e := newEnv(t)
		e.ad.Fail(bottest.OpDelete, bottest.RateLimited("delete", 3*time.Second))
		res := e.handle(e.message("idiot"))
		if n := len(e.ad.Calls(bottest.OpDelete)); n != 2 {
			t.Fatalf("%d delete calls, want 2", n)
		}
		if !slices.Contains(e.clock.Sleeps(), 3*time.Second) {
			t.Fatalf("sleeps = %v, want a 3s wait", e.clock.Sleeps())
		}
		if s := steps(e.incident(res.IncidentID), store.StepDelete); len(s) != 1 || s[0].Status != store.StatusOK {
			t.Fatalf("delete steps = %+v", s)
		}
	})
	t.Run("rate limit capped", func(t *testing.T) {
		e := newEnv(t)
		e.ad.Fail(bottest.OpDelete, bottest.RateLimited("delete", time.Hour))
		e.handle(e.message("idiot"))
		if sl := e.clock.Sleeps(); len(sl) != 1 || sl[0] != 30*time.Second {
			t.Fatalf("sleeps = %v, want one capped at 30s", sl)
		}
	})
	t.Run("unavailable retried with growing backoff", func(t *testing.T) {
		e := newEnv(t)
		e.ad.Fail(bottest.OpDelete, bottest.Unavailable("delete"), bottest.Unavailable("delete"))
		e.handle(e.message("idiot"))
		if n := len(e.ad.Calls(bottest.OpDelete)); n != 3 {
			t.Fatalf("%d delete calls, want 3", n)
		}
		sl := e.clock.Sleeps()
		if len(sl) != 2 || sl[1] <= sl[0] {
			t.Fatalf("sleeps = %v, want 2 growing waits", sl)
		}
	})
	t.Run("unavailable gives up", func(t *testing.T) {
		e := newEnv(t)
		e.ad.FailAlways(bottest.OpDelete, bottest.Unavailable("delete"))
		res := e.handle(e.message("idiot"))
		if n := len(e.ad.Calls(bottest.OpDelete)); n != 4 {
			t.Fatalf("%d delete calls, want 4", n)
		}
		if s := steps(e.incident(res.IncidentID), store.StepDelete); len(s) != 1 || s[0].Status != store.StatusFailed {
			t.Fatalf("delete steps = %+v", s)
		}
	})
	for _, err := range []error{bottest.Forbidden("delete", ""), &bot.PlatformError{Op: "delete", Kind: bot.ErrNotFound}, bottest.Unsupported("delete")} {
		t.Run("never retried: "+err.Error(), func(t *testing.T) {
			e := newEnv(t)
			e.ad.Fail(bottest.OpDelete, err)
			e.handle(e.message("idiot"))
			if n := len(e.ad.Calls(bottest.OpDelete)); n != 1 {
				t.Fatalf("%d delete calls, want 1", n)
			}
		})
	}
}

func TestDirectMessagesClosedFallBackToChannelNotice(t *testing.T) {
	e := newEnv(t)
	e.ad.Fail(bottest.OpSendDirect, bottest.DirectClosed())
	res := e.handle(e.message("idiot"))

	notices := e.ad.PostsIn(channel)
	if len(notices) != 1 {
		t.Fatalf("%d channel notices, want 1", len(notices))
	}
	n := notices[0]
	if len(n.Mentions) != 1 || n.Mentions[0].ID != student {
		t.Fatalf("notice mentions %+v, want the author", n.Mentions)
	}
	mustContain(t, "channel notice", n.Body, "Alex", "your message was removed")
	mustNotContain(t, "channel notice", n.Body, "idiot")
	in := e.incident(res.IncidentID)
	if s := steps(in, store.StepChannelNotice); len(s) != 1 || s[0].Status != store.StatusOK {
		t.Fatalf("channel_notice steps = %+v", s)
	}
	if s := steps(in, store.StepNoticeAuthor); len(s) != 1 || s[0].Detail != "direct messages closed" {
		t.Fatalf("notice_author steps = %+v", s)
	}
	mustContain(t, "alert", e.alerts()[0].Body, "direct messages closed: a short notice was posted")

	posted := e.ad.Succeeded(bottest.OpPost)
	var noticeRef bot.MessageRef
	for _, c := range posted {
		if c.Channel.ID == channel {
			noticeRef = c.Message
		}
	}
	deletedNotice := func() bool {
		for _, c := range e.ad.Succeeded(bottest.OpDelete) {
			if c.Message == noticeRef {
				return true
			}
		}
		return false
	}
	e.clock.Advance(59 * time.Second)
	if deletedNotice() {
		t.Fatal("notice deleted before its TTL")
	}
	e.clock.Advance(time.Second)
	if !deletedNotice() {
		t.Fatal("notice not deleted after its TTL")
	}
}

func TestChannelNoticeDeletedOnFlush(t *testing.T) {
	e := newEnv(t)
	e.ad.Fail(bottest.OpSendDirect, bottest.DirectClosed())
	e.handle(e.message("idiot"))
	before := len(e.ad.Succeeded(bottest.OpDelete))
	e.bot.Flush(e.ctx)
	if after := len(e.ad.Succeeded(bottest.OpDelete)); after != before+1 {
		t.Fatalf("deletes %d → %d, want the notice deleted at shutdown", before, after)
	}
	if e.clock.Pending() != 0 {
		t.Fatalf("%d timers still pending after Flush", e.clock.Pending())
	}
}

func TestDryRun(t *testing.T) {
	for _, tt := range []struct{ locale, want, notice string }{
		{"en", "Dry run — would have removed", "was reported to your teacher"},
		{"fr", "Mode test — aurait supprimé", "a été signalé à ton professeur"},
	} {
		t.Run(tt.locale, func(t *testing.T) {
			p := testPolicy(tt.locale)
			p.DryRun = true
			e := newEnv(t, withPolicy(p))
			res := e.handle(e.message("connard"))
			if len(e.ad.Calls(bottest.OpDelete)) != 0 {
				t.Fatal("dry run deleted the message")
			}
			if !res.DryRun || res.Action != filters.Remove {
				t.Fatalf("result = %+v", res)
			}
			mustContain(t, "alert", e.alerts()[0].Body, tt.want)
			mustContain(t, "author notice", e.ad.DirectsTo(student)[0].Body, tt.notice)
			in := e.incident(res.IncidentID)
			if s := steps(in, store.StepDelete); len(s) != 1 || s[0].Status != store.StatusDryRun || !in.DryRun {
				t.Fatalf("delete steps = %+v, dry run %v", s, in.DryRun)
			}
		})
	}
}

func TestEscalationTimesOut(t *testing.T) {
	e := newEnv(t)
	var results []*bot.Result
	for range 3 {
		results = append(results, e.handle(e.message("idiot")))
		e.clock.Advance(10 * time.Second)
	}
	to := e.ad.Calls(bottest.OpTimeout)
	if len(to) != 1 || to[0].User.ID != student || to[0].Duration != 10*time.Minute || to[0].Class != class {
		t.Fatalf("timeouts = %+v, want one of 10m for the student", to)
	}
	if results[1].Escalated || !results[2].Escalated {
		t.Fatalf("escalated = %v, %v, want only the third", results[1].Escalated, results[2].Escalated)
	}
	var escalation *bot.OutMessage
	for _, a := range e.alerts() {
		if a.Title == "Vigie — measure for Alex in 4e B" {
			escalation = &a
		}
	}
	if escalation == nil {
		t.Fatalf("no escalation alert among %+v", e.alerts())
	}
	mustContain(t, "escalation alert", escalation.Body, "3 message(s) removed within 10 minutes", "✔ timed out for 10 minutes")
	if s := steps(e.incident(results[2].IncidentID), store.StepTimeout); len(s) != 1 || s[0].Status != store.StatusOK {
		t.Fatalf("timeout steps = %+v", s)
	}
	// While the time-out runs, more removals do not escalate again.
	for range 3 {
		if res := e.handle(e.message("idiot")); res.Escalated {
			t.Fatal("escalated again during the time-out")
		}
	}
	if n := len(e.ad.Calls(bottest.OpTimeout)); n != 1 {
		t.Fatalf("%d timeouts, want 1", n)
	}
}

func TestEscalationWithoutTimeout(t *testing.T) {
	tests := []struct {
		mode, call, step, wantAlert string
		status                      string
	}{
		{bot.ModeTimeout, bottest.OpTimeout, store.StepTimeout, "this platform has no time-out: alert only", store.StatusSkipped},
		{bot.ModeRemoveFromChannel, bottest.OpRemoveFromChannel, store.StepRemoveFromChannel, "✔ student removed from the channel", store.StatusOK},
		{bot.ModeAlertOnly, "", bot.ModeAlertOnly, "no automatic measure (alert only)", store.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			p := testPolicy("en")
			p.Escalation.Mode = tt.mode
			e := newEnv(t, withPolicy(p))
			e.ad.Name = bot.Mattermost // Mattermost has no time-out
			e.ad.FailAlways(bottest.OpTimeout, bottest.Unsupported("timeout"))
			var res *bot.Result
			for range 3 {
				res = e.handle(e.message("idiot"))
			}
			if !res.Escalated {
				t.Fatal("not escalated")
			}
			if tt.call != "" && len(e.ad.Calls(tt.call)) != 1 {
				t.Fatalf("%s calls = %d, want 1", tt.call, len(e.ad.Calls(tt.call)))
			}
			if tt.mode == bot.ModeRemoveFromChannel {
				c := e.ad.Calls(bottest.OpRemoveFromChannel)[0]
				if c.Channel.ID != channel || c.User.ID != student {
					t.Fatalf("removed %+v from %+v", c.User, c.Channel)
				}
			}
			s := steps(e.incident(res.IncidentID), tt.step)
			if len(s) != 1 || s[0].Status != tt.status {
				t.Fatalf("%s steps = %+v", tt.step, s)
			}
			found := false
			for _, a := range e.alerts() {
				found = found || strings.Contains(a.Body, tt.wantAlert)
			}
			if !found {
				t.Fatalf("no alert says %q", tt.wantAlert)
			}
		})
	}
}

func TestRaidIsGrouped(t *testing.T) {
	p := testPolicy("en")
	p.Escalation.After = 0
	e := newEnv(t, withPolicy(p))
	for i := range 50 {
		text := "idiot"
		if i%4 == 3 {
			text = "pornsite"
		}
		e.handle(e.message(text))
		e.clock.Advance(time.Second)
	}
	if n := len(e.alerts()); n != 1 {
		t.Fatalf("%d alerts during the raid's first window, want 1", n)
	}
	e.clock.Advance(2 * time.Minute)
	alerts := e.alerts()
	if len(alerts) > 3 || len(alerts) < 2 {
		t.Fatalf("%d alerts for a raid of 50 messages, want 2 or 3", len(alerts))
	}
	summary := alerts[len(alerts)-1]
	mustContain(t, "summary", summary.Body, "Alex", "insult ×", "link to a porn site ×", "in the last 2 minutes", "All were removed")
	total := 0
	for _, a := range alerts[1:] {
		var n int
		if _, err := fmt.Sscanf(a.Body, "%d more message(s)", &n); err != nil {
			t.Fatalf("summary %q: %v", a.Body, err)
		}
		total += n
	}
	if total != 49 {
		t.Fatalf("summaries count %d messages, want 49", total)
	}
	// A quiet window ends the group: the next message alerts at once.
	e.clock.Advance(5 * time.Minute)
	before := len(e.alerts())
	e.handle(e.message("idiot"))
	if len(e.alerts()) != before+1 {
		t.Fatal("a message after the raid was not alerted at once")
	}
}

func TestGroupFlushedOnShutdown(t *testing.T) {
	e := newEnv(t)
	for range 3 {
		e.handle(e.message("merde"))
	}
	if n := len(e.alerts()); n != 1 {
		t.Fatalf("%d alerts, want 1", n)
	}
	e.bot.Flush(e.ctx)
	alerts := e.alerts()
	if len(alerts) != 2 {
		t.Fatalf("%d alerts after Flush, want 2", len(alerts))
	}
	mustContain(t, "summary", alerts[1].Body, "2 more message(s)", "profanity ×2", "2 of them were not removed")
}

func TestSelfHarm(t *testing.T) {
	for _, tt := range []struct{ locale, notice, alert string }{
		{"en", "You are not alone", "URGENT"},
		{"fr", "Tu n'es pas seul·e", "URGENT"},
	} {
		t.Run(tt.locale, func(t *testing.T) {
			e := newEnv(t, withPolicy(testPolicy(tt.locale)))
			res := e.handle(e.message("je pense au suicide"))
			if res.Action != filters.Alert {
				t.Fatalf("action = %s, want alert", res.Action)
			}
			if len(e.ad.Calls(bottest.OpDelete)) != 0 {
				t.Fatal("the message of a student in distress was deleted")
			}
			dms := e.ad.DirectsTo(student)
			if len(dms) != 1 {
				t.Fatalf("%d notices to the student", len(dms))
			}
			mustContain(t, "caring notice", full(dms[0]), tt.notice, "3114", "https://3114.fr")
			alerts := e.alerts()
			if len(alerts) != 1 || !alerts[0].Urgent {
				t.Fatalf("alerts = %+v, want one urgent", alerts)
			}
			mustContain(t, "alert", full(alerts[0]), tt.alert, "3114")
			// Urgent alerts are never grouped.
			e.handle(e.message("suicide"))
			if len(e.alerts()) != 2 {
				t.Fatal("second urgent alert was grouped")
			}
		})
	}
}

func TestSexualEvidenceHidden(t *testing.T) {
	e := newEnv(t)
	e.handle(e.message("sexe"))
	if a := e.alerts()[0]; !a.Hidden || a.Evidence != "sexe" {
		t.Fatalf("alert evidence %q hidden=%v, want hidden", a.Evidence, a.Hidden)
	}
}

func TestEdits(t *testing.T) {
	e := newEnv(t)
	m := e.message("idiot")
	e.handle(m)
	calls := len(e.ad.Calls())
	edited := *m
	edited.Text = "idiot idiot"
	res := e.handleEvent(bot.Event{Kind: bot.MessageEdited, Message: &edited})
	if res.Skipped != "already_removed" || len(e.ad.Calls()) != calls {
		t.Fatalf("edit of a removed message: %+v, %d new calls", res, len(e.ad.Calls())-calls)
	}
	m2 := e.message("bonjour")
	e.handle(m2)
	m2.Text = "bonjour idiot"
	res = e.handleEvent(bot.Event{Kind: bot.MessageEdited, Message: m2})
	if res.Action != filters.Remove {
		t.Fatalf("edit into an insult: action %s", res.Action)
	}
	if in := e.incident(res.IncidentID); in.Kind != store.KindEdit {
		t.Fatalf("kind = %s, want edit", in.Kind)
	}
}

func TestAttachmentsAndEmbedsAreJudged(t *testing.T) {
	e := newEnv(t)
	m := e.message("regardez ça")
	m.Attachments = []string{"idiot.png"}
	m.Embeds = []bot.Embed{{URL: "https://pornsite.example/x", Title: "vidéo"}}
	res := e.handle(m)
	if res.Action != filters.Remove {
		t.Fatalf("action = %s", res.Action)
	}
	var details []string
	for _, f := range res.Verdict.Findings {
		if f.Span != (filters.Span{}) {
			t.Errorf("finding %+v outside the text kept a span", f)
		}
		details = append(details, f.Detail)
	}
	if !slices.Contains(details, "in attachment: idiot.png") || !slices.Contains(details, "in embed url") {
		t.Fatalf("details = %q", details)
	}
	a := e.alerts()[0]
	mustContain(t, "alert", a.Body, "(in an attachment)")
	mustContain(t, "evidence", a.Evidence, "regardez ça", "📎 idiot.png", "🔗 https://pornsite.example/x")
	in := e.incident(res.IncidentID)
	if in.Text != "regardez ça" || !slices.Contains(in.Attachments, "https://pornsite.example/x") {
		t.Fatalf("incident text %q attachments %q", in.Text, in.Attachments)
	}
}

// failingStore fails every Record.
type failingStore struct{ store.Store }

func (failingStore) Record(context.Context, *store.Incident) (string, error) {
	return "", errors.New("disk full")
}

func TestStoreFailureStillActs(t *testing.T) {
	e := newEnv(t, withStore(func(s store.Store) store.Store { return failingStore{s} }))
	res := e.handle(e.message("idiot"))
	if res.IncidentID != "" {
		t.Fatalf("incident id %q", res.IncidentID)
	}
	if len(e.ad.Succeeded(bottest.OpDelete)) != 1 {
		t.Fatal("message not deleted when the store failed")
	}
	if v := counter(t, e.bot.Metrics().IncidentStoreFailures); v != 1 {
		t.Fatalf("store failures = %v", v)
	}
	mustContain(t, "alert", e.alerts()[0].Body, "the incident could not be recorded", "✔ message removed")
}

func TestClassPolicyAndActions(t *testing.T) {
	cfg := bot.Config{
		Default: testPolicy("en"),
		Classes: []bot.Class{
			{Name: "Whole guild", Platform: bot.Discord, ID: class, Policy: func() bot.Policy {
				p := testPolicy("fr")
				p.Actions = map[filters.Category]filters.Action{filters.Insult: filters.Alert}
				return p
			}()},
			{Name: "Sport", Platform: bot.Discord, ID: class, Channels: []string{"chan-sport"}, Policy: func() bot.Policy {
				p := testPolicy("en")
				p.Actions = map[filters.Category]filters.Action{filters.Insult: filters.Allow}
				return p
			}()},
		},
	}
	e := newEnv(t, withConfig(cfg))
	res := e.handle(e.message("idiot"))
	if res.Action != filters.Alert || len(e.ad.Calls(bottest.OpDelete)) != 0 {
		t.Fatalf("guild class: action %s", res.Action)
	}
	mustContain(t, "alert", e.alerts()[0].Title, "Whole guild")
	mustContain(t, "author notice", e.ad.DirectsTo(student)[0].Body, "a été signalé à ton professeur")

	m := e.message("idiot")
	m.Ref.Channel = "chan-sport"
	if res := e.handle(m); res.Action != filters.Allow {
		t.Fatalf("channel class: action %s, want allow", res.Action)
	}
	// Strongest category wins: insult is allowed in sport but the porn link is removed.
	m = e.message("idiot pornsite")
	m.Ref.Channel = "chan-sport"
	if res := e.handle(m); res.Action != filters.Remove {
		t.Fatalf("channel class, two categories: action %s, want remove", res.Action)
	}
	// Another guild: the default policy.
	m = e.message("idiot")
	m.Ref.Class = "guild-2"
	if res := e.handle(m); res.Action != filters.Remove {
		t.Fatalf("default class: action %s", res.Action)
	}
}

func TestAlertRoutes(t *testing.T) {
	t.Run("owner by direct message without route or setup", func(t *testing.T) {
		p := testPolicy("en")
		p.AlertChannel = ""
		e := newEnv(t, withPolicy(p))
		res := e.handle(e.message("idiot"))
		dms := e.ad.DirectsTo(owner)
		if len(dms) != 1 {
			t.Fatalf("owner got %d alerts", len(dms))
		}
		mustContain(t, "owner alert", dms[0].Body, "Alex")
		if s := steps(e.incident(res.IncidentID), store.StepAlert); len(s) != 1 || s[0].Target != "owner:"+owner {
			t.Fatalf("alert steps = %+v", s)
		}
	})
	t.Run("users and roles", func(t *testing.T) {
		p := testPolicy("en")
		p.AlertChannel = ""
		p.AlertUsers = []string{"u-cpe"}
		p.AlertRoles = []string{"Professeur"}
		e := newEnv(t, withPolicy(p))
		e.ad.Roles = map[string][]bot.UserRef{"Professeur": {{ID: teacher}, {ID: "u-cpe"}}}
		e.handle(e.message("idiot"))
		if len(e.ad.DirectsTo("u-cpe")) != 1 || len(e.ad.DirectsTo(teacher)) != 1 || len(e.ad.DirectsTo(owner)) != 0 {
			t.Fatalf("dms: cpe %d teacher %d owner %d", len(e.ad.DirectsTo("u-cpe")), len(e.ad.DirectsTo(teacher)), len(e.ad.DirectsTo(owner)))
		}
		if v := counter(t, e.bot.Metrics().AlertsSent.WithLabelValues("role")); v != 1 {
			t.Fatalf("role alerts = %v", v)
		}
	})
	t.Run("channel given by name", func(t *testing.T) {
		p := testPolicy("en")
		p.AlertChannel = "#alertes-vigie"
		e := newEnv(t, withPolicy(p))
		e.handle(e.message("idiot"))
		if len(e.ad.PostsIn("alertes-vigie")) != 1 {
			t.Fatalf("posts = %+v", e.ad.Calls(bottest.OpPost))
		}
	})
}

func TestBotJoinedClass(t *testing.T) {
	cfg := bot.Config{Default: testPolicy("fr"), RetentionDays: 180}
	e := newEnv(t, withConfig(cfg))
	e.handleEvent(bot.Event{Kind: bot.BotJoinedClass, Channel: bot.ChannelRef{Class: class, ID: "chan-system"}})
	posts := e.ad.PostsIn("chan-system")
	if len(posts) != 1 {
		t.Fatalf("%d introductions", len(posts))
	}
	mustContain(t, "introduction", full(posts[0]), "Vigie", "/aide", "180 jours", "3018")
	dms := e.ad.DirectsTo(owner)
	if len(dms) != 1 {
		t.Fatalf("owner got %d messages", len(dms))
	}
	mustContain(t, "owner message", dms[0].Body, "/vigie setup")
}
