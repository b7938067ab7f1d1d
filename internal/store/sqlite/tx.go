package sqlite

import (
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/cognitod/cognitod/internal/store"
)

// tx is a store.Tx on one connection, inside a read transaction (View) or
// a savepoint of the writer's batch transaction (Update).
type tx struct {
	c        *conn
	d        driverInfo
	readOnly bool
	done     bool // fn has returned: the Tx must not be used any more
	// pools is the writer's pool cache (poolcache.go), nil in a View;
	// poolsChanged is set once the Tx has written a pool.
	pools        *poolCache
	poolsChanged bool
}

var _ store.Tx = (*tx)(nil)

// errTxDone is returned by a Tx used after its closure returned.
var errTxDone = fmt.Errorf("sqlite: transaction used after its closure returned: %w", store.ErrClosed)

func (t *tx) readable() error {
	if t.done {
		return errTxDone
	}
	return nil
}

func (t *tx) writable() error {
	if t.done {
		return errTxDone
	}
	if t.readOnly {
		return store.ErrReadOnly
	}
	return nil
}

// insert runs an INSERT ... ON CONFLICT DO NOTHING and turns "nothing
// inserted" into ErrExists and a missing parent row into ErrNotFound.
// DO NOTHING keeps a duplicate from being an SQL error at all, so the
// transaction (and the batch) carries on untouched.
func (t *tx) insert(what, query string, args ...any) error {
	res, err := t.c.exec(query, args...)
	if err != nil {
		return t.fail(what, err)
	}
	return affected(what, res, store.ErrExists)
}

// put runs an upsert (INSERT ... ON CONFLICT DO UPDATE); a missing parent
// row is ErrNotFound.
func (t *tx) put(what, query string, args ...any) error {
	if _, err := t.c.exec(query, args...); err != nil {
		return t.fail(what, err)
	}
	return nil
}

// atomic runs a method of several statements in a savepoint of its own, so
// that one failing half-way changes nothing and leaves the Tx usable.
func (t *tx) atomic(fn func() error) error {
	if _, err := t.c.exec("SAVEPOINT m"); err != nil {
		return fmt.Errorf("sqlite: savepoint: %w", err)
	}
	if err := fn(); err != nil {
		if _, rerr := t.c.exec("ROLLBACK TO m"); rerr != nil {
			return fmt.Errorf("sqlite: rollback to savepoint: %w (after %w)", rerr, err)
		}
		t.c.exec("RELEASE m")
		return err
	}
	if _, err := t.c.exec("RELEASE m"); err != nil {
		return fmt.Errorf("sqlite: release savepoint: %w", err)
	}
	return nil
}

// change runs an UPDATE or DELETE of one row by key; no row is ErrNotFound.
func (t *tx) change(what, query string, args ...any) error {
	res, err := t.c.exec(query, args...)
	if err != nil {
		return t.fail(what, err)
	}
	return affected(what, res, store.ErrNotFound)
}

func affected(what string, res sql.Result, none error) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("sqlite: %s: %w", what, err)
	}
	if n == 0 {
		return none
	}
	return nil
}

// fail maps constraint violations to store errors and labels the rest.
func (t *tx) fail(what string, err error) error {
	if e, ok := t.d.storeErr(err); ok {
		return e
	}
	return fmt.Errorf("sqlite: %s: %w", what, err)
}

// notFound turns sql.ErrNoRows from a single-row read into ErrNotFound.
func (t *tx) notFound(what string, err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return store.ErrNotFound
	}
	return t.fail(what, err)
}

// nanos stores a time as unix nanoseconds; the zero time is 0, so that it
// comes back as the zero time (time.Time{}.UnixNano() is not 0).
func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// noLimit turns limit <= 0 (no limit) into SQLite's LIMIT -1.
func noLimit(limit int) int {
	if limit <= 0 {
		return -1
	}
	return limit
}
