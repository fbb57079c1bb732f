package discord

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/vigie-edu/vigie/adapters/discord/fakediscord"
	"github.com/vigie-edu/vigie/bot"
)

func TestDelete(t *testing.T) {
	h := StartHarness(t, World, nil)
	ctx := context.Background()
	id := h.Fake.SendMessage(GuildA, ChanGen, Alice, "…")
	reason := "Vigie : incident 42 (insulte)\nligne 2"
	if err := h.Adapter.Delete(ctx, bot.MessageRef{Class: GuildA, Channel: ChanGen, ID: id}, reason); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	dels := h.Fake.Deletes()
	if len(dels) != 1 || dels[0].Message != id || dels[0].Channel != ChanGen {
		t.Fatalf("deletes = %+v", dels)
	}
	if dels[0].Reason != reason {
		t.Errorf("audit reason = %q, want %q", dels[0].Reason, reason)
	}
	if _, ok := h.Fake.Message(id); ok {
		t.Error("message still there")
	}
}

func TestSendDirect(t *testing.T) {
	h := StartHarness(t, World, nil)
	ctx := context.Background()
	msg := bot.OutMessage{Title: "Message retiré", Body: "Ton message a été retiré.", Footer: "**3018** — https://3018.fr"}
	for range 2 {
		if err := h.Adapter.SendDirect(ctx, bot.UserRef{ID: Alice}, msg); err != nil {
			t.Fatalf("SendDirect: %v", err)
		}
	}
	dms := h.Fake.DMs()
	if len(dms) != 2 || dms[0].Recipient != Alice || dms[0].Content != Render(msg) {
		t.Fatalf("DMs = %+v", dms)
	}
	if dms[0].Allowed == nil || len(dms[0].Allowed.Parse) != 0 {
		t.Errorf("allowed mentions = %+v, want none", dms[0].Allowed)
	}
	if dms[0].Flags&discordgo.MessageFlagsSuppressEmbeds == 0 {
		t.Error("link previews not suppressed")
	}
	if n := countCalls(h.Fake, http.MethodPost, "/users/@me/channels"); n != 1 {
		t.Errorf("DM channel opened %d times, want once", n)
	}
}

func TestPost(t *testing.T) {
	h := StartHarness(t, World, nil)
	ctx := context.Background()
	msg := bot.OutMessage{Title: "Alerte", Body: "Un message a été retiré.", Mentions: []bot.UserRef{{ID: Alice}}}
	refs := []bot.ChannelRef{
		{Class: GuildA, ID: ChanAlerts},
		{Class: GuildA, ID: "alertes-vigie"},
		{Class: GuildA, ID: "#alertes-vigie"},
		{Class: GuildA, Name: "Alertes-Vigie"},
	}
	for _, c := range refs {
		ref, err := h.Adapter.Post(ctx, c, msg)
		if err != nil {
			t.Fatalf("Post(%+v): %v", c, err)
		}
		if ref.Class != GuildA || ref.Channel != ChanAlerts || ref.ID == "" {
			t.Errorf("Post(%+v) = %+v", c, ref)
		}
	}
	posts := h.Fake.Posts()
	if len(posts) != len(refs) {
		t.Fatalf("posts = %d", len(posts))
	}
	p := posts[0]
	if !strings.HasPrefix(p.Content, "<@"+Alice+">") || !slices.Equal(p.Allowed.Users, []string{Alice}) || len(p.Allowed.Parse) != 0 {
		t.Errorf("mention = %q, allowed %+v", p.Content, p.Allowed)
	}
	_, err := h.Adapter.Post(ctx, bot.ChannelRef{Class: GuildA, ID: "nulle-part"}, msg)
	if !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("Post to an unknown channel name = %v, want ErrNotFound", err)
	}
}

func TestUnsupported(t *testing.T) {
	h := StartHarness(t, World, nil)
	ctx := context.Background()
	if err := h.Adapter.PostEphemeral(ctx, bot.ChannelRef{Class: GuildA, ID: ChanGen}, bot.UserRef{ID: Alice}, bot.OutMessage{Body: "x"}); !errors.Is(err, bot.ErrUnsupported) {
		t.Errorf("PostEphemeral = %v", err)
	}
	if err := h.Adapter.RemoveFromChannel(ctx, bot.ChannelRef{Class: GuildA, ID: ChanGen}, bot.UserRef{ID: Alice}); !errors.Is(err, bot.ErrUnsupported) {
		t.Errorf("RemoveFromChannel = %v", err)
	}
	if len(h.Fake.Calls()) != countCalls(h.Fake, http.MethodGet, "/gateway")+countCalls(h.Fake, http.MethodPut, "/commands") {
		t.Error("unsupported calls reached Discord")
	}
}

func TestTimeout(t *testing.T) {
	h := StartHarness(t, World, nil)
	ctx := context.Background()
	before := time.Now()
	if err := h.Adapter.Timeout(ctx, GuildA, bot.UserRef{ID: Alice}, 10*time.Minute, "Vigie : 3 retraits en 10 min"); err != nil {
		t.Fatalf("Timeout: %v", err)
	}
	after := time.Now()
	tos := h.Fake.Timeouts()
	if len(tos) != 1 || tos[0].User != Alice || tos[0].Guild != GuildA || tos[0].Reason != "Vigie : 3 retraits en 10 min" {
		t.Fatalf("timeouts = %+v", tos)
	}
	if u := tos[0].Until; u == nil || u.Before(before.Add(10*time.Minute).Truncate(time.Second)) || u.After(after.Add(10*time.Minute)) {
		t.Errorf("until = %v, want now + 10 min", u)
	}
	// Longer than Discord allows: clamped to 28 days.
	if err := h.Adapter.Timeout(ctx, GuildA, bot.UserRef{ID: Bob}, 60*24*time.Hour, ""); err != nil {
		t.Fatalf("long Timeout: %v", err)
	}
	if u := h.Fake.MemberTimeout(GuildA, Bob); u == nil || u.After(time.Now().Add(maxTimeout)) {
		t.Errorf("long time-out until %v, want at most 28 days", u)
	}
	// d <= 0 lifts it.
	if err := h.Adapter.Timeout(ctx, GuildA, bot.UserRef{ID: Bob}, 0, ""); err != nil {
		t.Fatal(err)
	}
	if u := h.Fake.MemberTimeout(GuildA, Bob); u != nil {
		t.Errorf("time-out not lifted: %v", u)
	}
}

func TestMemberAndClass(t *testing.T) {
	h := StartHarness(t, World, nil)
	ctx := context.Background()
	tests := []struct {
		user         string
		roles        []string
		owner, admin bool
	}{
		{Teacher, []string{RoleProf, "Professeur"}, false, false},
		{Owner, nil, true, true},
		{Alice, []string{RoleEleve, "Élève"}, false, false},
	}
	for _, tt := range tests {
		m, err := h.Adapter.Member(ctx, GuildA, bot.UserRef{ID: tt.user})
		if err != nil {
			t.Fatalf("Member(%s): %v", tt.user, err)
		}
		if m.ID != tt.user || !slices.Equal(m.Roles, tt.roles) || m.Owner != tt.owner || m.Admin != tt.admin {
			t.Errorf("Member(%s) = %+v", tt.user, m)
		}
	}
	if _, err := h.Adapter.Member(ctx, GuildA, bot.UserRef{ID: "599999999999999999"}); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("unknown member: %v", err)
	}
	ci, err := h.Adapter.Class(ctx, GuildA)
	if err != nil {
		t.Fatal(err)
	}
	if ci.ID != GuildA || ci.Name != "4e B" || ci.Owner.ID != Owner || ci.Owner.Name != "Mme Directrice" {
		t.Errorf("Class = %+v", ci)
	}
	if _, err := h.Adapter.Class(ctx, "299999999999999999"); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("unknown class: %v", err)
	}
}

func TestRoleMembersPaginated(t *testing.T) {
	const n = 2345
	var teachers []string
	h := StartHarness(t, func(f *fakediscord.Server) {
		World(f)
		for i := range n {
			id := fmt.Sprintf("51%016d", i)
			if i%3 == 0 {
				f.AddMember(GuildA, id, "Professeur")
				teachers = append(teachers, id)
			} else {
				f.AddMember(GuildA, id, "Élève")
			}
		}
		teachers = append(teachers, Teacher)
	}, nil)
	for _, role := range []string{RoleProf, "Professeur", "professeur"} {
		before := countCalls(h.Fake, http.MethodGet, "/members")
		users, err := h.Adapter.RoleMembers(context.Background(), GuildA, role)
		if err != nil {
			t.Fatalf("RoleMembers(%q): %v", role, err)
		}
		var got []string
		for _, u := range users {
			got = append(got, u.ID)
		}
		slices.Sort(got)
		want := slices.Clone(teachers)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("RoleMembers(%q): %d members, want %d", role, len(got), len(want))
		}
		if pages := countCalls(h.Fake, http.MethodGet, "/members") - before; pages != 3 {
			t.Errorf("RoleMembers(%q) read %d pages, want 3", role, pages)
		}
	}
	if _, err := h.Adapter.RoleMembers(context.Background(), GuildA, "Surveillant"); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("unknown role: %v", err)
	}
}

func TestErrorMapping(t *testing.T) {
	h := StartHarness(t, World, nil)
	ctx := context.Background()
	a, f := h.Adapter, h.Fake
	f.SetDMClosed(Bob)
	msgPath := `/channels/\d+/messages/\d+$`
	tests := []struct {
		name    string
		inject  func()
		call    func() error
		kind    error
		missing string
		status  int
	}{
		{"delete forbidden", func() {
			f.FailNext("DELETE", msgPath, 403, `{"message":"Missing Permissions","code":50013}`)
		}, func() error {
			return a.Delete(ctx, bot.MessageRef{Class: GuildA, Channel: ChanGen, ID: f.SendMessage(GuildA, ChanGen, Alice, "x")}, "")
		}, bot.ErrForbidden, PermManageMessages, 403},
		{"delete unknown message", nil, func() error {
			return a.Delete(ctx, bot.MessageRef{Class: GuildA, Channel: ChanGen, ID: "999999999999999999"}, "")
		}, bot.ErrNotFound, "", 404},
		{"timeout forbidden", func() {
			f.FailNext("PATCH", `/members/`, 403, `{"message":"Missing Permissions","code":50013}`)
		}, func() error {
			return a.Timeout(ctx, GuildA, bot.UserRef{ID: Alice}, time.Minute, "")
		}, bot.ErrForbidden, PermModerateMembers, 403},
		{"post forbidden", func() {
			f.FailNext("POST", `/channels/\d+/messages$`, 403, `{"message":"Missing Access","code":50001}`)
		}, func() error {
			_, err := a.Post(ctx, bot.ChannelRef{Class: GuildA, ID: ChanAlerts}, bot.OutMessage{Body: "x"})
			return err
		}, bot.ErrForbidden, PermSendMessages, 403},
		{"dm closed", nil, func() error {
			return a.SendDirect(ctx, bot.UserRef{ID: Bob}, bot.OutMessage{Body: "x"})
		}, bot.ErrDirectClosed, "", 403},
		{"server error", func() {
			f.FailNext("DELETE", msgPath, 500, `{"message":"oops","code":0}`)
		}, func() error {
			return a.Delete(ctx, bot.MessageRef{Class: GuildA, Channel: ChanGen, ID: f.SendMessage(GuildA, ChanGen, Alice, "x")}, "")
		}, bot.ErrUnavailable, "", 500},
		{"bad gateway after discordgo's retries", func() {
			for range 4 {
				f.FailNext("DELETE", msgPath, 502, "")
			}
		}, func() error {
			return a.Delete(ctx, bot.MessageRef{Class: GuildA, Channel: ChanGen, ID: f.SendMessage(GuildA, ChanGen, Alice, "x")}, "")
		}, bot.ErrUnavailable, "", 502},
		{"rate limited", func() {
			f.RateLimitNext("DELETE", `/channels/`+ChanAlerts+`/messages/`, 1500*time.Millisecond)
		}, func() error {
			return a.Delete(ctx, bot.MessageRef{Class: GuildA, Channel: ChanAlerts, ID: f.SendMessage(GuildA, ChanAlerts, Alice, "x")}, "")
		}, bot.ErrRateLimited, "", 429},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.inject != nil {
				tt.inject()
			}
			err := tt.call()
			if !errors.Is(err, tt.kind) {
				t.Fatalf("error = %v, want %v", err, tt.kind)
			}
			var pe *bot.PlatformError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T is not a *bot.PlatformError", err)
			}
			if pe.Missing != tt.missing || pe.Status != tt.status {
				t.Errorf("missing %q status %d, want %q %d", pe.Missing, pe.Status, tt.missing, tt.status)
			}
			if tt.kind == bot.ErrRateLimited && (pe.RetryAfter <= 0 || pe.RetryAfter > 1500*time.Millisecond) {
				t.Errorf("RetryAfter = %v, want (0, 1.5s]", pe.RetryAfter)
			}
			if strings.Contains(err.Error(), f.Token()) {
				t.Errorf("error shows the token: %v", err)
			}
		})
	}
	t.Run("bad request is not retryable", func(t *testing.T) {
		f.FailNext("DELETE", msgPath, 400, `{"message":"Invalid Form Body","code":50035}`)
		err := a.Delete(ctx, bot.MessageRef{Class: GuildA, Channel: ChanGen, ID: f.SendMessage(GuildA, ChanGen, Alice, "x")}, "")
		var pe *bot.PlatformError
		if err == nil || errors.As(err, &pe) {
			t.Errorf("400 = %v, want a plain error", err)
		}
	})
	t.Run("cancelled context", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		err := a.Delete(cctx, bot.MessageRef{Class: GuildA, Channel: ChanGen, ID: "1"}, "")
		if !errors.Is(err, context.Canceled) || !errors.Is(err, bot.ErrUnavailable) {
			t.Errorf("cancelled = %v", err)
		}
	})
}

func TestRateLimitHonoured(t *testing.T) {
	h := StartHarness(t, World, nil)
	ctx := context.Background()
	a, f := h.Adapter, h.Fake
	const wait = 700 * time.Millisecond
	id := f.SendMessage(GuildA, ChanGen, Alice, "x")
	ref := bot.MessageRef{Class: GuildA, Channel: ChanGen, ID: id}
	f.RateLimitNext("DELETE", `/messages/`, wait)
	err := a.Delete(ctx, ref, "")
	var pe *bot.PlatformError
	if !errors.As(err, &pe) || !errors.Is(err, bot.ErrRateLimited) {
		t.Fatalf("first Delete = %v, want rate limited", err)
	}
	limited := f.Calls()[len(f.Calls())-1].Time
	// Retrying at once: discordgo's bucket holds the request until the
	// reset Discord announced, and the fake refuses anything earlier.
	if err := a.Delete(ctx, ref, ""); err != nil {
		t.Fatalf("retry: %v", err)
	}
	dels := f.Deletes()
	if len(dels) != 1 {
		t.Fatalf("deletes = %+v", dels)
	}
	if gap := dels[0].Time.Sub(limited); gap < wait-50*time.Millisecond {
		t.Errorf("delete accepted %v after the 429, before retry_after %v", gap, wait)
	}
	for _, c := range f.Calls() {
		if c.Method == http.MethodDelete && c.Status == http.StatusTooManyRequests && c.Time.After(limited) {
			t.Errorf("a request was sent during the rate limit at %v", c.Time.Sub(limited))
		}
	}
}

func TestRedact(t *testing.T) {
	a, err := New(Config{Token: "Bot sekrit.token-value"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []error{
		fmt.Errorf("auth failed for sekrit.token-value"),
		&url.Error{Op: "Post", URL: "https://discord.com/api/v9/interactions/123456/aW50ZXJhY3Rpb24tdG9rZW4/callback", Err: errors.New("connection refused")},
		&url.Error{Op: "Post", URL: "https://discord.com/api/v9/webhooks/123456/c2VjcmV0/messages/@original", Err: errors.New("timeout")},
	}
	for _, e := range tests {
		got := a.redact(e).Error()
		for _, secret := range []string{"sekrit.token-value", "aW50ZXJhY3Rpb24tdG9rZW4", "c2VjcmV0"} {
			if strings.Contains(got, secret) {
				t.Errorf("redact(%q) = %q still holds %q", e, got, secret)
			}
		}
	}
	for _, v := range []string{a.cfg.String(), fmt.Sprintf("%v|%+v|%#v|%s|%q", a.cfg, a.cfg, a.cfg, a.cfg, a.cfg)} {
		if strings.Contains(v, "sekrit") || !strings.Contains(v, redacted) {
			t.Errorf("config printed as %q", v)
		}
	}
}
