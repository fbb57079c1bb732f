package console

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vigie-edu/vigie/filters"
	"github.com/vigie-edu/vigie/store"
)

func TestBuildTrend(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip("no time zone database:", err)
	}
	start := time.Date(2025, 3, 28, 0, 0, 0, 0, paris) // daylight saving starts on the 30th
	inc := func(at time.Time, author string, cats ...filters.Category) *store.Incident {
		v := filters.Verdict{}
		for _, c := range cats {
			v.Categories = append(v.Categories, filters.CategoryScore{Name: c, Severity: filters.High})
		}
		return &store.Incident{Platform: platform, ClassID: classA, ClassName: "4e A", AuthorID: author, AuthorName: strings.ToUpper(author), Recorded: at, Verdict: v}
	}
	incs := []*store.Incident{
		inc(time.Date(2025, 3, 27, 23, 30, 0, 0, time.UTC), "alex", filters.Insult),                     // 28 March 00:30 in Paris
		inc(time.Date(2025, 3, 28, 23, 30, 0, 0, time.UTC), "alex", filters.Insult, filters.Threat),     // 29 March 00:30
		inc(time.Date(2025, 3, 31, 21, 30, 0, 0, time.UTC), "sam", filters.Sexual),                      // 31 March 23:30 (summer time)
		inc(time.Date(2025, 3, 31, 22, 30, 0, 0, time.UTC), "sam", filters.Insult),                      // 1 April: out of the window
		inc(time.Date(2025, 3, 27, 22, 30, 0, 0, time.UTC), "lou", filters.Insult),                      // 27 March: before it
		inc(time.Date(2025, 3, 30, 10, 0, 0, 0, time.UTC), "alex", filters.Category("school_specific")), // 30 March
		inc(time.Date(2025, 3, 30, 11, 0, 0, 0, time.UTC), "sam", filters.SelfHarm),                     // a report
	}
	incs[len(incs)-1].Kind = store.KindReport
	tr := buildTrend(incs, start, 4, paris)
	if tr.Total != 5 {
		t.Fatalf("total = %d, want 5", tr.Total)
	}
	wantDays := []map[filters.Category]int{
		{filters.Insult: 1},
		{filters.Insult: 1, filters.Threat: 1},
		{"school_specific": 1, filters.SelfHarm: 1},
		{filters.Sexual: 1},
	}
	for i, want := range wantDays {
		d := tr.Days[i]
		if !d.Day.Equal(start.AddDate(0, 0, i)) || len(d.Counts) != len(want) {
			t.Fatalf("day %d = %v %v, want %v", i, d.Day, d.Counts, want)
		}
		for c, n := range want {
			if d.Counts[c] != n {
				t.Fatalf("day %d counts = %v, want %v", i, d.Counts, want)
			}
		}
	}
	if got := tr.Categories; len(got) != 5 || got[0] != filters.Insult || got[1] != filters.Sexual || got[2] != filters.Threat ||
		got[3] != filters.SelfHarm || got[4] != "school_specific" {
		t.Fatalf("categories = %v, want known ones in report order, then others", got)
	}
	if len(tr.Repeat) != 1 || tr.Repeat[0].ID != "alex" || tr.Repeat[0].Count != 3 || tr.Repeat[0].Name != "ALEX" {
		t.Fatalf("repeat = %+v, want alex ×3 (sam's second incident is a report)", tr.Repeat)
	}
}

func TestNiceMax(t *testing.T) {
	for _, tt := range []struct{ n, want int }{{0, 1}, {1, 1}, {3, 3}, {4, 4}, {5, 8}, {8, 8}, {9, 20}, {20, 20}, {21, 40}, {41, 80}, {81, 200}, {1234, 2000}} {
		if got := niceMax(tt.n); got != tt.want {
			t.Errorf("niceMax(%d) = %d, want %d", tt.n, got, tt.want)
		}
	}
}

var rectRE = regexp.MustCompile(`<rect class="cat-([a-z-]+)" x="[0-9.]+" y="[0-9.]+" width="[0-9.]+" height="([0-9.]+)"><title>([^<]*)</title></rect>`)

func TestTrendsPage(t *testing.T) {
	e := newEnv(t)
	e.clock.Advance(-3 * 24 * time.Hour)
	for _, author := range []string{"u-alex", "u-alex", "u-sam"} {
		e.incident(insult(classA, "4e A", author, strings.TrimPrefix(author, "u-"), "idiot"))
	}
	e.clock.Advance(24 * time.Hour)
	e.incident(store.Incident{ClassID: classA, ClassName: "4e A", AuthorID: "u-alex", AuthorName: "alex", Text: "sexe",
		Verdict: filters.Verdict{Categories: []filters.CategoryScore{{Name: filters.Sexual, Severity: filters.High}}}})
	e.incident(insult(classB, "4e B", "u-zoe", "zoe", "idiot"))
	e.clock.Advance(2 * 24 * time.Hour)

	b := e.teacher(classA, teacherA)
	r := b.get("trends?days=7&class=" + url.QueryEscape(platform+":"+classA))
	if r.status != http.StatusOK {
		t.Fatalf("trends: %d", r.status)
	}
	mustContain(t, "trends", r.body, `<svg xmlns="http://www.w3.org/2000/svg"`, `role="img"`, `<title id="trend-chart-title">`,
		"4 incident(s) sur les 7 derniers jours", `<option value="7" selected>`, "insulte (3)", "contenu sexuel (1)",
		`id="repeat"`, `student=u-alex`, "<summary>Tableau des données</summary>")
	mustNotContain(t, "trends", r.body, "zoe", `student=u-sam"`)
	rects := rectRE.FindAllStringSubmatch(r.body, -1)
	if len(rects) != 2 {
		t.Fatalf("%d bars parts, want 2 (insult on one day, sexual on another):\n%s", len(rects), r.body)
	}
	if rects[0][1] != "insult" || rects[1][1] != "sexual" || !strings.HasSuffix(rects[0][3], "insulte : 3") {
		t.Fatalf("bars = %q", rects)
	}
	// The insult bar (3) is three times the sexual one (1).
	if rects[0][2] != "228" || rects[1][2] != "76" {
		t.Fatalf("bar heights = %s and %s, want 228 and 76 (the full height, up to 3)", rects[0][2], rects[1][2])
	}

	// The admin sees the whole school.
	admin := e.admin()
	all := admin.get("trends?days=30")
	mustContain(t, "school trends", all.body, "Tout l&#39;établissement", "5 incident(s) sur les 30 derniers jours")
	if r := admin.get("trends?days=12345"); !strings.Contains(r.body, `<option value="30" selected>`) {
		t.Fatal("an unknown window is not the default one")
	}
}
