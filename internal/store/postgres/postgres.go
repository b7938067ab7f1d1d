// Package postgres is cognitod's shared store.Store: a PostgreSQL database
// (or an engine that speaks its protocol) that any number of stateless
// cognitod nodes use at once, through github.com/jackc/pgx/v5.
//
// Every Update closure runs in its own SERIALIZABLE transaction; a
// serialization failure (SQLSTATE 40001) or a deadlock (40P01) rolls it back
// and runs the whole closure again after a jittered backoff, which is what
// PostgreSQL's SSI and CockroachDB's client-side retry protocol both ask
// of a client. So a read-check-write closure (one identity per login, a
// record's SyncCount check, a usage counter, a bulk publish job's start)
// holds across nodes exactly as it does inside one process. Views run in a
// READ ONLY REPEATABLE READ transaction: one snapshot, no locks, and in
// PostgreSQL never a serialization failure.
//
// docs/SCALING.md describes the topologies, the configuration and the
// compatibility with CockroachDB and YugabyteDB.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	neturl "net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cognitod/cognitod/internal/store"
)

// Options tune a store; the zero value is a good default. The pool's size
// and timeouts come from the URL (see Open).
type Options struct {
	// RetryTimeout bounds how long Update keeps running again a closure
	// that fails to serialize (default 60 s); the caller's context bounds
	// it too. On a hot row (every sync write of a pool updates the pool's
	// usage counters) a transaction may lose many times in a row before it
	// wins, so the budget is time, not a small number of attempts.
	RetryTimeout time.Duration
	// MaxAttempts bounds the attempts as well (default: no bound but
	// RetryTimeout).
	MaxAttempts int
	// BaseBackoff and MaxBackoff shape the wait before a retry: a random
	// duration up to BaseBackoff·2^(attempt-1), capped at MaxBackoff
	// ("full jitter"; defaults 1 ms and 20 ms: a short cap, so that a
	// transaction that lost several times is not left waiting while fresh
	// ones take the hot row).
	BaseBackoff, MaxBackoff time.Duration
}

func (o *Options) defaults() {
	if o.RetryTimeout <= 0 {
		o.RetryTimeout = 60 * time.Second
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = math.MaxInt
	}
	if o.BaseBackoff <= 0 {
		o.BaseBackoff = time.Millisecond
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 20 * time.Millisecond
	}
}

// Store is a PostgreSQL store.Store. It is safe for concurrent use, and any
// number of Stores (in any number of processes) may share one database.
type Store struct {
	pool *pgxpool.Pool
	opts Options

	mu       sync.RWMutex // guards closed against inflight.Add
	closed   bool
	inflight sync.WaitGroup

	queries atomic.Int64 // statements sent, for QueryCount
	// injectRetries (cognitod_inject_retries in the URL, or tests) fails
	// the COMMIT of an Update's first injectRetries attempts with a made-up
	// serialization failure, as CockroachDB does when a transaction's reads
	// no longer hold: every closure must come out right however often it
	// is rerun.
	injectRetries int
	retries       atomic.Int64 // closures run again after a serialization failure
	// trace, when set (by tests, before use), sees every statement sent
	// inside View and Update.
	trace func(sql string, args []any)
}

var _ store.Store = (*Store)(nil)

// IsURL reports whether a --store value names a PostgreSQL database.
func IsURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// Open connects to the database a postgres:// URL names and brings its
// schema up to date; several processes may open one database at the same
// moment (see migrate).
//
// The URL is pgx's: libpq's parameters (sslmode, connect_timeout, ...),
// pgxpool's (pool_max_conns, pool_min_conns, pool_max_conn_lifetime,
// pool_max_conn_idle_time, pool_health_check_period) and any other query
// parameter is sent to the server as a session setting (statement_timeout,
// lock_timeout, idle_in_transaction_session_timeout, ...). application_name
// defaults to "cognitod".
//
// One parameter is cognitod's own, for testing: cognitod_inject_retries=N
// fails the COMMIT of every Update's first N attempts with a made-up
// serialization failure (as CockroachDB's inject_retry_errors_enabled
// does), so that every closure is seen to come out right when rerun.
func Open(ctx context.Context, url string, opts Options) (*Store, error) {
	opts.defaults()
	url, inject, err := ownParams(url)
	if err != nil {
		return nil, err
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	if _, ok := cfg.ConnConfig.RuntimeParams["application_name"]; !ok {
		cfg.ConnConfig.RuntimeParams["application_name"] = "cognitod"
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	s := &Store{pool: pool, opts: opts, injectRetries: inject}
	if err := s.migrate(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return s, nil
}

// ownParams takes cognitod's own parameters out of a postgres:// URL
// (pgx would send them to the server as settings).
func ownParams(url string) (string, int, error) {
	u, err := neturl.Parse(url)
	if err != nil || !u.Query().Has("cognitod_inject_retries") {
		return url, 0, nil // pgx reports a URL it cannot parse
	}
	q := u.Query()
	n, err := strconv.Atoi(q.Get("cognitod_inject_retries"))
	if err != nil || n < 0 {
		return "", 0, fmt.Errorf("postgres: cognitod_inject_retries=%q: want a count", q.Get("cognitod_inject_retries"))
	}
	q.Del("cognitod_inject_retries")
	u.RawQuery = q.Encode()
	return u.String(), n, nil
}

// enter admits a call unless the store is closed or ctx has ended; leave
// (deferred) ends it. Close waits for every admitted call.
func (s *Store) enter(ctx context.Context) error {
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return store.ErrClosed
	}
	s.inflight.Add(1)
	s.mu.RUnlock()
	if err := ctx.Err(); err != nil {
		s.inflight.Done()
		return err
	}
	return nil
}

func (s *Store) leave() { s.inflight.Done() }

// acquire takes a connection from the pool, keeping ctx's error
// recognisable (errors.Is(err, context.Canceled)).
func (s *Store) acquire(ctx context.Context) (*pgxpool.Conn, error) {
	c, err := s.pool.Acquire(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	return c, nil
}

// Transaction modes. Update: SERIALIZABLE, so that every read-check-write
// closure is serializable against every other, on every node. View: a
// snapshot that cannot fail to serialize in PostgreSQL (REPEATABLE READ),
// and READ ONLY so the database itself refuses a write. CockroachDB runs
// both as SERIALIZABLE (its REPEATABLE READ is an alias unless enabled).
const (
	beginUpdate = "BEGIN ISOLATION LEVEL SERIALIZABLE"
	beginView   = "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY"
)

// View runs fn in a read-only snapshot. It is not retried: a View cannot
// fail to serialize in PostgreSQL (see beginView), and a View closure may
// have effects (appending to a result) that a rerun would repeat.
func (s *Store) View(ctx context.Context, fn func(store.Tx) error) error {
	if err := s.enter(ctx); err != nil {
		return err
	}
	defer s.leave()
	c, err := s.acquire(ctx)
	if err != nil {
		return err
	}
	defer c.Release()
	t := &tx{ctx: ctx, c: c.Conn(), s: s, readOnly: true, begin: beginView}
	// A read transaction has nothing to keep: it ends in ROLLBACK, also
	// when fn panics (Release destroys a connection left in a transaction
	// if even that fails).
	defer func() {
		t.done = true
		t.end()
	}()
	return fn(t)
}

// Update runs fn in a SERIALIZABLE transaction and commits it; a
// serialization failure anywhere (a statement or the COMMIT) runs fn again
// in a new transaction, for up to Options.RetryTimeout or until ctx ends.
func (s *Store) Update(ctx context.Context, fn func(store.Tx) error) error {
	if err := s.enter(ctx); err != nil {
		return err
	}
	defer s.leave()
	start := time.Now()
	for attempt := 1; ; attempt++ {
		retry, err := s.attempt(ctx, fn, attempt)
		if !retry {
			return err
		}
		if attempt >= s.opts.MaxAttempts || time.Since(start) > s.opts.RetryTimeout {
			return fmt.Errorf("postgres: gave up after %d attempts in %v: %w", attempt, time.Since(start).Round(time.Millisecond), err)
		}
		s.retries.Add(1)
		if werr := s.backoff(ctx, attempt); werr != nil {
			return fmt.Errorf("%w (while retrying after: %v)", werr, err)
		}
	}
}

// attempt runs fn once in a transaction of its own. retry reports a
// serialization failure: nothing was kept and fn may run again.
func (s *Store) attempt(ctx context.Context, fn func(store.Tx) error, n int) (retry bool, err error) {
	c, err := s.acquire(ctx)
	if err != nil {
		return false, err
	}
	defer c.Release()
	t := &tx{ctx: ctx, c: c.Conn(), s: s, begin: beginUpdate}
	ended := false
	defer func() {
		t.done = true
		if !ended { // fn panicked or called runtime.Goexit
			t.end()
		}
	}()
	ferr := fn(t)
	t.done = true
	ended = true
	if t.retry != nil {
		// fn saw a serialization failure, whatever it made of it: the
		// transaction is aborted and what fn read may be stale.
		t.end()
		return true, t.retry
	}
	if ferr != nil {
		t.end()
		return false, ferr
	}
	if t.broken != nil {
		// A statement failed and fn carried on regardless: PostgreSQL
		// aborted the transaction, so COMMIT would roll it back.
		t.end()
		return false, fmt.Errorf("postgres: transaction aborted: %w", t.broken)
	}
	if t.begin != "" {
		return false, nil // fn sent nothing: there is nothing to commit
	}
	if n <= s.injectRetries {
		t.end()
		return true, &pgconn.PgError{Severity: "ERROR", Code: "40001", Message: "restart transaction: injected at COMMIT by a test"}
	}
	// COMMIT must run to its end even if the caller gives up meanwhile:
	// abandoning it half-way would leave the outcome unknown.
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	s.queries.Add(1)
	tag, err := c.Exec(cctx, "COMMIT")
	if err != nil {
		if retryable(err) {
			return true, err
		}
		return false, fmt.Errorf("postgres: commit: %w", err)
	}
	if tag.String() != "COMMIT" {
		return false, fmt.Errorf("postgres: commit: the transaction was rolled back (%s)", tag)
	}
	return false, nil
}

// end rolls the transaction back, if it was begun. If that fails, Release
// sees the connection still in a transaction and destroys it.
func (t *tx) end() {
	if t.begin != "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	t.c.Exec(ctx, "ROLLBACK")
}

// backoff sleeps a random duration up to BaseBackoff·2^(attempt-1), capped
// at MaxBackoff: "full jitter", so that transactions that collided once do
// not collide again in lockstep.
func (s *Store) backoff(ctx context.Context, attempt int) error {
	d := s.opts.MaxBackoff
	if attempt < 20 {
		d = min(d, s.opts.BaseBackoff<<(attempt-1))
	}
	timer := time.NewTimer(rand.N(d) + time.Microsecond)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// retryable reports a serialization failure or a deadlock: the transaction
// was rolled back and running it again may succeed. CockroachDB reports
// every retryable transaction error as 40001.
func retryable(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "40001" || pe.Code == "40P01"
	}
	return false
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.enter(ctx); err != nil {
		return err
	}
	defer s.leave()
	return s.pool.Ping(ctx)
}

// QueryCount returns how many statements the store has sent inside Views
// and Updates (conformance.QueryCounter).
func (s *Store) QueryCount() int64 { return s.queries.Load() }

// Retries returns how many times an Update closure was run again after a
// serialization failure.
func (s *Store) Retries() int64 { return s.retries.Load() }

// Close waits for running Views and Updates, then closes the connections.
// Calls after Close return store.ErrClosed.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return store.ErrClosed
	}
	s.closed = true
	s.mu.Unlock()
	s.inflight.Wait()
	s.pool.Close()
	return nil
}

// exec, query and queryRow send a statement on the transaction's
// connection, counting it. The transaction's BEGIN goes out with its first
// statement, in one round trip (a pipelined batch): a transaction costs
// its statements and its COMMIT or ROLLBACK, nothing more.
func (t *tx) exec(sql string, args ...any) (pgconn.CommandTag, error) {
	t.sent(sql, args)
	if t.begin == "" {
		return t.c.Exec(t.ctx, sql, args...)
	}
	br, err := t.beginWith(sql, args)
	if err != nil {
		return pgconn.CommandTag{}, err
	}
	defer br.Close()
	return br.Exec()
}

func (t *tx) query(sql string, args ...any) (pgx.Rows, error) {
	t.sent(sql, args)
	if t.begin == "" {
		return t.c.Query(t.ctx, sql, args...)
	}
	br, err := t.beginWith(sql, args)
	if err != nil {
		return nil, err
	}
	rows, err := br.Query()
	if err != nil {
		br.Close()
		return nil, err
	}
	return &batchRows{Rows: rows, br: br}, nil
}

func (t *tx) queryRow(sql string, args ...any) pgx.Row {
	t.sent(sql, args)
	if t.begin == "" {
		return t.c.QueryRow(t.ctx, sql, args...)
	}
	br, err := t.beginWith(sql, args)
	if err != nil {
		return errRow{err}
	}
	return batchRow{row: br.QueryRow(), br: br}
}

// beginWith sends the pending BEGIN and the first statement together and
// reads BEGIN's result; the caller reads the statement's and closes br.
//
// The transaction counts as begun only once BEGIN has answered. pgx may
// fail the batch before sending anything (preparing the statement, which
// waits for the locks of the tables it names, can meet lock_timeout or
// statement_timeout): BEGIN then stays pending, so the closure's next
// statement begins the transaction instead of running on its own and
// being kept whatever becomes of the closure.
func (t *tx) beginWith(sql string, args []any) (pgx.BatchResults, error) {
	var b pgx.Batch
	b.Queue(t.begin)
	b.Queue(sql, args...)
	br := t.c.SendBatch(t.ctx, &b)
	if _, err := br.Exec(); err != nil {
		br.Close()
		if t.ctx.Err() != nil {
			return nil, t.ctx.Err()
		}
		return nil, fmt.Errorf("postgres: begin: %w", err)
	}
	t.begin = ""
	return br, nil
}

// batchRows are the rows of a batch's last statement: closing them
// closes the batch.
type batchRows struct {
	pgx.Rows
	br pgx.BatchResults
}

func (r *batchRows) Close() {
	r.Rows.Close()
	r.br.Close()
}

func (r *batchRows) Next() bool {
	if r.Rows.Next() {
		return true
	}
	r.Close()
	return false
}

// batchRow is the row of a batch's last statement: scanning it closes the
// batch.
type batchRow struct {
	row pgx.Row
	br  pgx.BatchResults
}

func (r batchRow) Scan(dest ...any) error {
	err := r.row.Scan(dest...)
	if cerr := r.br.Close(); err == nil && cerr != nil {
		err = cerr
	}
	return err
}

type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

// sent counts a statement about to be sent.
func (t *tx) sent(sql string, args []any) {
	t.s.queries.Add(1)
	if t.s.trace != nil {
		t.s.trace(sql, args)
	}
}

// Redact returns a postgres:// URL with its password hidden, for logs.
func Redact(url string) string {
	u, err := neturl.Parse(url)
	if err != nil {
		return "postgres://(unparsable URL)"
	}
	if _, has := u.User.Password(); has {
		u.User = neturl.UserPassword(u.User.Username(), "xxxxx")
	}
	if q := u.Query(); q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.String()
}
