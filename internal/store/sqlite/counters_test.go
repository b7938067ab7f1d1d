package sqlite

import (
	"path/filepath"
	"testing"

	"github.com/cognitod/cognitod/internal/store"
	"github.com/cognitod/cognitod/internal/store/conformance"
)

// TestCountersBackfill writes pools and identities into a database at the
// schema before the counters, as the cognitod of that version did, then
// opens it: the migration must count what is there.
func TestCountersBackfill(t *testing.T) {
	conformance.RunBackfill(t, func(t *testing.T, seed conformance.BackfillSeed) store.Store {
		path := filepath.Join(t.TempDir(), "old.db")
		db, exec := openBefore(t, path, countersMigration)
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
