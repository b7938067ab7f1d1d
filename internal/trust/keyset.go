package trust

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// acceptedAlgs are the only signature algorithms ever accepted: asymmetric
// ones. "none" and the HMAC family (whose "secret" an attacker could take
// from the public JWKS) are refused whatever a discovery document says.
var acceptedAlgs = map[string]bool{
	"RS256": true, "RS384": true, "RS512": true,
	"PS256": true, "PS384": true, "PS512": true,
	"ES256": true, "ES384": true, "ES512": true,
	"EdDSA": true,
}

var allAccepted = []jose.SignatureAlgorithm{
	jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.PS384, jose.PS512,
	jose.ES256, jose.ES384, jose.ES512, jose.EdDSA,
}

// Refetch budget of a key set: a token with an unknown kid refetches the
// JWKS (the issuer may have rotated its keys), but a stream of forged tokens
// must not turn cognitod into a JWKS-fetching amplifier: a small burst, then
// one refetch per refillEvery.
const (
	refetchBurst = 3
	refillEvery  = 10 * time.Second
	maxJWKSBytes = 1 << 20
)

// errFetch marks a key set that could not be fetched (the issuer is
// unreachable or broken), as opposed to a token it does not verify.
var errFetch = errors.New("fetching the JWKS failed")

// fetchFailedKey is a context key: its value, an *atomic.Bool, learns that
// the key set could not be fetched during a verification. go-oidc wraps a
// key set's error with %v, so errors.Is cannot find errFetch in what its
// Verify returns (withFetchReport).
type fetchFailedKey struct{}

// withFetchReport returns ctx with a flag VerifySignature sets when the key
// set could not be fetched.
func withFetchReport(ctx context.Context) (context.Context, *atomic.Bool) {
	f := new(atomic.Bool)
	return context.WithValue(ctx, fetchFailedKey{}, f), f
}

// keySet is an issuer's JWKS: cached, refetched when a token names a key it
// does not hold (oidc.KeySet).
type keySet struct {
	url    string
	client *http.Client

	mu   sync.RWMutex
	keys []jose.JSONWebKey

	fetchMu    sync.Mutex // one fetch at a time
	budget     float64
	lastRefill time.Time
}

func newKeySet(url string, client *http.Client) *keySet {
	return &keySet{url: url, client: client, budget: refetchBurst, lastRefill: time.Now()}
}

// VerifySignature implements oidc.KeySet.
func (k *keySet) VerifySignature(ctx context.Context, jwt string) ([]byte, error) {
	jws, err := jose.ParseSigned(jwt, allAccepted)
	if err != nil {
		return nil, err
	}
	if len(jws.Signatures) != 1 {
		return nil, errors.New("want exactly one signature")
	}
	kid := jws.Signatures[0].Header.KeyID
	keys := k.cached()
	payload, known := verifyWith(jws, keys, kid)
	if payload != nil {
		return payload, nil
	}
	// A known kid whose key does not verify the token: a forgery, not a
	// rotation. Refetch only for a key we do not hold (or tokens without kid).
	if known && kid != "" {
		return nil, errors.New("signature does not verify")
	}
	if err := k.refetch(ctx, keys); err != nil {
		if errors.Is(err, errFetch) {
			if f, ok := ctx.Value(fetchFailedKey{}).(*atomic.Bool); ok {
				f.Store(true)
			}
		}
		return nil, err
	}
	if payload, _ := verifyWith(jws, k.cached(), kid); payload != nil {
		return payload, nil
	}
	return nil, errors.New("no key of the issuer verifies the signature")
}

func (k *keySet) cached() []jose.JSONWebKey {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.keys
}

// verifyWith tries the keys named kid (all keys when kid is ""); known says
// whether any key has that kid.
func verifyWith(jws *jose.JSONWebSignature, keys []jose.JSONWebKey, kid string) (payload []byte, known bool) {
	for i := range keys {
		if kid != "" && keys[i].KeyID != kid {
			continue
		}
		known = true
		if p, err := jws.Verify(&keys[i]); err == nil {
			return p, true
		}
	}
	return nil, known
}

// refetch fetches the JWKS unless another caller did since seen was read,
// or the refetch budget is spent.
func (k *keySet) refetch(ctx context.Context, seen []jose.JSONWebKey) error {
	k.fetchMu.Lock()
	defer k.fetchMu.Unlock()
	if cur := k.cached(); len(cur) != len(seen) || (len(cur) > 0 && &cur[0] != &seen[0]) {
		return nil // refreshed meanwhile
	}
	now := time.Now()
	k.budget += now.Sub(k.lastRefill).Seconds() / refillEvery.Seconds()
	if k.budget > refetchBurst {
		k.budget = refetchBurst
	}
	k.lastRefill = now
	if k.budget < 1 {
		if len(seen) == 0 {
			return errFetch
		}
		return errors.New("unknown key; JWKS refetched too recently")
	}
	k.budget--
	keys, err := k.fetch(ctx)
	if err != nil {
		return fmt.Errorf("%w: %v", errFetch, err)
	}
	k.mu.Lock()
	k.keys = keys
	k.mu.Unlock()
	return nil
}

func (k *keySet) fetch(ctx context.Context) ([]jose.JSONWebKey, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, k.url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := k.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKSBytes))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", k.url, resp.Status)
	}
	var raw struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, fmt.Errorf("GET %s: %v", k.url, err)
	}
	var keys []jose.JSONWebKey
	for _, r := range raw.Keys {
		var key jose.JSONWebKey
		if json.Unmarshal(r, &key) != nil || !key.Valid() || !key.IsPublic() {
			continue // unsupported key types are skipped, as go-oidc does
		}
		if key.Use != "" && key.Use != "sig" {
			continue
		}
		if key.Algorithm != "" && !acceptedAlgs[key.Algorithm] {
			continue
		}
		keys = append(keys, key)
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("GET %s: no usable signing key", k.url)
	}
	return keys, nil
}
