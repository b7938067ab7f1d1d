package cogsync

import (
	"fmt"
	"hash/fnv"
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
		nd.Name = mergedName(d.Name, from)
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

// maxDatasetName is the model's bound on DatasetName.
const maxDatasetName = 128

// mergedName is what dataset name of identity from is called once merged
// into another identity: "<name>.<from>", as the SDKs expect. Where that
// would pass the 128 characters a DatasetName may have (and so could be
// neither read nor deleted by name), name is cut short and a hash of it
// keeps the result distinct: "<start of name>-<8 hex digits>.<from>".
func mergedName(name, from string) string {
	if len(name)+1+len(from) <= maxDatasetName {
		return name + "." + from
	}
	h := fnv.New32a()
	h.Write([]byte(name))
	keep := max(maxDatasetName-1-len(from)-9, 1)
	return fmt.Sprintf("%s-%08x.%s", name[:keep], h.Sum32(), from)
}
