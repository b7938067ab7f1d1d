package postgres

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/cognitod/cognitod/internal/store"
)

// tx is a store.Tx on one connection, inside a SERIALIZABLE transaction
// (Update) or a READ ONLY snapshot (View).
//
// Expected failures are not SQL errors: an insert that finds its key taken
// does nothing (ON CONFLICT DO NOTHING) and one whose parent row is missing
// inserts nothing (its WHERE EXISTS is false), so a method returning
// ErrExists or ErrNotFound leaves the transaction as usable as before. An
// SQL error aborts a PostgreSQL transaction: tx remembers a serialization
// failure (retry, and Update runs the closure again) or any other error
// (broken, and Update will not commit).
type tx struct {
	ctx      context.Context
	c        *pgx.Conn
	s        *Store
	readOnly bool
	// begin is the BEGIN statement until it has been sent (with the first
	// statement), then "".
	begin  string
	n      int   // statements sent
	done   bool  // fn has returned: the Tx must not be used any more
	retry  error // the first serialization failure
	broken error // the first other SQL error
}

var _ store.Tx = (*tx)(nil)

// errTxDone is returned by a Tx used after its closure returned.
var errTxDone = fmt.Errorf("postgres: transaction used after its closure returned: %w", store.ErrClosed)

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

// fail labels an SQL error and notes what it did to the transaction. A
// unique or foreign-key violation that gets this far (the statements are
// written so that they do not) still maps to ErrExists or ErrNotFound.
func (t *tx) fail(what string, err error) error {
	if err == nil {
		return nil
	}
	if retryable(err) {
		if t.retry == nil {
			t.retry = err
		}
		return fmt.Errorf("postgres: %s: %w", what, err)
	}
	if t.ctx.Err() != nil && errors.Is(err, t.ctx.Err()) {
		if t.broken == nil {
			t.broken = err
		}
		return err
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		if t.broken == nil {
			t.broken = err
		}
		switch pe.Code {
		case "23505": // unique_violation
			return store.ErrExists
		case "23503": // foreign_key_violation
			return store.ErrNotFound
		}
	} else if t.broken == nil {
		t.broken = err
	}
	return fmt.Errorf("postgres: %s: %w", what, err)
}

// notFound turns "no row" from a single-row read into ErrNotFound.
func (t *tx) notFound(what string, err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return store.ErrNotFound
	}
	return t.fail(what, err)
}

// insert runs an INSERT ... ON CONFLICT DO NOTHING guarded by a parent's
// existence (or by nothing). One row inserted is success. No row: the
// parent is missing (ErrNotFound) or the key is taken (ErrExists); parent,
// when not empty, is a query telling which.
func (t *tx) insert(what, parent string, parentArgs []any, query string, args ...any) error {
	tag, err := t.exec(query, args...)
	if err != nil {
		return t.fail(what, err)
	}
	if tag.RowsAffected() > 0 {
		return nil
	}
	if parent != "" {
		var ok bool
		if err := t.queryRow(parent, parentArgs...).Scan(&ok); err != nil {
			return t.fail(what, err)
		}
		if !ok {
			return store.ErrNotFound
		}
	}
	return store.ErrExists
}

// put runs an upsert whose parent row must exist: no row written means a
// missing parent, ErrNotFound.
func (t *tx) put(what, query string, args ...any) error {
	tag, err := t.exec(query, args...)
	if err != nil {
		return t.fail(what, err)
	}
	if tag.RowsAffected() == 0 {
		return store.ErrNotFound
	}
	return nil
}

// change runs an UPDATE or DELETE of one row by key; no row is ErrNotFound.
func (t *tx) change(what, query string, args ...any) error {
	tag, err := t.exec(query, args...)
	if err != nil {
		return t.fail(what, err)
	}
	if tag.RowsAffected() == 0 {
		return store.ErrNotFound
	}
	return nil
}

// Every string is stored as BYTEA: it compares byte-wise (the contract's
// order, with no collation to configure or to disagree between engines)
// and holds any string, NUL included, as SQLite's TEXT does.

// b is a string as a BYTEA parameter. pgx sends a nil []byte as NULL, so
// the empty string must be a non-nil empty slice.
func b(s string) []byte {
	if s == "" {
		return []byte{}
	}
	return []byte(s)
}

// bs is a list of strings as a BYTEA[] parameter.
func bs(ss []string) [][]byte {
	out := make([][]byte, len(ss))
	for k, s := range ss {
		out[k] = b(s)
	}
	return out
}

// str scans a BYTEA column into a string.
type str struct{ p *string }

func (d str) ScanBytes(v []byte) error {
	*d.p = string(v)
	return nil
}

// nstr scans a nullable BYTEA column into a *string (nil for NULL).
type nstr struct{ p **string }

func (d nstr) ScanBytes(v []byte) error {
	if v == nil {
		*d.p = nil
		return nil
	}
	s := string(v)
	*d.p = &s
	return nil
}

// blob scans a nullable BYTEA column into a []byte, nil for NULL, copied
// out of pgx's buffer.
type blob struct{ p *[]byte }

func (d blob) ScanBytes(v []byte) error {
	if v == nil {
		*d.p = nil
		return nil
	}
	*d.p = append([]byte{}, v...)
	return nil
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

// noLimit turns limit <= 0 (no limit) into the largest LIMIT: LIMIT NULL
// and LIMIT ALL are not understood alike by every engine.
func noLimit(limit int) int64 {
	if limit <= 0 {
		return math.MaxInt64
	}
	return int64(limit)
}
