package console

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/vigie-edu/vigie/bot"
	"github.com/vigie-edu/vigie/bot/bottest"
)

func TestTeacherSignsInWithALink(t *testing.T) {
	e := newEnv(t)
	e.incident(insult(classA, "4e A", "u-alex", "Alex", "t'es un idiot"))
	b := e.browser()
	link := e.link(classA, teacherA)
	if !strings.HasPrefix(link, e.srv.URL+"/console/login?t=") {
		t.Fatalf("link = %s", link)
	}
	page := b.get(link)
	if page.status != http.StatusOK {
		t.Fatalf("GET link: %d", page.status)
	}
	mustContain(t, "confirmation", page.body, `id="signin"`, `method="post"`)
	res := b.signIn(link)
	if res.status != http.StatusSeeOther || res.header.Get("Location") != Prefix {
		t.Fatalf("sign in: %d %q", res.status, res.header.Get("Location"))
	}
	var ck *http.Cookie
	for _, c := range (&http.Response{Header: res.header}).Cookies() {
		if c.Name == sessionCookie && c.Value != "" {
			ck = c
		}
	}
	if ck == nil || !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Secure || ck.Path != Prefix {
		t.Fatalf("session cookie = %+v, want HttpOnly, SameSite=Strict, not Secure over plain HTTP, Path=%s", ck, Prefix)
	}
	home := b.get("")
	mustContain(t, "dashboard", home.body, "4e A (discord)", `id="classes"`)
	mustNotContain(t, "dashboard", home.body, classB)
	if got := home.header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control = %q", got)
	}
	mustContain(t, "CSP", home.header.Get("Content-Security-Policy"), "default-src 'none'", "frame-ancestors 'none'")
}

func TestSecondLinkAddsAClassToTheSession(t *testing.T) {
	e := newEnv(t)
	idB := e.incident(insult(classB, "4e B", "u-sam", "Sam", "idiot"))
	b := e.teacher(classA, teacherA)
	if r := b.get("incidents/" + idB); r.status != http.StatusNotFound {
		t.Fatalf("incident of class B before its link: %d", r.status)
	}
	if r := b.signIn(e.link(classB, teacherA)); r.status != http.StatusSeeOther {
		t.Fatalf("second sign in: %d", r.status)
	}
	if r := b.get("incidents/" + idB); r.status != http.StatusOK {
		t.Fatalf("incident of class B after its link: %d", r.status)
	}
	if r := b.get(""); !strings.Contains(r.body, "4e A") || !strings.Contains(r.body, "4e B") {
		t.Fatalf("dashboard lacks a class:\n%s", r.body)
	}
	// Another teacher's link does not widen this session: it opens a new one.
	other := e.browser()
	other.signIn(e.link(classB, teacherB))
	if r := other.get(""); strings.Contains(r.body, "4e A") {
		t.Fatal("teacher B sees class A")
	}
}

func TestRefusedLinks(t *testing.T) {
	tamper := func(link string) string {
		u, _ := url.Parse(link)
		tok := u.Query().Get("t")
		payload, sig, _ := strings.Cut(tok, ".")
		body, _ := base64.RawURLEncoding.DecodeString(payload)
		body = []byte(strings.Replace(string(body), classA, classB, 1))
		return link[:strings.Index(link, "?")] + "?t=" + base64.RawURLEncoding.EncodeToString(body) + "." + sig
	}
	tests := []struct {
		name   string
		link   func(e *env) string
		status int
		want   string
	}{
		{"expired", func(e *env) string {
			l := e.link(classA, teacherA)
			e.clock.Advance(LinkTTL + time.Second)
			return l
		}, http.StatusGone, "expired"},
		{"reused", func(e *env) string {
			l := e.link(classA, teacherA)
			e.browser().signIn(l)
			return l
		}, http.StatusGone, "already used"},
		{"class changed", func(e *env) string { return tamper(e.link(classA, teacherA)) }, http.StatusBadRequest, "not valid"},
		{"signed with another key", func(e *env) string {
			o := e.opts
			o.Key = []byte("another key of at least thirty-two bytes!!")
			other, err := New(o)
			if err != nil {
				t.Fatal(err)
			}
			l, _ := other.Link(e.ctx, platform, classA, teacherA, true)
			return e.local(l)
		}, http.StatusBadRequest, "not valid"},
		{"issued before a restart", func(e *env) string {
			l := e.link(classA, teacherA)
			e.clock.Advance(2 * time.Second)
			e.restart()
			return l
		}, http.StatusGone, "expired"},
		{"no token", func(e *env) string { return e.srv.URL + Prefix + "login" }, http.StatusBadRequest, "not valid"},
		{"garbage", func(e *env) string { return e.srv.URL + Prefix + "login?t=a.b.c%00<script>" }, http.StatusBadRequest, "not valid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			link := tt.link(e)
			b := e.browser()
			b.jar.SetCookies(mustURL(t, e.srv.URL+Prefix), []*http.Cookie{{Name: langCookie, Value: "en"}})
			page := b.get(link)
			if page.status != tt.status {
				t.Fatalf("GET link: %d, want %d\n%s", page.status, tt.status, page.body)
			}
			mustContain(t, "refusal", page.body, tt.want, "/vigie console")
			// Posting the token directly is refused the same way.
			home := b.get("")
			u, _ := url.Parse(link)
			res := b.post("login", url.Values{"csrf": {csrf(t, home.body)}, "t": {u.Query().Get("t")}})
			if res.status != tt.status {
				t.Fatalf("POST login: %d, want %d", res.status, tt.status)
			}
			if r := b.get("incidents"); r.status != http.StatusSeeOther {
				t.Fatalf("signed in after a refused link: %d", r.status)
			}
		})
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestLinksAreForTeachers(t *testing.T) {
	e := newEnv(t)
	if _, err := e.c.Link(e.ctx, platform, classA, "u-student", false); err == nil {
		t.Fatal("Link made a link for a student")
	}
	if _, err := e.c.Link(e.ctx, platform, "", teacherA, true); err == nil {
		t.Fatal("Link made a link without a class")
	}
}

func TestForgedSessionCookies(t *testing.T) {
	e := newEnv(t)
	id := e.incident(insult(classA, "4e A", "u-alex", "Alex", "idiot"))
	real := e.teacher(classA, teacherA)
	var value string
	for _, c := range real.jar.Cookies(mustURL(t, e.srv.URL+Prefix)) {
		if c.Name == sessionCookie {
			value = c.Value
		}
	}
	restarted, err := New(e.opts) // same key, new memory: sessions are not signed tokens
	if err != nil {
		t.Fatal(err)
	}
	other := httptestServer(t, restarted)
	for _, tt := range []struct{ name, base, value string }{
		{"random", e.srv.URL, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},
		{"empty", e.srv.URL, ""},
		{"altered", e.srv.URL, value[:len(value)-1] + "x"},
		{"from another instance", other, value},
		{"markup", e.srv.URL, "<script>"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, path := range []string{"incidents", "incidents/" + id, "trends", "try"} {
				req, _ := http.NewRequestWithContext(e.ctx, http.MethodGet, tt.base+Prefix+path, nil)
				req.Header.Set("Cookie", sessionCookie+"="+tt.value)
				r := e.browser().do(req)
				if r.status != http.StatusSeeOther || r.header.Get("Location") != Prefix {
					t.Fatalf("GET %s with a %s cookie: %d %q", path, tt.name, r.status, r.header.Get("Location"))
				}
			}
			req, _ := http.NewRequestWithContext(e.ctx, http.MethodPost, tt.base+Prefix+"incidents/"+id+"/follow-up",
				strings.NewReader("note=x&csrf=x"))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Cookie", sessionCookie+"="+tt.value)
			if r := e.browser().do(req); r.status != http.StatusUnauthorized {
				t.Fatalf("POST follow-up with a %s cookie: %d", tt.name, r.status)
			}
		})
	}
	if in, _ := e.st.Get(e.ctx, id); in.FollowedUpAt != nil {
		t.Fatal("a forged cookie followed an incident up")
	}
}

func httptestServer(t *testing.T, c *Console) string {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle(Prefix, c)
	srv := newServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestSessionsExpire(t *testing.T) {
	e := newEnv(t)
	b := e.teacher(classA, teacherA)
	e.clock.Advance(sessionIdle - time.Minute)
	if r := b.get("incidents"); r.status != http.StatusOK {
		t.Fatalf("session ended before its idle time: %d", r.status)
	}
	e.clock.Advance(sessionIdle)
	if r := b.get("incidents"); r.status != http.StatusSeeOther {
		t.Fatalf("idle session still open: %d", r.status)
	}
	b = e.teacher(classA, teacherA)
	for range int(DefaultSessionTTL / time.Hour) {
		e.clock.Advance(time.Hour)
		b.get("")
	}
	if r := b.get("incidents"); r.status != http.StatusSeeOther {
		t.Fatalf("session still open after its lifetime: %d", r.status)
	}
}

func TestSignOut(t *testing.T) {
	e := newEnv(t)
	b := e.teacher(classA, teacherA)
	home := b.get("")
	if r := b.post("logout", url.Values{}); r.status != http.StatusForbidden {
		t.Fatalf("sign out without the token: %d", r.status)
	}
	if r := b.post("logout", url.Values{"csrf": {csrf(t, home.body)}}); r.status != http.StatusSeeOther {
		t.Fatalf("sign out: %d", r.status)
	}
	if r := b.get("incidents"); r.status != http.StatusSeeOther {
		t.Fatalf("still signed in: %d", r.status)
	}
}

func TestAdminSignIn(t *testing.T) {
	e := newEnv(t)
	idA := e.incident(insult(classA, "4e A", "u-alex", "Alex", "idiot"))
	idB := e.incident(insult(classB, "4e B", "u-sam", "Sam", "idiot"))
	b := e.browser()
	r := b.signInAdmin("wrong token")
	if r.status != http.StatusUnauthorized {
		t.Fatalf("wrong token: %d", r.status)
	}
	mustContain(t, "refusal", r.body, "Ce jeton n&#39;est pas valide")
	if r := b.get("incidents"); r.status != http.StatusSeeOther {
		t.Fatalf("signed in with a wrong token: %d", r.status)
	}
	if r := b.signInAdmin(adminToken); r.status != http.StatusSeeOther {
		t.Fatalf("admin token: %d", r.status)
	}
	for _, id := range []string{idA, idB} {
		if r := b.get("incidents/" + id); r.status != http.StatusOK {
			t.Fatalf("admin cannot open %s: %d", id, r.status)
		}
	}
	mustContain(t, "admin dashboard", b.get("").body, "4e A", "4e B", "Toutes les classes")

	// Without hashes, there is no admin sign-in.
	e2 := newEnv(t, func(o *Options) { o.AdminTokens = nil })
	b2 := e2.browser()
	page := b2.get("")
	mustNotContain(t, "sign-in page", page.body, `name="token"`)
	var pre string
	for _, c := range b2.jar.Cookies(mustURL(t, e2.srv.URL+Prefix)) {
		if c.Name == preCookie {
			pre = c.Value
		}
	}
	for _, token := range []string{"", adminToken} {
		if r := b2.post("admin", url.Values{"csrf": {pre}, "token": {token}}); r.status != http.StatusUnauthorized {
			t.Fatalf("token %q without hashes: %d", token, r.status)
		}
	}
}

func TestSignInFormsNeedTheirToken(t *testing.T) {
	e := newEnv(t)
	link := e.link(classA, teacherA)
	b := e.browser()
	tok := mustURL(t, link).Query().Get("t")
	for _, form := range []url.Values{
		{"t": {tok}},
		{"t": {tok}, "csrf": {"forged-forged-forged-forged-forged-forged"}},
	} {
		if r := b.post("login", form); r.status != http.StatusForbidden {
			t.Fatalf("login without the form token: %d", r.status)
		}
		if r := b.post("admin", url.Values{"token": {adminToken}, "csrf": form["csrf"]}); r.status != http.StatusForbidden {
			t.Fatalf("admin sign-in without the form token: %d", r.status)
		}
	}
	// The refused attempts did not use the link up.
	if r := b.signIn(link); r.status != http.StatusSeeOther {
		t.Fatalf("link unusable after refused attempts: %d", r.status)
	}
}

func TestSecureCookies(t *testing.T) {
	for _, tt := range []struct {
		name    string
		proxies string
		proto   string
		secure  bool
	}{
		{"plain HTTP", "", "", false},
		{"untrusted proxy header", "", "https", false},
		{"trusted proxy", "127.0.0.1/32", "https", true},
		{"trusted proxy over HTTP", "127.0.0.1", "http", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			proxies, err := ParsePrefixes(tt.proxies)
			if err != nil {
				t.Fatal(err)
			}
			e := newEnv(t, func(o *Options) { o.TrustedProxies = proxies })
			req, _ := http.NewRequestWithContext(e.ctx, http.MethodGet, e.srv.URL+Prefix, nil)
			if tt.proto != "" {
				req.Header.Set("X-Forwarded-Proto", tt.proto)
			}
			r := e.browser().do(req)
			cks := (&http.Response{Header: r.header}).Cookies()
			if len(cks) != 1 || cks[0].Secure != tt.secure {
				t.Fatalf("cookies = %+v, want Secure=%v", cks, tt.secure)
			}
		})
	}
	t.Run("TLS", func(t *testing.T) {
		e := newEnv(t)
		srv := newTLSServer(e.c)
		t.Cleanup(srv.Close)
		resp, err := srv.Client().Get(srv.URL + Prefix)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if cks := resp.Cookies(); len(cks) != 1 || !cks[0].Secure {
			t.Fatalf("cookies over TLS = %+v, want Secure", cks)
		}
	})
}

// The bot's /vigie console answers with a link that signs the teacher
// in to the class's incidents.
func TestBotConsoleCommandSignsTheTeacherIn(t *testing.T) {
	e := newEnv(t)
	id := e.incident(insult(classA, "4e A", "u-alex", "Alex", "t'es un idiot"))
	b, err := bot.New(bot.Options{Rules: e.rules, Store: e.st, ConsoleLinker: e.c, Clock: bottest.NewClock(testStart)})
	if err != nil {
		t.Fatal(err)
	}
	var reply string
	cmd := &bot.Command{
		Name: "vigie", Sub: "console",
		User:    bot.Author{UserRef: bot.UserRef{ID: teacherA, Name: "M. Prof"}, Owner: true},
		Channel: bot.ChannelRef{Class: classA, ID: "chan"},
		Respond: func(_ context.Context, r bot.Reply) error { reply = r.Text; return nil },
	}
	if _, err := b.Handle(e.ctx, bottest.NewAdapter(bot.Discord), bot.Event{Kind: bot.CommandInvoked, Platform: bot.Discord, Command: cmd}); err != nil {
		t.Fatal(err)
	}
	i := strings.Index(reply, e.opts.BaseURL)
	if i < 0 {
		t.Fatalf("reply has no console link:\n%s", reply)
	}
	link := strings.Fields(reply[i:])[0]
	br := e.browser()
	if r := br.signIn(e.local(link)); r.status != http.StatusSeeOther {
		t.Fatalf("sign in with the bot's link: %d", r.status)
	}
	if r := br.get("incidents/" + id); r.status != http.StatusOK {
		t.Fatalf("incident of the class: %d", r.status)
	}
}

func TestANewSignInEndsTheOldSession(t *testing.T) {
	e := newEnv(t)
	b := e.teacher(classA, teacherA)
	var old string
	for _, c := range b.jar.Cookies(mustURL(t, e.srv.URL+Prefix)) {
		if c.Name == sessionCookie {
			old = c.Value
		}
	}
	if r := b.signIn(e.link(classB, teacherB)); r.status != http.StatusSeeOther {
		t.Fatalf("second teacher's sign in: %d", r.status)
	}
	if _, ok := e.c.sessions.get(old, e.clock.Now()); ok {
		t.Fatal("the first teacher's session outlived the second sign-in")
	}
	if r := b.get(""); strings.Contains(r.body, "4e A") {
		t.Fatal("the new session sees the old one's class")
	}
}
