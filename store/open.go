package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	_ "modernc.org/sqlite"             // registers the "sqlite" database/sql driver
)

// Options tune Open. The zero value is the default.
type Options struct {
	// Now is the store's clock (time.Now when nil): it sets
	// Incident.Recorded and the time of steps, follow-ups and settings
	// given without one.
	Now func() time.Time
	// BusyTimeout is how long a SQLite connection waits for another
	// writer before failing with SQLITE_BUSY (default 10 s).
	BusyTimeout time.Duration
}

// Backend names a database backend.
type Backend string

// Backends.
const (
	SQLite   Backend = "sqlite"
	Postgres Backend = "postgres"
)

// ParseDSN tells which backend a DSN selects and returns what that
// backend's driver is given: the DSN itself for PostgreSQL, the file
// path (with any query) for SQLite.
//
//	postgres://… or postgresql://…   PostgreSQL
//	sqlite:PATH                      SQLite file PATH
//	file:PATH                        SQLite URI (file:PATH?mode=ro…)
//	:memory:                         SQLite in memory (tests)
//	PATH                             SQLite file PATH
func ParseDSN(dsn string) (Backend, string, error) {
	switch {
	case dsn == "":
		return "", "", fmt.Errorf("%w: empty store DSN", ErrInvalid)
	case hasPrefixFold(dsn, "postgres://"), hasPrefixFold(dsn, "postgresql://"):
		return Postgres, dsn, nil
	case hasPrefixFold(dsn, "sqlite://"):
		return SQLite, dsn[len("sqlite://"):], nil
	case hasPrefixFold(dsn, "sqlite:"):
		return SQLite, dsn[len("sqlite:"):], nil
	}
	return SQLite, dsn, nil
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// RedactDSN returns dsn with its password, if any, replaced by "xxxxx",
// for logs and errors. It handles URL DSNs (postgres://user:pw@host/db,
// ?password=pw) and key=value DSNs (password=pw).
func RedactDSN(dsn string) string {
	return redactor(dsn).redact(dsn)
}

// secrets are the passwords found in a DSN, to be hidden from any text.
type secrets []string

// redactor returns the secrets found in dsn, so that an error produced
// from it can be cleaned.
func redactor(dsn string) secrets {
	var s secrets
	if i := strings.Index(dsn, "://"); i >= 0 {
		rest := dsn[i+3:]
		// userinfo ends at the last '@' before the path.
		hostEnd := strings.IndexAny(rest, "/?#")
		if hostEnd < 0 {
			hostEnd = len(rest)
		}
		if at := strings.LastIndex(rest[:hostEnd], "@"); at >= 0 {
			if _, pw, ok := strings.Cut(rest[:at], ":"); ok && pw != "" {
				s = append(s, pw)
				if u, err := url.PathUnescape(pw); err == nil && u != pw {
					s = append(s, u)
				}
			}
		}
		if q := strings.IndexByte(rest, '?'); q >= 0 {
			if vals, err := url.ParseQuery(rest[q+1:]); err == nil {
				for _, pw := range vals["password"] {
					if pw != "" {
						s = append(s, pw, url.QueryEscape(pw))
					}
				}
			}
		}
	}
	// key=value form: password=secret or password='secret'.
	for _, f := range strings.Fields(dsn) {
		k, v, ok := strings.Cut(f, "=")
		if ok && strings.EqualFold(k, "password") && v != "" {
			s = append(s, strings.Trim(v, "'"))
		}
	}
	return s
}

func (s secrets) redact(text string) string {
	for _, pw := range s {
		if pw != "" {
			text = strings.ReplaceAll(text, pw, "xxxxx")
		}
	}
	return text
}

// redactedError hides secrets from an error's text while keeping the
// error chain for errors.Is and errors.As.
type redactedError struct {
	err     error
	secrets secrets
}

func (e *redactedError) Error() string { return e.secrets.redact(e.err.Error()) }
func (e *redactedError) Unwrap() error { return e.err }

func (s secrets) wrap(err error) error {
	if err == nil || len(s) == 0 {
		return err
	}
	return &redactedError{err: err, secrets: s}
}

// Open opens (creating it if needed) and migrates the store dsn names;
// see ParseDSN for the forms. Close it when done.
func Open(ctx context.Context, dsn string) (Store, error) {
	return OpenWith(ctx, dsn, Options{})
}

// OpenWith is Open with options.
func OpenWith(ctx context.Context, dsn string, o Options) (Store, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.BusyTimeout <= 0 {
		o.BusyTimeout = 10 * time.Second
	}
	backend, target, err := ParseDSN(dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open: %w", err)
	}
	sec := redactor(dsn)
	var s *sqlStore
	switch backend {
	case Postgres:
		s, err = openPostgres(target, o)
	default:
		s, err = openSQLite(target, o)
	}
	if err == nil {
		if err = s.db.PingContext(ctx); err != nil {
			s.db.Close()
			err = fmt.Errorf("connect: %w", err)
		}
	}
	if err != nil {
		return nil, sec.wrap(fmt.Errorf("store: open %s %s: %w", backend, RedactDSN(dsn), err))
	}
	if err := s.migrate(ctx, migrationsFS(backend)); err != nil {
		s.db.Close()
		return nil, sec.wrap(fmt.Errorf("store: open %s %s: %w", backend, RedactDSN(dsn), err))
	}
	if s.ownCheckpoints {
		s.ckpt = startCheckpointer(s.db)
	}
	return s, nil
}

func openPostgres(dsn string, o Options) (*sqlStore, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(16)
	db.SetMaxIdleConns(4)
	db.SetConnMaxIdleTime(5 * time.Minute)
	return &sqlStore{db: db, d: postgresDialect, now: o.Now}, nil
}

// sqliteDSN builds the modernc.org/sqlite DSN for a path (or file: URI)
// with Vigie's settings, keeping the caller's own query parameters.
func sqliteDSN(target string, o Options) (dsn string, memory, ownCheckpoints bool, err error) {
	base, query, _ := strings.Cut(target, "?")
	if base == "" {
		return "", false, false, fmt.Errorf("%w: empty SQLite path", ErrInvalid)
	}
	q, err := url.ParseQuery(query)
	if err != nil {
		return "", false, false, fmt.Errorf("%w: SQLite DSN query: %v", ErrInvalid, err)
	}
	memory = base == ":memory:" || strings.HasPrefix(base, "file::memory:") || q.Get("mode") == "memory"
	setDefault := func(k, v string) {
		if _, ok := q[k]; !ok {
			q.Set(k, v)
		}
	}
	setDefault("_busy_timeout", fmt.Sprint(o.BusyTimeout.Milliseconds()))
	setDefault("_foreign_keys", "on")
	// Immediate transactions take the write lock at BEGIN: two writers
	// never both hold a read lock and then deadlock on the upgrade, which
	// busy_timeout cannot resolve.
	setDefault("_txlock", "immediate")
	if !memory {
		setDefault("_journal_mode", "WAL")
		// NORMAL in WAL mode: a commit is written to the WAL (it
		// survives a crash of the process) and synced at the next
		// checkpoint (see write.go).
		setDefault("_synchronous", "NORMAL")
		// The store checkpoints in the background (write.go), not in
		// the commit that fills the WAL, unless the caller set its own
		// threshold.
		journal := q.Get("_journal_mode")
		if q.Has("_journal") { // the driver's alias wins
			journal = q.Get("_journal")
		}
		if strings.EqualFold(journal, "WAL") && !hasPragma(q, "wal_autocheckpoint") {
			q.Add("_pragma", "wal_autocheckpoint(0)")
			ownCheckpoints = true
		}
	}
	return base + "?" + q.Encode(), memory, ownCheckpoints, nil
}

// hasPragma reports whether the DSN query sets a pragma with _pragma.
func hasPragma(q url.Values, name string) bool {
	for _, v := range q["_pragma"] {
		v = strings.ToLower(strings.TrimSpace(v))
		if strings.HasPrefix(v, name) && (len(v) == len(name) || strings.ContainsRune("(= ", rune(v[len(name)]))) {
			return true
		}
	}
	return false
}

func openSQLite(target string, o Options) (*sqlStore, error) {
	dsn, memory, ownCheckpoints, err := sqliteDSN(target, o)
	if err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	if memory {
		// Each connection to ":memory:" is a database of its own: keep
		// exactly one, for ever.
		db.SetMaxOpenConns(1)
		db.SetMaxIdleConns(1)
		db.SetConnMaxLifetime(0)
		db.SetConnMaxIdleTime(0)
	} else {
		// WAL: any number of readers, one writer at a time (the others
		// wait up to the busy timeout).
		db.SetMaxOpenConns(8)
		db.SetMaxIdleConns(8)
	}
	return &sqlStore{db: db, d: sqliteDialect, now: o.Now, writes: newWriteSlot(), ownCheckpoints: ownCheckpoints}, nil
}

// errNoRows maps sql.ErrNoRows to ErrNotFound.
func errNoRows(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}
