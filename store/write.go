package store

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"time"
)

// SQLite has one writer at a time. When two connections of the same
// process both want to write, the loser does not wait in a queue: SQLite's
// busy handler makes it sleep 1 ms, then 2, then 5, 10… and try again, so
// an incident recorded while a step of another incident is being written
// waited 1–5 ms although the other write took 0.2 ms. This was most of
// the end-to-end tail (dispatch → DELETE p99) measured in bench/e2e.
//
// So the SQLite store lets only one of its own write transactions run at
// a time (writeSlot): the others wait in Go and start the moment it
// commits, new incidents before the steps of recorded ones (a deletion
// waits for the first, nothing waits for the second). The busy timeout
// remains for writers of other processes (the
// `vigie incidents` command following an incident up while the bot runs).
//
// SQLite also checkpoints the WAL (copies it back into the database file
// and syncs both) inside the commit that makes it pass 1,000 pages: that
// commit, often an incident recorded before a DELETE, took several
// milliseconds more. The store turns automatic checkpoints off and runs
// them itself in the background (checkpointer), as PASSIVE checkpoints,
// which wait for no reader and no writer.
//
// Durability is unchanged: WAL with synchronous=NORMAL. A committed
// incident is in the WAL file before Record returns, so it survives a
// crash of the bot process; after a power cut or an OS crash, the
// commits since the last checkpoint (at most about checkpointAfter) may
// be lost, as with SQLite's own checkpoints.

// Checkpoint schedule of the SQLite store.
const (
	// checkpointAfter is the longest a commit waits for its checkpoint.
	checkpointAfter = time.Second
	// checkpointCommits starts a checkpoint early when this many commits
	// accumulated (a burst), so that the WAL stays small (about 1,000
	// pages, SQLite's own threshold, at 5–10 pages a commit).
	checkpointCommits = 128
)

// writeSlot lets one write transaction of the store run at a time. Its
// waiters are served in order, those that record a new incident first
// (a deletion waits for them, while the steps of incidents already
// recorded can wait a little); a waiter gives up when its context ends.
// A nil *writeSlot (PostgreSQL, which has row locks) is always free.
type writeSlot struct {
	mu      sync.Mutex
	busy    bool
	urgent  []chan struct{} // waiting to record incidents
	waiting []chan struct{} // other writes
}

func newWriteSlot() *writeSlot { return &writeSlot{} }

// acquire takes the slot, or returns ctx's error; urgent writes go
// before the others.
func (w *writeSlot) acquire(ctx context.Context, urgent bool) error {
	if w == nil {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	w.mu.Lock()
	if !w.busy {
		w.busy = true
		w.mu.Unlock()
		return nil
	}
	turn := make(chan struct{})
	if urgent {
		w.urgent = append(w.urgent, turn)
	} else {
		w.waiting = append(w.waiting, turn)
	}
	w.mu.Unlock()
	select {
	case <-turn:
		return nil
	case <-ctx.Done():
	}
	w.mu.Lock()
	queued := w.drop(turn)
	w.mu.Unlock()
	if !queued {
		// The slot was handed over as ctx ended: pass it on.
		<-turn
		w.release()
	}
	return ctx.Err()
}

// drop removes a waiter from its queue and reports whether it was still
// there. w.mu is held.
func (w *writeSlot) drop(turn chan struct{}) bool {
	for _, q := range []*[]chan struct{}{&w.urgent, &w.waiting} {
		for i, c := range *q {
			if c == turn {
				*q = append((*q)[:i], (*q)[i+1:]...)
				return true
			}
		}
	}
	return false
}

// release hands the slot to the next waiter, urgent ones first, or frees
// it.
func (w *writeSlot) release() {
	if w == nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	var next chan struct{}
	switch {
	case len(w.urgent) > 0:
		next, w.urgent = w.urgent[0], w.urgent[1:]
	case len(w.waiting) > 0:
		next, w.waiting = w.waiting[0], w.waiting[1:]
	default:
		w.busy = false
		return
	}
	close(next) // the slot stays busy: it is next's now
}

// beginWrite takes the write slot (urgent: before other writes waiting
// for it) and begins a transaction. The returned function rolls the
// transaction back (a no-op after Commit) and releases the slot: defer
// it.
func (s *sqlStore) beginWrite(ctx context.Context, urgent bool) (*sql.Tx, func(), error) {
	if err := s.writes.acquire(ctx, urgent); err != nil {
		return nil, nil, fmt.Errorf("wait for the writer: %w", err)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		s.writes.release()
		return nil, nil, fmt.Errorf("begin: %w", err)
	}
	return tx, func() {
		_ = tx.Rollback()
		s.writes.release()
		s.ckpt.committed()
	}, nil
}

// execWrite runs one statement that writes, holding the write slot.
func (s *sqlStore) execWrite(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if err := s.writes.acquire(ctx, false); err != nil {
		return nil, fmt.Errorf("wait for the writer: %w", err)
	}
	defer s.ckpt.committed()
	defer s.writes.release()
	return s.db.ExecContext(ctx, query, args...)
}

// checkpointer runs the SQLite store's WAL checkpoints in the
// background: checkpointAfter after the first commit since the last
// checkpoint, or as soon as checkpointCommits commits accumulated. A nil
// checkpointer (PostgreSQL, SQLite in memory) does nothing.
type checkpointer struct {
	db       *sql.DB
	kick     chan struct{} // a checkpoint is due now
	stop     chan struct{}
	done     chan struct{}
	stopOnce sync.Once

	mu      sync.Mutex
	pending int         // commits since the last checkpoint
	timer   *time.Timer // running while pending > 0
	err     error       // last checkpoint's error, reported by Ping
	runs    int         // checkpoints run
}

func startCheckpointer(db *sql.DB) *checkpointer {
	c := &checkpointer{db: db, kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go c.loop()
	return c
}

// committed counts a write transaction (committed or not: a rollback
// leaves nothing to copy, and an extra checkpoint costs little).
func (c *checkpointer) committed() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.pending++
	switch {
	case c.pending >= checkpointCommits:
		c.nudge()
	case c.pending == 1:
		if c.timer == nil {
			c.timer = time.AfterFunc(checkpointAfter, c.nudge)
		} else {
			c.timer.Reset(checkpointAfter)
		}
	}
}

// nudge asks the loop for a checkpoint.
func (c *checkpointer) nudge() {
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

func (c *checkpointer) loop() {
	defer close(c.done)
	for {
		select {
		case <-c.stop:
			return
		case <-c.kick:
		}
		c.mu.Lock()
		n := c.pending
		c.pending = 0
		if c.timer != nil {
			c.timer.Stop()
		}
		c.mu.Unlock()
		if n == 0 {
			continue
		}
		complete, err := c.checkpoint()
		c.mu.Lock()
		c.err = err
		c.runs++
		c.mu.Unlock()
		if !complete {
			// Readers kept part of the WAL, or the checkpoint failed:
			// try again later.
			c.committed()
		}
	}
}

// checkpoint runs one PASSIVE checkpoint: it copies what it can of the
// WAL into the database without waiting for readers or writers, and
// reports whether it copied all of it. A failure is retried by the next
// checkpoint and reported by Ping meanwhile: nothing is lost, the WAL
// only grows.
func (c *checkpointer) checkpoint() (complete bool, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var busy, logPages, copied int
	if err := c.db.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &logPages, &copied); err != nil {
		return false, fmt.Errorf("store: WAL checkpoint: %w", err)
	}
	return busy == 0 && copied >= logPages, nil
}

// lastErr returns the last checkpoint's error (nil when it succeeded or
// none ran yet).
func (c *checkpointer) lastErr() error {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// close stops the loop; the last connection to close checkpoints what is
// left (SQLite does it).
func (c *checkpointer) close() {
	if c == nil {
		return
	}
	c.mu.Lock()
	if c.timer != nil {
		c.timer.Stop()
	}
	c.mu.Unlock()
	c.stopOnce.Do(func() { close(c.stop) })
	<-c.done
}
