package sqlite

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/cognitod/cognitod/internal/store"
)

// request is one Update waiting for the writer.
type request struct {
	fn    func(store.Tx) error
	state atomic.Int32 // queued, then started (writer) or canceled (caller)
	done  chan result  // buffered: the writer never waits for a caller
}

const (
	queued int32 = iota
	started
	canceled
)

// result is how an Update ended.
type result struct {
	err      error
	panicked bool
	panicVal any // what fn panicked with, re-panicked in the caller
}

// errGoexit answers an Update whose closure called runtime.Goexit (as
// t.FailNow does when called from a closure), which ends the goroutine
// that ran it.
var errGoexit = errors.New("sqlite: Update closure called runtime.Goexit; its batch was rolled back")

// Update queues fn for the writer and waits for the commit that makes it
// durable. A caller whose ctx ends while fn is still queued gets ctx's
// error and fn never runs; once fn has started, Update waits for the
// outcome, so an error from Update always means nothing of fn was kept.
func (s *Store) Update(ctx context.Context, fn func(store.Tx) error) error {
	if err := s.usable(ctx); err != nil {
		return err
	}
	r := &request{fn: fn, done: make(chan result, 1)}
	// The channel is unbuffered: a send succeeds only when the writer takes
	// the request, so a request is never stranded in a buffer after the
	// writer has stopped.
	select {
	case s.requests <- r:
	case <-s.closing:
		return store.ErrClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	var res result
	select {
	case res = <-r.done:
	case <-ctx.Done():
		if r.state.CompareAndSwap(queued, canceled) {
			return ctx.Err()
		}
		res = <-r.done // fn has started: its outcome is the answer
	}
	if res.panicked {
		panic(res.panicVal)
	}
	return res.err
}

// writeLoop is the writer goroutine: it takes the first waiting request,
// then every other one already waiting (up to maxBatch), and commits them
// as one transaction.
func (s *Store) writeLoop() {
	normal := false
	defer func() {
		if !normal {
			// A closure called runtime.Goexit and took this goroutine with
			// it; commit has answered its batch. Carry on in a new one.
			go s.writeLoop()
			return
		}
		close(s.writerDone)
	}()
	batch := make([]*request, 0, s.maxBatch)
	var pace batchPace
	var timer *time.Timer
	for {
		select {
		case r := <-s.requests:
			batch = append(batch[:0], r)
		case <-s.closing:
			normal = true
			return
		}
	more:
		for len(batch) < s.maxBatch {
			select {
			case r := <-s.requests:
				batch = append(batch, r)
			default:
				break more
			}
		}
		if want := pace.target(s.commitDelay, s.maxBatch); len(batch) < want {
			if timer == nil {
				timer = time.NewTimer(s.commitDelay)
			} else {
				timer.Reset(s.commitDelay)
			}
		wait:
			for len(batch) < want {
				select {
				case r := <-s.requests:
					batch = append(batch, r)
				case <-timer.C:
					break wait
				case <-s.closing:
					break wait
				}
			}
			timer.Stop()
		}
		pace.record(len(batch))
		s.commit(batch)
		clear(batch) // drop references to finished closures
	}
}

// batchPace decides the commit delay, as PostgreSQL's commit_delay and
// commit_siblings do: a commit costs the writer about as much CPU as ten
// GetIds (BEGIN, COMMIT, writing the batch's pages to the WAL, the fsync
// call), so under concurrent load it pays to wait a little for the
// requests that are already on their way and commit them together.
// Measured with 32 clients creating identities: waiting up to 100 µs
// for 24 took the server's CPU per GetId from 78-84 to 66-67 µs and its
// throughput up 9-18% (docs/PERFORMANCE.md).
//
// The writer waits only when the last batch held several callers (there is
// concurrency to wait for): a lone client never waits. It waits for as
// many as the recent peak batch, a running maximum that decays by a
// hundredth a batch, so a load that falls away stops the waits within a
// few hundred batches; and never longer than the delay.
type batchPace struct {
	last int     // size of the last batch
	peak float64 // decaying maximum of the batch sizes
}

// siblings is how many callers the last batch must have held for the
// writer to wait for more.
const siblings = 4

// target is how many requests the next batch should wait for (0: none).
func (p *batchPace) target(delay time.Duration, maxBatch int) int {
	if delay <= 0 || p.last < siblings {
		return 0
	}
	return min(int(p.peak), maxBatch)
}

func (p *batchPace) record(n int) {
	p.last = n
	p.peak = max(float64(n), p.peak*0.99)
}

// commit runs a batch in one transaction, each closure in a savepoint of its
// own so that one closure's failure undoes only its own writes, and commits
// once. Each caller then learns its own outcome; if the commit itself fails,
// or SQLite abandoned the transaction along the way (run's lost), every
// closure that had succeeded gets that error instead.
func (s *Store) commit(batch []*request) {
	c := s.writer
	if s.memory {
		c = <-s.readers // the one connection: wait out any View
		defer func() { s.readers <- c }()
	}
	results := make([]result, len(batch))
	ran := make([]bool, len(batch))
	finished := false
	defer func() {
		if !finished { // runtime.Goexit in a closure: undo the batch
			c.exec("ROLLBACK")
			s.pools.reset()
			s.gen.Add(1)
			for k, r := range batch {
				if ran[k] || r.state.CompareAndSwap(queued, started) {
					r.done <- result{err: errGoexit}
				}
			}
		}
	}()

	_, err := c.exec("BEGIN IMMEDIATE")
	if err == nil {
		if err = s.pools.checkVersion(c); err != nil {
			c.exec("ROLLBACK") // the batch fails whole; the next one starts afresh
		}
	}
	var lost error // the transaction is gone (run says how)
	var n uint64   // closures started, for BatchCounts
	for k, r := range batch {
		if !r.state.CompareAndSwap(queued, started) {
			continue // the caller gave up while it waited
		}
		ran[k] = true
		n++
		switch {
		case err != nil:
			results[k].err = fmt.Errorf("sqlite: begin: %w", err)
		case lost != nil:
			results[k].err = lost
		default:
			results[k], lost = s.run(c, r.fn)
		}
	}
	// abandon ends a batch of which nothing was kept (SQLite may have
	// rolled back already; this makes sure): every closure that had
	// succeeded learns why, and the pools the batch read may be gone.
	abandon := func(why error) {
		c.exec("ROLLBACK")
		s.pools.reset()
		for k := range results {
			if results[k].err == nil && !results[k].panicked {
				results[k].err = why
			}
		}
	}
	switch {
	case lost != nil:
		abandon(lost)
	case err == nil:
		s.batched.Add(n)
		s.commits.Add(1)
		if _, cerr := c.exec("COMMIT"); cerr != nil {
			abandon(fmt.Errorf("sqlite: commit: %w", cerr))
		}
	}
	finished = true
	s.gen.Add(1) // before any caller learns its outcome (generation.go)
	for k, r := range batch {
		if ran[k] {
			r.done <- results[k]
		}
	}
}

// run runs one closure inside a savepoint: RELEASE keeps its writes in the
// batch's transaction, ROLLBACK TO drops them (on an error or a panic)
// without touching the closures before it.
//
// lost reports that the batch's transaction is gone. On some errors
// (SQLITE_FULL from a statement without a statement journal, any IOERR,
// NOMEM) SQLite rolls the whole transaction back and returns to autocommit,
// dropping every savepoint; the closure sees only its statement's error,
// and the savepoint statements are the first to fail. No later closure may
// then run: its SAVEPOINT, outside a transaction, would start one of its
// own, and its RELEASE commit it, while its caller is told the batch failed.
func (s *Store) run(c *conn, fn func(store.Tx) error) (res result, lost error) {
	for range s.rehearsals {
		if r, lost := s.rehearse(c, fn); lost != nil || r.err != nil || r.panicked {
			return r, lost
		}
	}
	if _, err := c.exec("SAVEPOINT u"); err != nil {
		err = fmt.Errorf("sqlite: savepoint: %w", err)
		return result{err: err}, err
	}
	t := &tx{c: c, d: s.driver, pools: s.pools}
	keep := false
	defer func() {
		t.done = true
		if keep {
			return
		}
		p := recover()
		if p != nil {
			res = result{panicked: true, panicVal: p}
		}
		lost = undoSavepoint(c, "u", &res)
	}()
	if err := fn(t); err != nil {
		return result{err: err}, nil
	}
	if _, err := c.exec("RELEASE u"); err != nil {
		return result{err: fmt.Errorf("sqlite: release savepoint: %w", err)}, nil // the deferred ROLLBACK TO tells whether the transaction survived
	}
	keep = true
	return result{}, nil
}

// rehearse runs fn and undoes its writes, for tests only (rehearsals > 0):
// the suite run so proves that its closures, like every Update closure,
// may run more than once (as PostgreSQL's retries run them) and come out
// as if they had run once. An error or panic ends the Update as it would
// have on the real run; lost is as for run.
func (s *Store) rehearse(c *conn, fn func(store.Tx) error) (res result, lost error) {
	if _, err := c.exec("SAVEPOINT rehearsal"); err != nil {
		err = fmt.Errorf("sqlite: savepoint: %w", err)
		return result{err: err}, err
	}
	t := &tx{c: c, d: s.driver, pools: s.pools}
	defer func() {
		t.done = true
		if p := recover(); p != nil {
			res = result{panicked: true, panicVal: p}
		}
		lost = undoSavepoint(c, "rehearsal", &res)
	}()
	return result{err: fn(t)}, nil
}

// undoSavepoint rolls back to savepoint name and releases it. If either
// fails, the batch's transaction is gone (run says why): it returns that,
// and makes it res's error unless res already has one.
func undoSavepoint(c *conn, name string, res *result) (lost error) {
	if _, err := c.exec("ROLLBACK TO " + name); err != nil {
		lost = fmt.Errorf("sqlite: rollback to savepoint: %w", err)
	} else if _, err := c.exec("RELEASE " + name); err != nil {
		lost = fmt.Errorf("sqlite: release savepoint: %w", err)
	}
	if lost != nil && res.err == nil && !res.panicked {
		res.err = lost
	}
	return lost
}
