package identity

import (
	"context"
	"sync"

	"github.com/cognitod/cognitod/internal/awsproto"
	"github.com/cognitod/cognitod/internal/store"
)

// AccountResolver names the account of the pool an unsigned call (GetId,
// GetOpenIdToken, GetCredentialsForIdentity, UnlinkIdentity) addresses, so
// that request rate limits count it against that account, as AWS does. The
// pipeline authenticates before any handler knows the pool, so this runs
// after input validation, from the IdentityPoolId or IdentityId of the
// input: one store read the first time, then a cache (a pool's account and
// an identity's pool never change). The cache is bounded; unknown IDs are
// not cached and resolve to "" (the handler answers them
// ResourceNotFoundException; their requests share one bucket).
type AccountResolver struct {
	st  store.Store
	max int

	mu       sync.Mutex
	accounts map[string]string // pool or identity ID → account
}

// maxResolved bounds the resolver's cache; when full it starts afresh.
const maxResolved = 100_000

// NewAccountResolver returns a resolver reading st.
func NewAccountResolver(st store.Store) *AccountResolver {
	return &AccountResolver{st: st, max: maxResolved, accounts: map[string]string{}}
}

// Scope returns the account and region an unsigned call acts in: its pool's
// (the region is the ID's prefix, needing no lookup).
func (r *AccountResolver) Scope(ctx context.Context, op string, in awsproto.Input) (account, region string) {
	id, isPool := in.Str("IdentityPoolId"), true
	if id == "" {
		id, isPool = in.Str("IdentityId"), false
	}
	if id == "" {
		return "", ""
	}
	region = regionOf(id)
	r.mu.Lock()
	account, ok := r.accounts[id]
	r.mu.Unlock()
	if ok {
		return account, region
	}
	err := r.st.View(ctx, func(tx store.Tx) error {
		poolID := id
		if !isPool {
			i, err := tx.PeekIdentity(id)
			if err != nil {
				return err
			}
			poolID = i.PoolID
		}
		p, err := tx.GetPool(poolID)
		if err != nil {
			return err
		}
		account = p.Account
		return nil
	})
	if err != nil {
		// Unknown (or unreadable): the handler will say. Every such call of
		// an operation shares one bucket (docs/THROTTLING.md); the region of
		// an ID that names nothing is the caller's to choose, and would make
		// a new bucket for each call.
		return "", ""
	}
	r.mu.Lock()
	if len(r.accounts) >= r.max {
		clear(r.accounts)
	}
	r.accounts[id] = account
	r.mu.Unlock()
	return account, region
}
