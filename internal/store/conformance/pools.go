package conformance

import (
	"sort"
	"testing"

	"github.com/cognitod/cognitod/internal/store"
)

var poolTests = []test{
	{"PoolCRUD", testPoolCRUD},
	{"PoolDeleteCascades", testPoolDeleteCascades},
	{"ListPools", testListPools},
}

func testPoolCRUD(t *testing.T, s store.Store) {
	p := newPool(account, region, 1)
	mustCreatePool(t, s, p)

	view(t, s, func(tx store.Tx) error {
		got, err := tx.GetPool(p.ID)
		noErr(t, "GetPool", err)
		samePool(t, got, p)
		_, err = tx.GetPool(poolID(region, 2))
		wantErr(t, "GetPool(missing)", err, store.ErrNotFound)
		return nil
	})

	update(t, s, func(tx store.Tx) error {
		dup := newPool(account, region, 1)
		dup.Name = "other"
		wantErr(t, "CreatePool(duplicate)", tx.CreatePool(dup), store.ErrExists)
		wantErr(t, "UpdatePool(missing)", tx.UpdatePool(newPool(account, region, 2)), store.ErrNotFound)
		wantErr(t, "DeletePool(missing)", tx.DeletePool(poolID(region, 2)), store.ErrNotFound)
		return nil
	})
	view(t, s, func(tx store.Tx) error {
		got, err := tx.GetPool(p.ID)
		noErr(t, "GetPool after duplicate", err)
		samePool(t, got, p) // the duplicate changed nothing
		return nil
	})

	changed := *p
	changed.Name = "renamed"
	changed.UpdatedAt = at(100)
	changed.Config = []byte(`{"allowUnauth":false}`)
	update(t, s, func(tx store.Tx) error { return tx.UpdatePool(&changed) })
	view(t, s, func(tx store.Tx) error {
		got, err := tx.GetPool(p.ID)
		noErr(t, "GetPool after update", err)
		samePool(t, got, &changed)
		return nil
	})

	// An empty config round-trips as empty.
	empty := newPool(account, region, 3)
	empty.Config = nil
	mustCreatePool(t, s, empty)
	view(t, s, func(tx store.Tx) error {
		got, err := tx.GetPool(empty.ID)
		noErr(t, "GetPool(empty config)", err)
		samePool(t, got, empty)
		return nil
	})

	update(t, s, func(tx store.Tx) error { return tx.DeletePool(p.ID) })
	view(t, s, func(tx store.Tx) error {
		_, err := tx.GetPool(p.ID)
		wantErr(t, "GetPool after delete", err, store.ErrNotFound)
		return nil
	})
	// The ID is free again.
	mustCreatePool(t, s, p)
}

func testPoolDeleteCascades(t *testing.T, s store.Store) {
	a, b := newPool(account, region, 1), newPool(account, region, 2)
	mustCreatePool(t, s, a, b)
	// Identities of both pools, interleaved in ID order, with logins under
	// the same provider and subjects.
	for n := 0; n < 10; n++ {
		p := a
		if n%2 == 1 {
			p = b
		}
		i := newIdentity(p.ID, n)
		i.Logins = []*store.Login{
			newLogin(p.ID, "graph.facebook.com", "fb"+string(rune('a'+n/2)), i.ID),
			newLogin(p.ID, "dev.example.com", "dev"+string(rune('a'+n/2)), i.ID),
		}
		mustCreateIdentity(t, s, i)
	}
	update(t, s, func(tx store.Tx) error {
		noErr(t, "RecordCredentials", tx.RecordCredentials(&store.Credentials{
			AccessKeyID: "ASIAPOOLCASCADE00001", IdentityID: identityID(0), PoolID: a.ID,
			RoleARN: "arn:aws:iam::123456789012:role/r", IssuedAt: at(1), Expiration: at(3600),
		}))
		return tx.DeletePool(a.ID)
	})

	view(t, s, func(tx store.Tx) error {
		for n := 0; n < 10; n++ {
			_, err := tx.GetIdentity(identityID(n))
			if n%2 == 0 {
				wantErr(t, "GetIdentity of deleted pool", err, store.ErrNotFound)
				_, err = tx.FindLogin(a.ID, "graph.facebook.com", "fb"+string(rune('a'+n/2)))
				wantErr(t, "FindLogin of deleted pool", err, store.ErrNotFound)
				ls, err := tx.ListLogins(identityID(n), "", "", 0)
				noErr(t, "ListLogins of deleted identity", err)
				if len(ls) != 0 {
					failf(t, "ListLogins of deleted identity: %s", showLogins(ls))
				}
			} else {
				noErr(t, "GetIdentity of other pool", err)
				l, err := tx.FindLogin(b.ID, "graph.facebook.com", "fb"+string(rune('a'+n/2)))
				noErr(t, "FindLogin of other pool", err)
				if l.IdentityID != identityID(n) {
					failf(t, "FindLogin of other pool: identity %s, want %s", l.IdentityID, identityID(n))
				}
			}
		}
		is, err := tx.ListIdentities(a.ID, "", 0, false)
		noErr(t, "ListIdentities of deleted pool", err)
		if len(is) != 0 {
			failf(t, "ListIdentities of deleted pool: %q", ids(is))
		}
		is, err = tx.ListIdentities(b.ID, "", 0, false)
		noErr(t, "ListIdentities of other pool", err)
		if len(is) != 5 {
			failf(t, "ListIdentities of other pool: %q", ids(is))
		}
		return nil
	})

	// Recreating the pool finds nothing left over, and its identity IDs and
	// logins (and credentials) can be used again.
	mustCreatePool(t, s, a)
	i := newIdentity(a.ID, 0)
	i.Logins = []*store.Login{newLogin(a.ID, "graph.facebook.com", "fba", i.ID)}
	mustCreateIdentity(t, s, i)
	update(t, s, func(tx store.Tx) error {
		return tx.RecordCredentials(&store.Credentials{
			AccessKeyID: "ASIAPOOLCASCADE00001", IdentityID: i.ID, PoolID: a.ID,
			RoleARN: "arn:aws:iam::123456789012:role/r", IssuedAt: at(2), Expiration: at(3600),
		})
	})
	view(t, s, func(tx store.Tx) error {
		is, err := tx.ListIdentities(a.ID, "", 0, false)
		noErr(t, "ListIdentities of recreated pool", err)
		if len(is) != 1 {
			failf(t, "ListIdentities of recreated pool: %q", ids(is))
		}
		sameIdentity(t, is[0], i)
		return nil
	})
}

func testListPools(t *testing.T, s store.Store) {
	var want []string
	var all []*store.Pool
	// Pools of the account in the region, and decoys in another account and
	// another region, created out of ID order.
	for _, n := range []int{17, 3, 11, 0, 25, 8, 14, 1, 22, 6, 19, 9, 4, 12, 24, 2, 15, 7, 20, 10, 5, 13, 23, 16, 18, 21} {
		switch n % 3 {
		case 0:
			all = append(all, newPool("210987654321", region, n))
		case 1:
			all = append(all, newPool(account, "eu-west-1", n))
		}
		p := newPool(account, region, 100+n)
		all = append(all, p)
		want = append(want, p.ID)
	}
	mustCreatePool(t, s, all...)
	sort.Strings(want)

	view(t, s, func(tx store.Tx) error {
		for _, limit := range []int{1, 7, 26, 100} {
			var got []string
			after := ""
			for pages := 0; ; pages++ {
				if pages > len(want)+1 {
					failf(t, "ListPools(limit %d) does not end", limit)
				}
				ps, err := tx.ListPools(account, region, after, limit)
				noErr(t, "ListPools", err)
				if len(ps) > limit {
					failf(t, "ListPools(limit %d) returned %d", limit, len(ps))
				}
				for _, p := range ps {
					if p.Account != account || p.Region != region {
						failf(t, "ListPools(%s, %s) returned %s", account, region, showPool(p))
					}
				}
				got = append(got, ids(ps)...)
				if len(ps) < limit {
					break
				}
				after = ps[len(ps)-1].ID
			}
			sameStrings(t, "ListPools pages", got, want)
		}

		// Full records come back.
		ps, err := tx.ListPools(account, region, "", 1)
		noErr(t, "ListPools", err)
		samePool(t, ps[0], newPool(account, region, 100))

		// after is exclusive and need not exist.
		ps, err = tx.ListPools(account, region, want[4], 3)
		noErr(t, "ListPools(after)", err)
		sameStrings(t, "ListPools(after)", ids(ps), want[5:8])
		ps, err = tx.ListPools(account, region, want[4]+"0", 3)
		noErr(t, "ListPools(after a missing ID)", err)
		sameStrings(t, "ListPools(after a missing ID)", ids(ps), want[5:8])
		ps, err = tx.ListPools(account, region, want[len(want)-1], 3)
		noErr(t, "ListPools(after last)", err)
		sameStrings(t, "ListPools(after last)", ids(ps), nil)
		// limit <= 0 means every pool.
		ps, err = tx.ListPools(account, region, "", 0)
		noErr(t, "ListPools(no limit)", err)
		sameStrings(t, "ListPools(no limit)", ids(ps), want)

		// Other accounts and regions see only their own.
		ps, err = tx.ListPools("210987654321", region, "", 0)
		noErr(t, "ListPools(other account)", err)
		if len(ps) != 9 {
			failf(t, "ListPools(other account): %q", ids(ps))
		}
		ps, err = tx.ListPools(account, "ap-south-1", "", 0)
		noErr(t, "ListPools(empty region)", err)
		sameStrings(t, "ListPools(empty region)", ids(ps), nil)

		for _, c := range []struct {
			account, region string
			want            int
		}{{account, region, 26}, {"210987654321", region, 9}, {account, "eu-west-1", 9}, {account, "ap-south-1", 0}, {"999999999999", region, 0}} {
			n, err := tx.CountPools(c.account, c.region)
			noErr(t, "CountPools", err)
			if n != c.want {
				failf(t, "CountPools(%s, %s) = %d, want %d", c.account, c.region, n, c.want)
			}
		}
		return nil
	})
}
