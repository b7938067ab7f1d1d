package postgres

import (
	"context"
	"errors"
	"testing"

	"github.com/cognitod/cognitod/internal/store"
	"github.com/cognitod/cognitod/internal/store/postgres/pgtest"
)

// TestFirstStatementNotPrepared: the closure's first statement fails
// while pgx prepares it (here lock_timeout, a documented URL setting, while
// another session holds a lock on the table), so the pipelined BEGIN is
// never sent. The closure's later statements must still run inside the
// transaction, which its failure rolls back: nothing it did is kept.
func TestFirstStatementNotPrepared(t *testing.T) {
	dsn := pgtest.Database(t)
	s := open(t, dsn+"&lock_timeout=200", Options{})
	defer s.Close()
	lock := connect(t, dsn)
	mustExec(t, lock, "BEGIN")
	mustExec(t, lock, "LOCK TABLE secrets IN ACCESS EXCLUSIVE MODE")
	err := s.Update(context.Background(), func(tx store.Tx) error {
		_, gerr := tx.GetSecret("k") // first statement: its Parse waits for the lock, then times out
		t.Logf("GetSecret: %v", gerr)
		if cerr := tx.CreatePool(newPool("p")); cerr != nil {
			t.Logf("CreatePool: %v", cerr)
		}
		if gerr != nil && !errors.Is(gerr, store.ErrNotFound) {
			return gerr // fn fails: nothing it did may be kept
		}
		return nil
	})
	t.Logf("Update: %v", err)
	mustExec(t, lock, "ROLLBACK")
	if err == nil {
		t.Fatal("Update succeeded: the lock did not bite")
	}
	view(t, s, func(tx store.Tx) error {
		if _, gerr := tx.GetPool("p"); gerr == nil {
			t.Errorf("the closure failed and Update failed, yet its CreatePool was committed")
		}
		return nil
	})
}
