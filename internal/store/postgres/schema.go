package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// migrations is the schema's history: migrations[k] takes the schema from
// version k to k+1. Append only; never edit one that has shipped.
//
// The tables are SQLite's (docs/STORAGE.md), in types that PostgreSQL and
// CockroachDB both have: every string is BYTEA (byte-wise order without a
// collation, and any byte, NUL included), times are BIGINT unix
// nanoseconds (0 for the zero time), flags BOOL. Every table has a primary
// key (CockroachDB would add a hidden one), every lookup and every keyset
// page has an index (TestQueryPlans), and deletes cascade through foreign
// keys, each backed by an index on the child column. No INCLUDE, no
// collations, no sequences, no triggers: see docs/SCALING.md for how the
// SQL was kept to what both engines accept.
var migrations = []string{
	// 1: identity pools, identities, logins, secrets, keys, credentials.
	`
CREATE TABLE pools (
	id      BYTEA NOT NULL PRIMARY KEY,
	account BYTEA NOT NULL,
	region  BYTEA NOT NULL,
	name    BYTEA NOT NULL,
	created BIGINT NOT NULL,
	updated BIGINT NOT NULL,
	config  BYTEA
);
-- ListPools, CountPools, ListPoolUsage: one account's pools in one region, by ID.
CREATE INDEX pools_account ON pools (account, region, id);

CREATE TABLE identities (
	id       BYTEA NOT NULL PRIMARY KEY,
	pool_id  BYTEA NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
	created  BIGINT NOT NULL,
	modified BIGINT NOT NULL,
	disabled BOOL NOT NULL DEFAULT false
);
-- ListIdentities (keyset pages by ID) and the cascade from pools; the
-- columns listed make it cover a page.
CREATE INDEX identities_pool ON identities (pool_id, id, created, modified, disabled);
-- ListIdentities with hideDisabled: pages skip nothing.
CREATE INDEX identities_pool_enabled ON identities (pool_id, id, created, modified) WHERE NOT disabled;

CREATE TABLE logins (
	pool_id     BYTEA NOT NULL,
	provider    BYTEA NOT NULL,
	subject     BYTEA NOT NULL,
	identity_id BYTEA NOT NULL REFERENCES identities (id) ON DELETE CASCADE,
	created     BIGINT NOT NULL,
	PRIMARY KEY (pool_id, provider, subject)
);
-- An identity's logins in (provider, subject) order: GetIdentity,
-- ListLogins, ListIdentities' page query, MoveLogins and the cascade.
CREATE INDEX logins_identity ON logins (identity_id, provider, subject, created);

CREATE TABLE secrets (
	name    BYTEA NOT NULL PRIMARY KEY,
	value   BYTEA NOT NULL,
	created BIGINT NOT NULL
);

CREATE TABLE signing_keys (
	kid         BYTEA NOT NULL PRIMARY KEY,
	region      BYTEA NOT NULL,
	algorithm   BYTEA NOT NULL,
	private_pem BYTEA NOT NULL,
	created     BIGINT NOT NULL,
	retired     BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE credentials (
	access_key_id BYTEA NOT NULL PRIMARY KEY,
	identity_id   BYTEA NOT NULL REFERENCES identities (id) ON DELETE CASCADE,
	pool_id       BYTEA NOT NULL,
	role_arn      BYTEA NOT NULL,
	issued        BIGINT NOT NULL,
	expires       BIGINT NOT NULL
);
-- The cascade from identities.
CREATE INDEX credentials_identity ON credentials (identity_id);
`,
	// 2: Cognito Sync: pool configuration and usage, identity usage,
	// datasets, records, devices, subscriptions, bulk publish jobs. Every
	// row hangs off its pool or identity and goes with it.
	`
CREATE TABLE sync_pools (
	pool_id       BYTEA NOT NULL PRIMARY KEY REFERENCES pools (id) ON DELETE CASCADE,
	config        BYTEA,
	sync_sessions BIGINT NOT NULL,
	data_storage  BIGINT NOT NULL,
	modified      BIGINT NOT NULL
);

CREATE TABLE identity_usage (
	identity_id   BYTEA NOT NULL PRIMARY KEY REFERENCES identities (id) ON DELETE CASCADE,
	pool_id       BYTEA NOT NULL,
	dataset_count BIGINT NOT NULL,
	data_storage  BIGINT NOT NULL,
	modified      BIGINT NOT NULL
);

CREATE TABLE datasets (
	identity_id        BYTEA NOT NULL REFERENCES identities (id) ON DELETE CASCADE,
	name               BYTEA NOT NULL,
	pool_id            BYTEA NOT NULL,
	created            BIGINT NOT NULL,
	modified           BIGINT NOT NULL,
	modified_by        BYTEA NOT NULL,
	sync_count         BIGINT NOT NULL,
	data_storage       BIGINT NOT NULL,
	num_records        BIGINT NOT NULL,
	deleted            BOOL NOT NULL,
	deleted_sync_count BIGINT NOT NULL,
	merged_from        BYTEA NOT NULL,
	PRIMARY KEY (identity_id, name)
);

-- ListRecords walks a dataset's primary-key range in key order from the
-- last key, testing sync_count on the way, and stops at the limit.
CREATE TABLE records (
	identity_id     BYTEA NOT NULL REFERENCES identities (id) ON DELETE CASCADE,
	dataset         BYTEA NOT NULL,
	key             BYTEA NOT NULL,
	sync_count      BIGINT NOT NULL,
	modified        BIGINT NOT NULL,
	device_modified BIGINT NOT NULL,
	pool_id         BYTEA NOT NULL,
	modified_by     BYTEA NOT NULL,
	value           BYTEA, -- NULL: removed
	PRIMARY KEY (identity_id, dataset, key)
);
-- ListPoolRecords: a pool's live records in (identity, dataset, key)
-- order, a keyset page at a time.
CREATE INDEX records_pool ON records (pool_id, identity_id, dataset, key) WHERE value IS NOT NULL;

CREATE TABLE devices (
	id          BYTEA NOT NULL PRIMARY KEY,
	identity_id BYTEA NOT NULL REFERENCES identities (id) ON DELETE CASCADE,
	pool_id     BYTEA NOT NULL,
	platform    BYTEA NOT NULL,
	token       BYTEA NOT NULL,
	created     BIGINT NOT NULL,
	-- FindDevice, and the cascade from identities.
	UNIQUE (identity_id, platform, token)
);

CREATE TABLE subscriptions (
	identity_id BYTEA NOT NULL REFERENCES identities (id) ON DELETE CASCADE,
	dataset     BYTEA NOT NULL,
	device_id   BYTEA NOT NULL,
	created     BIGINT NOT NULL,
	PRIMARY KEY (identity_id, dataset, device_id)
);

CREATE TABLE bulk_publish (
	pool_id   BYTEA NOT NULL PRIMARY KEY REFERENCES pools (id) ON DELETE CASCADE,
	status    BYTEA NOT NULL,
	started   BIGINT NOT NULL,
	completed BIGINT NOT NULL,
	failure   BYTEA NOT NULL,
	owner     BYTEA NOT NULL,
	heartbeat BIGINT NOT NULL
);
`,
	// 3: running identity counts per pool (store/counters.go), backfilled
	// from the identities already stored into each pool's shard 0.
	countersMigration,
}

// createMigrations makes the version table. Version 0 is not a migration:
// its row is the lock that migrators take in turn.
const createMigrations = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version BIGINT NOT NULL PRIMARY KEY,
	applied BIGINT NOT NULL
)`

// migrate brings the schema up to date. Any number of processes may run it
// on one database at the same moment: each migration runs in a transaction
// that first locks the version-0 row of schema_migrations (SELECT ... FOR
// UPDATE), reads the version and applies the next migration with its row,
// so the others wait on the lock, then find the work done. A row lock
// rather than pg_advisory_lock: CockroachDB has no advisory locks, and a
// row lock works the same on both (and through a transaction-pooling
// proxy, which session advisory locks do not survive).
//
// Only creating the table itself cannot be under that lock. Two concurrent
// CREATE TABLE IF NOT EXISTS may both find no table; PostgreSQL then fails
// the loser with a duplicate in its catalog (23505 or 42P07), which is
// simply tried again and finds the table there.
func (s *Store) migrate(ctx context.Context) error {
	c, err := s.acquire(ctx)
	if err != nil {
		return err
	}
	defer c.Release()
	conn := c.Conn()
	for _, q := range []string{createMigrations, `INSERT INTO schema_migrations (version, applied) VALUES (0, 0) ON CONFLICT DO NOTHING`} {
		if err := retryDDL(ctx, func() error { _, err := conn.Exec(ctx, q); return err }); err != nil {
			return fmt.Errorf("postgres: create schema_migrations: %w", err)
		}
	}
	for {
		var done bool
		err := retryDDL(ctx, func() (err error) {
			done, err = migrateOne(ctx, conn)
			return err
		})
		if err != nil || done {
			return err
		}
	}
}

// migrateOne applies the first pending migration under the lock row; done
// reports there was none.
func migrateOne(ctx context.Context, c *pgx.Conn) (done bool, err error) {
	t, err := c.Begin(ctx)
	if err != nil {
		return false, fmt.Errorf("postgres: migrate: %w", err)
	}
	defer t.Rollback(context.WithoutCancel(ctx))
	var lock int64
	if err := t.QueryRow(ctx, "SELECT version FROM schema_migrations WHERE version = 0 FOR UPDATE").Scan(&lock); err != nil {
		return false, fmt.Errorf("postgres: lock schema_migrations: %w", err)
	}
	var version int
	if err := t.QueryRow(ctx, "SELECT max(version) FROM schema_migrations").Scan(&version); err != nil {
		return false, fmt.Errorf("postgres: read schema version: %w", err)
	}
	if version > len(migrations) {
		return false, fmt.Errorf("postgres: database schema version %d is newer than this cognitod knows (%d)", version, len(migrations))
	}
	if version == len(migrations) {
		return true, t.Commit(ctx)
	}
	if _, err := t.Exec(ctx, migrations[version]); err != nil {
		return false, fmt.Errorf("postgres: migration %d: %w", version+1, err)
	}
	if _, err := t.Exec(ctx, "INSERT INTO schema_migrations (version, applied) VALUES ($1, $2)", version+1, time.Now().UnixNano()); err != nil {
		return false, fmt.Errorf("postgres: migration %d: %w", version+1, err)
	}
	if err := t.Commit(ctx); err != nil {
		return false, fmt.Errorf("postgres: migration %d: commit: %w", version+1, err)
	}
	return false, nil
}

// retryDDL runs fn again while it fails the way concurrent schema work
// fails: a serialization failure or deadlock, or a catalog duplicate from
// two CREATE ... IF NOT EXISTS racing.
func retryDDL(ctx context.Context, fn func() error) error {
	for attempt := 1; ; attempt++ {
		err := fn()
		if err == nil || attempt == 50 || ctx.Err() != nil {
			return err
		}
		var pe *pgconn.PgError
		if !retryable(err) && !(errors.As(err, &pe) && (pe.Code == "23505" || pe.Code == "42P07" || pe.Code == "42710")) {
			return err
		}
		time.Sleep(time.Duration(attempt) * 10 * time.Millisecond)
	}
}
