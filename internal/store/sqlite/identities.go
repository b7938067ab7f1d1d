package sqlite

import (
	"cmp"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
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

// PeekPoolIdentity reads the pool's owner and the identity in one
// statement: a primary-key seek into each, joined so that a missing
// identity still yields the pool's row.
func (t *tx) PeekPoolIdentity(poolID, id string) (*store.PoolOwner, *store.Identity, error) {
	if err := t.readable(); err != nil {
		return nil, nil, err
	}
	var (
		o                 store.PoolOwner
		pool              sql.NullString
		created, modified sql.NullInt64
		disabled          sql.NullBool
	)
	err := t.c.queryRow(`SELECT p.account, p.region, i.pool_id, i.created, i.modified, i.disabled
FROM pools AS p LEFT JOIN identities AS i ON i.id = ?2 WHERE p.id = ?1`, poolID, id).
		Scan(&o.Account, &o.Region, &pool, &created, &modified, &disabled)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, t.fail("peek pool identity", err)
	}
	if !pool.Valid {
		return &o, nil, nil
	}
	return &o, &store.Identity{ID: id, PoolID: pool.String, CreatedAt: fromNanos(created.Int64),
		ModifiedAt: fromNanos(modified.Int64), Disabled: disabled.Bool}, nil
}

// The page queries, built once. A page is one range scan of an index that
// covers every column read, logins included (logins.go, loginsMigration).
// Without disabled identities, "disabled = 0" verbatim lets SQLite use the
// partial index, which covers the query once disabled is the constant it
// is.
//
// The pool page queries put the pool's row before the page: ListIdentities
// in the service needs the pool's owner for its access check, and reading
// both in one statement saves the round trip through database/sql and the
// driver that was a tenth of a page's cost. The pool's row has the page's
// five columns, so that the identities' rows carry none more (modernc reads
// every column of every row through a call of its own: two NULL columns a
// row cost what the saved round trip did). It is told apart by its empty
// ID, which no identity has, and carries "account/region" where an
// identity has its logins; a missing pool yields no such row.
var (
	listIdentitiesQuery            = pageQuery("disabled", "")
	listEnabledIdentitiesQuery     = pageQuery("0", " AND disabled = 0")
	listPoolIdentitiesQuery        = poolPageQuery(listIdentitiesQuery)
	listPoolEnabledIdentitiesQuery = poolPageQuery(listEnabledIdentitiesQuery)
)

func pageQuery(disabled, where string) string {
	return `SELECT id, created, modified, ` + disabled + `, logins FROM identities
WHERE pool_id = ?1 AND id > ?2` + where + ` ORDER BY id LIMIT ?3`
}

func poolPageQuery(page string) string {
	return `SELECT '', 0, 0, 0, account || '/' || region FROM pools WHERE id = ?1
UNION ALL SELECT * FROM (` + page + `)`
}

// ListIdentities reads a keyset page: "id > after ORDER BY id LIMIT n" walks
// the (pool_id, id) index from after, so the millionth page costs what the
// first does.
func (t *tx) ListIdentities(poolID, after string, limit int, hideDisabled bool) ([]*store.Identity, error) {
	q := listIdentitiesQuery
	if hideDisabled {
		q = listEnabledIdentitiesQuery
	}
	p, err := t.page(q, poolID, after, limit)
	if err != nil {
		return nil, err
	}
	return p.Identities, nil
}

// ListPoolIdentities is ListIdentities with the pool's row in the same
// statement.
func (t *tx) ListPoolIdentities(poolID, after string, limit int, hideDisabled bool) (*store.PoolPage, error) {
	q := listPoolIdentitiesQuery
	if hideDisabled {
		q = listPoolEnabledIdentitiesQuery
	}
	p, err := t.page(q, poolID, after, limit)
	if err != nil {
		return nil, err
	}
	if p.Account == "" {
		return nil, fmt.Errorf("sqlite: list identities: pool %s: %w", poolID, store.ErrNotFound)
	}
	return p, nil
}

// page runs a page query and reads its rows: identities, and the pool's
// row if the query has one.
func (t *tx) page(q, poolID, after string, limit int) (*store.PoolPage, error) {
	if err := t.readable(); err != nil {
		return nil, err
	}
	p := &store.PoolPage{}
	args := []driver.NamedValue{{Ordinal: 1, Value: poolID}, {Ordinal: 2, Value: after}, {Ordinal: 3, Value: int64(noLimit(limit))}}
	err := t.c.rawRows(q, args, 5, func(v []driver.Value) error {
		id, ok1 := text(v[0])
		created, ok2 := v[1].(int64)
		modified, ok3 := v[2].(int64)
		disabled, ok4 := v[3].(int64)
		logins, hasLogins := text(v[4])
		if !ok1 || !ok2 || !ok3 || !ok4 || !hasLogins && v[4] != nil {
			return fmt.Errorf("sqlite: list identities: unexpected row %v", v)
		}
		if id == "" { // the pool's row: "account/region" (a region has no "/")
			k := strings.LastIndexByte(logins, '/')
			if k < 0 {
				return fmt.Errorf("sqlite: list identities: pool row %q", logins)
			}
			p.Account, p.Region = logins[:k], logins[k+1:]
			return nil
		}
		i := &store.Identity{ID: id, PoolID: poolID, CreatedAt: fromNanos(created),
			ModifiedAt: fromNanos(modified), Disabled: disabled != 0}
		if hasLogins {
			if err := decodeLogins(i, logins); err != nil {
				return err
			}
			slices.SortFunc(i.Logins, byProviderSubject)
		}
		p.Identities = append(p.Identities, i)
		return nil
	})
	if err != nil {
		return nil, t.fail("list identities", err)
	}
	// SQLite yields a subquery's rows in its ORDER BY's order, but SQL does
	// not promise that through UNION ALL: keyset pages must be in ID order.
	byID := func(a, b *store.Identity) int { return cmp.Compare(a.ID, b.ID) }
	if !slices.IsSortedFunc(p.Identities, byID) {
		slices.SortFunc(p.Identities, byID)
	}
	return p, nil
}

// text is a TEXT column's value as a driver gives it: a string, or bytes
// (mattn gives TEXT as either, by declared type).
func text(v driver.Value) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case []byte:
		return string(v), true
	}
	return "", false
}

func byProviderSubject(a, b *store.Login) int {
	if c := strings.Compare(a.Provider, b.Provider); c != 0 {
		return c
	}
	return strings.Compare(a.Subject, b.Subject)
}
