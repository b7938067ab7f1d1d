package conformance

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/cognitod/cognitod/internal/store"
)

var keyTests = []test{
	{"Secrets", testSecrets},
	{"SigningKeys", testSigningKeys},
	{"RetireSigningKey", testRetireSigningKey},
	{"Credentials", testCredentials},
}

func testSecrets(t *testing.T, s store.Store) {
	view(t, s, func(tx store.Tx) error {
		_, err := tx.GetSecret("page-token-mac")
		wantErr(t, "GetSecret(missing)", err, store.ErrNotFound)
		return nil
	})
	first := []byte{0, 1, 2, 0xff, 'k'}
	update(t, s, func(tx store.Tx) error { return tx.PutSecret("page-token-mac", first) })
	update(t, s, func(tx store.Tx) error {
		// The second starter loses and must read the first one's value.
		wantErr(t, "PutSecret(again)", tx.PutSecret("page-token-mac", []byte("other")), store.ErrExists)
		noErr(t, "PutSecret(other name)", tx.PutSecret("sealer", []byte("s")))
		return nil
	})
	view(t, s, func(tx store.Tx) error {
		for name, want := range map[string][]byte{"page-token-mac": first, "sealer": []byte("s")} {
			got, err := tx.GetSecret(name)
			noErr(t, "GetSecret", err)
			if !bytes.Equal(got, want) {
				failf(t, "GetSecret(%s) = %x, want %x", name, got, want)
			}
		}
		return nil
	})
}

func testSigningKeys(t *testing.T, s store.Store) {
	view(t, s, func(tx store.Tx) error {
		ks, err := tx.ListSigningKeys()
		noErr(t, "ListSigningKeys(empty)", err)
		if len(ks) != 0 {
			failf(t, "ListSigningKeys(empty) returned %d keys", len(ks))
		}
		return nil
	})
	// In CreatedAt order; KIDs do not sort the same way.
	want := []*store.SigningKey{
		{KID: "kid-c", Region: region, Algorithm: "RS512", PrivatePEM: []byte("-----BEGIN PRIVATE KEY-----\nccc\n"), CreatedAt: at(1), RetiredAt: at(50)},
		{KID: "kid-a", Region: "eu-west-1", Algorithm: "RS512", PrivatePEM: []byte("-----BEGIN PRIVATE KEY-----\naaa\n"), CreatedAt: at(2)},
		{KID: "kid-b", Region: region, Algorithm: "RS256", PrivatePEM: []byte("-----BEGIN PRIVATE KEY-----\nbbb\n"), CreatedAt: at(3)},
	}
	update(t, s, func(tx store.Tx) error {
		for _, k := range []int{2, 0, 1} {
			noErr(t, "AddSigningKey", tx.AddSigningKey(want[k]))
		}
		dup := *want[1]
		dup.PrivatePEM = []byte("other")
		wantErr(t, "AddSigningKey(duplicate)", tx.AddSigningKey(&dup), store.ErrExists)
		return nil
	})
	view(t, s, func(tx store.Tx) error {
		ks, err := tx.ListSigningKeys()
		noErr(t, "ListSigningKeys", err)
		if len(ks) != len(want) {
			failf(t, "ListSigningKeys returned %d keys, want %d", len(ks), len(want))
		}
		for n, w := range want {
			g := ks[n]
			if g.KID != w.KID || g.Region != w.Region || g.Algorithm != w.Algorithm || !bytes.Equal(g.PrivatePEM, w.PrivatePEM) ||
				!g.CreatedAt.Equal(w.CreatedAt) || !g.RetiredAt.Equal(w.RetiredAt) {
				failf(t, "ListSigningKeys[%d] = %+v, want %+v", n, g, w)
			}
		}
		if !ks[1].RetiredAt.IsZero() {
			failf(t, "a current key came back with RetiredAt %v, want the zero time", ks[1].RetiredAt)
		}
		return nil
	})
}

func testCredentials(t *testing.T, s store.Store) {
	p := newPool(account, region, 1)
	mustCreatePool(t, s, p)
	i := newIdentity(p.ID, 1)
	mustCreateIdentity(t, s, i)
	c := &store.Credentials{AccessKeyID: "ASIA0000000000000001", IdentityID: i.ID, PoolID: p.ID,
		RoleARN: "arn:aws:iam::123456789012:role/auth", IssuedAt: at(1), Expiration: at(1).Add(time.Hour)}
	update(t, s, func(tx store.Tx) error {
		noErr(t, "RecordCredentials", tx.RecordCredentials(c))
		wantErr(t, "RecordCredentials(same key)", tx.RecordCredentials(c), store.ErrExists)
		other := *c
		other.AccessKeyID = "ASIA0000000000000002"
		noErr(t, "RecordCredentials(second)", tx.RecordCredentials(&other))
		other.AccessKeyID = "ASIA0000000000000003"
		other.IdentityID = identityID(9)
		wantErr(t, "RecordCredentials(missing identity)", tx.RecordCredentials(&other), store.ErrNotFound)
		return nil
	})
}

func testRetireSigningKey(t *testing.T, s store.Store) {
	keys := []*store.SigningKey{
		{KID: region + "-1", Region: region, Algorithm: "RS512", PrivatePEM: []byte("one"), CreatedAt: at(1)},
		{KID: region + "-2", Region: region, Algorithm: "RS512", PrivatePEM: []byte("two"), CreatedAt: at(2)},
	}
	update(t, s, func(tx store.Tx) error {
		for _, k := range keys {
			noErr(t, "AddSigningKey", tx.AddSigningKey(k))
		}
		return nil
	})
	view(t, s, func(tx store.Tx) error {
		wantErr(t, "RetireSigningKey(in View)", tx.RetireSigningKey(keys[0].KID, at(10)), store.ErrReadOnly)
		return nil
	})
	update(t, s, func(tx store.Tx) error {
		wantErr(t, "RetireSigningKey(missing)", tx.RetireSigningKey("no-such-kid", at(10)), store.ErrNotFound)
		noErr(t, "RetireSigningKey", tx.RetireSigningKey(keys[0].KID, at(10)))
		// Retiring again (a second rotation racing the first) keeps the
		// first time.
		noErr(t, "RetireSigningKey(again)", tx.RetireSigningKey(keys[0].KID, at(20)))
		return nil
	})
	// A failed Update retires nothing.
	boom := errors.New("boom")
	if err := s.Update(context.Background(), func(tx store.Tx) error {
		noErr(t, "RetireSigningKey(rolled back)", tx.RetireSigningKey(keys[1].KID, at(30)))
		return boom
	}); !errors.Is(err, boom) {
		failf(t, "Update returned %v, want the closure's error", err)
	}
	view(t, s, func(tx store.Tx) error {
		ks, err := tx.ListSigningKeys()
		noErr(t, "ListSigningKeys", err)
		if len(ks) != 2 {
			failf(t, "ListSigningKeys returned %d keys, want 2", len(ks))
		}
		if !ks[0].RetiredAt.Equal(at(10)) {
			failf(t, "retired key's RetiredAt = %v, want %v (the first retirement)", ks[0].RetiredAt, at(10))
		}
		if !ks[1].RetiredAt.IsZero() {
			failf(t, "key retired in a rolled-back Update has RetiredAt %v", ks[1].RetiredAt)
		}
		if !bytes.Equal(ks[0].PrivatePEM, keys[0].PrivatePEM) || !ks[0].CreatedAt.Equal(keys[0].CreatedAt) {
			failf(t, "retiring changed the key: %+v", ks[0])
		}
		return nil
	})
}
