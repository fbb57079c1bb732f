package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// TestMigrations opens a database twice and checks that the schema
// version is recorded once, then that a database from a newer binary is
// refused.
func TestMigrations(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			b.skipUnavailable(t)
			ctx := context.Background()
			dsn := b.dsn(t)
			known, err := loadMigrations(migrationsFS(Backend(b.name)))
			if err != nil {
				t.Fatal(err)
			}

			s1 := openStore(t, dsn, nil)
			id := mustRecord(t, s1, sampleIncident())
			s1.Close()
			s2 := openStore(t, dsn, nil) // second open: nothing to apply, nothing lost
			if v, err := s2.schemaVersion(ctx); err != nil || v != len(known) {
				t.Errorf("schema version = %d, %v; want %d", v, err, len(known))
			}
			var rows int
			if err := s2.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM schema_migrations").Scan(&rows); err != nil || rows != len(known) {
				t.Errorf("schema_migrations has %d rows, %v; want %d", rows, err, len(known))
			}
			var name string
			if err := s2.db.QueryRowContext(ctx, "SELECT name FROM schema_migrations WHERE version = 1").Scan(&name); err != nil || name != "0001_initial.sql" {
				t.Errorf("migration 1 recorded as %q, %v", name, err)
			}
			mustGet(t, s2, id)

			// A newer binary migrated the database to a version this one
			// does not know: refuse it.
			if _, err := s2.db.ExecContext(ctx, s2.d.q("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)"),
				len(known)+1, "9999_future.sql", s2.d.time(time.Now())); err != nil {
				t.Fatal(err)
			}
			s2.Close()
			_, err = Open(ctx, dsn)
			if !errors.Is(err, ErrSchemaTooNew) {
				t.Fatalf("Open of a newer schema = %v, want ErrSchemaTooNew", err)
			}
			if !strings.Contains(err.Error(), fmt.Sprintf("version %d", len(known)+1)) {
				t.Errorf("error %q does not give the database's version", err)
			}
		})
	}
}

// rawStore opens a database of backend b without migrating it.
func rawStore(t *testing.T, b backend) *sqlStore {
	t.Helper()
	dsn := b.dsn(t)
	var (
		s   *sqlStore
		err error
	)
	o := Options{Now: time.Now, BusyTimeout: 10 * time.Second}
	if b.name == "postgres" {
		s, err = openPostgres(dsn, o)
	} else {
		s, err = openSQLite(dsn, o)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.db.Close() })
	return s
}

// TestMigrateMechanism checks order, idempotence and atomicity with
// migrations made for the test.
func TestMigrateMechanism(t *testing.T) {
	v1 := &fstest.MapFile{Data: []byte("CREATE TABLE a (x INTEGER NOT NULL);\nINSERT INTO a (x) VALUES (1);")}
	v2 := &fstest.MapFile{Data: []byte("ALTER TABLE a ADD COLUMN y INTEGER NOT NULL DEFAULT 2;\nCREATE TABLE b (z INTEGER);")}
	v3bad := &fstest.MapFile{Data: []byte("CREATE TABLE c (w INTEGER);\nINSERT INTO no_such_table VALUES (1);")}
	v3 := &fstest.MapFile{Data: []byte("INSERT INTO b (z) SELECT x + y FROM a;")}
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			b.skipUnavailable(t)
			ctx := context.Background()
			s := rawStore(t, b)
			version := func() int {
				t.Helper()
				v, err := s.schemaVersion(ctx)
				if err != nil {
					t.Fatal(err)
				}
				return v
			}

			// 0002 depends on 0001: they run in order whatever the file order.
			if err := s.migrate(ctx, fstest.MapFS{"0002_b.sql": v2, "0001_a.sql": v1, "README": {Data: []byte("not a migration")}}); err != nil {
				t.Fatalf("migrate 1-2: %v", err)
			}
			if v := version(); v != 2 {
				t.Fatalf("version %d after 1-2, want 2", v)
			}
			// Again: nothing happens (0001's INSERT does not run twice).
			if err := s.migrate(ctx, fstest.MapFS{"0001_a.sql": v1, "0002_b.sql": v2}); err != nil {
				t.Fatalf("migrate again: %v", err)
			}
			var n int
			if err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM a").Scan(&n); err != nil || n != 1 {
				t.Errorf("table a has %d rows, %v; want 1", n, err)
			}

			// A failing migration leaves nothing behind.
			err := s.migrate(ctx, fstest.MapFS{"0001_a.sql": v1, "0002_b.sql": v2, "0003_c.sql": v3bad})
			if err == nil || !strings.Contains(err.Error(), "0003_c.sql") {
				t.Fatalf("failing migration: err = %v, want one naming 0003_c.sql", err)
			}
			if v := version(); v != 2 {
				t.Errorf("version %d after a failed migration, want 2", v)
			}
			if _, err := s.db.ExecContext(ctx, "INSERT INTO c (w) VALUES (1)"); err == nil {
				t.Errorf("table c exists after its migration failed")
			}

			// Only the new one runs.
			if err := s.migrate(ctx, fstest.MapFS{"0001_a.sql": v1, "0002_b.sql": v2, "0003_c.sql": v3}); err != nil {
				t.Fatalf("migrate 3: %v", err)
			}
			if err := s.db.QueryRowContext(ctx, "SELECT z FROM b").Scan(&n); err != nil || n != 3 {
				t.Errorf("b.z = %d, %v; want 3", n, err)
			}
			if v := version(); v != 3 {
				t.Errorf("version %d, want 3", v)
			}

			// Going back to a binary that knows only 1-2 is refused.
			err = s.migrate(ctx, fstest.MapFS{"0001_a.sql": v1, "0002_b.sql": v2})
			if !errors.Is(err, ErrSchemaTooNew) {
				t.Errorf("older binary: err = %v, want ErrSchemaTooNew", err)
			}
		})
	}
}

func TestLoadMigrationsRejects(t *testing.T) {
	f := &fstest.MapFile{Data: []byte("SELECT 1;")}
	tests := []struct {
		name string
		fsys fstest.MapFS
		want string
	}{
		{"gap", fstest.MapFS{"0001_a.sql": f, "0003_c.sql": f}, "want 2"},
		{"duplicate", fstest.MapFS{"0001_a.sql": f, "0001_b.sql": f}, "want 2"},
		{"not starting at 1", fstest.MapFS{"0002_a.sql": f}, "want 1"},
		{"no number", fstest.MapFS{"initial.sql": f}, "NNNN_name.sql"},
		{"zero", fstest.MapFS{"0000_a.sql": f}, "NNNN_name.sql"},
		{"empty", fstest.MapFS{}, "no migrations"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := loadMigrations(tc.fsys)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("loadMigrations = %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

// TestEmbeddedMigrationsMatch checks that both backends know the same
// versions, so that a store can move from one to the other.
func TestEmbeddedMigrationsMatch(t *testing.T) {
	lite, err := loadMigrations(migrationsFS(SQLite))
	if err != nil {
		t.Fatal(err)
	}
	pg, err := loadMigrations(migrationsFS(Postgres))
	if err != nil {
		t.Fatal(err)
	}
	if len(lite) != len(pg) {
		t.Fatalf("%d SQLite migrations, %d PostgreSQL ones", len(lite), len(pg))
	}
	for i := range lite {
		if lite[i].name != pg[i].name {
			t.Errorf("migration %d: %s (SQLite) vs %s (PostgreSQL)", i+1, lite[i].name, pg[i].name)
		}
	}
}

// TestSQLiteSettings checks the pragmas that make concurrent use safe.
func TestSQLiteSettings(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, "sqlite:"+t.TempDir()+"/v.db", nil)
	conn, err := s.db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for pragma, want := range map[string]string{
		"journal_mode": "wal",
		"foreign_keys": "1",
		"busy_timeout": "10000",
		"synchronous":  "1", // NORMAL
	} {
		var got string
		if err := conn.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got); err != nil {
			t.Fatalf("PRAGMA %s: %v", pragma, err)
		}
		if got != want {
			t.Errorf("PRAGMA %s = %s, want %s", pragma, got, want)
		}
	}
	// A foreign key is enforced.
	_, err = conn.ExecContext(ctx, "INSERT INTO incident_steps (incident_id, name, status, at) VALUES ('nope', 'delete', 'ok', 0)")
	if err == nil {
		t.Errorf("a step for a missing incident was accepted")
	}
}
