package sqlite

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/cognitod/cognitod/internal/store"
)

// loginsMigration gives every identity a copy of its logins, in the
// identities.logins column, so that a ListIdentities page is one range
// scan of the identities_pool index (which now covers the column too)
// instead of that scan plus one seek into logins_identity per identity:
// the seeks were 40% of a page's time even for identities without logins.
//
// The column is derived data, kept by triggers on logins, so every path
// that adds, removes or moves a login (Tx methods, cascades, loading a
// dump) keeps it right with no code of its own. It is NULL for an identity
// without logins, else its logins in no particular order, separated by
// ";", each as "<bytes>:<provider><bytes>:<subject><created>": the
// lengths make it unambiguous whatever the strings hold, and reading it
// takes no parser (encoding/json made a page with logins slower than the
// seeks it saved). Dumps leave it out (derivedColumns);
// loading the logins table fills it again.
var loginsMigration = `
ALTER TABLE identities ADD COLUMN logins TEXT;
UPDATE identities SET logins = (` + loginsOf("identities.id") + `)
WHERE id IN (SELECT identity_id FROM logins);
DROP INDEX identities_pool;
CREATE INDEX identities_pool ON identities (pool_id, id, created, modified, disabled, logins);
DROP INDEX identities_pool_enabled;
CREATE INDEX identities_pool_enabled ON identities (pool_id, id, created, modified, logins) WHERE disabled = 0;
CREATE TRIGGER logins_added AFTER INSERT ON logins BEGIN
	UPDATE identities SET logins = (` + loginsOf("NEW.identity_id") + `) WHERE id = NEW.identity_id;
END;
CREATE TRIGGER logins_removed AFTER DELETE ON logins BEGIN
	UPDATE identities SET logins = (` + loginsOf("OLD.identity_id") + `) WHERE id = OLD.identity_id;
END;
CREATE TRIGGER logins_moved AFTER UPDATE ON logins BEGIN
	UPDATE identities SET logins = (` + loginsOf("OLD.identity_id") + `) WHERE id = OLD.identity_id;
	UPDATE identities SET logins = (` + loginsOf("NEW.identity_id") + `) WHERE id = NEW.identity_id;
END;
`

// loginsOf is the logins column's value for the identity id names: a seek
// and a short range scan of logins_identity.
func loginsOf(id string) string {
	return `SELECT group_concat(length(CAST(provider AS BLOB)) || ':' || provider ||
length(CAST(subject AS BLOB)) || ':' || subject || created, ';')
FROM logins WHERE identity_id = ` + id
}

// derivedColumns are the columns that triggers keep from other tables;
// the dump leaves them out (dump.go), as PostgreSQL has no such column.
var derivedColumns = map[string]string{"identities": "logins"}

// decodeLogins reads an identities.logins value into i.Logins.
func decodeLogins(i *store.Identity, text string) error {
	var ls []*store.Login
	for rest := text; rest != ""; {
		provider, r, ok := cutCounted(rest)
		if !ok {
			return badLogins(i, text)
		}
		subject, r, ok := cutCounted(r)
		if !ok {
			return badLogins(i, text)
		}
		created, r, _ := strings.Cut(r, ";")
		c, err := strconv.ParseInt(created, 10, 64)
		if err != nil {
			return badLogins(i, text)
		}
		ls = append(ls, &store.Login{PoolID: i.PoolID, Provider: provider, Subject: subject,
			IdentityID: i.ID, CreatedAt: fromNanos(c)})
		rest = r
	}
	i.Logins = ls
	return nil
}

// cutCounted splits "<n>:<n bytes>rest" into the n bytes and rest.
func cutCounted(s string) (field, rest string, ok bool) {
	count, rest, ok := strings.Cut(s, ":")
	n, err := strconv.Atoi(count)
	if !ok || err != nil || n < 0 || n > len(rest) {
		return "", "", false
	}
	return rest[:n], rest[n:], true
}

func badLogins(i *store.Identity, text string) error {
	return fmt.Errorf("sqlite: identity %s: logins column %.40q is not as the triggers write it", i.ID, text)
}

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
