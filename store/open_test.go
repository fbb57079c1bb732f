package store

import (
	"context"
	"errors"
	"net"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseDSN(t *testing.T) {
	tests := []struct {
		dsn     string
		backend Backend
		target  string
	}{
		{"postgres://vigie:pw@127.0.0.1:5432/vigie?sslmode=disable", Postgres, "postgres://vigie:pw@127.0.0.1:5432/vigie?sslmode=disable"},
		{"postgresql://db.lycee.example/vigie", Postgres, "postgresql://db.lycee.example/vigie"},
		{"POSTGRES://h/db", Postgres, "POSTGRES://h/db"},
		{"sqlite:/var/lib/vigie/vigie.db", SQLite, "/var/lib/vigie/vigie.db"},
		{"sqlite://vigie.db", SQLite, "vigie.db"},
		{"sqlite:///var/lib/vigie.db", SQLite, "/var/lib/vigie.db"},
		{"file:vigie.db?mode=rwc", SQLite, "file:vigie.db?mode=rwc"},
		{":memory:", SQLite, ":memory:"},
		{"vigie.db", SQLite, "vigie.db"},
		{"./data/incidents.sqlite", SQLite, "./data/incidents.sqlite"},
	}
	for _, tc := range tests {
		b, target, err := ParseDSN(tc.dsn)
		if err != nil || b != tc.backend || target != tc.target {
			t.Errorf("ParseDSN(%q) = %s, %q, %v; want %s, %q", tc.dsn, b, target, err, tc.backend, tc.target)
		}
	}
	if _, _, err := ParseDSN(""); !errors.Is(err, ErrInvalid) {
		t.Errorf("ParseDSN(\"\") = %v, want ErrInvalid", err)
	}
}

func TestRedactDSN(t *testing.T) {
	tests := []struct{ in, want string }{
		{"postgres://vigie:s3cret@127.0.0.1:5432/vigie", "postgres://vigie:xxxxx@127.0.0.1:5432/vigie"},
		{"postgres://vigie:p%40ss@h/db", "postgres://vigie:xxxxx@h/db"},
		{"postgres://vigie@h/db?password=s3cret&sslmode=disable", "postgres://vigie@h/db?password=xxxxx&sslmode=disable"},
		{"postgres://h/db?password=a+b", "postgres://h/db?password=xxxxx"},
		{"host=h user=vigie password=s3cret dbname=v", "host=h user=vigie password=xxxxx dbname=v"},
		{"host=h password='s3cret' dbname=v", "host=h password='xxxxx' dbname=v"},
		{"postgres://vigie@h/db", "postgres://vigie@h/db"},
		{"vigie.db", "vigie.db"},
	}
	for _, tc := range tests {
		if got := RedactDSN(tc.in); got != tc.want {
			t.Errorf("RedactDSN(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestOpenErrorsHidePassword opens PostgreSQL DSNs that fail and checks
// that no error shows the password.
func TestOpenErrorsHidePassword(t *testing.T) {
	// A port on which nothing listens: a listener opened and closed.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	const pw = "Tr3s-S3cret"
	dsns := []string{
		"postgres://vigie:" + pw + "@" + addr + "/vigie?sslmode=disable&connect_timeout=5",
		"postgres://vigie@" + addr + "/vigie?sslmode=disable&password=" + pw,
		"postgres://vigie:" + pw + "@" + addr + "/vigie?sslmode=nonsense", // a parse error
		"postgres://vigie:" + pw + "@[::1/vigie",                          // not a URL
	}
	for _, dsn := range dsns {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		s, err := Open(ctx, dsn)
		cancel()
		if err == nil {
			s.Close()
			t.Errorf("Open(%s) succeeded", RedactDSN(dsn))
			continue
		}
		if strings.Contains(err.Error(), pw) {
			t.Errorf("error shows the password: %v", err)
		}
		if !strings.Contains(err.Error(), "store: open postgres") {
			t.Errorf("error %q lacks context", err)
		}
	}
}

func TestSQLiteDSN(t *testing.T) {
	o := Options{BusyTimeout: 3 * time.Second}
	tests := []struct {
		target string
		memory bool
		want   url.Values // expected parameters (others may be present)
		base   string
		// ownCheckpoints: automatic checkpoints off, the store's own on.
		ownCheckpoints bool
	}{
		{"vigie.db", false, url.Values{"_busy_timeout": {"3000"}, "_journal_mode": {"WAL"}, "_foreign_keys": {"on"}, "_txlock": {"immediate"},
			"_synchronous": {"NORMAL"}, "_pragma": {"wal_autocheckpoint(0)"}}, "vigie.db", true},
		{":memory:", true, url.Values{"_foreign_keys": {"on"}}, ":memory:", false},
		{"file::memory:?cache=private", true, url.Values{"cache": {"private"}}, "file::memory:", false},
		{"file:v.db?mode=memory", true, url.Values{"mode": {"memory"}}, "file:v.db", false},
		{"v.db?_busy_timeout=50&_journal_mode=DELETE", false, url.Values{"_busy_timeout": {"50"}, "_journal_mode": {"DELETE"}}, "v.db", false},
		{"v.db?_pragma=wal_autocheckpoint(500)", false, url.Values{"_pragma": {"wal_autocheckpoint(500)"}}, "v.db", false},
		{"v.db?_pragma=wal_autocheckpoint%3D200", false, url.Values{"_pragma": {"wal_autocheckpoint=200"}}, "v.db", false},
	}
	for _, tc := range tests {
		dsn, memory, own, err := sqliteDSN(tc.target, o)
		if err != nil {
			t.Fatalf("sqliteDSN(%q): %v", tc.target, err)
		}
		base, query, _ := strings.Cut(dsn, "?")
		q, _ := url.ParseQuery(query)
		if memory != tc.memory || base != tc.base || own != tc.ownCheckpoints {
			t.Errorf("sqliteDSN(%q) = %q, memory %v, own checkpoints %v; want base %q, memory %v, own checkpoints %v",
				tc.target, dsn, memory, own, tc.base, tc.memory, tc.ownCheckpoints)
		}
		if n := len(q["_pragma"]); n > 1 {
			t.Errorf("sqliteDSN(%q) = %q: %d _pragma values, want at most 1", tc.target, dsn, n)
		}
		for k, v := range tc.want {
			if q.Get(k) != v[0] {
				t.Errorf("sqliteDSN(%q) = %q: %s=%q, want %q", tc.target, dsn, k, q.Get(k), v[0])
			}
		}
		if memory && q.Has("_journal_mode") && tc.want.Get("_journal_mode") == "" {
			t.Errorf("sqliteDSN(%q) = %q: WAL asked for a memory database", tc.target, dsn)
		}
	}
	if _, _, _, err := sqliteDSN("", o); !errors.Is(err, ErrInvalid) {
		t.Errorf("sqliteDSN(\"\") = %v, want ErrInvalid", err)
	}
}

// TestOpenSQLiteForms opens the same file through each DSN form, and a
// memory database, which must keep its data across calls (one
// connection).
func TestOpenSQLiteForms(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "forms.db")
	s := openStore(t, path, nil)
	id := mustRecord(t, s, sampleIncident())
	s.Close()
	for _, dsn := range []string{"sqlite:" + path, "file:" + path, path} {
		s := openStore(t, dsn, nil)
		if _, err := s.Get(ctx, id); err != nil {
			t.Errorf("Get through %q: %v", dsn, err)
		}
		s.Close()
	}

	mem := openStore(t, ":memory:", nil)
	for range 5 {
		mustRecord(t, mem, sampleIncident())
	}
	if n, err := mem.Count(ctx, Filter{}); err != nil || n != 5 {
		t.Errorf("memory store Count = %d, %v; want 5", n, err)
	}
	if list, err := mem.List(ctx, Filter{}); err != nil || len(list) != 5 || len(list[0].Steps) != 1 {
		t.Errorf("memory store List = %d incidents, %v", len(list), err)
	}

	// A path in a directory that does not exist cannot be opened.
	_, err := Open(ctx, filepath.Join(t.TempDir(), "missing", "dir", "v.db"))
	if err == nil || !strings.Contains(err.Error(), "store: open sqlite") {
		t.Errorf("Open in a missing directory = %v", err)
	}
}
