package sqlite

import (
	"github.com/cognitod/cognitod/internal/store"
)

func (t *tx) CreatePool(p *store.Pool) error {
	if err := t.writable(); err != nil {
		return err
	}
	t.changingPool(p.ID)
	return t.insert("create pool", `INSERT INTO pools (id, account, region, name, created, updated, config)
VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		p.ID, p.Account, p.Region, p.Name, nanos(p.CreatedAt), nanos(p.UpdatedAt), p.Config)
}

func (t *tx) GetPool(id string) (*store.Pool, error) {
	if err := t.readable(); err != nil {
		return nil, err
	}
	pc := t.cachedPools()
	if pc != nil {
		if p, ok := pc.get(id); ok {
			return p, nil
		}
	}
	p := &store.Pool{ID: id}
	var created, updated int64
	err := t.c.queryRow("SELECT account, region, name, created, updated, config FROM pools WHERE id = ?", id).
		Scan(&p.Account, &p.Region, &p.Name, &created, &updated, &p.Config)
	if err != nil {
		return nil, t.notFound("get pool", err)
	}
	p.CreatedAt, p.UpdatedAt = fromNanos(created), fromNanos(updated)
	if pc != nil {
		pc.put(p)
	}
	return p, nil
}

// UpdatePool writes the pool's name, update time and configuration; a
// pool's account and region never change.
func (t *tx) UpdatePool(p *store.Pool) error {
	if err := t.writable(); err != nil {
		return err
	}
	t.changingPool(p.ID)
	return t.change("update pool", "UPDATE pools SET name = ?, updated = ?, config = ? WHERE id = ?",
		p.Name, nanos(p.UpdatedAt), p.Config, p.ID)
}

// DeletePool deletes the pool; foreign keys cascade to its identities, its
// sync_pools and bulk_publish rows, and from the identities to their
// logins, credentials and Sync data. No usage is adjusted: the pool's own
// counters go with it.
func (t *tx) DeletePool(id string) error {
	if err := t.writable(); err != nil {
		return err
	}
	t.changingPool(id)
	return t.change("delete pool", "DELETE FROM pools WHERE id = ?", id)
}

func (t *tx) ListPools(account, region, after string, limit int) ([]*store.Pool, error) {
	if err := t.readable(); err != nil {
		return nil, err
	}
	rows, err := t.c.query(`SELECT id, name, created, updated, config FROM pools
WHERE account = ? AND region = ? AND id > ? ORDER BY id LIMIT ?`, account, region, after, noLimit(limit))
	if err != nil {
		return nil, t.fail("list pools", err)
	}
	defer rows.Close()
	var ps []*store.Pool
	for rows.Next() {
		p := &store.Pool{Account: account, Region: region}
		var created, updated int64
		if err := rows.Scan(&p.ID, &p.Name, &created, &updated, &p.Config); err != nil {
			return nil, t.fail("list pools", err)
		}
		p.CreatedAt, p.UpdatedAt = fromNanos(created), fromNanos(updated)
		ps = append(ps, p)
	}
	if err := rows.Err(); err != nil {
		return nil, t.fail("list pools", err)
	}
	return ps, nil
}

func (t *tx) CountPools(account, region string) (int, error) {
	if err := t.readable(); err != nil {
		return 0, err
	}
	var n int
	if err := t.c.queryRow("SELECT count(*) FROM pools WHERE account = ? AND region = ?", account, region).Scan(&n); err != nil {
		return 0, t.fail("count pools", err)
	}
	return n, nil
}
