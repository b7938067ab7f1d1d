package tokens

import (
	"context"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cognitod/cognitod/internal/store"
)

// fakeStore is an in-memory store.Store with real behaviour for secrets and
// signing keys only; every other method is the nil embedded interface and
// panics if called. Transactions are serialized and staged: a failed Update
// leaves nothing behind.
type fakeStore struct {
	store.Store

	mu      sync.Mutex
	secrets map[string][]byte
	keys    []*store.SigningKey

	lists atomic.Int32 // ListSigningKeys calls

	// Race hooks play another process that commits just before this one
	// writes: they run inside the Tx method, before its uniqueness check,
	// and should change both tx (what this transaction sees) and tx.f (the
	// committed state, which survives this transaction's rollback).
	beforePutSecret func(tx *fakeTx, name string)
	beforeAddKey    func(tx *fakeTx, k *store.SigningKey)
}

func newFakeStore() *fakeStore { return &fakeStore{secrets: map[string][]byte{}} }

type fakeTx struct {
	store.Tx
	f        *fakeStore
	readOnly bool
	secrets  map[string][]byte
	keys     []*store.SigningKey
}

func (f *fakeStore) View(ctx context.Context, fn func(store.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return fn(&fakeTx{f: f, readOnly: true, secrets: f.secrets, keys: f.keys})
}

func (f *fakeStore) Update(ctx context.Context, fn func(store.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	tx := &fakeTx{f: f, secrets: maps.Clone(f.secrets), keys: slices.Clone(f.keys)}
	if err := fn(tx); err != nil {
		return err
	}
	f.secrets, f.keys = tx.secrets, tx.keys
	return nil
}

func (tx *fakeTx) GetSecret(name string) ([]byte, error) {
	v, ok := tx.secrets[name]
	if !ok {
		return nil, store.ErrNotFound
	}
	return slices.Clone(v), nil
}

func (tx *fakeTx) PutSecret(name string, value []byte) error {
	if tx.readOnly {
		return store.ErrReadOnly
	}
	if h := tx.f.beforePutSecret; h != nil {
		tx.f.beforePutSecret = nil
		h(tx, name)
	}
	if _, ok := tx.secrets[name]; ok {
		return store.ErrExists
	}
	tx.secrets[name] = slices.Clone(value)
	return nil
}

func (tx *fakeTx) ListSigningKeys() ([]*store.SigningKey, error) {
	tx.f.lists.Add(1)
	out := make([]*store.SigningKey, len(tx.keys))
	for i, k := range tx.keys {
		c := *k
		out[i] = &c
	}
	return out, nil
}

func (tx *fakeTx) AddSigningKey(k *store.SigningKey) error {
	if tx.readOnly {
		return store.ErrReadOnly
	}
	if h := tx.f.beforeAddKey; h != nil {
		tx.f.beforeAddKey = nil
		h(tx, k)
	}
	for _, o := range tx.keys {
		if o.KID == k.KID {
			return store.ErrExists
		}
	}
	c := *k
	tx.keys = append(tx.keys, &c)
	return nil
}

// update applies fn to the stored record of kid (e.g. to retire it, as a
// future rotation would).
func (f *fakeStore) update(kid string, fn func(*store.SigningKey)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, k := range f.keys {
		if k.KID == kid {
			c := *k
			fn(&c)
			f.keys[i] = &c
		}
	}
}

func (tx *fakeTx) RetireSigningKey(kid string, at time.Time) error {
	if tx.readOnly {
		return store.ErrReadOnly
	}
	for i, k := range tx.keys {
		if k.KID == kid {
			if k.RetiredAt.IsZero() {
				c := *k
				c.RetiredAt = at
				tx.keys[i] = &c
			}
			return nil
		}
	}
	return store.ErrNotFound
}
