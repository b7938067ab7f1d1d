package conformance

import (
	"context"
	"errors"
	"testing"

	"github.com/cognitod/cognitod/internal/store"
)

var loginTests = []test{
	{"LoginCRUD", testLoginCRUD},
	{"ListLogins", testListLogins},
	{"MoveLogins", testMoveLogins},
	{"ListedLogins", testListedLogins},
}

func testLoginCRUD(t *testing.T, s store.Store) {
	p, other := newPool(account, region, 1), newPool(account, region, 2)
	mustCreatePool(t, s, p, other)
	a, b, c := newIdentity(p.ID, 1), newIdentity(p.ID, 2), newIdentity(other.ID, 3)
	mustCreateIdentity(t, s, a)
	mustCreateIdentity(t, s, b)
	mustCreateIdentity(t, s, c)

	l := newLogin(p.ID, "graph.facebook.com", "12345", a.ID)
	update(t, s, func(tx store.Tx) error {
		noErr(t, "AddLogin", tx.AddLogin(l))
		// (pool, provider, subject) is unique, whichever identity asks.
		wantErr(t, "AddLogin(same identity)", tx.AddLogin(newLogin(p.ID, "graph.facebook.com", "12345", a.ID)), store.ErrExists)
		wantErr(t, "AddLogin(other identity)", tx.AddLogin(newLogin(p.ID, "graph.facebook.com", "12345", b.ID)), store.ErrExists)
		// The same subject of another provider, or in another pool, is
		// another login.
		noErr(t, "AddLogin(other provider)", tx.AddLogin(newLogin(p.ID, "accounts.google.com", "12345", b.ID)))
		noErr(t, "AddLogin(other pool)", tx.AddLogin(newLogin(other.ID, "graph.facebook.com", "12345", c.ID)))
		wantErr(t, "AddLogin(missing identity)", tx.AddLogin(newLogin(p.ID, "graph.facebook.com", "999", identityID(9))), store.ErrNotFound)
		return nil
	})

	view(t, s, func(tx store.Tx) error {
		got, err := tx.FindLogin(p.ID, "graph.facebook.com", "12345")
		noErr(t, "FindLogin", err)
		sameLogins(t, "FindLogin", []*store.Login{got}, []*store.Login{l})
		got, err = tx.FindLogin(other.ID, "graph.facebook.com", "12345")
		noErr(t, "FindLogin(other pool)", err)
		if got.IdentityID != c.ID {
			failf(t, "FindLogin(other pool) = %s, want %s", got.IdentityID, c.ID)
		}
		for _, k := range [][3]string{
			{p.ID, "graph.facebook.com", "1234"},
			{p.ID, "graph.facebook.co", "12345"},
			{poolID(region, 9), "graph.facebook.com", "12345"},
			{p.ID, "graph.facebook.com", "999"},
		} {
			_, err := tx.FindLogin(k[0], k[1], k[2])
			wantErr(t, "FindLogin(missing)", err, store.ErrNotFound)
		}
		return nil
	})

	update(t, s, func(tx store.Tx) error {
		noErr(t, "RemoveLogin", tx.RemoveLogin(p.ID, "graph.facebook.com", "12345"))
		wantErr(t, "RemoveLogin(again)", tx.RemoveLogin(p.ID, "graph.facebook.com", "12345"), store.ErrNotFound)
		return nil
	})
	view(t, s, func(tx store.Tx) error {
		_, err := tx.FindLogin(p.ID, "graph.facebook.com", "12345")
		wantErr(t, "FindLogin after RemoveLogin", err, store.ErrNotFound)
		_, err = tx.FindLogin(other.ID, "graph.facebook.com", "12345")
		noErr(t, "FindLogin(other pool) after RemoveLogin", err)
		got, err := tx.GetIdentity(a.ID)
		noErr(t, "GetIdentity after RemoveLogin", err)
		sameLogins(t, "GetIdentity after RemoveLogin", got.Logins, nil)
		return nil
	})
	// Once removed, the login can go to another identity.
	update(t, s, func(tx store.Tx) error {
		return tx.AddLogin(newLogin(p.ID, "graph.facebook.com", "12345", b.ID))
	})
}

func testListLogins(t *testing.T, s store.Store) {
	p := newPool(account, region, 1)
	mustCreatePool(t, s, p)
	i, other := newIdentity(p.ID, 1), newIdentity(p.ID, 2)
	// Logins of i in (provider, subject) order.
	mine := []*store.Login{
		newLogin(p.ID, "accounts.google.com", "b", i.ID),
		newLogin(p.ID, "accounts.google.com", "d", i.ID),
		newLogin(p.ID, "dev.example.com", "a", i.ID),
		newLogin(p.ID, "dev.example.com", "c", i.ID),
		newLogin(p.ID, "dev.example.com", "e", i.ID),
		newLogin(p.ID, "dev.example.com", "f", i.ID),
		newLogin(p.ID, "graph.facebook.com", "a", i.ID),
	}
	mustCreateIdentity(t, s, i)
	other.Logins = []*store.Login{newLogin(p.ID, "dev.example.com", "b", other.ID), newLogin(p.ID, "dev.example.com", "d", other.ID)}
	mustCreateIdentity(t, s, other)
	update(t, s, func(tx store.Tx) error {
		for _, k := range []int{4, 0, 6, 2, 5, 1, 3} {
			noErr(t, "AddLogin", tx.AddLogin(mine[k]))
		}
		return nil
	})

	view(t, s, func(tx store.Tx) error {
		for _, c := range []struct {
			provider, after string
			limit           int
			want            []*store.Login
		}{
			{"", "", 0, mine},
			{"", "", -1, mine},
			{"", "", 3, mine[:3]},
			{"", "", 100, mine},
			{"dev.example.com", "", 0, mine[2:6]},
			{"dev.example.com", "", 2, mine[2:4]},
			{"dev.example.com", "c", 2, mine[4:6]},
			{"dev.example.com", "b", 0, mine[3:6]},
			{"dev.example.com", "f", 0, nil},
			{"accounts.google.com", "", 0, mine[:2]},
			{"unknown", "", 0, nil},
			// With every provider, after still bounds the subject.
			{"", "b", 0, []*store.Login{mine[1], mine[3], mine[4], mine[5]}},
		} {
			got, err := tx.ListLogins(i.ID, c.provider, c.after, c.limit)
			noErr(t, "ListLogins", err)
			sameLogins(t, "ListLogins("+c.provider+", "+c.after+")", got, c.want)
		}
		got, err := tx.ListLogins(identityID(9), "", "", 0)
		noErr(t, "ListLogins(missing identity)", err)
		sameLogins(t, "ListLogins(missing identity)", got, nil)
		return nil
	})
}

func testMoveLogins(t *testing.T, s store.Store) {
	p := newPool(account, region, 1)
	mustCreatePool(t, s, p)
	from, to, bystander := newIdentity(p.ID, 1), newIdentity(p.ID, 2), newIdentity(p.ID, 3)
	from.Logins = []*store.Login{newLogin(p.ID, "dev.example.com", "x", from.ID), newLogin(p.ID, "graph.facebook.com", "fb-long-subject", from.ID)}
	to.Logins = []*store.Login{newLogin(p.ID, "dev.example.com", "y", to.ID)}
	bystander.Logins = []*store.Login{newLogin(p.ID, "dev.example.com", "z", bystander.ID)}
	mustCreateIdentity(t, s, from)
	mustCreateIdentity(t, s, to)
	mustCreateIdentity(t, s, bystander)

	update(t, s, func(tx store.Tx) error { return tx.MoveLogins(from.ID, to.ID) })
	moved := func(l *store.Login) *store.Login { c := *l; c.IdentityID = to.ID; return &c }
	want := []*store.Login{moved(from.Logins[0]), to.Logins[0], moved(from.Logins[1])}
	view(t, s, func(tx store.Tx) error {
		got, err := tx.ListLogins(to.ID, "", "", 0)
		noErr(t, "ListLogins(to)", err)
		sameLogins(t, "logins of to", got, want) // CreatedAt is kept
		got, err = tx.ListLogins(from.ID, "", "", 0)
		noErr(t, "ListLogins(from)", err)
		sameLogins(t, "logins of from", got, nil)
		l, err := tx.FindLogin(p.ID, "graph.facebook.com", "fb-long-subject")
		noErr(t, "FindLogin(moved)", err)
		if l.IdentityID != to.ID {
			failf(t, "FindLogin(moved) = %s, want %s", l.IdentityID, to.ID)
		}
		id, err := tx.GetIdentity(bystander.ID)
		noErr(t, "GetIdentity(bystander)", err)
		sameIdentity(t, id, bystander)
		id, err = tx.GetIdentity(from.ID)
		noErr(t, "GetIdentity(from)", err) // the identity itself stays
		sameLogins(t, "GetIdentity(from)", id.Logins, nil)
		return nil
	})

	update(t, s, func(tx store.Tx) error {
		noErr(t, "MoveLogins(nothing to move)", tx.MoveLogins(from.ID, to.ID))
		wantErr(t, "MoveLogins(to missing)", tx.MoveLogins(to.ID, identityID(9)), store.ErrNotFound)
		wantErr(t, "MoveLogins(from missing)", tx.MoveLogins(identityID(9), to.ID), store.ErrNotFound)
		return nil
	})
	view(t, s, func(tx store.Tx) error {
		got, err := tx.ListLogins(to.ID, "", "", 0)
		noErr(t, "ListLogins(to)", err)
		sameLogins(t, "logins of to after failed moves", got, want)
		return nil
	})
}

// testListedLogins checks that ListIdentities shows each identity's logins
// as they stand after every way they change: added, removed, moved to
// another identity, and gone with their identity. A backend may keep a copy
// of the logins beside the identity for its pages (SQLite does); this is
// what holds the copy to the logins themselves.
func testListedLogins(t *testing.T, s store.Store) {
	p := newPool(account, region, 1)
	mustCreatePool(t, s, p)
	a, b, c := newIdentity(p.ID, 1), newIdentity(p.ID, 2), newIdentity(p.ID, 3)
	// Subjects with separators, digits and multibyte characters in them,
	// for a backend that encodes its copy.
	a.Logins = []*store.Login{newLogin(p.ID, "graph.facebook.com", "fb", a.ID), newLogin(p.ID, "accounts.google.com", "g:12;3", a.ID)}
	mustCreateIdentity(t, s, a)
	mustCreateIdentity(t, s, b)
	mustCreateIdentity(t, s, c)
	// listed compares every identity ListIdentities returns (both with and
	// without the disabled ones) with the logins ListLogins returns for it.
	listed := func(when string, wantIDs int) {
		t.Helper()
		view(t, s, func(tx store.Tx) error {
			for _, hide := range []bool{false, true} {
				is, err := tx.ListIdentities(p.ID, "", 0, hide)
				noErr(t, "ListIdentities", err)
				if len(is) != wantIDs {
					failf(t, "%s: ListIdentities(hideDisabled %v) returned %d identities, want %d", when, hide, len(is), wantIDs)
				}
				for _, i := range is {
					want, err := tx.ListLogins(i.ID, "", "", 0)
					noErr(t, "ListLogins", err)
					sameLogins(t, when+": ListIdentities' logins of "+i.ID, i.Logins, want)
				}
			}
			return nil
		})
	}
	listed("created", 3)
	update(t, s, func(tx store.Tx) error {
		return tx.AddLogin(newLogin(p.ID, "cognito-identity.amazonaws.com", "dév 名前:5", b.ID))
	})
	listed("after AddLogin", 3)
	update(t, s, func(tx store.Tx) error { return tx.RemoveLogin(p.ID, "graph.facebook.com", "fb") })
	listed("after RemoveLogin", 3)
	update(t, s, func(tx store.Tx) error { return tx.MoveLogins(a.ID, c.ID) })
	listed("after MoveLogins", 3)
	update(t, s, func(tx store.Tx) error { return tx.RemoveLogin(p.ID, "accounts.google.com", "g:12;3") })
	listed("after removing the last login", 3)
	update(t, s, func(tx store.Tx) error { return tx.DeleteIdentity(b.ID) })
	listed("after DeleteIdentity", 2)
	// Undone writes leave no trace in the listing either.
	undo := errors.New("undo")
	if err := s.Update(context.Background(), func(tx store.Tx) error {
		noErr(t, "AddLogin", tx.AddLogin(newLogin(p.ID, "graph.facebook.com", "undone", c.ID)))
		return undo
	}); !errors.Is(err, undo) {
		failf(t, "Update = %v, want the closure's error", err)
	}
	listed("after an Update that failed", 2)
}
