package trust

import (
	"bytes"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Config is the --logins-config file (JSON; see docs/LOGINS.md): how to
// verify the tokens of each provider, keyed by login name or provider ARN.
type Config struct {
	// ClockSkew tolerated on exp, nbf and SAML validity windows ("60s").
	ClockSkew Duration `json:"clockSkew,omitempty"`
	// Providers by login name (cognito-idp.us-east-1.amazonaws.com/us-east-1_Ab12,
	// login.example.com, accounts.google.com, graph.facebook.com...) or by ARN
	// (arn:aws:iam::123456789012:oidc-provider/login.example.com,
	// arn:aws:iam::123456789012:saml-provider/Corp).
	Providers map[string]*Provider `json:"providers"`
}

// Provider says how to verify one provider's tokens. Which fields apply
// depends on the provider: OpenID Connect issuers (user pools, OIDC
// providers, Google, Apple) use Issuer, DiscoveryURL, JWKSURL, ClientIDs and
// Algorithms; Facebook, Login with Amazon and Twitter use TokenCheckURL and
// their credentials; SAML providers use Certificate(File), Audience, Issuer
// and Recipient.
type Provider struct {
	// Issuer is the iss claim the tokens carry (the real issuer URL of the
	// IdP standing in, e.g. http://localhost:9229/us-east-1_Ab12 for
	// cognito-local); for SAML, the IdP's entity ID (optional).
	Issuer string `json:"issuer,omitempty"`
	// DiscoveryURL is the base URL serving /.well-known/openid-configuration
	// when it is not Issuer.
	DiscoveryURL string `json:"discoveryURL,omitempty"`
	// JWKSURL skips discovery: the issuer's keys are fetched from here.
	JWKSURL string `json:"jwksURL,omitempty"`
	// ClientIDs are the audiences accepted for an OpenID Connect provider (as
	// the IAM OIDC provider's client ID list on AWS); for Google and Apple they
	// add to the pool's SupportedLoginProviders value.
	ClientIDs []string `json:"clientIds,omitempty"`
	// Algorithms accepted (default: those of the discovery document, else
	// RS256). Only asymmetric algorithms are ever accepted.
	Algorithms []string `json:"algorithms,omitempty"`

	// TokenCheckURL is the full URL of the token-check endpoint (Facebook's
	// debug_token, Amazon's tokeninfo, Twitter's verify_credentials);
	// default the provider's public one.
	TokenCheckURL string `json:"tokenCheckURL,omitempty"`
	// Facebook: the app access token for debug_token, or the app's ID and
	// secret it is made of ("appId|appSecret"); appId defaults to the pool's
	// SupportedLoginProviders value.
	AppID          string `json:"appId,omitempty"`
	AppSecret      string `json:"appSecret,omitempty"`
	AppAccessToken string `json:"appAccessToken,omitempty"`
	// Twitter: the consumer key and secret, when the pool's
	// SupportedLoginProviders value is not "consumerKey;consumerSecret".
	ConsumerKey    string `json:"consumerKey,omitempty"`
	ConsumerSecret string `json:"consumerSecret,omitempty"`

	// SAML: the IdP's signing certificate(s), PEM, inline or in a file
	// (relative to the configuration file).
	Certificate     string `json:"certificate,omitempty"`
	CertificateFile string `json:"certificateFile,omitempty"`
	// Audience the assertion must be restricted to (default
	// urn:amazon:webservices, as AWS requires).
	Audience string `json:"audience,omitempty"`
	// Recipient the bearer SubjectConfirmationData must name, if set.
	Recipient string `json:"recipient,omitempty"`

	certs []*x509.Certificate
}

// Duration is a time.Duration written as "60s" in JSON.
type Duration time.Duration

func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return errors.New(`want a duration such as "60s"`)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	if v < 0 {
		return errors.New("must not be negative")
	}
	*d = Duration(v)
	return nil
}

func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// DefaultClockSkew is tolerated on exp, nbf and SAML validity windows.
const DefaultClockSkew = 60 * time.Second

// Public providers verified through token-check endpoints, and their
// public endpoints.
const (
	Facebook = "graph.facebook.com"
	Amazon   = "www.amazon.com"
	Twitter  = "api.twitter.com"
	Google   = "accounts.google.com"
	Apple    = "appleid.apple.com"

	facebookTokenCheck = "https://graph.facebook.com/debug_token"
	amazonTokenCheck   = "https://api.amazon.com/auth/o2/tokeninfo"
	twitterTokenCheck  = "https://api.twitter.com/1.1/account/verify_credentials.json"

	// DefaultSAMLAudience is the audience AWS requires of SAML assertions.
	DefaultSAMLAudience = "urn:amazon:webservices"
)

// LoadConfig reads and checks a --logins-config file.
func LoadConfig(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	c, err := ParseConfig(b, filepath.Dir(path))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// ParseConfig decodes and checks a configuration; dir resolves relative
// certificate files.
func ParseConfig(b []byte, dir string) (*Config, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	c := &Config{}
	if err := dec.Decode(c); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("trailing data after the JSON object")
	}
	if c.Providers == nil {
		c.Providers = map[string]*Provider{}
	}
	names := make([]string, 0, len(c.Providers))
	for n := range c.Providers {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		p := c.Providers[name]
		if p == nil {
			p = &Provider{}
			c.Providers[name] = p
		}
		if err := p.check(name, dir); err != nil {
			return nil, fmt.Errorf("providers[%q]: %w", name, err)
		}
	}
	return c, nil
}

func (c *Config) skew() time.Duration {
	if c == nil || c.ClockSkew == 0 {
		return DefaultClockSkew
	}
	return time.Duration(c.ClockSkew)
}

// provider returns the configuration of a login: by ARN first (OIDC
// providers may be configured either way), then by login name.
func (c *Config) provider(l *Login) *Provider {
	if c == nil {
		return nil
	}
	if l.ARN != "" {
		if p := c.Providers[l.ARN]; p != nil {
			return p
		}
	}
	return c.Providers[l.Name]
}

// isSAMLName reports whether a provider key is a SAML provider ARN.
func isSAMLName(name string) bool {
	return strings.HasPrefix(name, "arn:") && strings.Contains(name, ":saml-provider/")
}

func (p *Provider) isOIDC() bool { return p.Issuer != "" || p.JWKSURL != "" || p.DiscoveryURL != "" }

func (p *Provider) check(name, dir string) error {
	for field, u := range map[string]string{"issuer": p.Issuer, "discoveryURL": p.DiscoveryURL, "jwksURL": p.JWKSURL, "tokenCheckURL": p.TokenCheckURL} {
		if u == "" || (field == "issuer" && isSAMLName(name)) {
			continue
		}
		pu, err := url.Parse(u)
		if err != nil || (pu.Scheme != "https" && pu.Scheme != "http") || pu.Host == "" {
			return fmt.Errorf("%s %q: want an http(s) URL", field, u)
		}
	}
	for _, a := range p.Algorithms {
		if !acceptedAlgs[a] {
			return fmt.Errorf("algorithm %q is not accepted (want one of RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA)", a)
		}
	}
	if isSAMLName(name) {
		if p.Certificate == "" && p.CertificateFile == "" {
			return errors.New("a SAML provider needs certificate or certificateFile (the IdP's signing certificate, PEM)")
		}
		pemData := []byte(p.Certificate)
		if p.CertificateFile != "" {
			f := p.CertificateFile
			if !filepath.IsAbs(f) {
				f = filepath.Join(dir, f)
			}
			b, err := os.ReadFile(f)
			if err != nil {
				return err
			}
			pemData = append(append(pemData, '\n'), b...)
		}
		certs, err := parseCerts(pemData)
		if err != nil {
			return err
		}
		p.certs = certs
		return nil
	}
	if p.Certificate != "" || p.CertificateFile != "" || p.Audience != "" || p.Recipient != "" {
		return errors.New("certificate, audience and recipient apply to SAML providers (keyed by their arn:aws:iam::<account>:saml-provider/<name> ARN) only")
	}
	if p.TokenCheckURL != "" && p.isOIDC() {
		return errors.New("set either tokenCheckURL or issuer/discoveryURL/jwksURL, not both")
	}
	switch name {
	case Facebook:
		if !p.isOIDC() && p.AppAccessToken == "" && p.AppSecret == "" {
			return errors.New("graph.facebook.com needs appSecret (with appId, or the pool's app ID) or appAccessToken for the debug_token check")
		}
	case Amazon, Twitter:
	default:
		if p.TokenCheckURL != "" {
			return fmt.Errorf("tokenCheckURL applies to %s, %s and %s only", Facebook, Amazon, Twitter)
		}
	}
	return nil
}

func parseCerts(b []byte) ([]*x509.Certificate, error) {
	var certs []*x509.Certificate
	for {
		var blk *pem.Block
		blk, b = pem.Decode(b)
		if blk == nil {
			break
		}
		if blk.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(blk.Bytes)
		if err != nil {
			return nil, fmt.Errorf("certificate: %w", err)
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return nil, errors.New("certificate: no PEM CERTIFICATE block found")
	}
	return certs, nil
}
