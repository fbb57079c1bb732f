package store

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// dialect is what differs between the SQL of the two backends. Queries
// are written with '?' placeholders and rebound for PostgreSQL.
type dialect struct {
	backend Backend
	// dollar: placeholders are $1, $2… instead of ?.
	dollar bool
	// microTimes: times are stored as INTEGER microseconds since the
	// epoch (SQLite) instead of TIMESTAMPTZ (PostgreSQL).
	microTimes bool
	// noLimit is the LIMIT value meaning "no limit" when an OFFSET is
	// given.
	noLimit string
	// keyShare is appended to a SELECT that must keep the row from being
	// deleted until the transaction ends.
	keyShare string
	// migrationLock, when set, is run first in the migration
	// transaction so that two processes never migrate at once.
	migrationLock string
	// migrationsTable creates the table of applied migrations.
	migrationsTable string
}

var sqliteDialect = &dialect{
	backend:    SQLite,
	microTimes: true,
	noLimit:    "-1",
	// No keyShare and no migrationLock: SQLite's transactions are
	// immediate (_txlock=immediate), so the database is locked for
	// writing from BEGIN.
	migrationsTable: `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT    NOT NULL,
		applied_at INTEGER NOT NULL)`,
}

var postgresDialect = &dialect{
	backend:  Postgres,
	dollar:   true,
	noLimit:  "ALL",
	keyShare: " FOR KEY SHARE",
	// A transaction-scoped advisory lock; the key is "vigie" in ASCII.
	migrationLock: "SELECT pg_advisory_xact_lock(508574525797)",
	migrationsTable: `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER     PRIMARY KEY,
		name       TEXT        NOT NULL,
		applied_at TIMESTAMPTZ NOT NULL)`,
}

// q rebinds a query written with '?' placeholders. The queries of this
// package hold no '?' inside string literals.
func (d *dialect) q(query string) string {
	if !d.dollar {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}

// time returns the database value of t.
func (d *dialect) time(t time.Time) any {
	t = t.UTC().Truncate(time.Microsecond)
	if d.microTimes {
		return t.UnixMicro()
	}
	return t
}

// nullTime returns the database value of t, NULL when t is zero.
func (d *dialect) nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return d.time(t)
}

// dbTime scans a time stored by either backend: INTEGER microseconds
// (SQLite), TIMESTAMPTZ (PostgreSQL) or NULL.
type dbTime struct {
	t     time.Time
	valid bool
}

// Scan implements sql.Scanner.
func (n *dbTime) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		*n = dbTime{}
	case int64:
		*n = dbTime{t: time.UnixMicro(x).UTC(), valid: true}
	case time.Time:
		*n = dbTime{t: x.UTC(), valid: true}
	default:
		return fmt.Errorf("store: cannot read a time from %T", v)
	}
	return nil
}

// ptr returns the time, or nil when it was NULL.
func (n dbTime) ptr() *time.Time {
	if !n.valid {
		return nil
	}
	t := n.t
	return &t
}
