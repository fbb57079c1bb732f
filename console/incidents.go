package console

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.uber.org/zap"

	"github.com/vigie-edu/vigie/filters"
	"github.com/vigie-edu/vigie/filters/explain"
	"github.com/vigie-edu/vigie/store"
)

// pageSize is the number of incidents per page of the list.
const pageSize = 50

// maxNote bounds a follow-up note, in bytes.
const maxNote = 4000

// Outcomes a list can be filtered by.
const (
	outcomeOpen     = "open"     // not followed up yet
	outcomeFollowed = "followed" // followed up
	outcomeFailed   = "failed"   // a step failed (a message not removed, a student not told…)
)

// listQuery is the list's filters, as the form sends them.
type listQuery struct {
	Class, Category, Student, From, To, Action, Outcome string
	Page                                                int
}

// parseListQuery reads the filters; values that mean nothing are
// dropped, and a date that does not parse is reported.
func (c *Console) parseListQuery(q url.Values) (lq listQuery, since, until time.Time, badDate bool) {
	lq = listQuery{
		Class: q.Get("class"), Category: q.Get("category"), Student: q.Get("student"),
		From: q.Get("from"), To: q.Get("to"), Action: q.Get("action"), Outcome: q.Get("outcome"),
	}
	if _, err := filters.ParseAction(lq.Action); err != nil {
		lq.Action = ""
	}
	switch lq.Outcome {
	case outcomeOpen, outcomeFollowed, outcomeFailed:
	default:
		lq.Outcome = ""
	}
	lq.Page, _ = strconv.Atoi(q.Get("page"))
	lq.Page = max(lq.Page, 1)
	if lq.From != "" {
		d, err := time.ParseInLocation(time.DateOnly, lq.From, c.loc)
		if err != nil {
			badDate, lq.From = true, ""
		} else {
			since = d
		}
	}
	if lq.To != "" {
		d, err := time.ParseInLocation(time.DateOnly, lq.To, c.loc)
		if err != nil {
			badDate, lq.To = true, ""
		} else {
			until = d.AddDate(0, 0, 1)
		}
	}
	return lq, since, until, badDate
}

// matches reports whether an incident passes the filters the store does
// not apply.
func (lq *listQuery) matches(in *store.Incident) bool {
	switch {
	case lq.Category != "" && !in.Verdict.Has(filters.Category(lq.Category)):
		return false
	case lq.Student != "" && in.AuthorID != lq.Student:
		return false
	case lq.Action != "" && string(in.Action) != lq.Action:
		return false
	}
	switch lq.Outcome {
	case outcomeOpen:
		return in.FollowedUpAt == nil
	case outcomeFollowed:
		return in.FollowedUpAt != nil
	case outcomeFailed:
		return slices.ContainsFunc(in.Steps, func(s store.Step) bool { return s.Status == store.StatusFailed })
	}
	return true
}

// values returns the filters as query pairs, for links.
func (lq *listQuery) values() []string {
	return []string{"class", lq.Class, "category", lq.Category, "student", lq.Student, "from", lq.From,
		"to", lq.To, "action", lq.Action, "outcome", lq.Outcome}
}

// option is a choice of a select.
type option struct{ Value, Label string }

// listData is the data of the incident list.
type listData struct {
	Q          listQuery
	Classes    []classInfo
	Categories []option
	Students   []option
	Incidents  []*store.Incident
	ClassNames map[ClassRef]string
	Total      int
	Pages      int
	Truncated  bool
	BadDate    bool
	Prev, Next string // page links, empty when none
}

// ClassLabel names an incident's class.
func (d *listData) ClassLabel(in *store.Incident) string {
	if n := d.ClassNames[ClassRef{Platform: in.Platform, Class: in.ClassID}]; n != "" {
		return n
	}
	return cmp.Or(in.ClassName, in.ClassID)
}

// incidents lists the incidents of the session's classes with filters.
// The store selects the classes and dates; the other filters apply
// here, so that the choices of students and categories stay those of
// the whole class.
func (c *Console) incidents(w http.ResponseWriter, r *http.Request, s *session) {
	p := c.newPage(r, s, "incidents")
	p.Title = p.T("incidents.title")
	lq, since, until, badDate := c.parseListQuery(r.URL.Query())
	refs, ok := scope(s, lq.Class)
	if !ok {
		c.fail(w, r, s, http.StatusNotFound, "error.not_found")
		return
	}
	classes, err := c.classes(r.Context(), s)
	if err != nil {
		c.serverError(w, r, s, "list classes", err)
		return
	}
	all, truncated, err := c.fetch(r.Context(), s, refs, since, until)
	if err != nil {
		c.serverError(w, r, s, "list incidents", err)
		return
	}
	d := &listData{Q: lq, Classes: classes, Truncated: truncated, BadDate: badDate, ClassNames: map[ClassRef]string{}}
	for _, ci := range classes {
		d.ClassNames[ci.ClassRef] = ci.Name
	}
	cats, students := map[filters.Category]bool{}, map[string]string{}
	var sel []*store.Incident
	for _, in := range all {
		for _, cs := range in.Verdict.Categories {
			cats[cs.Name] = true
		}
		if name, ok := students[in.AuthorID]; !ok || name == "" {
			students[in.AuthorID] = in.AuthorName
		}
		if lq.matches(in) {
			sel = append(sel, in)
		}
	}
	for cat := range cats {
		d.Categories = append(d.Categories, option{Value: string(cat), Label: p.Cat(cat)})
	}
	slices.SortFunc(d.Categories, func(a, b option) int { return cmp.Compare(a.Label, b.Label) })
	for id, name := range students {
		label := id
		if name != "" {
			label = name + " (" + id + ")"
		}
		d.Students = append(d.Students, option{Value: id, Label: label})
	}
	slices.SortFunc(d.Students, func(a, b option) int { return cmp.Compare(strings.ToLower(a.Label), strings.ToLower(b.Label)) })
	d.Total = len(sel)
	d.Pages = max(1, (len(sel)+pageSize-1)/pageSize)
	lq.Page = min(lq.Page, d.Pages)
	d.Q.Page = lq.Page
	d.Incidents = sel[(lq.Page-1)*pageSize : min(lq.Page*pageSize, len(sel))]
	if lq.Page > 1 {
		d.Prev = consoleURL("incidents", append(lq.values(), "page", strconv.Itoa(lq.Page-1))...)
	}
	if lq.Page < d.Pages {
		d.Next = consoleURL("incidents", append(lq.values(), "page", strconv.Itoa(lq.Page+1))...)
	}
	p.Data = d
	c.render(w, http.StatusOK, "incidents", p)
}

// loadIncident returns the incident of the request's path if the
// session may see it; otherwise it answers 404 (whether the incident
// exists elsewhere or not) and returns nil.
func (c *Console) loadIncident(w http.ResponseWriter, r *http.Request, s *session) *store.Incident {
	id := r.PathValue("id")
	in, err := c.store.Get(r.Context(), id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		c.fail(w, r, s, http.StatusNotFound, "error.not_found")
		return nil
	case err != nil:
		c.serverError(w, r, s, "get incident", err)
		return nil
	case !s.allows(in.Platform, in.ClassID):
		c.log.Warn("console: incident of another class refused", zap.String("incident", in.ID), zap.String("user", s.who()))
		c.fail(w, r, s, http.StatusNotFound, "error.not_found")
		return nil
	}
	return in
}

// incidentData is the data of an incident's page and printable export.
type incidentData struct {
	In       *store.Incident
	Segments []explain.Segment
	Saved    bool // the follow-up was just saved
	Printed  time.Time
}

// incident shows an incident: the evidence, the verdict, the steps and
// the follow-up.
func (c *Console) incident(w http.ResponseWriter, r *http.Request, s *session) {
	c.showIncident(w, r, s, "incident")
}

// printIncident is the printable export of an incident (print CSS;
// browsers save it as PDF).
func (c *Console) printIncident(w http.ResponseWriter, r *http.Request, s *session) {
	c.showIncident(w, r, s, "print")
}

// showIncident renders an incident with a page template, and logs who
// saw its evidence.
func (c *Console) showIncident(w http.ResponseWriter, r *http.Request, s *session, name string) {
	in := c.loadIncident(w, r, s)
	if in == nil {
		return
	}
	c.log.Info("console: incident shown", zap.String("incident", in.ID), zap.String("page", name), zap.String("user", s.who()))
	p := c.newPage(r, s, "incidents")
	p.Title = p.Tf("incident.title", in.ID)
	p.Data = &incidentData{
		In: in, Segments: explain.Segments(in.Text, explain.FindingSpans(&in.Verdict)),
		Saved: r.URL.Query().Get("saved") == "1", Printed: c.now(),
	}
	c.render(w, http.StatusOK, name, p)
}

// exportJSON downloads an incident as JSON, as `vigie incidents export`
// writes it.
func (c *Console) exportJSON(w http.ResponseWriter, r *http.Request, s *session) {
	in := c.loadIncident(w, r, s)
	if in == nil {
		return
	}
	c.log.Info("console: incident exported", zap.String("incident", in.ID), zap.String("format", "json"), zap.String("user", s.who()))
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", "vigie-"+safeFileName(in.ID)+".json"))
	if err := store.WriteJSON(w, []*store.Incident{in}); err != nil {
		c.log.Warn("console: write JSON export", zap.String("incident", in.ID), zap.Error(err))
	}
}

// safeFileName keeps letters, digits, '-' and '_'.
func safeFileName(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
			return r
		}
		return '_'
	}, s)
}

// followUp marks an incident as followed up with a note.
func (c *Console) followUp(w http.ResponseWriter, r *http.Request, s *session) {
	in := c.loadIncident(w, r, s)
	if in == nil {
		return
	}
	note := strings.TrimSpace(r.PostFormValue("note"))
	if len(note) > maxNote {
		note = note[:maxNote]
		for !utf8.ValidString(note) {
			note = note[:len(note)-1]
		}
	}
	if err := c.store.FollowUp(r.Context(), in.ID, s.who(), note, time.Time{}); err != nil {
		c.serverError(w, r, s, "follow up", err)
		return
	}
	c.log.Info("console: incident followed up", zap.String("incident", in.ID), zap.String("user", s.who()))
	http.Redirect(w, r, consoleURL("incidents/"+url.PathEscape(in.ID), "saved", "1"), http.StatusSeeOther)
}

// dashboardRow is a class on the dashboard.
type dashboardRow struct {
	classInfo
	Open, Week int
}

// dashboard lists the session's classes with their open incidents and
// those of the last 7 days.
func (c *Console) dashboard(w http.ResponseWriter, r *http.Request, s *session) {
	p := c.newPage(r, s, "home")
	p.Title = p.T("home.title")
	classes, err := c.classes(r.Context(), s)
	if err != nil {
		c.serverError(w, r, s, "list classes", err)
		return
	}
	open := false
	week := c.now().AddDate(0, 0, -7)
	rows := make([]dashboardRow, 0, len(classes))
	for _, ci := range classes {
		row := dashboardRow{classInfo: ci}
		f := store.Filter{Platform: ci.Platform, Class: ci.Class, FollowedUp: &open}
		if row.Open, err = c.store.Count(r.Context(), f); err == nil {
			row.Week, err = c.store.Count(r.Context(), store.Filter{Platform: ci.Platform, Class: ci.Class, Since: week})
		}
		if err != nil {
			c.serverError(w, r, s, "count incidents", err)
			return
		}
		rows = append(rows, row)
	}
	p.Data = rows
	c.render(w, http.StatusOK, "home", p)
}
