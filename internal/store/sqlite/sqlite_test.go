package sqlite

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cognitod/cognitod/internal/store"
	"github.com/cognitod/cognitod/internal/store/conformance"
)

// TestConformance runs the store suite on a file and in memory, on every
// driver compiled in (-tags mattn adds the cgo one).
func TestConformance(t *testing.T) {
	for _, driver := range Drivers() {
		t.Run(driver, func(t *testing.T) {
			t.Run("file", func(t *testing.T) {
				conformance.Run(t, func(t *testing.T) store.Store {
					return open(t, filepath.Join(t.TempDir(), "cognitod.db"), Options{Driver: driver})
				})
			})
			t.Run("memory", func(t *testing.T) {
				conformance.Run(t, func(t *testing.T) store.Store {
					return open(t, Memory, Options{Driver: driver})
				})
			})
		})
	}
}

// TestConformanceRehearsed runs the suite with every Update closure run
// twice and undone before its real run, as PostgreSQL's retries may run
// it: a closure with effects outside its Tx fails here, on SQLite too.
func TestConformanceRehearsed(t *testing.T) {
	conformance.Run(t, func(t *testing.T) store.Store {
		s := open(t, filepath.Join(t.TempDir(), "cognitod.db"), Options{})
		if !strings.HasSuffix(t.Name(), "/ListDatasets") {
			// testListDatasets appends to a slice outside the store from
			// its closure (see postgres.TestConformanceRetried).
			s.rehearsals = 2
		}
		return s
	})
}

func open(t testing.TB, dsn string, opts Options) *Store {
	t.Helper()
	s, err := Open(context.Background(), dsn, opts)
	if err != nil {
		t.Fatalf("Open(%s): %v", dsn, err)
	}
	return s
}

func newPool(id string) *store.Pool {
	now := time.Now()
	return &store.Pool{ID: id, Account: "123456789012", Region: "us-east-1", Name: "p", CreatedAt: now, UpdatedAt: now}
}

func mustUpdate(t testing.TB, s *Store, fn func(store.Tx) error) {
	t.Helper()
	if err := s.Update(context.Background(), fn); err != nil {
		t.Fatalf("Update: %v", err)
	}
}

// TestPragmas checks the settings durability and cascades depend on.
func TestPragmas(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "p.db"), Options{})
	defer s.Close()
	want := map[string]string{"journal_mode": "wal", "synchronous": "2", "foreign_keys": "1", "busy_timeout": "5000"}
	mustUpdate(t, s, func(stx store.Tx) error {
		for p, w := range want {
			var got string
			if err := stx.(*tx).c.c.QueryRowContext(context.Background(), "PRAGMA "+p).Scan(&got); err != nil {
				return err
			}
			if got != w {
				t.Errorf("writer: PRAGMA %s = %s, want %s", p, got, w)
			}
		}
		return nil
	})
	err := s.View(context.Background(), func(stx store.Tx) error {
		var got string
		err := stx.(*tx).c.c.QueryRowContext(context.Background(), "PRAGMA query_only").Scan(&got)
		if got != "1" {
			t.Errorf("reader: PRAGMA query_only = %s, want 1", got)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestReopen checks that a reopened file has every committed Update, and
// that reopening does not apply migrations again.
func TestReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.db")
	s := open(t, path, Options{})
	var wg sync.WaitGroup
	for k := range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.Update(context.Background(), func(tx store.Tx) error { return tx.CreatePool(newPool(fmt.Sprint("us-east-1:", k))) }); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		s = open(t, path, Options{})
		err := s.View(context.Background(), func(stx store.Tx) error {
			n, err := stx.CountPools("123456789012", "us-east-1")
			if n != 100 {
				t.Errorf("reopened store has %d pools, want 100", n)
			}
			var versions int
			stx.(*tx).c.c.QueryRowContext(context.Background(), "SELECT count(*) FROM schema_migrations").Scan(&versions)
			if versions != len(migrations) {
				t.Errorf("schema_migrations has %d rows, want %d", versions, len(migrations))
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		s.Close()
	}
}

// TestNewerSchema checks that a database from a newer cognitod is refused.
func TestNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "n.db")
	s := open(t, path, Options{})
	mustUpdate(t, s, func(stx store.Tx) error {
		_, err := stx.(*tx).c.c.ExecContext(context.Background(), "INSERT INTO schema_migrations VALUES (?, 0)", len(migrations)+1)
		return err
	})
	s.Close()
	if s, err := Open(context.Background(), path, Options{}); err == nil {
		s.Close()
		t.Fatal("Open accepted a schema newer than it knows")
	}
}

// blockWriter makes the writer run a closure that waits for release, so
// that Updates queue up behind it.
func blockWriter(t *testing.T, s *Store) (release func(), done <-chan error) {
	entered, unblock := make(chan struct{}), make(chan struct{})
	errc := make(chan error, 1)
	go func() {
		errc <- s.Update(context.Background(), func(tx store.Tx) error {
			close(entered)
			<-unblock
			return tx.CreatePool(newPool("us-east-1:blocker"))
		})
	}()
	<-entered
	return func() { close(unblock) }, errc
}

// TestGroupCommit checks that Updates queued while the writer is busy share
// commits.
func TestGroupCommit(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "g.db"), Options{})
	defer s.Close()
	release, blocked := blockWriter(t, s)
	const n = 100
	var wg sync.WaitGroup
	for k := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.Update(context.Background(), func(tx store.Tx) error { return tx.CreatePool(newPool(fmt.Sprint("us-east-1:", k))) }); err != nil {
				t.Error(err)
			}
		}()
	}
	// Wait until all n are queued behind the blocker (the channel is
	// unbuffered, so "queued" means blocked in send; give them time).
	time.Sleep(200 * time.Millisecond)
	before, updates := s.BatchCounts()
	release()
	wg.Wait()
	if err := <-blocked; err != nil {
		t.Fatal(err)
	}
	// The blocker's own batch, then n more: a batch holds up to 256.
	c, u := s.BatchCounts()
	if c-before > 3 {
		t.Errorf("%d queued Updates took %d commits", n, c-before)
	}
	// The blocker was counted when its batch committed, after before.
	if u-updates != n+1 {
		t.Errorf("BatchCounts: %d Updates committed, want %d", u-updates, n+1)
	}
}

// TestCancelQueued checks that a caller who gives up while its Update is
// queued gets its context's error, and its closure never runs.
func TestCancelQueued(t *testing.T) {
	s := open(t, Memory, Options{})
	defer s.Close()
	release, blocked := blockWriter(t, s)
	ctx, cancel := context.WithCancel(context.Background())
	var ran atomic.Bool
	errc := make(chan error, 1)
	go func() {
		errc <- s.Update(ctx, func(tx store.Tx) error { ran.Store(true); return nil })
	}()
	time.Sleep(50 * time.Millisecond)
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("canceled Update returned %v", err)
	}
	release()
	if err := <-blocked; err != nil {
		t.Fatal(err)
	}
	mustUpdate(t, s, func(store.Tx) error { return nil }) // the writer is past the canceled one
	if ran.Load() {
		t.Fatal("a canceled Update's closure ran")
	}
}

// TestGoexit checks that a closure calling runtime.Goexit (t.FailNow inside
// Update) fails its Update instead of killing the writer.
func TestGoexit(t *testing.T) {
	s := open(t, Memory, Options{})
	defer s.Close()
	err := s.Update(context.Background(), func(tx store.Tx) error {
		tx.CreatePool(newPool("us-east-1:gone"))
		runtime.Goexit()
		return nil
	})
	if !errors.Is(err, errGoexit) {
		t.Fatalf("Update returned %v, want errGoexit", err)
	}
	// Updates batched with one that exits are answered too.
	release, blocked := blockWriter(t, s)
	errs := make(chan error, 2)
	go func() {
		errs <- s.Update(context.Background(), func(store.Tx) error { runtime.Goexit(); return nil })
	}()
	go func() {
		errs <- s.Update(context.Background(), func(tx store.Tx) error { return tx.CreatePool(newPool("us-east-1:bystander")) })
	}()
	time.Sleep(50 * time.Millisecond)
	release()
	if err := <-blocked; err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := <-errs; err != nil && !errors.Is(err, errGoexit) {
			t.Fatalf("Update batched with a Goexit returned %v", err)
		}
	}
	mustUpdate(t, s, func(tx store.Tx) error { return tx.CreatePool(newPool("us-east-1:next")) })
	err = s.View(context.Background(), func(tx store.Tx) error {
		if _, err := tx.GetPool("us-east-1:gone"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetPool(gone): %v", err)
		}
		_, err := tx.GetPool("us-east-1:next")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestViewDoesNotBlockWriter checks WAL's promise on a file store: an open
// View neither blocks a commit nor sees it.
func TestViewDoesNotBlockWriter(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "v.db"), Options{})
	defer s.Close()
	err := s.View(context.Background(), func(tx store.Tx) error {
		if n, _ := tx.CountPools("123456789012", "us-east-1"); n != 0 {
			t.Fatalf("%d pools before", n)
		}
		mustUpdate(t, s, func(tx store.Tx) error { return tx.CreatePool(newPool("us-east-1:p")) })
		n, err := tx.CountPools("123456789012", "us-east-1")
		if n != 0 {
			t.Errorf("View saw a commit made after it started")
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestListIdentitiesOneQuery: a listing, logins included, is one query
// however many identities it returns, some with logins (two for every
// third), some without.
func TestListIdentitiesOneQuery(t *testing.T) {
	s := open(t, Memory, Options{})
	defer s.Close()
	const n = 1101
	mustUpdate(t, s, func(tx store.Tx) error {
		if err := tx.CreatePool(newPool("us-east-1:p")); err != nil {
			return err
		}
		for k := range n {
			id := fmt.Sprintf("us-east-1:%05d", k)
			if err := tx.CreateIdentity(&store.Identity{ID: id, PoolID: "us-east-1:p"}); err != nil {
				return err
			}
			for p := k%3 - 1; p >= 0; p-- { // inserted out of order
				if err := tx.AddLogin(&store.Login{PoolID: "us-east-1:p", Provider: fmt.Sprint("dev", p), Subject: id, IdentityID: id}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	err := s.View(context.Background(), func(tx store.Tx) error {
		before := s.QueryCount()
		is, err := tx.ListIdentities("us-east-1:p", "", 0, false)
		if queries := s.QueryCount() - before; queries != 1 {
			t.Errorf("listing %d identities took %d queries, want 1", n, queries)
		}
		if len(is) != n {
			t.Fatalf("listed %d identities, want %d", len(is), n)
		}
		for k, i := range is {
			if want := fmt.Sprintf("us-east-1:%05d", k); i.ID != want {
				t.Fatalf("identity %d is %s, want %s", k, i.ID, want)
			}
			if len(i.Logins) != k%3 {
				t.Fatalf("identity %s has %d logins, want %d", i.ID, len(i.Logins), k%3)
			}
			for p, l := range i.Logins {
				if l.Provider != fmt.Sprint("dev", p) || l.Subject != i.ID || l.IdentityID != i.ID || l.PoolID != "us-east-1:p" {
					t.Fatalf("identity %s login %d: %+v", i.ID, p, l)
				}
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestLostTransaction: when SQLite abandons the batch's transaction (here
// SQLITE_FULL from an insert with no statement journal, as a full disk
// gives), the closures after the failing one must not run on their own in
// autocommit, every caller must be told its Update failed, nothing of the
// batch may be kept, and the writer's pool cache must forget what the batch
// read.
func TestLostTransaction(t *testing.T) {
	ctx := context.Background()
	s := open(t, filepath.Join(t.TempDir(), "full.db"), Options{})
	defer s.Close()
	p := newPool("us-east-1:kept")
	p.Config = []byte(`{"v":1}`)
	mustUpdate(t, s, func(tx store.Tx) error { return tx.CreatePool(p) })
	var pages int64
	if err := s.writer.c.QueryRowContext(ctx, "PRAGMA page_count").Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if _, err := s.writer.c.ExecContext(ctx, fmt.Sprint("PRAGMA max_page_count = ", pages+1)); err != nil {
		t.Fatal(err)
	}
	update := func(v string) func(store.Tx) error {
		return func(tx store.Tx) error {
			q, err := tx.GetPool(p.ID) // through the writer's cache
			if err != nil {
				return err
			}
			q.Config = []byte(`{"v":` + v + `}`) // the same size: no new page
			return tx.UpdatePool(q)
		}
	}
	big := newPool("us-east-1:big")
	big.Config = make([]byte, 256<<10) // ~64 new pages: SQLITE_FULL
	var ranAfter bool
	fns := []func(store.Tx) error{
		func(tx store.Tx) error { return tx.PutSecret("a", []byte("a")) },
		update("9"),
		func(tx store.Tx) error { _, err := tx.GetPool(p.ID); return err }, // caches {"v":9}
		func(tx store.Tx) error { return tx.CreatePool(big) },
		func(tx store.Tx) error { ranAfter = true; return update("2")(tx) },
	}
	batch := make([]*request, len(fns))
	for k, fn := range fns {
		batch[k] = &request{fn: fn, done: make(chan result, 1)}
	}
	s.commit(batch)
	for k, r := range batch {
		if res := <-r.done; res.err == nil {
			t.Errorf("closure %d: Update succeeded in a batch SQLite rolled back", k)
		}
	}
	if ranAfter {
		t.Error("a closure ran after the batch's transaction was lost")
	}
	if _, err := s.writer.c.ExecContext(ctx, "PRAGMA max_page_count = 1073741823"); err != nil {
		t.Fatal(err)
	}
	err := s.View(ctx, func(tx store.Tx) error {
		if q, err := tx.GetPool(p.ID); err != nil || string(q.Config) != `{"v":1}` {
			t.Errorf("pool after the lost batch: %v, %v; want it as before", q, err)
		}
		if _, err := tx.GetSecret("a"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("the lost batch's secret: %v, want ErrNotFound", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	mustUpdate(t, s, func(tx store.Tx) error {
		if q, err := tx.GetPool(p.ID); err != nil || string(q.Config) != `{"v":1}` {
			t.Errorf("the writer's next batch reads the pool as %v, %v; want it as stored", q, err)
		}
		return nil
	})
}
