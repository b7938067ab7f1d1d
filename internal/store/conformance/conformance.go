// Package conformance is the test suite every store backend must pass, in the
// manner of Dex's storage/conformance. A backend's test calls Run with a
// function that makes a fresh, empty store:
//
//	func TestConformance(t *testing.T) {
//		conformance.Run(t, func(t *testing.T) store.Store { return open(t) })
//	}
//
// The suite only uses the store.Store interface, so the same checks hold for
// SQLite, PostgreSQL and whatever comes next. It uses the IDs, times and
// orderings a backend must reproduce exactly: IDs compare byte-wise (a SQL
// backend needs a binary collation) and times keep microsecond precision.
package conformance

import (
	"context"
	"testing"

	"github.com/cognitod/cognitod/internal/store"
)

// QueryCounter is implemented by backends that count the statements they
// send to their database. The suite then checks that ListIdentities costs the
// same few queries whatever the page size, i.e. that it does not fetch each
// identity's logins with a query of its own (N+1).
type QueryCounter interface {
	// QueryCount returns how many statements the store has run so far.
	QueryCount() int64
}

type test struct {
	name string
	fn   func(t *testing.T, s store.Store)
}

// Run runs the suite. newStore must return a new, empty store each call; Run
// closes it when the subtest ends.
func Run(t *testing.T, newStore func(t *testing.T) store.Store) {
	var tests []test
	tests = append(tests, poolTests...)
	tests = append(tests, identityTests...)
	tests = append(tests, loginTests...)
	tests = append(tests, keyTests...)
	tests = append(tests, txTests...)
	tests = append(tests, syncTests...)
	tests = append(tests, concurrencyTests...)
	tests = append(tests, counterTests...)
	tests = append(tests, dumpTests...)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if r := recover(); r != nil {
					if _, ok := r.(abort); ok {
						t.FailNow()
					}
					panic(r)
				}
			}()
			s := newStore(t)
			// A store the test closed itself may answer ErrClosed here.
			t.Cleanup(func() { s.Close() })
			tc.fn(t, s)
		})
	}
}

// abort is what failf panics with. A check that fails inside an Update or
// View closure, which a backend may run on a goroutine of its own (the SQLite
// writer does), must not call t.FailNow there; the panic instead unwinds the
// closure, the backend re-panics it in the caller, and Run turns it into
// FailNow on the test goroutine. Backends must therefore re-panic a
// closure's panic value in the caller of Update or View, unchanged.
type abort struct{}

// failf reports a failure and ends the test, from the test goroutine or from
// inside a closure. Goroutines a test starts itself must report errors
// instead.
func failf(t testing.TB, format string, args ...any) {
	t.Helper()
	t.Errorf(format, args...)
	panic(abort{})
}

// update runs fn in an Update and fails the test if it returns an error.
func update(t testing.TB, s store.Store, fn func(store.Tx) error) {
	t.Helper()
	if err := s.Update(context.Background(), fn); err != nil {
		failf(t, "Update: %v", err)
	}
}

// view runs fn in a View and fails the test if it returns an error.
func view(t testing.TB, s store.Store, fn func(store.Tx) error) {
	t.Helper()
	if err := s.View(context.Background(), fn); err != nil {
		failf(t, "View: %v", err)
	}
}
