// Package sqlite is cognitod's embedded store.Store: one SQLite file in WAL
// mode, or a private in-memory database for --store memory.
//
// Every Update closure goes to one writer goroutine that owns the only write
// connection. It runs all the closures waiting at that moment in one
// transaction, each inside its own savepoint, and commits them together: one
// fsync makes a whole batch durable, which is what lets a single SQLite file
// take thousands of durable writes a second. Views run on a pool of
// read-only connections that WAL lets proceed while the writer commits.
// docs/STORAGE.md describes the schema, the durability guarantees and the
// driver choice.
package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cognitod/cognitod/internal/store"
)

// Memory is the dsn of a non-persistent, in-memory store.
const Memory = ":memory:"

// DefaultCommitDelay is Options.CommitDelay's default.
const DefaultCommitDelay = 100 * time.Microsecond

// Options tune a store; the zero value is a good default.
type Options struct {
	// Driver is the database/sql driver: DefaultDriver ("sqlite",
	// modernc.org/sqlite) when empty, or "sqlite3" (github.com/mattn/go-sqlite3)
	// in builds with -tags mattn. Drivers lists those compiled in.
	Driver string
	// Readers is the number of read connections, i.e. how many Views run at
	// once (default: GOMAXPROCS, at least 4). An in-memory store has a single
	// connection that reads and writes.
	Readers int
	// MaxBatch bounds how many Update closures share one commit (default 256).
	MaxBatch int
	// CommitDelay is the longest the writer waits, under concurrent load,
	// for more Updates to share a commit (batchPace in writer.go). Zero
	// means DefaultCommitDelay; negative means never wait.
	CommitDelay time.Duration
	// BusyTimeoutMillis is how long a connection waits for a lock held by
	// another process before failing (default 5000). Within one process the
	// store never waits on itself.
	BusyTimeoutMillis int
	// CacheKiB is each connection's page cache (default 8192, i.e. 8 MiB).
	CacheKiB int
}

func (o *Options) defaults() {
	if o.Driver == "" {
		o.Driver = DefaultDriver
	}
	if o.Readers <= 0 {
		o.Readers = max(4, runtime.GOMAXPROCS(0))
	}
	if o.MaxBatch <= 0 {
		o.MaxBatch = 256
	}
	if o.CommitDelay == 0 {
		o.CommitDelay = DefaultCommitDelay
	}
	if o.BusyTimeoutMillis <= 0 {
		o.BusyTimeoutMillis = 5000
	}
	if o.CacheKiB <= 0 {
		o.CacheKiB = 8192
	}
}

// Store is a SQLite store.Store. It is safe for concurrent use.
type Store struct {
	db     *sql.DB
	driver driverInfo
	memory bool

	// writer is the write connection. In memory it is also the only
	// connection, and lives in readers between uses.
	writer *conn
	// readers holds the idle read connections; taking one is how a View
	// waits its turn.
	readers     chan *conn
	all         []*conn // every connection, for QueryCount and Close
	requests    chan *request
	pools       *poolCache // the writer's (poolcache.go)
	maxBatch    int
	commitDelay time.Duration
	commits     atomic.Int64  // batches committed (or tried), BatchCounts
	batched     atomic.Uint64 // Updates run in them, BatchCounts
	gen         atomic.Uint64 // the store's generation (generation.go)
	// wal is the file's WAL-index header, mapped (nil in memory, or where
	// it cannot be); walHeader is what Generation saw there last. walHeld
	// is what the store must release after its connections have closed
	// (walindex_unix.go says why), wal or a descriptor that could not be
	// mapped.
	walMu     sync.Mutex
	wal       *walIndex
	walHeld   *walIndex
	walHeader [walHeaderBytes / 4]uint32
	// rehearsals is how many times each Update closure is run and undone
	// before its real run: tests set it (writer.go, rehearse).
	rehearsals int

	closing    chan struct{} // closed by Close
	writerDone chan struct{} // closed when the writer goroutine ends
	closeOnce  sync.Once
}

var _ store.Store = (*Store)(nil)

// Open opens (creating if need be) the database at dsn, a file path or
// Memory, and brings its schema up to date.
func Open(ctx context.Context, dsn string, opts Options) (*Store, error) {
	opts.defaults()
	d, ok := drivers[opts.Driver]
	if !ok {
		return nil, fmt.Errorf("sqlite: driver %q is not compiled in (have %v)", opts.Driver, Drivers())
	}
	s := &Store{
		driver:      d,
		memory:      dsn == Memory,
		requests:    make(chan *request), // unbuffered: see Update
		pools:       newPoolCache(),
		maxBatch:    opts.MaxBatch,
		commitDelay: opts.CommitDelay,
		closing:     make(chan struct{}),
		writerDone:  make(chan struct{}),
	}
	if s.memory {
		opts.Readers = 0
	}
	n := opts.Readers + 1
	name := dsn
	if d.dsn != nil {
		name = d.dsn(dsn)
	}
	db, err := sql.Open(opts.Driver, name)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", dsn, err)
	}
	// The store pins every connection for its whole life: database/sql must
	// neither open more nor close idle ones (that would drop a :memory:
	// database).
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	s.db = db

	if err := s.openConns(ctx, opts); err != nil {
		s.closeConns()
		return nil, err
	}
	if !s.memory {
		s.watchWAL(s.mainFile(ctx, dsn))
	}
	go s.writeLoop()
	return s, nil
}

// mainFile is the database file's name as SQLite uses it: it resolves
// symbolic links and keeps the WAL-index beside the file they lead to, not
// beside the link (where a stale "-shm" may lie). dsn if SQLite cannot say.
func (s *Store) mainFile(ctx context.Context, dsn string) string {
	rows, err := s.writer.c.QueryContext(ctx, "PRAGMA database_list")
	if err != nil {
		return dsn
	}
	defer rows.Close()
	for rows.Next() {
		var seq int
		var name, file string
		if rows.Scan(&seq, &name, &file) == nil && name == "main" && file != "" {
			return file
		}
	}
	return dsn
}

// openConns opens the writer, which sets up WAL and the schema, then the
// readers.
func (s *Store) openConns(ctx context.Context, opts Options) error {
	common := []string{
		fmt.Sprintf("busy_timeout = %d", opts.BusyTimeoutMillis),
		// Deletes cascade (pools → identities → logins, credentials, Sync data).
		"foreign_keys = ON",
		// FULL: a commit fsyncs the WAL before it returns, so an Update that
		// returned nil survives power loss, not only a crash.
		"synchronous = FULL",
		fmt.Sprintf("cache_size = -%d", opts.CacheKiB),
		"temp_store = MEMORY",
		// No memory map: SQLite maps the file once per connection, not
		// once per process, and mapped pages count in the RSS, so with a
		// 64 MiB map the RSS grew to 330 MB after one walk through a
		// 1,000,000-identity pool (five connections, each its own map).
		// Without one, pages are read into each connection's page cache
		// (cache_size, above), and the RSS is bounded by the connections'
		// caches whatever the size of the store; the OS page cache, which is
		// not the process's, serves the reads.
		"mmap_size = 0",
	}
	w, err := newConn(ctx, s.db, common)
	if err != nil {
		return err
	}
	s.writer = w
	s.all = append(s.all, w)
	if !s.memory {
		var mode string
		if err := w.c.QueryRowContext(ctx, "PRAGMA journal_mode = WAL").Scan(&mode); err != nil {
			return fmt.Errorf("sqlite: PRAGMA journal_mode: %w", err)
		}
		if mode != "wal" {
			return fmt.Errorf("sqlite: journal_mode is %q, want wal", mode)
		}
		// After a big transaction, checkpoints shrink the WAL back to this.
		if _, err := w.c.ExecContext(ctx, "PRAGMA journal_size_limit = 67108864"); err != nil {
			return fmt.Errorf("sqlite: PRAGMA journal_size_limit: %w", err)
		}
	}
	if err := migrate(ctx, w); err != nil {
		return err
	}

	if s.memory {
		// One connection does everything; Views and the writer take turns.
		s.readers = make(chan *conn, 1)
		s.readers <- w
		return nil
	}
	s.readers = make(chan *conn, opts.Readers)
	for range opts.Readers {
		// query_only backs up the read-only Tx: a read connection cannot
		// write even by mistake.
		c, err := newConn(ctx, s.db, append(common, "query_only = ON"))
		if err != nil {
			return err
		}
		s.all = append(s.all, c)
		s.readers <- c
	}
	return nil
}

// View runs fn in a read transaction on a read connection: one consistent
// snapshot that the writer's later commits do not change.
func (s *Store) View(ctx context.Context, fn func(store.Tx) error) (err error) {
	c, err := s.reader(ctx)
	if err != nil {
		return err
	}
	defer func() { s.readers <- c }()
	if _, err := c.exec("BEGIN"); err != nil {
		return fmt.Errorf("sqlite: begin: %w", err)
	}
	t := &tx{c: c, d: s.driver, readOnly: true}
	// A read transaction has nothing to keep: it always ends in ROLLBACK,
	// also when fn panics.
	defer func() {
		t.done = true
		if _, rerr := c.exec("ROLLBACK"); rerr != nil && err == nil {
			err = fmt.Errorf("sqlite: end read transaction: %w", rerr)
		}
	}()
	return fn(t)
}

// reader takes an idle read connection, waiting for one if need be.
func (s *Store) reader(ctx context.Context) (*conn, error) {
	if err := s.usable(ctx); err != nil {
		return nil, err
	}
	select {
	case c := <-s.readers:
		return c, nil
	case <-s.closing:
		return nil, store.ErrClosed
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// usable reports ErrClosed or the context's error before any waiting.
func (s *Store) usable(ctx context.Context) error {
	select {
	case <-s.closing:
		return store.ErrClosed
	default:
	}
	return ctx.Err()
}

// PrefersOrderedIDs: new identities in one file's B-trees go to their last
// pages when IDs grow with time (store.OrderedIDs).
func (s *Store) PrefersOrderedIDs() bool { return true }

var _ store.OrderedIDs = (*Store)(nil)

// Ping checks that a read connection answers.
func (s *Store) Ping(ctx context.Context) error {
	c, err := s.reader(ctx)
	if err != nil {
		return err
	}
	defer func() { s.readers <- c }()
	var one int
	return c.queryRow("SELECT 1").Scan(&one)
}

// BatchCounts implements store.Batching.
func (s *Store) BatchCounts() (commits, updates uint64) {
	return uint64(s.commits.Load()), s.batched.Load()
}

var _ store.Batching = (*Store)(nil)

// QueryCount returns how many statements the store has run, for tests that
// check a call's cost in queries (conformance.QueryCounter).
func (s *Store) QueryCount() int64 {
	var n int64
	for _, c := range s.all {
		n += c.queries.Load()
	}
	return n
}

// Close waits for running Updates and Views to finish, then closes the
// database; the last connection to close checkpoints the WAL into the main
// file. Calls after Close return store.ErrClosed.
func (s *Store) Close() error {
	err := store.ErrClosed
	s.closeOnce.Do(func() {
		close(s.closing)
		<-s.writerDone
		// Every View holding a connection gives it back when done.
		for range cap(s.readers) {
			<-s.readers
		}
		err = s.closeConns()
	})
	return err
}

func (s *Store) closeConns() error {
	w := s.unwatchWAL()
	var first error
	for _, c := range s.all {
		if err := c.close(); err != nil && first == nil {
			first = err
		}
	}
	if err := s.db.Close(); err != nil && first == nil {
		first = err
	}
	if w != nil {
		if err := w.release(); err != nil && first == nil {
			first = err
		}
	}
	return first
}
