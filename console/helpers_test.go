package console

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigie-edu/vigie/adapters/httpapi"
	"github.com/vigie-edu/vigie/bot"
	"github.com/vigie-edu/vigie/bot/bottest"
	"github.com/vigie-edu/vigie/filters"
	"github.com/vigie-edu/vigie/store"
)

// Places and people of the tests.
const (
	platform   = "discord"
	classA     = "guild-a"
	classB     = "guild-b"
	teacherA   = "u-prof-a"
	teacherB   = "u-prof-b"
	adminToken = "correct horse battery staple, admin of the school"
)

var (
	testKey   = []byte("0123456789abcdef0123456789abcdef-test-key")
	testStart = time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC)
)

// testClock is a clock the test moves.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// testJudge knows a few words.
func testJudge() *bottest.Judge {
	return &bottest.Judge{Words: map[string]filters.Category{
		"idiot": filters.Insult, "connard": filters.Insult, "sexe": filters.Sexual, "script": filters.Insult,
	}}
}

// env is a console over an in-memory store, served on 127.0.0.1.
type env struct {
	t     testing.TB
	ctx   context.Context
	clock *testClock
	st    store.Store
	rules *bot.RulesHolder
	c     *Console
	cur   atomic.Pointer[Console] // what the server serves
	srv   *httptest.Server
	opts  Options
}

type envOption func(*Options)

func newEnv(t testing.TB, opts ...envOption) *env {
	t.Helper()
	e := &env{t: t, ctx: t.Context(), clock: &testClock{now: testStart}}
	st, err := store.OpenWith(e.ctx, ":memory:", store.Options{Now: e.clock.Now})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	e.st = st
	e.rules = bot.NewRulesHolder(&bot.Snapshot{Classifier: testJudge(), Version: "test-1", Config: bot.Config{
		Classes: []bot.Class{{Name: "4e A", Platform: bot.Discord, ID: classA}},
	}})
	admin, err := httpapi.ParseTokenHashes("test", httpapi.HashToken(adminToken))
	if err != nil {
		t.Fatal(err)
	}
	e.opts = Options{
		Store: st, Rules: e.rules, Key: testKey, BaseURL: "http://vigie.test/console/",
		AdminTokens: admin, Now: e.clock.Now, Location: time.UTC,
	}
	for _, o := range opts {
		o(&e.opts)
	}
	e.c, err = New(e.opts)
	if err != nil {
		t.Fatalf("console.New: %v", err)
	}
	e.cur.Store(e.c)
	e.srv = newServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { e.cur.Load().ServeHTTP(w, r) }))
	t.Cleanup(e.srv.Close)
	return e
}

// restart replaces the console by a new one with the same options, as
// a restart of Vigie does.
func (e *env) restart() {
	e.t.Helper()
	c, err := New(e.opts)
	if err != nil {
		e.t.Fatalf("console.New: %v", err)
	}
	e.c = c
	e.cur.Store(c)
}

// newServer serves h under Prefix on 127.0.0.1.
func newServer(h http.Handler) *httptest.Server {
	mux := http.NewServeMux()
	mux.Handle(Prefix, h)
	return httptest.NewServer(mux)
}

// newTLSServer serves h under Prefix over TLS on 127.0.0.1.
func newTLSServer(h http.Handler) *httptest.Server {
	mux := http.NewServeMux()
	mux.Handle(Prefix, h)
	return httptest.NewTLSServer(mux)
}

// incident records an incident and returns its id.
func (e *env) incident(in store.Incident) string {
	e.t.Helper()
	if in.Platform == "" {
		in.Platform = platform
	}
	if in.Kind == "" {
		in.Kind = store.KindMessage
	}
	if in.Action == "" {
		in.Action = filters.Remove
	}
	id, err := e.st.Record(e.ctx, &in)
	if err != nil {
		e.t.Fatalf("record: %v", err)
	}
	return id
}

// insult is an insult by a student of a class, with its finding.
func insult(class, className, author, authorName, text string) store.Incident {
	i := strings.Index(text, "idiot")
	v := filters.Verdict{Action: filters.Remove, Lang: "fr",
		Categories: []filters.CategoryScore{{Name: filters.Insult, Severity: filters.High}}}
	if i >= 0 {
		v.Findings = []filters.Finding{{Rule: "test.idiot", Category: filters.Insult, Severity: filters.High,
			Span: filters.Span{Start: i, End: i + 5}, Text: "idiot"}}
	}
	return store.Incident{ClassID: class, ClassName: className, ChannelID: "chan", ChannelName: "général",
		MessageID: "m-" + author, AuthorID: author, AuthorName: authorName, Text: text, Verdict: v, Action: filters.Remove,
		Steps: []store.Step{{Name: store.StepDelete, Status: store.StatusOK}}}
}

// link returns a sign-in link for a teacher, on the test server.
func (e *env) link(class, user string) string {
	e.t.Helper()
	l, err := e.c.Link(e.ctx, platform, class, user, true)
	if err != nil {
		e.t.Fatalf("Link: %v", err)
	}
	return e.local(l)
}

// local points a console URL at the test server.
func (e *env) local(u string) string {
	return e.srv.URL + Prefix + strings.TrimPrefix(u, e.opts.BaseURL)
}

// browser is an HTTP client with cookies that does not follow
// redirects, so that tests see them.
type browser struct {
	t   testing.TB
	e   *env
	hc  *http.Client
	jar http.CookieJar
}

func (e *env) browser() *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return &browser{t: e.t, e: e, jar: jar, hc: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// response is what a request gave.
type response struct {
	status int
	body   string
	header http.Header
}

func (b *browser) do(req *http.Request) response {
	b.t.Helper()
	resp, err := b.hc.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatalf("read body: %v", err)
	}
	return response{status: resp.StatusCode, body: string(body), header: resp.Header}
}

// get fetches a path of the console (or an absolute URL).
func (b *browser) get(path string) response {
	b.t.Helper()
	req, err := http.NewRequestWithContext(b.e.ctx, http.MethodGet, b.url(path), nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.do(req)
}

// post submits a form.
func (b *browser) post(path string, form url.Values) response {
	b.t.Helper()
	req, err := http.NewRequestWithContext(b.e.ctx, http.MethodPost, b.url(path), strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

func (b *browser) url(path string) string {
	if strings.HasPrefix(path, "http") {
		return path
	}
	return b.e.srv.URL + Prefix + strings.TrimPrefix(path, Prefix)
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf returns the synchronizer token of a page's forms.
func csrf(t testing.TB, body string) string {
	t.Helper()
	m := csrfField.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no csrf field in:\n%s", body)
	}
	return m[1]
}

var tokenField = regexp.MustCompile(`name="t" value="([^"]+)"`)

// signIn follows a sign-in link and confirms it.
func (b *browser) signIn(link string) response {
	b.t.Helper()
	page := b.get(link)
	if page.status != http.StatusOK {
		b.t.Fatalf("GET link: %d\n%s", page.status, page.body)
	}
	m := tokenField.FindStringSubmatch(page.body)
	if m == nil {
		b.t.Fatalf("no token in the confirmation page:\n%s", page.body)
	}
	return b.post("login", url.Values{"csrf": {csrf(b.t, page.body)}, "t": {m[1]}})
}

// signInAdmin signs in with the admin token.
func (b *browser) signInAdmin(token string) response {
	b.t.Helper()
	page := b.get("")
	return b.post("admin", url.Values{"csrf": {csrf(b.t, page.body)}, "token": {token}})
}

// teacher returns a browser signed in as a teacher of class.
func (e *env) teacher(class, user string) *browser {
	e.t.Helper()
	b := e.browser()
	if r := b.signIn(e.link(class, user)); r.status != http.StatusSeeOther {
		e.t.Fatalf("sign in: %d\n%s", r.status, r.body)
	}
	return b
}

// admin returns a browser signed in as admin.
func (e *env) admin() *browser {
	e.t.Helper()
	b := e.browser()
	if r := b.signInAdmin(adminToken); r.status != http.StatusSeeOther {
		e.t.Fatalf("admin sign in: %d\n%s", r.status, r.body)
	}
	return b
}

func mustContain(t *testing.T, what, s string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			t.Errorf("%s does not contain %q:\n%s", what, sub, s)
		}
	}
}

func mustNotContain(t *testing.T, what, s string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			t.Errorf("%s contains %q", what, sub)
		}
	}
}
