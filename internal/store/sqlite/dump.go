package sqlite

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/cognitod/cognitod/internal/store"
)

// The store.Dumper side of the SQLite store: cognitod export and import,
// and the reset endpoint. The tables are read from SQLite's own catalog
// (sqlite_schema and the table_info and foreign_key_list pragmas), so a
// migration that adds a table is dumped, loaded and reset as it stands.

var _ store.Dumper = (*Store)(nil)

// tableDef is a table as the catalog describes it, with what loading needs
// besides: which columns are declared TEXT.
type tableDef struct {
	store.Table
	// text[i] is true when Columns[i] is declared TEXT: a loaded []byte
	// goes in as a string there, as the Tx methods write it (a BLOB would
	// compare and sort apart from TEXT values).
	text []bool
	// integer[i] is true when Columns[i] has INTEGER affinity. SQLite
	// would store bytes there without complaint; LoadRows refuses them,
	// as PostgreSQL does.
	integer []bool
}

// catalog reads the table definitions on c, in SortTables order.
func catalog(c *conn) ([]tableDef, error) {
	rows, err := c.c.QueryContext(bg, `SELECT name FROM sqlite_schema
WHERE type = 'table' AND name NOT LIKE 'sqlite!_%' ESCAPE '!' AND name <> 'schema_migrations' ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: read the catalog: %w", err)
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return nil, fmt.Errorf("sqlite: read the catalog: %w", err)
		}
		names = append(names, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: read the catalog: %w", err)
	}
	defs := map[string]tableDef{}
	var tables []store.Table
	for _, name := range names {
		d, err := describe(c, name)
		if err != nil {
			return nil, err
		}
		defs[name] = d
		tables = append(tables, d.Table)
	}
	sorted, err := store.SortTables(tables)
	if err != nil {
		return nil, err
	}
	out := make([]tableDef, len(sorted))
	for i, t := range sorted {
		out[i] = defs[t.Name]
	}
	return out, nil
}

// describe reads one table's columns, primary key and references.
func describe(c *conn, name string) (tableDef, error) {
	d := tableDef{Table: store.Table{Name: name}}
	rows, err := c.c.QueryContext(bg, "SELECT name, upper(type), pk FROM pragma_table_info(?) ORDER BY cid", name)
	if err != nil {
		return d, fmt.Errorf("sqlite: describe %s: %w", name, err)
	}
	type keyCol struct {
		pos  int
		name string
	}
	var key []keyCol
	for rows.Next() {
		var col, typ string
		var pk int
		if err := rows.Scan(&col, &typ, &pk); err != nil {
			rows.Close()
			return d, fmt.Errorf("sqlite: describe %s: %w", name, err)
		}
		if derivedColumns[name] == col {
			continue // rebuilt by triggers as the rows it derives from load
		}
		d.Columns = append(d.Columns, col)
		d.text = append(d.text, typ == "TEXT")
		d.integer = append(d.integer, strings.Contains(typ, "INT"))
		if pk > 0 {
			key = append(key, keyCol{pk, col})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return d, fmt.Errorf("sqlite: describe %s: %w", name, err)
	}
	slices.SortFunc(key, func(a, b keyCol) int { return a.pos - b.pos })
	for _, k := range key {
		d.Key = append(d.Key, k.name)
	}
	if len(d.Key) == 0 {
		d.Key = d.Columns // no primary key: the whole row orders it
	}
	rows, err = c.c.QueryContext(bg, `SELECT DISTINCT "table" FROM pragma_foreign_key_list(?) ORDER BY 1`, name)
	if err != nil {
		return d, fmt.Errorf("sqlite: describe %s: %w", name, err)
	}
	defer rows.Close()
	for rows.Next() {
		var ref string
		if err := rows.Scan(&ref); err != nil {
			return d, fmt.Errorf("sqlite: describe %s: %w", name, err)
		}
		d.References = append(d.References, ref)
	}
	return d, rows.Err()
}

// catalogView reads the catalog in a View.
func (s *Store) catalogView(ctx context.Context) ([]tableDef, error) {
	var defs []tableDef
	err := s.View(ctx, func(t store.Tx) error {
		var err error
		defs, err = catalog(t.(*tx).c)
		return err
	})
	return defs, err
}

// Tables lists the store's tables in load order.
func (s *Store) Tables(ctx context.Context) ([]store.Table, error) {
	defs, err := s.catalogView(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]store.Table, len(defs))
	for i, d := range defs {
		out[i] = d.Table
	}
	return out, nil
}

// Snapshot runs fn in one read transaction: WAL keeps its snapshot
// whatever the writer commits meanwhile.
func (s *Store) Snapshot(ctx context.Context, fn func(store.Snapshot) error) error {
	return s.View(ctx, func(t store.Tx) error {
		c := t.(*tx).c
		defs, err := catalog(c)
		if err != nil {
			return err
		}
		return fn(&snapshot{c: c, defs: defs})
	})
}

type snapshot struct {
	c    *conn
	defs []tableDef
}

func (sn *snapshot) def(table string) (tableDef, error) {
	return findDef(sn.defs, table)
}

func findDef(defs []tableDef, table string) (tableDef, error) {
	for _, d := range defs {
		if d.Name == table {
			return d, nil
		}
	}
	return tableDef{}, fmt.Errorf("sqlite: no table %q", table)
}

func (sn *snapshot) Count(table string) (int64, error) {
	d, err := sn.def(table)
	if err != nil {
		return 0, err
	}
	var n int64
	if err := sn.c.c.QueryRowContext(bg, "SELECT count(*) FROM "+quote(d.Name)).Scan(&n); err != nil {
		return 0, fmt.Errorf("sqlite: count %s: %w", table, err)
	}
	return n, nil
}

// Rows walks the table in primary-key order. SQLite compares TEXT with
// the BINARY collation (memcmp of the UTF-8 bytes), which is PostgreSQL's
// BYTEA order: both backends yield their rows in the same order.
func (sn *snapshot) Rows(table string, fn func([]any) error) error {
	d, err := sn.def(table)
	if err != nil {
		return err
	}
	rows, err := sn.c.c.QueryContext(bg, "SELECT "+quoteList(d.Columns)+" FROM "+quote(d.Name)+" ORDER BY "+quoteList(d.Key))
	if err != nil {
		return fmt.Errorf("sqlite: dump %s: %w", table, err)
	}
	defer rows.Close()
	vals := make([]any, len(d.Columns))
	ptrs := make([]any, len(d.Columns))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return fmt.Errorf("sqlite: dump %s: %w", table, err)
		}
		for i, v := range vals {
			switch v := v.(type) {
			case string:
				vals[i] = []byte(v)
			case bool: // a driver may report a BOOLEAN column so
				vals[i] = boolInt(v)
			case nil, int64, []byte:
			default:
				return fmt.Errorf("sqlite: dump %s.%s: a %T value, want an integer, text or blob", table, d.Columns[i], v)
			}
		}
		if err := fn(vals); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlite: dump %s: %w", table, err)
	}
	return nil
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// LoadRows inserts rows in one Update. The statement names the columns the
// caller gives, which must be the table's, in any order.
func (s *Store) LoadRows(ctx context.Context, table string, columns []string, rows [][]any) error {
	defs, err := s.catalogView(ctx)
	if err != nil {
		return err
	}
	d, err := findDef(defs, table)
	if err != nil {
		return err
	}
	text, integer, err := matchColumns(d, columns)
	if err != nil {
		return err
	}
	query := "INSERT INTO " + quote(table) + " (" + quoteList(columns) + ") VALUES (" +
		strings.TrimSuffix(strings.Repeat("?, ", len(columns)), ", ") + ")"
	return s.Update(ctx, func(st store.Tx) error {
		st.(*tx).changingPool("") // whatever the table: rows of pools, or of what they cascade to
		c := st.(*tx).c
		args := make([]any, len(columns))
		for n, row := range rows {
			if len(row) != len(columns) {
				return fmt.Errorf("sqlite: load %s: row %d has %d values for %d columns", table, n+1, len(row), len(columns))
			}
			for i, v := range row {
				switch v := v.(type) {
				case []byte:
					if integer[i] {
						return fmt.Errorf("sqlite: load %s.%s: bytes for an integer column", table, columns[i])
					}
					switch {
					case text[i]:
						args[i] = string(v)
					case v == nil:
						// An empty blob decodes as a nil slice, which the
						// driver would bind as NULL.
						args[i] = []byte{}
					default:
						args[i] = v
					}
				case int64:
					if !integer[i] {
						return fmt.Errorf("sqlite: load %s.%s: an integer for a text or blob column", table, columns[i])
					}
					args[i] = v
				case nil:
					args[i] = nil
				default:
					return fmt.Errorf("sqlite: load %s.%s: a %T value", table, columns[i], v)
				}
			}
			if _, err := c.exec(query, args...); err != nil {
				return fmt.Errorf("sqlite: load %s: row %d: %w", table, n+1, err)
			}
		}
		return nil
	})
}

// matchColumns checks that columns are exactly d's (in any order) and
// returns which of them are TEXT and which INTEGER.
func matchColumns(d tableDef, columns []string) (text, integer []bool, err error) {
	if len(columns) != len(d.Columns) {
		return nil, nil, fmt.Errorf("sqlite: table %s has columns %v, not %v", d.Name, d.Columns, columns)
	}
	text, integer = make([]bool, len(columns)), make([]bool, len(columns))
	seen := map[string]bool{}
	for i, col := range columns {
		k := slices.Index(d.Columns, col)
		if k < 0 || seen[col] {
			return nil, nil, fmt.Errorf("sqlite: table %s has columns %v, not %v", d.Name, d.Columns, columns)
		}
		seen[col] = true
		text[i], integer[i] = d.text[k], d.integer[k]
	}
	return text, integer, nil
}

// Wipe empties every table.
func (s *Store) Wipe(ctx context.Context) error { return s.wipe(ctx, nil) }

// Reset empties every table but store.ServerTables.
func (s *Store) Reset(ctx context.Context) error { return s.wipe(ctx, store.ServerTables) }

// wipe deletes the rows of every table not in keep, children first, in one
// Update: one savepoint of the writer's transaction, so readers see all of
// it or none.
func (s *Store) wipe(ctx context.Context, keep []string) error {
	defs, err := s.catalogView(ctx)
	if err != nil {
		return err
	}
	return s.Update(ctx, func(st store.Tx) error {
		st.(*tx).changingPool("")
		c := st.(*tx).c
		for i := len(defs) - 1; i >= 0; i-- {
			if slices.Contains(keep, defs[i].Name) {
				continue
			}
			if _, err := c.c.ExecContext(bg, "DELETE FROM "+quote(defs[i].Name)); err != nil {
				return fmt.Errorf("sqlite: empty %s: %w", defs[i].Name, err)
			}
		}
		return nil
	})
}

// quote quotes an SQL identifier.
func quote(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = quote(n)
	}
	return strings.Join(q, ", ")
}
