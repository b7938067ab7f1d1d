// Package auth decides who is calling: it verifies a request's SigV4
// signature against developer keys or against the temporary credentials that
// Cognito Identity minted, and names the account (and, for temporary
// credentials, the identity) the request acts for.
package auth

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"time"

	"github.com/cognitod/cognitod/internal/awsproto"
	"github.com/cognitod/cognitod/internal/sigv4"
	"github.com/cognitod/cognitod/internal/tokens"
)

// Mode is how signatures are checked.
type Mode string

const (
	// ModeSigV4 verifies every signature against the configured keys.
	ModeSigV4 Mode = "sigv4"
	// ModeAny accepts any well-formed SigV4 request, as local emulators do.
	// A configured key acts for its account; a 12-digit key ID is taken as
	// the account; any other key means DefaultAccount.
	ModeAny Mode = "any"
)

// DefaultAccount is the account of requests that name none.
const DefaultAccount = "000000000000"

// Caller is the principal a request acts for.
type Caller struct {
	Account     string
	Region      string // from the credential scope
	Service     string // from the credential scope
	AccessKeyID string
	// Session is set when the request was signed with temporary credentials
	// of an identity (from GetCredentialsForIdentity).
	Session *tokens.Session
}

// Developer reports whether the caller holds developer (account) credentials
// rather than an identity's temporary credentials.
func (c *Caller) Developer() bool { return c.Session == nil }

// Owns reports whether the caller signs for account in region, i.e. may
// see and act on that account's resources there (a pool it created). A nil
// Caller (an unsigned request) owns nothing.
func (c *Caller) Owns(account, region string) bool {
	return c != nil && c.Account == account && c.Region == region
}

// Authenticator verifies requests.
type Authenticator struct {
	mode   Mode
	keys   *Keys
	sealer *tokens.Sealer
	now    func() time.Time
}

// New returns an Authenticator. keys may be empty under ModeAny.
func New(mode Mode, keys *Keys, sealer *tokens.Sealer) *Authenticator {
	if keys == nil {
		keys = &Keys{}
	}
	return &Authenticator{mode: mode, keys: keys, sealer: sealer, now: time.Now}
}

// Mode returns the authentication mode.
func (a *Authenticator) Mode() Mode { return a.mode }

var twelveDigits = regexp.MustCompile(`^[0-9]{12}$`)

// Messages AWS answers for credential problems.
const (
	msgMissing      = "Missing Authentication Token"
	msgInvalidToken = "The security token included in the request is invalid."
	msgExpiredToken = "The security token included in the request is expired"
)

// Authenticate checks r's signature (body is r's full body), made for
// service (its signing name: cognito-identity or cognito-sync), and returns
// the caller, or an *awsproto.Error as AWS answers it.
func (a *Authenticator) Authenticate(r *http.Request, body []byte, service string) (*Caller, error) {
	p, err := sigv4.Parse(r)
	if err != nil {
		return nil, sigErr(err)
	}
	// The scope names the service the signing key was derived for: a
	// signature made for another service (S3, say) is not one for this,
	// whatever its secret. Not under --auth any, which checks no signature.
	if a.mode == ModeSigV4 && p.Service != service {
		return nil, &awsproto.Error{Code: awsproto.CodeInvalidSignature, Message: fmt.Sprintf("Credential should be scoped to correct service: '%s'. ", service)}
	}
	now := a.now()
	c := &Caller{Region: p.Region, Service: p.Service, AccessKeyID: p.AccessKeyID}

	// Temporary credentials carry their own secret, sealed in the session
	// token, so any node verifies them without a lookup.
	var sess *tokens.Session
	if p.SecurityToken != "" && a.sealer != nil {
		s, err := a.sealer.Open(p.SecurityToken, now)
		switch {
		case err == nil:
			// A session is issued for one region's pool; like AWS's, it is
			// no token in another region.
			if s.AccessKeyID != p.AccessKeyID || (s.Region != "" && s.Region != p.Region) {
				return nil, &awsproto.Error{Code: awsproto.CodeUnrecognizedClient, Message: msgInvalidToken}
			}
			sess = s
		case errors.Is(err, tokens.ErrTokenExpired):
			return nil, &awsproto.Error{Code: awsproto.CodeExpiredToken, Message: msgExpiredToken}
		case a.mode == ModeSigV4:
			return nil, &awsproto.Error{Code: awsproto.CodeUnrecognizedClient, Message: msgInvalidToken}
		}
	}

	if a.mode == ModeAny {
		// A key the server was given (environment, keys file, seed) acts
		// for its own account even here, so a seeded fixture's key reaches
		// the seeded pools; its signature is not checked, as no other is.
		if sess == nil {
			if k, ok := a.keys.Lookup(p.AccessKeyID); ok {
				c.Account = k.Account
				return c, nil
			}
		}
		switch {
		case sess != nil:
			c.Account, c.Session = sess.Account, sess
		case twelveDigits.MatchString(p.AccessKeyID):
			c.Account = p.AccessKeyID
		default:
			c.Account = DefaultAccount
		}
		return c, nil
	}

	var secret string
	if sess != nil {
		secret, c.Account, c.Session = sess.SecretKey, sess.Account, sess
	} else {
		k, ok := a.keys.Lookup(p.AccessKeyID)
		if !ok {
			return nil, &awsproto.Error{Code: awsproto.CodeUnrecognizedClient, Message: msgInvalidToken}
		}
		secret, c.Account = k.Secret, k.Account
	}
	if err := sigv4.Verify(r, body, p, secret, now); err != nil {
		return nil, sigErr(err)
	}
	return c, nil
}

func sigErr(err error) error {
	if errors.Is(err, sigv4.ErrMissing) {
		return &awsproto.Error{Code: awsproto.CodeMissingAuthenticationToken, Message: msgMissing}
	}
	var se *sigv4.Error
	if errors.As(err, &se) {
		return &awsproto.Error{Code: se.Code, Message: se.Message}
	}
	return &awsproto.Error{Code: awsproto.CodeIncompleteSignature, Message: fmt.Sprintf("Invalid signature: %v", err)}
}
