package sqlite

import (
	"database/sql"
	"slices"
	"strings"

	"github.com/cognitod/cognitod/internal/store"
)

// CreateIdentity stores the identity; its Logins are added with AddLogin.
// A missing pool fails the foreign key: ErrNotFound.
func (t *tx) CreateIdentity(i *store.Identity) error {
	if err := t.writable(); err != nil {
		return err
	}
	if err := t.insert("create identity", `INSERT INTO identities (id, pool_id, created, modified, disabled)
VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		i.ID, i.PoolID, nanos(i.CreatedAt), nanos(i.ModifiedAt), i.Disabled); err != nil {
		return err
	}
	return t.countCreated(i)
}

func (t *tx) GetIdentity(id string) (*store.Identity, error) {
	return store.IdentityWithLogins(t, id)
}

func (t *tx) PeekIdentity(id string) (*store.Identity, error) {
	if err := t.readable(); err != nil {
		return nil, err
	}
	i := &store.Identity{ID: id}
	var created, modified int64
	err := t.c.queryRow("SELECT pool_id, created, modified, disabled FROM identities WHERE id = ?", id).
		Scan(&i.PoolID, &created, &modified, &i.Disabled)
	if err != nil {
		return nil, t.notFound("get identity", err)
	}
	i.CreatedAt, i.ModifiedAt = fromNanos(created), fromNanos(modified)
	return i, nil
}

func (t *tx) UpdateIdentity(i *store.Identity) error {
	if err := t.writable(); err != nil {
		return err
	}
	return t.change("update identity", "UPDATE identities SET modified = ?, disabled = ? WHERE id = ?",
		nanos(i.ModifiedAt), i.Disabled, i.ID)
}

// DeleteIdentity deletes the identity; foreign keys cascade to its logins,
// credentials and Sync data. First, in the same savepoint, its stored bytes
// leave its pool's usage: an identity_usage row exists only while its
// identity does, so a missing identity changes nothing.
func (t *tx) DeleteIdentity(id string) error {
	if err := t.writable(); err != nil {
		return err
	}
	return t.atomic(func() error {
		if _, err := t.c.exec(`UPDATE sync_pools SET data_storage = sync_pools.data_storage - u.data_storage
FROM identity_usage u WHERE u.identity_id = ? AND u.data_storage <> 0 AND sync_pools.pool_id = u.pool_id`, id); err != nil {
			return t.fail("delete identity: pool usage", err)
		}
		if err := t.countDeleted(id); err != nil {
			return err
		}
		return t.change("delete identity", "DELETE FROM identities WHERE id = ?", id)
	})
}

// The page queries, built once. A page is one range scan of an index that
// covers every column read, logins included (logins.go, loginsMigration).
// Without disabled identities, "disabled = 0" verbatim lets SQLite use the
// partial index, which covers the query once disabled is the constant it
// is.
var (
	listIdentitiesQuery        = pageQuery("disabled", "")
	listEnabledIdentitiesQuery = pageQuery("0", " AND disabled = 0")
)

func pageQuery(disabled, where string) string {
	return `SELECT id, created, modified, ` + disabled + `, logins FROM identities
WHERE pool_id = ? AND id > ?` + where + ` ORDER BY id LIMIT ?`
}

// ListIdentities reads a keyset page: "id > after ORDER BY id LIMIT n" walks
// the (pool_id, id) index from after, so the millionth page costs what the
// first does.
func (t *tx) ListIdentities(poolID, after string, limit int, hideDisabled bool) ([]*store.Identity, error) {
	if err := t.readable(); err != nil {
		return nil, err
	}
	q := listIdentitiesQuery
	if hideDisabled {
		q = listEnabledIdentitiesQuery
	}
	rows, err := t.c.query(q, poolID, after, noLimit(limit))
	if err != nil {
		return nil, t.fail("list identities", err)
	}
	defer rows.Close()
	var is []*store.Identity
	// Scan's destinations escape to the heap: declared once, not per row
	// (that was 7 allocations a row, half of a page's).
	var (
		id                string
		created, modified int64
		disabled          bool
		logins            sql.NullString
	)
	for rows.Next() {
		if err := rows.Scan(&id, &created, &modified, &disabled, &logins); err != nil {
			return nil, t.fail("list identities", err)
		}
		i := &store.Identity{ID: id, PoolID: poolID, CreatedAt: fromNanos(created), ModifiedAt: fromNanos(modified), Disabled: disabled}
		if logins.Valid {
			if err := decodeLogins(i, logins.String); err != nil {
				return nil, err
			}
			slices.SortFunc(i.Logins, byProviderSubject)
		}
		is = append(is, i)
	}
	if err := rows.Err(); err != nil {
		return nil, t.fail("list identities", err)
	}
	return is, nil
}

func byProviderSubject(a, b *store.Login) int {
	if c := strings.Compare(a.Provider, b.Provider); c != 0 {
		return c
	}
	return strings.Compare(a.Subject, b.Subject)
}
