package sqlite

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/cognitod/cognitod/internal/store"
)

// TestGenerationSeesOtherProcess: a commit by another connection to the
// file (another process, as SQLite sees it) changes the generation on every
// read connection, though this store's writer counted nothing.
func TestGenerationSeesOtherProcess(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "c.db")
	s := open(t, path, Options{Readers: 3})
	other := open(t, path, Options{})
	gen := func() uint64 {
		t.Helper()
		g, ok, err := s.Generation(ctx)
		if err != nil || !ok {
			t.Fatalf("Generation: %d, %v, %v", g, ok, err)
		}
		return g
	}
	for range 6 { // each read connection answers once
		gen()
	}
	g := gen()
	for n := range 3 {
		err := other.Update(ctx, func(tx store.Tx) error {
			return tx.CreatePool(&store.Pool{ID: "us-east-1:0000000" + string(rune('0'+n)) + "-0000-0000-0000-000000000000",
				Name: "p", Account: "123456789012", Region: "us-east-1", CreatedAt: time.Unix(1, 0)})
		})
		if err != nil {
			t.Fatal(err)
		}
		// Three read connections, each asked twice, each time a later
		// generation than before the commit.
		for range 6 {
			if now := gen(); now <= g {
				t.Fatalf("commit %d by another process: generation %d, was %d", n, now, g)
			}
		}
		g = gen()
		if now := gen(); now != g {
			t.Fatalf("generation %d, then %d with nothing committed", g, now)
		}
	}
}
