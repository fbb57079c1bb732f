package console

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/vigie-edu/vigie/filters"
	"github.com/vigie-edu/vigie/store"
)

func TestTeacherCannotOpenAnotherClassesIncident(t *testing.T) {
	e := newEnv(t)
	idA := e.incident(insult(classA, "4e A", "u-alex", "Alex", "t'es un idiot"))
	idB := e.incident(insult(classB, "4e B", "u-sam", "Sam", "espèce d'idiot"))
	// A class named after class A's id must not let B's incidents in.
	idNamed := e.incident(insult("guild-c", classA, "u-lou", "Lou", "idiot"))
	b := e.teacher(classA, teacherA)

	for _, path := range []string{"incidents/" + idA, "incidents/" + idA + "/print", "incidents/" + idA + "/json"} {
		if r := b.get(path); r.status != http.StatusOK {
			t.Errorf("GET %s: %d, want 200", path, r.status)
		}
	}
	for _, id := range []string{idB, idNamed, "inc_does_not_exist"} {
		for _, path := range []string{"incidents/" + id, "incidents/" + id + "/print", "incidents/" + id + "/json"} {
			r := b.get(path)
			if r.status != http.StatusNotFound {
				t.Errorf("GET %s: %d, want 404", path, r.status)
			}
			mustNotContain(t, path, r.body, "espèce", "Sam", "Lou")
		}
	}
	home := b.get("")
	r := b.post("incidents/"+idB+"/follow-up", url.Values{"csrf": {csrf(t, home.body)}, "note": {"vu"}})
	if r.status != http.StatusNotFound {
		t.Fatalf("follow-up of class B: %d", r.status)
	}
	if in, _ := e.st.Get(e.ctx, idB); in.FollowedUpAt != nil {
		t.Fatal("teacher A followed up class B's incident")
	}
	for _, q := range []string{"class=" + platform + ":" + classB, "class=" + platform + ":guild-c", "class=mattermost:" + classA, "class=nonsense"} {
		if r := b.get("incidents?" + q); r.status != http.StatusNotFound {
			t.Errorf("list %s: %d, want 404", q, r.status)
		}
		if r := b.get("trends?" + q); r.status != http.StatusNotFound {
			t.Errorf("trends %s: %d, want 404", q, r.status)
		}
	}
	list := b.get("incidents")
	mustContain(t, "list", list.body, idA, "Alex")
	mustNotContain(t, "list", list.body, idB, idNamed, "Sam", "Lou")
	list = b.get("incidents?class=" + url.QueryEscape(platform+":"+classA))
	mustContain(t, "class list", list.body, idA)
	mustNotContain(t, "class list", list.body, idNamed)
	trends := b.get("trends")
	mustNotContain(t, "trends", trends.body, "Sam", "Lou")
}

// hostile is text a student controls: it must come out inert.
const hostile = `<script>alert("x")</script><img src=x onerror=alert(1)> idiot "' </blockquote><a href="javascript:alert(2)">`

func TestStudentTextIsEscaped(t *testing.T) {
	e := newEnv(t)
	in := insult(classA, `<b>4e A</b>`, "u-<i>x</i>", `<svg onload=alert(3)>`, hostile)
	in.ChannelName = `<style>*{}</style>`
	in.Attachments = []string{`<iframe src="https://evil.example">`}
	in.Link = "javascript:alert(4)"
	in.Verdict.Findings = append(in.Verdict.Findings, filters.Finding{Rule: "test.script", Category: filters.Insult,
		Severity: filters.High, Span: filters.Span{Start: 0, End: 8}, Text: "<script>"})
	id := e.incident(in)
	b := e.teacher(classA, teacherA)
	e.st.FollowUp(e.ctx, id, "x", `</blockquote><script>alert(5)</script>`, time.Time{})
	for _, path := range []string{"incidents/" + id, "incidents/" + id + "/print", "incidents", "trends"} {
		r := b.get(path)
		if r.status != http.StatusOK {
			t.Fatalf("GET %s: %d", path, r.status)
		}
		mustNotContain(t, path, r.body, "<script>alert", "<img src=x", "<svg onload", "<iframe", "<style>*", `href="javascript:`, "<b>4e A", "<i>x</i>")
	}
	page := b.get("incidents/" + id).body
	mustContain(t, "incident page", page,
		"<mark>&lt;script&gt;</mark>alert(&#34;x&#34;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt; <mark>idiot</mark>",
		"&lt;iframe", "&lt;/blockquote&gt;&lt;script&gt;alert(5)")
	// The page serves no script and forbids any.
	r := b.get("incidents/" + id)
	mustContain(t, "CSP", r.header.Get("Content-Security-Policy"), "default-src 'none'")
	mustNotContain(t, "page", r.body, "<script")
	// Try-it escapes too.
	res := b.post("try", url.Values{"csrf": {csrf(t, page)}, "text": {hostile}})
	mustNotContain(t, "try-it", res.body, "<script>alert", "<img src=x", `href="javascript:`)
	mustContain(t, "try-it", res.body, "&lt;script&gt;")
}

func TestFollowUpNeedsTheSessionsToken(t *testing.T) {
	e := newEnv(t)
	id := e.incident(insult(classA, "4e A", "u-alex", "Alex", "idiot"))
	b := e.teacher(classA, teacherA)
	other := e.teacher(classA, teacherB)
	page := b.get("incidents/" + id)
	mine, theirs := csrf(t, page.body), csrf(t, other.get("incidents/"+id).body)
	if mine == theirs {
		t.Fatal("two sessions share a form token")
	}
	for _, tt := range []struct{ name, token string }{{"none", ""}, {"another session's", theirs}, {"forged", strings.Repeat("A", len(mine))}} {
		r := b.post("incidents/"+id+"/follow-up", url.Values{"csrf": {tt.token}, "note": {"appelé la famille"}})
		if r.status != http.StatusForbidden {
			t.Fatalf("follow-up with %s token: %d, want 403", tt.name, r.status)
		}
	}
	// A token in the query string does not count.
	if r := b.post("incidents/"+id+"/follow-up?csrf="+url.QueryEscape(mine), url.Values{"note": {"x"}}); r.status != http.StatusForbidden {
		t.Fatalf("follow-up with the token in the URL: %d, want 403", r.status)
	}
	if in, _ := e.st.Get(e.ctx, id); in.FollowedUpAt != nil {
		t.Fatal("a refused form followed the incident up")
	}
	// Try-it is a form too.
	if r := b.post("try", url.Values{"text": {"idiot"}}); r.status != http.StatusForbidden {
		t.Fatalf("try-it without token: %d", r.status)
	}

	r := b.post("incidents/"+id+"/follow-up", url.Values{"csrf": {mine}, "note": {"  Appelé la famille le 10/03.  "}})
	if r.status != http.StatusSeeOther || !strings.Contains(r.header.Get("Location"), "saved=1") {
		t.Fatalf("follow-up: %d %q", r.status, r.header.Get("Location"))
	}
	in, err := e.st.Get(e.ctx, id)
	if err != nil || in.FollowedUpAt == nil || in.FollowedUpBy != platform+":"+teacherA || in.Note != "Appelé la famille le 10/03." {
		t.Fatalf("incident after follow-up = %+v, %v", in, err)
	}
	mustContain(t, "incident page", b.get("incidents/"+id+"?saved=1").body, "Le suivi a été enregistré", "Appelé la famille le 10/03.")
}

func TestIncidentPage(t *testing.T) {
	e := newEnv(t)
	in := insult(classA, "4e A", "u-alex", "Alex", "t'es un idiot")
	in.Steps = append(in.Steps,
		store.Step{Name: store.StepNoticeAuthor, Status: store.StatusFailed, Detail: "direct messages closed"},
		store.Step{Name: store.StepAlert, Target: "chan-alerts", Status: store.StatusOK})
	id := e.incident(in)
	sexual := e.incident(store.Incident{ClassID: classA, AuthorID: "u-alex", Text: "viens voir du sexe",
		Verdict: filters.Verdict{Action: filters.Remove, Categories: []filters.CategoryScore{{Name: filters.Sexual, Severity: filters.High}},
			Findings: []filters.Finding{{Rule: "test.sexe", Category: filters.Sexual, Severity: filters.High, Span: filters.Span{Start: 13, End: 17}, Text: "sexe"}}}})
	b := e.teacher(classA, teacherA)
	page := b.get("incidents/" + id).body
	mustContain(t, "incident page", page,
		`lang="fr"`, "t&#39;es un <mark>idiot</mark>", "✔ message supprimé", "✘ l&#39;élève n&#39;a pas pu être prévenu·e",
		"test.idiot", "insulte", "Alex", "#général", "4e A", "3018", "Pharos",
		`href="/console/incidents/`+id+`/print"`, `href="/console/incidents/`+id+`/json"`, `name="note"`)
	mustNotContain(t, "insult page", page, `class="evidence explicit"`, "<details")
	explicit := b.get("incidents/" + sexual).body
	mustContain(t, "explicit incident", explicit, `class="evidence explicit"`, `<details class="reveal" id="reveal">`,
		"Afficher le contenu explicite", `<div class="evidence-body">`, "<mark>sexe</mark>")

	b.jar.SetCookies(mustURL(t, e.srv.URL+Prefix), []*http.Cookie{{Name: langCookie, Value: "en"}})
	mustContain(t, "English page", b.get("incidents/"+id).body, `lang="en"`, "✔ message removed", "Evidence", "What Vigie did")

	print := b.get("incidents/" + sexual + "/print").body
	mustContain(t, "printable export", print, `class="print"`, "<mark>sexe</mark>", "Document made on")
	mustNotContain(t, "printable export", print, "explicit", `<nav`)
}

func TestExportJSON(t *testing.T) {
	e := newEnv(t)
	id := e.incident(insult(classA, "4e A", "u-alex", "Alex", hostile))
	r := e.teacher(classA, teacherA).get("incidents/" + id + "/json")
	if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
		t.Fatalf("JSON export: %d %q", r.status, r.header.Get("Content-Type"))
	}
	if got := r.header.Get("Content-Disposition"); got != `attachment; filename="vigie-`+id+`.json"` {
		t.Fatalf("Content-Disposition = %q", got)
	}
	var got []store.Incident
	if err := json.Unmarshal([]byte(r.body), &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ID != id || got[0].Text != hostile || len(got[0].Verdict.Findings) != 1 || len(got[0].Steps) != 1 {
		t.Fatalf("export = %+v", got)
	}
}

func TestListFilters(t *testing.T) {
	e := newEnv(t)
	ids := map[string]string{}
	add := func(name string, in store.Incident, advance time.Duration) {
		e.clock.Advance(advance)
		ids[name] = e.incident(in)
	}
	add("alex-insult", insult(classA, "4e A", "u-alex", "Alex", "idiot"), 0)
	sam := insult(classA, "4e A", "u-sam", "Sam", "idiot")
	sam.Action = filters.Alert
	sam.Steps = []store.Step{{Name: store.StepDelete, Status: store.StatusFailed, Detail: "missing permission: Manage Messages"}}
	add("sam-alert-failed", sam, 48*time.Hour)
	add("alex-sexual", store.Incident{ClassID: classA, ClassName: "4e A", AuthorID: "u-alex", AuthorName: "Alex", Text: "sexe",
		Verdict: filters.Verdict{Categories: []filters.CategoryScore{{Name: filters.Sexual, Severity: filters.High}}}}, 48*time.Hour)
	e.st.FollowUp(e.ctx, ids["alex-insult"], "x", "", time.Time{})
	b := e.teacher(classA, teacherA)
	day := func(d int) string { return testStart.AddDate(0, 0, d).Format(time.DateOnly) }
	tests := []struct {
		query string
		want  []string
	}{
		{"", []string{"alex-insult", "sam-alert-failed", "alex-sexual"}},
		{"category=sexual", []string{"alex-sexual"}},
		{"category=insult", []string{"alex-insult", "sam-alert-failed"}},
		{"student=u-alex", []string{"alex-insult", "alex-sexual"}},
		{"action=alert", []string{"sam-alert-failed"}},
		{"action=bogus", []string{"alex-insult", "sam-alert-failed", "alex-sexual"}},
		{"outcome=open", []string{"sam-alert-failed", "alex-sexual"}},
		{"outcome=followed", []string{"alex-insult"}},
		{"outcome=failed", []string{"sam-alert-failed"}},
		{"from=" + day(1), []string{"sam-alert-failed", "alex-sexual"}},
		{"to=" + day(2), []string{"alex-insult", "sam-alert-failed"}},
		{"from=" + day(2) + "&to=" + day(2), []string{"sam-alert-failed"}},
		{"student=u-alex&category=insult&outcome=followed", []string{"alex-insult"}},
		{"student=u-nobody", nil},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			r := b.get("incidents?class=" + url.QueryEscape(platform+":"+classA) + "&" + tt.query)
			if r.status != http.StatusOK {
				t.Fatalf("status %d", r.status)
			}
			for name, id := range ids {
				want := false
				for _, w := range tt.want {
					want = want || w == name
				}
				if got := strings.Contains(r.body, id); got != want {
					t.Errorf("%s listed = %v, want %v", name, got, want)
				}
			}
			mustContain(t, "count", r.body, `<p id="count" role="status">`)
		})
	}
	r := b.get("incidents?from=10/03/2025")
	mustContain(t, "bad date", r.body, "Une date n&#39;a pas été comprise")
	// The filter form offers the class's students and categories, and
	// keeps the choices made.
	r = b.get("incidents?student=u-sam&category=insult")
	mustContain(t, "filter form", r.body, `<option value="u-sam" selected>Sam (u-sam)</option>`,
		`<option value="u-alex">Alex (u-alex)</option>`, `<option value="insult" selected>insulte</option>`,
		`<label for="f-student">`, `<label for="f-from">`)
}

func TestListPages(t *testing.T) {
	e := newEnv(t)
	for i := range pageSize + 3 {
		e.clock.Advance(time.Minute)
		e.incident(insult(classA, "4e A", "u-alex", "Alex", "idiot "+strings.Repeat("!", i)))
	}
	b := e.teacher(classA, teacherA)
	first := b.get("incidents?student=u-alex")
	mustContain(t, "first page", first.body, "Page 1 sur 2", `rel="next"`, "53 incident(s)")
	second := b.get("incidents?student=u-alex&page=2")
	mustContain(t, "second page", second.body, "Page 2 sur 2", `rel="prev"`)
	if n := strings.Count(second.body, `<time datetime=`); n != 3 {
		t.Fatalf("second page lists %d incidents, want 3", n)
	}
	if r := b.get("incidents?page=99"); !strings.Contains(r.body, "Page 2 sur 2") {
		t.Fatal("a page past the end is not the last page")
	}
}

func TestMaxIncidentsIsSaid(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.MaxIncidents = 2 })
	for range 3 {
		e.incident(insult(classA, "4e A", "u-alex", "Alex", "idiot"))
	}
	r := e.teacher(classA, teacherA).get("incidents")
	mustContain(t, "list", r.body, "Seuls les incidents les plus récents sont lus", "2 incident(s)")
}
