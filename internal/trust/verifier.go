package trust

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"
)

// Registry is the verifier of --logins verify. It holds one verifier per
// issuer (discovery document and JWKS cached) and dispatches each login to
// its provider's check.
type Registry struct {
	cfg    *Config
	client *http.Client
	log    *slog.Logger

	mu      sync.Mutex
	issuers map[string]*oidcIssuer
}

// awsUserPool matches the names of real Cognito user pools, whose issuer is
// https://<name>. Any other user pool name needs its issuer configured: the
// name comes from a pool's configuration, and cognitod must not fetch
// discovery documents from wherever a caller points it.
var awsUserPool = regexp.MustCompile(`^cognito-idp\.[a-z]{2}(-[a-z]+)+-\d\.amazonaws\.com(\.cn)?/[a-z]{2}(-[a-z]+)+-\d_[0-9A-Za-z]+$`)

// maxIssuers bounds the issuer cache (user pools named by pools' own
// configuration each get one).
const maxIssuers = 10000

// NewRegistry returns a verifying Verifier. cfg may be nil (no
// --logins-config): then Cognito user pools, Google and Apple are verified
// against their public issuers and every other provider is refused with a
// message saying what to configure. client nil means a default client with
// a 10-second timeout.
func NewRegistry(cfg *Config, client *http.Client, log *slog.Logger) *Registry {
	if cfg == nil {
		cfg = &Config{Providers: map[string]*Provider{}}
	}
	if client == nil {
		client = &http.Client{Timeout: fetchTimeout}
	}
	if log == nil {
		log = slog.Default()
	}
	return &Registry{cfg: cfg, client: client, log: log, issuers: map[string]*oidcIssuer{}}
}

// Verify implements Verifier.
func (r *Registry) Verify(ctx context.Context, l *Login, now time.Time) (*Result, error) {
	res, err := r.verify(ctx, l, now)
	if err != nil {
		// Never the token: only who and why.
		r.log.Debug("login refused", "provider", l.Name, "kind", l.Kind.String(), "reason", err.Error())
		return nil, err
	}
	return res, nil
}

func (r *Registry) verify(ctx context.Context, l *Login, now time.Time) (*Result, error) {
	p := r.cfg.provider(l)
	switch l.Kind {
	case UserPool:
		// The real issuer unless mapped to a stand-in; aud must be one of
		// the app clients the identity pool lists for this user pool. A
		// token of another app client is, as AWS words it, not from a
		// supported provider.
		def := ""
		if awsUserPool.MatchString(l.Name) {
			def = "https://" + l.Name
		}
		return r.verifyOIDC(ctx, l, p, def, audienceCheck{l.ClientIDs, MsgUnsupportedProvider}, now)
	case OIDC:
		if p == nil || len(p.ClientIDs) == 0 {
			key := l.Name
			if l.ARN != "" {
				key = l.ARN
			}
			return nil, notConfigured(l.Name, fmt.Sprintf(`set providers[%q].clientIds (the audiences its ID tokens are issued to, as the IAM OIDC provider's client ID list on AWS)`, key))
		}
		return r.verifyOIDC(ctx, l, p, "https://"+l.Name, audienceCheck{p.ClientIDs, MsgWrongAudience}, now)
	case SAML:
		return r.verifySAML(l, p, now)
	case Public:
		if p != nil && p.isOIDC() {
			return r.verifyOIDC(ctx, l, p, "", audienceCheck{append(append([]string(nil), l.ClientIDs...), p.ClientIDs...), MsgWrongAudience}, now)
		}
		switch l.Name {
		case Google, Apple:
			var extra []string
			if p != nil {
				extra = p.ClientIDs
			}
			return r.verifyOIDC(ctx, l, p, "https://"+l.Name, audienceCheck{append(append([]string(nil), l.ClientIDs...), extra...), MsgWrongAudience}, now)
		case Facebook:
			return r.verifyFacebook(ctx, l, p, now)
		case Amazon:
			return r.verifyAmazon(ctx, l, p)
		case Twitter:
			return r.verifyTwitter(ctx, l, p)
		}
		return nil, notConfigured(l.Name, fmt.Sprintf(`map providers[%q] to its OpenID Connect issuer (issuer, clientIds)`, l.Name))
	}
	return nil, refused(MsgUnsupportedProvider)
}

// verifyOIDC verifies an ID token against the provider's issuer: the
// configured one, else defaultIssuer.
func (r *Registry) verifyOIDC(ctx context.Context, l *Login, p *Provider, defaultIssuer string, aud audienceCheck, now time.Time) (*Result, error) {
	issuer, discovery, jwks := defaultIssuer, "", ""
	var algs []string
	if p != nil {
		if p.Issuer != "" {
			issuer = p.Issuer
		}
		discovery, jwks, algs = p.DiscoveryURL, p.JWKSURL, p.Algorithms
	}
	if issuer == "" {
		return nil, notConfigured(l.Name, fmt.Sprintf(`set providers[%q].issuer`, l.Name))
	}
	// A token of another issuer is refused before anything is made or
	// fetched for this one: junk tokens must not fill the issuer cache.
	if _, claims := peekJWT(l.Token); claims == nil {
		return nil, invalid("Not a valid OpenId Connect identity token.")
	} else if iss, _ := claims["iss"].(string); !issuerMatches(strings.TrimRight(issuer, "/"), iss) {
		return nil, refused(MsgIssuerMismatch)
	}
	return r.issuer(issuer, discovery, jwks, algs).verify(ctx, l.Name, l.Token, aud, now, r.cfg.skew())
}

// issuer returns the cached verifier of an issuer.
func (r *Registry) issuer(issuer, discovery, jwks string, algs []string) *oidcIssuer {
	key := strings.Join([]string{issuer, discovery, jwks, strings.Join(algs, ",")}, "\x00")
	r.mu.Lock()
	defer r.mu.Unlock()
	if o := r.issuers[key]; o != nil {
		return o
	}
	o := newOIDCIssuer(issuer, discovery, jwks, algs, r.client, r.log)
	if len(r.issuers) >= maxIssuers {
		// Full: one entry, at random (a map's order), makes room. Every
		// issuer stays cached, so each keeps its refetch budget: verifying
		// uncached past the cap gave every call a fresh budget, and an
		// account that filled the cache with made-up issuers could then
		// have forged tokens hammer another tenant's IdP.
		for k := range r.issuers {
			delete(r.issuers, k)
			break
		}
	}
	r.issuers[key] = o
	return o
}
