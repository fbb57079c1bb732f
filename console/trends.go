package console

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigie-edu/vigie/filters"
	"github.com/vigie-edu/vigie/store"
)

// Trend windows a page may ask for, in days; the first is the default.
var trendWindows = []int{30, 7, 90, 365}

// repeatMin is the number of incidents that makes a student's incidents
// "repeated".
const repeatMin = 2

// dayCount is one day of a trend: incidents per category.
type dayCount struct {
	Day    time.Time
	Counts map[filters.Category]int
	Total  int
}

// repeatStudent is a student with repeated incidents in the window.
type repeatStudent struct {
	Class      ClassRef
	ClassName  string
	ID, Name   string
	Count      int
	Categories []filters.Category
	Last       time.Time
}

// trend is incidents per day and category over a window, and the
// students with repeated incidents.
type trend struct {
	Days       []dayCount
	Categories []filters.Category // present in the window, in KnownCategories order then by name
	Totals     map[filters.Category]int
	Total      int
	Repeat     []repeatStudent
}

// categoryOrder sorts categories as reports show them: the known ones
// in their order, then the others by name.
func categoryOrder(a, b filters.Category) int {
	ia, ib := slices.Index(filters.KnownCategories, a), slices.Index(filters.KnownCategories, b)
	switch {
	case ia >= 0 && ib >= 0:
		return cmp.Compare(ia, ib)
	case ia >= 0:
		return -1
	case ib >= 0:
		return 1
	}
	return cmp.Compare(a, b)
}

// buildTrend counts incidents per local day from start (a midnight in
// loc) for days days. An incident with several categories counts once
// in each. Students' private reports count in the days but not against
// the students who made them.
func buildTrend(incs []*store.Incident, start time.Time, days int, loc *time.Location) *trend {
	t := &trend{Days: make([]dayCount, days), Totals: map[filters.Category]int{}}
	for i := range t.Days {
		t.Days[i] = dayCount{Day: start.AddDate(0, 0, i), Counts: map[filters.Category]int{}}
	}
	type key struct {
		class ClassRef
		id    string
	}
	students := map[key]*repeatStudent{}
	for _, in := range incs {
		rec := in.Recorded.In(loc)
		day := time.Date(rec.Year(), rec.Month(), rec.Day(), 0, 0, 0, 0, loc)
		i := daysBetween(start, day)
		if i < 0 || i >= days {
			continue
		}
		d := &t.Days[i]
		d.Total++
		t.Total++
		for _, cs := range in.Verdict.Categories {
			d.Counts[cs.Name]++
			t.Totals[cs.Name]++
		}
		if in.Kind == store.KindReport {
			continue // the author of a report is the one who asked for help
		}
		k := key{ClassRef{Platform: in.Platform, Class: in.ClassID}, in.AuthorID}
		st := students[k]
		if st == nil {
			st = &repeatStudent{Class: k.class, ClassName: cmp.Or(in.ClassName, in.ClassID), ID: in.AuthorID}
			students[k] = st
		}
		st.Count++
		st.Name = cmp.Or(st.Name, in.AuthorName)
		if in.Recorded.After(st.Last) {
			st.Last = in.Recorded
		}
		for _, cs := range in.Verdict.Categories {
			if !slices.Contains(st.Categories, cs.Name) {
				st.Categories = append(st.Categories, cs.Name)
			}
		}
	}
	for cat := range t.Totals {
		t.Categories = append(t.Categories, cat)
	}
	slices.SortFunc(t.Categories, categoryOrder)
	for _, st := range students {
		if st.Count >= repeatMin {
			slices.SortFunc(st.Categories, categoryOrder)
			t.Repeat = append(t.Repeat, *st)
		}
	}
	slices.SortFunc(t.Repeat, func(a, b repeatStudent) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), b.Last.Compare(a.Last), cmp.Compare(a.ID, b.ID))
	})
	return t
}

// daysBetween counts the calendar days from a to b (midnights of the
// same location), across daylight saving changes.
func daysBetween(a, b time.Time) int {
	ua := time.Date(a.Year(), a.Month(), a.Day(), 0, 0, 0, 0, time.UTC)
	ub := time.Date(b.Year(), b.Month(), b.Day(), 0, 0, 0, 0, time.UTC)
	return int(ub.Sub(ua).Hours() / 24)
}

// trendsData is the data of the trends page.
type trendsData struct {
	Class     string // the class key asked for, "" for all
	Days      int
	Windows   []int
	Classes   []classInfo
	Trend     *trend
	Chart     *chart
	Truncated bool
	Scope     string // what the chart covers, in words
}

// trends draws incidents per day and category for a class, a teacher's
// classes or the whole school (admin), and lists the students with
// repeated incidents.
func (c *Console) trends(w http.ResponseWriter, r *http.Request, s *session) {
	p := c.newPage(r, s, "trends")
	p.Title = p.T("trends.title")
	q := r.URL.Query()
	d := &trendsData{Class: q.Get("class"), Days: trendWindows[0], Windows: trendWindows}
	if n, err := strconv.Atoi(q.Get("days")); err == nil && slices.Contains(trendWindows, n) {
		d.Days = n
	}
	refs, ok := scope(s, d.Class)
	if !ok {
		c.fail(w, r, s, http.StatusNotFound, "error.not_found")
		return
	}
	var err error
	if d.Classes, err = c.classes(r.Context(), s); err != nil {
		c.serverError(w, r, s, "list classes", err)
		return
	}
	now := c.now().In(c.loc)
	start := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, c.loc).AddDate(0, 0, 1-d.Days)
	incs, truncated, err := c.fetch(r.Context(), s, refs, start, time.Time{})
	if err != nil {
		c.serverError(w, r, s, "list incidents", err)
		return
	}
	d.Truncated = truncated
	d.Trend = buildTrend(incs, start, d.Days, c.loc)
	switch {
	case d.Class != "":
		d.Scope = d.Class
		for _, ci := range d.Classes {
			if ci.Key() == d.Class {
				d.Scope = ci.Label()
			}
		}
	case s.Admin:
		d.Scope = p.T("trends.school")
	default:
		d.Scope = p.T("trends.my_classes")
	}
	d.Chart = newChart(p, d.Trend, p.Tf("trends.chart.title", d.Scope, d.Days))
	p.Data = d
	c.render(w, http.StatusOK, "trends", p)
}

// chart is a stacked bar chart of a trend, laid out for SVG.
type chart struct {
	ID, Title, Desc                 string
	Width, Height                   int
	Left, Right, Top, Bottom, TickX float64
	LabelY                          float64
	Bars                            []chartBar
	Ticks                           []chartTick
	XLabels                         []chartTick
	Legend                          []chartLegend
}

type chartBar struct{ Parts []chartRect }

type chartRect struct {
	X, Y, W, H float64
	Class      string // category, for the CSS colour
	Label      string // tooltip: day, category, count
}

type chartTick struct {
	X, Y  float64
	Label string
}

type chartLegend struct{ Class, Label string }

// cssClass turns a category into a CSS class name.
func cssClass(c filters.Category) string {
	if slices.Contains(filters.KnownCategories, c) {
		return strings.ReplaceAll(string(c), "_", "-")
	}
	return "other"
}

// niceMax rounds a maximum up for the axis: 4, 8 or 20 times a power of
// ten, so that its four ticks are round numbers.
func niceMax(n int) int {
	if n <= 4 {
		return max(n, 1)
	}
	for step := 4; ; step *= 10 {
		for _, m := range []int{1, 2, 5} {
			if m*step >= n {
				return m * step
			}
		}
	}
}

// newChart lays out the trend's bars: one per day, stacked by category.
func newChart(p *page, t *trend, title string) *chart {
	ch := &chart{ID: "trend-chart", Title: title, Width: 760, Height: 280, Left: 44, Right: 750, Top: 12, Bottom: 240}
	ch.TickX, ch.LabelY = ch.Left-6, ch.Bottom+18
	peak := 0
	for _, d := range t.Days {
		peak = max(peak, sumCounts(d))
	}
	top := niceMax(peak)
	scale := (ch.Bottom - ch.Top) / float64(top)
	n := len(t.Days)
	slot := (ch.Right - ch.Left) / float64(max(n, 1))
	barW := slot * 0.7
	for i := 0; i <= 4; i++ {
		v := top * i / 4
		if i > 0 && v == top*(i-1)/4 {
			continue
		}
		ch.Ticks = append(ch.Ticks, chartTick{Y: round1(ch.Bottom - float64(v)*scale), Label: strconv.Itoa(v)})
	}
	every := max(1, (n+9)/10)
	for i, d := range t.Days {
		x := ch.Left + slot*float64(i) + (slot-barW)/2
		var bar chartBar
		y := ch.Bottom
		for _, cat := range t.Categories {
			cnt := d.Counts[cat]
			if cnt == 0 {
				continue
			}
			h := float64(cnt) * scale
			y -= h
			bar.Parts = append(bar.Parts, chartRect{
				X: round1(x), Y: round1(y), W: round1(barW), H: round1(h), Class: cssClass(cat),
				Label: p.Tf("trends.bar", p.Date(d.Day), p.Cat(cat), cnt),
			})
		}
		ch.Bars = append(ch.Bars, bar)
		if (n-1-i)%every == 0 {
			ch.XLabels = append(ch.XLabels, chartTick{X: round1(x + barW/2), Label: shortDate(p.Lang, d.Day)})
		}
	}
	for _, cat := range t.Categories {
		ch.Legend = append(ch.Legend, chartLegend{Class: cssClass(cat), Label: fmt.Sprintf("%s (%d)", p.Cat(cat), t.Totals[cat])})
	}
	ch.Desc = p.Tf("trends.chart.desc", t.Total, len(t.Days))
	return ch
}

// sumCounts is a day's height in the chart: an incident with two
// categories stacks twice.
func sumCounts(d dayCount) int {
	n := 0
	for _, c := range d.Counts {
		n += c
	}
	return n
}

func round1(f float64) float64 { return float64(int(f*10+0.5)) / 10 }

// shortDate is a day and month for the chart's axis.
func shortDate(lang string, t time.Time) string {
	if lang == "fr" {
		return t.Format("02/01")
	}
	return t.Format("Jan 2")
}
