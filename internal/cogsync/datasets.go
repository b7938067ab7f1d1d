package cogsync

import (
	"errors"

	"github.com/cognitod/cognitod/internal/api"
	"github.com/cognitod/cognitod/internal/awsproto"
	"github.com/cognitod/cognitod/internal/store"
)

type datasetOut struct {
	IdentityId       string         `json:"IdentityId"`
	DatasetName      string         `json:"DatasetName"`
	CreationDate     *awsproto.Time `json:"CreationDate,omitempty"`
	LastModifiedDate *awsproto.Time `json:"LastModifiedDate,omitempty"`
	LastModifiedBy   string         `json:"LastModifiedBy,omitempty"`
	DataStorage      int64          `json:"DataStorage"`
	NumRecords       int64          `json:"NumRecords"`
}

func datasetView(d *store.Dataset) datasetOut {
	return datasetOut{
		IdentityId: d.IdentityID, DatasetName: d.Name,
		CreationDate: timePtr(d.CreatedAt), LastModifiedDate: timePtr(d.ModifiedAt),
		LastModifiedBy: d.LastModifiedBy, DataStorage: d.DataStorage, NumRecords: d.NumRecords,
	}
}

// liveDataset returns a dataset that exists and is not deleted.
func liveDataset(tx store.Tx, identityID, name string) (*store.Dataset, error) {
	d, err := tx.GetDataset(identityID, name)
	if errors.Is(err, store.ErrNotFound) || (err == nil && d.Deleted) {
		return nil, notFound("Dataset '%s' not found.", name)
	}
	return d, err
}

// ListDatasets pages through an identity's datasets by name.
func (s *Service) ListDatasets(c *api.Call) (any, error) {
	limit := s.pageSize(c)
	id := c.In.Str("IdentityId")
	scope := "datasets\x00" + id
	after, err := s.openPage(c.In.Str("NextToken"), scope)
	if err != nil {
		return nil, err
	}
	out := struct {
		Datasets  []datasetOut `json:"Datasets"`
		Count     int          `json:"Count"`
		NextToken *string      `json:"NextToken"`
	}{Datasets: []datasetOut{}}
	err = s.st.View(c, func(tx store.Tx) error {
		if _, err := identityAccess(tx, c, either, c.In.Str("IdentityPoolId"), id); err != nil {
			return err
		}
		list, err := tx.ListDatasets(id, after, limit+1)
		if err != nil {
			return err
		}
		if len(list) > limit {
			list = list[:limit]
			t := s.sealPage(scope, list[len(list)-1].Name)
			out.NextToken = &t
		}
		for _, d := range list {
			out.Datasets = append(out.Datasets, datasetView(d))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out.Count = len(out.Datasets)
	return out, nil
}

// DescribeDataset returns a dataset's metadata.
func (s *Service) DescribeDataset(c *api.Call) (any, error) {
	var out struct {
		Dataset datasetOut `json:"Dataset"`
	}
	err := s.st.View(c, func(tx store.Tx) error {
		i, err := identityAccess(tx, c, either, c.In.Str("IdentityPoolId"), c.In.Str("IdentityId"))
		if err != nil {
			return err
		}
		d, err := liveDataset(tx, i.ID, c.In.Str("DatasetName"))
		if err != nil {
			return err
		}
		out.Dataset = datasetView(d)
		return nil
	})
	return out, err
}

// DeleteDataset deletes a dataset and its records. A tombstone stays so that
// clients syncing from an earlier SyncCount learn of the deletion; later
// calls on the dataset answer ResourceNotFoundException.
func (s *Service) DeleteDataset(c *api.Call) (any, error) {
	var out struct {
		Dataset datasetOut `json:"Dataset"`
	}
	err := s.st.Update(c, func(tx store.Tx) error {
		i, err := identityAccess(tx, c, either, c.In.Str("IdentityPoolId"), c.In.Str("IdentityId"))
		if err != nil {
			return err
		}
		d, err := liveDataset(tx, i.ID, c.In.Str("DatasetName"))
		if err != nil {
			return err
		}
		out.Dataset = datasetView(d)
		subs, err := tx.ListSubscriptions(i.ID, d.Name)
		if err != nil {
			return err
		}
		for _, sub := range subs {
			if err := tx.Unsubscribe(i.ID, d.Name, sub.DeviceID); err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
		}
		if _, err := addUsage(tx, i.PoolID, i.ID, -d.DataStorage, -1, 0, c.Now); err != nil {
			return err
		}
		// A merged dataset (the survivor's copy of another identity's data)
		// leaves the merge report now; its deletion is remembered as any
		// dataset's, so that the survivor's other devices learn of it.
		d.MergedFrom = ""
		if err := tx.DeleteRecords(i.ID, d.Name); err != nil {
			return err
		}
		d.Deleted = true
		// The deletion is a change: a device that synced at the last count
		// must learn of it (ListRecords' DatasetDeletedAfterRequestedSyncCount).
		d.SyncCount++
		d.DeletedSyncCount = d.SyncCount
		d.DataStorage, d.NumRecords = 0, 0
		d.ModifiedAt, d.LastModifiedBy = c.Now, modifiedBy(c)
		return tx.PutDataset(d)
	})
	return out, err
}

// mergedNames lists the datasets merged into identityID from other
// identities' datasets called name (mergedName): exactly those, not every
// dataset whose name begins with name and a dot ("settings.v2.<id>" came
// from "settings.v2", not from "settings").
func mergedNames(tx store.Tx, identityID, name string) ([]string, error) {
	all, err := tx.ListDatasets(identityID, "", 0)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, d := range all {
		if d.MergedFrom != "" && d.Name == mergedName(name, d.MergedFrom) {
			out = append(out, d.Name)
		}
	}
	return out, nil
}
