package sqlite

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// migrations is the schema's history: migrations[k] takes the schema from
// version k to k+1. Append only; never edit one that has shipped.
//
// Times are INTEGER unix nanoseconds (0 for the zero time.Time). Small,
// hot, fixed-size rows live in WITHOUT ROWID tables so a primary-key lookup
// is one b-tree descent; pools and signing keys carry kilobytes of JSON or
// PEM and stay rowid tables, where big rows do not bloat the key b-tree.
// Deletes cascade through foreign keys, each backed by an index on the
// child column.
var migrations = []string{
	// 1: identity pools, identities, logins, secrets, keys, credentials.
	`
CREATE TABLE pools (
	id      TEXT NOT NULL PRIMARY KEY,
	account TEXT NOT NULL,
	region  TEXT NOT NULL,
	name    TEXT NOT NULL,
	created INTEGER NOT NULL,
	updated INTEGER NOT NULL,
	config  BLOB
);
-- ListPools and CountPools: one account's pools in one region, by ID.
CREATE INDEX pools_account ON pools (account, region, id);

CREATE TABLE identities (
	id       TEXT NOT NULL PRIMARY KEY,
	pool_id  TEXT NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
	created  INTEGER NOT NULL,
	modified INTEGER NOT NULL,
	disabled INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
-- ListIdentities (keyset pages by ID) and the cascade from pools. The
-- index covers the listed columns, so a page is one range scan with no
-- lookup into the table per identity.
CREATE INDEX identities_pool ON identities (pool_id, id, created, modified, disabled);
-- ListIdentities with hideDisabled: pages skip nothing, however many
-- identities are disabled.
CREATE INDEX identities_pool_enabled ON identities (pool_id, id, created, modified) WHERE disabled = 0;

CREATE TABLE logins (
	pool_id     TEXT NOT NULL,
	provider    TEXT NOT NULL,
	subject     TEXT NOT NULL,
	identity_id TEXT NOT NULL REFERENCES identities (id) ON DELETE CASCADE,
	created     INTEGER NOT NULL,
	PRIMARY KEY (pool_id, provider, subject)
) WITHOUT ROWID;
-- An identity's logins in (provider, subject) order: GetIdentity,
-- ListLogins, ListIdentities' page query, MoveLogins and the cascade.
-- With created (and the primary key, which every index of a WITHOUT ROWID
-- table carries) it covers those reads: one seek per identity.
CREATE INDEX logins_identity ON logins (identity_id, provider, subject, created);

CREATE TABLE secrets (
	name    TEXT NOT NULL PRIMARY KEY,
	value   BLOB NOT NULL,
	created INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE signing_keys (
	kid         TEXT NOT NULL PRIMARY KEY,
	region      TEXT NOT NULL,
	algorithm   TEXT NOT NULL,
	private_pem BLOB NOT NULL,
	created     INTEGER NOT NULL,
	retired     INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE credentials (
	access_key_id TEXT NOT NULL PRIMARY KEY,
	identity_id   TEXT NOT NULL REFERENCES identities (id) ON DELETE CASCADE,
	pool_id       TEXT NOT NULL,
	role_arn      TEXT NOT NULL,
	issued        INTEGER NOT NULL,
	expires       INTEGER NOT NULL
) WITHOUT ROWID;
-- The cascade from identities.
CREATE INDEX credentials_identity ON credentials (identity_id);
`,
	// 2: Cognito Sync: pool configuration and usage, identity usage,
	// datasets, records, devices, subscriptions, bulk publish jobs.
	//
	// Everything hangs off pools (sync_pools, bulk_publish) or identities
	// (the rest) with ON DELETE CASCADE, so DeletePool and DeleteIdentity
	// remove it all. Records do not reference datasets: the service writes
	// a new dataset's records before the dataset row, and DropDataset
	// deletes both itself.
	`
CREATE TABLE sync_pools (
	pool_id       TEXT NOT NULL PRIMARY KEY REFERENCES pools (id) ON DELETE CASCADE,
	config        BLOB,
	sync_sessions INTEGER NOT NULL,
	data_storage  INTEGER NOT NULL,
	modified      INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE identity_usage (
	identity_id   TEXT NOT NULL PRIMARY KEY REFERENCES identities (id) ON DELETE CASCADE,
	pool_id       TEXT NOT NULL,
	dataset_count INTEGER NOT NULL,
	data_storage  INTEGER NOT NULL,
	modified      INTEGER NOT NULL
) WITHOUT ROWID;

-- Tombstones (deleted = 1) stay until the dataset is dropped; an
-- identity has a few dozen datasets at most, so ListDatasets reads its
-- key range and skips them.
CREATE TABLE datasets (
	identity_id        TEXT NOT NULL REFERENCES identities (id) ON DELETE CASCADE,
	name               TEXT NOT NULL,
	pool_id            TEXT NOT NULL,
	created            INTEGER NOT NULL,
	modified           INTEGER NOT NULL,
	modified_by        TEXT NOT NULL,
	sync_count         INTEGER NOT NULL,
	data_storage       INTEGER NOT NULL,
	num_records        INTEGER NOT NULL,
	deleted            INTEGER NOT NULL,
	deleted_sync_count INTEGER NOT NULL,
	merged_from        TEXT NOT NULL,
	PRIMARY KEY (identity_id, name)
) WITHOUT ROWID;

-- The primary key clusters a dataset's records in key order, so
-- ListRecords ("sync_count > ? AND key > ? ORDER BY key LIMIT ?") is one
-- seek and a range scan that stops at the limit, testing sync_count on
-- the row it is reading: no sort, no lookup, at most 1,024 rows. An index
-- led by sync_count would need a sort of the matches and could not stop
-- early; one on (..., key, sync_count) would repeat the primary key.
-- sync_count comes before the columns of variable size and value last,
-- so that the test reads no overflow page of a large value.
CREATE TABLE records (
	identity_id     TEXT NOT NULL REFERENCES identities (id) ON DELETE CASCADE,
	dataset         TEXT NOT NULL,
	key             TEXT NOT NULL,
	sync_count      INTEGER NOT NULL,
	modified        INTEGER NOT NULL,
	device_modified INTEGER NOT NULL,
	pool_id         TEXT NOT NULL,
	modified_by     TEXT NOT NULL,
	value           TEXT, -- NULL: removed
	PRIMARY KEY (identity_id, dataset, key)
) WITHOUT ROWID;
-- ListPoolRecords: a pool's live records in (identity, dataset, key)
-- order, a keyset page at a time. Removed records are not in it, so a
-- page skips none.
CREATE INDEX records_pool ON records (pool_id, identity_id, dataset, key) WHERE value IS NOT NULL;

CREATE TABLE devices (
	id          TEXT NOT NULL PRIMARY KEY,
	identity_id TEXT NOT NULL REFERENCES identities (id) ON DELETE CASCADE,
	pool_id     TEXT NOT NULL,
	platform    TEXT NOT NULL,
	token       TEXT NOT NULL,
	created     INTEGER NOT NULL,
	-- FindDevice, and the cascade from identities.
	UNIQUE (identity_id, platform, token)
) WITHOUT ROWID;

-- No foreign key to devices: a device goes only with its identity, which
-- takes its subscriptions along.
CREATE TABLE subscriptions (
	identity_id TEXT NOT NULL REFERENCES identities (id) ON DELETE CASCADE,
	dataset     TEXT NOT NULL,
	device_id   TEXT NOT NULL,
	created     INTEGER NOT NULL,
	PRIMARY KEY (identity_id, dataset, device_id)
) WITHOUT ROWID;

CREATE TABLE bulk_publish (
	pool_id   TEXT NOT NULL PRIMARY KEY REFERENCES pools (id) ON DELETE CASCADE,
	status    TEXT NOT NULL,
	started   INTEGER NOT NULL,
	completed INTEGER NOT NULL,
	failure   TEXT NOT NULL,
	owner     TEXT NOT NULL,
	heartbeat INTEGER NOT NULL
) WITHOUT ROWID;
`,
	// 3: running identity counts per pool (store/counters.go), backfilled
	// from the identities already stored into each pool's shard 0.
	countersMigration,
	// 4: each identity's logins copied into identities.logins by
	// triggers, for ListIdentities (logins.go).
	loginsMigration,
}

// migrate brings the schema up to date, one transaction per migration, so a
// crash between two leaves a schema at a known version. Running it again
// (every Open) does nothing once the schema is current. It refuses a
// database written by a newer cognitod rather than guess at its schema.
func migrate(ctx context.Context, c *conn) error {
	if _, err := c.c.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
	version INTEGER NOT NULL PRIMARY KEY,
	applied INTEGER NOT NULL
)`); err != nil {
		return fmt.Errorf("sqlite: create schema_migrations: %w", err)
	}
	// Only a store that held a schema already is upgraded; a new one's
	// schema is made in milliseconds, without a word.
	var initial int
	if err := c.c.QueryRowContext(ctx, "SELECT coalesce(max(version), 0) FROM schema_migrations").Scan(&initial); err != nil {
		return fmt.Errorf("sqlite: read schema version: %w", err)
	}
	for {
		done, err := migrateOne(ctx, c, initial > 0)
		if err != nil || done {
			return err
		}
	}
}

// migrateOne applies the first pending migration; done reports there was
// none. The version is read inside the write transaction, so two processes
// opening one file at once cannot both apply the same migration.
func migrateOne(ctx context.Context, c *conn, announce bool) (done bool, err error) {
	if _, err := c.c.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return false, fmt.Errorf("sqlite: migrate: %w", err)
	}
	defer func() {
		if err != nil {
			c.c.ExecContext(context.Background(), "ROLLBACK")
		}
	}()
	var version int
	if err := c.c.QueryRowContext(ctx, "SELECT coalesce(max(version), 0) FROM schema_migrations").Scan(&version); err != nil {
		return false, fmt.Errorf("sqlite: read schema version: %w", err)
	}
	if version > len(migrations) {
		return false, fmt.Errorf("sqlite: database schema version %d is newer than this cognitod knows (%d)", version, len(migrations))
	}
	if version == len(migrations) {
		_, err := c.c.ExecContext(ctx, "COMMIT")
		return true, err
	}
	// Upgrading a store that holds data may take a while (migration 4
	// rebuilds the identity indexes: about two minutes for ten million
	// identities); say so rather than look hung.
	start := time.Now()
	if announce {
		slog.Info("sqlite: upgrading the schema; on a large store this can take minutes", "from", version, "to", version+1)
	}
	if _, err := c.c.ExecContext(ctx, migrations[version]); err != nil {
		return false, fmt.Errorf("sqlite: migration %d: %w", version+1, err)
	}
	if announce {
		slog.Info("sqlite: schema upgraded", "version", version+1, "took", time.Since(start).Round(time.Millisecond))
	}
	if _, err := c.c.ExecContext(ctx, "INSERT INTO schema_migrations (version, applied) VALUES (?, ?)", version+1, time.Now().UnixNano()); err != nil {
		return false, fmt.Errorf("sqlite: migration %d: %w", version+1, err)
	}
	if _, err := c.c.ExecContext(ctx, "COMMIT"); err != nil {
		return false, fmt.Errorf("sqlite: migration %d: commit: %w", version+1, err)
	}
	return false, nil
}
