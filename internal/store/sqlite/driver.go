package sqlite

import (
	"sort"

	"github.com/cognitod/cognitod/internal/store"
)

// DefaultDriver is the database/sql driver Open uses when Options.Driver is
// empty: modernc.org/sqlite, SQLite translated to Go. It keeps cognitod a
// static, cgo-free binary; docs/STORAGE.md has the benchmark against the
// cgo driver that backs the choice.
const DefaultDriver = "sqlite"

// driverInfo is what the store needs to know about a driver beyond
// database/sql: how to read SQLite's result code out of its errors.
type driverInfo struct {
	// code returns the extended result code of an error from SQLite.
	code func(err error) (code int, ok bool)
	// dsn adds the driver's own connection options to a path or Memory;
	// nil leaves it as is.
	dsn func(string) string
}

// drivers holds the drivers compiled in: modernc.org/sqlite always,
// github.com/mattn/go-sqlite3 in builds with -tags mattn (and cgo).
var drivers = map[string]driverInfo{}

func register(name string, d driverInfo) { drivers[name] = d }

// Drivers returns the names of the drivers compiled in, for Options.Driver.
func Drivers() []string {
	var names []string
	for n := range drivers {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// SQLite's extended result codes for constraint violations.
const (
	codeConstraintForeignKey = 19 | 3<<8
	codeConstraintPrimaryKey = 19 | 6<<8
	codeConstraintUnique     = 19 | 8<<8
)

// storeErr maps a constraint violation to the store error a caller expects:
// a missing parent row (pool, identity) is ErrNotFound, a taken key is
// ErrExists. ok is false for any other error.
func (d driverInfo) storeErr(err error) (_ error, ok bool) {
	switch code, _ := d.code(err); code {
	case codeConstraintForeignKey:
		return store.ErrNotFound, true
	case codeConstraintPrimaryKey, codeConstraintUnique:
		return store.ErrExists, true
	}
	return nil, false
}
