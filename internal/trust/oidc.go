package trust

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
)

const (
	// rediscoverAfter spaces discovery attempts of an issuer that failed.
	rediscoverAfter = 5 * time.Second
	// fetchTimeout bounds every request to a provider.
	fetchTimeout = 10 * time.Second
)

// oidcIssuer verifies the ID tokens of one issuer. Its discovery document
// is fetched on first use (so cognitod starts while a local IdP does not yet
// run) and its keys are cached in a keySet.
type oidcIssuer struct {
	issuer    string // expected iss
	discovery string // base URL of /.well-known/openid-configuration
	jwksURL   string // set: no discovery
	algs      []string
	client    *http.Client
	log       *slog.Logger

	mu       sync.Mutex
	keys     *keySet
	accepted []string
	failedAt time.Time
}

func newOIDCIssuer(issuer, discovery, jwksURL string, algs []string, client *http.Client, log *slog.Logger) *oidcIssuer {
	issuer = strings.TrimRight(issuer, "/")
	if discovery == "" {
		discovery = issuer
	}
	return &oidcIssuer{issuer: issuer, discovery: strings.TrimRight(discovery, "/"), jwksURL: jwksURL, algs: algs, client: client, log: log}
}

// ready discovers the issuer's JWKS and algorithms once.
func (o *oidcIssuer) ready(ctx context.Context) (*keySet, []string, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.keys != nil {
		return o.keys, o.accepted, nil
	}
	if !o.failedAt.IsZero() && time.Since(o.failedAt) < rediscoverAfter {
		return nil, nil, errFetch
	}
	jwks, discovered := o.jwksURL, []string(nil)
	if jwks == "" {
		dctx, cancel := context.WithTimeout(oidc.ClientContext(ctx, o.client), fetchTimeout)
		defer cancel()
		if o.discovery != o.issuer {
			// The discovery document lives elsewhere than the issuer (a
			// local IdP standing in for AWS): tokens must still carry the
			// configured issuer.
			dctx = oidc.InsecureIssuerURLContext(dctx, o.issuer)
		}
		p, err := oidc.NewProvider(dctx, o.discovery)
		if err != nil {
			o.failedAt = time.Now()
			o.log.Warn("OpenID Connect discovery failed", "issuer", o.issuer, "discovery", o.discovery+"/.well-known/openid-configuration", "err", err)
			return nil, nil, errFetch
		}
		var doc struct {
			JWKSURI string   `json:"jwks_uri"`
			Algs    []string `json:"id_token_signing_alg_values_supported"`
		}
		if err := p.Claims(&doc); err != nil || doc.JWKSURI == "" {
			o.failedAt = time.Now()
			o.log.Warn("OpenID Connect discovery document has no jwks_uri", "issuer", o.issuer)
			return nil, nil, errFetch
		}
		jwks, discovered = doc.JWKSURI, doc.Algs
	}
	accepted := o.algs
	if len(accepted) == 0 {
		for _, a := range discovered {
			if acceptedAlgs[a] {
				accepted = append(accepted, a)
			}
		}
	}
	if len(accepted) == 0 {
		accepted = []string{"RS256"}
	}
	o.keys, o.accepted = newKeySet(jwks, o.client), accepted
	return o.keys, o.accepted, nil
}

// issuerMatches reports whether a token's iss names issuer (without a
// trailing slash); Google's tokens may say accounts.google.com bare.
func issuerMatches(issuer, iss string) bool {
	return strings.TrimRight(iss, "/") == issuer || issuer == "https://accounts.google.com" && iss == "accounts.google.com"
}

// audienceCheck says which audiences a token may carry and what to answer
// when it carries none of them.
type audienceCheck struct {
	allowed  []string
	mismatch string
}

// verify checks an ID token: issuer, algorithm, signature, exp, nbf, aud.
func (o *oidcIssuer) verify(ctx context.Context, name, token string, aud audienceCheck, now time.Time, skew time.Duration) (*Result, error) {
	hdr, claims := peekJWT(token)
	if claims == nil {
		return nil, invalid("Not a valid OpenId Connect identity token.")
	}
	iss, _ := claims["iss"].(string)
	if !issuerMatches(o.issuer, iss) {
		return nil, refused(MsgIssuerMismatch)
	}
	keys, accepted, err := o.ready(ctx)
	if err != nil {
		return nil, unavailable(name)
	}
	alg, _ := hdr["alg"].(string)
	if !slices.Contains(accepted, alg) {
		return nil, invalid(fmt.Sprintf("Token signing algorithm %q is not accepted.", alg))
	}
	v := oidc.NewVerifier(iss, keys, &oidc.Config{
		SupportedSigningAlgs: accepted,
		SkipClientIDCheck:    true, // several client IDs may be allowed: checked below
		SkipExpiryCheck:      true, // checked below, with the configured skew
	})
	vctx, fetchFailed := withFetchReport(ctx)
	tok, err := v.Verify(vctx, token)
	if err != nil {
		if fetchFailed.Load() || errors.Is(err, errFetch) {
			o.log.Warn("fetching the issuer's JWKS failed", "issuer", o.issuer, "err", err)
			return nil, unavailable(name)
		}
		return nil, refused(MsgBadSignature)
	}
	var verified map[string]any
	if err := tok.Claims(&verified); err != nil {
		return nil, refused(MsgBadSignature)
	}
	exp, ok := numericClaim(verified, "exp")
	if !ok {
		return nil, invalid("Missing a required claim: exp")
	}
	if !now.Before(time.Unix(exp, 0).Add(skew)) {
		return nil, invalid(fmt.Sprintf("Token expired: %d >= %d", now.Unix(), exp))
	}
	if nbf, ok := numericClaim(verified, "nbf"); ok && now.Add(skew).Before(time.Unix(nbf, 0)) {
		return nil, invalid(fmt.Sprintf("Token is not valid yet: %d < %d", now.Unix(), nbf))
	}
	if len(tok.Audience) == 0 {
		return nil, refused(MsgMissingAud)
	}
	if !slices.ContainsFunc(tok.Audience, func(a string) bool { return slices.Contains(aud.allowed, a) }) {
		return nil, refused(aud.mismatch)
	}
	if tok.Subject == "" {
		return nil, invalid("Missing a required claim: sub")
	}
	return &Result{Subject: tok.Subject, Claims: verified}, nil
}

// peekJWT decodes a JWT's header and claims without verifying anything.
func peekJWT(token string) (hdr, claims map[string]any) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, nil
	}
	h, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil || json.Unmarshal(h, &hdr) != nil {
		return nil, nil
	}
	return hdr, UnverifiedClaims(token)
}

// numericClaim reads a NumericDate claim (a JSON number, or a numeric string
// as some IdPs send).
func numericClaim(claims map[string]any, name string) (int64, bool) {
	switch v := claims[name].(type) {
	case float64:
		return int64(v), true
	case json.Number:
		n, err := v.Int64()
		return n, err == nil
	case string:
		n, err := strconv.ParseInt(v, 10, 64)
		return n, err == nil
	}
	return 0, false
}
