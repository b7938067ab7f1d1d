package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// Dumper is implemented by stores whose whole state can be copied out and in
// row by row (cognitod export and import, which move a deployment between
// backends) and emptied (the reset endpoint of test suites).
//
// Every backend describes its tables from its own catalog at run time, not
// from a list kept here: a migration that adds a table or a column is
// dumped, loaded and reset without a change to this code. The backends
// keep the same tables with the same columns (internal/store/sqlite and
// internal/store/postgres have one schema in two dialects), so a dump of one
// loads into the other.
//
// Values cross the interface in three Go types whatever the backend's
// column types: nil (SQL NULL), int64 (integers, times as unix nanoseconds,
// and flags as 0 or 1) and []byte (every string and blob). A backend turns
// them into its own types when loading, so that the rows it stores are the
// rows its own Tx methods would have written.
type Dumper interface {
	// Tables lists every table of the store's state (the schema version
	// table is not state) with each table after those its foreign keys
	// reference, ties broken by name (SortTables): the order to load them
	// in. Two backends at the same schema list the same tables.
	Tables(ctx context.Context) ([]Table, error)
	// Snapshot runs fn in one consistent, read-only snapshot of the whole
	// store: a dump taken while the server runs is a state the store was in.
	Snapshot(ctx context.Context, fn func(Snapshot) error) error
	// LoadRows inserts rows (each a value per column, in columns' order)
	// into table, in one transaction: all of them or, on error, none. A
	// taken key or a missing parent row is an error.
	LoadRows(ctx context.Context, table string, columns []string, rows [][]any) error
	// Wipe deletes every row of every table, keys and secrets included, in
	// one transaction.
	Wipe(ctx context.Context) error
	// Reset deletes every row of every table but the server's own
	// (ServerTables: signing keys and secrets), in one transaction: the
	// user state is gone at once, while issued OpenID tokens, sealed
	// credentials and NextTokens stay verifiable and JWKS unchanged.
	// Concurrent transactions see the state before or after, never part.
	Reset(ctx context.Context) error
}

// Snapshot reads tables inside Dumper.Snapshot.
type Snapshot interface {
	// Count returns how many rows table holds.
	Count(table string) (int64, error)
	// Rows calls fn with every row of table (values in Table.Columns
	// order) in primary-key order, byte-wise, so that every backend yields
	// the same rows in the same order. The rows are streamed: fn must not
	// keep row, which the next call may reuse. An error from fn stops the
	// walk and is returned.
	Rows(table string, fn func(row []any) error) error
}

// Table describes one table of a store, as its catalog does.
type Table struct {
	Name string
	// Columns in the table's own order.
	Columns []string
	// Key is the primary key's columns: the order of Snapshot.Rows.
	Key []string
	// References names the tables its foreign keys reference.
	References []string
}

// ServerTables are the tables of the server's own state, which Reset
// keeps: the OpenID signing keys (so that JWKS, and the tokens and caches
// of clients, stay valid) and the secrets sealing session tokens and
// NextTokens.
var ServerTables = []string{"secrets", "signing_keys"}

// SortTables orders tables so that each comes after those it references
// (the order in which rows can be inserted with foreign keys enforced),
// choosing by name among those ready at each step so that the order does
// not depend on the catalog's. A reference to a table not in the list (or
// to itself) does not constrain; a cycle is an error.
func SortTables(tables []Table) ([]Table, error) {
	byName := map[string]bool{}
	for _, t := range tables {
		byName[t.Name] = true
	}
	rest := slices.Clone(tables)
	slices.SortFunc(rest, func(a, b Table) int { return strings.Compare(a.Name, b.Name) })
	placed := map[string]bool{}
	out := make([]Table, 0, len(tables))
	for len(rest) > 0 {
		i := slices.IndexFunc(rest, func(t Table) bool {
			for _, r := range t.References {
				if r != t.Name && byName[r] && !placed[r] {
					return false
				}
			}
			return true
		})
		if i < 0 {
			names := make([]string, len(rest))
			for k, t := range rest {
				names[k] = t.Name
			}
			return nil, fmt.Errorf("store: the foreign keys of tables %v form a cycle", names)
		}
		placed[rest[i].Name] = true
		out = append(out, rest[i])
		rest = slices.Delete(rest, i, i+1)
	}
	return out, nil
}
