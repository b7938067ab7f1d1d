package sqlite

import (
	"context"
	"database/sql/driver"
	"fmt"
	"io"

	"github.com/cognitod/cognitod/internal/store"
)

// Generation implements store.Generations: one PRAGMA on a read connection.
//
// SQLite changes a connection's PRAGMA data_version whenever another
// connection (the writer, or any other process) has committed to the file
// since the connection last read, and a read connection never writes
// itself. Generation asks a read connection, and if the answer differs
// from what that connection answered last time (or it never answered), it
// counts a new generation. A commit C therefore raises the generation no
// later than the first Generation after C on each connection, and since
// every Generation call that is ordered after C asks some connection whose
// previous answer (if any) predates C or already counted it, every call
// started after C returns a generation later than any returned before C.
//
// The writer also counts one after every batch, before its callers learn
// the outcome: that is all the in-memory store (one connection, no other
// process) has, and it makes a write visible to the next Generation
// without depending on which connection that asks.
func (s *Store) Generation(ctx context.Context) (uint64, bool, error) {
	if s.memory {
		if err := s.usable(ctx); err != nil {
			return 0, false, err
		}
		return s.gen.Load(), true, nil
	}
	c, err := s.reader(ctx)
	if err != nil {
		return 0, false, err
	}
	defer func() { s.readers <- c }()
	v, err := c.dataVersion()
	if err != nil {
		c.versionKnown = false
		return 0, false, err
	}
	if !c.versionKnown || v != c.version {
		c.version, c.versionKnown = v, true
		s.gen.Add(1)
	}
	return s.gen.Load(), true, nil
}

var _ store.Generations = (*Store)(nil)

// dataVersion is the connection's PRAGMA data_version.
func (c *conn) dataVersion() (int64, error) {
	var v int64
	got := false
	err := c.rawRows("PRAGMA data_version", nil, 1, func(d []driver.Value) error {
		n, ok := d[0].(int64)
		if !ok {
			return fmt.Errorf("data_version is %T", d[0])
		}
		v, got = n, true
		return nil
	})
	if err == nil && !got {
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		return 0, fmt.Errorf("sqlite: data_version: %w", err)
	}
	return v, nil
}
