package sqlite

import (
	"database/sql"
	"time"

	"github.com/cognitod/cognitod/internal/store"
)

// Cognito Sync data (store.SyncTx). Puts are upserts (INSERT ... ON
// CONFLICT DO UPDATE); one whose pool or identity does not exist fails its
// foreign key: ErrNotFound.

func (t *tx) GetSyncPool(poolID string) (*store.SyncPool, error) {
	if err := t.readable(); err != nil {
		return nil, err
	}
	p := &store.SyncPool{PoolID: poolID}
	var modified int64
	err := t.c.queryRow("SELECT config, sync_sessions, data_storage, modified FROM sync_pools WHERE pool_id = ?", poolID).
		Scan(&p.Config, &p.SyncSessions, &p.DataStorage, &modified)
	if err != nil {
		return nil, t.notFound("get sync pool", err)
	}
	p.LastModified = fromNanos(modified)
	return p, nil
}

func (t *tx) PutSyncPool(p *store.SyncPool) error {
	if err := t.writable(); err != nil {
		return err
	}
	return t.put("put sync pool", `INSERT INTO sync_pools (pool_id, config, sync_sessions, data_storage, modified)
VALUES (?, ?, ?, ?, ?) ON CONFLICT (pool_id) DO UPDATE SET
config = excluded.config, sync_sessions = excluded.sync_sessions, data_storage = excluded.data_storage, modified = excluded.modified`,
		p.PoolID, p.Config, p.SyncSessions, p.DataStorage, nanos(p.LastModified))
}

func (t *tx) AddSyncPoolUsage(poolID string, bytes, sessions int64, now time.Time) (*store.SyncPool, error) {
	if err := t.writable(); err != nil {
		return nil, err
	}
	p := &store.SyncPool{PoolID: poolID}
	var modified int64
	err := t.c.queryRow(`INSERT INTO sync_pools (pool_id, config, sync_sessions, data_storage, modified)
VALUES (?, NULL, ?, ?, ?) ON CONFLICT (pool_id) DO UPDATE SET
sync_sessions = sync_sessions + excluded.sync_sessions, data_storage = data_storage + excluded.data_storage, modified = excluded.modified
RETURNING config, sync_sessions, data_storage, modified`, poolID, sessions, bytes, nanos(now)).
		Scan(&p.Config, &p.SyncSessions, &p.DataStorage, &modified)
	if err != nil {
		return nil, t.fail("add sync pool usage", err)
	}
	p.LastModified = fromNanos(modified)
	return p, nil
}

// ListPoolUsage is ListPools' keyset page with each pool's sync_pools row
// joined in: one statement, one seek into sync_pools per pool of the page,
// whatever the pools hold.
func (t *tx) ListPoolUsage(account, region, after string, limit int) ([]*store.PoolUsage, error) {
	if err := t.readable(); err != nil {
		return nil, err
	}
	rows, err := t.c.query(`SELECT p.id, p.name, p.created, p.updated, p.config,
	s.pool_id, s.config, s.sync_sessions, s.data_storage, s.modified
FROM pools p LEFT JOIN sync_pools s ON s.pool_id = p.id
WHERE p.account = ? AND p.region = ? AND p.id > ? ORDER BY p.id LIMIT ?`, account, region, after, noLimit(limit))
	if err != nil {
		return nil, t.fail("list pool usage", err)
	}
	defer rows.Close()
	var us []*store.PoolUsage
	for rows.Next() {
		p := &store.Pool{Account: account, Region: region}
		var created, updated int64
		var syncID sql.NullString
		var config []byte
		var sessions, storage, modified sql.NullInt64
		if err := rows.Scan(&p.ID, &p.Name, &created, &updated, &p.Config,
			&syncID, &config, &sessions, &storage, &modified); err != nil {
			return nil, t.fail("list pool usage", err)
		}
		p.CreatedAt, p.UpdatedAt = fromNanos(created), fromNanos(updated)
		u := &store.PoolUsage{Pool: p}
		if syncID.Valid {
			u.Sync = &store.SyncPool{PoolID: p.ID, Config: config, SyncSessions: sessions.Int64,
				DataStorage: storage.Int64, LastModified: fromNanos(modified.Int64)}
		}
		us = append(us, u)
	}
	if err := rows.Err(); err != nil {
		return nil, t.fail("list pool usage", err)
	}
	return us, nil
}

func (t *tx) GetIdentityUsage(identityID string) (*store.IdentityUsage, error) {
	if err := t.readable(); err != nil {
		return nil, err
	}
	u := &store.IdentityUsage{IdentityID: identityID}
	var modified int64
	err := t.c.queryRow("SELECT pool_id, dataset_count, data_storage, modified FROM identity_usage WHERE identity_id = ?", identityID).
		Scan(&u.PoolID, &u.DatasetCount, &u.DataStorage, &modified)
	if err != nil {
		return nil, t.notFound("get identity usage", err)
	}
	u.LastModified = fromNanos(modified)
	return u, nil
}

func (t *tx) PutIdentityUsage(u *store.IdentityUsage) error {
	if err := t.writable(); err != nil {
		return err
	}
	return t.put("put identity usage", `INSERT INTO identity_usage (identity_id, pool_id, dataset_count, data_storage, modified)
VALUES (?, ?, ?, ?, ?) ON CONFLICT (identity_id) DO UPDATE SET
pool_id = excluded.pool_id, dataset_count = excluded.dataset_count, data_storage = excluded.data_storage, modified = excluded.modified`,
		u.IdentityID, u.PoolID, u.DatasetCount, u.DataStorage, nanos(u.LastModified))
}

func (t *tx) AddIdentityUsage(identityID, poolID string, bytes, datasets int64, now time.Time) error {
	if err := t.writable(); err != nil {
		return err
	}
	return t.put("add identity usage", `INSERT INTO identity_usage (identity_id, pool_id, dataset_count, data_storage, modified)
VALUES (?, ?, ?, ?, ?) ON CONFLICT (identity_id) DO UPDATE SET
dataset_count = dataset_count + excluded.dataset_count, data_storage = data_storage + excluded.data_storage, modified = excluded.modified`,
		identityID, poolID, datasets, bytes, nanos(now))
}

const datasetColumns = `name, pool_id, created, modified, modified_by, sync_count, data_storage, num_records,
	deleted, deleted_sync_count, merged_from`

func scanDataset(sc interface{ Scan(...any) error }, d *store.Dataset) error {
	var created, modified int64
	if err := sc.Scan(&d.Name, &d.PoolID, &created, &modified, &d.LastModifiedBy, &d.SyncCount, &d.DataStorage,
		&d.NumRecords, &d.Deleted, &d.DeletedSyncCount, &d.MergedFrom); err != nil {
		return err
	}
	d.CreatedAt, d.ModifiedAt = fromNanos(created), fromNanos(modified)
	return nil
}

func (t *tx) GetDataset(identityID, name string) (*store.Dataset, error) {
	if err := t.readable(); err != nil {
		return nil, err
	}
	d := &store.Dataset{IdentityID: identityID}
	err := scanDataset(t.c.queryRow("SELECT "+datasetColumns+" FROM datasets WHERE identity_id = ? AND name = ?", identityID, name), d)
	if err != nil {
		return nil, t.notFound("get dataset", err)
	}
	return d, nil
}

func (t *tx) PutDataset(d *store.Dataset) error {
	if err := t.writable(); err != nil {
		return err
	}
	return t.put("put dataset", `INSERT INTO datasets (identity_id, `+datasetColumns+`)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (identity_id, name) DO UPDATE SET
pool_id = excluded.pool_id, created = excluded.created, modified = excluded.modified, modified_by = excluded.modified_by,
sync_count = excluded.sync_count, data_storage = excluded.data_storage, num_records = excluded.num_records,
deleted = excluded.deleted, deleted_sync_count = excluded.deleted_sync_count, merged_from = excluded.merged_from`,
		d.IdentityID, d.Name, d.PoolID, nanos(d.CreatedAt), nanos(d.ModifiedAt), d.LastModifiedBy, d.SyncCount,
		d.DataStorage, d.NumRecords, d.Deleted, d.DeletedSyncCount, d.MergedFrom)
}

// ListDatasets reads the identity's range of the primary key and skips the
// tombstones in it.
func (t *tx) ListDatasets(identityID, after string, limit int) ([]*store.Dataset, error) {
	if err := t.readable(); err != nil {
		return nil, err
	}
	rows, err := t.c.query("SELECT "+datasetColumns+` FROM datasets
WHERE identity_id = ? AND name > ? AND deleted = 0 ORDER BY name LIMIT ?`, identityID, after, noLimit(limit))
	if err != nil {
		return nil, t.fail("list datasets", err)
	}
	defer rows.Close()
	var ds []*store.Dataset
	for rows.Next() {
		d := &store.Dataset{IdentityID: identityID}
		if err := scanDataset(rows, d); err != nil {
			return nil, t.fail("list datasets", err)
		}
		ds = append(ds, d)
	}
	if err := rows.Err(); err != nil {
		return nil, t.fail("list datasets", err)
	}
	return ds, nil
}

// DropDataset deletes the dataset row, then its records; ErrNotFound (and
// nothing deleted) when there is no row.
func (t *tx) DropDataset(identityID, name string) error {
	if err := t.writable(); err != nil {
		return err
	}
	return t.atomic(func() error {
		if err := t.change("drop dataset", "DELETE FROM datasets WHERE identity_id = ? AND name = ?", identityID, name); err != nil {
			return err
		}
		return t.deleteRecords("drop dataset", identityID, name)
	})
}

const recordColumns = "key, sync_count, modified, device_modified, pool_id, modified_by, value"

func scanRecord(sc interface{ Scan(...any) error }, r *store.Record) error {
	var modified, deviceModified int64
	var value sql.NullString
	if err := sc.Scan(&r.Key, &r.SyncCount, &modified, &deviceModified, &r.PoolID, &r.LastModifiedBy, &value); err != nil {
		return err
	}
	r.ModifiedAt, r.DeviceModifiedAt = fromNanos(modified), fromNanos(deviceModified)
	if value.Valid {
		r.Value = &value.String
	}
	return nil
}

func (t *tx) GetRecord(identityID, dataset, key string) (*store.Record, error) {
	if err := t.readable(); err != nil {
		return nil, err
	}
	r := &store.Record{IdentityID: identityID, Dataset: dataset}
	err := scanRecord(t.c.queryRow("SELECT "+recordColumns+" FROM records WHERE identity_id = ? AND dataset = ? AND key = ?",
		identityID, dataset, key), r)
	if err != nil {
		return nil, t.notFound("get record", err)
	}
	return r, nil
}

func (t *tx) PutRecord(r *store.Record) error {
	if err := t.writable(); err != nil {
		return err
	}
	var value sql.NullString
	if r.Value != nil {
		value = sql.NullString{String: *r.Value, Valid: true}
	}
	return t.put("put record", `INSERT INTO records (identity_id, dataset, `+recordColumns+`)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (identity_id, dataset, key) DO UPDATE SET
sync_count = excluded.sync_count, modified = excluded.modified, device_modified = excluded.device_modified,
pool_id = excluded.pool_id, modified_by = excluded.modified_by, value = excluded.value`,
		r.IdentityID, r.Dataset, r.Key, r.SyncCount, nanos(r.ModifiedAt), nanos(r.DeviceModifiedAt), r.PoolID, r.LastModifiedBy, value)
}

// ListRecords walks the dataset's records in primary-key (key) order from
// afterKey, testing sync_count on each row: see the records table.
func (t *tx) ListRecords(identityID, dataset string, afterSyncCount int64, afterKey string, limit int) ([]*store.Record, error) {
	if err := t.readable(); err != nil {
		return nil, err
	}
	rows, err := t.c.query("SELECT "+recordColumns+` FROM records
WHERE identity_id = ? AND dataset = ? AND key > ? AND sync_count > ? ORDER BY key LIMIT ?`,
		identityID, dataset, afterKey, afterSyncCount, noLimit(limit))
	if err != nil {
		return nil, t.fail("list records", err)
	}
	defer rows.Close()
	var rs []*store.Record
	for rows.Next() {
		r := &store.Record{IdentityID: identityID, Dataset: dataset}
		if err := scanRecord(rows, r); err != nil {
			return nil, t.fail("list records", err)
		}
		rs = append(rs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, t.fail("list records", err)
	}
	return rs, nil
}

func (t *tx) DeleteRecords(identityID, dataset string) error {
	if err := t.writable(); err != nil {
		return err
	}
	return t.deleteRecords("delete records", identityID, dataset)
}

func (t *tx) deleteRecords(what, identityID, dataset string) error {
	if _, err := t.c.exec("DELETE FROM records WHERE identity_id = ? AND dataset = ?", identityID, dataset); err != nil {
		return t.fail(what, err)
	}
	return nil
}

// ListPoolRecords is a keyset page of the records_pool index, which holds
// only live records: the row value comparison seeks to the position after
// the last one returned.
func (t *tx) ListPoolRecords(poolID string, after store.RecordPos, limit int) ([]*store.Record, error) {
	if err := t.readable(); err != nil {
		return nil, err
	}
	rows, err := t.c.query(`SELECT identity_id, dataset, `+recordColumns+` FROM records
WHERE pool_id = ? AND value IS NOT NULL AND (identity_id, dataset, key) > (?, ?, ?)
ORDER BY identity_id, dataset, key LIMIT ?`,
		poolID, after.IdentityID, after.Dataset, after.Key, noLimit(limit))
	if err != nil {
		return nil, t.fail("list pool records", err)
	}
	defer rows.Close()
	var rs []*store.Record
	for rows.Next() {
		r := &store.Record{}
		var modified, deviceModified int64
		var value sql.NullString
		if err := rows.Scan(&r.IdentityID, &r.Dataset, &r.Key, &r.SyncCount, &modified, &deviceModified,
			&r.PoolID, &r.LastModifiedBy, &value); err != nil {
			return nil, t.fail("list pool records", err)
		}
		r.ModifiedAt, r.DeviceModifiedAt = fromNanos(modified), fromNanos(deviceModified)
		if value.Valid {
			r.Value = &value.String
		}
		rs = append(rs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, t.fail("list pool records", err)
	}
	return rs, nil
}

// AddDevice adds a device; a taken ID or (identity, platform, token) is
// ErrExists, a missing identity ErrNotFound.
func (t *tx) AddDevice(d *store.Device) error {
	if err := t.writable(); err != nil {
		return err
	}
	return t.insert("add device", `INSERT INTO devices (id, identity_id, pool_id, platform, token, created)
VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		d.ID, d.IdentityID, d.PoolID, d.Platform, d.Token, nanos(d.CreatedAt))
}

func (t *tx) GetDevice(id string) (*store.Device, error) {
	if err := t.readable(); err != nil {
		return nil, err
	}
	d := &store.Device{ID: id}
	var created int64
	err := t.c.queryRow("SELECT identity_id, pool_id, platform, token, created FROM devices WHERE id = ?", id).
		Scan(&d.IdentityID, &d.PoolID, &d.Platform, &d.Token, &created)
	if err != nil {
		return nil, t.notFound("get device", err)
	}
	d.CreatedAt = fromNanos(created)
	return d, nil
}

func (t *tx) FindDevice(identityID, platform, token string) (*store.Device, error) {
	if err := t.readable(); err != nil {
		return nil, err
	}
	d := &store.Device{IdentityID: identityID, Platform: platform, Token: token}
	var created int64
	err := t.c.queryRow("SELECT id, pool_id, created FROM devices WHERE identity_id = ? AND platform = ? AND token = ?",
		identityID, platform, token).Scan(&d.ID, &d.PoolID, &created)
	if err != nil {
		return nil, t.notFound("find device", err)
	}
	d.CreatedAt = fromNanos(created)
	return d, nil
}

// Subscribe adds a subscription; an existing one is kept as it is (with
// its CreatedAt). A missing identity is ErrNotFound.
func (t *tx) Subscribe(s *store.Subscription) error {
	if err := t.writable(); err != nil {
		return err
	}
	if _, err := t.c.exec(`INSERT INTO subscriptions (identity_id, dataset, device_id, created)
VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`, s.IdentityID, s.Dataset, s.DeviceID, nanos(s.CreatedAt)); err != nil {
		return t.fail("subscribe", err)
	}
	return nil
}

func (t *tx) Unsubscribe(identityID, dataset, deviceID string) error {
	if err := t.writable(); err != nil {
		return err
	}
	return t.change("unsubscribe", "DELETE FROM subscriptions WHERE identity_id = ? AND dataset = ? AND device_id = ?",
		identityID, dataset, deviceID)
}

// ListSubscriptions returns a dataset's subscriptions by device ID.
func (t *tx) ListSubscriptions(identityID, dataset string) ([]*store.Subscription, error) {
	if err := t.readable(); err != nil {
		return nil, err
	}
	rows, err := t.c.query("SELECT device_id, created FROM subscriptions WHERE identity_id = ? AND dataset = ? ORDER BY device_id",
		identityID, dataset)
	if err != nil {
		return nil, t.fail("list subscriptions", err)
	}
	defer rows.Close()
	var ss []*store.Subscription
	for rows.Next() {
		s := &store.Subscription{IdentityID: identityID, Dataset: dataset}
		var created int64
		if err := rows.Scan(&s.DeviceID, &created); err != nil {
			return nil, t.fail("list subscriptions", err)
		}
		s.CreatedAt = fromNanos(created)
		ss = append(ss, s)
	}
	if err := rows.Err(); err != nil {
		return nil, t.fail("list subscriptions", err)
	}
	return ss, nil
}

func (t *tx) GetBulkPublish(poolID string) (*store.BulkPublish, error) {
	if err := t.readable(); err != nil {
		return nil, err
	}
	b := &store.BulkPublish{PoolID: poolID}
	var started, completed, heartbeat int64
	err := t.c.queryRow("SELECT status, started, completed, failure, owner, heartbeat FROM bulk_publish WHERE pool_id = ?", poolID).
		Scan(&b.Status, &started, &completed, &b.FailureMessage, &b.Owner, &heartbeat)
	if err != nil {
		return nil, t.notFound("get bulk publish", err)
	}
	b.StartedAt, b.CompletedAt, b.HeartbeatAt = fromNanos(started), fromNanos(completed), fromNanos(heartbeat)
	return b, nil
}

func (t *tx) PutBulkPublish(b *store.BulkPublish) error {
	if err := t.writable(); err != nil {
		return err
	}
	return t.put("put bulk publish", `INSERT INTO bulk_publish (pool_id, status, started, completed, failure, owner, heartbeat)
VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (pool_id) DO UPDATE SET
status = excluded.status, started = excluded.started, completed = excluded.completed, failure = excluded.failure,
owner = excluded.owner, heartbeat = excluded.heartbeat`,
		b.PoolID, b.Status, nanos(b.StartedAt), nanos(b.CompletedAt), b.FailureMessage, b.Owner, nanos(b.HeartbeatAt))
}
