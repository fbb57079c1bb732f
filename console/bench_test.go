package console

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/vigie-edu/vigie/filters"
)

// benchEnv is a console with n incidents of class A spread over 90
// days, and a teacher's session cookie.
func benchEnv(b *testing.B, n int) (*env, *http.Cookie, string) {
	b.Helper()
	e := newEnv(b)
	var id string
	for i := range n {
		e.clock.Advance(90 * 24 * time.Hour / time.Duration(n))
		in := insult(classA, "4e A", fmt.Sprintf("u-%d", i%40), fmt.Sprintf("Élève %d", i%40), "t'es un idiot, franchement")
		if i%7 == 0 {
			in.Verdict.Categories = append(in.Verdict.Categories, filters.CategoryScore{Name: filters.Threat, Severity: filters.Critical})
		}
		id = e.incident(in)
	}
	value, err := e.c.sessions.create(session{Platform: platform, User: teacherA, Classes: []ClassRef{{platform, classA}}}, e.clock.Now())
	if err != nil {
		b.Fatal(err)
	}
	return e, &http.Cookie{Name: sessionCookie, Value: value}, id
}

func benchPage(b *testing.B, e *env, ck *http.Cookie, path string) {
	b.Helper()
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodGet, Prefix+path, nil)
		req.AddCookie(ck)
		w := httptest.NewRecorder()
		e.c.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("GET %s: %d", path, w.Code)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pages/s")
}

// BenchmarkIncidentPage renders one incident's page.
func BenchmarkIncidentPage(b *testing.B) {
	e, ck, id := benchEnv(b, 10)
	benchPage(b, e, ck, "incidents/"+id)
}

// BenchmarkIncidentList filters 2,000 incidents of a class.
func BenchmarkIncidentList(b *testing.B) {
	e, ck, _ := benchEnv(b, 2000)
	benchPage(b, e, ck, "incidents?category=threat&outcome=open")
}

// BenchmarkTrends draws 90 days of 2,000 incidents.
func BenchmarkTrends(b *testing.B) {
	e, ck, _ := benchEnv(b, 2000)
	benchPage(b, e, ck, "trends?days=90")
}
