package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/cognitod/cognitod/internal/store"
)

// The store.Dumper side of the PostgreSQL store: cognitod export and
// import, and the reset endpoint. The tables are read from the database's
// catalog (information_schema for tables, columns and primary keys,
// pg_constraint for foreign keys; CockroachDB has both), so a migration
// that adds a table is dumped, loaded and reset as it stands.

var _ store.Dumper = (*Store)(nil)

// tableDef is a table as the catalog describes it, with its columns' types.
type tableDef struct {
	store.Table
	// types[i] is Columns[i]'s information_schema data_type ("bytea",
	// "bigint", "boolean", ...).
	types []string
}

// catalog reads the table definitions of the current schema, in
// SortTables order. q runs a query on a connection or in a transaction.
func catalog(ctx context.Context, q interface {
	Query(context.Context, string, ...any) (pgx.Rows, error)
}) ([]tableDef, error) {
	rows, err := q.Query(ctx, `SELECT c.table_name, c.column_name, c.data_type
FROM information_schema.columns c JOIN information_schema.tables t
  ON t.table_schema = c.table_schema AND t.table_name = c.table_name
WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' AND c.table_name <> 'schema_migrations'
ORDER BY c.table_name, c.ordinal_position`)
	if err != nil {
		return nil, fmt.Errorf("postgres: read the catalog: %w", err)
	}
	defs := map[string]*tableDef{}
	var names []string
	for rows.Next() {
		var table, col, typ string
		if err := rows.Scan(&table, &col, &typ); err != nil {
			rows.Close()
			return nil, fmt.Errorf("postgres: read the catalog: %w", err)
		}
		d := defs[table]
		if d == nil {
			d = &tableDef{Table: store.Table{Name: table}}
			defs[table] = d
			names = append(names, table)
		}
		d.Columns = append(d.Columns, col)
		d.types = append(d.types, typ)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: read the catalog: %w", err)
	}
	rows, err = q.Query(ctx, `SELECT k.table_name, k.column_name
FROM information_schema.table_constraints c JOIN information_schema.key_column_usage k
  ON k.constraint_schema = c.constraint_schema AND k.constraint_name = c.constraint_name AND k.table_name = c.table_name
WHERE c.table_schema = current_schema() AND c.constraint_type = 'PRIMARY KEY'
ORDER BY k.table_name, k.ordinal_position`)
	if err != nil {
		return nil, fmt.Errorf("postgres: read the primary keys: %w", err)
	}
	for rows.Next() {
		var table, col string
		if err := rows.Scan(&table, &col); err != nil {
			rows.Close()
			return nil, fmt.Errorf("postgres: read the primary keys: %w", err)
		}
		if d := defs[table]; d != nil {
			d.Key = append(d.Key, col)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: read the primary keys: %w", err)
	}
	rows, err = q.Query(ctx, `SELECT DISTINCT t.relname, r.relname
FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_class r ON r.oid = c.confrelid
WHERE c.contype = 'f' AND t.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())
ORDER BY 1, 2`)
	if err != nil {
		return nil, fmt.Errorf("postgres: read the foreign keys: %w", err)
	}
	for rows.Next() {
		var table, ref string
		if err := rows.Scan(&table, &ref); err != nil {
			rows.Close()
			return nil, fmt.Errorf("postgres: read the foreign keys: %w", err)
		}
		if d := defs[table]; d != nil {
			d.References = append(d.References, ref)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: read the foreign keys: %w", err)
	}
	tables := make([]store.Table, 0, len(names))
	for _, n := range names {
		d := defs[n]
		if len(d.Key) == 0 {
			d.Key = d.Columns // no primary key: the whole row orders it
		}
		tables = append(tables, d.Table)
	}
	sorted, err := store.SortTables(tables)
	if err != nil {
		return nil, err
	}
	out := make([]tableDef, len(sorted))
	for i, t := range sorted {
		out[i] = *defs[t.Name]
	}
	return out, nil
}

// catalogNow reads the catalog on a connection of its own.
func (s *Store) catalogNow(ctx context.Context) ([]tableDef, error) {
	if err := s.enter(ctx); err != nil {
		return nil, err
	}
	defer s.leave()
	c, err := s.acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer c.Release()
	return catalog(ctx, c)
}

// Tables lists the store's tables in load order.
func (s *Store) Tables(ctx context.Context) ([]store.Table, error) {
	defs, err := s.catalogNow(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]store.Table, len(defs))
	for i, d := range defs {
		out[i] = d.Table
	}
	return out, nil
}

// Snapshot runs fn in a READ ONLY REPEATABLE READ transaction: one
// snapshot of every table, taken without locks, that writers committing
// meanwhile do not change.
func (s *Store) Snapshot(ctx context.Context, fn func(store.Snapshot) error) error {
	if err := s.enter(ctx); err != nil {
		return err
	}
	defer s.leave()
	c, err := s.acquire(ctx)
	if err != nil {
		return err
	}
	defer c.Release()
	t, err := c.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return fmt.Errorf("postgres: begin snapshot: %w", err)
	}
	defer t.Rollback(context.WithoutCancel(ctx))
	defs, err := catalog(ctx, t)
	if err != nil {
		return err
	}
	return fn(&snapshot{ctx: ctx, t: t, defs: defs})
}

type snapshot struct {
	ctx  context.Context
	t    pgx.Tx
	defs []tableDef
}

func findDef(defs []tableDef, table string) (tableDef, error) {
	for _, d := range defs {
		if d.Name == table {
			return d, nil
		}
	}
	return tableDef{}, fmt.Errorf("postgres: no table %q", table)
}

func (sn *snapshot) Count(table string) (int64, error) {
	d, err := findDef(sn.defs, table)
	if err != nil {
		return 0, err
	}
	var n int64
	if err := sn.t.QueryRow(sn.ctx, "SELECT count(*) FROM "+quote(d.Name)).Scan(&n); err != nil {
		return 0, fmt.Errorf("postgres: count %s: %w", table, err)
	}
	return n, nil
}

// Rows walks the table in primary-key order (BYTEA compares byte-wise, as
// SQLite's BINARY collation does); pgx reads the rows off the connection
// as they are asked for, so memory stays flat whatever the table's size.
func (sn *snapshot) Rows(table string, fn func([]any) error) error {
	d, err := findDef(sn.defs, table)
	if err != nil {
		return err
	}
	rows, err := sn.t.Query(sn.ctx, "SELECT "+quoteList(d.Columns)+" FROM "+quote(d.Name)+" ORDER BY "+quoteList(d.Key))
	if err != nil {
		return fmt.Errorf("postgres: dump %s: %w", table, err)
	}
	defer rows.Close()
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			return fmt.Errorf("postgres: dump %s: %w", table, err)
		}
		for i, v := range vals {
			switch v := v.(type) {
			case bool:
				// SQLite has no BOOL: flags are 0 and 1 in every dump.
				if v {
					vals[i] = int64(1)
				} else {
					vals[i] = int64(0)
				}
			case string:
				vals[i] = []byte(v)
			case int32:
				vals[i] = int64(v)
			case int16:
				vals[i] = int64(v)
			case nil, int64, []byte:
			default:
				return fmt.Errorf("postgres: dump %s.%s: a %T value, want an integer, bytes or a flag", table, d.Columns[i], v)
			}
		}
		if err := fn(vals); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("postgres: dump %s: %w", table, err)
	}
	return nil
}

// LoadRows copies rows in with COPY, in one transaction of its own. Flags
// come as 0 or 1 and go into BOOL columns as false and true.
func (s *Store) LoadRows(ctx context.Context, table string, columns []string, rows [][]any) error {
	defs, err := s.catalogNow(ctx)
	if err != nil {
		return err
	}
	d, err := findDef(defs, table)
	if err != nil {
		return err
	}
	if len(columns) != len(d.Columns) {
		return fmt.Errorf("postgres: table %s has columns %v, not %v", d.Name, d.Columns, columns)
	}
	types := make([]string, len(columns))
	for i, col := range columns {
		k := slices.Index(d.Columns, col)
		if k < 0 || slices.Index(columns, col) != i {
			return fmt.Errorf("postgres: table %s has columns %v, not %v", d.Name, d.Columns, columns)
		}
		types[i] = d.types[k]
	}
	conv := make([][]any, len(rows))
	for n, row := range rows {
		if len(row) != len(columns) {
			return fmt.Errorf("postgres: load %s: row %d has %d values for %d columns", table, n+1, len(row), len(columns))
		}
		out := make([]any, len(row))
		for i, v := range row {
			switch v := v.(type) {
			case nil:
			case int64:
				switch types[i] {
				case "boolean":
					if v != 0 && v != 1 {
						return fmt.Errorf("postgres: load %s.%s: flag %d, want 0 or 1", table, columns[i], v)
					}
					out[i] = v == 1
				case "bigint", "integer", "smallint":
					out[i] = v
				default:
					return fmt.Errorf("postgres: load %s.%s: an integer for a %s column", table, columns[i], types[i])
				}
			case []byte:
				switch types[i] {
				case "bytea":
					out[i] = v
				case "text", "character varying":
					out[i] = string(v)
				default:
					return fmt.Errorf("postgres: load %s.%s: bytes for a %s column", table, columns[i], types[i])
				}
			default:
				return fmt.Errorf("postgres: load %s.%s: a %T value", table, columns[i], v)
			}
		}
		conv[n] = out
	}
	if err := s.enter(ctx); err != nil {
		return err
	}
	defer s.leave()
	c, err := s.acquire(ctx)
	if err != nil {
		return err
	}
	defer c.Release()
	t, err := c.Begin(ctx)
	if err != nil {
		return fmt.Errorf("postgres: load %s: %w", table, err)
	}
	defer t.Rollback(context.WithoutCancel(ctx))
	if _, err := t.CopyFrom(ctx, pgx.Identifier{table}, columns, pgx.CopyFromRows(conv)); err != nil {
		var pe *pgconn.PgError
		if errors.As(err, &pe) && (pe.Code == "23505" || pe.Code == "23503") {
			return fmt.Errorf("postgres: load %s: %s (%s)", table, pe.Message, pe.Detail)
		}
		return fmt.Errorf("postgres: load %s: %w", table, err)
	}
	if err := t.Commit(ctx); err != nil {
		return fmt.Errorf("postgres: load %s: commit: %w", table, err)
	}
	return nil
}

// Wipe empties every table.
func (s *Store) Wipe(ctx context.Context) error { return s.wipe(ctx, nil) }

// Reset empties every table but store.ServerTables.
func (s *Store) Reset(ctx context.Context) error { return s.wipe(ctx, store.ServerTables) }

// wipe deletes the rows of every table not in keep, children first, in one
// SERIALIZABLE Update: a concurrent writer either commits before (and its
// rows are deleted) or conflicts and is retried after (on the empty
// state). DELETE rather than TRUNCATE, which is not MVCC-safe: a snapshot
// taken before a TRUNCATE would see the tables empty.
func (s *Store) wipe(ctx context.Context, keep []string) error {
	defs, err := s.catalogNow(ctx)
	if err != nil {
		return err
	}
	return s.Update(ctx, func(st store.Tx) error {
		t := st.(*tx)
		for i := len(defs) - 1; i >= 0; i-- {
			if slices.Contains(keep, defs[i].Name) {
				continue
			}
			if _, err := t.exec("DELETE FROM " + quote(defs[i].Name)); err != nil {
				return t.fail("empty "+defs[i].Name, err)
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
