package bot_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/vigie-edu/vigie/bot"
	"github.com/vigie-edu/vigie/bot/bottest"
	"github.com/vigie-edu/vigie/filters"
	"github.com/vigie-edu/vigie/store"
)

var (
	aStudent   = bot.Author{UserRef: bot.UserRef{ID: student, Name: "Alex"}}
	aTeacher   = bot.Author{UserRef: bot.UserRef{ID: teacher, Name: "M. Prof"}, Roles: []string{"Professeur"}}
	theOwner   = bot.Author{UserRef: bot.UserRef{ID: owner, Name: "Mme Owner"}, Owner: true}
	roleMember = bot.Author{UserRef: bot.UserRef{ID: "u-new-prof"}, Roles: []string{"Profs-4eB"}}
)

func TestHelpCommand(t *testing.T) {
	for _, tt := range []struct {
		locale, name string
		want         []string
	}{
		{"fr", "aide", []string{"3018", "119", "3114", "/aide signaler", "gratuit, anonyme et confidentiel"}},
		{"en", "help", []string{"3018", "119", "3114", "/aide signaler", "free, anonymous and confidential"}},
	} {
		t.Run(tt.locale, func(t *testing.T) {
			e := newEnv(t, withPolicy(testPolicy(tt.locale)))
			reply, _ := e.command(aStudent, tt.name, "", nil)
			mustContain(t, "help", reply, tt.want...)
			if len(e.ad.Calls()) != 0 {
				t.Fatalf("help made platform calls: %+v", e.ad.Calls())
			}
		})
	}
}

func TestPrivateReport(t *testing.T) {
	for _, tt := range []struct{ locale, sub, confirm, alert string }{
		{"fr", "signaler", "Ton signalement a été transmis en privé", "a fait un signalement privé"},
		{"en", "report", "Your report was passed on privately", "sent a private report"},
	} {
		t.Run(tt.locale, func(t *testing.T) {
			e := newEnv(t, withPolicy(testPolicy(tt.locale)))
			text := "Sam reçoit des messages méchants de la part de Max"
			reply, res := e.command(aStudent, "aide", tt.sub, map[string]string{"text": text})
			mustContain(t, "confirmation", reply, tt.confirm)
			if res.Action != filters.Alert || res.IncidentID == "" {
				t.Fatalf("result = %+v", res)
			}
			in := e.incident(res.IncidentID)
			if in.Kind != store.KindReport || in.Action != filters.Alert || in.Text != text || in.AuthorID != student {
				t.Fatalf("incident = %+v", in)
			}
			if s := steps(in, store.StepReportForwarded); len(s) != 1 || s[0].Status != store.StatusOK {
				t.Fatalf("report steps = %+v", s)
			}
			alerts := e.alerts()
			if len(alerts) != 1 || alerts[0].Evidence != text {
				t.Fatalf("alerts = %+v", alerts)
			}
			mustContain(t, "alert", alerts[0].Body, tt.alert, "Alex")
			if len(e.ad.Calls(bottest.OpDelete)) != 0 {
				t.Fatal("a report deleted something")
			}
		})
	}
	t.Run("empty", func(t *testing.T) {
		e := newEnv(t)
		reply, res := e.command(aStudent, "help", "report", map[string]string{"text": "  "})
		mustContain(t, "reply", reply, "Write your report after the command")
		if res.IncidentID != "" || len(e.alerts()) != 0 {
			t.Fatal("an empty report was forwarded")
		}
	})
	t.Run("distress makes it urgent", func(t *testing.T) {
		e := newEnv(t)
		reply, _ := e.command(aStudent, "help", "report", map[string]string{"text": "je pense au suicide"})
		if a := e.alerts(); len(a) != 1 || !a[0].Urgent {
			t.Fatalf("alerts = %+v, want one urgent", a)
		}
		mustContain(t, "reply", reply, "3114")
	})
}

func TestVigieCommandsAreForTeachers(t *testing.T) {
	for _, tt := range []struct{ locale, refusal string }{
		{"fr", "réservée aux professeurs"},
		{"en", "for the class's teachers"},
	} {
		t.Run(tt.locale, func(t *testing.T) {
			e := newEnv(t, withPolicy(testPolicy(tt.locale)))
			for _, sub := range []string{"dryrun", "status", "setup"} {
				reply, res := e.command(aStudent, "vigie", sub, map[string]string{"state": "on", "channel": "x"})
				mustContain(t, sub+" refusal", reply, tt.refusal)
				if res.Skipped != "refused" {
					t.Fatalf("%s: result = %+v", sub, res)
				}
			}
			if _, err := e.st.GetClassSettings(e.ctx, "discord", class); err == nil {
				t.Fatal("a student changed the class settings")
			}
		})
	}
}

func TestDryRunCommand(t *testing.T) {
	e := newEnv(t)
	reply, _ := e.command(aTeacher, "vigie", "dryrun", map[string]string{"state": "on"})
	mustContain(t, "reply", reply, "Dry run on")
	s, err := e.st.GetClassSettings(e.ctx, "discord", class)
	if err != nil || s.DryRun == nil || !*s.DryRun || s.UpdatedBy != teacher {
		t.Fatalf("settings = %+v, %v", s, err)
	}
	res := e.handle(e.message("idiot"))
	if !res.DryRun || len(e.ad.Calls(bottest.OpDelete)) != 0 {
		t.Fatalf("dry run not applied: %+v", res)
	}
	reply, _ = e.command(theOwner, "vigie", "dryrun", map[string]string{"on": "off"})
	mustContain(t, "reply", reply, "Dry run off")
	if res := e.handle(e.message("idiot")); res.DryRun || len(e.ad.Succeeded(bottest.OpDelete)) != 1 {
		t.Fatalf("dry run still on: %+v", res)
	}
	reply, _ = e.command(aTeacher, "vigie", "dryrun", map[string]string{"state": "maybe"})
	mustContain(t, "reply", reply, "Say on or off")
}

func TestSetupAndStatus(t *testing.T) {
	p := testPolicy("en")
	p.AlertChannel = ""
	e := newEnv(t, withPolicy(p))

	reply, _ := e.command(aTeacher, "vigie", "status", nil)
	mustContain(t, "status", reply, "test-1", "Dry run:** off", "the class owner gets alerts by direct message", "last 24 h:** 0")

	// Before setup, alerts go to the owner.
	e.handle(e.message("idiot"))
	if len(e.ad.DirectsTo(owner)) != 1 {
		t.Fatal("owner not alerted before setup")
	}

	reply, _ = e.command(theOwner, "vigie", "setup", map[string]string{"channel": "<#222222222222222222>", "role": "<@&Profs-4eB>", "lang": "fr"})
	mustContain(t, "setup reply", reply, "C'est noté", "#222222222222222222", "fr")
	s, err := e.st.GetClassSettings(e.ctx, "discord", class)
	if err != nil || s.AlertChannel != "222222222222222222" || s.TeacherRole != "Profs-4eB" || s.Locale != "fr" {
		t.Fatalf("settings = %+v, %v", s, err)
	}
	e.clock.Advance(5 * time.Minute) // past the alert group of the first message
	e.handle(e.message("idiot"))
	alerts := e.ad.PostsIn("222222222222222222")
	if len(alerts) != 1 {
		t.Fatalf("%d alerts in the new channel", len(alerts))
	}
	mustContain(t, "alert after setup", alerts[0].Body, "Ce que Vigie a fait")
	if len(e.ad.DirectsTo(owner)) != 1 {
		t.Fatal("owner still alerted after setup")
	}
	// The role given at setup makes its members teachers.
	reply, _ = e.command(roleMember, "vigie", "status", nil)
	mustContain(t, "status", reply, "Mode test :** désactivé", "#222222222222222222", "24 h :** 2")

	reply, _ = e.command(aTeacher, "vigie", "setup", map[string]string{"lang": "klingon"})
	mustContain(t, "invalid setup", reply, "Paramètre invalide", "klingon")
}

func TestSettingsWrittenElsewhereSeenAfterTTL(t *testing.T) {
	e := newEnv(t)
	e.handle(e.message("bonjour")) // reads (and caches) the class's settings
	on := true
	if err := e.st.PutClassSettings(e.ctx, store.ClassSettings{Platform: "discord", Class: class, DryRun: &on}); err != nil {
		t.Fatal(err)
	}
	if res := e.handle(e.message("idiot")); res.DryRun {
		t.Fatal("settings re-read before the cache expired")
	}
	e.clock.Advance(31 * time.Second)
	if res := e.handle(e.message("idiot")); !res.DryRun {
		t.Fatal("settings written by another process not seen after 30 s")
	}
}

func TestPrivateReportNotDeliveredTellsTheStudent(t *testing.T) {
	for _, tt := range []struct{ locale, want string }{
		{"fr", "n'a pas pu être transmis"},
		{"en", "could not be passed on"},
	} {
		t.Run(tt.locale, func(t *testing.T) {
			p := testPolicy(tt.locale)
			p.AlertChannel = ""
			e := newEnv(t, withPolicy(p))
			e.ad.Classes = nil // no owner to fall back on
			reply, res := e.command(aStudent, "aide", "signaler", map[string]string{"text": "on me harcèle"})
			mustContain(t, "reply", reply, tt.want, "3018")
			s := steps(e.incident(res.IncidentID), store.StepReportForwarded)
			if len(s) != 1 || s[0].Status != store.StatusFailed {
				t.Fatalf("report steps = %+v", s)
			}
		})
	}
}

// settingsStoreDown fails every write of class settings.
type settingsStoreDown struct{ store.Store }

func (settingsStoreDown) PutClassSettings(context.Context, store.ClassSettings) error {
	return errors.New("database is locked")
}

func TestSettingsNotSavedSaysSo(t *testing.T) {
	e := newEnv(t, withStore(func(s store.Store) store.Store { return settingsStoreDown{s} }))
	for _, c := range []struct {
		sub  string
		args map[string]string
	}{{"dryrun", map[string]string{"state": "on"}}, {"setup", map[string]string{"lang": "en"}}} {
		reply, _ := e.command(aTeacher, "vigie", c.sub, c.args)
		mustContain(t, c.sub+" reply", reply, "Could not save the setting")
	}
}
