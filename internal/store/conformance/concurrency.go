package conformance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/cognitod/cognitod/internal/store"
)

var concurrencyTests = []test{
	{"ConcurrentAddLoginOneWins", testRaceAddLogin},
	{"ConcurrentCounter", testConcurrentCounter},
	{"ConcurrentMixedOutcomes", testMixedOutcomes},
	{"ReadsDuringWrites", testReadsDuringWrites},
}

// parallel runs fn(0..n-1) on n goroutines released together, and returns
// their errors by index.
func parallel(n int, fn func(k int) error) []error {
	errs := make([]error, n)
	var start, done sync.WaitGroup
	start.Add(1)
	for k := 0; k < n; k++ {
		done.Add(1)
		go func() {
			defer done.Done()
			start.Wait()
			errs[k] = fn(k)
		}()
	}
	start.Done()
	done.Wait()
	return errs
}

// testRaceAddLogin is GetId's race: 50 callers with the same new login each
// create an identity and claim the login. Exactly one must win; the losers'
// identities must vanish with their Updates.
func testRaceAddLogin(t *testing.T, s store.Store) {
	p := newPool(account, region, 1)
	mustCreatePool(t, s, p)
	const n = 50
	errs := parallel(n, func(k int) error {
		return s.Update(context.Background(), func(tx store.Tx) error {
			i := newIdentity(p.ID, k)
			if err := tx.CreateIdentity(i); err != nil {
				return err
			}
			return tx.AddLogin(newLogin(p.ID, "graph.facebook.com", "same-user", i.ID))
		})
	})
	winner := -1
	for k, err := range errs {
		switch {
		case err == nil && winner >= 0:
			failf(t, "goroutines %d and %d both added the login", winner, k)
		case err == nil:
			winner = k
		case !errors.Is(err, store.ErrExists):
			failf(t, "goroutine %d: %v, want ErrExists", k, err)
		}
	}
	if winner < 0 {
		failf(t, "no goroutine added the login")
	}
	view(t, s, func(tx store.Tx) error {
		l, err := tx.FindLogin(p.ID, "graph.facebook.com", "same-user")
		noErr(t, "FindLogin", err)
		if l.IdentityID != identityID(winner) {
			failf(t, "login belongs to %s, want the winner %s", l.IdentityID, identityID(winner))
		}
		is, err := tx.ListIdentities(p.ID, "", 0, false)
		noErr(t, "ListIdentities", err)
		sameStrings(t, "identities after the race", ids(is), []string{identityID(winner)})
		if len(is[0].Logins) != 1 {
			failf(t, "winner has %d logins", len(is[0].Logins))
		}
		return nil
	})
}

type counters struct {
	Balance int `json:"balance"`
	N       int `json:"n"` // identities created in the pool
}

func readCounters(tx store.Tx, id string) (*store.Pool, counters, error) {
	var c counters
	p, err := tx.GetPool(id)
	if err != nil {
		return nil, c, err
	}
	err = json.Unmarshal(p.Config, &c)
	return p, c, err
}

func writeCounters(tx store.Tx, p *store.Pool, c counters) error {
	p.Config, _ = json.Marshal(c)
	return tx.UpdatePool(p)
}

// testConcurrentCounter checks Updates are serializable: read-modify-write
// increments from many goroutines are never lost, and each one's identity
// and login land with it.
func testConcurrentCounter(t *testing.T, s store.Store) {
	p := newPool(account, region, 1)
	p.Config = []byte(`{}`)
	mustCreatePool(t, s, p)
	const workers, each = 20, 25
	errs := parallel(workers, func(w int) error {
		for k := 0; k < each; k++ {
			err := s.Update(context.Background(), func(tx store.Tx) error {
				p, c, err := readCounters(tx, p.ID)
				if err != nil {
					return err
				}
				i := newIdentity(p.ID, c.N)
				if err := tx.CreateIdentity(i); err != nil {
					return err
				}
				if err := tx.AddLogin(newLogin(p.ID, "dev", fmt.Sprint(c.N), i.ID)); err != nil {
					return err
				}
				c.N++
				return writeCounters(tx, p, c)
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	for w, err := range errs {
		noErr(t, fmt.Sprint("worker ", w), err)
	}
	view(t, s, func(tx store.Tx) error {
		_, c, err := readCounters(tx, p.ID)
		noErr(t, "readCounters", err)
		if c.N != workers*each {
			failf(t, "counter = %d, want %d", c.N, workers*each)
		}
		is, err := tx.ListIdentities(p.ID, "", 0, false)
		noErr(t, "ListIdentities", err)
		if len(is) != workers*each {
			failf(t, "%d identities, want %d", len(is), workers*each)
		}
		for k, i := range is {
			if i.ID != identityID(k) || len(i.Logins) != 1 || i.Logins[0].Subject != fmt.Sprint(k) {
				failf(t, "identity %d: %s with %s", k, i.ID, showLogins(i.Logins))
			}
		}
		return nil
	})
}

// testMixedOutcomes runs failing and succeeding Updates together: a backend
// that commits several closures at once must keep each one's outcome its own.
func testMixedOutcomes(t *testing.T, s store.Store) {
	p := newPool(account, region, 1)
	mustCreatePool(t, s, p)
	const n = 100
	errs := parallel(n, func(k int) error {
		return s.Update(context.Background(), func(tx store.Tx) error {
			i := newIdentity(p.ID, k)
			if err := tx.CreateIdentity(i); err != nil {
				return err
			}
			if err := tx.AddLogin(newLogin(p.ID, "dev", fmt.Sprint(k), i.ID)); err != nil {
				return err
			}
			switch k % 4 {
			case 1: // fails on its own
				return &customErr{k}
			case 3: // fails on a duplicate, after writing
				return tx.CreatePool(newPool(account, region, 1))
			}
			return nil
		})
	})
	var want []string
	for k, err := range errs {
		var ce *customErr
		switch k % 4 {
		case 1:
			if !errors.As(err, &ce) || ce.n != k {
				failf(t, "Update %d returned %v, want its own error", k, err)
			}
		case 3:
			wantErr(t, fmt.Sprint("Update ", k), err, store.ErrExists)
		default:
			noErr(t, fmt.Sprint("Update ", k), err)
			want = append(want, identityID(k))
		}
	}
	view(t, s, func(tx store.Tx) error {
		is, err := tx.ListIdentities(p.ID, "", 0, false)
		noErr(t, "ListIdentities", err)
		sameStrings(t, "identities kept", ids(is), want)
		for k := 0; k < n; k++ {
			_, err := tx.FindLogin(p.ID, "dev", fmt.Sprint(k))
			if k%2 == 0 {
				noErr(t, "FindLogin(kept)", err)
			} else {
				wantErr(t, "FindLogin(rolled back)", err, store.ErrNotFound)
			}
		}
		return nil
	})
}

// testReadsDuringWrites runs Views while Updates commit and checks that each
// View sees one consistent snapshot: a transfer between two pools keeps
// their sum, and a pool's identity count matches its identities.
func testReadsDuringWrites(t *testing.T, s store.Store) {
	a, b := newPool(account, region, 1), newPool(account, region, 2)
	a.Config = []byte(`{"balance":1000}`)
	b.Config = []byte(`{"balance":0}`)
	mustCreatePool(t, s, a, b)
	const writers, each, readers = 8, 40, 4
	var next atomic.Int64
	var stop atomic.Bool
	var reads atomic.Int64
	ctx := context.Background()

	readErrs := make(chan error, readers)
	var rg sync.WaitGroup
	for r := 0; r < readers; r++ {
		rg.Add(1)
		go func() {
			defer rg.Done()
			for !stop.Load() || reads.Load() < readers {
				err := s.View(ctx, func(tx store.Tx) error {
					_, ca, err := readCounters(tx, a.ID)
					if err != nil {
						return err
					}
					_, cb, err := readCounters(tx, b.ID)
					if err != nil {
						return err
					}
					if ca.Balance+cb.Balance != 1000 {
						return fmt.Errorf("balances %d + %d != 1000", ca.Balance, cb.Balance)
					}
					is, err := tx.ListIdentities(a.ID, "", 0, false)
					if err != nil {
						return err
					}
					if len(is) != ca.N {
						return fmt.Errorf("pool counts %d identities, lists %d", ca.N, len(is))
					}
					for _, i := range is {
						if len(i.Logins) != 1 {
							return fmt.Errorf("identity %s has %d logins", i.ID, len(i.Logins))
						}
					}
					return nil
				})
				reads.Add(1)
				if err != nil {
					readErrs <- err
					return
				}
			}
		}()
	}

	errs := parallel(writers, func(w int) error {
		for k := 0; k < each; k++ {
			err := s.Update(ctx, func(tx store.Tx) error {
				pa, ca, err := readCounters(tx, a.ID)
				if err != nil {
					return err
				}
				pb, cb, err := readCounters(tx, b.ID)
				if err != nil {
					return err
				}
				amount := (w + k) % 7
				ca.Balance -= amount
				cb.Balance += amount
				if k%2 == 0 {
					n := int(next.Add(1))
					i := newIdentity(a.ID, n)
					if err := tx.CreateIdentity(i); err != nil {
						return err
					}
					if err := tx.AddLogin(newLogin(a.ID, "dev", fmt.Sprint(n), i.ID)); err != nil {
						return err
					}
					ca.N++
				}
				if err := writeCounters(tx, pa, ca); err != nil {
					return err
				}
				return writeCounters(tx, pb, cb)
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	stop.Store(true)
	rg.Wait()
	close(readErrs)
	for err := range readErrs {
		failf(t, "View during writes: %v", err)
	}
	for w, err := range errs {
		noErr(t, fmt.Sprint("writer ", w), err)
	}
	view(t, s, func(tx store.Tx) error {
		_, ca, err := readCounters(tx, a.ID)
		noErr(t, "readCounters", err)
		if ca.N != writers*each/2 {
			failf(t, "pool counts %d identities, want %d", ca.N, writers*each/2)
		}
		return nil
	})
}
