package postgres

import (
	"github.com/cognitod/cognitod/internal/store"
)

// CreateIdentity stores the identity; its Logins are added with AddLogin.
// A missing pool is ErrNotFound.
func (t *tx) CreateIdentity(i *store.Identity) error {
	if err := t.writable(); err != nil {
		return err
	}
	if err := t.insert("create identity", "SELECT EXISTS (SELECT 1 FROM pools WHERE id = $1)", []any{b(i.PoolID)},
		`INSERT INTO identities (id, pool_id, created, modified, disabled)
SELECT $1::BYTEA, $2::BYTEA, $3::BIGINT, $4::BIGINT, $5::BOOL WHERE EXISTS (SELECT 1 FROM pools WHERE id = $2)
ON CONFLICT DO NOTHING`,
		b(i.ID), b(i.PoolID), nanos(i.CreatedAt), nanos(i.ModifiedAt), i.Disabled); err != nil {
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
	err := t.queryRow("SELECT pool_id, created, modified, disabled FROM identities WHERE id = $1", b(id)).
		Scan(str{&i.PoolID}, &created, &modified, &i.Disabled)
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
	return t.change("update identity", "UPDATE identities SET modified = $1, disabled = $2 WHERE id = $3",
		nanos(i.ModifiedAt), i.Disabled, b(i.ID))
}

// DeleteIdentity first takes the identity's stored bytes out of its pool's
// usage (an identity_usage row exists only while its identity does, so a
// missing identity changes nothing), then deletes the identity; foreign
// keys cascade to its logins, credentials and Sync data.
func (t *tx) DeleteIdentity(id string) error {
	if err := t.writable(); err != nil {
		return err
	}
	if _, err := t.exec(`UPDATE sync_pools SET data_storage = sync_pools.data_storage - u.data_storage
FROM identity_usage u WHERE u.identity_id = $1 AND u.data_storage <> 0 AND sync_pools.pool_id = u.pool_id`, b(id)); err != nil {
		return t.fail("delete identity: pool usage", err)
	}
	if err := t.countDeleted(id); err != nil {
		return err
	}
	return t.change("delete identity", "DELETE FROM identities WHERE id = $1", b(id))
}

// ListIdentities reads a keyset page of the (pool_id, id) index from after,
// so the millionth page costs what the first does. The page's logins come
// in one more query, whatever the page size.
func (t *tx) ListIdentities(poolID, after string, limit int, hideDisabled bool) ([]*store.Identity, error) {
	if err := t.readable(); err != nil {
		return nil, err
	}
	q := `SELECT id, created, modified, disabled FROM identities
WHERE pool_id = $1 AND id > $2 ORDER BY id LIMIT $3`
	if hideDisabled {
		// "NOT disabled" verbatim matches the partial index's predicate.
		q = `SELECT id, created, modified, false FROM identities
WHERE pool_id = $1 AND id > $2 AND NOT disabled ORDER BY id LIMIT $3`
	}
	rows, err := t.query(q, b(poolID), b(after), noLimit(limit))
	if err != nil {
		return nil, t.fail("list identities", err)
	}
	defer rows.Close()
	var is []*store.Identity
	for rows.Next() {
		i := &store.Identity{PoolID: poolID}
		var created, modified int64
		if err := rows.Scan(str{&i.ID}, &created, &modified, &i.Disabled); err != nil {
			return nil, t.fail("list identities", err)
		}
		i.CreatedAt, i.ModifiedAt = fromNanos(created), fromNanos(modified)
		is = append(is, i)
	}
	if err := rows.Err(); err != nil {
		return nil, t.fail("list identities", err)
	}
	rows.Close()
	if err := t.attachLogins(is); err != nil {
		return nil, err
	}
	return is, nil
}

func (t *tx) PeekPoolIdentity(poolID, id string) (*store.PoolOwner, *store.Identity, error) {
	return store.PoolIdentity(t, poolID, id)
}

func (t *tx) ListPoolIdentities(poolID, after string, limit int, hideDisabled bool) (*store.PoolPage, error) {
	return store.PoolIdentities(t, poolID, after, limit, hideDisabled)
}

// attachLogins fills in the logins of identities sorted by ID with one
// "identity_id = ANY($1)" query: never one per identity.
func (t *tx) attachLogins(is []*store.Identity) error {
	if len(is) == 0 {
		return nil
	}
	ids := make([]string, len(is))
	for k, i := range is {
		ids[k] = i.ID
	}
	rows, err := t.query(`SELECT identity_id, provider, subject, created FROM logins
WHERE identity_id = ANY($1) ORDER BY identity_id, provider, subject`, bs(ids))
	if err != nil {
		return t.fail("list logins of identities", err)
	}
	defer rows.Close()
	// Both sides are in ID order: merge.
	k := 0
	for rows.Next() {
		l := &store.Login{PoolID: is[0].PoolID}
		var created int64
		if err := rows.Scan(str{&l.IdentityID}, str{&l.Provider}, str{&l.Subject}, &created); err != nil {
			return t.fail("list logins of identities", err)
		}
		l.CreatedAt = fromNanos(created)
		for k < len(is) && is[k].ID < l.IdentityID {
			k++
		}
		if k < len(is) && is[k].ID == l.IdentityID {
			is[k].Logins = append(is[k].Logins, l)
		}
	}
	if err := rows.Err(); err != nil {
		return t.fail("list logins of identities", err)
	}
	return nil
}
