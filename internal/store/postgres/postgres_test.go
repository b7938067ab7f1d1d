package postgres

import (
	"context"
	"errors"
	"testing"

	"github.com/cognitod/cognitod/internal/store"
	"github.com/cognitod/cognitod/internal/store/conformance"
	"github.com/cognitod/cognitod/internal/store/postgres/pgtest"
)

// TestConformance runs the store suite, each test on a fresh database.
func TestConformance(t *testing.T) {
	pgtest.Server(t)
	conformance.Run(t, func(t *testing.T) store.Store {
		return open(t, pgtest.Database(t), Options{})
	})
}

func open(t testing.TB, dsn string, opts Options) *Store {
	t.Helper()
	s, err := Open(context.Background(), dsn, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

// TestEmptyTransactions: closures that send no statement (BEGIN goes out
// with the first one) commit, fail and panic cleanly, and the connection
// is fit for the next transaction.
func TestEmptyTransactions(t *testing.T) {
	s := open(t, pgtest.Database(t), Options{})
	defer s.Close()
	ctx := context.Background()
	sentinel := errors.New("no")
	for k := 0; k < 3; k++ {
		if err := s.Update(ctx, func(store.Tx) error { return nil }); err != nil {
			t.Fatal(err)
		}
		if err := s.Update(ctx, func(store.Tx) error { return sentinel }); err != sentinel {
			t.Fatal(err)
		}
		if err := s.View(ctx, func(store.Tx) error { return nil }); err != nil {
			t.Fatal(err)
		}
		func() {
			defer func() { recover() }()
			s.Update(ctx, func(store.Tx) error { panic("boom") })
		}()
	}
	mustUpdate(t, s, func(tx store.Tx) error { return tx.CreatePool(newPool("p")) })
	view(t, s, func(tx store.Tx) error {
		_, err := tx.GetPool("p")
		return err
	})
}
