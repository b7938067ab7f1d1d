package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"

	"github.com/cognitod/cognitod/internal/store"
)

// getPool reads pool id in an Update (where the writer's cache applies)
// and reports how many statements the store ran for it.
func getPool(t *testing.T, s *Store, id string) (*store.Pool, error, int64) {
	t.Helper()
	var p *store.Pool
	var perr error
	before := s.QueryCount()
	if err := s.Update(context.Background(), func(tx store.Tx) error {
		p, perr = tx.GetPool(id)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return p, perr, s.QueryCount() - before
}

// TestPoolCache: a pool read in one Update is served from the writer's
// cache in the next (one statement fewer), and the cache follows every
// change: updates, deletes, updates undone by a failing closure, changes
// made to what GetPool returned, and commits from another connection.
func TestPoolCache(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cache.db")
	s := open(t, path, Options{})
	defer s.Close()
	const id = "us-east-1:cached"
	p := newPool(id)
	p.Config = []byte(`{"a":1}`)
	mustUpdate(t, s, func(tx store.Tx) error { return tx.CreatePool(p) })

	_, _, first := getPool(t, s, id)
	got, _, second := getPool(t, s, id)
	if second != first-1 {
		t.Errorf("second GetPool ran %d statements, the first %d: want one fewer (the cache)", second, first)
	}
	// What a caller does to its copy does not reach the cache.
	got.Name, got.Config[0] = "changed by a caller", 'X'
	if again, _, _ := getPool(t, s, id); again.Name != "p" || string(again.Config) != `{"a":1}` {
		t.Errorf("after a caller changed its copy: %q %s", again.Name, again.Config)
	}

	// An update is seen at once.
	mustUpdate(t, s, func(tx store.Tx) error {
		q, err := tx.GetPool(id)
		if err != nil {
			return err
		}
		q.Name = "renamed"
		return tx.UpdatePool(q)
	})
	if q, _, _ := getPool(t, s, id); q.Name != "renamed" {
		t.Errorf("after UpdatePool: name %q, want renamed", q.Name)
	}

	// An update undone (its closure fails after reading the pool again)
	// leaves the pool as it was.
	undo := errors.New("undo")
	err := s.Update(context.Background(), func(tx store.Tx) error {
		q, _ := tx.GetPool(id)
		q.Name = "undone"
		if err := tx.UpdatePool(q); err != nil {
			return err
		}
		if r, _ := tx.GetPool(id); r.Name != "undone" {
			t.Errorf("the closure's own GetPool after its UpdatePool: %q, want undone", r.Name)
		}
		return undo
	})
	if !errors.Is(err, undo) {
		t.Fatalf("Update = %v", err)
	}
	if q, _, _ := getPool(t, s, id); q.Name != "renamed" {
		t.Errorf("after an undone UpdatePool: name %q, want renamed", q.Name)
	}

	// Another connection (another process) commits a change.
	db, err := sql.Open(DefaultDriver, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("UPDATE pools SET name = 'outside' WHERE id = ?", id); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if q, _, _ := getPool(t, s, id); q.Name != "outside" {
		t.Errorf("after another connection's commit: name %q, want outside", q.Name)
	}

	// A delete is seen at once.
	mustUpdate(t, s, func(tx store.Tx) error { return tx.DeletePool(id) })
	if _, err, _ := getPool(t, s, id); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("after DeletePool: %v, want ErrNotFound", err)
	}

	// A wipe (the reset endpoint, import) empties it.
	mustUpdate(t, s, func(tx store.Tx) error { return tx.CreatePool(newPool(id)) })
	getPool(t, s, id)
	if err := s.Wipe(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err, _ := getPool(t, s, id); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("after Wipe: %v, want ErrNotFound", err)
	}
}
