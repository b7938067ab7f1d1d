package postgres

import (
	"github.com/cognitod/cognitod/internal/store"
)

// AddLogin adds a login; a taken (pool, provider, subject) is ErrExists and
// a missing identity ErrNotFound.
//
// Two transactions adding the same new login on different nodes: both
// looked it up (FindLogin) and found nothing, so the second to insert
// conflicts with a row its snapshot cannot see. PostgreSQL answers that
// with a serialization failure, not a silent DO NOTHING (TestUniqueRace
// checks it), Update runs the loser's closure again, and this time its
// lookup finds the winner's login.
func (t *tx) AddLogin(l *store.Login) error {
	if err := t.writable(); err != nil {
		return err
	}
	return t.insert("add login", "SELECT EXISTS (SELECT 1 FROM identities WHERE id = $1)", []any{b(l.IdentityID)},
		`INSERT INTO logins (pool_id, provider, subject, identity_id, created)
SELECT $1::BYTEA, $2::BYTEA, $3::BYTEA, $4::BYTEA, $5::BIGINT WHERE EXISTS (SELECT 1 FROM identities WHERE id = $4)
ON CONFLICT DO NOTHING`,
		b(l.PoolID), b(l.Provider), b(l.Subject), b(l.IdentityID), nanos(l.CreatedAt))
}

func (t *tx) FindLogin(poolID, provider, subject string) (*store.Login, error) {
	if err := t.readable(); err != nil {
		return nil, err
	}
	l := &store.Login{PoolID: poolID, Provider: provider, Subject: subject}
	var created int64
	err := t.queryRow("SELECT identity_id, created FROM logins WHERE pool_id = $1 AND provider = $2 AND subject = $3",
		b(poolID), b(provider), b(subject)).Scan(str{&l.IdentityID}, &created)
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
	return t.change("remove login", "DELETE FROM logins WHERE pool_id = $1 AND provider = $2 AND subject = $3",
		b(poolID), b(provider), b(subject))
}

func (t *tx) ListLogins(identityID, provider, after string, limit int) ([]*store.Login, error) {
	if err := t.readable(); err != nil {
		return nil, err
	}
	// Two statements rather than "($2 = '' OR provider = $2)", which would
	// keep the planner from seeking to the provider in the index.
	q, args := `SELECT pool_id, provider, subject, created FROM logins
WHERE identity_id = $1 AND subject > $2 ORDER BY provider, subject LIMIT $3`, []any{b(identityID), b(after), noLimit(limit)}
	if provider != "" {
		q, args = `SELECT pool_id, provider, subject, created FROM logins
WHERE identity_id = $1 AND provider = $2 AND subject > $3 ORDER BY subject LIMIT $4`, []any{b(identityID), b(provider), b(after), noLimit(limit)}
	}
	rows, err := t.query(q, args...)
	if err != nil {
		return nil, t.fail("list logins", err)
	}
	defer rows.Close()
	var ls []*store.Login
	for rows.Next() {
		l := &store.Login{IdentityID: identityID}
		var created int64
		if err := rows.Scan(str{&l.PoolID}, str{&l.Provider}, str{&l.Subject}, &created); err != nil {
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
	want := 2
	if from == to {
		want = 1
	}
	var n int
	if err := t.queryRow("SELECT count(*) FROM identities WHERE id = ANY($1)", bs([]string{from, to})).Scan(&n); err != nil {
		return t.fail("move logins", err)
	}
	if n != want {
		return store.ErrNotFound
	}
	if _, err := t.exec("UPDATE logins SET identity_id = $1 WHERE identity_id = $2", b(to), b(from)); err != nil {
		return t.fail("move logins", err)
	}
	return nil
}
