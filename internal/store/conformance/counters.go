package conformance

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/cognitod/cognitod/internal/store"
)

var counterTests = []test{
	{"IdentityCounts", testIdentityCounts},
	{"IdentityCountsConcurrent", testIdentityCountsConcurrent},
}

// counts reads IdentityCounts in a View as a map keyed "account/region".
func counts(t testing.TB, s store.Store) map[string]store.IdentityCount {
	t.Helper()
	var got []store.IdentityCount
	view(t, s, func(tx store.Tx) error {
		var err error
		got, err = tx.IdentityCounts()
		return err
	})
	if !slices.IsSortedFunc(got, func(a, b store.IdentityCount) int {
		if a.Account != b.Account {
			return cmpStr(a.Account, b.Account)
		}
		return cmpStr(a.Region, b.Region)
	}) {
		failf(t, "IdentityCounts not ordered by account, region: %+v", got)
	}
	m := map[string]store.IdentityCount{}
	for _, c := range got {
		m[c.Account+"/"+c.Region] = c
	}
	return m
}

func cmpStr(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// wantCounts compares IdentityCounts with want, given as
// "account/region" -> {pools, identities}.
func wantCounts(t testing.TB, s store.Store, step string, want map[string][2]int64) {
	t.Helper()
	got := counts(t, s)
	if len(got) != len(want) {
		failf(t, "%s: IdentityCounts has %d entries %+v, want %d %v", step, len(got), got, len(want), want)
	}
	for k, w := range want {
		g, ok := got[k]
		if !ok || g.Pools != w[0] || g.Identities != w[1] || g.Account+"/"+g.Region != k {
			failf(t, "%s: IdentityCounts[%s] = %+v, want pools %d identities %d", step, k, g, w[0], w[1])
		}
	}
}

// testIdentityCounts walks one store through every change that moves the
// counts (and some that must not), checking them after each.
func testIdentityCounts(t *testing.T, s store.Store) {
	const other = "210987654321"
	a1, a2 := newPool(account, region, 1), newPool(account, region, 2)
	eu := newPool(account, "eu-west-1", 3)
	b1 := newPool(other, region, 4)
	n := 100 // identity numbers handed out so far
	// create numbers its identities when the step is declared, not inside
	// the closure: a backend may run a closure more than once (PostgreSQL
	// retries), so the closure must have no side effects of its own.
	create := func(pool string, k int) func(tx store.Tx) error {
		first := n + 1
		n += k
		return func(tx store.Tx) error {
			for i := 0; i < k; i++ {
				if err := tx.CreateIdentity(newIdentity(pool, first+i)); err != nil {
					return err
				}
			}
			return nil
		}
	}
	// Numbered here, once: 101-140 in a1, 141-143 in a2, 144 in eu.
	firstCreations := []func(store.Tx) error{create(a1.ID, 40), create(a2.ID, 3), create(eu.ID, 1)}
	laterCreation := create(b1.ID, 5)
	errRollback := errors.New("rolled back")
	steps := []struct {
		name string
		fn   func(tx store.Tx) error
		err  error // the Update's expected error
		want map[string][2]int64
	}{
		{"empty store", nil, nil, map[string][2]int64{}},
		{"pools without identities", func(tx store.Tx) error {
			for _, p := range []*store.Pool{a1, a2, eu, b1} {
				if err := tx.CreatePool(p); err != nil {
					return err
				}
			}
			return nil
		}, nil, map[string][2]int64{
			account + "/" + region: {2, 0}, account + "/eu-west-1": {1, 0}, other + "/" + region: {1, 0}}},
		{"create", func(tx store.Tx) error {
			for _, f := range firstCreations {
				if err := f(tx); err != nil {
					return err
				}
			}
			return nil
		}, nil, map[string][2]int64{
			account + "/" + region: {2, 43}, account + "/eu-west-1": {1, 1}, other + "/" + region: {1, 0}}},
		{"duplicate and orphan creations count nothing", func(tx store.Tx) error {
			wantErr(t, "CreateIdentity(duplicate)", tx.CreateIdentity(newIdentity(a1.ID, 101)), store.ErrExists)
			wantErr(t, "CreateIdentity(missing pool)", tx.CreateIdentity(newIdentity(poolID(region, 99), 999)), store.ErrNotFound)
			return nil
		}, nil, map[string][2]int64{
			account + "/" + region: {2, 43}, account + "/eu-west-1": {1, 1}, other + "/" + region: {1, 0}}},
		{"a rolled back creation counts nothing", func(tx store.Tx) error {
			if err := laterCreation(tx); err != nil {
				return err
			}
			return errRollback
		}, errRollback, map[string][2]int64{
			account + "/" + region: {2, 43}, account + "/eu-west-1": {1, 1}, other + "/" + region: {1, 0}}},
		{"delete", func(tx store.Tx) error {
			for _, k := range []int{101, 102, 141} { // two of a1, one of a2
				if err := tx.DeleteIdentity(identityID(k)); err != nil {
					return err
				}
			}
			wantErr(t, "DeleteIdentity(again)", tx.DeleteIdentity(identityID(101)), store.ErrNotFound)
			return nil
		}, nil, map[string][2]int64{
			account + "/" + region: {2, 40}, account + "/eu-west-1": {1, 1}, other + "/" + region: {1, 0}}},
		{"merge: the absorbed identity stays, disabled, and is counted", func(tx store.Tx) error {
			from, to := identityID(110), identityID(111)
			if err := tx.AddLogin(newLogin(a1.ID, "accounts.google.com", "merge-me", from)); err != nil {
				return err
			}
			if err := tx.MoveLogins(from, to); err != nil {
				return err
			}
			i, err := tx.GetIdentity(from)
			if err != nil {
				return err
			}
			i.Disabled = true
			return tx.UpdateIdentity(i)
		}, nil, map[string][2]int64{
			account + "/" + region: {2, 40}, account + "/eu-west-1": {1, 1}, other + "/" + region: {1, 0}}},
		{"merge then delete the absorbed identity", func(tx store.Tx) error {
			return tx.DeleteIdentity(identityID(110))
		}, nil, map[string][2]int64{
			account + "/" + region: {2, 39}, account + "/eu-west-1": {1, 1}, other + "/" + region: {1, 0}}},
		{"delete pool", func(tx store.Tx) error {
			return tx.DeletePool(a1.ID)
		}, nil, map[string][2]int64{
			account + "/" + region: {1, 2}, account + "/eu-west-1": {1, 1}, other + "/" + region: {1, 0}}},
		{"a pool recreated with its old ID starts from zero", func(tx store.Tx) error {
			if err := tx.CreatePool(a1); err != nil {
				return err
			}
			return create(a1.ID, 2)(tx)
		}, nil, map[string][2]int64{
			account + "/" + region: {2, 4}, account + "/eu-west-1": {1, 1}, other + "/" + region: {1, 0}}},
		{"delete every identity and pool", func(tx store.Tx) error {
			for _, p := range []*store.Pool{a1, a2, eu, b1} {
				if err := tx.DeletePool(p.ID); err != nil {
					return err
				}
			}
			return nil
		}, nil, map[string][2]int64{}},
	}
	for _, st := range steps {
		if st.fn != nil {
			err := s.Update(context.Background(), st.fn)
			if !errors.Is(err, st.err) {
				failf(t, "%s: Update: got %v, want %v", st.name, err, st.err)
			}
		}
		wantCounts(t, s, st.name, st.want)
	}

	// DeleteIdentity one by one takes a pool back to zero whichever
	// shards its identities landed in.
	mustCreatePool(t, s, a2)
	update(t, s, create(a2.ID, 30))
	update(t, s, func(tx store.Tx) error {
		is, err := tx.ListIdentities(a2.ID, "", 0, false)
		if err != nil {
			return err
		}
		for _, i := range is {
			if err := tx.DeleteIdentity(i.ID); err != nil {
				return err
			}
		}
		return nil
	})
	wantCounts(t, s, "every identity deleted", map[string][2]int64{account + "/" + region: {1, 0}})
}

// testIdentityCountsConcurrent creates identities in one pool from
// concurrent Updates (on PostgreSQL they conflict on counter shards and
// are retried): the count is exact.
func testIdentityCountsConcurrent(t *testing.T, s store.Store) {
	p := newPool(account, region, 1)
	mustCreatePool(t, s, p)
	const workers, each = 6, 15
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; k < each; k++ {
				i := newIdentity(p.ID, 1000+w*each+k)
				if err := s.Update(context.Background(), func(tx store.Tx) error { return tx.CreateIdentity(i) }); err != nil {
					errs <- fmt.Errorf("CreateIdentity %s: %w", i.ID, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		failf(t, "%v", err)
	}
	wantCounts(t, s, "concurrent creations", map[string][2]int64{account + "/" + region: {1, workers * each}})
}

// BackfillSeed is what RunBackfill asks a backend to write into a database
// at the schema version before its identity counters: pools and
// identities as an older cognitod stored them.
type BackfillSeed struct {
	Pools      []*store.Pool
	Identities []*store.Identity
}

// RunBackfill checks the migration that introduces the identity counters:
// open must write seed into a new database at the schema before the
// counters (with the backend's own SQL, as the cognitod of that version
// would have), then open it with the current code, which migrates it, and
// return that store. The counts must then be those of the seed, and stay
// right as identities are created and deleted afterwards.
func RunBackfill(t *testing.T, open func(t *testing.T, seed BackfillSeed) store.Store) {
	const other = "210987654321"
	a1, a2, b1 := newPool(account, region, 1), newPool(account, region, 2), newPool(other, "eu-west-1", 3)
	empty := newPool(other, region, 4)
	seed := BackfillSeed{Pools: []*store.Pool{a1, a2, b1, empty}}
	for k := 0; k < 25; k++ {
		seed.Identities = append(seed.Identities, newIdentity(a1.ID, k))
	}
	for k := 25; k < 28; k++ {
		seed.Identities = append(seed.Identities, newIdentity(b1.ID, k))
	}
	s := open(t, seed)
	defer s.Close()
	wantCounts(t, s, "after the migration", map[string][2]int64{
		account + "/" + region: {2, 25}, other + "/eu-west-1": {1, 3}, other + "/" + region: {1, 0}})

	// Backfilled identities sit in shard 0 of their pool; deleting them
	// uncounts them from shards of their own.
	update(t, s, func(tx store.Tx) error {
		for k := 0; k < 25; k += 2 {
			if err := tx.DeleteIdentity(identityID(k)); err != nil {
				return err
			}
		}
		for k := 100; k < 105; k++ {
			if err := tx.CreateIdentity(newIdentity(a2.ID, k)); err != nil {
				return err
			}
		}
		return tx.DeletePool(b1.ID)
	})
	wantCounts(t, s, "after deletions and creations", map[string][2]int64{
		account + "/" + region: {2, 12 + 5}, other + "/" + region: {1, 0}})
}
