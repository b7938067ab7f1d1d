package sqlite

import (
	"context"
	"fmt"

	"github.com/cognitod/cognitod/internal/store"
)

// Generation implements store.Generations. The in-memory store has one
// connection and no other process: the writer's count of batches is its
// generation. A file store watches its WAL-index header
// (walindex_unix.go), which every commit, by this process or another,
// rewrites before it returns: reading it costs no statement. Where it
// cannot be mapped, a read connection is asked instead (dataVersion).
//
// The writer counts one after every batch, before its callers learn the
// outcome; Generation counts one whenever the header (or the connection's
// data_version) differs from what it last saw. So the first Generation to
// start after a commit counts it, and every later one returns at least
// that count: none returns what a call before the commit returned.
func (s *Store) Generation(ctx context.Context) (uint64, bool, error) {
	if err := s.usable(ctx); err != nil {
		return 0, false, err
	}
	if s.memory {
		return s.gen.Load(), true, nil
	}
	s.walMu.Lock()
	if s.wal != nil {
		if h := s.wal.header(); h != s.walHeader {
			s.walHeader = h
			s.gen.Add(1)
		}
		g := s.gen.Load()
		s.walMu.Unlock()
		return g, true, nil
	}
	s.walMu.Unlock()
	return s.readerGeneration(ctx)
}

// readerGeneration asks a read connection for its PRAGMA data_version.
// SQLite changes it whenever another connection (the writer, or any other
// process) has committed to the file since the connection last read, and a
// read connection never writes itself. If the answer differs from what
// that connection answered last time (or it never answered), it counts a
// new generation. A commit C thus raises the generation no later than the
// first call after C on each connection; and any call after C asks a
// connection whose last answer predates C (it counts C) or came after C
// (the call that got it counted C, or a later commit).
func (s *Store) readerGeneration(ctx context.Context) (uint64, bool, error) {
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

// watchWAL maps the WAL-index for Generation, and reads its header as it
// is at open (what was committed before is in the store already); without
// it, Generation asks a read connection. The store holds what openWALIndex
// opened until its connections have closed (closeConns), mapped or not.
func (s *Store) watchWAL(path string) {
	w, err := openWALIndex(path)
	if w != nil {
		s.walHeld = w
	}
	if err == nil {
		s.wal, s.walHeader = w, w.header()
	}
}

// unwatchWAL stops Generation reading the WAL-index (it asks a read
// connection from then on) and returns what the store held, for the
// caller to release once the connections have closed.
func (s *Store) unwatchWAL() *walIndex {
	s.walMu.Lock()
	defer s.walMu.Unlock()
	s.wal = nil
	w := s.walHeld
	s.walHeld = nil
	return w
}

var _ store.Generations = (*Store)(nil)

// dataVersion is the connection's PRAGMA data_version: it changes when
// another connection, in this process or another, has committed to the
// file since this one last read it.
func (c *conn) dataVersion() (int64, error) {
	var v int64
	if err := c.queryRow("PRAGMA data_version").Scan(&v); err != nil {
		return 0, fmt.Errorf("sqlite: data_version: %w", err)
	}
	return v, nil
}
