package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigie-edu/vigie/filters"
)

// pgSkipMessage is why the PostgreSQL tests skip.
const pgSkipMessage = "set VIGIE_TEST_POSTGRES_DSN (started by .ci/run) to run the PostgreSQL store tests"

// skipNoPostgres skips a PostgreSQL test, or fails it when the
// environment says the server must be there (.ci/run sets
// VIGIE_REQUIRE_SERVERS=postgres,… so that CI cannot pass by skipping).
func skipNoPostgres(t testing.TB) {
	t.Helper()
	if strings.Contains(os.Getenv("VIGIE_REQUIRE_SERVERS"), "postgres") {
		t.Fatal("VIGIE_REQUIRE_SERVERS names postgres but VIGIE_TEST_POSTGRES_DSN is not set")
	}
	t.Skip(pgSkipMessage)
}

// fakeClock moves one second forward each time it is read, so that
// every record has its own time and lists have a fixed order.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second)
	return c.t
}

// set moves the clock so that its next reading is t.
func (c *fakeClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t.Add(-time.Second)
}

// backend opens fresh, empty stores of one kind.
type backend struct {
	name string
	// dsn returns the DSN of a new, empty database (or schema).
	dsn func(t *testing.T) string
}

func sqliteBackend() backend {
	return backend{name: "sqlite", dsn: func(t *testing.T) string {
		t.Helper()
		return filepath.Join(t.TempDir(), "vigie.db")
	}}
}

func postgresBackend() backend {
	return backend{name: "postgres", dsn: func(t *testing.T) string {
		t.Helper()
		return postgresSchemaDSN(t)
	}}
}

func backends() []backend { return []backend{sqliteBackend(), postgresBackend()} }

// skipUnavailable skips the test when its backend is not configured
// (PostgreSQL without VIGIE_TEST_POSTGRES_DSN), once for all its
// subtests.
func (b backend) skipUnavailable(t *testing.T) {
	t.Helper()
	if b.name == "postgres" && os.Getenv("VIGIE_TEST_POSTGRES_DSN") == "" {
		skipNoPostgres(t)
	}
}

// postgresSchemaDSN creates a schema of its own in the test database
// and returns a DSN whose search_path is that schema; the schema is
// dropped when the test ends. It skips the test without
// VIGIE_TEST_POSTGRES_DSN.
func postgresSchemaDSN(t testing.TB) string {
	t.Helper()
	base := os.Getenv("VIGIE_TEST_POSTGRES_DSN")
	if base == "" {
		skipNoPostgres(t)
	}
	var b [6]byte
	rand.Read(b[:])
	schema := "vigie_t_" + hex.EncodeToString(b[:])
	db, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("open PostgreSQL: %v", err)
	}
	defer db.Close()
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", base)
		if err != nil {
			t.Errorf("open PostgreSQL: %v", err)
			return
		}
		defer db.Close()
		if _, err := db.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema: %v", err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("VIGIE_TEST_POSTGRES_DSN: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// openStore opens dsn with the clock clk and closes it when the test
// ends.
func openStore(t testing.TB, dsn string, clk *fakeClock) *sqlStore {
	t.Helper()
	o := Options{}
	if clk != nil {
		o.Now = clk.Now
	}
	s, err := OpenWith(context.Background(), dsn, o)
	if err != nil {
		t.Fatalf("OpenWith: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s.(*sqlStore)
}

// sampleIncident returns a complete incident, as the bot would record
// it for a removed insult.
func sampleIncident() *Incident {
	text := "t'es qu'un gros connard https://example-adult.com/x"
	return &Incident{
		Platform:    "discord",
		ClassID:     "111",
		ClassName:   "4e B",
		ChannelID:   "222",
		ChannelName: "général",
		MessageID:   "333",
		AuthorID:    "444",
		AuthorName:  "Élève Un",
		Kind:        KindMessage,
		Time:        time.Date(2026, 3, 2, 7, 59, 58, 123456000, time.UTC),
		Text:        text,
		Attachments: []string{"photo.png", "https://example.com/embed"},
		Link:        "https://discord.com/channels/111/222/333",
		Verdict: filters.Verdict{
			Action: filters.Remove,
			Categories: []filters.CategoryScore{
				{Name: filters.Insult, Severity: filters.High},
				{Name: filters.PornLink, Severity: filters.Critical},
			},
			Lang:           "fr",
			LangConfidence: 0.93,
			LangSource:     filters.LangDetected,
			Findings: []filters.Finding{
				{Rule: "fr.insult.second_person", Category: filters.Insult, Severity: filters.High, Span: filters.Span{Start: 0, End: 23}, Text: "t'es qu'un gros connard", Lang: "fr"},
				{Rule: "lex.fr.connard", Category: filters.Insult, Severity: filters.Medium, Span: filters.Span{Start: 16, End: 23}, Text: "connard", Lang: "fr"},
				{Rule: "link.domain", Category: filters.PornLink, Severity: filters.Critical, Span: filters.Span{Start: 24, End: 51}, Text: "https://example-adult.com/x", Detail: "list:adult"},
			},
			Suppressed: []filters.Suppression{
				{Finding: filters.Finding{Rule: "lex.fr.con", Category: filters.Insult, Severity: filters.Low, Span: filters.Span{Start: 16, End: 19}, Text: "con"}, Reason: "allowlist", By: "connard"},
			},
			Links: []filters.Link{
				{URL: "https://example-adult.com/x", Host: "example-adult.com", Span: filters.Span{Start: 24, End: 51}, Category: filters.PornLink, Reason: "list:adult (default)"},
			},
		},
		Action: filters.Remove,
		Steps: []Step{
			{Name: StepAlert, Target: "999", Status: StatusOK},
		},
	}
}
