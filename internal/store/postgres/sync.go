package postgres

import (
	"time"

	"github.com/cognitod/cognitod/internal/store"
)

// Cognito Sync data (store.SyncTx). Puts are upserts (INSERT ... ON
// CONFLICT DO UPDATE) of a row whose pool or identity must exist: the
// INSERT's SELECT yields no row when it does not, and no row written is
// ErrNotFound.

const (
	poolExists     = "EXISTS (SELECT 1 FROM pools WHERE id = $1)"
	identityExists = "EXISTS (SELECT 1 FROM identities WHERE id = $1)"
)

func (t *tx) GetSyncPool(poolID string) (*store.SyncPool, error) {
	if err := t.readable(); err != nil {
		return nil, err
	}
	p := &store.SyncPool{PoolID: poolID}
	var modified int64
	err := t.queryRow("SELECT config, sync_sessions, data_storage, modified FROM sync_pools WHERE pool_id = $1", b(poolID)).
		Scan(blob{&p.Config}, &p.SyncSessions, &p.DataStorage, &modified)
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
SELECT $1::BYTEA, $2::BYTEA, $3::BIGINT, $4::BIGINT, $5::BIGINT WHERE `+poolExists+`
ON CONFLICT (pool_id) DO UPDATE SET
config = excluded.config, sync_sessions = excluded.sync_sessions, data_storage = excluded.data_storage, modified = excluded.modified`,
		b(p.PoolID), p.Config, p.SyncSessions, p.DataStorage, nanos(p.LastModified))
}

func (t *tx) AddSyncPoolUsage(poolID string, bytes, sessions int64, now time.Time) (*store.SyncPool, error) {
	if err := t.writable(); err != nil {
		return nil, err
	}
	p := &store.SyncPool{PoolID: poolID}
	var modified int64
	err := t.queryRow(`INSERT INTO sync_pools AS s (pool_id, config, sync_sessions, data_storage, modified)
SELECT $1::BYTEA, NULL::BYTEA, $2::BIGINT, $3::BIGINT, $4::BIGINT WHERE `+poolExists+`
ON CONFLICT (pool_id) DO UPDATE SET
sync_sessions = s.sync_sessions + excluded.sync_sessions, data_storage = s.data_storage + excluded.data_storage, modified = excluded.modified
RETURNING s.config, s.sync_sessions, s.data_storage, s.modified`, b(poolID), sessions, bytes, nanos(now)).
		Scan(blob{&p.Config}, &p.SyncSessions, &p.DataStorage, &modified)
	if err != nil {
		return nil, t.notFound("add sync pool usage", err)
	}
	p.LastModified = fromNanos(modified)
	return p, nil
}

// ListPoolUsage is ListPools' keyset page with each pool's sync_pools row
// joined in: one statement, one primary-key probe per pool of the page.
func (t *tx) ListPoolUsage(account, region, after string, limit int) ([]*store.PoolUsage, error) {
	if err := t.readable(); err != nil {
		return nil, err
	}
	rows, err := t.query(`SELECT p.id, p.name, p.created, p.updated, p.config,
	s.pool_id IS NOT NULL, s.config, coalesce(s.sync_sessions, 0), coalesce(s.data_storage, 0), coalesce(s.modified, 0)
FROM pools p LEFT JOIN sync_pools s ON s.pool_id = p.id
WHERE p.account = $1 AND p.region = $2 AND p.id > $3 ORDER BY p.id LIMIT $4`, b(account), b(region), b(after), noLimit(limit))
	if err != nil {
		return nil, t.fail("list pool usage", err)
	}
	defer rows.Close()
	var us []*store.PoolUsage
	for rows.Next() {
		p := &store.Pool{Account: account, Region: region}
		var created, updated, sessions, storage, modified int64
		var hasSync bool
		var config []byte
		if err := rows.Scan(str{&p.ID}, str{&p.Name}, &created, &updated, blob{&p.Config},
			&hasSync, blob{&config}, &sessions, &storage, &modified); err != nil {
			return nil, t.fail("list pool usage", err)
		}
		p.CreatedAt, p.UpdatedAt = fromNanos(created), fromNanos(updated)
		u := &store.PoolUsage{Pool: p}
		if hasSync {
			u.Sync = &store.SyncPool{PoolID: p.ID, Config: config, SyncSessions: sessions,
				DataStorage: storage, LastModified: fromNanos(modified)}
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
	err := t.queryRow("SELECT pool_id, dataset_count, data_storage, modified FROM identity_usage WHERE identity_id = $1", b(identityID)).
		Scan(str{&u.PoolID}, &u.DatasetCount, &u.DataStorage, &modified)
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
SELECT $1::BYTEA, $2::BYTEA, $3::BIGINT, $4::BIGINT, $5::BIGINT WHERE `+identityExists+`
ON CONFLICT (identity_id) DO UPDATE SET
pool_id = excluded.pool_id, dataset_count = excluded.dataset_count, data_storage = excluded.data_storage, modified = excluded.modified`,
		b(u.IdentityID), b(u.PoolID), u.DatasetCount, u.DataStorage, nanos(u.LastModified))
}

func (t *tx) AddIdentityUsage(identityID, poolID string, bytes, datasets int64, now time.Time) error {
	if err := t.writable(); err != nil {
		return err
	}
	return t.put("add identity usage", `INSERT INTO identity_usage AS u (identity_id, pool_id, dataset_count, data_storage, modified)
SELECT $1::BYTEA, $2::BYTEA, $3::BIGINT, $4::BIGINT, $5::BIGINT WHERE `+identityExists+`
ON CONFLICT (identity_id) DO UPDATE SET
dataset_count = u.dataset_count + excluded.dataset_count, data_storage = u.data_storage + excluded.data_storage, modified = excluded.modified`,
		b(identityID), b(poolID), datasets, bytes, nanos(now))
}

const datasetColumns = `name, pool_id, created, modified, modified_by, sync_count, data_storage, num_records,
	deleted, deleted_sync_count, merged_from`

func scanDataset(sc interface{ Scan(...any) error }, d *store.Dataset) error {
	var created, modified int64
	if err := sc.Scan(str{&d.Name}, str{&d.PoolID}, &created, &modified, str{&d.LastModifiedBy}, &d.SyncCount, &d.DataStorage,
		&d.NumRecords, &d.Deleted, &d.DeletedSyncCount, str{&d.MergedFrom}); err != nil {
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
	err := scanDataset(t.queryRow("SELECT "+datasetColumns+" FROM datasets WHERE identity_id = $1 AND name = $2", b(identityID), b(name)), d)
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
SELECT $1::BYTEA, $2::BYTEA, $3::BYTEA, $4::BIGINT, $5::BIGINT, $6::BYTEA, $7::BIGINT, $8::BIGINT, $9::BIGINT, $10::BOOL, $11::BIGINT, $12::BYTEA
WHERE `+identityExists+`
ON CONFLICT (identity_id, name) DO UPDATE SET
pool_id = excluded.pool_id, created = excluded.created, modified = excluded.modified, modified_by = excluded.modified_by,
sync_count = excluded.sync_count, data_storage = excluded.data_storage, num_records = excluded.num_records,
deleted = excluded.deleted, deleted_sync_count = excluded.deleted_sync_count, merged_from = excluded.merged_from`,
		b(d.IdentityID), b(d.Name), b(d.PoolID), nanos(d.CreatedAt), nanos(d.ModifiedAt), b(d.LastModifiedBy), d.SyncCount,
		d.DataStorage, d.NumRecords, d.Deleted, d.DeletedSyncCount, b(d.MergedFrom))
}

// ListDatasets reads the identity's range of the primary key and skips the
// tombstones in it (an identity has a few dozen datasets at most).
func (t *tx) ListDatasets(identityID, after string, limit int) ([]*store.Dataset, error) {
	if err := t.readable(); err != nil {
		return nil, err
	}
	rows, err := t.query("SELECT "+datasetColumns+` FROM datasets
WHERE identity_id = $1 AND name > $2 AND NOT deleted ORDER BY name LIMIT $3`, b(identityID), b(after), noLimit(limit))
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
	if err := t.change("drop dataset", "DELETE FROM datasets WHERE identity_id = $1 AND name = $2", b(identityID), b(name)); err != nil {
		return err
	}
	return t.deleteRecords("drop dataset", identityID, name)
}

const recordColumns = "key, sync_count, modified, device_modified, pool_id, modified_by, value"

func scanRecord(sc interface{ Scan(...any) error }, r *store.Record) error {
	var modified, deviceModified int64
	if err := sc.Scan(str{&r.Key}, &r.SyncCount, &modified, &deviceModified, str{&r.PoolID}, str{&r.LastModifiedBy}, nstr{&r.Value}); err != nil {
		return err
	}
	r.ModifiedAt, r.DeviceModifiedAt = fromNanos(modified), fromNanos(deviceModified)
	return nil
}

func (t *tx) GetRecord(identityID, dataset, key string) (*store.Record, error) {
	if err := t.readable(); err != nil {
		return nil, err
	}
	r := &store.Record{IdentityID: identityID, Dataset: dataset}
	err := scanRecord(t.queryRow("SELECT "+recordColumns+" FROM records WHERE identity_id = $1 AND dataset = $2 AND key = $3",
		b(identityID), b(dataset), b(key)), r)
	if err != nil {
		return nil, t.notFound("get record", err)
	}
	return r, nil
}

func (t *tx) PutRecord(r *store.Record) error {
	if err := t.writable(); err != nil {
		return err
	}
	var value []byte // nil: NULL, a removed record
	if r.Value != nil {
		value = b(*r.Value)
	}
	return t.put("put record", `INSERT INTO records (identity_id, dataset, `+recordColumns+`)
SELECT $1::BYTEA, $2::BYTEA, $3::BYTEA, $4::BIGINT, $5::BIGINT, $6::BIGINT, $7::BYTEA, $8::BYTEA, $9::BYTEA WHERE `+identityExists+`
ON CONFLICT (identity_id, dataset, key) DO UPDATE SET
sync_count = excluded.sync_count, modified = excluded.modified, device_modified = excluded.device_modified,
pool_id = excluded.pool_id, modified_by = excluded.modified_by, value = excluded.value`,
		b(r.IdentityID), b(r.Dataset), b(r.Key), r.SyncCount, nanos(r.ModifiedAt), nanos(r.DeviceModifiedAt), b(r.PoolID), b(r.LastModifiedBy), value)
}

// ListRecords walks the dataset's records in primary-key (key) order from
// afterKey, testing sync_count on each row.
func (t *tx) ListRecords(identityID, dataset string, afterSyncCount int64, afterKey string, limit int) ([]*store.Record, error) {
	if err := t.readable(); err != nil {
		return nil, err
	}
	rows, err := t.query("SELECT "+recordColumns+` FROM records
WHERE identity_id = $1 AND dataset = $2 AND key > $3 AND sync_count > $4 ORDER BY key LIMIT $5`,
		b(identityID), b(dataset), b(afterKey), afterSyncCount, noLimit(limit))
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
	if _, err := t.exec("DELETE FROM records WHERE identity_id = $1 AND dataset = $2", b(identityID), b(dataset)); err != nil {
		return t.fail(what, err)
	}
	return nil
}

// ListPoolRecords is a keyset page of the records_pool index, which holds
// only live records: the row comparison seeks to the position after the
// last one returned.
func (t *tx) ListPoolRecords(poolID string, after store.RecordPos, limit int) ([]*store.Record, error) {
	if err := t.readable(); err != nil {
		return nil, err
	}
	rows, err := t.query(`SELECT identity_id, dataset, `+recordColumns+` FROM records
WHERE pool_id = $1 AND value IS NOT NULL AND (identity_id, dataset, key) > ($2, $3, $4)
ORDER BY identity_id, dataset, key LIMIT $5`,
		b(poolID), b(after.IdentityID), b(after.Dataset), b(after.Key), noLimit(limit))
	if err != nil {
		return nil, t.fail("list pool records", err)
	}
	defer rows.Close()
	var rs []*store.Record
	for rows.Next() {
		r := &store.Record{}
		var modified, deviceModified int64
		if err := rows.Scan(str{&r.IdentityID}, str{&r.Dataset}, str{&r.Key}, &r.SyncCount, &modified, &deviceModified,
			str{&r.PoolID}, str{&r.LastModifiedBy}, nstr{&r.Value}); err != nil {
			return nil, t.fail("list pool records", err)
		}
		r.ModifiedAt, r.DeviceModifiedAt = fromNanos(modified), fromNanos(deviceModified)
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
	return t.insert("add device", "SELECT "+identityExists, []any{b(d.IdentityID)},
		`INSERT INTO devices (id, identity_id, pool_id, platform, token, created)
SELECT $2::BYTEA, $1::BYTEA, $3::BYTEA, $4::BYTEA, $5::BYTEA, $6::BIGINT WHERE `+identityExists+`
ON CONFLICT DO NOTHING`,
		b(d.IdentityID), b(d.ID), b(d.PoolID), b(d.Platform), b(d.Token), nanos(d.CreatedAt))
}

func (t *tx) GetDevice(id string) (*store.Device, error) {
	if err := t.readable(); err != nil {
		return nil, err
	}
	d := &store.Device{ID: id}
	var created int64
	err := t.queryRow("SELECT identity_id, pool_id, platform, token, created FROM devices WHERE id = $1", b(id)).
		Scan(str{&d.IdentityID}, str{&d.PoolID}, str{&d.Platform}, str{&d.Token}, &created)
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
	err := t.queryRow("SELECT id, pool_id, created FROM devices WHERE identity_id = $1 AND platform = $2 AND token = $3",
		b(identityID), b(platform), b(token)).Scan(str{&d.ID}, str{&d.PoolID}, &created)
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
	err := t.insert("subscribe", "SELECT "+identityExists, []any{b(s.IdentityID)},
		`INSERT INTO subscriptions (identity_id, dataset, device_id, created)
SELECT $1::BYTEA, $2::BYTEA, $3::BYTEA, $4::BIGINT WHERE `+identityExists+`
ON CONFLICT DO NOTHING`, b(s.IdentityID), b(s.Dataset), b(s.DeviceID), nanos(s.CreatedAt))
	if err == store.ErrExists {
		return nil
	}
	return err
}

func (t *tx) Unsubscribe(identityID, dataset, deviceID string) error {
	if err := t.writable(); err != nil {
		return err
	}
	return t.change("unsubscribe", "DELETE FROM subscriptions WHERE identity_id = $1 AND dataset = $2 AND device_id = $3",
		b(identityID), b(dataset), b(deviceID))
}

// ListSubscriptions returns a dataset's subscriptions by device ID.
func (t *tx) ListSubscriptions(identityID, dataset string) ([]*store.Subscription, error) {
	if err := t.readable(); err != nil {
		return nil, err
	}
	rows, err := t.query("SELECT device_id, created FROM subscriptions WHERE identity_id = $1 AND dataset = $2 ORDER BY device_id",
		b(identityID), b(dataset))
	if err != nil {
		return nil, t.fail("list subscriptions", err)
	}
	defer rows.Close()
	var ss []*store.Subscription
	for rows.Next() {
		s := &store.Subscription{IdentityID: identityID, Dataset: dataset}
		var created int64
		if err := rows.Scan(str{&s.DeviceID}, &created); err != nil {
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
	bp := &store.BulkPublish{PoolID: poolID}
	var started, completed, heartbeat int64
	err := t.queryRow("SELECT status, started, completed, failure, owner, heartbeat FROM bulk_publish WHERE pool_id = $1", b(poolID)).
		Scan(str{&bp.Status}, &started, &completed, str{&bp.FailureMessage}, str{&bp.Owner}, &heartbeat)
	if err != nil {
		return nil, t.notFound("get bulk publish", err)
	}
	bp.StartedAt, bp.CompletedAt, bp.HeartbeatAt = fromNanos(started), fromNanos(completed), fromNanos(heartbeat)
	return bp, nil
}

// PutBulkPublish writes a pool's job row. Starting a job is GetBulkPublish,
// a check and this Put in one SERIALIZABLE Update, so of several nodes
// starting the same pool's job at once exactly one commits; the others are
// retried and find the job running.
func (t *tx) PutBulkPublish(bp *store.BulkPublish) error {
	if err := t.writable(); err != nil {
		return err
	}
	return t.put("put bulk publish", `INSERT INTO bulk_publish (pool_id, status, started, completed, failure, owner, heartbeat)
SELECT $1::BYTEA, $2::BYTEA, $3::BIGINT, $4::BIGINT, $5::BYTEA, $6::BYTEA, $7::BIGINT WHERE `+poolExists+`
ON CONFLICT (pool_id) DO UPDATE SET
status = excluded.status, started = excluded.started, completed = excluded.completed, failure = excluded.failure,
owner = excluded.owner, heartbeat = excluded.heartbeat`,
		b(bp.PoolID), b(bp.Status), nanos(bp.StartedAt), nanos(bp.CompletedAt), b(bp.FailureMessage), b(bp.Owner), nanos(bp.HeartbeatAt))
}
