package postgres

import (
	"github.com/cognitod/cognitod/internal/store"
)

func (t *tx) CreatePool(p *store.Pool) error {
	if err := t.writable(); err != nil {
		return err
	}
	return t.insert("create pool", "", nil, `INSERT INTO pools (id, account, region, name, created, updated, config)
VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
		b(p.ID), b(p.Account), b(p.Region), b(p.Name), nanos(p.CreatedAt), nanos(p.UpdatedAt), p.Config)
}

func (t *tx) GetPool(id string) (*store.Pool, error) {
	if err := t.readable(); err != nil {
		return nil, err
	}
	p := &store.Pool{ID: id}
	var created, updated int64
	err := t.queryRow("SELECT account, region, name, created, updated, config FROM pools WHERE id = $1", b(id)).
		Scan(str{&p.Account}, str{&p.Region}, str{&p.Name}, &created, &updated, blob{&p.Config})
	if err != nil {
		return nil, t.notFound("get pool", err)
	}
	p.CreatedAt, p.UpdatedAt = fromNanos(created), fromNanos(updated)
	return p, nil
}

// UpdatePool writes the pool's name, update time and configuration; a
// pool's account and region never change.
func (t *tx) UpdatePool(p *store.Pool) error {
	if err := t.writable(); err != nil {
		return err
	}
	return t.change("update pool", "UPDATE pools SET name = $1, updated = $2, config = $3 WHERE id = $4",
		b(p.Name), nanos(p.UpdatedAt), p.Config, b(p.ID))
}

// DeletePool deletes the pool; foreign keys cascade to its identities, its
// sync_pools and bulk_publish rows, and from the identities to everything
// under them.
func (t *tx) DeletePool(id string) error {
	if err := t.writable(); err != nil {
		return err
	}
	return t.change("delete pool", "DELETE FROM pools WHERE id = $1", b(id))
}

func (t *tx) ListPools(account, region, after string, limit int) ([]*store.Pool, error) {
	if err := t.readable(); err != nil {
		return nil, err
	}
	rows, err := t.query(`SELECT id, name, created, updated, config FROM pools
WHERE account = $1 AND region = $2 AND id > $3 ORDER BY id LIMIT $4`, b(account), b(region), b(after), noLimit(limit))
	if err != nil {
		return nil, t.fail("list pools", err)
	}
	defer rows.Close()
	var ps []*store.Pool
	for rows.Next() {
		p := &store.Pool{Account: account, Region: region}
		var created, updated int64
		if err := rows.Scan(str{&p.ID}, str{&p.Name}, &created, &updated, blob{&p.Config}); err != nil {
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
	if err := t.queryRow("SELECT count(*) FROM pools WHERE account = $1 AND region = $2", b(account), b(region)).Scan(&n); err != nil {
		return 0, t.fail("count pools", err)
	}
	return n, nil
}
