package store

// Inventory counters.
//
// Operators want to see how many pools and identities each account holds
// (the cognitod_identity_pools and cognitod_identities gauges), and a
// scrape must not cost a count(*) over ten million identities. Backends
// therefore keep a running count per pool in the same transaction that
// creates or deletes an identity, and IdentityCounts only sums those
// counters.
//
// A pool's count is split over CounterShards rows, the shard picked by a
// hash of the identity's ID: on PostgreSQL (SERIALIZABLE) two concurrent
// GetId calls that created an identity each in one pool would otherwise
// both update one row, and one of them would fail to serialize and run
// again. Only the sum of a pool's shards means anything: a shard may go
// negative (an identity counted in the backfill's shard 0 and deleted
// from its own shard), and the hash may change without harm.

// CounterShards is the number of counter rows per pool. With k GetId
// transactions in flight, one conflicts with another on a counter row
// with probability about (k-1)/CounterShards; 64 keeps that near 10% at
// 8 in flight (measured in the postgres package's counter benchmark)
// while a scrape still sums only a few rows per pool.
const CounterShards = 64

// CounterShard returns the counter row of a pool that an identity's
// creation and deletion update: FNV-1a of the ID, reduced to
// [0, CounterShards). Identity IDs end in random UUIDs, so the shards are
// evenly used.
func CounterShard(identityID string) int {
	h := uint32(2166136261)
	for k := 0; k < len(identityID); k++ {
		h ^= uint32(identityID[k])
		h *= 16777619
	}
	return int(h % CounterShards)
}

// IdentityCount is the inventory of one account in one region.
type IdentityCount struct {
	Account    string
	Region     string
	Pools      int64
	Identities int64 // disabled (merged) identities included: they are stored
}
