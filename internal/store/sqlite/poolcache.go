package sqlite

import (
	"slices"

	"github.com/cognitod/cognitod/internal/store"
)

// poolCache keeps the pools the writer has read, so that the GetPool that
// begins every GetId (and every other write on a pool) costs no statement:
// a tenth of a GetId's CPU (docs/PERFORMANCE.md). Only Update closures use
// it, and only the writer goroutine runs them, so it needs no lock; Views
// read their own snapshot as before.
//
// It holds what the writer's own statements would read:
//   - a closure that creates, updates or deletes a pool drops that pool
//     and reads every pool through to SQLite for the rest of its run,
//     filling nothing: so when its savepoint is undone, no entry holds what
//     it wrote, and nothing needs doing;
//   - a batch that fails to commit empties it (later closures of the batch
//     may have read what earlier ones wrote);
//   - loading a dump or wiping the store empties it;
//   - another process's commit to the file changes PRAGMA data_version on
//     the writer's connection, checked at the start of every batch, and
//     empties it.
//
// Entries are copies and are copied again on the way out: callers may
// change what GetPool returns.
type poolCache struct {
	pools   map[string]*store.Pool
	version int64 // the writer connection's data_version when last checked
}

// maxCachedPools bounds the cache; past it, it starts over. An account
// holds at most 1,000 pools, and a store rarely has more than a few.
const maxCachedPools = 4096

func newPoolCache() *poolCache { return &poolCache{pools: map[string]*store.Pool{}} }

func (pc *poolCache) get(id string) (*store.Pool, bool) {
	p, ok := pc.pools[id]
	if !ok {
		return nil, false
	}
	return copyPool(p), true
}

func (pc *poolCache) put(p *store.Pool) {
	if len(pc.pools) >= maxCachedPools {
		clear(pc.pools)
	}
	pc.pools[p.ID] = copyPool(p)
}

func (pc *poolCache) drop(id string) { delete(pc.pools, id) }

func (pc *poolCache) reset() { clear(pc.pools) }

func copyPool(p *store.Pool) *store.Pool {
	c := *p
	c.Config = slices.Clone(p.Config)
	return &c
}

// checkVersion empties the cache if another connection (another process)
// has committed to the file since the last batch.
func (pc *poolCache) checkVersion(c *conn) error {
	v, err := c.dataVersion()
	if err != nil {
		return err
	}
	if v != pc.version {
		pc.reset()
		pc.version = v
	}
	return nil
}

// cachedPools is the cache a Tx may use: the writer's, unless the Tx has
// changed pools itself.
func (t *tx) cachedPools() *poolCache {
	if t.pools == nil || t.poolsChanged {
		return nil
	}
	return t.pools
}

// changingPool notes that the Tx writes pool id (or, with "", pools in
// bulk): the pool leaves the cache, and the Tx reads pools through.
func (t *tx) changingPool(id string) {
	if t.pools == nil {
		return
	}
	t.poolsChanged = true
	if id == "" {
		t.pools.reset()
		return
	}
	t.pools.drop(id)
}
