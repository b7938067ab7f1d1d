package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/cognitod/cognitod/internal/store"
	"github.com/cognitod/cognitod/internal/store/conformance"
)

// countersVersion is the schema version whose migration creates the
// identity counters.
const countersVersion = 3

// TestCountersBackfill writes pools and identities into a database at the
// schema before the counters, as the cognitod of that version did, then
// opens it: the migration must count what is there.
func TestCountersBackfill(t *testing.T) {
	if migrations[countersVersion-1] != countersMigration {
		t.Fatalf("migration %d is not countersMigration: fix countersVersion", countersVersion)
	}
	conformance.RunBackfill(t, func(t *testing.T, seed conformance.BackfillSeed) store.Store {
		path := filepath.Join(t.TempDir(), "old.db")
		db, err := sql.Open(DefaultDriver, path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		ctx := context.Background()
		stmts := []string{"PRAGMA foreign_keys = ON", `CREATE TABLE schema_migrations (
	version INTEGER NOT NULL PRIMARY KEY,
	applied INTEGER NOT NULL
)`}
		stmts = append(stmts, migrations[:countersVersion-1]...)
		for _, q := range stmts {
			if _, err := db.ExecContext(ctx, q); err != nil {
				t.Fatalf("old schema: %v", err)
			}
		}
		exec := func(q string, args ...any) {
			t.Helper()
			if _, err := db.ExecContext(ctx, q, args...); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		for v := 1; v < countersVersion; v++ {
			exec("INSERT INTO schema_migrations (version, applied) VALUES (?, ?)", v, time.Now().UnixNano())
		}
		for _, p := range seed.Pools {
			exec("INSERT INTO pools (id, account, region, name, created, updated, config) VALUES (?, ?, ?, ?, ?, ?, ?)",
				p.ID, p.Account, p.Region, p.Name, nanos(p.CreatedAt), nanos(p.UpdatedAt), p.Config)
		}
		for _, i := range seed.Identities {
			exec("INSERT INTO identities (id, pool_id, created, modified, disabled) VALUES (?, ?, ?, ?, ?)",
				i.ID, i.PoolID, nanos(i.CreatedAt), nanos(i.ModifiedAt), i.Disabled)
		}
		db.Close()
		return open(t, path, Options{})
	})
}
