package conformance

import (
	"fmt"
	"math/rand"
	"testing"

	"github.com/cognitod/cognitod/internal/store"
)

var identityTests = []test{
	{"IdentityCRUD", testIdentityCRUD},
	{"IdentityDeleteCascades", testIdentityDeleteCascades},
	{"ListIdentities", testListIdentities},
	{"ListIdentitiesNoNPlusOne", testListIdentitiesQueries},
	{"ListPoolIdentities", testListPoolIdentities},
	{"PeekPoolIdentity", testPeekPoolIdentity},
}

// testPeekPoolIdentity: the pool's owner and the identity, whichever pool
// the identity is in; nil owner for a missing pool, nil identity for a
// missing identity; a disabled identity as it is.
func testPeekPoolIdentity(t *testing.T, s store.Store) {
	p, other := newPool(account, region, 1), newPool("999988887777", "eu-west-1", 2)
	mustCreatePool(t, s, p, other)
	mine, theirs := newIdentity(p.ID, 1), newIdentity(other.ID, 2)
	mine.Disabled = true
	mine.Logins = []*store.Login{newLogin(p.ID, "graph.facebook.com", "fb", mine.ID)}
	mustCreateIdentity(t, s, mine)
	mustCreateIdentity(t, s, theirs)
	view(t, s, func(tx store.Tx) error {
		for _, c := range []struct {
			pool, id string
			owner    *store.Pool
			want     *store.Identity
		}{
			{p.ID, mine.ID, p, mine},
			{p.ID, theirs.ID, p, theirs}, // the caller checks the identity's pool
			{other.ID, theirs.ID, other, theirs},
			{p.ID, identityID(9), p, nil},
			{poolID(region, 9), mine.ID, nil, nil},
		} {
			what := fmt.Sprintf("PeekPoolIdentity(%s, %s)", c.pool, c.id)
			o, i, err := tx.PeekPoolIdentity(c.pool, c.id)
			noErr(t, what, err)
			switch {
			case c.owner == nil && o != nil:
				failf(t, "%s: owner %+v, want none", what, *o)
			case c.owner != nil && (o == nil || o.Account != c.owner.Account || o.Region != c.owner.Region):
				failf(t, "%s: owner %+v, want %s/%s", what, o, c.owner.Account, c.owner.Region)
			case c.want == nil && i != nil:
				failf(t, "%s: identity %s, want none", what, i.ID)
			case c.want != nil && i == nil:
				failf(t, "%s: no identity, want %s", what, c.want.ID)
			case c.want != nil:
				want := *c.want
				want.Logins = nil // as PeekIdentity: without its logins
				sameIdentity(t, i, &want)
				if i.Logins != nil {
					failf(t, "%s: logins %v, want none (a peek)", what, i.Logins)
				}
			}
		}
		return nil
	})
}

// testListPoolIdentities: the page is ListIdentities' page, with the owner
// of the pool; a pool without identities has an empty page and its owner;
// a missing pool is ErrNotFound.
func testListPoolIdentities(t *testing.T, s store.Store) {
	p, other, empty := newPool(account, region, 1), newPool("999988887777", "eu-west-1", 2), newPool(account, region, 3)
	mustCreatePool(t, s, p, other, empty)
	for n := 1; n <= 12; n++ {
		pool := p
		if n%3 == 0 {
			pool = other
		}
		i := newIdentity(pool.ID, n)
		i.Disabled = n%4 == 0
		if n%2 == 0 {
			i.Logins = []*store.Login{newLogin(pool.ID, "graph.facebook.com", fmt.Sprint("fb", n), i.ID)}
		}
		mustCreateIdentity(t, s, i)
	}
	view(t, s, func(tx store.Tx) error {
		for _, pool := range []*store.Pool{p, other, empty} {
			for _, hide := range []bool{false, true} {
				all, err := tx.ListIdentities(pool.ID, "", 0, hide)
				noErr(t, "ListIdentities", err)
				afters := []string{""}
				if len(all) > 0 {
					afters = append(afters, all[0].ID, all[len(all)-1].ID)
				}
				for _, after := range afters {
					for _, limit := range []int{0, 1, 3} {
						what := fmt.Sprintf("ListPoolIdentities(%s, after %q, limit %d, hideDisabled %v)", pool.Name, after, limit, hide)
						want, err := tx.ListIdentities(pool.ID, after, limit, hide)
						noErr(t, "ListIdentities", err)
						got, err := tx.ListPoolIdentities(pool.ID, after, limit, hide)
						noErr(t, what, err)
						if got.Account != pool.Account || got.Region != pool.Region {
							failf(t, "%s: owner %s/%s, want %s/%s", what, got.Account, got.Region, pool.Account, pool.Region)
						}
						sameStrings(t, what, ids(got.Identities), ids(want))
						for k := range want {
							sameIdentity(t, got.Identities[k], want[k])
						}
					}
				}
			}
		}
		_, err := tx.ListPoolIdentities(poolID(region, 9), "", 0, false)
		wantErr(t, "ListPoolIdentities(missing pool)", err, store.ErrNotFound)
		return nil
	})
}

func testIdentityCRUD(t *testing.T, s store.Store) {
	p := newPool(account, region, 1)
	mustCreatePool(t, s, p)
	i := newIdentity(p.ID, 1)
	update(t, s, func(tx store.Tx) error {
		noErr(t, "CreateIdentity", tx.CreateIdentity(i))
		wantErr(t, "CreateIdentity(duplicate)", tx.CreateIdentity(newIdentity(p.ID, 1)), store.ErrExists)
		wantErr(t, "CreateIdentity(missing pool)", tx.CreateIdentity(newIdentity(poolID(region, 9), 2)), store.ErrNotFound)
		return nil
	})
	view(t, s, func(tx store.Tx) error {
		got, err := tx.GetIdentity(i.ID)
		noErr(t, "GetIdentity", err)
		sameIdentity(t, got, i)
		_, err = tx.GetIdentity(identityID(2))
		wantErr(t, "GetIdentity(missing)", err, store.ErrNotFound)
		return nil
	})

	// Logins come back with the identity, ordered by (provider, subject).
	logins := []*store.Login{
		newLogin(p.ID, "accounts.google.com", "g-2", i.ID),
		newLogin(p.ID, "accounts.google.com", "g-1", i.ID),
		newLogin(p.ID, "cognito-identity.amazonaws.com", "dev-1", i.ID),
		newLogin(p.ID, "graph.facebook.com", "fb", i.ID),
	}
	update(t, s, func(tx store.Tx) error {
		for _, l := range logins {
			noErr(t, "AddLogin", tx.AddLogin(l))
		}
		return nil
	})
	i.Logins = []*store.Login{logins[1], logins[0], logins[2], logins[3]}
	view(t, s, func(tx store.Tx) error {
		got, err := tx.GetIdentity(i.ID)
		noErr(t, "GetIdentity with logins", err)
		sameIdentity(t, got, i)
		return nil
	})

	changed := *i
	changed.ModifiedAt = at(500)
	changed.Disabled = true
	update(t, s, func(tx store.Tx) error {
		noErr(t, "UpdateIdentity", tx.UpdateIdentity(&changed))
		wantErr(t, "UpdateIdentity(missing)", tx.UpdateIdentity(newIdentity(p.ID, 2)), store.ErrNotFound)
		return nil
	})
	view(t, s, func(tx store.Tx) error {
		got, err := tx.GetIdentity(i.ID)
		noErr(t, "GetIdentity after update", err)
		sameIdentity(t, got, &changed)
		// PeekIdentity: the same row, its logins left out.
		peeked, err := tx.PeekIdentity(i.ID)
		noErr(t, "PeekIdentity", err)
		bare := changed
		bare.Logins = nil
		sameIdentity(t, peeked, &bare)
		if peeked.Logins != nil {
			t.Errorf("PeekIdentity: %d logins, want none loaded", len(peeked.Logins))
		}
		_, err = tx.PeekIdentity(identityID(2))
		wantErr(t, "PeekIdentity(missing)", err, store.ErrNotFound)
		return nil
	})
	changed.Disabled = false
	changed.ModifiedAt = at(600)
	update(t, s, func(tx store.Tx) error { return tx.UpdateIdentity(&changed) })
	view(t, s, func(tx store.Tx) error {
		got, err := tx.GetIdentity(i.ID)
		noErr(t, "GetIdentity after re-enable", err)
		sameIdentity(t, got, &changed)
		return nil
	})

	update(t, s, func(tx store.Tx) error {
		noErr(t, "DeleteIdentity", tx.DeleteIdentity(i.ID))
		wantErr(t, "DeleteIdentity(again)", tx.DeleteIdentity(i.ID), store.ErrNotFound)
		return nil
	})
	view(t, s, func(tx store.Tx) error {
		_, err := tx.GetIdentity(i.ID)
		wantErr(t, "GetIdentity after delete", err, store.ErrNotFound)
		return nil
	})
}

func testIdentityDeleteCascades(t *testing.T, s store.Store) {
	p := newPool(account, region, 1)
	mustCreatePool(t, s, p)
	gone, kept := newIdentity(p.ID, 1), newIdentity(p.ID, 2)
	gone.Logins = []*store.Login{newLogin(p.ID, "graph.facebook.com", "a", gone.ID), newLogin(p.ID, "dev", "b", gone.ID)}
	kept.Logins = []*store.Login{newLogin(p.ID, "graph.facebook.com", "c", kept.ID)}
	mustCreateIdentity(t, s, gone)
	mustCreateIdentity(t, s, kept)
	creds := &store.Credentials{AccessKeyID: "ASIAIDCASCADE0000001", IdentityID: gone.ID, PoolID: p.ID,
		RoleARN: "arn:aws:iam::123456789012:role/r", IssuedAt: at(1), Expiration: at(3600)}
	update(t, s, func(tx store.Tx) error {
		noErr(t, "RecordCredentials", tx.RecordCredentials(creds))
		return tx.DeleteIdentity(gone.ID)
	})
	view(t, s, func(tx store.Tx) error {
		for _, l := range gone.Logins {
			_, err := tx.FindLogin(l.PoolID, l.Provider, l.Subject)
			wantErr(t, "FindLogin of deleted identity", err, store.ErrNotFound)
		}
		ls, err := tx.ListLogins(gone.ID, "", "", 0)
		noErr(t, "ListLogins of deleted identity", err)
		sameLogins(t, "ListLogins of deleted identity", ls, nil)
		got, err := tx.GetIdentity(kept.ID)
		noErr(t, "GetIdentity(kept)", err)
		sameIdentity(t, got, kept)
		return nil
	})
	// The deleted identity's logins and credentials are free for others.
	update(t, s, func(tx store.Tx) error {
		noErr(t, "AddLogin(freed)", tx.AddLogin(newLogin(p.ID, "graph.facebook.com", "a", kept.ID)))
		c := *creds
		c.IdentityID = kept.ID
		noErr(t, "RecordCredentials(freed key)", tx.RecordCredentials(&c))
		return nil
	})
}

// testListIdentities pages through a pool whose identities interleave with
// another pool's, with and without the disabled ones, and checks every page
// carries each identity's logins.
func testListIdentities(t *testing.T, s store.Store) {
	p, other := newPool(account, region, 1), newPool(account, region, 2)
	mustCreatePool(t, s, p, other)
	rnd := rand.New(rand.NewSource(1))
	var all []*store.Identity // of p, in ID order
	order := rnd.Perm(150)
	byN := map[int]*store.Identity{}
	for _, n := range order {
		pool := p
		if n%3 == 2 {
			pool = other
		}
		i := newIdentity(pool.ID, n)
		i.Disabled = n%5 == 1
		for k := 0; k < n%4; k++ { // 0 to 3 logins
			i.Logins = append(i.Logins, newLogin(pool.ID, fmt.Sprintf("provider-%d", k), fmt.Sprintf("subject-%03d", n), i.ID))
		}
		byN[n] = i
	}
	// Create in random order, many per Update.
	update(t, s, func(tx store.Tx) error {
		for _, n := range order {
			i := byN[n]
			noErr(t, "CreateIdentity", tx.CreateIdentity(i))
			for _, l := range i.Logins {
				noErr(t, "AddLogin", tx.AddLogin(l))
			}
		}
		return nil
	})
	for n := 0; n < 150; n++ {
		if byN[n].PoolID == p.ID {
			all = append(all, byN[n])
		}
	}

	view(t, s, func(tx store.Tx) error {
		for _, hide := range []bool{false, true} {
			var want []*store.Identity
			for _, i := range all {
				if !hide || !i.Disabled {
					want = append(want, i)
				}
			}
			for _, limit := range []int{1, 7, 60, len(want), 1000} {
				var got []*store.Identity
				after := ""
				for pages := 0; ; pages++ {
					if pages > len(want)+1 {
						failf(t, "ListIdentities(limit %d) does not end", limit)
					}
					is, err := tx.ListIdentities(p.ID, after, limit, hide)
					noErr(t, "ListIdentities", err)
					if len(is) > limit {
						failf(t, "ListIdentities(limit %d) returned %d", limit, len(is))
					}
					got = append(got, is...)
					if len(is) < limit {
						break
					}
					after = is[len(is)-1].ID
				}
				what := fmt.Sprintf("ListIdentities(limit %d, hideDisabled %v)", limit, hide)
				sameStrings(t, what, ids(got), ids(want))
				for k := range want {
					sameIdentity(t, got[k], want[k])
				}
			}
			// limit <= 0 means all.
			is, err := tx.ListIdentities(p.ID, "", 0, hide)
			noErr(t, "ListIdentities(no limit)", err)
			sameStrings(t, "ListIdentities(no limit)", ids(is), ids(want))
			// after is exclusive and need not be an identity of the pool.
			is, err = tx.ListIdentities(p.ID, want[9].ID, 5, hide)
			noErr(t, "ListIdentities(after)", err)
			sameStrings(t, "ListIdentities(after)", ids(is), ids(want[10:15]))
			is, err = tx.ListIdentities(p.ID, identityID(2), 3, hide) // an identity of the other pool
			noErr(t, "ListIdentities(after other pool's)", err)
			k := 0
			for want[k].ID < identityID(2) {
				k++
			}
			sameStrings(t, "ListIdentities(after other pool's)", ids(is), ids(want[k:k+3]))
			is, err = tx.ListIdentities(p.ID, want[len(want)-1].ID, 3, hide)
			noErr(t, "ListIdentities(after last)", err)
			sameStrings(t, "ListIdentities(after last)", ids(is), nil)
		}
		is, err := tx.ListIdentities(poolID(region, 9), "", 10, false)
		noErr(t, "ListIdentities(missing pool)", err)
		sameStrings(t, "ListIdentities(missing pool)", ids(is), nil)
		return nil
	})
}

// testListIdentitiesQueries checks, on backends that count queries, that a
// page of 50 identities with logins costs no more queries than a page of 1.
func testListIdentitiesQueries(t *testing.T, s store.Store) {
	qc, ok := s.(QueryCounter)
	if !ok {
		t.Skip("store does not count queries")
	}
	p := newPool(account, region, 1)
	mustCreatePool(t, s, p)
	update(t, s, func(tx store.Tx) error {
		for n := 0; n < 50; n++ {
			i := newIdentity(p.ID, n)
			noErr(t, "CreateIdentity", tx.CreateIdentity(i))
			for k := 0; k < 2; k++ {
				noErr(t, "AddLogin", tx.AddLogin(newLogin(p.ID, fmt.Sprint("p", k), fmt.Sprint("s", n), i.ID)))
			}
		}
		return nil
	})
	cost := func(limit int) int64 {
		var n int64
		view(t, s, func(tx store.Tx) error {
			before := qc.QueryCount()
			is, err := tx.ListIdentities(p.ID, "", limit, false)
			n = qc.QueryCount() - before
			noErr(t, "ListIdentities", err)
			if len(is) != limit || len(is[0].Logins) != 2 {
				failf(t, "ListIdentities(%d): %d identities", limit, len(is))
			}
			return nil
		})
		return n
	}
	one, fifty := cost(1), cost(50)
	if fifty > one || fifty > 2 {
		failf(t, "ListIdentities ran %d queries for 1 identity and %d for 50: want at most 2 whatever the page size", one, fifty)
	}
}
