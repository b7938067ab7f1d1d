package sqlite

import (
	"github.com/cognitod/cognitod/internal/store"
)

// AddLogin adds a login; a taken (pool, provider, subject) is ErrExists and
// a missing identity fails the foreign key: ErrNotFound.
func (t *tx) AddLogin(l *store.Login) error {
	if err := t.writable(); err != nil {
		return err
	}
	return t.insert("add login", `INSERT INTO logins (pool_id, provider, subject, identity_id, created)
VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		l.PoolID, l.Provider, l.Subject, l.IdentityID, nanos(l.CreatedAt))
}

func (t *tx) FindLogin(poolID, provider, subject string) (*store.Login, error) {
	if err := t.readable(); err != nil {
		return nil, err
	}
	l := &store.Login{PoolID: poolID, Provider: provider, Subject: subject}
	var created int64
	err := t.c.queryRow("SELECT identity_id, created FROM logins WHERE pool_id = ? AND provider = ? AND subject = ?",
		poolID, provider, subject).Scan(&l.IdentityID, &created)
	if err != nil {
		return nil, t.notFound("find login", err)
	}
	l.CreatedAt = fromNanos(created)
	return l, nil
}

func (t *tx) RemoveLogin(poolID, provider, subject string) error {
	if err := t.writable(); err != nil {
		return err
	}
	return t.change("remove login", "DELETE FROM logins WHERE pool_id = ? AND provider = ? AND subject = ?",
		poolID, provider, subject)
}

func (t *tx) ListLogins(identityID, provider, after string, limit int) ([]*store.Login, error) {
	if err := t.readable(); err != nil {
		return nil, err
	}
	// Two statements rather than "(? = '' OR provider = ?)", which would
	// keep SQLite from seeking to the provider in the index.
	q, args := `SELECT pool_id, provider, subject, created FROM logins
WHERE identity_id = ? AND subject > ? ORDER BY provider, subject LIMIT ?`, []any{identityID, after, noLimit(limit)}
	if provider != "" {
		q, args = `SELECT pool_id, provider, subject, created FROM logins
WHERE identity_id = ? AND provider = ? AND subject > ? ORDER BY subject LIMIT ?`, []any{identityID, provider, after, noLimit(limit)}
	}
	rows, err := t.c.query(q, args...)
	if err != nil {
		return nil, t.fail("list logins", err)
	}
	defer rows.Close()
	var ls []*store.Login
	for rows.Next() {
		l := &store.Login{IdentityID: identityID}
		var created int64
		if err := rows.Scan(&l.PoolID, &l.Provider, &l.Subject, &created); err != nil {
			return nil, t.fail("list logins", err)
		}
		l.CreatedAt = fromNanos(created)
		ls = append(ls, l)
	}
	if err := rows.Err(); err != nil {
		return nil, t.fail("list logins", err)
	}
	return ls, nil
}

// MoveLogins reassigns the logins of from to to. Both identities must
// exist: merging into a missing identity would orphan the logins.
func (t *tx) MoveLogins(from, to string) error {
	if err := t.writable(); err != nil {
		return err
	}
	for _, id := range []string{from, to} {
		var one int
		if err := t.c.queryRow("SELECT 1 FROM identities WHERE id = ?", id).Scan(&one); err != nil {
			return t.notFound("move logins", err)
		}
	}
	if _, err := t.c.exec("UPDATE logins SET identity_id = ? WHERE identity_id = ?", to, from); err != nil {
		return t.fail("move logins", err)
	}
	return nil
}
