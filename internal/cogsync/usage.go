package cogsync

import (
	"errors"
	"time"

	"github.com/cognitod/cognitod/internal/api"
	"github.com/cognitod/cognitod/internal/awsproto"
	"github.com/cognitod/cognitod/internal/store"
)

type poolUsageOut struct {
	IdentityPoolId    string         `json:"IdentityPoolId"`
	SyncSessionsCount *int64         `json:"SyncSessionsCount"`
	DataStorage       int64          `json:"DataStorage"`
	LastModifiedDate  *awsproto.Time `json:"LastModifiedDate,omitempty"`
}

func poolUsage(p *store.Pool, sp *store.SyncPool) poolUsageOut {
	out := poolUsageOut{IdentityPoolId: p.ID, LastModifiedDate: timePtr(p.UpdatedAt)}
	if sp != nil {
		out.SyncSessionsCount = nullIfZero(sp.SyncSessions)
		out.DataStorage = sp.DataStorage
		if !sp.LastModified.IsZero() {
			out.LastModifiedDate = timePtr(sp.LastModified)
		}
	}
	return out
}

// ListIdentityPoolUsage lists every identity pool of the caller's account in
// the region, with its Sync usage (pools that never synced too). Counters are
// kept as writes happen, so a page costs the same however much data the
// pools hold.
func (s *Service) ListIdentityPoolUsage(c *api.Call) (any, error) {
	if err := developerOnlyCheck(c); err != nil {
		return nil, err
	}
	limit := s.pageSize(c)
	scope := "poolusage\x00" + c.Caller.Account + "\x00" + c.Caller.Region
	after, err := s.openPage(c.In.Str("NextToken"), scope)
	if err != nil {
		return nil, err
	}
	var list []*store.PoolUsage
	if err := s.st.View(c, func(tx store.Tx) (err error) {
		list, err = tx.ListPoolUsage(c.Caller.Account, c.Caller.Region, after, limit+1)
		return err
	}); err != nil {
		return nil, err
	}
	out := struct {
		IdentityPoolUsages []poolUsageOut `json:"IdentityPoolUsages"`
		MaxResults         int            `json:"MaxResults"`
		Count              int            `json:"Count"`
		NextToken          *string        `json:"NextToken"`
	}{IdentityPoolUsages: []poolUsageOut{}, MaxResults: limit}
	if len(list) > limit {
		list = list[:limit]
		t := s.sealPage(scope, list[len(list)-1].Pool.ID)
		out.NextToken = &t
	}
	for _, u := range list {
		out.IdentityPoolUsages = append(out.IdentityPoolUsages, poolUsage(u.Pool, u.Sync))
	}
	out.Count = len(out.IdentityPoolUsages)
	return out, nil
}

// DescribeIdentityPoolUsage returns one pool's Sync usage.
func (s *Service) DescribeIdentityPoolUsage(c *api.Call) (any, error) {
	var out struct {
		IdentityPoolUsage poolUsageOut `json:"IdentityPoolUsage"`
	}
	err := s.st.View(c, func(tx store.Tx) error {
		p, err := developerPool(tx, c, c.In.Str("IdentityPoolId"))
		if err != nil {
			return err
		}
		sp, err := syncPool(tx, p.ID)
		if err != nil {
			return err
		}
		out.IdentityPoolUsage = poolUsage(p, sp)
		return nil
	})
	return out, err
}

// syncPool returns the pool's Sync row, or nil when it has none.
func syncPool(tx store.Tx, poolID string) (*store.SyncPool, error) {
	sp, err := tx.GetSyncPool(poolID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	return sp, err
}

// identityUsage returns an identity's counters, zero when it never wrote.
func identityUsage(tx store.Tx, identityID, poolID string) (*store.IdentityUsage, error) {
	u, err := tx.GetIdentityUsage(identityID)
	if errors.Is(err, store.ErrNotFound) {
		return &store.IdentityUsage{IdentityID: identityID, PoolID: poolID}, nil
	}
	return u, err
}

// DescribeIdentityUsage returns one identity's Sync usage.
func (s *Service) DescribeIdentityUsage(c *api.Call) (any, error) {
	var out struct {
		IdentityUsage struct {
			IdentityId       string         `json:"IdentityId"`
			IdentityPoolId   string         `json:"IdentityPoolId"`
			LastModifiedDate *awsproto.Time `json:"LastModifiedDate,omitempty"`
			DatasetCount     int64          `json:"DatasetCount"`
			DataStorage      int64          `json:"DataStorage"`
		} `json:"IdentityUsage"`
	}
	err := s.st.View(c, func(tx store.Tx) error {
		i, err := identityAccess(tx, c, either, c.In.Str("IdentityPoolId"), c.In.Str("IdentityId"))
		if err != nil {
			return err
		}
		u, err := identityUsage(tx, i.ID, i.PoolID)
		if err != nil {
			return err
		}
		o := &out.IdentityUsage
		o.IdentityId, o.IdentityPoolId = i.ID, i.PoolID
		o.LastModifiedDate = timePtr(u.LastModified)
		o.DatasetCount, o.DataStorage = u.DatasetCount, u.DataStorage
		return nil
	})
	return out, err
}

// addUsage applies a change in stored bytes and dataset count to an
// identity's and its pool's counters, in the transaction that made it, and
// returns the pool's Sync row as written (callers need its configuration).
func addUsage(tx store.Tx, poolID, identityID string, bytes, datasets, sessions int64, now time.Time) (*store.SyncPool, error) {
	if err := tx.AddIdentityUsage(identityID, poolID, bytes, datasets, now); err != nil {
		return nil, err
	}
	return tx.AddSyncPoolUsage(poolID, bytes, sessions, now)
}
