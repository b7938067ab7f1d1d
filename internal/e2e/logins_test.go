package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ci "github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity/types"
	"github.com/aws/smithy-go"

	"github.com/cognitod/cognitod/internal/auth"
	"github.com/cognitod/cognitod/internal/e2e/e2estore"
	"github.com/cognitod/cognitod/internal/server"
	"github.com/cognitod/cognitod/internal/trust"
	"github.com/cognitod/cognitod/internal/trust/trusttest"
)

// newLoginsEnv starts a server as newEnv does, with --logins mode ("" for
// the default of the auth mode) and, when cfg is not nil, that
// --logins-config file.
func newLoginsEnv(t *testing.T, authMode auth.Mode, mode trust.Mode, cfg any) *env {
	t.Helper()
	dir := t.TempDir()
	cfgFile := ""
	if cfg != nil {
		b, err := json.MarshalIndent(cfg, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		cfgFile = filepath.Join(dir, "logins.json")
		if err := os.WriteFile(cfgFile, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	app, err := server.Open(context.Background(), &server.Options{
		Store: e2estore.URL(t), Auth: authMode, DataDir: dir,
		AccessKeyID: devKey, SecretAccessKey: devSecret, AccountID: devAcct, Addr: ln.Addr().String(),
		Logins: mode, LoginsConfig: cfgFile,
	}, slog.New(slog.NewTextHandler(io.Discard, nil)), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(app.Handler())
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(func() { srv.Close(); app.Close() })
	e := &env{t: t, URL: srv.URL, app: app}
	e.dev = e.client(devKey, devSecret, "", region)
	return e
}

const (
	userPool     = "cognito-idp.us-east-1.amazonaws.com/us-east-1_Test"
	oidcName     = "login.example.com"
	oidcARN      = "arn:aws:iam::" + devAcct + ":oidc-provider/" + oidcName
	samlARN      = "arn:aws:iam::" + devAcct + ":saml-provider/Corp"
	googleClient = "g-client.apps.googleusercontent.com"
	appA, appB   = "appclienta1", "appclientb2"
	oidcClient   = "oidc-app"
)

// idps are the stand-in identity providers of a test.
type idps struct {
	pool, oidc, google *trusttest.Issuer
	checks             *trusttest.TokenChecks
	saml               *trusttest.SAMLIdP
}

func newIdPs(t *testing.T) *idps {
	return &idps{
		pool:   trusttest.NewIssuer(t, "/us-east-1_Test"),
		oidc:   trusttest.NewIssuer(t, "/oidc"),
		google: trusttest.NewIssuer(t, ""),
		checks: trusttest.NewTokenChecks(t),
		saml:   trusttest.NewSAMLIdP("https://idp.example.com/saml"),
	}
}

// config maps every provider to its stand-in, as docs/LOGINS.md shows.
func (p *idps) config() map[string]any {
	return map[string]any{"providers": map[string]any{
		userPool:              map[string]any{"issuer": p.pool.URL},
		oidcARN:               map[string]any{"issuer": p.oidc.URL, "clientIds": []string{oidcClient}},
		"accounts.google.com": map[string]any{"issuer": p.google.URL},
		"graph.facebook.com":  map[string]any{"tokenCheckURL": p.checks.FacebookURL, "appSecret": trusttest.FacebookAppSecret},
		"www.amazon.com":      map[string]any{"tokenCheckURL": p.checks.AmazonURL},
		"api.twitter.com":     map[string]any{"tokenCheckURL": p.checks.TwitterURL},
		samlARN:               map[string]any{"certificate": p.saml.CertPEM(), "issuer": p.saml.EntityID},
	}}
}

// newLoginsPool creates a pool with every kind of provider; its user pool app
// client is client.
func newLoginsPool(t *testing.T, e *env, name, client string) string {
	t.Helper()
	out := must[*ci.CreateIdentityPoolOutput](t)(e.dev.CreateIdentityPool(ctx, &ci.CreateIdentityPoolInput{
		IdentityPoolName:               aws.String(name),
		AllowUnauthenticatedIdentities: false,
		CognitoIdentityProviders:       []types.CognitoIdentityProvider{{ProviderName: aws.String(userPool), ClientId: aws.String(client)}},
		OpenIdConnectProviderARNs:      []string{oidcARN},
		SamlProviderARNs:               []string{samlARN},
		SupportedLoginProviders: map[string]string{
			"accounts.google.com": googleClient,
			"graph.facebook.com":  trusttest.FacebookAppID,
			"www.amazon.com":      trusttest.AmazonAppID,
			"api.twitter.com":     trusttest.TwitterConsumer,
		},
	}))
	must[*ci.SetIdentityPoolRolesOutput](t)(e.dev.SetIdentityPoolRoles(ctx, &ci.SetIdentityPoolRolesInput{
		IdentityPoolId: out.IdentityPoolId, Roles: map[string]string{"authenticated": "arn:aws:iam::" + devAcct + ":role/Auth"},
	}))
	return *out.IdentityPoolId
}

func (e *env) identities(t *testing.T, pool string) []types.IdentityDescription {
	t.Helper()
	return must[*ci.ListIdentitiesOutput](t)(e.dev.ListIdentities(ctx, &ci.ListIdentitiesInput{IdentityPoolId: &pool, MaxResults: aws.Int32(60)})).Identities
}

func (p *idps) samlResponse(mod func(*trusttest.Assertion)) string {
	now := time.Now()
	a := trusttest.Assertion{NameID: "alice@example.com", Audience: trust.DefaultSAMLAudience, NotBefore: now.Add(-time.Minute), NotOnOrAfter: now.Add(5 * time.Minute)}
	if mod != nil {
		mod(&a)
	}
	return trusttest.Encode(p.saml.Response(a))
}

// TestLoginsVerified: valid tokens of every kind of provider create
// identities, the same subject finds the same identity again, a rotated
// issuer key is picked up.
func TestLoginsVerified(t *testing.T) {
	p := newIdPs(t)
	e := newLoginsEnv(t, auth.ModeSigV4, "", p.config()) // verify: the default under sigv4
	pool := newLoginsPool(t, e, "verified", appA)
	anon := e.anon()
	getID := func(logins map[string]string) string {
		t.Helper()
		return *must[*ci.GetIdOutput](t)(anon.GetId(ctx, &ci.GetIdInput{IdentityPoolId: &pool, Logins: logins})).IdentityId
	}

	for _, tc := range []struct {
		name   string
		logins func() map[string]string
	}{
		{"user pool", func() map[string]string {
			return map[string]string{userPool: p.pool.Token(p.pool.Claims("alice", appA))}
		}},
		{"oidc", func() map[string]string {
			return map[string]string{oidcName: p.oidc.Token(p.oidc.Claims("alice", oidcClient))}
		}},
		{"google", func() map[string]string {
			return map[string]string{"accounts.google.com": p.google.Token(p.google.Claims("alice", googleClient))}
		}},
		{"facebook", func() map[string]string { return map[string]string{"graph.facebook.com": trusttest.FacebookToken} }},
		{"amazon", func() map[string]string { return map[string]string{"www.amazon.com": trusttest.AmazonToken} }},
		{"twitter", func() map[string]string { return map[string]string{"api.twitter.com": trusttest.TwitterToken} }},
		{"saml", func() map[string]string { return map[string]string{samlARN: p.samlResponse(nil)} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id := getID(tc.logins())
			if again := getID(tc.logins()); again != id {
				t.Fatalf("same subject, fresh token: %s, then %s", id, again)
			}
			cr := must[*ci.GetCredentialsForIdentityOutput](t)(anon.GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: &id, Logins: tc.logins()}))
			if *cr.IdentityId != id {
				t.Fatalf("credentials for %s, want %s", *cr.IdentityId, id)
			}
		})
	}
	if n := len(e.identities(t, pool)); n != 7 {
		t.Fatalf("%d identities, want 7 (one per provider)", n)
	}

	// A second user pool subject is another identity; a different token of
	// the same subject (new iat) is the same one.
	bob := getID(map[string]string{userPool: p.pool.Token(p.pool.Claims("bob", appA))})
	c := p.pool.Claims("bob", appA)
	c["iat"] = time.Now().Add(-time.Minute).Unix()
	if again := getID(map[string]string{userPool: p.pool.Token(c)}); again != bob {
		t.Fatal("same sub, other token: other identity")
	}

	// Key rotation: the issuer signs with a new key; cognitod refetches.
	fetches := p.pool.JWKSFetches.Load()
	p.pool.Rotate()
	if got := getID(map[string]string{userPool: p.pool.Token(p.pool.Claims("bob", appA))}); got != bob {
		t.Fatalf("after rotation: %s, want %s", got, bob)
	}
	if p.pool.JWKSFetches.Load() != fetches+1 {
		t.Fatalf("rotation: %d JWKS fetches, want 1", p.pool.JWKSFetches.Load()-fetches)
	}
}

// TestLoginsRefused: every wrong, expired, replayed or forged token is
// NotAuthorizedException with AWS's wording, and nothing is created.
func TestLoginsRefused(t *testing.T) {
	p := newIdPs(t)
	e := newLoginsEnv(t, auth.ModeSigV4, trust.ModeVerify, p.config())
	pool := newLoginsPool(t, e, "refused", appA)
	newLoginsPool(t, e, "other", appB) // the same user pool, another app client
	anon := e.anon()
	now := time.Now()

	forger := trusttest.NewRSAKey()
	with := func(is *trusttest.Issuer, sub, aud string, mod func(map[string]any)) map[string]any {
		c := is.Claims(sub, aud)
		if mod != nil {
			mod(c)
		}
		return c
	}
	up := func(mod func(map[string]any)) map[string]any { return with(p.pool, "alice", appA, mod) }
	for _, tc := range []struct {
		name   string
		logins map[string]string
		msg    string
	}{
		{"wrong signature", map[string]string{userPool: trusttest.SignRS256(forger, p.pool.CurrentKID(), up(nil))}, trust.MsgBadSignature},
		{"unknown kid", map[string]string{userPool: trusttest.SignRS256(forger, "rotated-away", up(nil))}, trust.MsgBadSignature},
		{"expired", map[string]string{userPool: p.pool.Token(up(func(c map[string]any) { c["exp"] = now.Add(-10 * time.Minute).Unix() }))}, "Invalid login token. Token expired: "},
		{"nbf in the future", map[string]string{userPool: p.pool.Token(up(func(c map[string]any) { c["nbf"] = now.Add(10 * time.Minute).Unix() }))}, "Invalid login token. Token is not valid yet: "},
		{"wrong iss", map[string]string{userPool: p.oidc.Token(with(p.oidc, "alice", appA, nil))}, "Invalid login token. Issuer doesn't match providerName"},
		{"missing aud", map[string]string{userPool: p.pool.Token(up(func(c map[string]any) { delete(c, "aud") }))}, "Invalid login token. Missing a required claim: aud"},
		{"replayed from another app client", map[string]string{userPool: p.pool.Token(with(p.pool, "alice", appB, nil))}, "Token is not from a supported provider of this identity pool."},
		{"oidc token for another client", map[string]string{oidcName: p.oidc.Token(with(p.oidc, "alice", "someone-else", nil))}, "Invalid login token. Incorrect token audience."},
		{"google token for another app", map[string]string{"accounts.google.com": p.google.Token(with(p.google, "alice", "other.apps.googleusercontent.com", nil))}, "Invalid login token. Incorrect token audience."},
		{"alg none", map[string]string{userPool: trusttest.Unsigned(p.pool.CurrentKID(), up(nil))}, `Invalid login token. Token signing algorithm "none" is not accepted.`},
		{"HS256 with the public key as secret", map[string]string{oidcName: trusttest.SignHS256(p.oidc.PublicKeyPEM(), p.oidc.CurrentKID(), with(p.oidc, "alice", oidcClient, nil))}, `Invalid login token. Token signing algorithm "HS256" is not accepted.`},
		{"not a JWT", map[string]string{userPool: "opaque"}, "Invalid login token. Not a valid OpenId Connect identity token."},
		{"facebook invalid", map[string]string{"graph.facebook.com": "fb-forged"}, "Invalid login token. Facebook did not accept the token."},
		{"facebook other app", map[string]string{"graph.facebook.com": trusttest.FacebookOtherApp}, "Invalid login token. Incorrect token audience."},
		{"amazon invalid", map[string]string{"www.amazon.com": "Atza|forged"}, "Invalid login token. Login with Amazon did not accept the token."},
		{"twitter invalid", map[string]string{"api.twitter.com": "tw-token;guessed-secret"}, "Invalid login token. Twitter did not accept the token."},
		{"saml tampered", map[string]string{samlARN: trusttest.Encode(strings.Replace(p.saml.Response(trusttest.Assertion{NameID: "alice", Audience: trust.DefaultSAMLAudience, NotBefore: now.Add(-time.Minute), NotOnOrAfter: now.Add(time.Hour)}), ">alice<", ">admin<", 1))}, trust.MsgBadSignature},
		{"saml wrong audience", map[string]string{samlARN: p.samlResponse(func(a *trusttest.Assertion) { a.Audience = "urn:example:other" })}, "Invalid login token. Incorrect token audience."},
		{"saml expired", map[string]string{samlARN: p.samlResponse(func(a *trusttest.Assertion) { a.NotBefore, a.NotOnOrAfter = now.Add(-2*time.Hour), now.Add(-time.Hour) })}, "Invalid login token. Token expired: "},
		{"saml forged", map[string]string{samlARN: trusttest.Encode(trusttest.NewSAMLIdP(p.saml.EntityID).Response(trusttest.Assertion{NameID: "alice", Audience: trust.DefaultSAMLAudience, NotBefore: now.Add(-time.Minute), NotOnOrAfter: now.Add(time.Hour)}))}, trust.MsgBadSignature},
		{"one good login, one forged", map[string]string{userPool: p.pool.Token(up(nil)), oidcName: trusttest.SignRS256(forger, p.oidc.CurrentKID(), with(p.oidc, "alice", oidcClient, nil))}, trust.MsgBadSignature},
		{"provider not on the pool", map[string]string{"cognito-idp.us-east-1.amazonaws.com/us-east-1_Other": p.pool.Token(up(nil))}, "Token is not from a supported provider of this identity pool."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := anon.GetId(ctx, &ci.GetIdInput{IdentityPoolId: &pool, Logins: tc.logins})
			apiErrPrefix(t, err, "NotAuthorizedException", tc.msg)
		})
	}
	if ids := e.identities(t, pool); len(ids) != 0 {
		t.Fatalf("refused logins created %d identities", len(ids))
	}

	// A forged login beside a valid one is not linked to the identity.
	id := *must[*ci.GetIdOutput](t)(anon.GetId(ctx, &ci.GetIdInput{IdentityPoolId: &pool, Logins: map[string]string{userPool: p.pool.Token(up(nil))}})).IdentityId
	forged := map[string]string{userPool: p.pool.Token(up(nil)), oidcName: trusttest.SignRS256(forger, p.oidc.CurrentKID(), with(p.oidc, "mallory", oidcClient, nil))}
	_, err := anon.GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: &id, Logins: forged})
	apiErrPrefix(t, err, "NotAuthorizedException", trust.MsgBadSignature)
	_, err = anon.GetOpenIdToken(ctx, &ci.GetOpenIdTokenInput{IdentityId: &id, Logins: forged})
	apiErrPrefix(t, err, "NotAuthorizedException", trust.MsgBadSignature)
	d := must[*ci.DescribeIdentityOutput](t)(e.dev.DescribeIdentity(ctx, &ci.DescribeIdentityInput{IdentityId: &id}))
	if len(d.Logins) != 1 || d.Logins[0] != userPool {
		t.Fatalf("logins after refused links: %v", d.Logins)
	}
	if ids := e.identities(t, pool); len(ids) != 1 {
		t.Fatalf("%d identities, want 1", len(ids))
	}
}

// TestLoginsNotConfigured: under verify, a provider cognitod has no way to
// verify is refused with a message that says what to configure; under
// trust (the default of --auth any), tokens are taken as presented.
func TestLoginsNotConfigured(t *testing.T) {
	e := newLoginsEnv(t, auth.ModeSigV4, "", nil)
	pool := newLoginsPool(t, e, "unconfigured", appA)
	anon := e.anon()
	for _, tc := range []struct{ provider, token, setting string }{
		{oidcName, "x.y.z", `providers["` + oidcARN + `"].clientIds`},
		{"graph.facebook.com", "fb", `providers["graph.facebook.com"].appSecret`},
		{"www.amazon.com", "Atza|x", `providers["www.amazon.com"]`},
		{"api.twitter.com", "a;b", `providers["api.twitter.com"]`},
		{samlARN, "PHNhbWw+", `providers["` + samlARN + `"].certificate`},
	} {
		_, err := anon.GetId(ctx, &ci.GetIdInput{IdentityPoolId: &pool, Logins: map[string]string{tc.provider: tc.token}})
		apiErrPrefix(t, err, "NotAuthorizedException", "Invalid login token. Login verification for "+tc.provider+" is not configured: ")
		if !strings.Contains(err.Error(), tc.setting) || !strings.Contains(err.Error(), "--logins-config") {
			t.Errorf("%s: the message does not name %s: %v", tc.provider, tc.setting, err)
		}
	}
	if ids := e.identities(t, pool); len(ids) != 0 {
		t.Fatalf("refused logins created %d identities", len(ids))
	}

	for _, tc := range []struct {
		auth auth.Mode
		mode trust.Mode
	}{{auth.ModeAny, ""}, {auth.ModeSigV4, trust.ModeTrust}} {
		e := newLoginsEnv(t, tc.auth, tc.mode, nil)
		if tc.auth == auth.ModeAny {
			e.dev = e.client("123456789012", "x", "", region)
		}
		pool := newLoginsPool(t, e, "trusting", appA)
		fb := map[string]string{"graph.facebook.com": "made-up-token"}
		id := *must[*ci.GetIdOutput](t)(e.anon().GetId(ctx, &ci.GetIdInput{IdentityPoolId: &pool, Logins: fb})).IdentityId
		if again := *must[*ci.GetIdOutput](t)(e.anon().GetId(ctx, &ci.GetIdInput{IdentityPoolId: &pool, Logins: fb})).IdentityId; again != id {
			t.Fatalf("trust (%s/%s): same token, other identity", tc.auth, tc.mode)
		}
		// An unsigned JWT's sub is its subject, as before.
		jwt := trusttest.Unsigned("", map[string]any{"sub": "alice", "aud": appA})
		must[*ci.GetIdOutput](t)(e.anon().GetId(ctx, &ci.GetIdInput{IdentityPoolId: &pool, Logins: map[string]string{userPool: jwt}}))
	}
}

// TestLoginsOwnTokens: the developer provider's OpenID tokens are checked
// against cognitod's own keys whatever the --logins mode.
func TestLoginsOwnTokens(t *testing.T) {
	e := newLoginsEnv(t, auth.ModeSigV4, trust.ModeVerify, nil)
	pool := must[*ci.CreateIdentityPoolOutput](t)(e.dev.CreateIdentityPool(ctx, &ci.CreateIdentityPoolInput{
		IdentityPoolName: aws.String("dev"), DeveloperProviderName: aws.String("login.mycompany"),
	})).IdentityPoolId
	tok := must[*ci.GetOpenIdTokenForDeveloperIdentityOutput](t)(e.dev.GetOpenIdTokenForDeveloperIdentity(ctx, &ci.GetOpenIdTokenForDeveloperIdentityInput{
		IdentityPoolId: pool, Logins: map[string]string{"login.mycompany": "user-1"},
	}))
	own := map[string]string{"cognito-identity.amazonaws.com": *tok.Token}
	must[*ci.GetOpenIdTokenOutput](t)(e.anon().GetOpenIdToken(ctx, &ci.GetOpenIdTokenInput{IdentityId: tok.IdentityId, Logins: own}))
	_, err := e.anon().GetOpenIdToken(ctx, &ci.GetOpenIdTokenInput{IdentityId: tok.IdentityId, Logins: map[string]string{"cognito-identity.amazonaws.com": *tok.Token + "x"}})
	apiErrPrefix(t, err, "NotAuthorizedException", "Invalid login token.")
}

// apiErrPrefix asserts err is an API error with code and a message that
// starts with prefix.
func apiErrPrefix(t *testing.T, err error, code, prefix string) {
	t.Helper()
	apiErr(t, err, code, "")
	var ae smithy.APIError
	errors.As(err, &ae)
	if msg := ae.ErrorMessage(); !strings.HasPrefix(msg, prefix) {
		t.Fatalf("%s: want a message starting %q, got %q", code, prefix, msg)
	}
}

// TestGuestTokenIsNoLogin: a token cognitod issued to a guest identity is
// not a login (anyone who knows a guest identity's ID may ask for one), so
// it can neither mint a token that says authenticated nor, once the owner
// links a login to that identity, stand for that login.
func TestGuestTokenIsNoLogin(t *testing.T) {
	p := newIdPs(t)
	e := newLoginsEnv(t, auth.ModeSigV4, trust.ModeVerify, p.config())
	pool := must[*ci.CreateIdentityPoolOutput](t)(e.dev.CreateIdentityPool(ctx, &ci.CreateIdentityPoolInput{
		IdentityPoolName: aws.String("g"), AllowUnauthenticatedIdentities: true,
		SupportedLoginProviders: map[string]string{"accounts.google.com": googleClient},
	})).IdentityPoolId
	must[*ci.SetIdentityPoolRolesOutput](t)(e.dev.SetIdentityPoolRoles(ctx, &ci.SetIdentityPoolRolesInput{IdentityPoolId: pool,
		Roles: map[string]string{"authenticated": "arn:aws:iam::" + devAcct + ":role/Auth", "unauthenticated": "arn:aws:iam::" + devAcct + ":role/Unauth"}}))
	id := must[*ci.GetIdOutput](t)(e.anon().GetId(ctx, &ci.GetIdInput{IdentityPoolId: pool})).IdentityId
	guest := *must[*ci.GetOpenIdTokenOutput](t)(e.anon().GetOpenIdToken(ctx, &ci.GetOpenIdTokenInput{IdentityId: id})).Token
	own := map[string]string{"cognito-identity.amazonaws.com": guest}
	_, err := e.anon().GetOpenIdToken(ctx, &ci.GetOpenIdTokenInput{IdentityId: id, Logins: own})
	apiErr(t, err, "NotAuthorizedException", "Invalid login token. Token is not from an authenticated identity.")
	// The owner links Google; the old guest token must not stand for it.
	g := p.google.Token(p.google.Claims("owner-google-sub", googleClient))
	must[*ci.GetCredentialsForIdentityOutput](t)(e.anon().GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: id, Logins: map[string]string{"accounts.google.com": g}}))
	_, err = e.anon().GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: id, Logins: own})
	apiErr(t, err, "NotAuthorizedException", "")
	_, err = e.anon().GetOpenIdToken(ctx, &ci.GetOpenIdTokenInput{IdentityId: id, Logins: own})
	apiErr(t, err, "NotAuthorizedException", "")
	// A token from the authenticated identity is a login still.
	authTok := *must[*ci.GetOpenIdTokenOutput](t)(e.anon().GetOpenIdToken(ctx, &ci.GetOpenIdTokenInput{IdentityId: id, Logins: map[string]string{"accounts.google.com": g}})).Token
	must[*ci.GetCredentialsForIdentityOutput](t)(e.anon().GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: id, Logins: map[string]string{"cognito-identity.amazonaws.com": authTok}}))
}

// TestSAMLRoleAttribute: a SAML assertion's Role attribute ("role ARN,
// provider ARN") names the role, with no role on the pool ("You do not need
// to specify an authenticated or unauthenticated role for the identity pool
// to use a SAML-based identity provider"); a CustomRoleArn it does not name
// is not given.
func TestSAMLRoleAttribute(t *testing.T) {
	p := newIdPs(t)
	e := newLoginsEnv(t, auth.ModeSigV4, trust.ModeVerify, p.config())
	pool := *must[*ci.CreateIdentityPoolOutput](t)(e.dev.CreateIdentityPool(ctx, &ci.CreateIdentityPoolInput{
		IdentityPoolName: aws.String("saml"), SamlProviderARNs: []string{samlARN},
	})).IdentityPoolId
	role := "arn:aws:iam::" + devAcct + ":role/Saml"
	login := func(pair string) map[string]string {
		return map[string]string{samlARN: p.samlResponse(func(a *trusttest.Assertion) {
			a.Attributes = map[string]string{"https://aws.amazon.com/SAML/Attributes/Role": pair}
		})}
	}
	if got := e.rsRoleOf(pool, login(role+","+samlARN), ""); got != "Saml" {
		t.Fatalf("the assertion's role: %s", got)
	}
	if got := e.rsRoleOf(pool, login(samlARN+","+role), role); got != "Saml" {
		t.Fatalf("the assertion's role, provider first, chosen: %s", got)
	}
	_, err := e.rsCreds(pool, login(role+","+samlARN), "arn:aws:iam::"+devAcct+":role/Other")
	apiErr(t, err, "InvalidIdentityPoolConfigurationException", "")
	// A pair for another provider names nothing here.
	_, err = e.rsCreds(pool, login(role+",arn:aws:iam::"+devAcct+":saml-provider/Elsewhere"), "")
	apiErr(t, err, "InvalidIdentityPoolConfigurationException", "")
}
