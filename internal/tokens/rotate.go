package tokens

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/cognitod/cognitod/internal/awsproto"
	"github.com/cognitod/cognitod/internal/store"
)

// Rotation is what Rotate did in one region.
type Rotation struct {
	Region string
	// Retired is the kid of the key that stopped signing ("" when the
	// region had no current key).
	Retired string
	// Current is the kid of the key that signs from now on.
	Current string
	// Skipped is set when the current key was younger than the minimum age
	// (Retired is then "" and Current the kid that goes on signing).
	Skipped bool
}

// Rotate retires the current signing key of each region and makes a fresh
// one current, both in one store transaction per region, so that no moment
// passes without a current key. Retired keys stay in the JWKS and keep
// verifying for RetiredKeyLifetime, so that every token they signed can be
// checked until it expires; other processes sharing the store switch to the
// new key within ReloadInterval.
//
// regions nil means every region that has an RS512 key. A region whose
// current key is younger than minAge is left alone (Skipped): several
// processes running the same schedule on one store then rotate once, not
// once each. minAge 0 rotates unconditionally.
func (k *Keyring) Rotate(ctx context.Context, regions []string, minAge time.Duration) ([]Rotation, error) {
	if regions == nil {
		var err error
		if regions, err = k.Regions(ctx); err != nil {
			return nil, err
		}
	}
	var out []Rotation
	for _, region := range regions {
		r, err := k.rotate(ctx, region, minAge)
		if err != nil {
			return out, err
		}
		out = append(out, r)
	}
	if err := k.refresh(ctx, k.loads.Load()); err != nil {
		return out, err
	}
	return out, nil
}

func (k *Keyring) rotate(ctx context.Context, region string, minAge time.Duration) (Rotation, error) {
	if !awsproto.ValidRegion(region) {
		return Rotation{}, fmt.Errorf("tokens: bad region %q", region)
	}
	// The key is made outside the transaction: closures must stay quick.
	pemBytes, err := newKeyPEM()
	if err != nil {
		return Rotation{}, err
	}
	k.createMu.Lock()
	defer k.createMu.Unlock()
	var r Rotation
	for range 3 {
		now := k.now().UTC()
		err = k.st.Update(ctx, func(tx store.Tx) error {
			r = Rotation{Region: region}
			recs, err := tx.ListSigningKeys()
			if err != nil {
				return err
			}
			top := 0
			var current []*store.SigningKey
			for _, rec := range recs {
				top = max(top, serialOf(rec.KID, region))
				if rec.Region == region && rec.Algorithm == alg && rec.RetiredAt.IsZero() {
					current = append(current, rec)
				}
			}
			// The newest current key is the one that signs (as load picks it).
			slices.SortFunc(current, func(a, b *store.SigningKey) int {
				return cmp.Or(cmp.Compare(serialOf(a.KID, region), serialOf(b.KID, region)), cmp.Compare(a.KID, b.KID))
			})
			if n := len(current); n > 0 {
				newest := current[n-1]
				if minAge > 0 && now.Sub(newest.CreatedAt) < minAge {
					r.Current, r.Skipped = newest.KID, true
					return nil
				}
				r.Retired = newest.KID
			}
			for _, rec := range current {
				if err := tx.RetireSigningKey(rec.KID, now); err != nil {
					return err
				}
			}
			r.Current = region + "-" + strconv.Itoa(top+1)
			return tx.AddSigningKey(&store.SigningKey{
				KID: r.Current, Region: region, Algorithm: alg, PrivatePEM: pemBytes, CreatedAt: now,
			})
		})
		// ErrExists: another process took that kid meanwhile; go round and
		// number past it (or find its key young enough to keep).
		if !errors.Is(err, store.ErrExists) {
			break
		}
	}
	if err != nil {
		return Rotation{}, fmt.Errorf("tokens: rotating the %s signing key: %w", region, err)
	}
	return r, nil
}

func newKeyPEM() ([]byte, error) {
	priv, err := rsa.GenerateKey(rand.Reader, keyBits)
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// KeyInfo describes one signing key (never its private half).
type KeyInfo struct {
	KID     string
	Region  string
	Created time.Time
	// Retired is zero while the key signs.
	Retired time.Time
	// PublishedUntil is when a retired key leaves the JWKS (zero while it
	// signs).
	PublishedUntil time.Time
}

// Regions lists, sorted, the regions that have an RS512 signing key.
func (k *Keyring) Regions(ctx context.Context) ([]string, error) {
	infos, err := k.Keys(ctx)
	if err != nil {
		return nil, err
	}
	var regions []string
	for _, ki := range infos {
		regions = append(regions, ki.Region)
	}
	return slices.Compact(regions), nil // Keys sorts by region first
}

// Keys lists the RS512 signing keys in the store, by region and serial.
func (k *Keyring) Keys(ctx context.Context) ([]KeyInfo, error) {
	var recs []*store.SigningKey
	err := k.st.View(ctx, func(tx store.Tx) error {
		var err error
		recs, err = tx.ListSigningKeys()
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("tokens: listing signing keys: %w", err)
	}
	var out []KeyInfo
	for _, r := range recs {
		if r.Algorithm != alg {
			continue
		}
		ki := KeyInfo{KID: r.KID, Region: r.Region, Created: r.CreatedAt, Retired: r.RetiredAt}
		if !r.RetiredAt.IsZero() {
			ki.PublishedUntil = r.RetiredAt.Add(RetiredKeyLifetime)
		}
		out = append(out, ki)
	}
	slices.SortFunc(out, func(a, b KeyInfo) int {
		return cmp.Or(cmp.Compare(a.Region, b.Region), cmp.Compare(serialOf(a.KID, a.Region), serialOf(b.KID, b.Region)), cmp.Compare(a.KID, b.KID))
	})
	return out, nil
}

// JWKSPath and DiscoveryPath are where the server publishes the key set
// (AWS's own path for Cognito Identity) and the OpenID discovery document.
const (
	JWKSPath      = "/.well-known/jwks_uri"
	DiscoveryPath = "/.well-known/openid-configuration"
)

// Discovery returns the OpenID Connect discovery document of the issuer:
// enough for generic verifiers (go-oidc, MinIO's AssumeRoleWithWebIdentity,
// anything that starts from <issuer>/.well-known/openid-configuration) to
// find the keys and the algorithm. cognitod issues tokens only through the
// Cognito API, so there is no authorization or token endpoint.
func (k *Keyring) Discovery() []byte {
	doc := struct {
		Issuer          string   `json:"issuer"`
		JWKSURI         string   `json:"jwks_uri"`
		ResponseTypes   []string `json:"response_types_supported"`
		SubjectTypes    []string `json:"subject_types_supported"`
		SigningAlgs     []string `json:"id_token_signing_alg_values_supported"`
		ScopesSupported []string `json:"scopes_supported"`
		ClaimsSupported []string `json:"claims_supported"`
	}{
		Issuer:          k.issuer,
		JWKSURI:         k.issuer + JWKSPath,
		ResponseTypes:   []string{"id_token"},
		SubjectTypes:    []string{"public"},
		SigningAlgs:     []string{alg},
		ScopesSupported: []string{"openid"},
		ClaimsSupported: []string{"iss", "sub", "aud", "exp", "iat", "amr",
			"https://cognito-identity.amazonaws.com/identity-pool-arn", "https://aws.amazon.com/tags"},
	}
	b, err := json.Marshal(doc)
	if err != nil {
		panic(err) // strings only
	}
	return b
}
