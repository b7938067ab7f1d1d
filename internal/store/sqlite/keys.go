package sqlite

import (
	"fmt"
	"time"

	"github.com/cognitod/cognitod/internal/store"
)

func (t *tx) GetSecret(name string) ([]byte, error) {
	if err := t.readable(); err != nil {
		return nil, err
	}
	var v []byte
	if err := t.c.queryRow("SELECT value FROM secrets WHERE name = ?", name).Scan(&v); err != nil {
		return nil, t.notFound("get secret", err)
	}
	return v, nil
}

// PutSecret stores a secret once: the first writer wins and every later one
// gets ErrExists, so processes starting together agree on one value.
func (t *tx) PutSecret(name string, value []byte) error {
	if err := t.writable(); err != nil {
		return err
	}
	if value == nil {
		value = []byte{} // the column is NOT NULL
	}
	return t.insert("put secret", "INSERT INTO secrets (name, value, created) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
		name, value, time.Now().UnixNano())
}

// ListSigningKeys returns every key, oldest first.
func (t *tx) ListSigningKeys() ([]*store.SigningKey, error) {
	if err := t.readable(); err != nil {
		return nil, err
	}
	rows, err := t.c.query("SELECT kid, region, algorithm, private_pem, created, retired FROM signing_keys ORDER BY created, kid")
	if err != nil {
		return nil, t.fail("list signing keys", err)
	}
	defer rows.Close()
	var ks []*store.SigningKey
	for rows.Next() {
		k := &store.SigningKey{}
		var created, retired int64
		if err := rows.Scan(&k.KID, &k.Region, &k.Algorithm, &k.PrivatePEM, &created, &retired); err != nil {
			return nil, t.fail("list signing keys", err)
		}
		k.CreatedAt, k.RetiredAt = fromNanos(created), fromNanos(retired)
		ks = append(ks, k)
	}
	if err := rows.Err(); err != nil {
		return nil, t.fail("list signing keys", err)
	}
	return ks, nil
}

func (t *tx) AddSigningKey(k *store.SigningKey) error {
	if err := t.writable(); err != nil {
		return err
	}
	pem := k.PrivatePEM
	if pem == nil {
		pem = []byte{}
	}
	return t.insert("add signing key", `INSERT INTO signing_keys (kid, region, algorithm, private_pem, created, retired)
VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		k.KID, k.Region, k.Algorithm, pem, nanos(k.CreatedAt), nanos(k.RetiredAt))
}

// RecordCredentials records credentials handed out; a reused access key ID
// is ErrExists, a missing identity ErrNotFound.
func (t *tx) RecordCredentials(c *store.Credentials) error {
	if err := t.writable(); err != nil {
		return err
	}
	return t.insert("record credentials", `INSERT INTO credentials (access_key_id, identity_id, pool_id, role_arn, issued, expires)
VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		c.AccessKeyID, c.IdentityID, c.PoolID, c.RoleARN, nanos(c.IssuedAt), nanos(c.Expiration))
}

// RetireSigningKey retires a current key; a retired key keeps its first
// retirement time.
func (t *tx) RetireSigningKey(kid string, at time.Time) error {
	if err := t.writable(); err != nil {
		return err
	}
	if at.IsZero() {
		return fmt.Errorf("sqlite: retire signing key %q: zero time", kid)
	}
	return t.change("retire signing key", "UPDATE signing_keys SET retired = CASE WHEN retired = 0 THEN ? ELSE retired END WHERE kid = ?",
		nanos(at), kid)
}
