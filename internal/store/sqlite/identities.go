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

// The page queries, built once: a page and its logins in one statement.
// The subquery walks the page, then each identity's logins come by the
// logins_identity index, one row per login and one for an identity with
// none, in ID order as the subquery yields them. (A second "IN (...)" query
// for the logins cost as much as the page; ordering the logins in SQL too
// cost a sort per page.) Without disabled identities, "disabled = 0"
// verbatim lets SQLite use the partial index, which covers the query once
// disabled is the constant it is.
var (
	listIdentitiesQuery        = pageQuery("disabled", "")
	listEnabledIdentitiesQuery = pageQuery("0", " AND disabled = 0")
)

func pageQuery(disabled, where string) string {
	return `SELECT i.id, i.created, i.modified, i.disabled, l.provider, l.subject, l.created
FROM (SELECT id, created, modified, ` + disabled + ` AS disabled FROM identities
WHERE pool_id = ? AND id > ?` + where + ` ORDER BY id LIMIT ?) AS i
LEFT JOIN logins AS l ON l.identity_id = i.id
ORDER BY i.id`
}

// ListIdentities reads a keyset page: "id > after ORDER BY id LIMIT n" walks
// the (pool_id, id) index from after, so the millionth page costs what the
// first does. The page's logins come in the same statement.
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
	var cur *store.Identity
	// Scan's destinations escape to the heap: declared once, not per row
	// (that was 7 allocations a row, half of a page's).
	var (
		id                string
		created, modified int64
		disabledFlag      bool
		provider, subject sql.NullString
		loginCreated      sql.NullInt64
	)
	for rows.Next() {
		if err := rows.Scan(&id, &created, &modified, &disabledFlag, &provider, &subject, &loginCreated); err != nil {
			return nil, t.fail("list identities", err)
		}
		if cur == nil || cur.ID != id {
			cur = &store.Identity{ID: id, PoolID: poolID, CreatedAt: fromNanos(created), ModifiedAt: fromNanos(modified), Disabled: disabledFlag}
			is = append(is, cur)
		}
		if provider.Valid {
			cur.Logins = append(cur.Logins, &store.Login{PoolID: poolID, Provider: provider.String, Subject: subject.String,
				IdentityID: id, CreatedAt: fromNanos(loginCreated.Int64)})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, t.fail("list identities", err)
	}
	for _, i := range is {
		if len(i.Logins) > 1 {
			slices.SortFunc(i.Logins, byProviderSubject)
		}
	}
	return is, nil
}

func byProviderSubject(a, b *store.Login) int {
	if c := strings.Compare(a.Provider, b.Provider); c != 0 {
		return c
	}
	return strings.Compare(a.Subject, b.Subject)
}
