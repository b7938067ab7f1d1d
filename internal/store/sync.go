package store

import "time"

// SyncTx is the Cognito Sync half of a transaction. Usage counters are kept
// by the service as it writes (never computed by scanning records), so every
// read of usage costs the same however much data a pool holds; the store
// changes them on its own only in DeleteIdentity (see Tx).
//
// PutX methods insert or replace (upsert) and return ErrNotFound when the
// pool (SyncPool, BulkPublish) or identity (everything else) they belong to
// does not exist. Sync data goes with its pool or identity: DeletePool and
// DeleteIdentity remove it.
type SyncTx interface {
	// GetSyncPool returns a pool's Sync configuration and usage counters;
	// ErrNotFound when nothing was ever written for the pool.
	GetSyncPool(poolID string) (*SyncPool, error)
	// PutSyncPool inserts or replaces it.
	PutSyncPool(p *SyncPool) error
	// AddSyncPoolUsage adds bytes to a pool's DataStorage and sessions to
	// its SyncSessions (from zero, with no configuration, when the pool has
	// no row yet), sets LastModified to now and returns the row as written:
	// one statement where GetSyncPool and PutSyncPool are two, for the
	// counters every UpdateRecords moves. ErrNotFound if the pool does not
	// exist.
	AddSyncPoolUsage(poolID string, bytes, sessions int64, now time.Time) (*SyncPool, error)
	// ListPoolUsage returns up to limit pools of account in region with ID >
	// after, ordered by ID, each with its SyncPool (nil when it has none):
	// one query, however many pools; limit <= 0 means all.
	ListPoolUsage(account, region, after string, limit int) ([]*PoolUsage, error)

	// GetIdentityUsage returns an identity's Sync counters; ErrNotFound when
	// it never wrote.
	GetIdentityUsage(identityID string) (*IdentityUsage, error)
	// PutIdentityUsage inserts or replaces them.
	PutIdentityUsage(u *IdentityUsage) error
	// AddIdentityUsage adds bytes to an identity's DataStorage and datasets
	// to its DatasetCount (from zero, in pool poolID, when it has no row
	// yet) and sets LastModified to now, in one statement. ErrNotFound if
	// the identity does not exist.
	AddIdentityUsage(identityID, poolID string, bytes, datasets int64, now time.Time) error

	// GetDataset returns a dataset, deleted ones (tombstones) included.
	GetDataset(identityID, name string) (*Dataset, error)
	// PutDataset inserts or replaces a dataset.
	PutDataset(d *Dataset) error
	// ListDatasets returns up to limit live (not deleted) datasets of an
	// identity with Name > after, ordered by name; limit <= 0 means all.
	ListDatasets(identityID, after string, limit int) ([]*Dataset, error)
	// DropDataset removes a dataset row (tombstone included) and its records;
	// ErrNotFound, and nothing removed, when there is no dataset row.
	DropDataset(identityID, name string) error

	// GetRecord returns a record (removed ones, with a nil Value, included).
	GetRecord(identityID, dataset, key string) (*Record, error)
	// PutRecord inserts or replaces a record.
	PutRecord(r *Record) error
	// ListRecords returns up to limit records of a dataset with SyncCount >
	// afterSyncCount and Key > afterKey, ordered by key; limit <= 0 means all.
	ListRecords(identityID, dataset string, afterSyncCount int64, afterKey string, limit int) ([]*Record, error)
	// DeleteRecords removes every record of a dataset (none is no error).
	DeleteRecords(identityID, dataset string) error
	// ListPoolRecords pages through every live record of a pool (removed
	// ones, with a nil Value, are left out) in (identity, dataset, key)
	// order, up to limit (<= 0: all), resuming after the given position (all
	// three "" to start): what a bulk publish streams.
	ListPoolRecords(poolID string, after RecordPos, limit int) ([]*Record, error)

	// Devices registered for push sync. (IdentityID, Platform, Token) is
	// unique: AddDevice returns ErrExists for a second one (and for a taken
	// ID), ErrNotFound when the identity does not exist.
	AddDevice(d *Device) error
	// GetDevice and FindDevice return ErrNotFound for no such device.
	GetDevice(id string) (*Device, error)
	FindDevice(identityID, platform, token string) (*Device, error)
	// Subscribe is idempotent (a repeat keeps the first CreatedAt) and
	// returns ErrNotFound when the identity does not exist; Unsubscribe
	// returns ErrNotFound when there was no subscription.
	Subscribe(s *Subscription) error
	Unsubscribe(identityID, dataset, deviceID string) error
	// ListSubscriptions returns a dataset's subscriptions by DeviceID.
	ListSubscriptions(identityID, dataset string) ([]*Subscription, error)

	// Bulk publish jobs, one per pool. GetBulkPublish returns ErrNotFound
	// when the pool never had one.
	GetBulkPublish(poolID string) (*BulkPublish, error)
	PutBulkPublish(b *BulkPublish) error
}

// SyncPool is a pool's Cognito Sync configuration and usage.
type SyncPool struct {
	PoolID string
	// Config is the JSON of PushSync, CognitoStreams and Events, kept opaque.
	Config       []byte
	SyncSessions int64
	DataStorage  int64
	// LastModified is the last Sync write in the pool; zero if none.
	LastModified time.Time
}

// PoolUsage is a pool with its Sync usage (nil when it has none).
type PoolUsage struct {
	Pool *Pool
	Sync *SyncPool
}

// IdentityUsage counts an identity's Sync data.
type IdentityUsage struct {
	IdentityID   string
	PoolID       string
	DatasetCount int64
	DataStorage  int64
	LastModified time.Time
}

// Dataset is a named set of records of one identity.
type Dataset struct {
	IdentityID     string
	Name           string
	PoolID         string
	CreatedAt      time.Time
	ModifiedAt     time.Time
	LastModifiedBy string
	SyncCount      int64
	DataStorage    int64
	NumRecords     int64
	// Deleted marks a tombstone: DeleteDataset keeps the row so that a
	// client syncing from an older SyncCount learns of the deletion.
	Deleted bool
	// DeletedSyncCount is the SyncCount the dataset had when deleted.
	DeletedSyncCount int64
	// MergedFrom is the identity this dataset came from when that identity
	// was merged into this one ("" for the identity's own datasets).
	MergedFrom string
}

// Record is one key of a dataset. A removed record keeps its row with a nil
// Value so that clients syncing from an older SyncCount see the removal.
type Record struct {
	IdentityID       string
	Dataset          string
	PoolID           string
	Key              string
	Value            *string
	SyncCount        int64
	ModifiedAt       time.Time
	LastModifiedBy   string
	DeviceModifiedAt time.Time
}

// RecordPos is a position in ListPoolRecords order.
type RecordPos struct {
	IdentityID, Dataset, Key string
}

// Device is a device registered for push sync.
type Device struct {
	ID         string
	IdentityID string
	PoolID     string
	Platform   string
	Token      string
	CreatedAt  time.Time
}

// Subscription subscribes a device to a dataset's changes.
type Subscription struct {
	IdentityID string
	Dataset    string
	DeviceID   string
	CreatedAt  time.Time
}

// BulkPublish is a pool's bulk publish job.
type BulkPublish struct {
	PoolID         string
	Status         string // NOT_STARTED, IN_PROGRESS, FAILED, SUCCEEDED
	StartedAt      time.Time
	CompletedAt    time.Time
	FailureMessage string
	// Owner names the process running the job and HeartbeatAt when it last
	// showed progress, so that a job whose process died can be taken over.
	Owner       string
	HeartbeatAt time.Time
}
