package sqlite

import (
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
	if i.Logins, err = t.ListLogins(id, "", "", 0); err != nil {
		return nil, err
	}
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

// ListIdentities reads a keyset page: "id > after ORDER BY id LIMIT n" walks
// the (pool_id, id) index from after, so the millionth page costs what the
// first does. The page's logins come in one more query, whatever the page
// size.
func (t *tx) ListIdentities(poolID, after string, limit int, hideDisabled bool) ([]*store.Identity, error) {
	if err := t.readable(); err != nil {
		return nil, err
	}
	q := `SELECT id, created, modified, disabled FROM identities
WHERE pool_id = ? AND id > ? ORDER BY id LIMIT ?`
	if hideDisabled {
		// "disabled = 0" verbatim lets SQLite use the partial index, which
		// covers the query once disabled is the constant it is.
		q = `SELECT id, created, modified, 0 FROM identities
WHERE pool_id = ? AND id > ? AND disabled = 0 ORDER BY id LIMIT ?`
	}
	rows, err := t.c.query(q, poolID, after, noLimit(limit))
	if err != nil {
		return nil, t.fail("list identities", err)
	}
	defer rows.Close()
	var is []*store.Identity
	for rows.Next() {
		i := &store.Identity{PoolID: poolID}
		var created, modified int64
		if err := rows.Scan(&i.ID, &created, &modified, &i.Disabled); err != nil {
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

// maxIn bounds the parameters of one IN list; a page larger than this (only
// with no limit) takes one query per maxIn identities.
const maxIn = 512

// attachLogins fills in the logins of identities sorted by ID with one
// "identity_id IN (...)" query per maxIn identities: never one per identity.
// The list is padded to a power of two by repeating the last ID, so a
// connection caches at most ten such statements.
func (t *tx) attachLogins(is []*store.Identity) error {
	for len(is) > 0 {
		chunk := is[:min(len(is), maxIn)]
		is = is[len(chunk):]
		n := 1
		for n < len(chunk) {
			n *= 2
		}
		args := make([]any, n)
		for k := range args {
			args[k] = chunk[min(k, len(chunk)-1)].ID
		}
		q := `SELECT identity_id, provider, subject, created FROM logins
WHERE identity_id IN (?` + strings.Repeat(", ?", n-1) + `) ORDER BY identity_id, provider, subject`
		rows, err := t.c.query(q, args...)
		if err != nil {
			return t.fail("list logins of identities", err)
		}
		// Both sides are in ID order: merge.
		k := 0
		for rows.Next() {
			l := &store.Login{PoolID: chunk[0].PoolID}
			var created int64
			if err := rows.Scan(&l.IdentityID, &l.Provider, &l.Subject, &created); err != nil {
				rows.Close()
				return t.fail("list logins of identities", err)
			}
			l.CreatedAt = fromNanos(created)
			for k < len(chunk) && chunk[k].ID < l.IdentityID {
				k++
			}
			if k < len(chunk) && chunk[k].ID == l.IdentityID {
				chunk[k].Logins = append(chunk[k].Logins, l)
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return t.fail("list logins of identities", err)
		}
	}
	return nil
}
