package sqlite

import (
	"fmt"

	"github.com/cognitod/cognitod/internal/store"
)

// countersMigration creates the running identity counts (store/counters.go)
// and backfills them: each pool's identities counted once, into shard 0.
// Only a pool's sum of shards means anything, so later deletions from
// other shards may take those below zero. The table references pools, so
// DeletePool's cascade takes a pool's counters with it. The backfill reads
// every identity once, here and never again.
const countersMigration = `
CREATE TABLE pool_counters (
	pool_id    TEXT NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
	shard      INTEGER NOT NULL,
	identities INTEGER NOT NULL,
	PRIMARY KEY (pool_id, shard)
) WITHOUT ROWID;
INSERT INTO pool_counters (pool_id, shard, identities)
SELECT pool_id, 0, count(*) FROM identities GROUP BY pool_id;
`

// countCreated counts an identity CreateIdentity has just inserted: one
// upsert of its pool's shard, the one statement GetId pays for the gauges.
// Should the upsert fail, the identity is deleted again, so that the
// failing CreateIdentity changes nothing (the Tx contract) without a
// savepoint around every creation.
func (t *tx) countCreated(i *store.Identity) error {
	_, err := t.c.exec(`INSERT INTO pool_counters (pool_id, shard, identities) VALUES (?, ?, 1)
ON CONFLICT (pool_id, shard) DO UPDATE SET identities = identities + 1`, i.PoolID, store.CounterShard(i.ID))
	if err == nil {
		return nil
	}
	err = t.fail("create identity: count", err)
	if _, derr := t.c.exec("DELETE FROM identities WHERE id = ?", i.ID); derr != nil {
		return fmt.Errorf("%w (and undoing the insert failed: %v)", err, derr)
	}
	return err
}

// countDeleted uncounts identity id before DeleteIdentity deletes it, in
// the same savepoint; a missing identity selects no row and changes
// nothing.
func (t *tx) countDeleted(id string) error {
	if _, err := t.c.exec(`INSERT INTO pool_counters (pool_id, shard, identities)
SELECT pool_id, ?, -1 FROM identities WHERE id = ?
ON CONFLICT (pool_id, shard) DO UPDATE SET identities = identities - 1`, store.CounterShard(id), id); err != nil {
		return t.fail("delete identity: count", err)
	}
	return nil
}

// IdentityCounts sums each pool's counter shards, then each account's
// pools per region: a read of the pools and their counters (a few dozen
// rows a pool), never of the identities.
func (t *tx) IdentityCounts() ([]store.IdentityCount, error) {
	if err := t.readable(); err != nil {
		return nil, err
	}
	rows, err := t.c.query(`SELECT p.account, p.region, count(*), coalesce(sum(c.n), 0)
FROM pools p LEFT JOIN (SELECT pool_id, sum(identities) AS n FROM pool_counters GROUP BY pool_id) c ON c.pool_id = p.id
GROUP BY p.account, p.region ORDER BY p.account, p.region`)
	if err != nil {
		return nil, t.fail("identity counts", err)
	}
	defer rows.Close()
	var out []store.IdentityCount
	for rows.Next() {
		var c store.IdentityCount
		if err := rows.Scan(&c.Account, &c.Region, &c.Pools, &c.Identities); err != nil {
			return nil, t.fail("identity counts", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, t.fail("identity counts", err)
	}
	return out, nil
}
