package cogsync

import (
	"time"

	"github.com/cognitod/cognitod/internal/store"
)

// IdentitiesMerged keeps the Sync data of an identity merged into another:
// each of its datasets moves to the survivor as "<dataset>.<from>", where
// ListRecords reports it in MergedDatasetNames until the app deletes it. It
// runs inside the merge's transaction (an identity.Hooks function).
func (s *Service) IdentitiesMerged(tx store.Tx, from, to string, now time.Time) error {
	sets, err := tx.ListDatasets(from, "", 0)
	if err != nil {
		return err
	}
	if len(sets) == 0 {
		return nil
	}
	var bytes, count int64
	for _, d := range sets {
		recs, err := tx.ListRecords(from, d.Name, 0, "", 0)
		if err != nil {
			return err
		}
		nd := *d
		nd.IdentityID = to
		nd.Name = d.Name + "." + from
		nd.MergedFrom = from
		for _, r := range recs {
			nr := *r
			nr.IdentityID, nr.Dataset = to, nd.Name
			if err := tx.PutRecord(&nr); err != nil {
				return err
			}
		}
		if err := tx.PutDataset(&nd); err != nil {
			return err
		}
		if err := tx.DropDataset(from, d.Name); err != nil {
			return err
		}
		bytes += d.DataStorage
		count++
	}
	// The data moves within the pool: the two identities' counters change,
	// the pool's total does not (its LastModifiedDate does).
	poolID := sets[0].PoolID
	if err := tx.AddIdentityUsage(from, poolID, -bytes, -count, now); err != nil {
		return err
	}
	if err := tx.AddIdentityUsage(to, poolID, bytes, count, now); err != nil {
		return err
	}
	_, err = tx.AddSyncPoolUsage(poolID, 0, 0, now)
	return err
}
