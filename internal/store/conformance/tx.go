package conformance

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/cognitod/cognitod/internal/store"
)

var txTests = []test{
	{"UpdateRollback", testUpdateRollback},
	{"FailedMethodLeavesTxUsable", testFailedMethod},
	{"ViewIsReadOnly", testViewReadOnly},
	{"CanceledContext", testCanceledContext},
	{"UpdatePanics", testUpdatePanics},
	{"Close", testClose},
	{"Generations", testGenerations},
}

// testGenerations: for a backend that implements store.Generations, the
// generation holds while nothing is committed and changes with every
// commit, whatever it wrote (a change it cannot tell apart from none must
// count too); a failed Update may count or not.
func testGenerations(t *testing.T, s store.Store) {
	ctx := context.Background()
	gen := func() uint64 {
		t.Helper()
		g, ok, err := store.Generation(ctx, s)
		noErr(t, "Generation", err)
		if !ok {
			t.Skip("the backend does not implement store.Generations")
		}
		return g
	}
	// Every read connection answers once, then all hold.
	for range 16 {
		gen()
	}
	g := gen()
	for range 16 {
		noErr(t, "View", s.View(ctx, func(tx store.Tx) error { _, err := tx.ListPools(account, region, "", 0); return err }))
		if now := gen(); now != g {
			t.Fatalf("generation %d, then %d with nothing committed", g, now)
		}
	}
	writes := []struct {
		what string
		fn   func(tx store.Tx) error
	}{
		{"CreatePool", func(tx store.Tx) error { return tx.CreatePool(newPool(account, region, 1)) }},
		{"CreateIdentity", func(tx store.Tx) error { return tx.CreateIdentity(newIdentity(poolID(region, 1), 1)) }},
		{"AddLogin", func(tx store.Tx) error {
			return tx.AddLogin(newLogin(poolID(region, 1), "dev", "s1", identityID(1)))
		}},
		{"DeleteIdentity", func(tx store.Tx) error { return tx.DeleteIdentity(identityID(1)) }},
		{"DeletePool", func(tx store.Tx) error { return tx.DeletePool(poolID(region, 1)) }},
		{"nothing", func(tx store.Tx) error { return nil }},
	}
	for _, w := range writes {
		noErr(t, w.what, s.Update(ctx, w.fn))
		// Whichever connection answers, each answer is a later one.
		for range 16 {
			if now := gen(); now <= g {
				t.Fatalf("after %s: generation %d, was %d", w.what, now, g)
			}
		}
		g = gen()
	}
}

// fill writes one of everything, so a test can check none of it was kept.
func fill(t testing.TB, tx store.Tx, n int) {
	t.Helper()
	p := newPool(account, region, n)
	noErr(t, "CreatePool", tx.CreatePool(p))
	i := newIdentity(p.ID, n)
	noErr(t, "CreateIdentity", tx.CreateIdentity(i))
	noErr(t, "AddLogin", tx.AddLogin(newLogin(p.ID, "dev", fmt.Sprint("s", n), i.ID)))
	noErr(t, "PutSecret", tx.PutSecret(fmt.Sprint("secret", n), []byte("v")))
	noErr(t, "AddSigningKey", tx.AddSigningKey(&store.SigningKey{KID: fmt.Sprint("kid", n), Region: region, Algorithm: "RS512", PrivatePEM: []byte("pem"), CreatedAt: at(n)}))
	noErr(t, "RecordCredentials", tx.RecordCredentials(&store.Credentials{AccessKeyID: fmt.Sprintf("ASIA%016d", n), IdentityID: i.ID, PoolID: p.ID, RoleARN: "arn", IssuedAt: at(n), Expiration: at(n + 1)}))
}

// filled reports how many of the five readable things of fill(n) are in the
// store. Credentials cannot be read back: writing fill(n) again tells
// whether they are there.
func filled(t testing.TB, tx store.Tx, n int) int {
	t.Helper()
	found := 0
	count := func(err error) {
		if err == nil {
			found++
		} else if !errors.Is(err, store.ErrNotFound) {
			failf(t, "looking for fill(%d): %v", n, err)
		}
	}
	_, err := tx.GetPool(poolID(region, n))
	count(err)
	_, err = tx.GetIdentity(identityID(n))
	count(err)
	_, err = tx.FindLogin(poolID(region, n), "dev", fmt.Sprint("s", n))
	count(err)
	_, err = tx.GetSecret(fmt.Sprint("secret", n))
	count(err)
	ks, err := tx.ListSigningKeys()
	noErr(t, "ListSigningKeys", err)
	for _, k := range ks {
		if k.KID == fmt.Sprint("kid", n) {
			found++
		}
	}
	return found
}

type customErr struct{ n int }

func (e *customErr) Error() string { return fmt.Sprint("custom ", e.n) }

func testUpdateRollback(t *testing.T, s store.Store) {
	ctx := context.Background()
	sentinel := errors.New("changed my mind")
	err := s.Update(ctx, func(tx store.Tx) error {
		fill(t, tx, 1)
		return sentinel
	})
	if err != sentinel {
		failf(t, "Update returned %v, want the closure's error itself", err)
	}
	wrapped := fmt.Errorf("op: %w", store.ErrNotFound)
	err = s.Update(ctx, func(tx store.Tx) error {
		fill(t, tx, 1)
		return wrapped
	})
	if err != wrapped || !errors.Is(err, store.ErrNotFound) {
		failf(t, "Update returned %v, want %v", err, wrapped)
	}
	custom := &customErr{7}
	err = s.Update(ctx, func(tx store.Tx) error {
		fill(t, tx, 1)
		return custom
	})
	var ce *customErr
	if !errors.As(err, &ce) || ce != custom {
		failf(t, "Update returned %v, want %v", err, custom)
	}
	// A closure that fails after a method failed.
	err = s.Update(ctx, func(tx store.Tx) error {
		fill(t, tx, 1)
		return tx.CreatePool(newPool(account, region, 1))
	})
	wantErr(t, "Update(duplicate pool)", err, store.ErrExists)

	view(t, s, func(tx store.Tx) error {
		if n := filled(t, tx, 1); n != 0 {
			failf(t, "rolled-back Updates left %d things behind", n)
		}
		return nil
	})
	// Everything can be written for real now, credentials included.
	update(t, s, func(tx store.Tx) error { fill(t, tx, 1); return nil })
	view(t, s, func(tx store.Tx) error {
		if n := filled(t, tx, 1); n != 5 {
			failf(t, "committed Update kept %d of 5 things", n)
		}
		return nil
	})

	// View returns its closure's error unchanged, too.
	if err := s.View(ctx, func(store.Tx) error { return sentinel }); err != sentinel {
		failf(t, "View returned %v, want the closure's error itself", err)
	}
}

// testFailedMethod checks that a method returning ErrExists or ErrNotFound
// applies nothing itself but leaves the transaction usable: services try
// AddLogin and fall back to FindLogin in the same Update.
func testFailedMethod(t *testing.T, s store.Store) {
	update(t, s, func(tx store.Tx) error { fill(t, tx, 1); return nil })
	update(t, s, func(tx store.Tx) error {
		wantErr(t, "CreatePool(duplicate)", tx.CreatePool(newPool(account, region, 1)), store.ErrExists)
		wantErr(t, "AddLogin(duplicate)", tx.AddLogin(newLogin(poolID(region, 1), "dev", "s1", identityID(1))), store.ErrExists)
		wantErr(t, "CreateIdentity(missing pool)", tx.CreateIdentity(newIdentity(poolID(region, 9), 9)), store.ErrNotFound)
		wantErr(t, "DeleteIdentity(missing)", tx.DeleteIdentity(identityID(9)), store.ErrNotFound)
		l, err := tx.FindLogin(poolID(region, 1), "dev", "s1")
		noErr(t, "FindLogin after failures", err)
		if l.IdentityID != identityID(1) {
			failf(t, "FindLogin = %s", l.IdentityID)
		}
		fill(t, tx, 2)
		return nil
	})
	view(t, s, func(tx store.Tx) error {
		if n := filled(t, tx, 2); n != 5 {
			failf(t, "Update with failed methods kept %d of 5 things", n)
		}
		return nil
	})
}

func testViewReadOnly(t *testing.T, s store.Store) {
	update(t, s, func(tx store.Tx) error { fill(t, tx, 1); return nil })
	p := newPool(account, region, 1)
	i := newIdentity(p.ID, 1)
	mutations := map[string]func(tx store.Tx) error{
		"CreatePool":     func(tx store.Tx) error { return tx.CreatePool(newPool(account, region, 2)) },
		"UpdatePool":     func(tx store.Tx) error { return tx.UpdatePool(p) },
		"DeletePool":     func(tx store.Tx) error { return tx.DeletePool(p.ID) },
		"CreateIdentity": func(tx store.Tx) error { return tx.CreateIdentity(newIdentity(p.ID, 2)) },
		"UpdateIdentity": func(tx store.Tx) error { return tx.UpdateIdentity(i) },
		"DeleteIdentity": func(tx store.Tx) error { return tx.DeleteIdentity(i.ID) },
		"AddLogin":       func(tx store.Tx) error { return tx.AddLogin(newLogin(p.ID, "dev", "new", i.ID)) },
		"RemoveLogin":    func(tx store.Tx) error { return tx.RemoveLogin(p.ID, "dev", "s1") },
		"MoveLogins":     func(tx store.Tx) error { return tx.MoveLogins(i.ID, i.ID) },
		"PutSecret":      func(tx store.Tx) error { return tx.PutSecret("new", []byte("v")) },
		"AddSigningKey":  func(tx store.Tx) error { return tx.AddSigningKey(&store.SigningKey{KID: "new", CreatedAt: at(1)}) },
		"RecordCredentials": func(tx store.Tx) error {
			return tx.RecordCredentials(&store.Credentials{AccessKeyID: "ASIANEW", IdentityID: i.ID, PoolID: p.ID})
		},
		"PutSyncPool": func(tx store.Tx) error { return tx.PutSyncPool(&store.SyncPool{PoolID: p.ID}) },
		"PutIdentityUsage": func(tx store.Tx) error {
			return tx.PutIdentityUsage(&store.IdentityUsage{IdentityID: i.ID, PoolID: p.ID})
		},
		"PutDataset":    func(tx store.Tx) error { return tx.PutDataset(newDataset(i.ID, p.ID, "d", 1)) },
		"DropDataset":   func(tx store.Tx) error { return tx.DropDataset(i.ID, "d") },
		"PutRecord":     func(tx store.Tx) error { return tx.PutRecord(newRecord(i.ID, p.ID, "d", "k", str("v"), 1)) },
		"DeleteRecords": func(tx store.Tx) error { return tx.DeleteRecords(i.ID, "d") },
		"AddDevice":     func(tx store.Tx) error { return tx.AddDevice(newDevice(i.ID, p.ID, "GCM", "t", 1)) },
		"Subscribe": func(tx store.Tx) error {
			return tx.Subscribe(&store.Subscription{IdentityID: i.ID, Dataset: "d", DeviceID: "x"})
		},
		"Unsubscribe": func(tx store.Tx) error { return tx.Unsubscribe(i.ID, "d", "x") },
		"PutBulkPublish": func(tx store.Tx) error {
			return tx.PutBulkPublish(&store.BulkPublish{PoolID: p.ID, Status: "IN_PROGRESS"})
		},
	}
	for name, m := range mutations {
		err := s.View(context.Background(), m)
		wantErr(t, "View: "+name, err, store.ErrReadOnly)
	}
	view(t, s, func(tx store.Tx) error {
		if n := filled(t, tx, 1); n != 5 {
			failf(t, "after rejected mutations %d of 5 things are left", n)
		}
		for _, k := range []string{"new"} {
			_, err := tx.GetSecret(k)
			wantErr(t, "GetSecret", err, store.ErrNotFound)
		}
		_, err := tx.GetPool(poolID(region, 2))
		wantErr(t, "GetPool", err, store.ErrNotFound)
		return nil
	})
}

func testCanceledContext(t *testing.T, s store.Store) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := s.Update(ctx, func(tx store.Tx) error { fill(t, tx, 1); return nil })
	wantErr(t, "Update(canceled)", err, context.Canceled)
	err = s.View(ctx, func(tx store.Tx) error { return nil })
	wantErr(t, "View(canceled)", err, context.Canceled)
	view(t, s, func(tx store.Tx) error {
		if n := filled(t, tx, 1); n != 0 {
			failf(t, "Update with a canceled context kept %d things", n)
		}
		return nil
	})
	noErr(t, "Ping", s.Ping(context.Background()))
}

func testUpdatePanics(t *testing.T, s store.Store) {
	func() {
		defer func() {
			if r := recover(); r == nil {
				failf(t, "Update swallowed its closure's panic")
			}
		}()
		s.Update(context.Background(), func(tx store.Tx) error {
			fill(t, tx, 1)
			panic("boom")
		})
	}()
	// The store still works and kept nothing of the panicking closure.
	update(t, s, func(tx store.Tx) error { fill(t, tx, 2); return nil })
	view(t, s, func(tx store.Tx) error {
		if n := filled(t, tx, 1); n != 0 {
			failf(t, "a panicking Update kept %d things", n)
		}
		if n := filled(t, tx, 2); n != 5 {
			failf(t, "Update after a panic kept %d of 5 things", n)
		}
		return nil
	})
}

func testClose(t *testing.T, s store.Store) {
	ctx := context.Background()
	update(t, s, func(tx store.Tx) error { fill(t, tx, 1); return nil })
	noErr(t, "Ping", s.Ping(ctx))
	noErr(t, "Close", s.Close())
	wantErr(t, "Update after Close", s.Update(ctx, func(store.Tx) error { return nil }), store.ErrClosed)
	wantErr(t, "View after Close", s.View(ctx, func(store.Tx) error { return nil }), store.ErrClosed)
	wantErr(t, "Ping after Close", s.Ping(ctx), store.ErrClosed)
	if err := s.Close(); err != nil && !errors.Is(err, store.ErrClosed) {
		failf(t, "second Close: %v", err)
	}
}
