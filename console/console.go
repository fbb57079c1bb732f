package console

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/vigie-edu/vigie/adapters/httpapi"
	"github.com/vigie-edu/vigie/bot"
	"github.com/vigie-edu/vigie/store"
)

// Prefix is the path under which the console is served.
const Prefix = "/console/"

// Cookies.
const (
	sessionCookie = "vigie_session"
	// preCookie carries the synchronizer token of the sign-in forms,
	// before there is a session.
	preCookie  = "vigie_signin"
	langCookie = "vigie_lang"
)

// DefaultMaxIncidents caps the incidents one page reads per class.
const DefaultMaxIncidents = 5000

// maxFormBytes bounds a form's body.
const maxFormBytes = 64 << 10

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Options configure a Console. Store, Rules, Key and BaseURL are
// required.
type Options struct {
	Store store.Store
	// Rules gives the live rules: try-it judges with them, and class
	// names and step texts come from them.
	Rules bot.RulesSource
	// Key signs sign-in links (at least MinKeySize bytes; see LoadKey).
	Key []byte
	// BaseURL is the console's public URL, ending in /console/, that
	// sign-in links point to, e.g. https://vigie.college.example/console/.
	BaseURL string
	// AdminTokens are the tokens that sign school IT in as admin (every
	// class), held as SHA-256 hashes like the API's bearer tokens. Nil
	// or empty: no admin sign-in.
	AdminTokens *httpapi.Tokens
	// TrustedProxies are the reverse proxies whose X-Forwarded-Proto
	// (and X-Forwarded-For, for logs) are believed.
	TrustedProxies []netip.Prefix
	// Logger receives sign-ins, refusals and evidence views (ids only,
	// never message text or tokens). Nil: no logs.
	Logger *zap.Logger
	// Now is the clock (time.Now when nil). Links issued before New was
	// called are refused.
	Now func() time.Time
	// Location is the time zone of dates shown and of date filters
	// (time.Local when nil; set TZ=Europe/Paris).
	Location *time.Location
	// SessionTTL bounds a session's life (DefaultSessionTTL when 0).
	SessionTTL time.Duration
	// MaxIncidents caps the incidents one page reads per class
	// (DefaultMaxIncidents when 0).
	MaxIncidents int
}

// Console is the web console, an http.Handler for the paths under
// Prefix. It is safe for concurrent use.
type Console struct {
	store        store.Store
	rules        bot.RulesSource
	signer       signer
	base         string // BaseURL, ending in "/"
	admin        *httpapi.Tokens
	proxies      []netip.Prefix
	log          *zap.Logger
	now          func() time.Time
	loc          *time.Location
	started      time.Time
	maxIncidents int

	nonces   nonceSet
	sessions sessions
	pages    map[string]*template.Template
	mux      *http.ServeMux
	steps    atomic.Pointer[stepTexts]
}

// New builds a console.
func New(o Options) (*Console, error) {
	switch {
	case o.Store == nil:
		return nil, errors.New("console: Options.Store is required")
	case o.Rules == nil:
		return nil, errors.New("console: Options.Rules is required")
	case len(o.Key) < MinKeySize:
		return nil, fmt.Errorf("console: Options.Key: %w: %d bytes, want at least %d", ErrKey, len(o.Key), MinKeySize)
	}
	base, err := parseBaseURL(o.BaseURL)
	if err != nil {
		return nil, err
	}
	c := &Console{
		store: o.Store, rules: o.Rules, signer: signer{key: bytes.Clone(o.Key)}, base: base, admin: o.AdminTokens,
		proxies: o.TrustedProxies, log: o.Logger, now: o.Now, loc: o.Location, maxIncidents: o.MaxIncidents,
	}
	if c.log == nil {
		c.log = zap.NewNop()
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.loc == nil {
		c.loc = time.Local
	}
	if c.maxIncidents <= 0 {
		c.maxIncidents = DefaultMaxIncidents
	}
	c.sessions.ttl = o.SessionTTL
	if c.sessions.ttl <= 0 {
		c.sessions.ttl = DefaultSessionTTL
	}
	c.started = c.now()
	if c.pages, err = parsePages(); err != nil {
		return nil, err
	}
	c.routes()
	return c, nil
}

// parseBaseURL checks the console's public URL and ends it with "/".
func parseBaseURL(s string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("console: BaseURL %q: want an absolute http(s) URL such as https://vigie.college.example/console/", s)
	}
	return strings.TrimSuffix(u.String(), "/") + "/", nil
}

// Link returns a one-time sign-in link for a teacher of a class; it
// implements bot.ConsoleLinker. It refuses anybody the bot did not
// recognise as a teacher. The link is a credential: callers send it
// privately and never log it.
func (c *Console) Link(_ context.Context, platform, class, user string, teacher bool) (string, error) {
	if !teacher {
		return "", errors.New("console: sign-in links are for teachers")
	}
	if platform == "" || class == "" || user == "" {
		return "", errors.New("console: a sign-in link needs a platform, a class and a user")
	}
	nonce, err := newNonce()
	if err != nil {
		return "", err
	}
	now := c.now()
	token, err := c.signer.sign(claims{
		Platform: platform, Class: class, User: user, Nonce: nonce,
		Issued: now.Unix(), Expires: now.Add(LinkTTL).Unix(),
	})
	if err != nil {
		return "", err
	}
	return c.base + "login?t=" + token, nil
}

// ServeHTTP serves the console's pages.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	if !strings.HasPrefix(r.URL.Path, Prefix+"static/") {
		h.Set("Cache-Control", "no-store")
	}
	if r.Method == http.MethodGet {
		if lang := r.URL.Query().Get("lang"); lang != "" {
			c.switchLang(w, r, lang)
			return
		}
	}
	c.mux.ServeHTTP(w, r)
}

// routes registers the handlers.
func (c *Console) routes() {
	m := http.NewServeMux()
	p := Prefix
	static, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err) // a constant path in the embedded tree
	}
	m.Handle("GET "+p+"static/", http.StripPrefix(p+"static/", http.FileServerFS(static)))
	m.HandleFunc("GET "+p+"{$}", c.home)
	m.HandleFunc("GET "+p+"login", c.loginPage)
	m.HandleFunc("POST "+p+"login", c.login)
	m.HandleFunc("POST "+p+"admin", c.adminLogin)
	m.HandleFunc("POST "+p+"logout", c.logout)
	m.HandleFunc("GET "+p+"incidents", c.signedIn(c.incidents))
	m.HandleFunc("GET "+p+"incidents/{id}", c.signedIn(c.incident))
	m.HandleFunc("GET "+p+"incidents/{id}/print", c.signedIn(c.printIncident))
	m.HandleFunc("GET "+p+"incidents/{id}/json", c.signedIn(c.exportJSON))
	m.HandleFunc("POST "+p+"incidents/{id}/follow-up", c.signedIn(c.followUp))
	m.HandleFunc("GET "+p+"trends", c.signedIn(c.trends))
	m.HandleFunc("GET "+p+"try", c.signedIn(c.tryPage))
	m.HandleFunc("POST "+p+"try", c.signedIn(c.try))
	m.HandleFunc(p, func(w http.ResponseWriter, r *http.Request) {
		c.fail(w, r, nil, http.StatusNotFound, "error.not_found")
	})
	c.mux = m
}

// https reports whether the request reached the console over HTTPS,
// directly or through a trusted proxy.
func (c *Console) https(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	return c.fromTrustedProxy(r) && strings.EqualFold(strings.TrimSpace(r.Header.Get("X-Forwarded-Proto")), "https")
}

// fromTrustedProxy reports whether the request's peer is a trusted
// proxy.
func (c *Console) fromTrustedProxy(r *http.Request) bool {
	if len(c.proxies) == 0 {
		return false
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	addr = addr.Unmap()
	for _, p := range c.proxies {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// clientIP is the client's address for logs: the peer, or the last
// address a trusted proxy added to X-Forwarded-For.
func (c *Console) clientIP(r *http.Request) string {
	if c.fromTrustedProxy(r) {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			parts := strings.Split(xff, ",")
			return strings.TrimSpace(parts[len(parts)-1])
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// setCookie sets a console cookie: HttpOnly, SameSite=Strict, limited
// to the console's path, Secure over HTTPS. maxAge < 0 deletes it.
func (c *Console) setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: value, Path: Prefix, MaxAge: maxAge,
		HttpOnly: true, Secure: c.https(r), SameSite: http.SameSiteStrictMode,
	})
}

// session returns the request's session, if it has a live one.
func (c *Console) session(r *http.Request) (*session, bool) {
	ck, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil, false
	}
	s, ok := c.sessions.get(ck.Value, c.now())
	if !ok {
		return nil, false
	}
	return &s, true
}

// handler is a page that needs a session.
type handler func(w http.ResponseWriter, r *http.Request, s *session)

// signedIn sends visitors without a live session to the sign-in page
// and checks the synchronizer token of every POST.
func (c *Console) signedIn(h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s, ok := c.session(r)
		if !ok {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, Prefix, http.StatusSeeOther)
				return
			}
			c.fail(w, r, nil, http.StatusUnauthorized, "error.signed_out")
			return
		}
		if r.Method == http.MethodPost && !c.checkForm(w, r, s.CSRF) {
			c.fail(w, r, s, http.StatusForbidden, "error.csrf")
			return
		}
		h(w, r, s)
	}
}

// checkForm parses a form (size-limited) and checks its synchronizer
// token against want.
func (c *Console) checkForm(w http.ResponseWriter, r *http.Request, want string) bool {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		return false
	}
	return tokenEqual(want, r.PostFormValue("csrf"))
}

// render executes a page and writes it with status; a template error is
// logged and answered with 500.
func (c *Console) render(w http.ResponseWriter, status int, name string, p *page) {
	t := c.pages[name]
	var buf bytes.Buffer
	if t == nil {
		c.log.Error("console: no such page", zap.String("page", name))
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		c.log.Error("console: render page", zap.String("page", name), zap.Error(err))
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// fail renders the error page.
func (c *Console) fail(w http.ResponseWriter, r *http.Request, s *session, status int, key string) {
	p := c.newPage(r, s, "error")
	p.Title = p.T(key + ".title")
	p.Data = key
	c.render(w, status, "error", p)
}

// serverError logs err and renders the error page with 500.
func (c *Console) serverError(w http.ResponseWriter, r *http.Request, s *session, what string, err error) {
	c.log.Error("console: "+what, zap.Error(err))
	c.fail(w, r, s, http.StatusInternalServerError, "error.internal")
}

// ParsePrefixes reads a comma-separated list of IP addresses and CIDR
// prefixes (VIGIE_CONSOLE_TRUSTED_PROXIES); an address is a /32 or
// /128.
func ParsePrefixes(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("console: trusted proxy %q: want an IP address or a CIDR prefix", f)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}
