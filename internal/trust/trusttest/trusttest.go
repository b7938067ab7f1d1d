// Package trusttest provides stand-in identity providers for tests: an
// OpenID Connect issuer (discovery document, JWKS, RS256 ID tokens, key
// rotation) and a SAML IdP (self-signed certificate, signed responses).
package trusttest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/beevik/etree"
	jose "github.com/go-jose/go-jose/v4"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/cognitod/cognitod/internal/trust"
)

// Issuer is an in-process OpenID Connect issuer.
type Issuer struct {
	*httptest.Server
	// URL is the issuer (the iss of its tokens).
	URL string

	mu   sync.Mutex
	keys []*signingKey // keys[0] signs; all are published
	n    int
	// JWKSFetches counts GETs of the JWKS.
	JWKSFetches atomic.Int32
}

type signingKey struct {
	kid  string
	priv *rsa.PrivateKey
}

// NewIssuer starts an issuer with one RS256 key; path is appended to the
// server URL to form the issuer URL (e.g. "/us-east-1_Test", as a user
// pool's issuer is).
func NewIssuer(t testing.TB, path string) *Issuer {
	t.Helper()
	is := &Issuer{}
	mux := http.NewServeMux()
	is.Server = httptest.NewServer(mux)
	t.Cleanup(is.Server.Close)
	is.URL = is.Server.URL + path
	mux.HandleFunc("GET "+path+"/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{
			"issuer":                                is.URL,
			"jwks_uri":                              is.URL + "/.well-known/jwks.json",
			"id_token_signing_alg_values_supported": []string{"RS256"},
			"response_types_supported":              []string{"id_token"},
			"subject_types_supported":               []string{"public"},
		})
	})
	mux.HandleFunc("GET "+path+"/.well-known/jwks.json", func(w http.ResponseWriter, r *http.Request) {
		is.JWKSFetches.Add(1)
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(is.JWKS())
	})
	is.Rotate()
	return is
}

// JWKS returns the published keys.
func (is *Issuer) JWKS() jose.JSONWebKeySet {
	is.mu.Lock()
	defer is.mu.Unlock()
	var set jose.JSONWebKeySet
	for _, k := range is.keys {
		set.Keys = append(set.Keys, jose.JSONWebKey{Key: &k.priv.PublicKey, KeyID: k.kid, Algorithm: "RS256", Use: "sig"})
	}
	return set
}

// Rotate adds a new signing key (published alongside the old ones) and
// returns its kid.
func (is *Issuer) Rotate() string {
	k := &signingKey{priv: NewRSAKey()}
	is.mu.Lock()
	defer is.mu.Unlock()
	is.n++
	k.kid = fmt.Sprintf("key-%d", is.n)
	is.keys = append([]*signingKey{k}, is.keys...)
	return k.kid
}

// PublicKeyPEM returns the current signing key's public key, PKIX PEM (the
// "secret" of an HS256 key-confusion forgery).
func (is *Issuer) PublicKeyPEM() []byte {
	is.mu.Lock()
	defer is.mu.Unlock()
	der, _ := x509.MarshalPKIXPublicKey(&is.keys[0].priv.PublicKey)
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

// Claims returns valid claims for sub and aud: iss, iat, exp in an hour.
func (is *Issuer) Claims(sub, aud string) map[string]any {
	now := time.Now()
	return map[string]any{"iss": is.URL, "sub": sub, "aud": aud, "iat": now.Unix(), "exp": now.Add(time.Hour).Unix(), "token_use": "id"}
}

// Token signs claims with the current key (RS256, kid set).
func (is *Issuer) Token(claims map[string]any) string {
	is.mu.Lock()
	k := is.keys[0]
	is.mu.Unlock()
	return SignRS256(k.priv, k.kid, claims)
}

// SignRS256 signs claims as a compact JWT.
func SignRS256(key *rsa.PrivateKey, kid string, claims map[string]any) string {
	opts := (&jose.SignerOptions{}).WithType("JWT")
	if kid != "" {
		opts = opts.WithHeader("kid", kid)
	}
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key}, opts)
	if err != nil {
		panic(err)
	}
	return sign(s, claims)
}

// SignHS256 signs claims with HMAC-SHA256 under secret, naming kid.
func SignHS256(secret []byte, kid string, claims map[string]any) string {
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: secret}, (&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", kid))
	if err != nil {
		panic(err)
	}
	return sign(s, claims)
}

func sign(s jose.Signer, claims map[string]any) string {
	b, _ := json.Marshal(claims)
	jws, err := s.Sign(b)
	if err != nil {
		panic(err)
	}
	out, err := jws.CompactSerialize()
	if err != nil {
		panic(err)
	}
	return out
}

// Unsigned returns an alg "none" JWT of claims.
func Unsigned(kid string, claims map[string]any) string {
	h, _ := json.Marshal(map[string]string{"alg": "none", "typ": "JWT", "kid": kid})
	b, _ := json.Marshal(claims)
	return base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(b) + "."
}

// CurrentKID returns the kid of the signing key.
func (is *Issuer) CurrentKID() string {
	is.mu.Lock()
	defer is.mu.Unlock()
	return is.keys[0].kid
}

// NewRSAKey returns a 2048-bit RSA key.
func NewRSAKey() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
}

// SAMLIdP signs SAML responses with a self-signed certificate.
type SAMLIdP struct {
	EntityID string
	Key      *rsa.PrivateKey
	Cert     *x509.Certificate
}

// NewSAMLIdP generates a key and a self-signed certificate valid for a day.
func NewSAMLIdP(entityID string) *SAMLIdP {
	key := NewRSAKey()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: entityID},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		panic(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return &SAMLIdP{EntityID: entityID, Key: key, Cert: cert}
}

// CertPEM returns the certificate, PEM.
func (idp *SAMLIdP) CertPEM() string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: idp.Cert.Raw}))
}

// Assertion describes a SAML assertion to issue.
type Assertion struct {
	NameID       string
	Audience     string
	NotBefore    time.Time
	NotOnOrAfter time.Time
	Recipient    string
	Attributes   map[string]string
	// SignResponse signs the whole Response instead of the Assertion.
	SignResponse bool
}

// Response returns a SAML Response holding one assertion, the assertion (or
// with SignResponse the response) signed: enveloped, RSA-SHA256, exclusive
// c14n.
func (idp *SAMLIdP) Response(a Assertion) string {
	doc := etree.NewDocument()
	resp := doc.CreateElement("samlp:Response")
	resp.CreateAttr("xmlns:samlp", "urn:oasis:names:tc:SAML:2.0:protocol")
	resp.CreateAttr("xmlns:saml", "urn:oasis:names:tc:SAML:2.0:assertion")
	resp.CreateAttr("ID", "_resp"+randID())
	resp.CreateAttr("Version", "2.0")
	resp.CreateAttr("IssueInstant", time.Now().UTC().Format(time.RFC3339))
	resp.CreateElement("saml:Issuer").SetText(idp.EntityID)
	resp.CreateElement("samlp:Status").CreateElement("samlp:StatusCode").CreateAttr("Value", "urn:oasis:names:tc:SAML:2.0:status:Success")

	as := etree.NewElement("saml:Assertion")
	as.CreateAttr("xmlns:saml", "urn:oasis:names:tc:SAML:2.0:assertion")
	as.CreateAttr("ID", "_a"+randID())
	as.CreateAttr("Version", "2.0")
	as.CreateAttr("IssueInstant", time.Now().UTC().Format(time.RFC3339))
	as.CreateElement("saml:Issuer").SetText(idp.EntityID)
	subj := as.CreateElement("saml:Subject")
	subj.CreateElement("saml:NameID").SetText(a.NameID)
	sc := subj.CreateElement("saml:SubjectConfirmation")
	sc.CreateAttr("Method", "urn:oasis:names:tc:SAML:2.0:cm:bearer")
	scd := sc.CreateElement("saml:SubjectConfirmationData")
	scd.CreateAttr("NotOnOrAfter", a.NotOnOrAfter.UTC().Format(time.RFC3339))
	if a.Recipient != "" {
		scd.CreateAttr("Recipient", a.Recipient)
	}
	cond := as.CreateElement("saml:Conditions")
	cond.CreateAttr("NotBefore", a.NotBefore.UTC().Format(time.RFC3339))
	cond.CreateAttr("NotOnOrAfter", a.NotOnOrAfter.UTC().Format(time.RFC3339))
	cond.CreateElement("saml:AudienceRestriction").CreateElement("saml:Audience").SetText(a.Audience)
	if len(a.Attributes) > 0 {
		st := as.CreateElement("saml:AttributeStatement")
		for k, v := range a.Attributes {
			at := st.CreateElement("saml:Attribute")
			at.CreateAttr("Name", k)
			at.CreateElement("saml:AttributeValue").SetText(v)
		}
	}

	ks := dsig.TLSCertKeyStore(tls.Certificate{Certificate: [][]byte{idp.Cert.Raw}, PrivateKey: idp.Key})
	ctx := dsig.NewDefaultSigningContext(ks)
	ctx.Canonicalizer = dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")
	if err := ctx.SetSignatureMethod(dsig.RSASHA256SignatureMethod); err != nil {
		panic(err)
	}
	if a.SignResponse {
		resp.AddChild(as)
		signed, err := ctx.SignEnveloped(resp)
		if err != nil {
			panic(err)
		}
		doc.SetRoot(signed)
	} else {
		signed, err := ctx.SignEnveloped(as)
		if err != nil {
			panic(err)
		}
		resp.AddChild(signed)
	}
	s, err := doc.WriteToString()
	if err != nil {
		panic(err)
	}
	return s
}

// Encode base64-encodes a SAML response, as clients put it in Logins.
func Encode(xml string) string { return base64.StdEncoding.EncodeToString([]byte(xml)) }

func randID() string {
	var b [12]byte
	rand.Read(b[:])
	return strings.TrimRight(base64.RawURLEncoding.EncodeToString(b[:]), "=")
}

// Token-check stand-ins: the tokens and apps TokenChecks knows.
const (
	FacebookAppID     = "123"
	FacebookAppSecret = "fbsecret"
	FacebookToken     = "fb-good"      // user fbuser of app 123
	FacebookOtherApp  = "fb-other-app" // valid, but for app 999
	FacebookUser      = "fbuser"

	AmazonAppID  = "amzn1.application.A"
	AmazonClient = "amzn1.application-oa2-client.C"
	AmazonToken  = "Atza|good"
	AmazonUser   = "amzn1.account.X"

	TwitterConsumer = "ck;cs" // the pool's value: consumerKey;consumerSecret
	TwitterToken    = "tw-token;tw-secret"
	TwitterUser     = "42"
)

// TokenChecks serves Facebook's debug_token, Login with Amazon's tokeninfo
// and Twitter's verify_credentials (OAuth 1.0a signature checked) for the
// tokens above; /down answers 503.
type TokenChecks struct {
	*httptest.Server
	FacebookURL, AmazonURL, TwitterURL, DownURL string
}

// NewTokenChecks starts the token-check stand-ins.
func NewTokenChecks(t testing.TB) *TokenChecks {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /fb/debug_token", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("access_token") != FacebookAppID+"|"+FacebookAppSecret {
			w.WriteHeader(400)
			io.WriteString(w, `{"error":{"message":"Invalid OAuth access token","type":"OAuthException","code":190}}`)
			return
		}
		exp := time.Now().Add(time.Hour).Unix()
		switch r.URL.Query().Get("input_token") {
		case FacebookToken:
			json.NewEncoder(w).Encode(map[string]any{"data": map[string]any{"app_id": FacebookAppID, "is_valid": true, "user_id": FacebookUser, "expires_at": exp}})
		case FacebookOtherApp:
			json.NewEncoder(w).Encode(map[string]any{"data": map[string]any{"app_id": "999", "is_valid": true, "user_id": FacebookUser, "expires_at": exp}})
		default:
			json.NewEncoder(w).Encode(map[string]any{"data": map[string]any{"is_valid": false, "error": map[string]any{"code": 190, "message": "Invalid OAuth access token."}}})
		}
	})
	mux.HandleFunc("GET /amzn/tokeninfo", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("access_token") != AmazonToken {
			w.WriteHeader(400)
			io.WriteString(w, `{"error":"invalid_token","error_description":"The request has an invalid parameter : access_token"}`)
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"iss": "https://www.amazon.com", "user_id": AmazonUser, "aud": AmazonClient, "app_id": AmazonAppID, "exp": 3597, "iat": time.Now().Unix()})
	})
	mux.HandleFunc("GET /tw/verify_credentials.json", func(w http.ResponseWriter, r *http.Request) {
		ck, cs, _ := strings.Cut(TwitterConsumer, ";")
		tok, secret, _ := strings.Cut(TwitterToken, ";")
		if !oauth1Signed(r, ck, cs, tok, secret) {
			w.WriteHeader(401)
			io.WriteString(w, `{"errors":[{"code":89,"message":"Invalid or expired token."}]}`)
			return
		}
		io.WriteString(w, `{"id":42,"id_str":"`+TwitterUser+`","screen_name":"alice"}`)
	})
	mux.HandleFunc("GET /down", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(503) })
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &TokenChecks{Server: srv, FacebookURL: srv.URL + "/fb/debug_token", AmazonURL: srv.URL + "/amzn/tokeninfo",
		TwitterURL: srv.URL + "/tw/verify_credentials.json", DownURL: srv.URL + "/down"}
}

// oauth1Signed checks an OAuth 1.0a HMAC-SHA1 Authorization header.
func oauth1Signed(r *http.Request, ck, cs, tok, secret string) bool {
	h, ok := strings.CutPrefix(r.Header.Get("Authorization"), "OAuth ")
	if !ok {
		return false
	}
	params := map[string]string{}
	for _, p := range strings.Split(h, ", ") {
		k, v, _ := strings.Cut(p, "=")
		v, err := url.PathUnescape(strings.Trim(v, `"`))
		if err != nil {
			return false
		}
		params[k] = v
	}
	if params["oauth_consumer_key"] != ck || params["oauth_token"] != tok || params["oauth_signature_method"] != "HMAC-SHA1" {
		return false
	}
	u := *r.URL
	u.Scheme, u.Host = "http", r.Host
	return trust.OAuth1Signature(r.Method, &u, params, cs, secret) == params["oauth_signature"]
}
