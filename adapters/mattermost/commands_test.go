package mattermost

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/vigie-edu/vigie/bot"
)

func TestParseCommand(t *testing.T) {
	tests := []struct {
		trigger, text string
		name, sub     string
		args          map[string]string
	}{
		{"vigie", "status", "vigie", "status", map[string]string{}},
		{"/Vigie", "  STATUS  ", "vigie", "status", map[string]string{}},
		{"vigie", "dryrun on", "vigie", "dryrun", map[string]string{"state": "on"}},
		{"vigie", "dryrun mode:off", "vigie", "dryrun", map[string]string{"mode": "off"}},
		{"vigie", "setup channel:~alertes role:@team_admin lang:fr", "vigie", "setup",
			map[string]string{"channel": "alertes", "role": "team_admin", "lang": "fr"}},
		{"vigie", "setup salon=~alertes langue=en", "vigie", "setup", map[string]string{"channel": "alertes", "lang": "en"}},
		{"vigie", "setup ~alertes @team_admin EN", "vigie", "setup",
			map[string]string{"channel": "alertes", "role": "team_admin", "lang": "en"}},
		{"vigie", "setup alertes-vigie team_admin", "vigie", "setup",
			map[string]string{"channel": "alertes-vigie", "role": "team_admin"}},
		{"vigie", "", "vigie", "", map[string]string{}},
		{"aide", "", "aide", "", map[string]string{}},
		{"aide", "help", "aide", "", map[string]string{}},
		{"aide", "signaler  quelqu'un me harcèle\nen DM", "aide", "report", map[string]string{"text": "quelqu'un me harcèle\nen DM"}},
		{"aide", "Report they mock me", "aide", "report", map[string]string{"text": "they mock me"}},
		{"aide", "on se moque de moi", "aide", "report", map[string]string{"text": "on se moque de moi"}},
		{"aide", "signaler", "aide", "report", map[string]string{}},
	}
	for _, tt := range tests {
		name, sub, args := ParseCommand(tt.trigger, tt.text)
		if name != tt.name || sub != tt.sub || !maps.Equal(args, tt.args) {
			t.Errorf("ParseCommand(%q, %q) = %q %q %q, want %q %q %q", tt.trigger, tt.text, name, sub, args, tt.name, tt.sub, tt.args)
		}
	}
}

// FuzzParseCommand checks that any text parses into a lower-case
// sub-command and known argument keys, and that a report keeps the
// student's words.
func FuzzParseCommand(f *testing.F) {
	for _, s := range []string{"status", "dryrun on", "setup channel:~a role:@b lang:fr", "signaler il m'a frappé", "x:y=z ~ @", "\t\n"} {
		f.Add("vigie", s)
		f.Add("aide", s)
	}
	known := map[string]bool{"channel": true, "role": true, "lang": true, "state": true, "mode": true, "on": true, "value": true, "text": true}
	f.Fuzz(func(t *testing.T, trigger, text string) {
		name, sub, args := ParseCommand(trigger, text)
		if sub != strings.ToLower(sub) && utf8.ValidString(sub) {
			t.Fatalf("sub %q not lower case", sub)
		}
		if strings.ContainsAny(sub, " \t\n\r") {
			t.Fatalf("sub %q has spaces", sub)
		}
		for k := range args {
			if !known[k] {
				t.Fatalf("unknown argument key %q", k)
			}
		}
		if name == TriggerAide && sub == "report" {
			if r, ok := args["text"]; ok && (!strings.Contains(text, r) || r == "") {
				t.Fatalf("report text %q not from %q", r, text)
			}
		}
	})
}

// commandHarness is an adapter whose slash-command endpoint runs, with a
// fake Mattermost server for its lookups and late answers.
type commandHarness struct {
	a      *Adapter
	events chan bot.Event
	late   chan string // bodies posted to /hooks/commands/…
	srv    *httptest.Server
}

func newCommandHarness(t *testing.T) *commandHarness {
	t.Helper()
	h := &commandHarness{events: make(chan bot.Event), late: make(chan string, 1)}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case strings.HasPrefix(r.URL.Path, "/hooks/commands/"):
			var body strings.Builder
			buf := make([]byte, 4096)
			for {
				n, err := r.Body.Read(buf)
				body.Write(buf[:n])
				if err != nil {
					break
				}
			}
			h.late <- body.String()
			_, _ = w.Write([]byte(`{}`))
		case r.URL.Path == "/api/v4/users/u1":
			_, _ = w.Write([]byte(`{"id":"u1","username":"zoe","first_name":"Zoé","roles":"system_user"}`))
		case r.URL.Path == "/api/v4/teams/t1/members/u1":
			_, _ = w.Write([]byte(`{"team_id":"t1","user_id":"u1","roles":"team_user","scheme_user":true,"scheme_admin":true}`))
		default:
			apiError(w, http.StatusNotFound, "not.found")
		}
	}))
	t.Cleanup(h.srv.Close)
	a, err := New(Config{URL: h.srv.URL, Token: secretToken, CommandListen: "127.0.0.1:0"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	h.a = a
	ctx, cancel := context.WithCancel(context.Background())
	a.sink = &eventSink{ctx: ctx, out: h.events}
	stop, err := a.serveCommands(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); stop() })
	a.commands["t1/"+TriggerAide] = commandReg{id: "c1", token: "cmdtoken"}
	return h
}

// invoke calls the endpoint as Mattermost does.
func (h *commandHarness) invoke(t *testing.T, token, text string) (*http.Response, map[string]any) {
	t.Helper()
	form := url.Values{"token": {token}, "team_id": {"t1"}, "channel_id": {"ch1"}, "channel_name": {"classe"},
		"user_id": {"u1"}, "user_name": {"zoe"}, "command": {"/aide"}, "text": {text},
		"response_url": {h.srv.URL + "/hooks/commands/abcdefghijklmnopqrstuvwxyz"}}
	resp, err := http.PostForm(h.a.CommandURL(), form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return resp, body
}

func TestCommandEndpoint(t *testing.T) {
	h := newCommandHarness(t)
	go func() {
		ev := <-h.events
		c := ev.Command
		if ev.Kind != bot.CommandInvoked || c.Name != "aide" || c.Sub != "report" || c.Args["text"] != "on me frappe" ||
			c.User.ID != "u1" || c.User.Name != "Zoé" || !c.User.Admin || c.Channel != (bot.ChannelRef{Class: "t1", ID: "ch1", Name: "classe"}) {
			t.Errorf("event = %+v, command %+v", ev, c)
		}
		if err := c.Respond(context.Background(), bot.Reply{Text: "Merci, c'est transmis."}); err != nil {
			t.Errorf("Respond: %v", err)
		}
		if err := c.Respond(context.Background(), bot.Reply{Text: "again"}); err == nil {
			t.Error("a second Respond must fail")
		}
	}()
	resp, body := h.invoke(t, "cmdtoken", "on me frappe")
	if resp.StatusCode != http.StatusOK || body["response_type"] != "ephemeral" || body["text"] != "Merci, c'est transmis." {
		t.Fatalf("answer %d %v", resp.StatusCode, body)
	}
}

func TestCommandEndpointRefusesWrongToken(t *testing.T) {
	h := newCommandHarness(t)
	for _, tok := range []string{"", "wrong", "cmdtoken2"} {
		resp, _ := h.invoke(t, tok, "x")
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("token %q: status %d, want 401", tok, resp.StatusCode)
		}
	}
	select {
	case ev := <-h.events:
		t.Fatalf("refused command reached the bot: %+v", ev)
	default:
	}
	resp, err := http.Get(h.a.CommandURL())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("GET: %d", resp.StatusCode)
	}
}

// An answer that comes after the endpoint stopped waiting goes through
// the response URL, to the configured server whatever host the URL
// names.
func TestCommandLateAnswer(t *testing.T) {
	h := newCommandHarness(t)
	pr := &pendingReply{a: h.a, ch: make(chan string, 1),
		responseURL: "http://evil.example/hooks/commands/abcdefghijklmnopqrstuvwxyz"}
	if _, ok := pr.finish(); ok {
		t.Fatal("no answer yet")
	}
	if err := pr.respond(context.Background(), bot.Reply{Text: "Besoin d'aide ?"}); err != nil {
		t.Fatalf("late Respond: %v", err)
	}
	select {
	case body := <-h.late:
		if !strings.Contains(body, `"response_type":"ephemeral"`) || !strings.Contains(body, "Besoin d'aide ?") {
			t.Fatalf("late body %s", body)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the late answer did not reach the configured server")
	}
	if err := pr.respond(context.Background(), bot.Reply{Text: "again"}); err == nil {
		t.Fatal("a second Respond must fail")
	}
	bad := &pendingReply{a: h.a, ch: make(chan string, 1), responseURL: "http://x/other"}
	bad.finish()
	if err := bad.respond(context.Background(), bot.Reply{Text: "x"}); err == nil {
		t.Fatal("a response URL that is not a command hook must be refused")
	}
}

// An answer that arrives as the endpoint gives up is still delivered by
// the endpoint.
func TestCommandAnswerRacingTheDeadline(t *testing.T) {
	pr := &pendingReply{ch: make(chan string, 1)}
	if err := pr.respond(context.Background(), bot.Reply{Text: "ok"}); err != nil {
		t.Fatal(err)
	}
	if text, ok := pr.finish(); !ok || text != "ok" {
		t.Fatalf("finish = %q %v", text, ok)
	}
}

func ExampleParseCommand() {
	name, sub, args := ParseCommand("vigie", "setup ~alertes-vigie @team_admin fr")
	fmt.Println(name, sub, args)
	name, sub, args = ParseCommand("aide", "signaler on se moque de moi")
	fmt.Println(name, sub, args)
	// Output:
	// vigie setup map[channel:alertes-vigie lang:fr role:team_admin]
	// aide report map[text:on se moque de moi]
}
