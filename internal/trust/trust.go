// Package trust verifies the login tokens clients present in Cognito
// Identity's Logins maps: the ID tokens of Cognito user pools and OpenID
// Connect providers (signature against the issuer's JWKS, iss, aud, exp, nbf),
// Google and Apple as OpenID Connect issuers, Facebook, Login with Amazon and
// Twitter through their token-check endpoints, and SAML responses (XML
// signature against the IdP's certificate, audience, validity window).
//
// The identity service asks a Verifier for the subject of every login from a
// provider the pool configures, except its developer provider and the OpenID
// tokens cognitod issued itself (those are checked against its own keyring).
// Under --logins trust, Trust stands in: tokens are taken as presented, as
// local emulators do.
package trust

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"time"
)

// Mode is the --logins setting.
type Mode string

const (
	ModeVerify Mode = "verify" // verify every upstream login token
	ModeTrust  Mode = "trust"  // take tokens as presented (emulator use)
)

// Kind says how the identity pool configures a login provider.
type Kind int

const (
	UserPool Kind = iota + 1 // CognitoIdentityProviders: cognito-idp.<region>.amazonaws.com/<userPoolId>
	OIDC                     // OpenIdConnectProviderARNs: login name = host/path of the IAM provider ARN
	Public                   // SupportedLoginProviders: graph.facebook.com, accounts.google.com...
	SAML                     // SamlProviderARNs: login name = the ARN
)

func (k Kind) String() string {
	switch k {
	case UserPool:
		return "Cognito user pool"
	case OIDC:
		return "OpenID Connect provider"
	case Public:
		return "login provider"
	case SAML:
		return "SAML provider"
	}
	return "provider"
}

// Login is one entry of a request's Logins map, with what the identity pool
// says about its provider.
type Login struct {
	Name string // the Logins key
	Kind Kind
	// ARN of the IAM OpenID Connect provider (Kind OIDC).
	ARN string
	// ClientIDs the token must be issued to: for a user pool, the ClientIds
	// the pool lists for it; for a public provider, the app or client IDs of
	// its SupportedLoginProviders value (comma-separated there).
	ClientIDs []string
	// Value is the raw SupportedLoginProviders value (Kind Public); Twitter's
	// is "consumerKey;consumerSecret".
	Value string
	Token string
}

// Result is what a verified token vouches for.
type Result struct {
	Subject string
	// Claims of the token (JWT claims, token-check answers, SAML attributes),
	// for role mapping rules.
	Claims map[string]any
}

// Verifier verifies login tokens. Errors are *Error.
type Verifier interface {
	Verify(ctx context.Context, l *Login, now time.Time) (*Result, error)
}

// Error is a refused login. Unavailable means the provider could not be
// asked (network, 5xx): the caller answers ExternalServiceException, not
// NotAuthorizedException.
type Error struct {
	Message     string
	Unavailable bool
}

func (e *Error) Error() string { return e.Message }

// Messages AWS answers, verbatim.
const (
	MsgUnsupportedProvider = "Token is not from a supported provider of this identity pool."
	MsgIssuerMismatch      = "Invalid login token. Issuer doesn't match providerName"
	MsgMissingAud          = "Invalid login token. Missing a required claim: aud"
	MsgBadSignature        = "Invalid login token. Couldn't verify signed token."
	MsgWrongAudience       = "Invalid login token. Incorrect token audience."
)

func invalid(reason string) *Error { return &Error{Message: "Invalid login token. " + reason} }

func refused(msg string) *Error { return &Error{Message: msg} }

func unavailable(name string) *Error {
	return &Error{Message: "Could not verify the login token with " + name + ": the provider did not answer.", Unavailable: true}
}

// Trust is the verifier of --logins trust: every token is taken as
// presented. Its subject is the JWT sub claim when the token is a JWT with
// one, else the token itself.
type Trust struct{}

// Verify implements Verifier.
func (Trust) Verify(_ context.Context, l *Login, _ time.Time) (*Result, error) {
	r := &Result{}
	if claims := UnverifiedClaims(l.Token); claims != nil {
		r.Claims = claims
		if sub, _ := claims["sub"].(string); sub != "" {
			r.Subject = sub
		}
	}
	if r.Subject == "" {
		r.Subject = l.Token
		if l.Name == Twitter {
			// "accessToken;accessSecret": the access token names the
			// user; the secret is not kept, nor put in a token's amr.
			r.Subject, _, _ = strings.Cut(l.Token, ";")
		}
	}
	return r, nil
}

// UnverifiedClaims returns the claims of a JWT without verifying it, or nil
// when token is not one.
func UnverifiedClaims(token string) map[string]any {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil
	}
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return nil
	}
	var claims map[string]any
	if json.Unmarshal(b, &claims) != nil {
		return nil
	}
	return claims
}

// splitList splits a comma-separated list, dropping blanks.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// SplitClientIDs splits a SupportedLoginProviders value into its app or
// client IDs (AWS accepts several, comma-separated).
func SplitClientIDs(v string) []string { return splitList(v) }
