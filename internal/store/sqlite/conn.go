package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"io"
	"sync/atomic"
)

// conn is one SQLite connection, pinned for the store's lifetime, with the
// statements it has prepared. Exactly one goroutine uses a conn at a time
// (the writer, or the View holding it), so the cache needs no lock, and a
// statement is prepared once per connection, not once per call.
type conn struct {
	c       *sql.Conn
	stmts   map[string]*sql.Stmt
	raw     map[string]driver.Stmt // the driver's own statements (rawRows)
	queries atomic.Int64           // statements run, for QueryCount
	// version is the connection's PRAGMA data_version when Generation last
	// asked it (generation.go); versionKnown is false until then.
	version      int64
	versionKnown bool
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
	c := &conn{c: sc, stmts: map[string]*sql.Stmt{}, raw: map[string]driver.Stmt{}}
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

// rawRows runs query on the driver's connection itself, past
// database/sql, and calls row with each row's values as the driver gives
// them (string, int64, float64, []byte or nil; dest is reused). It is for
// the hottest read, a ListIdentities page: database/sql's per-row locking
// and per-column conversions were a tenth of a page's CPU. Statements are
// prepared once per connection, as stmt does, and only ever used inside
// Raw, as database/sql requires.
func (c *conn) rawRows(query string, args []driver.NamedValue, ncol int, row func(dest []driver.Value) error) error {
	c.queries.Add(1)
	return c.c.Raw(func(dc any) error {
		ds, ok := c.raw[query]
		if !ok {
			var err error
			if ds, err = dc.(driver.ConnPrepareContext).PrepareContext(bg, query); err != nil {
				return fmt.Errorf("sqlite: prepare %q: %w", query, err)
			}
			c.raw[query] = ds
		}
		rows, err := ds.(driver.StmtQueryContext).QueryContext(bg, args)
		if err != nil {
			return err
		}
		defer rows.Close()
		dest := make([]driver.Value, ncol)
		for {
			if err := rows.Next(dest); err == io.EOF {
				return nil
			} else if err != nil {
				return err
			}
			if err := row(dest); err != nil {
				return err
			}
		}
	})
}

func (c *conn) close() error {
	for _, s := range c.stmts {
		s.Close()
	}
	c.stmts = nil
	if len(c.raw) > 0 {
		c.c.Raw(func(any) error {
			for _, s := range c.raw {
				s.Close()
			}
			return nil
		})
	}
	c.raw = nil
	return c.c.Close()
}
