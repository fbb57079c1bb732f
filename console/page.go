package console

import (
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigie-edu/vigie/bot"
	"github.com/vigie-edu/vigie/filters"
	"github.com/vigie-edu/vigie/store"
)

// page is what every template receives.
type page struct {
	c       *Console
	Lang    string   // "fr" or "en": the interface's language
	Title   string   // the page's title
	Session *session // nil when signed out
	// CSRF is the synchronizer token of the page's forms: the session's,
	// or the sign-in forms' one before there is a session.
	CSRF string
	Nav  string // the navigation item of the page
	path string // the request's path and query, for the language switch
	Data any    // the page's own data
}

// newPage starts the data of a page.
func (c *Console) newPage(r *http.Request, s *session, nav string) *page {
	p := &page{c: c, Lang: c.locale(r), Session: s, Nav: nav, path: r.URL.RequestURI()}
	if s != nil {
		p.CSRF = s.CSRF
	}
	return p
}

// T returns the text of a key in the page's language.
func (p *page) T(key string) string { return text(p.Lang, key) }

// Tf formats the text of a key with args.
func (p *page) Tf(key string, args ...any) string { return fmt.Sprintf(text(p.Lang, key), args...) }

// Cat names a category in plain words, as the alerts do.
func (p *page) Cat(c filters.Category) string { return p.c.categoryName(p.Lang, c) }

// Step says a step in words, as the alerts do.
func (p *page) Step(s store.Step) string { return p.c.stepLine(p.Lang, s) }

// Date formats a day in the console's time zone.
func (p *page) Date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(p.c.loc)
	if p.Lang == "fr" {
		return t.Format("02/01/2006")
	}
	return t.Format("2006-01-02")
}

// DateTime formats a time in the console's time zone.
func (p *page) DateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(p.c.loc)
	if p.Lang == "fr" {
		return t.Format("02/01/2006 à 15:04 MST")
	}
	return t.Format("2006-01-02 15:04 MST")
}

// ISO formats a time for a <time datetime> attribute.
func (p *page) ISO(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// URL builds a console URL from a path under Prefix and query pairs;
// pairs with an empty value are left out.
func (p *page) URL(rel string, kv ...string) string { return consoleURL(rel, kv...) }

// consoleURL builds a console URL from a path under Prefix and query
// pairs; pairs with an empty value are left out.
func consoleURL(rel string, kv ...string) string {
	q := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			q.Set(kv[i], kv[i+1])
		}
	}
	u := Prefix + strings.TrimPrefix(rel, "/")
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

// IncidentURL is the page of an incident.
func (p *page) IncidentURL(id string, more ...string) string {
	return consoleURL(path.Join("incidents", url.PathEscape(id), path.Join(more...)))
}

// LangURL is the current page in another language.
func (p *page) LangURL(lang string) string {
	u, err := url.Parse(p.path)
	if err != nil {
		return consoleURL("", "lang", lang)
	}
	q := u.Query()
	q.Set("lang", lang)
	u.RawQuery = q.Encode()
	return u.RequestURI()
}

// Static is the URL of an embedded asset.
func (p *page) Static(name string) string { return Prefix + "static/" + name }

// Key names a class in a query string: "platform:class".
func (r ClassRef) Key() string { return r.Platform + ":" + r.Class }

// parseClassKey reads "platform:class".
func parseClassKey(s string) (ClassRef, bool) {
	p, c, ok := strings.Cut(s, ":")
	if !ok || p == "" || c == "" {
		return ClassRef{}, false
	}
	return ClassRef{Platform: p, Class: c}, true
}

// Explicit reports whether an incident's evidence is blurred until
// clicked: sexual content and porn links, as alerts hide them.
func (p *page) Explicit(in *store.Incident) bool {
	return in.Verdict.Has(filters.Sexual) || in.Verdict.Has(filters.PornLink)
}

// Supported languages of the interface; the first is the default.
var languages = []string{"fr", "en"}

// locale chooses the interface's language: the cookie set by the
// switch, else the browser's Accept-Language, else French.
func (c *Console) locale(r *http.Request) string {
	if ck, err := r.Cookie(langCookie); err == nil && slices.Contains(languages, ck.Value) {
		return ck.Value
	}
	return acceptLanguage(r.Header.Get("Accept-Language"))
}

// acceptLanguage picks the supported language the header prefers most
// (RFC 9110 §12.5.4); French when none is acceptable.
func acceptLanguage(h string) string {
	best, bestQ := languages[0], 0.0
	for _, part := range strings.Split(h, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil || f < 0 || f > 1 {
				continue
			}
			q = f
		}
		base, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
		if slices.Contains(languages, base) && q > bestQ {
			best, bestQ = base, q
		}
	}
	return best
}

// switchLang remembers the chosen language and reloads the page
// without the lang parameter.
func (c *Console) switchLang(w http.ResponseWriter, r *http.Request, lang string) {
	if slices.Contains(languages, lang) {
		http.SetCookie(w, &http.Cookie{
			Name: langCookie, Value: lang, Path: Prefix, MaxAge: 365 * 24 * 3600,
			HttpOnly: true, Secure: c.https(r), SameSite: http.SameSiteLaxMode,
		})
	}
	if !strings.HasPrefix(r.URL.Path, Prefix) {
		http.NotFound(w, r)
		return
	}
	q := r.URL.Query()
	q.Del("lang")
	u := url.URL{Path: r.URL.Path, RawQuery: q.Encode()}
	http.Redirect(w, r, u.RequestURI(), http.StatusSeeOther)
}

// categoryName names a category in plain words: the live rules' text,
// else the bot's default, else the category's id.
func (c *Console) categoryName(lang string, cat filters.Category) string {
	key := "category." + string(cat)
	if snap := c.rules.Current(); snap != nil {
		if s := snap.Config.Texts[lang][key]; s != "" && !strings.Contains(s, "{{") {
			return s
		}
	}
	if s := defaultTexts[lang][key]; s != "" {
		return s
	}
	return strings.ReplaceAll(string(cat), "_", " ")
}

// defaultTexts are the bot's compiled-in texts (category names).
var defaultTexts = bot.DefaultTexts()

// stepTexts are the step texts of one rules snapshot.
type stepTexts struct {
	snap *bot.Snapshot
	st   *bot.StepTexts
}

// stepLine says a step in words with the live rules' texts, compiled
// once per rules snapshot.
func (c *Console) stepLine(lang string, s store.Step) string {
	snap := c.rules.Current()
	cur := c.steps.Load()
	if cur == nil || cur.snap != snap {
		var cfg bot.Config
		if snap != nil {
			cfg = snap.Config
		}
		cur = &stepTexts{snap: snap, st: bot.NewStepTexts(cfg)}
		c.steps.Store(cur)
	}
	return cur.st.Line(lang, s)
}

// parsePages parses each page template with the layout.
func parsePages() (map[string]*template.Template, error) {
	base, err := template.New("base").ParseFS(templateFS, "templates/layout.html", "templates/partials.html")
	if err != nil {
		return nil, fmt.Errorf("console: parse layout: %w", err)
	}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("console: list templates: %w", err)
	}
	pages := make(map[string]*template.Template)
	for _, name := range names {
		short := strings.TrimSuffix(path.Base(name), ".html")
		if short == "layout" || short == "partials" {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(templateFS, name)
		if err != nil {
			return nil, fmt.Errorf("console: parse %s: %w", name, err)
		}
		pages[short] = t
	}
	return pages, nil
}

// DateTimeP formats a time that may be missing.
func (p *page) DateTimeP(t *time.Time) string {
	if t == nil {
		return ""
	}
	return p.DateTime(*t)
}

// ClassKeyOf names an incident's class in a query string.
func (p *page) ClassKeyOf(in *store.Incident) string {
	return ClassRef{Platform: in.Platform, Class: in.ClassID}.Key()
}

// Actions are the actions the list can be filtered by.
func (p *page) Actions() []string {
	return []string{string(filters.Remove), string(filters.Alert), string(filters.Allow)}
}

// Outcomes are the outcomes the list can be filtered by.
func (p *page) Outcomes() []string { return []string{outcomeOpen, outcomeFollowed, outcomeFailed} }

// findingsView is the data of the "findings" template.
type findingsView struct {
	P *page
	V *filters.Verdict
}

// Findings prepares a verdict for the "findings" template.
func (p *page) Findings(v any) findingsView {
	switch v := v.(type) {
	case *filters.Verdict:
		return findingsView{P: p, V: v}
	case filters.Verdict:
		return findingsView{P: p, V: &v}
	}
	return findingsView{P: p, V: &filters.Verdict{}}
}

// chartView is the data of the "chart" template.
type chartView struct {
	P *page
	C *chart
}

// ChartView prepares a chart for the "chart" template.
func (p *page) ChartView(c *chart) chartView { return chartView{P: p, C: c} }
