package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"sync/atomic"
)

// conn is one SQLite connection, pinned for the store's lifetime, with the
// statements it has prepared. Exactly one goroutine uses a conn at a time
// (the writer, or the View holding it), so the cache needs no lock, and a
// statement is prepared once per connection, not once per call.
type conn struct {
	c       *sql.Conn
	stmts   map[string]*sql.Stmt
	queries atomic.Int64 // statements run, for QueryCount
}

// bg is the context statements run under. The caller's context governs
// waiting for a connection or for the writer; a statement that has started
// finishes. A context that can never be done also spares the driver and
// database/sql a watcher goroutine per statement.
var bg = context.Background()

func newConn(ctx context.Context, db *sql.DB, pragmas []string) (*conn, error) {
	sc, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	c := &conn{c: sc, stmts: map[string]*sql.Stmt{}}
	for _, p := range pragmas {
		if _, err := sc.ExecContext(ctx, "PRAGMA "+p); err != nil {
			c.close()
			return nil, fmt.Errorf("sqlite: PRAGMA %s: %w", p, err)
		}
	}
	return c, nil
}

// stmt returns the connection's prepared statement for query.
func (c *conn) stmt(query string) (*sql.Stmt, error) {
	if s, ok := c.stmts[query]; ok {
		return s, nil
	}
	s, err := c.c.PrepareContext(bg, query)
	if err != nil {
		return nil, fmt.Errorf("sqlite: prepare %q: %w", query, err)
	}
	c.stmts[query] = s
	return s, nil
}

func (c *conn) exec(query string, args ...any) (sql.Result, error) {
	s, err := c.stmt(query)
	if err != nil {
		return nil, err
	}
	c.queries.Add(1)
	return s.ExecContext(bg, args...)
}

func (c *conn) query(query string, args ...any) (*sql.Rows, error) {
	s, err := c.stmt(query)
	if err != nil {
		return nil, err
	}
	c.queries.Add(1)
	return s.QueryContext(bg, args...)
}

// row is a *sql.Row that can also carry a prepare error.
type row struct {
	r   *sql.Row
	err error
}

// Scan is sql.Row's Scan: sql.ErrNoRows when there was no row.
func (r row) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	return r.r.Scan(dest...)
}

func (c *conn) queryRow(query string, args ...any) row {
	s, err := c.stmt(query)
	if err != nil {
		return row{err: err}
	}
	c.queries.Add(1)
	return row{r: s.QueryRowContext(bg, args...)}
}

func (c *conn) close() error {
	for _, s := range c.stmts {
		s.Close()
	}
	c.stmts = nil
	return c.c.Close()
}
