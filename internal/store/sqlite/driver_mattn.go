//go:build mattn && cgo

package sqlite

import (
	"errors"

	"github.com/mattn/go-sqlite3"
)

// The cgo driver, for benchmarks and for builds that prefer it:
// go build -tags mattn. Options.Driver "sqlite3" selects it.
func init() {
	register("sqlite3", driverInfo{code: func(err error) (int, bool) {
		var e sqlite3.Error
		if errors.As(err, &e) {
			return int(e.ExtendedCode), true
		}
		return 0, false
	},
		// The store never shares a connection between goroutines, so
		// SQLite's per-call connection mutex is pure overhead.
		dsn: func(name string) string { return name + "?_mutex=no" },
	})
}
