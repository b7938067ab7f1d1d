package tokens

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/cognitod/cognitod/internal/awsproto"
	"github.com/cognitod/cognitod/internal/store"
)

const (
	// alg is the only algorithm we sign with or accept: it is what AWS uses
	// for Cognito OpenID tokens, and pinning it shuts out "none" and the
	// HS256-with-the-public-key confusion.
	alg = "RS512"
	// keyBits is the RSA modulus size, as AWS's keys.
	keyBits = 2048
	// clockSkew is the leeway on exp and nbf for clocks that disagree a little.
	clockSkew = 60 * time.Second
	// maxJWTLen bounds what Verify will parse; our tokens are ~1 KiB.
	maxJWTLen = 16 << 10
)

// MaxTokenLifetime is the longest an OpenID token may live (the top of
// GetOpenIdTokenForDeveloperIdentity's TokenDuration). A retired key stays
// published and accepted this long (plus ReloadInterval's margin and clock
// skew: RetiredKeyLifetime) after retirement, so that every token it signed
// can still be checked until it expires.
const MaxTokenLifetime = 24 * time.Hour

// ReloadInterval bounds how stale a process's copy of the keys may be when
// it signs: Sign rereads them from the store when the copy is older, so a
// key that another process (or `cognitod keys rotate`) retired stops
// signing everywhere within about this long.
const ReloadInterval = time.Minute

// RetiredKeyLifetime is how long after its retirement a key stays in the
// JWKS and keeps verifying: the longest token it can have signed, including
// one signed by a process that had not yet reread the keys (a margin of five
// reload intervals), plus clock skew.
const RetiredKeyLifetime = MaxTokenLifetime + 5*ReloadInterval + clockSkew

// Keyring signs and verifies cognitod's OpenID tokens.
//
// Keys are per region, as AWS's are (kid "us-east-1-1"), and created on the
// first token of a region rather than at start, so a server that only ever
// sees one region has one key. They are kept in the store so that tokens
// survive restarts and are accepted by every process sharing the store;
// parsed keys are cached in memory because parsing a PEM per request would
// cost more than the signature check itself.
//
// A Keyring is safe for concurrent use.
type Keyring struct {
	st     store.Store
	issuer string
	now    func() time.Time // JWKS's clock; tests replace it

	mu      sync.RWMutex
	keys    map[string]*key // by kid: every RS512 key in the store at the last load
	current map[string]*key // by region: the key that signs

	// loads counts store loads begun. Callers read it before a lookup and
	// pass it to refresh, which skips its own load when another one began
	// since: a burst of tokens with unknown kids costs one store read, not
	// one each.
	loads    atomic.Uint64
	loadedAt atomic.Int64 // k.now() in Unix nanoseconds when the last load began
	reloadMu sync.Mutex   // serializes loads, so an older list never replaces a newer
	createMu sync.Mutex   // serializes key creation within this process
}

// key is one parsed signing key. It is immutable once in the maps.
type key struct {
	kid       string
	region    string
	serial    int // n of "<region>-<n>"; 0 if the kid is not of that form
	pub       *rsa.PublicKey
	signer    jose.Signer
	retiredAt time.Time
}

// published reports whether tokens of k are still accepted at now: always
// while it signs, and after retirement until the last token it could have
// signed has expired.
func (k *key) published(now time.Time) bool {
	return k.retiredAt.IsZero() || now.Before(k.retiredAt.Add(RetiredKeyLifetime))
}

// NewKeyring loads the signing keys from st. issuer is the "iss" every token
// must carry (the server's public URL); it may not be empty, since an empty
// issuer would let tokens without one pass.
func NewKeyring(ctx context.Context, st store.Store, issuer string) (*Keyring, error) {
	if issuer == "" {
		return nil, errors.New("tokens: empty issuer")
	}
	k := &Keyring{st: st, issuer: issuer, now: time.Now}
	k.reloadMu.Lock()
	defer k.reloadMu.Unlock()
	k.loads.Add(1)
	if err := k.load(ctx); err != nil {
		return nil, err
	}
	return k, nil
}

// Issuer returns the issuer tokens are signed and verified for.
func (k *Keyring) Issuer() string { return k.issuer }

// Sign returns a compact JWS of claims, signed with region's current key,
// with header {"alg":"RS512","kid":"<region>-<n>","typ":"JWS"} (go-jose
// writes the members in that order; AWS writes kid, typ, alg, which is the
// same JSON object). Claims are signed as given: the caller supplies iss,
// aud, sub, amr, exp, iat and anything else.
//
// The first Sign of a region with no key creates one (an RSA key
// generation, tens of milliseconds); after that Sign costs one JSON encoding
// and one RSA signature; the only lock is a read lock around a map lookup.
func (k *Keyring) Sign(ctx context.Context, region string, claims map[string]any) (string, error) {
	if claims == nil {
		return "", errors.New("tokens: nil claims")
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("tokens: encoding claims: %w", err)
	}
	k.reloadIfStale(ctx)
	sk := k.currentKey(region)
	if sk == nil {
		if sk, err = k.create(ctx, region); err != nil {
			return "", err
		}
	}
	jws, err := sk.signer.Sign(payload)
	if err != nil {
		return "", fmt.Errorf("tokens: signing: %w", err)
	}
	return jws.CompactSerialize()
}

// Verify checks a token and returns its claims (decoded by encoding/json, so
// numbers are float64). It accepts only a compact RS512 JWS whose kid names
// one of our published keys (reloading the store once if the kid is unknown,
// since another process may just have created it), whose signature holds,
// whose exp (required) and nbf are within 60 s of now, and that names an
// issuer. The issuer need not be this process's own: nodes sharing a store
// share the signing keys, so a token signed with them is ours whichever
// node's public URL it names (nodes whose --public-url differ, or default to
// their own listen addresses, must still accept each other's tokens).
// Errors wrap ErrTokenExpired or ErrTokenInvalid.
func (k *Keyring) Verify(ctx context.Context, token string, now time.Time) (map[string]any, error) {
	if len(token) > maxJWTLen {
		return nil, invalid("too long")
	}
	// Parsing with only RS512 allowed refuses "none", HS256 and every other
	// alg before any key is looked at.
	jws, err := jose.ParseSignedCompact(token, []jose.SignatureAlgorithm{jose.RS512})
	if err != nil {
		return nil, invalid("malformed or wrong algorithm")
	}
	if len(jws.Signatures) != 1 || jws.Signatures[0].Protected.Algorithm != alg {
		return nil, invalid("wrong algorithm")
	}
	kid := jws.Signatures[0].Protected.KeyID
	if kid == "" {
		return nil, invalid("no kid")
	}
	seen := k.loads.Load()
	vk := k.lookup(kid)
	if vk == nil {
		if err := k.refresh(ctx, seen); err != nil {
			return nil, err
		}
		if vk = k.lookup(kid); vk == nil {
			return nil, invalid("unknown kid")
		}
	}
	if !vk.published(now) {
		return nil, invalid("key retired")
	}
	payload, err := jws.Verify(vk.pub)
	if err != nil {
		return nil, invalid("bad signature")
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil || claims == nil {
		return nil, invalid("claims are not a JSON object")
	}
	if iss, _ := claims["iss"].(string); iss == "" {
		return nil, invalid("no issuer")
	}
	exp, ok := numericDate(claims["exp"])
	if !ok {
		return nil, invalid("no exp")
	}
	if !now.Before(exp.Add(clockSkew)) {
		return nil, fmt.Errorf("%w (exp %s)", ErrTokenExpired, exp.UTC().Format(time.RFC3339))
	}
	if v, present := claims["nbf"]; present {
		nbf, ok := numericDate(v)
		if !ok {
			return nil, invalid("bad nbf")
		}
		if now.Add(clockSkew).Before(nbf) {
			return nil, invalid("not valid yet")
		}
	}
	return claims, nil
}

// errHaveKey aborts a key-creating transaction that finds the region
// already has a current key.
var errHaveKey = errors.New("region already has a current key")

func invalid(why string) error { return fmt.Errorf("%w: %s", ErrTokenInvalid, why) }

// numericDate reads a JWT NumericDate (seconds since the epoch, possibly
// fractional) as decoded by encoding/json.
func numericDate(v any) (time.Time, bool) {
	f, ok := v.(float64)
	if !ok || math.IsNaN(f) || f < -1e15 || f > 1e15 {
		return time.Time{}, false
	}
	sec := int64(f)
	return time.Unix(sec, int64((f-float64(sec))*1e9)), true
}

// JWKS returns the JSON Web Key Set of every published key (including
// retired keys whose tokens may still be live), ordered by region and
// serial. It reloads from the store first so that keys other processes
// created are listed; relying parties fetch it rarely.
func (k *Keyring) JWKS(ctx context.Context) ([]byte, error) {
	if err := k.refresh(ctx, k.loads.Load()); err != nil {
		return nil, err
	}
	now := k.now()
	k.mu.RLock()
	list := make([]*key, 0, len(k.keys))
	for _, vk := range k.keys {
		if vk.published(now) {
			list = append(list, vk)
		}
	}
	k.mu.RUnlock()
	slices.SortFunc(list, func(a, b *key) int {
		return cmp.Or(cmp.Compare(a.region, b.region), cmp.Compare(a.serial, b.serial), cmp.Compare(a.kid, b.kid))
	})
	type jwk struct {
		Kty string `json:"kty"`
		Kid string `json:"kid"`
		Use string `json:"use"`
		Alg string `json:"alg"`
		N   string `json:"n"`
		E   string `json:"e"`
	}
	set := struct {
		Keys []jwk `json:"keys"`
	}{Keys: make([]jwk, 0, len(list))}
	for _, vk := range list {
		set.Keys = append(set.Keys, jwk{
			Kty: "RSA", Kid: vk.kid, Use: "sig", Alg: alg,
			N: base64.RawURLEncoding.EncodeToString(vk.pub.N.Bytes()),
			E: base64.RawURLEncoding.EncodeToString(big.NewInt(int64(vk.pub.E)).Bytes()),
		})
	}
	return json.Marshal(set)
}

func (k *Keyring) currentKey(region string) *key {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.current[region]
}

func (k *Keyring) lookup(kid string) *key {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.keys[kid]
}

// create makes region's first (or next, if all are retired) key, or adopts
// the one another goroutine or process made meanwhile.
func (k *Keyring) create(ctx context.Context, region string) (*key, error) {
	if !awsproto.ValidRegion(region) {
		return nil, fmt.Errorf("tokens: bad region %q", region)
	}
	k.createMu.Lock()
	defer k.createMu.Unlock()
	if sk := k.currentKey(region); sk != nil {
		return sk, nil // another goroutine made it while we waited
	}
	if err := k.refresh(ctx, k.loads.Load()); err != nil {
		return nil, err
	}
	if sk := k.currentKey(region); sk != nil {
		return sk, nil // another process made it
	}

	priv, err := rsa.GenerateKey(rand.Reader, keyBits)
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, err
	}
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	created := k.now().UTC()

	// Rounds: a lost race (ErrExists) normally leaves the winner's key to
	// use; if the kid was taken by a record we do not use (another
	// algorithm), the next round numbers past it.
	for range 3 {
		// Number the key inside the transaction so that the kid follows
		// the store's view, not our possibly stale one.
		err = k.st.Update(ctx, func(tx store.Tx) error {
			recs, err := tx.ListSigningKeys()
			if err != nil {
				return err
			}
			top := 0
			for _, r := range recs {
				if r.Region == region && r.Algorithm == alg && r.RetiredAt.IsZero() {
					return errHaveKey
				}
				// Kids are unique across regions and algorithms.
				top = max(top, serialOf(r.KID, region))
			}
			return tx.AddSigningKey(&store.SigningKey{
				KID:        region + "-" + strconv.Itoa(top+1),
				Region:     region,
				Algorithm:  alg,
				PrivatePEM: pemBytes,
				CreatedAt:  created,
			})
		})
		// ErrExists: another process added that kid first. Either way
		// the store may now have a key for region; load it and sign with
		// whichever won.
		if err != nil && !errors.Is(err, errHaveKey) && !errors.Is(err, store.ErrExists) {
			return nil, fmt.Errorf("tokens: storing signing key: %w", err)
		}
		if err := k.refresh(ctx, k.loads.Load()); err != nil {
			return nil, err
		}
		if sk := k.currentKey(region); sk != nil {
			return sk, nil
		}
	}
	return nil, fmt.Errorf("tokens: no signing key for %s after creating one", region)
}

// refresh reloads the keys from the store unless a load began after the
// caller read seen from k.loads (that load is over once we hold reloadMu, so
// its result is as fresh as ours would be).
func (k *Keyring) refresh(ctx context.Context, seen uint64) error {
	k.reloadMu.Lock()
	defer k.reloadMu.Unlock()
	if k.loads.Load() != seen {
		return nil
	}
	k.loads.Add(1)
	return k.load(ctx)
}

// load replaces the cached keys with the store's, parsing only kids not
// already cached. The caller holds reloadMu.
func (k *Keyring) load(ctx context.Context) error {
	started := k.now()
	var recs []*store.SigningKey
	err := k.st.View(ctx, func(tx store.Tx) error {
		var err error
		recs, err = tx.ListSigningKeys()
		return err
	})
	if err != nil {
		return fmt.Errorf("tokens: listing signing keys: %w", err)
	}
	k.mu.RLock()
	old := k.keys
	k.mu.RUnlock()

	keys := make(map[string]*key, len(recs))
	for _, r := range recs {
		if r.Algorithm != alg {
			continue // not ours to use
		}
		if o := old[r.KID]; o != nil && o.region == r.Region {
			if !o.retiredAt.Equal(r.RetiredAt) {
				c := *o
				c.retiredAt = r.RetiredAt
				o = &c
			}
			keys[r.KID] = o
			continue
		}
		nk, err := parseKey(r)
		if err != nil {
			// A key we cannot read is a broken store, not a bad token:
			// say so loudly rather than refuse its tokens forever.
			return fmt.Errorf("tokens: signing key %q: %w", r.KID, err)
		}
		keys[r.KID] = nk
	}
	current := make(map[string]*key)
	for _, nk := range keys {
		if !nk.retiredAt.IsZero() {
			continue
		}
		if c := current[nk.region]; c == nil || nk.serial > c.serial || (nk.serial == c.serial && nk.kid > c.kid) {
			current[nk.region] = nk
		}
	}
	k.mu.Lock()
	k.keys, k.current = keys, current
	k.mu.Unlock()
	k.loadedAt.Store(started.UnixNano())
	return nil
}

// reloadIfStale rereads the keys when the last load is older than
// ReloadInterval, so that a rotation done elsewhere takes effect here. Only
// one caller loads; the others go on with the keys they have, and a failed
// load keeps them too (the next Sign tries again).
func (k *Keyring) reloadIfStale(ctx context.Context) {
	if k.now().Sub(time.Unix(0, k.loadedAt.Load())) < ReloadInterval {
		return
	}
	if !k.reloadMu.TryLock() {
		return
	}
	defer k.reloadMu.Unlock()
	k.loads.Add(1)
	k.load(ctx)
}

// CheckSigningKey reports whether a stored signing key can sign: a PEM
// RSA private key of at least the size cognitod makes (import checks
// each key of a dump with it).
func CheckSigningKey(r *store.SigningKey) error {
	_, err := parseKey(r)
	return err
}

func parseKey(r *store.SigningKey) (*key, error) {
	block, _ := pem.Decode(r.PrivatePEM)
	if block == nil {
		return nil, errors.New("no PEM block")
	}
	var priv *rsa.PrivateKey
	switch block.Type {
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, err
		}
		var ok bool
		if priv, ok = k.(*rsa.PrivateKey); !ok {
			return nil, fmt.Errorf("%T is not an RSA key", k)
		}
	case "RSA PRIVATE KEY":
		var err error
		if priv, err = x509.ParsePKCS1PrivateKey(block.Bytes); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("PEM block %q", block.Type)
	}
	if priv.N.BitLen() < keyBits {
		return nil, fmt.Errorf("%d-bit RSA key is too small", priv.N.BitLen())
	}
	signer, err := jose.NewSigner(
		jose.SigningKey{Algorithm: jose.RS512, Key: jose.JSONWebKey{Key: priv, KeyID: r.KID}},
		(&jose.SignerOptions{}).WithType("JWS"))
	if err != nil {
		return nil, err
	}
	return &key{
		kid:       r.KID,
		region:    r.Region,
		serial:    serialOf(r.KID, r.Region),
		pub:       &priv.PublicKey,
		signer:    signer,
		retiredAt: r.RetiredAt,
	}, nil
}

// serialOf returns n of kid "<region>-<n>", or 0.
func serialOf(kid, region string) int {
	s, ok := strings.CutPrefix(kid, region+"-")
	if !ok {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0
	}
	return n
}
