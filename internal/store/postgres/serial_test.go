package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/cognitod/cognitod/internal/store"
	"github.com/cognitod/cognitod/internal/store/postgres/pgtest"
)

// TestUniqueRace checks what PostgreSQL does when two SERIALIZABLE
// transactions insert the same new key, which is what two nodes serving
// GetId for the same new login do. The store relies on the loser getting a
// serialization failure (40001), which Update retries, and never a silent
// "nothing inserted" taken from a row its snapshot cannot see. Plain
// INSERTs are checked too, for the record: after a read of the key the
// duplicate is also reported as 40001 (PostgreSQL 9.6+); without one it is
// a unique violation (23505).
func TestUniqueRace(t *testing.T) {
	dsn := pgtest.Database(t)
	s := open(t, dsn, Options{})
	defer s.Close()
	ctx := context.Background()
	mustUpdate(t, s, func(tx store.Tx) error {
		if err := tx.CreatePool(newPool("p")); err != nil {
			return err
		}
		return tx.CreateIdentity(&store.Identity{ID: "i", PoolID: "p"})
	})
	cases := []struct {
		name      string
		readFirst bool
		insert    string
		want      string
	}{
		{"read, then ON CONFLICT DO NOTHING", true, "INSERT INTO logins VALUES ($1, 'prov', 'subj', 'i', 0) ON CONFLICT DO NOTHING", "40001"},
		{"ON CONFLICT DO NOTHING without a read", false, "INSERT INTO logins VALUES ($1, 'prov', 'subj', 'i', 0) ON CONFLICT DO NOTHING", "40001"},
		{"read, then plain INSERT", true, "INSERT INTO logins VALUES ($1, 'prov', 'subj', 'i', 0)", "40001"},
		{"plain INSERT without a read", false, "INSERT INTO logins VALUES ($1, 'prov', 'subj', 'i', 0)", "23505"},
	}
	for k, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pool := []byte(fmt.Sprint("pool", k))
			a, bc := connect(t, dsn), connect(t, dsn)
			var bPID uint32
			if err := bc.QueryRow(ctx, "SELECT pg_backend_pid()").Scan(&bPID); err != nil {
				t.Fatal(err)
			}
			for _, conn := range []*pgx.Conn{a, bc} {
				mustExec(t, conn, beginUpdate)
				if c.readFirst {
					var n int
					if err := conn.QueryRow(ctx, "SELECT count(*) FROM logins WHERE pool_id = $1 AND provider = 'prov' AND subject = 'subj'", pool).Scan(&n); err != nil || n != 0 {
						t.Fatalf("read: %d, %v", n, err)
					}
				}
			}
			mustExec(t, a, c.insert, pool)
			// b's insert waits for a's transaction to end.
			done := make(chan error, 1)
			go func() {
				_, err := bc.Exec(ctx, c.insert, pool)
				if err == nil {
					_, err = bc.Exec(ctx, "COMMIT")
				}
				done <- err
			}()
			// Commit a only once b is blocked on a's row. Without a read, b's
			// snapshot is taken by its INSERT; were a to commit before b's
			// INSERT began, b would see a's row and rightly insert nothing.
			waitForLock(t, dsn, bPID)
			mustExec(t, a, "COMMIT")
			err := <-done
			var pe *pgconn.PgError
			if !errors.As(err, &pe) || pe.Code != c.want {
				t.Fatalf("second insert: %v, want SQLSTATE %s", err, c.want)
			}
			bc.Exec(ctx, "ROLLBACK")
		})
	}
}

// TestUpdateRetriesLostRace plays GetId's race through Update: two
// closures look a login up, both find nothing, both create an identity and
// add the login. One commits; the other hits the serialization failure, is
// run again, finds the winner's login and returns its identity.
func TestUpdateRetriesLostRace(t *testing.T) {
	s := open(t, pgtest.Database(t), Options{})
	defer s.Close()
	mustUpdate(t, s, func(tx store.Tx) error { return tx.CreatePool(newPool("p")) })
	var barrier sync.WaitGroup
	barrier.Add(2)
	var runs atomic.Int32
	got := make([]string, 2)
	errs := parallel(2, func(k int) error {
		first := true
		return s.Update(context.Background(), func(tx store.Tx) error {
			runs.Add(1)
			l, err := tx.FindLogin("p", "dev", "same-user")
			if first {
				first = false
				barrier.Done()
				barrier.Wait() // both have looked before either writes
			}
			if err == nil {
				got[k] = l.IdentityID
				return nil
			}
			if !errors.Is(err, store.ErrNotFound) {
				return err
			}
			id := fmt.Sprint("identity-", k)
			if err := tx.CreateIdentity(&store.Identity{ID: id, PoolID: "p"}); err != nil {
				return err
			}
			got[k] = id
			return tx.AddLogin(&store.Login{PoolID: "p", Provider: "dev", Subject: "same-user", IdentityID: id})
		})
	})
	for k, err := range errs {
		if err != nil {
			t.Fatalf("Update %d: %v", k, err)
		}
	}
	if got[0] != got[1] {
		t.Fatalf("the two callers got identities %s and %s", got[0], got[1])
	}
	if runs.Load() < 3 || s.Retries() < 1 {
		t.Fatalf("%d closure runs, %d retries: the loser was not retried", runs.Load(), s.Retries())
	}
	view(t, s, func(tx store.Tx) error {
		is, err := tx.ListIdentities("p", "", 0, false)
		if err != nil {
			return err
		}
		if len(is) != 1 || is[0].ID != got[0] || len(is[0].Logins) != 1 {
			t.Fatalf("identities after the race: %d (want just %s with its login)", len(is), got[0])
		}
		return nil
	})
}

// TestWriteSkew is the anomaly that snapshot isolation allows and
// SERIALIZABLE does not: two closures each read both of two rows and, if
// both are "on", turn their own off. Under snapshot isolation both commit
// and both end up off; here one is retried and sees the other's write.
func TestWriteSkew(t *testing.T) {
	s := open(t, pgtest.Database(t), Options{})
	defer s.Close()
	for round := 0; round < 5; round++ {
		a, bp := fmt.Sprint("a", round), fmt.Sprint("b", round)
		mustUpdate(t, s, func(tx store.Tx) error {
			for _, id := range []string{a, bp} {
				p := newPool(id)
				p.Config = []byte("on")
				if err := tx.CreatePool(p); err != nil {
					return err
				}
			}
			return nil
		})
		var barrier sync.WaitGroup
		barrier.Add(2)
		errs := parallel(2, func(k int) error {
			mine, other := a, bp
			if k == 1 {
				mine, other = bp, a
			}
			first := true
			return s.Update(context.Background(), func(tx store.Tx) error {
				pm, err := tx.GetPool(mine)
				if err != nil {
					return err
				}
				po, err := tx.GetPool(other)
				if err != nil {
					return err
				}
				if first {
					first = false
					barrier.Done()
					barrier.Wait()
				}
				if string(pm.Config) == "on" && string(po.Config) == "on" {
					pm.Config = []byte("off")
					return tx.UpdatePool(pm)
				}
				return nil
			})
		})
		for k, err := range errs {
			if err != nil {
				t.Fatalf("round %d, Update %d: %v", round, k, err)
			}
		}
		view(t, s, func(tx store.Tx) error {
			pa, _ := tx.GetPool(a)
			pb, _ := tx.GetPool(bp)
			if string(pa.Config) == "off" && string(pb.Config) == "off" {
				t.Fatalf("round %d: write skew: both turned off", round)
			}
			return nil
		})
	}
}

// TestConcurrentMigrations opens a fresh database from eight stores at
// once, as nodes started together do, a few times over.
func TestConcurrentMigrations(t *testing.T) {
	for round := 0; round < 3; round++ {
		dsn := pgtest.Database(t)
		const n = 8
		stores := make([]*Store, n)
		errs := parallel(n, func(k int) (err error) {
			stores[k], err = Open(context.Background(), dsn, Options{})
			return err
		})
		for k, err := range errs {
			if err != nil {
				t.Fatalf("round %d: Open %d: %v", round, k, err)
			}
			defer stores[k].Close()
		}
		conn := connect(t, dsn)
		var versions []int64
		rows, err := conn.Query(context.Background(), "SELECT version FROM schema_migrations ORDER BY version")
		if err != nil {
			t.Fatal(err)
		}
		versions, err = pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			t.Fatal(err)
		}
		if len(versions) != len(migrations)+1 || versions[len(versions)-1] != int64(len(migrations)) {
			t.Fatalf("round %d: schema_migrations holds %v, want 0..%d", round, versions, len(migrations))
		}
		// Every store works on the schema.
		for k, s := range stores {
			mustUpdate(t, s, func(tx store.Tx) error { return tx.CreatePool(newPool(fmt.Sprint("p", k))) })
		}
	}
}

// TestNewerSchemaRefused: a database migrated by a newer cognitod is not
// guessed at.
func TestNewerSchemaRefused(t *testing.T) {
	dsn := pgtest.Database(t)
	open(t, dsn, Options{}).Close()
	mustExec(t, connect(t, dsn), "INSERT INTO schema_migrations (version, applied) VALUES ($1, 0)", len(migrations)+1)
	_, err := Open(context.Background(), dsn, Options{})
	if err == nil || !strings.Contains(err.Error(), "newer") {
		t.Fatalf("Open on a newer schema: %v", err)
	}
}

// TestStrings: strings are bytes, stored whole (NUL, invalid UTF-8, the
// empty string) and ordered byte-wise, as SQLite's TEXT keeps them.
func TestStrings(t *testing.T) {
	s := open(t, pgtest.Database(t), Options{})
	defer s.Close()
	odd := []string{"", "\x00", "a\x00b", "\xff\xfe", "é", "B", "a", "~"}
	empty := ""
	mustUpdate(t, s, func(tx store.Tx) error {
		if err := tx.CreatePool(newPool("p")); err != nil {
			return err
		}
		if err := tx.CreateIdentity(&store.Identity{ID: "i", PoolID: "p"}); err != nil {
			return err
		}
		for _, v := range odd {
			if err := tx.AddLogin(&store.Login{PoolID: "p", Provider: "dev", Subject: v, IdentityID: "i"}); err != nil {
				return fmt.Errorf("AddLogin(%q): %w", v, err)
			}
			val := v
			if err := tx.PutRecord(&store.Record{IdentityID: "i", Dataset: "d", Key: v + "k", Value: &val}); err != nil {
				return err
			}
		}
		return tx.PutRecord(&store.Record{IdentityID: "i", Dataset: "d", Key: "removed", Value: nil})
	})
	view(t, s, func(tx store.Tx) error {
		ls, err := tx.ListLogins("i", "dev", "", 0)
		if err != nil {
			return err
		}
		// Byte order; "" is stored but not > "".
		want := []string{"\x00", "B", "a", "a\x00b", "~", "é", "\xff\xfe"}
		var got []string
		for _, l := range ls {
			got = append(got, l.Subject)
		}
		if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", want) {
			t.Errorf("subjects %q, want %q", got, want)
		}
		for _, v := range odd {
			if l, err := tx.FindLogin("p", "dev", v); err != nil || l.IdentityID != "i" {
				t.Errorf("FindLogin(%q): %v", v, err)
			}
			r, err := tx.GetRecord("i", "d", v+"k")
			if err != nil {
				return err
			}
			if r.Value == nil || *r.Value != v {
				t.Errorf("record %q: value %v", v+"k", r.Value)
			}
		}
		r, err := tx.GetRecord("i", "d", "removed")
		if err != nil {
			return err
		}
		if r.Value != nil {
			t.Errorf("removed record has value %q", *r.Value)
		}
		r, err = tx.GetRecord("i", "d", "k")
		if err != nil || r.Value == nil || *r.Value != empty {
			t.Errorf("record with the empty value: %+v, %v", r, err)
		}
		return nil
	})
}

// TestCanceledDuringRetry: a context that ends while Update waits to retry
// ends the Update with its error.
func TestCanceledDuringRetry(t *testing.T) {
	s := open(t, pgtest.Database(t), Options{BaseBackoff: time.Hour, MaxBackoff: time.Hour})
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	err := s.Update(ctx, func(st store.Tx) error {
		// Fail the way a serialization failure does.
		return st.(*tx).fail("test", &pgconn.PgError{Code: "40001"})
	})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Update: %v, want the context's error", err)
	}
}

// parallel runs fn(0..n-1) on n goroutines released together.
func parallel(n int, fn func(k int) error) []error {
	errs := make([]error, n)
	var start, done sync.WaitGroup
	start.Add(1)
	for k := range n {
		done.Add(1)
		go func() {
			defer done.Done()
			start.Wait()
			errs[k] = fn(k)
		}()
	}
	start.Done()
	done.Wait()
	return errs
}

func newPool(id string) *store.Pool {
	return &store.Pool{ID: id, Account: "123456789012", Region: "us-east-1", Name: id}
}

func mustUpdate(t testing.TB, s *Store, fn func(store.Tx) error) {
	t.Helper()
	if err := s.Update(context.Background(), fn); err != nil {
		t.Fatalf("Update: %v", err)
	}
}

func view(t testing.TB, s *Store, fn func(store.Tx) error) {
	t.Helper()
	if err := s.View(context.Background(), fn); err != nil {
		t.Fatalf("View: %v", err)
	}
}

func connect(t testing.TB, dsn string) *pgx.Conn {
	t.Helper()
	c, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

// waitForLock waits until the backend pid is waiting for a lock, which is
// how an INSERT of a key another open transaction has inserted waits.
func waitForLock(t testing.TB, dsn string, pid uint32) {
	t.Helper()
	obs := connect(t, dsn)
	deadline := time.Now().Add(30 * time.Second)
	for {
		var waiting bool
		err := obs.QueryRow(context.Background(),
			"SELECT coalesce(wait_event_type = 'Lock', false) FROM pg_stat_activity WHERE pid = $1", pid).Scan(&waiting)
		if err != nil {
			t.Fatalf("pg_stat_activity: %v", err)
		}
		if waiting {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("backend %d never waited for a lock", pid)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func mustExec(t testing.TB, c *pgx.Conn, sql string, args ...any) {
	t.Helper()
	if _, err := c.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// TestRetryTimeout: a closure that never stops failing to serialize is
// given up after RetryTimeout, with the serialization failure.
func TestRetryTimeout(t *testing.T) {
	s := open(t, pgtest.Database(t), Options{RetryTimeout: 200 * time.Millisecond})
	defer s.Close()
	start := time.Now()
	runs := 0
	err := s.Update(context.Background(), func(st store.Tx) error {
		runs++
		return st.(*tx).fail("test", &pgconn.PgError{Code: "40001"})
	})
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "40001" || time.Since(start) < 200*time.Millisecond || runs < 5 {
		t.Fatalf("Update: %v after %v and %d runs, want the serialization failure after 200ms of retries", err, time.Since(start), runs)
	}
}
