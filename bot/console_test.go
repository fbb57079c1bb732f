package bot_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/vigie-edu/vigie/bot"
	"github.com/vigie-edu/vigie/store"
)

// fakeLinker records the links it is asked for.
type fakeLinker struct {
	mu    sync.Mutex
	calls []string
	err   error
}

func (f *fakeLinker) Link(_ context.Context, platform, class, user string, teacher bool) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, platform+"/"+class+"/"+user)
	if f.err != nil {
		return "", f.err
	}
	if !teacher {
		return "", errors.New("not a teacher")
	}
	return "https://vigie.example/console/login?t=secret-" + user, nil
}

func withLinker(l bot.ConsoleLinker) envOption {
	return func(o *bot.Options, _ *bot.Snapshot) { o.ConsoleLinker = l }
}

func TestConsoleCommand(t *testing.T) {
	tests := []struct {
		name, locale string
		linker       *fakeLinker
		user         bot.Author
		want         []string
		calls        int
	}{
		{"teacher fr", "fr", &fakeLinker{}, aTeacher,
			[]string{"https://vigie.example/console/login?t=secret-" + teacher, "15 minutes", "ne sert qu'une fois"}, 1},
		{"owner en", "en", &fakeLinker{}, theOwner,
			[]string{"https://vigie.example/console/login?t=secret-" + owner, "expires in 15 minutes"}, 1},
		{"student refused", "en", &fakeLinker{}, aStudent, []string{"for the class's teachers"}, 0},
		{"no console", "fr", nil, aTeacher, []string{"n'est pas disponible"}, 0},
		{"linker fails", "en", &fakeLinker{err: errors.New("boom")}, aTeacher, []string{"not available"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := []envOption{withPolicy(testPolicy(tt.locale))}
			if tt.linker != nil {
				opts = append(opts, withLinker(tt.linker))
			}
			e := newEnv(t, opts...)
			reply, res := e.command(tt.user, "vigie", "console", nil)
			mustContain(t, "reply", reply, tt.want...)
			if tt.linker != nil {
				if len(tt.linker.calls) != tt.calls {
					t.Fatalf("linker calls = %q, want %d", tt.linker.calls, tt.calls)
				}
				if tt.calls == 1 && tt.linker.calls[0] != "discord/"+class+"/"+tt.user.ID {
					t.Fatalf("link asked for %q", tt.linker.calls[0])
				}
			}
			if len(e.ad.Calls()) != 0 {
				t.Fatalf("the console command made platform calls: %+v", e.ad.Calls())
			}
			if res.IncidentID != "" {
				t.Fatal("the console command recorded an incident")
			}
		})
	}
}

func TestStepTextsSayStepsAsAlertsDo(t *testing.T) {
	st := bot.NewStepTexts(bot.Config{Texts: bot.Texts{"en": {"step.delete.ok": "gone"}}})
	tests := []struct {
		loc  string
		step store.Step
		want string
	}{
		{"fr", store.Step{Name: store.StepDelete, Status: store.StatusOK}, "✔ message supprimé"},
		{"en", store.Step{Name: store.StepDelete, Status: store.StatusOK}, "gone"},
		{"en", store.Step{Name: store.StepDelete, Status: store.StatusFailed, Detail: "missing permission: Manage Messages"},
			"✘ could not delete: the bot lacks Manage Messages"},
		{"en", store.Step{Name: "something_new", Status: store.StatusSkipped, Detail: "why"}, "something_new: skipped (why)"},
	}
	for _, tt := range tests {
		if got := st.Line(tt.loc, tt.step); got != tt.want {
			t.Errorf("Line(%s, %+v) = %q, want %q", tt.loc, tt.step, got, tt.want)
		}
	}
}
