// Package store keeps Vigie's incident log: every message the bot acted
// on, with the evidence (the full text, attachment names and embed URLs),
// the classifier's verdict, the action the class's policy decided, and
// the outcome of every step that followed (deletion, notices, alerts,
// time-outs). The bot records an incident BEFORE it asks the platform to
// delete anything, so that the evidence survives a crash or a failed
// call.
//
// Two backends implement the same Store interface:
//
//   - SQLite (the default; modernc.org/sqlite, pure Go, no cgo) in one
//     file, opened in WAL mode (synchronous=NORMAL: a commit survives a
//     crash of the process) with a busy timeout, immediate write
//     transactions and foreign keys on; the store's own writes queue
//     for one another in Go and the WAL is checkpointed in the
//     background, so that many goroutines may record at once without
//     one waiting in SQLite's busy handler or behind a checkpoint;
//   - PostgreSQL (github.com/jackc/pgx/v5 through database/sql), chosen
//     by a "postgres://" or "postgresql://" DSN, for schools that run
//     several bots or a web console on another machine.
//
// The schema is versioned: each backend embeds its numbered .sql
// migrations (migrations/sqlite, migrations/postgres), which Open applies
// in order, in one transaction, and records in the schema_migrations
// table. Opening twice is harmless; a database whose schema is newer
// than the binary knows is refused (ErrSchemaTooNew) rather than
// misread.
//
// The store is a top-level package rather than part of package bot
// because it is a real part of its own: two backends, versioned
// migrations, retention, CSV and JSON export, used by the bot, by the
// `vigie incidents` command and by the web console.
//
// Privacy: message text is personal data of minors. Nothing in this
// package logs, and no error it returns contains message text or a DSN
// password (see RedactDSN).
package store
