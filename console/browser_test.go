package console

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/vigie-edu/vigie/bot"
	"github.com/vigie-edu/vigie/filters"
	"github.com/vigie-edu/vigie/filters/explain"
	"github.com/vigie-edu/vigie/rules"
	"github.com/vigie-edu/vigie/store"
)

// EnvRequireServers names the servers whose absence fails the tests
// instead of skipping them (.ci/run sets it); "chromium" for these.
const EnvRequireServers = "VIGIE_REQUIRE_SERVERS"

// EnvArtifacts is the directory where the browser tests save their
// screenshots (default: a temporary directory of the test).
const EnvArtifacts = "VIGIE_TEST_ARTIFACTS"

// chromium returns the path of a Chromium (or Chrome) browser, or skips
// the test, or fails it when CI requires the browser.
func chromium(t *testing.T) string {
	t.Helper()
	candidates := []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless_shell"}
	if p := os.Getenv("VIGIE_CHROMIUM"); p != "" {
		candidates = append([]string{p}, candidates...)
	}
	for _, name := range candidates {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "Chromium not found (looked for " + strings.Join(candidates, ", ") + "): install Debian's chromium " +
		"(apt-get install -y chromium, or chromium_install from .ci/chromium.sh) to run the browser tests"
	if strings.Contains(os.Getenv(EnvRequireServers), "chromium") {
		t.Fatal(msg + "; " + EnvRequireServers + " requires it")
	}
	t.Skip(msg)
	return ""
}

// artifacts returns the directory for the test's screenshots.
func artifacts(t *testing.T) string {
	t.Helper()
	dir := os.Getenv(EnvArtifacts)
	if dir == "" {
		return t.TempDir()
	}
	dir = filepath.Join(dir, strings.NewReplacer("/", "_", " ", "_").Replace(t.Name()))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// tab drives one browser tab in a test.
type tab struct {
	t     *testing.T
	ctx   context.Context
	shots string
	n     int
}

// newTab starts a headless Chromium with a fresh profile.
func newTab(t *testing.T) *tab {
	t.Helper()
	path := chromium(t)
	var out strings.Builder
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("metrics-recording-only", true),
		chromedp.Flag("password-store", "basic"),
		chromedp.Flag("lang", "fr-FR"),
		chromedp.Flag("accept-lang", "fr-FR,fr"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
		chromedp.CombinedOutput(&out),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
		if t.Failed() && out.Len() > 0 {
			t.Logf("chromium output:\n%s", out.String())
		}
	})
	// The first Run starts the browser; it must not have a deadline.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v\n%s", err, out.String())
	}
	return &tab{t: t, ctx: ctx, shots: artifacts(t)}
}

// do runs actions with a deadline.
func (b *tab) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.shot("failed-" + what)
		b.t.Fatalf("%s: %v", what, err)
	}
}

// evalIn evaluates a JavaScript expression in the tab's page.
func evalIn[T any](b *tab, expr string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// text returns the visible text of the first element a CSS selector
// matches.
func (b *tab) text(sel string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.shot("failed-text")
		b.t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// shot saves a screenshot of the whole page as a PNG artifact.
func (b *tab) shot(name string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Logf("screenshot %s: %v", name, err)
		return
	}
	b.n++
	path := filepath.Join(b.shots, fmt.Sprintf("%02d-%s.png", b.n, name))
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatalf("save screenshot: %v", err)
	}
	b.t.Logf("screenshot %s", path)
}

// defaultRules loads the embedded rules, as `vigie run` does without a
// rules file.
func defaultRules(t *testing.T) *bot.Snapshot {
	t.Helper()
	r, err := rules.Load("")
	if err != nil {
		t.Fatalf("load the default rules: %v", err)
	}
	c, err := r.Classifier()
	if err != nil {
		t.Fatalf("compile the default rules: %v", err)
	}
	return &bot.Snapshot{Classifier: c, Config: r.Bot, Version: "defaults"}
}

// TestBrowser signs a teacher in with a link in a real Chromium, lists
// and filters the class's incidents, opens one with blurred evidence and
// reveals it, checks that a student's markup stays inert, follows an
// incident up, draws the trends, tries the rules and switches language,
// saving a screenshot at each step.
func TestBrowser(t *testing.T) {
	b := newTab(t)
	e := newEnv(t)
	snap := defaultRules(t)
	snap.Config.Classes = append(snap.Config.Classes, bot.Class{Name: "4e A", Platform: bot.Discord, ID: classA})
	e.rules.Store(snap)

	// A week of incidents in class A (and one in class B, which the
	// teacher must not see).
	e.clock.Advance(-6 * 24 * time.Hour)
	e.incident(insult(classA, "4e A", "u-alex", "Alex", "t'es qu'un idiot"))
	e.clock.Advance(24 * time.Hour)
	e.incident(insult(classA, "4e A", "u-alex", "Alex", "encore un idiot"))
	explicitID := e.incident(store.Incident{ClassID: classA, ClassName: "4e A", ChannelName: "général", AuthorID: "u-sam", AuthorName: "Sam",
		Text: "viens voir du sexe sur ce site", Verdict: filters.Verdict{Action: filters.Remove,
			Categories: []filters.CategoryScore{{Name: filters.Sexual, Severity: filters.High}},
			Findings:   []filters.Finding{{Rule: "test.sexe", Category: filters.Sexual, Severity: filters.High, Span: filters.Span{Start: 14, End: 18}, Text: "sexe"}}},
		Steps: []store.Step{{Name: store.StepDelete, Status: store.StatusOK}}})
	e.clock.Advance(3 * 24 * time.Hour)
	hostileText := `<script>document.body.dataset.pwned = "script"</script><img src=x onerror="document.body.dataset.pwned='img'"> espèce d'idiot`
	hostileID := e.incident(insult(classA, "4e A", "u-lou", `Lou <b onmouseover="x">`, hostileText))
	otherID := e.incident(insult(classB, "4e B", "u-zoe", "Zoé", "idiot"))
	e.clock.Advance(2 * 24 * time.Hour)

	// Sign in with the link, as the teacher receives it from /vigie console.
	b.do("open the sign-in link", chromedp.Navigate(e.link(classA, teacherA)), chromedp.WaitVisible(chromedp.ID("signin")))
	b.shot("sign-in-link")
	b.do("confirm the sign-in", chromedp.Click(chromedp.ID("signin")), chromedp.WaitVisible(chromedp.ID("classes")))
	b.shot("dashboard")
	if home := b.text("#classes"); !strings.Contains(home, "4e A") || strings.Contains(home, "4e B") {
		t.Fatalf("dashboard:\n%s", home)
	}
	if lang := evalIn[string](b, `document.documentElement.lang`); lang != "fr" {
		t.Fatalf("<html lang> = %q", lang)
	}
	// The first Tab reaches the skip link: the page is keyboard-navigable.
	b.do("press Tab", chromedp.KeyEvent("\t"))
	if cls := evalIn[string](b, `document.activeElement.className`); cls != "skip" {
		t.Fatalf("first focus on %q, want the skip link", cls)
	}

	// The list, then a filter.
	b.do("open the incidents", chromedp.Navigate(e.srv.URL+Prefix+"incidents"), chromedp.WaitVisible(chromedp.ID("incidents")))
	if n := evalIn[int](b, `document.querySelectorAll("#incidents tbody tr").length`); n != 4 {
		t.Fatalf("%d incidents listed, want 4", n)
	}
	b.shot("incidents")
	b.do("filter on sexual content",
		chromedp.SetValue(chromedp.ID("f-category"), string(filters.Sexual)),
		chromedp.Click(chromedp.ID("apply-filters")),
		chromedp.WaitReady(chromedp.CSS(`#f-category option[value="sexual"][selected]`)))
	if n := evalIn[int](b, `document.querySelectorAll("#incidents tbody tr").length`); n != 1 {
		t.Fatalf("%d incidents after the filter, want 1", n)
	}
	if q := evalIn[string](b, `location.search`); !strings.Contains(q, "category=sexual") {
		t.Fatalf("filter not in the URL: %q", q)
	}
	b.shot("incidents-filtered")

	// The explicit incident: blurred until the teacher asks.
	b.do("open the explicit incident", chromedp.Click(chromedp.CSS(`#incidents tbody a`)), chromedp.WaitVisible(chromedp.ID("evidence")))
	if loc := evalIn[string](b, `location.pathname`); loc != Prefix+"incidents/"+explicitID {
		t.Fatalf("opened %s", loc)
	}
	blur := `getComputedStyle(document.querySelector("#evidence .evidence-body")).filter`
	if f := evalIn[string](b, blur); !strings.HasPrefix(f, "blur(") {
		t.Fatalf("explicit evidence not blurred: filter %q", f)
	}
	if m := b.text("#evidence-text mark"); m != "sexe" {
		t.Fatalf("marked span %q", m)
	}
	b.shot("evidence-blurred")
	b.do("reveal the evidence", chromedp.Click(chromedp.CSS("#reveal summary")))
	if f := evalIn[string](b, blur); f != "none" {
		t.Fatalf("evidence still blurred after the reveal: filter %q", f)
	}
	b.shot("evidence-revealed")

	// Follow it up with a note.
	b.do("follow the incident up",
		chromedp.SendKeys(chromedp.ID("note"), "Parents appelés le jour même."),
		chromedp.Click(chromedp.ID("follow-up")),
		chromedp.WaitVisible(chromedp.CSS("p.ok")))
	if in, err := e.st.Get(e.ctx, explicitID); err != nil || in.FollowedUpAt == nil || in.Note != "Parents appelés le jour même." {
		t.Fatalf("incident after follow-up: %+v, %v", in, err)
	}
	b.shot("followed-up")

	// A student's markup is shown as text and runs nothing.
	b.do("open the hostile incident", chromedp.Navigate(e.srv.URL+Prefix+"incidents/"+hostileID), chromedp.WaitVisible(chromedp.ID("evidence-text")))
	if got := b.text("#evidence-text"); !strings.Contains(got, "<script>document.body.dataset.pwned") {
		t.Fatalf("evidence text = %q", got)
	}
	if n := evalIn[int](b, `document.querySelectorAll("#evidence-text *:not(mark)").length + document.querySelectorAll("script").length`); n != 0 {
		t.Fatalf("the student's markup made %d elements", n)
	}
	if p := evalIn[string](b, `document.body.dataset.pwned || ""`); p != "" {
		t.Fatalf("the student's markup ran: %q", p)
	}
	b.shot("hostile-evidence-inert")

	// Another class's incident is not found.
	b.do("open class B's incident", chromedp.Navigate(e.srv.URL+Prefix+"incidents/"+otherID), chromedp.WaitVisible(chromedp.CSS("p.error")))
	if h := b.text("h1"); h != "Introuvable" {
		t.Fatalf("class B's incident: %q", h)
	}

	// Trends: the chart of the class.
	b.do("open the trends", chromedp.Navigate(e.srv.URL+Prefix+"trends?days=7&class="+url.QueryEscape(platform+":"+classA)),
		chromedp.WaitVisible(chromedp.ID("trend-chart")))
	if n := evalIn[int](b, `document.querySelectorAll("#trend-chart rect").length`); n != 4 {
		t.Fatalf("%d bars parts in the chart, want 4 (insult on 3 days, sexual on one)", n)
	}
	if w := evalIn[float64](b, `document.getElementById("trend-chart").getBoundingClientRect().width`); w < 300 {
		t.Fatalf("chart drawn %v px wide", w)
	}
	if r := b.text("#repeat"); !strings.Contains(r, "Alex") {
		t.Fatalf("repeated incidents:\n%s", r)
	}
	b.shot("trends")

	// Try-it with the live rules, explained as `vigie check` does.
	const tryText = "t'es qu'un gros c0nnard"
	b.do("try a message",
		chromedp.Navigate(e.srv.URL+Prefix+"try"),
		chromedp.SendKeys(chromedp.ID("try-text"), tryText),
		chromedp.SetValue(chromedp.ID("try-lang"), "fr"),
		chromedp.Click(chromedp.ID("try-submit")),
		chromedp.WaitVisible(chromedp.ID("explanation")))
	v := snap.Classifier.Classify(e.ctx, filters.Message{Text: tryText, Lang: "fr", Detect: true})
	var want strings.Builder
	explain.Write(&want, tryText, &v, explain.Plain)
	if got := evalIn[string](b, `document.getElementById("explanation").textContent`); got != want.String() {
		t.Fatalf("try-it explanation:\n%s\nwant (vigie check):\n%s", got, want.String())
	}
	if !strings.Contains(want.String(), "action: remove") {
		t.Fatalf("the default rules do not remove %q:\n%s", tryText, want.String())
	}
	b.shot("try-it")

	// The language switch.
	b.do("switch to English", chromedp.Click(chromedp.CSS(`a[hreflang="en"]`)), chromedp.WaitVisible(chromedp.ID("try-text")))
	if lang := evalIn[string](b, `document.documentElement.lang`); lang != "en" {
		t.Fatalf("<html lang> after the switch = %q", lang)
	}
	if h := b.text("h1"); h != "Try the rules" {
		t.Fatalf("English title %q", h)
	}
	b.shot("english")

	// The printable export.
	b.do("open the printable export", chromedp.Navigate(e.srv.URL+Prefix+"incidents/"+explicitID+"/print"), chromedp.WaitVisible(chromedp.CSS("body.print")))
	if s := b.text("main"); !strings.Contains(s, "viens voir du sexe") || !strings.Contains(s, "Parents appelés") {
		t.Fatalf("printable export:\n%s", s)
	}
	b.shot("printable")
}

// TestBrowserRefusesAUsedLink checks in the browser that a link works
// once.
func TestBrowserRefusesAUsedLink(t *testing.T) {
	b := newTab(t)
	e := newEnv(t)
	link := e.link(classA, teacherA)
	other := e.browser()
	if r := other.signIn(link); r.status != http.StatusSeeOther {
		t.Fatalf("first use: %d", r.status)
	}
	b.do("open a used link", chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS("p.error")))
	if s := b.text("p.error"); !strings.Contains(s, "déjà servi") {
		t.Fatalf("used link: %q", s)
	}
	if h := b.text("h1"); h != "Lien déjà utilisé" {
		t.Fatalf("refusal title %q", h)
	}
	b.shot("used-link")
}
