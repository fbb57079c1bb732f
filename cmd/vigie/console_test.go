package main

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"go.uber.org/zap"

	"github.com/vigie-edu/vigie/adapters/httpapi"
	"github.com/vigie-edu/vigie/bot"
	"github.com/vigie-edu/vigie/bot/bottest"
	"github.com/vigie-edu/vigie/console"
	"github.com/vigie-edu/vigie/store"
)

// `vigie run` serves the console under /console/ and the bot answers
// /vigie console with a link to it that signs the teacher in.
func TestRunServesTheConsole(t *testing.T) {
	dir := t.TempDir()
	dsn := filepath.Join(dir, "vigie.db")
	ad := bottest.NewAdapter(bot.Discord)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	env := map[string]string{console.EnvAdminTokenHash: httpapi.HashToken("school-it-token")}
	replies := make(chan string, 1)
	deps := runDeps{
		getenv:    func(k string) string { return env[k] },
		platforms: func(*zap.Logger) ([]bot.Adapter, []string, error) { return []bot.Adapter{ad}, nil, nil },
		started: func(*bot.Bot, store.Store) {
			go func() {
				cmd := &bot.Command{Name: "vigie", Sub: "console",
					User:    bot.Author{UserRef: bot.UserRef{ID: "u-prof"}, Owner: true},
					Channel: bot.ChannelRef{Class: "g1", ID: "c1"},
					Respond: func(_ context.Context, r bot.Reply) error { replies <- r.Text; return nil },
				}
				ad.Send(ctx, bot.Event{Kind: bot.CommandInvoked, Platform: bot.Discord, Command: cmd})
			}()
		},
	}
	done := make(chan struct{})
	var out string
	var runErr error
	go func() {
		defer close(done)
		out, runErr = execRun(ctx, deps, "--store", dsn, "--log-format", "json")
	}()
	var reply string
	select {
	case reply = <-replies:
	case <-done:
		t.Fatalf("run stopped: %v\n%s", runErr, out)
	}
	link := regexp.MustCompile(`http://127\.0\.0\.1:\d+/console/login\?t=\S+`).FindString(reply)
	if link == "" {
		t.Fatalf("no console link in the reply:\n%s", reply)
	}
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar}
	page := get(t, hc, link)
	token := regexp.MustCompile(`name="t" value="([^"]+)"`).FindStringSubmatch(page)
	csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(page)
	if token == nil || csrf == nil {
		t.Fatalf("confirmation page:\n%s", page)
	}
	base := link[:strings.Index(link, "/console/")]
	resp, err := hc.PostForm(base+"/console/login", url.Values{"t": {token[1]}, "csrf": {csrf[1]}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `id="classes"`) {
		t.Fatalf("not signed in: %d\n%s", resp.StatusCode, body)
	}
	// The admin sign-in is configured from the environment.
	if home := get(t, &http.Client{}, base+"/console/"); !strings.Contains(home, `name="token"`) {
		t.Fatal("no admin sign-in form")
	}
	cancel()
	<-done
	if runErr != nil {
		t.Fatalf("run: %v\n%s", runErr, out)
	}
	// The generated key is kept beside the store.
	if _, err := os.Stat(filepath.Join(dir, console.KeyFileName)); err != nil {
		t.Fatalf("no console key beside the store: %v", err)
	}
	mustHave(t, out, `"msg":"web console"`, `"admin_sign_in":true`, `"msg":"console link sent"`)
	if strings.Contains(out, token[1]) {
		t.Fatal("the sign-in link is in the logs")
	}
}

func get(t *testing.T, hc *http.Client, u string) string {
	t.Helper()
	resp, err := hc.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(body)
}

func TestConsoleStateDir(t *testing.T) {
	for _, tt := range []struct{ dsn, want string }{
		{"/var/lib/vigie/vigie.db", "/var/lib/vigie"},
		{"vigie.db", "."},
		{"sqlite:/srv/v.db?_busy_timeout=1", "/srv"},
		{"file:/srv/x/v.db?mode=rwc", "/srv/x"},
		{":memory:", "."},
		{"postgres://vigie@db/vigie", "."},
	} {
		if got := stateDir(tt.dsn); got != tt.want {
			t.Errorf("stateDir(%q) = %q, want %q", tt.dsn, got, tt.want)
		}
	}
}

func TestRunRefusesAnAdminTokenInClear(t *testing.T) {
	deps := runDeps{
		getenv:    func(k string) string { return map[string]string{console.EnvAdminToken: "s3cret"}[k] },
		platforms: func(*zap.Logger) ([]bot.Adapter, []string, error) { t.Fatal("platforms started"); return nil, nil, nil },
	}
	out, err := execRun(t.Context(), deps, "--store", filepath.Join(t.TempDir(), "v.db"))
	if err == nil || exitCode(err) != exitRunUsage || !strings.Contains(err.Error(), console.EnvAdminTokenHash) || strings.Contains(err.Error()+out, "s3cret") {
		t.Fatalf("run with a token in clear: %v\n%s", err, out)
	}
}
