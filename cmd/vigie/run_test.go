package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/vigie-edu/vigie/bot"
	"github.com/vigie-edu/vigie/bot/bottest"
	"github.com/vigie-edu/vigie/store"
)

// syncBuffer is a bytes.Buffer safe for the logger and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// execRun runs `vigie run ARGS` with deps (no environment by default)
// and returns its logs and error.
func execRun(ctx context.Context, deps runDeps, args ...string) (string, error) {
	if deps.getenv == nil {
		deps.getenv = func(string) string { return "" }
	}
	if deps.purgeEvery == 0 {
		deps.purgeEvery = time.Hour
	}
	cmd := newRunCmdWith(deps)
	var logs syncBuffer
	cmd.SetErr(&logs)
	cmd.SetOut(&logs)
	// A free port, not the default 8080 other tests may be using.
	cmd.SetArgs(append([]string{"--listen", "127.0.0.1:0"}, args...))
	err := cmd.ExecuteContext(ctx)
	return logs.String(), err
}

func TestRunWithoutPlatformsSaysHowToConfigureThem(t *testing.T) {
	t.Setenv("VIGIE_DISCORD_TOKEN", "")
	t.Setenv("VIGIE_DISCORD_TOKEN_FILE", "")
	dsn := filepath.Join(t.TempDir(), "vigie.db")
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	// SIGINT as soon as the bot is up.
	deps := runDeps{platforms: platformAdapters, started: func(*bot.Bot, store.Store) { cancel() }}
	out, err := execRun(ctx, deps, "--store", dsn, "--log-format", "json")
	if err != nil {
		t.Fatalf("run: %v\n%s", err, out)
	}
	mustHave(t, out, "VIGIE_DISCORD_TOKEN", "VIGIE_DISCORD_TOKEN_FILE", "platform not configured", "no platform configured", `"msg":"stopped"`, "Mattermost")
	if _, err := os.Stat(dsn); err != nil {
		t.Fatalf("store not created: %v", err)
	}
}

func TestRunModeratesAndStopsCleanly(t *testing.T) {
	for _, logText := range []bool{false, true} {
		name := "no text in logs"
		if logText {
			name = "--log-text"
		}
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			dsn := filepath.Join(dir, "vigie.db")
			rulesFile := filepath.Join(dir, "ecole.yaml")
			if err := os.WriteFile(rulesFile, []byte("version: 1\npolicy:\n  alert_channel: \"333333333333333333\"\n  locale: en\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			ad := bottest.NewAdapter(bot.Discord)
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			insult := "t'es qu'un gros connard"
			deps := runDeps{
				getenv: func(k string) string {
					if k == "VIGIE_STORE" {
						return dsn
					}
					return ""
				},
				platforms: func(*zap.Logger) ([]bot.Adapter, []string, error) { return []bot.Adapter{ad}, nil, nil },
				started: func(*bot.Bot, store.Store) {
					go func() {
						for i, text := range []string{insult, "bonjour", insult} {
							m := &bot.Message{
								Ref:    bot.MessageRef{Class: "g1", Channel: "c1", ID: "m" + strconv.Itoa(i)},
								Author: bot.Author{UserRef: bot.UserRef{ID: "u1", Name: "Alex"}}, Text: text,
							}
							if err := ad.Send(ctx, bot.Event{Kind: bot.MessageCreated, Platform: bot.Discord, Message: m}); err != nil {
								return
							}
						}
						cancel() // SIGINT
					}()
				},
				purgeEvery: time.Hour,
			}
			args := []string{"--rules", rulesFile, "--log-format", "json"}
			if logText {
				args = append(args, "--log-text")
			}
			out, err := execRun(ctx, deps, args...)
			if err != nil {
				t.Fatalf("run: %v\n%s", err, out)
			}
			// Shutdown judged everything queued and sent the grouped summary.
			if n := len(ad.Succeeded(bottest.OpDelete)); n != 2 {
				t.Fatalf("%d deletions, want 2\n%s", n, out)
			}
			if alerts := ad.PostsIn("333333333333333333"); len(alerts) != 2 {
				t.Fatalf("%d alerts, want the first and the summary sent at shutdown", len(alerts))
			}
			mustHave(t, out, `"msg":"incident"`, `"msg":"rules loaded"`, "ecole.yaml@", `"msg":"stopped"`)
			if got := strings.Contains(out, "connard"); got != logText {
				t.Fatalf("message text in logs = %v, want %v\n%s", got, logText, out)
			}
			st, err := store.Open(t.Context(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			incs, err := st.List(t.Context(), store.Filter{})
			if err != nil || len(incs) != 2 {
				t.Fatalf("%d incidents (%v), want 2", len(incs), err)
			}
			if incs[0].Text != insult {
				t.Fatalf("incident text %q", incs[0].Text)
			}
		})
	}
}

func TestRunRefusesBadInput(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("version: 1\nactions: {insult: explode}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	none := func(*zap.Logger) ([]bot.Adapter, []string, error) {
		t.Fatal("platforms started despite bad input")
		return nil, nil, nil
	}
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"bad rules", []string{"--rules", bad}, "explode"},
		{"missing rules", []string{"--rules", filepath.Join(dir, "none.yaml")}, "none.yaml"},
		{"bad log format", []string{"--log-format", "xml"}, "--log-format"},
		{"bad log level", []string{"--log-level", "loud"}, "--log-level"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := execRun(t.Context(), runDeps{platforms: none}, append(tt.args, "--store", filepath.Join(dir, "v.db"))...)
			var ee *exitError
			if !errors.As(err, &ee) || ee.code != 2 {
				t.Fatalf("err = %v, want exit status 2", err)
			}
			mustHave(t, err.Error(), tt.want)
		})
	}
}

func TestPlatformAdaptersFromEnvironment(t *testing.T) {
	t.Setenv("VIGIE_DISCORD_TOKEN", "MTIz.secret-token-value")
	t.Setenv("VIGIE_DISCORD_TOKEN_FILE", "")
	var logs syncBuffer
	log, err := newLogger(&logs, "json", "debug")
	if err != nil {
		t.Fatal(err)
	}
	adapters, missing, err := platformAdapters(log)
	if err != nil {
		t.Fatal(err)
	}
	if len(adapters) != 1 || adapters[0].Platform() != bot.Discord {
		t.Fatalf("adapters = %v", adapters)
	}
	for _, m := range missing {
		if strings.Contains(m, "Discord") {
			t.Fatalf("Discord said to be missing: %q", m)
		}
	}
	if strings.Contains(logs.String(), "secret-token-value") {
		t.Fatal("the token was logged")
	}
}

func TestLoggerFormat(t *testing.T) {
	var buf bytes.Buffer
	log, err := newLogger(&buf, "", "info")
	if err != nil {
		t.Fatal(err)
	}
	log.Info("hello", zap.String("k", "v"))
	if !strings.HasPrefix(buf.String(), "{") {
		t.Fatalf("a non-terminal gets %q, want JSON", buf.String())
	}
	buf.Reset()
	log, _ = newLogger(&buf, "console", "warn")
	log.Info("hidden")
	log.Warn("shown")
	if strings.Contains(buf.String(), "hidden") || !strings.Contains(buf.String(), "shown") || strings.HasPrefix(buf.String(), "{") {
		t.Fatalf("console logger wrote %q", buf.String())
	}
}

func mustHave(t *testing.T, s string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			t.Errorf("missing %q in:\n%s", sub, s)
		}
	}
}
