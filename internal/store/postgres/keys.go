package postgres

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
	if err := t.queryRow("SELECT value FROM secrets WHERE name = $1", b(name)).Scan(blob{&v}); err != nil {
		return nil, t.notFound("get secret", err)
	}
	if v == nil {
		v = []byte{}
	}
	return v, nil
}

// PutSecret stores a secret once: the first writer wins and every later one
// gets ErrExists, so nodes starting together agree on one value (a node
// whose transaction raced the winner's is retried and then finds it).
func (t *tx) PutSecret(name string, value []byte) error {
	if err := t.writable(); err != nil {
		return err
	}
	if value == nil {
		value = []byte{} // the column is NOT NULL
	}
	return t.insert("put secret", "", nil, "INSERT INTO secrets (name, value, created) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
		b(name), value, time.Now().UnixNano())
}

// ListSigningKeys returns every key, oldest first. The table holds a
// handful of rows and is read whole.
func (t *tx) ListSigningKeys() ([]*store.SigningKey, error) {
	if err := t.readable(); err != nil {
		return nil, err
	}
	rows, err := t.query("SELECT kid, region, algorithm, private_pem, created, retired FROM signing_keys ORDER BY created, kid")
	if err != nil {
		return nil, t.fail("list signing keys", err)
	}
	defer rows.Close()
	var ks []*store.SigningKey
	for rows.Next() {
		k := &store.SigningKey{}
		var created, retired int64
		if err := rows.Scan(str{&k.KID}, str{&k.Region}, str{&k.Algorithm}, blob{&k.PrivatePEM}, &created, &retired); err != nil {
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
	return t.insert("add signing key", "", nil, `INSERT INTO signing_keys (kid, region, algorithm, private_pem, created, retired)
VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
		b(k.KID), b(k.Region), b(k.Algorithm), pem, nanos(k.CreatedAt), nanos(k.RetiredAt))
}

// RecordCredentials records credentials handed out; a reused access key ID
// is ErrExists, a missing identity ErrNotFound.
func (t *tx) RecordCredentials(c *store.Credentials) error {
	if err := t.writable(); err != nil {
		return err
	}
	return t.insert("record credentials", "SELECT EXISTS (SELECT 1 FROM identities WHERE id = $1)", []any{b(c.IdentityID)},
		`INSERT INTO credentials (access_key_id, identity_id, pool_id, role_arn, issued, expires)
SELECT $1::BYTEA, $2::BYTEA, $3::BYTEA, $4::BYTEA, $5::BIGINT, $6::BIGINT WHERE EXISTS (SELECT 1 FROM identities WHERE id = $2)
ON CONFLICT DO NOTHING`,
		b(c.AccessKeyID), b(c.IdentityID), b(c.PoolID), b(c.RoleARN), nanos(c.IssuedAt), nanos(c.Expiration))
}

// RetireSigningKey retires a current key; a retired key keeps its first
// retirement time, so that nodes rotating at once agree on it.
func (t *tx) RetireSigningKey(kid string, at time.Time) error {
	if err := t.writable(); err != nil {
		return err
	}
	if at.IsZero() {
		return fmt.Errorf("postgres: retire signing key %q: zero time", kid)
	}
	return t.change("retire signing key", "UPDATE signing_keys SET retired = CASE WHEN retired = 0 THEN $1 ELSE retired END WHERE kid = $2",
		nanos(at), b(kid))
}
