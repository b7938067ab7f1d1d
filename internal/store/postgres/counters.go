package postgres

import (
	"github.com/cognitod/cognitod/internal/store"
)

// countersMigration creates the running identity counts (store/counters.go)
// and backfills them: each pool's identities counted once, into shard 0.
// Only a pool's sum of shards means anything, so later deletions from
// other shards may take those below zero. The table references pools, so
// DeletePool's cascade takes a pool's counters with it (the primary key
// leads with pool_id: the cascade seeks). The backfill reads every
// identity once, here and never again.
const countersMigration = `
CREATE TABLE pool_counters (
	pool_id    BYTEA NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
	shard      BIGINT NOT NULL,
	identities BIGINT NOT NULL,
	PRIMARY KEY (pool_id, shard)
);
INSERT INTO pool_counters (pool_id, shard, identities)
SELECT pool_id, 0, count(*) FROM identities GROUP BY pool_id;
`

// countCreated counts an identity CreateIdentity has just inserted: one
// upsert of one of its pool's CounterShards rows, the one statement GetId
// pays for the gauges. Concurrent creations in one pool mostly update
// different rows, so SERIALIZABLE seldom makes one of them run again. A
// failure breaks the transaction (tx.fail), so nothing of it is committed.
func (t *tx) countCreated(i *store.Identity) error {
	if _, err := t.exec(`INSERT INTO pool_counters (pool_id, shard, identities) VALUES ($1, $2, 1)
ON CONFLICT (pool_id, shard) DO UPDATE SET identities = pool_counters.identities + 1`,
		b(i.PoolID), int64(store.CounterShard(i.ID))); err != nil {
		return t.fail("create identity: count", err)
	}
	return nil
}

// countDeleted uncounts identity id before DeleteIdentity deletes it; a
// missing identity selects no row and changes nothing.
func (t *tx) countDeleted(id string) error {
	if _, err := t.exec(`INSERT INTO pool_counters (pool_id, shard, identities)
SELECT pool_id, $2::BIGINT, -1 FROM identities WHERE id = $1
ON CONFLICT (pool_id, shard) DO UPDATE SET identities = pool_counters.identities - 1`,
		b(id), int64(store.CounterShard(id))); err != nil {
		return t.fail("delete identity: count", err)
	}
	return nil
}

// IdentityCounts sums each pool's counter shards, then each account's
// pools per region: a read of the pools and their counters (a few dozen
// rows a pool), never of the identities. In an Update it reads every
// pool's counters, so a concurrent identity creation would make one of
// the two run again: call it from a View.
func (t *tx) IdentityCounts() ([]store.IdentityCount, error) {
	if err := t.readable(); err != nil {
		return nil, err
	}
	rows, err := t.query(`SELECT p.account, p.region, count(*), coalesce(sum(c.n), 0)::BIGINT
FROM pools p LEFT JOIN (SELECT pool_id, sum(identities) AS n FROM pool_counters GROUP BY pool_id) c ON c.pool_id = p.id
GROUP BY p.account, p.region ORDER BY p.account, p.region`)
	if err != nil {
		return nil, t.fail("identity counts", err)
	}
	defer rows.Close()
	var out []store.IdentityCount
	for rows.Next() {
		var c store.IdentityCount
		if err := rows.Scan(str{&c.Account}, str{&c.Region}, &c.Pools, &c.Identities); err != nil {
			return nil, t.fail("identity counts", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, t.fail("identity counts", err)
	}
	return out, nil
}
