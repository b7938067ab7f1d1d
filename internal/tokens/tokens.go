// Package tokens makes and checks everything cognitod hands out that a client
// later brings back: OpenID tokens (Keyring), temporary AWS credentials
// (Sealer) and NextTokens (Box).
//
// All three are self-contained: a node checks them with keys it holds in
// memory, never with a store lookup per request, so several server processes
// sharing one store accept each other's tokens. The keys themselves live in
// the store, created by whichever process starts first; the store's
// uniqueness errors (store.ErrExists) make concurrent first starts agree on a
// single key instead of each keeping its own.
package tokens

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"

	"github.com/cognitod/cognitod/internal/store"
)

// Errors of Verify, Sealer.Open and Box.Open. They are distinct because the
// API answers them differently (UnrecognizedClientException or
// NotAuthorizedException for a bad token, ExpiredTokenException for an old
// one). Verify wraps them with detail; test them with errors.Is.
var (
	// ErrTokenInvalid: the token is garbage, forged, altered, made with a
	// key we do not have, or otherwise unacceptable. Its message does not
	// contain "expired", which callers may match on.
	ErrTokenInvalid = errors.New("tokens: invalid token")
	// ErrTokenExpired: the token is authentic but past its expiry.
	ErrTokenExpired = errors.New("tokens: token expired")
)

// loadOrCreateSecret returns the store secret name, creating it with size
// random bytes if the store has none. When another process creates it first
// (PutSecret says ErrExists) the winner's value is read and used, so every
// process ends up with the same key.
//
// The random value is generated outside the Update closure: closures may be
// retried and must stay quick and free of side effects.
func loadOrCreateSecret(ctx context.Context, st store.Store, name string, size int) ([]byte, error) {
	// Three rounds cover "not found, lost the race, read the winner's"; more
	// would mean a store that loses secrets it just said it had.
	for range 3 {
		var val []byte
		err := st.View(ctx, func(tx store.Tx) error {
			v, err := tx.GetSecret(name)
			val = v
			return err
		})
		switch {
		case err == nil:
			if len(val) != size {
				// Never replace it: tokens made with it would silently die.
				return nil, fmt.Errorf("tokens: secret %q is %d bytes, want %d", name, len(val), size)
			}
			return val, nil
		case !errors.Is(err, store.ErrNotFound):
			return nil, fmt.Errorf("tokens: reading secret %q: %w", name, err)
		}
		fresh := make([]byte, size)
		if _, err := rand.Read(fresh); err != nil {
			return nil, err
		}
		err = st.Update(ctx, func(tx store.Tx) error { return tx.PutSecret(name, fresh) })
		switch {
		case err == nil:
			return fresh, nil
		case !errors.Is(err, store.ErrExists):
			return nil, fmt.Errorf("tokens: storing secret %q: %w", name, err)
		}
		// Another process stored it first: go round and read theirs.
	}
	return nil, fmt.Errorf("tokens: secret %q: store keeps reporting it both missing and taken", name)
}

// hasNewline reports whether s contains CR or LF. encoding/base64 skips
// them even in Strict mode, which would let one token have many spellings;
// AWS clients never send them, so tokens containing them are refused.
func hasNewline(s string) bool {
	return strings.ContainsAny(s, "\r\n")
}
