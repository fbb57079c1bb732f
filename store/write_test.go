package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"
)

// TestSQLiteWritersQueue checks that the store's own writers wait for
// each other in Go rather than in SQLite's busy handler: with a busy
// timeout of 1 ms, which SQLite's sleeping handler cannot honour for
// writers that collide, 8 goroutines recording and adding steps at once
// never fail.
func TestSQLiteWritersQueue(t *testing.T) {
	ctx := context.Background()
	s, err := OpenWith(ctx, filepath.Join(t.TempDir(), "queue.db"), Options{BusyTimeout: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const writers, each = 8, 40
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				in := sampleIncident()
				in.AuthorID = fmt.Sprintf("author-%d", w)
				id, err := s.Record(ctx, in)
				if err == nil {
					err = s.AddStep(ctx, id, Step{Name: StepDelete, Status: StatusOK})
				}
				if err == nil && i%10 == 0 {
					err = s.FollowUp(ctx, id, "prof", "vu", time.Time{})
				}
				if err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	for _, err := range errs[:min(len(errs), 5)] {
		t.Errorf("concurrent write: %v", err)
	}
	if n, err := s.Count(ctx, Filter{}); err != nil || n != writers*each {
		t.Errorf("Count = %d, %v; want %d", n, err, writers*each)
	}
}

// TestWriteSlotHonoursContext checks that a write waiting for another
// one gives up when its context ends, and that the slot is free again
// afterwards.
func TestWriteSlotHonoursContext(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "slot.db"), nil)
	if err := s.writes.acquire(context.Background(), false); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Record(ctx, sampleIncident()); !errors.Is(err, context.Canceled) {
		t.Errorf("Record while another write holds the slot, context cancelled: %v, want context.Canceled", err)
	}
	if err := s.FollowUp(ctx, "inc_x", "prof", "", time.Time{}); !errors.Is(err, context.Canceled) {
		t.Errorf("FollowUp while another write holds the slot, context cancelled: %v, want context.Canceled", err)
	}
	s.writes.release()
	if _, err := s.Record(context.Background(), sampleIncident()); err != nil {
		t.Errorf("Record after the slot was released: %v", err)
	}
}

// TestSQLiteBackgroundCheckpoints checks that a SQLite file store turns
// SQLite's automatic checkpoints off on its connections and checkpoints
// in the background instead: after a burst of commits, a checkpoint runs
// and copies the WAL into the database file.
func TestSQLiteBackgroundCheckpoints(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, filepath.Join(t.TempDir(), "ckpt.db"), nil)
	if s.ckpt == nil {
		t.Fatal("a SQLite file store has no checkpointer")
	}
	var auto int
	if err := s.db.QueryRowContext(ctx, "PRAGMA wal_autocheckpoint").Scan(&auto); err != nil || auto != 0 {
		t.Fatalf("wal_autocheckpoint = %d, %v; want 0 (the store checkpoints itself)", auto, err)
	}
	for range checkpointCommits {
		mustRecord(t, s, sampleIncident())
	}
	runs := func() int {
		s.ckpt.mu.Lock()
		defer s.ckpt.mu.Unlock()
		return s.ckpt.runs
	}
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for runs() == 0 {
		select {
		case <-wctx.Done():
			t.Fatalf("no checkpoint after %d commits", checkpointCommits)
		case <-time.After(5 * time.Millisecond):
		}
	}
	if err := s.ckpt.lastErr(); err != nil {
		t.Errorf("checkpoint: %v", err)
	}
	// Everything was copied: a new PASSIVE checkpoint finds all the WAL
	// already in the database.
	var busy, logPages, copied int
	if err := s.db.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &logPages, &copied); err != nil {
		t.Fatal(err)
	}
	if busy != 0 || copied != logPages {
		t.Errorf("after the background checkpoint: busy %d, %d WAL pages, %d in the database", busy, logPages, copied)
	}
	if err := s.Ping(ctx); err != nil {
		t.Errorf("Ping: %v", err)
	}
	// Closing stops the checkpointer; closing twice is harmless.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s.ckpt.close()

	mem := openStore(t, ":memory:", nil)
	if mem.ckpt != nil {
		t.Error("a memory store has a checkpointer")
	}
}

// TestPingReportsCheckpointFailure checks that a failed background
// checkpoint shows in Ping until a checkpoint succeeds.
func TestPingReportsCheckpointFailure(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, filepath.Join(t.TempDir(), "ping.db"), nil)
	s.ckpt.mu.Lock()
	s.ckpt.err = errors.New("store: WAL checkpoint: disk I/O error")
	s.ckpt.mu.Unlock()
	if err := s.Ping(ctx); err == nil || !errors.Is(err, s.ckpt.lastErr()) {
		t.Errorf("Ping after a failed checkpoint = %v", err)
	}
	complete, err := s.ckpt.checkpoint()
	if err != nil || !complete {
		t.Fatalf("checkpoint = %v, %v", complete, err)
	}
	s.ckpt.mu.Lock()
	s.ckpt.err = err
	s.ckpt.mu.Unlock()
	if err := s.Ping(ctx); err != nil {
		t.Errorf("Ping after a good checkpoint: %v", err)
	}
}

// TestWriteSlotServesIncidentsFirst checks the order in which waiting
// writes get the slot: new incidents first, then the other writes, each
// in the order they came.
func TestWriteSlotServesIncidentsFirst(t *testing.T) {
	ctx := context.Background()
	w := newWriteSlot()
	if err := w.acquire(ctx, false); err != nil {
		t.Fatal(err)
	}
	var (
		mu    sync.Mutex
		order []string
		wg    sync.WaitGroup
	)
	queued := func(urgent, waiting int) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			w.mu.Lock()
			u, n := len(w.urgent), len(w.waiting)
			w.mu.Unlock()
			if u == urgent && n == waiting {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d urgent and %d other waiters, want %d and %d", u, n, urgent, waiting)
			}
			time.Sleep(time.Millisecond)
		}
	}
	take := func(name string, urgent bool) {
		wg.Go(func() {
			if err := w.acquire(ctx, urgent); err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			order = append(order, name)
			mu.Unlock()
			w.release()
		})
	}
	take("step 1", false)
	queued(0, 1)
	take("step 2", false)
	queued(0, 2)
	take("incident 1", true)
	queued(1, 2)
	take("incident 2", true)
	queued(2, 2)
	w.release()
	wg.Wait()
	want := []string{"incident 1", "incident 2", "step 1", "step 2"}
	if !slices.Equal(order, want) {
		t.Errorf("served in the order %q, want %q", order, want)
	}
	// A waiter whose context ends leaves the queue; the slot stays usable.
	if err := w.acquire(ctx, false); err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithCancel(ctx)
	errc := make(chan error, 1)
	go func() { errc <- w.acquire(cctx, true) }()
	queued(1, 0)
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled waiter: %v", err)
	}
	queued(0, 0)
	w.release()
	if err := w.acquire(ctx, false); err != nil {
		t.Errorf("slot not free after the cancelled waiter left: %v", err)
	}
}
