package postgres

import (
	"context"
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
