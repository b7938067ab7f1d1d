package sqlite

import (
	"errors"

	"modernc.org/sqlite"
)

func init() {
	register("sqlite", driverInfo{code: func(err error) (int, bool) {
		var e *sqlite.Error
		if errors.As(err, &e) {
			return e.Code(), true
		}
		return 0, false
	}})
}
