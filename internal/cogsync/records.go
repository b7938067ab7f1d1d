package cogsync

import (
	"cmp"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cognitod/cognitod/internal/api"
	"github.com/cognitod/cognitod/internal/awsproto"
	"github.com/cognitod/cognitod/internal/store"
)

const msgBadSession = "SyncSessionToken not valid for these inputs"

type recordOut struct {
	Key                    string         `json:"Key"`
	Value                  *string        `json:"Value"`
	SyncCount              int64          `json:"SyncCount"`
	LastModifiedDate       *awsproto.Time `json:"LastModifiedDate,omitempty"`
	LastModifiedBy         string         `json:"LastModifiedBy,omitempty"`
	DeviceLastModifiedDate *awsproto.Time `json:"DeviceLastModifiedDate,omitempty"`
}

func recordView(r *store.Record) recordOut {
	return recordOut{Key: r.Key, Value: r.Value, SyncCount: r.SyncCount, LastModifiedDate: timePtr(r.ModifiedAt),
		LastModifiedBy: r.LastModifiedBy, DeviceLastModifiedDate: timePtr(r.DeviceModifiedAt)}
}

// newSession issues a SyncSessionToken bound to an identity, a dataset and
// an expiry, sealed so that it cannot be forged or moved to other inputs.
func (s *Service) newSession(identityID, dataset string, now time.Time) string {
	var nonce [8]byte
	rand.Read(nonce[:])
	exp := now.Add(s.ttl).Unix()
	return s.tok.Seal([]byte("sst\x00" + identityID + "\x00" + dataset + "\x00" + strconv.FormatInt(exp, 10) + "\x00" + hex.EncodeToString(nonce[:])))
}

// checkSession verifies a SyncSessionToken for these inputs.
func (s *Service) checkSession(token, identityID, dataset string, now time.Time) error {
	b, err := s.tok.Open(token)
	if err != nil {
		return invalidParam(msgBadSession)
	}
	f := strings.Split(string(b), "\x00")
	if len(f) != 5 || f[0] != "sst" || f[1] != identityID || f[2] != dataset {
		return invalidParam(msgBadSession)
	}
	exp, err := strconv.ParseInt(f[3], 10, 64)
	if err != nil || now.Unix() > exp {
		return invalidParam(msgBadSession)
	}
	return nil
}

// ListRecords returns a dataset's records changed after LastSyncCount (all
// live records when it is absent or 0) and a SyncSessionToken for the
// UpdateRecords that follows.
func (s *Service) ListRecords(c *api.Call) (any, error) {
	id, name := c.In.Str("IdentityId"), c.In.Str("DatasetName")
	last := c.In.Int("LastSyncCount", 0)
	limit := s.pageSize(c)
	// The tokens are opened here and their errors answered once the
	// caller's access is settled (a 403 or 404 comes first, as everywhere).
	var tokenErr error
	session := c.In.Str("SyncSessionToken")
	if session != "" {
		tokenErr = s.checkSession(session, id, name, c.Now)
	} else {
		session = s.newSession(id, name, c.Now)
	}
	scope := fmt.Sprintf("records\x00%s\x00%s\x00%d", id, name, last)
	after, err := s.openPage(c.In.Str("NextToken"), scope)
	tokenErr = cmp.Or(tokenErr, err)
	out := struct {
		Records                               []recordOut `json:"Records"`
		NextToken                             *string     `json:"NextToken"`
		Count                                 int         `json:"Count"`
		DatasetSyncCount                      int64       `json:"DatasetSyncCount"`
		LastModifiedBy                        *string     `json:"LastModifiedBy"`
		MergedDatasetNames                    []string    `json:"MergedDatasetNames"`
		DatasetExists                         bool        `json:"DatasetExists"`
		DatasetDeletedAfterRequestedSyncCount bool        `json:"DatasetDeletedAfterRequestedSyncCount"`
		SyncSessionToken                      string      `json:"SyncSessionToken"`
	}{Records: []recordOut{}, SyncSessionToken: session}
	err = s.st.View(c, func(tx store.Tx) error {
		i, err := identityAccess(tx, c, either, c.In.Str("IdentityPoolId"), id)
		if err != nil {
			return err
		}
		if tokenErr != nil {
			return tokenErr
		}
		// Datasets merged in from other identities are reported whether or
		// not this identity has one of that name: a device holding the
		// other identity's copy learns where it went.
		if out.MergedDatasetNames, err = mergedNames(tx, i.ID, name); err != nil {
			return err
		}
		d, err := tx.GetDataset(i.ID, name)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		out.DatasetSyncCount = d.SyncCount
		// "Whether to delete the dataset locally": only a device that has
		// synced (LastSyncCount > 0) holds a copy, and only one that synced
		// before the deletion (DeleteDataset counts a change) holds a stale
		// one. A device at 0 keeps what it wrote and pushes it.
		out.DatasetDeletedAfterRequestedSyncCount = last > 0 && last < d.DeletedSyncCount
		if d.Deleted {
			return nil
		}
		out.DatasetExists = true
		if d.LastModifiedBy != "" {
			by := d.LastModifiedBy
			out.LastModifiedBy = &by
		}
		recs, err := tx.ListRecords(i.ID, name, last, after, limit+1)
		if err != nil {
			return err
		}
		if len(recs) > limit {
			recs = recs[:limit]
			t := s.sealPage(scope, recs[len(recs)-1].Key)
			out.NextToken = &t
		}
		for _, r := range recs {
			if last == 0 && r.Value == nil {
				continue // a first sync has nothing to remove
			}
			out.Records = append(out.Records, recordView(r))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out.Count = len(out.Records)
	return out, nil
}

// patch is one RecordPatch of an UpdateRecords request.
type patch struct {
	op, key    string
	value      string
	syncCount  int64
	deviceTime time.Time
}

func parsePatches(in awsproto.Input) ([]patch, error) {
	list := in.List("RecordPatches")
	out := make([]patch, 0, len(list))
	seen := make(map[string]bool, len(list))
	for _, v := range list {
		m, _ := v.(map[string]any)
		pi := awsproto.Input(m)
		p := patch{op: pi.Str("Op"), key: pi.Str("Key"), value: pi.Str("Value"), syncCount: pi.Int("SyncCount", 0), deviceTime: pi.Time("DeviceLastModifiedDate")}
		if seen[p.key] {
			return nil, invalidParam("Duplicate record key in RecordPatches: %s", p.key)
		}
		if len(p.key) > MaxKeyBytes {
			return nil, invalidParam("Record key too long: %d bytes of UTF-8, at most %d.", len(p.key), MaxKeyBytes)
		}
		if p.syncCount < 0 {
			return nil, invalidParam("SyncCount of record %s must not be negative.", p.key)
		}
		if p.op == "replace" && !pi.Has("Value") {
			return nil, invalidParam("Value is required to replace record %s.", p.key)
		}
		seen[p.key] = true
		out = append(out, p)
	}
	return out, nil
}

// MaxKeyBytes bounds a record key's UTF-8 bytes, and a push token's, on
// every store alike. The model allows 1,024 characters, up to 4,096 bytes;
// PostgreSQL cannot index a key much past 2,700 bytes (with the identity and
// dataset beside it), and a key that one store keeps and another refuses
// would make a store's choice visible to clients. 2,048 bytes hold any
// 1,024 characters of up to two bytes (every Latin, Greek, Cyrillic,
// Hebrew or Arabic key) and 682 of any kind.
const MaxKeyBytes = 2048

// recordSize is what a record counts toward DataStorage: the UTF-8 bytes of
// its key and value, as the SDKs estimate it. Removed records count nothing.
func recordSize(key string, value *string) int64 {
	if value == nil {
		return 0
	}
	return int64(len(key) + len(*value))
}

// UpdateRecords applies record patches atomically: if any patch's SyncCount
// is stale the whole request fails with ResourceConflictException and
// nothing is written. The dataset's SyncCount rises by one per success.
func (s *Service) UpdateRecords(c *api.Call) (any, error) {
	id, name := c.In.Str("IdentityId"), c.In.Str("DatasetName")
	if err := s.checkSession(c.In.Str("SyncSessionToken"), id, name, c.Now); err != nil {
		// Who may touch the identity is answered before what is wrong
		// with the request (a 403 or 404 before the token's 400), as
		// everywhere else; read in a View, so that a bad token never
		// reaches the writer.
		if verr := s.st.View(c, func(tx store.Tx) error {
			_, err := identityAccess(tx, c, either, c.In.Str("IdentityPoolId"), id)
			return err
		}); verr != nil {
			return nil, verr
		}
		return nil, err
	}
	patches, err := parsePatches(c.In)
	if err != nil {
		return nil, err
	}
	by := modifiedBy(c)
	out := struct {
		Records []recordOut `json:"Records"`
	}{Records: []recordOut{}}
	var (
		written []*store.Record
		sp      *store.SyncPool
		poolID  string
	)
	err = s.st.Update(c, func(tx store.Tx) error {
		written = written[:0]
		i, err := identityAccess(tx, c, either, c.In.Str("IdentityPoolId"), id)
		if err != nil {
			return err
		}
		poolID = i.PoolID
		d, err := tx.GetDataset(i.ID, name)
		isNew := errors.Is(err, store.ErrNotFound)
		if err != nil && !isNew {
			return err
		}
		revived := !isNew && d.Deleted
		if isNew || revived {
			u, err := identityUsage(tx, i.ID, i.PoolID)
			if err != nil {
				return err
			}
			if u.DatasetCount >= int64(s.limits.DatasetsPerIdentity) {
				return awsproto.Errorf(awsproto.CodeLimitExceeded, "The maximum number of datasets (%d) for identity '%s' has been reached.", s.limits.DatasetsPerIdentity, i.ID)
			}
			if isNew {
				d = &store.Dataset{IdentityID: i.ID, Name: name, PoolID: i.PoolID, CreatedAt: c.Now}
			}
			d.Deleted = false
			d.CreatedAt = c.Now
		}
		// Check every patch before writing anything.
		olds := make([]*store.Record, len(patches))
		for k, pt := range patches {
			old, err := tx.GetRecord(i.ID, name, pt.key)
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
			var cur int64
			if old != nil {
				cur = old.SyncCount
			}
			// A removed record may be written again by a device that never
			// saw it (a first sync lists live records only): 0 is current.
			removed := old != nil && old.Value == nil
			if pt.syncCount != cur && !(removed && pt.syncCount == 0) {
				return &awsproto.Error{Code: awsproto.CodeResourceConflict, Message: fmt.Sprintf("Current SyncCount for: %s is: %d not: %d", pt.key, cur, pt.syncCount)}
			}
			olds[k] = old
		}
		var bytes, records int64
		if len(patches) > 0 {
			d.SyncCount++
		}
		for k, pt := range patches {
			old := olds[k]
			var oldValue *string
			if old != nil {
				oldValue = old.Value
			}
			var newValue *string
			if pt.op == "replace" {
				v := pt.value
				newValue = &v
			}
			bytes += recordSize(pt.key, newValue) - recordSize(pt.key, oldValue)
			if oldValue == nil && newValue != nil {
				records++
			} else if oldValue != nil && newValue == nil {
				records--
			}
			r := &store.Record{IdentityID: i.ID, Dataset: name, PoolID: i.PoolID, Key: pt.key, Value: newValue,
				SyncCount: d.SyncCount, ModifiedAt: c.Now, LastModifiedBy: by, DeviceModifiedAt: pt.deviceTime}
			written = append(written, r)
		}
		d.NumRecords += records
		d.DataStorage += bytes
		if d.NumRecords > int64(s.limits.RecordsPerDataset) {
			return awsproto.Errorf(awsproto.CodeLimitExceeded, "The maximum number of records (%d) in dataset '%s' has been reached.", s.limits.RecordsPerDataset, name)
		}
		if d.DataStorage > s.limits.BytesPerDataset {
			return awsproto.Errorf(awsproto.CodeLimitExceeded, "Dataset '%s' would exceed the maximum size of %d bytes.", name, s.limits.BytesPerDataset)
		}
		for _, r := range written {
			if err := tx.PutRecord(r); err != nil {
				return err
			}
		}
		d.ModifiedAt, d.LastModifiedBy = c.Now, by
		if err := tx.PutDataset(d); err != nil {
			return err
		}
		var newSets int64
		if isNew || revived {
			newSets = 1
		}
		sp, err = addUsage(tx, i.PoolID, i.ID, bytes, newSets, 1, c.Now)
		return err
	})
	if err != nil {
		return nil, err
	}
	for _, r := range written {
		out.Records = append(out.Records, recordView(r))
	}
	// The pool's Sync configuration is decoded after the commit (the
	// writer's time is every writer's); the records are written by then, so
	// a configuration that cannot be read only costs their stream lines.
	cfg, err := decodeSyncConfig(sp)
	if err != nil {
		s.log.Error("cognito streams: reading the pool's Sync configuration", "pool", poolID, "err", err)
	} else if cfg.streaming() && len(written) > 0 {
		s.stream.publish(cfg.CognitoStreams.StreamName, streamLines(poolID, id, name, written))
	}
	return out, nil
}
