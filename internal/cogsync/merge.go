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
	poolID := sets[0].PoolID
	if err := addUsage(tx, poolID, from, -bytes, -count, 0, now); err != nil {
		return err
	}
	// The pool's total is unchanged: the data moved within it.
	u, err := identityUsage(tx, to, poolID)
	if err != nil {
		return err
	}
	u.DataStorage += bytes
	u.DatasetCount += count
	u.LastModified = now
	if err := tx.PutIdentityUsage(u); err != nil {
		return err
	}
	sp, err := syncPool(tx, poolID)
	if err != nil || sp == nil {
		return err
	}
	sp.DataStorage += bytes
	return tx.PutSyncPool(sp)
}
