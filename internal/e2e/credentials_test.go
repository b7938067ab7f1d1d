package e2e

// Temporary credentials from GetCredentialsForIdentity: ASIA keys whose
// session token seals identity, pool, role, expiry and principal tags; any
// node sharing the store verifies requests signed with them; expired ones
// answer ExpiredTokenException and altered ones are refused. Principal tags
// and amr in the OpenID tokens.

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"regexp"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ci "github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity/types"
	av1 "github.com/aws/aws-sdk-go/aws"
	cs "github.com/aws/aws-sdk-go/service/cognitosync"

	"github.com/cognitod/cognitod/internal/auth"
	"github.com/cognitod/cognitod/internal/server"
)

var (
	tmpKeyRE    = regexp.MustCompile(`^ASIA[A-Z2-7]{16}$`)
	tmpSecretRE = regexp.MustCompile(`^[A-Za-z0-9+/]{40}$`)
)

func TestTemporaryCredentials(t *testing.T) {
	e := newSyncEnv(t, "")
	f := newSyncFix(t, e)
	id := *must[*ci.GetIdOutput](t)(e.anon().GetId(ctx, &ci.GetIdInput{IdentityPoolId: &f.pool})).IdentityId
	start := time.Now()
	cr := must[*ci.GetCredentialsForIdentityOutput](t)(e.anon().GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: &id}))
	c := cr.Credentials
	if !tmpKeyRE.MatchString(*c.AccessKeyId) || !tmpSecretRE.MatchString(*c.SecretKey) || *c.SessionToken == "" {
		t.Fatalf("credentials %+v", c)
	}
	if d := c.Expiration.Sub(start); d < 59*time.Minute || d > time.Hour+time.Second {
		t.Errorf("credentials last %v, want an hour", d)
	}
	// Everything is recovered from the session token alone.
	sess := e.openSession(*c.SessionToken)
	if sess.IdentityID != id || sess.PoolID != f.pool || sess.Account != devAcct || sess.Region != region || sess.RoleARN != unauthRole ||
		!sess.Expiration.Equal(*c.Expiration) || sess.AccessKeyID != *c.AccessKeyId || sess.SecretKey != *c.SecretKey || sess.Tags != nil {
		t.Errorf("sealed session %+v, credentials %+v", sess, c)
	}

	listOwn := func(sc *cs.CognitoSync) error {
		_, err := sc.ListRecords(&cs.ListRecordsInput{IdentityPoolId: &f.pool, IdentityId: &id, DatasetName: av1.String("settings")})
		return err
	}
	if err := listOwn(e.syncClient(*c.AccessKeyId, *c.SecretKey, *c.SessionToken)); err != nil {
		t.Fatalf("signing with the credentials: %v", err)
	}

	// Altered in any way, they are refused.
	tok := *c.SessionToken
	raw, _ := base64.StdEncoding.DecodeString(tok)
	raw[len(raw)/2] ^= 1
	flipped := base64.StdEncoding.EncodeToString(raw)
	syncErr(t, listOwn(e.syncClient(*c.AccessKeyId, *c.SecretKey, flipped)), "UnrecognizedClientException", 403, "The security token included in the request is invalid.")
	syncErr(t, listOwn(e.syncClient(*c.AccessKeyId, *c.SecretKey, tok[:len(tok)-8])), "UnrecognizedClientException", 403, "")
	wrong := "x" + (*c.SecretKey)[1:]
	if wrong == *c.SecretKey { // the secret began with x: 1 in 64
		wrong = "y" + (*c.SecretKey)[1:]
	}
	syncErr(t, listOwn(e.syncClient(*c.AccessKeyId, wrong, tok)), "InvalidSignatureException", 403, "")
	// Another credential's token with this key ID: refused.
	other := must[*ci.GetCredentialsForIdentityOutput](t)(e.anon().GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: &id})).Credentials
	syncErr(t, listOwn(e.syncClient(*c.AccessKeyId, *c.SecretKey, *other.SessionToken)), "UnrecognizedClientException", 403, "")
	// A key ID of our own shape without any session token is unknown.
	syncErr(t, listOwn(e.syncClient(*c.AccessKeyId, *c.SecretKey, "")), "UnrecognizedClientException", 403, "")

	// Expired credentials (sealed by this server, an hour past their
	// expiry) answer ExpiredTokenException on both services.
	old, oldTok, err := e.app.Sealer.Mint(id, f.pool, devAcct, region, unauthRole, time.Hour, time.Now().Add(-2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	syncErr(t, listOwn(e.syncClient(old.AccessKeyID, old.SecretKey, oldTok)), "ExpiredTokenException", 403, "The security token included in the request is expired")
	_, err = e.client(old.AccessKeyID, old.SecretKey, oldTok, region).DescribeIdentity(ctx, &ci.DescribeIdentityInput{IdentityId: &id})
	apiErr(t, err, "ExpiredTokenException", "The security token included in the request is expired")
	// One second before expiry they still work.
	fresh, freshTok, err := e.app.Sealer.Mint(id, f.pool, devAcct, region, unauthRole, time.Hour, time.Now().Add(-time.Hour+5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if err := listOwn(e.syncClient(fresh.AccessKeyID, fresh.SecretKey, freshTok)); err != nil {
		t.Errorf("credentials seconds before expiry: %v", err)
	}
}

// TestCredentialsOnEveryNode: two servers on one store; credentials minted by
// one sign requests the other accepts (the session key is a store secret,
// the session is in the token).
func TestCredentialsOnEveryNode(t *testing.T) {
	dir := t.TempDir()
	storeURL := "sqlite:" + filepath.Join(dir, "shared.db")
	node := func() string {
		app, err := server.Open(context.Background(), &server.Options{Store: storeURL, Auth: auth.ModeSigV4, DataDir: dir,
			AccessKeyID: devKey, SecretAccessKey: devSecret, AccountID: devAcct, Addr: "127.0.0.1:9"},
			slog.New(slog.NewTextHandler(io.Discard, nil)), io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(app.Handler())
		t.Cleanup(func() { srv.Close(); app.Close() })
		return srv.URL
	}
	a := &env{t: t, URL: node()}
	b := &env{t: t, URL: node()}
	a.dev = a.client(devKey, devSecret, "", region)
	p := createPool(t, a.dev, &ci.CreateIdentityPoolInput{AllowUnauthenticatedIdentities: true})
	must[*ci.SetIdentityPoolRolesOutput](t)(a.dev.SetIdentityPoolRoles(ctx, &ci.SetIdentityPoolRolesInput{IdentityPoolId: p.IdentityPoolId,
		Roles: map[string]string{"unauthenticated": unauthRole}}))
	id := must[*ci.GetIdOutput](t)(a.anon().GetId(ctx, &ci.GetIdInput{IdentityPoolId: p.IdentityPoolId})).IdentityId
	c := must[*ci.GetCredentialsForIdentityOutput](t)(a.anon().GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: id})).Credentials
	sc := b.syncClient(*c.AccessKeyId, *c.SecretKey, *c.SessionToken)
	if _, err := sc.ListRecords(&cs.ListRecordsInput{IdentityPoolId: p.IdentityPoolId, IdentityId: id, DatasetName: av1.String("d")}); err != nil {
		t.Fatalf("node b refused node a's credentials: %v", err)
	}
}

func tagsClaim(t *testing.T, tok string) any {
	t.Helper()
	return parseClaims(t, tok)["https://aws.amazon.com/tags"]
}

func TestPrincipalTags(t *testing.T) {
	e := newEnv(t, auth.ModeSigV4)
	const oidcP = "tags.example.com"
	p := createPool(t, e.dev, &ci.CreateIdentityPoolInput{AllowUnauthenticatedIdentities: true,
		OpenIdConnectProviderARNs: []string{"arn:aws:iam::" + devAcct + ":oidc-provider/" + oidcP},
		CognitoIdentityProviders:  []types.CognitoIdentityProvider{{ProviderName: aws.String(rsUserPool), ClientId: aws.String(rsClient)}},
		DeveloperProviderName:     aws.String(devProv),
	})
	pool := p.IdentityPoolId
	must[*ci.SetIdentityPoolRolesOutput](t)(e.dev.SetIdentityPoolRoles(ctx, &ci.SetIdentityPoolRolesInput{IdentityPoolId: pool,
		Roles: map[string]string{"authenticated": rsRole("Auth"), "unauthenticated": rsRole("Unauth")}}))
	anon := e.anon()
	// tokenAndSession runs both flows for logins and returns the OpenID
	// token's tags claim and the credentials' sealed tags.
	tokenAndSession := func(logins map[string]string) (any, map[string]string) {
		t.Helper()
		id := must[*ci.GetIdOutput](t)(anon.GetId(ctx, &ci.GetIdInput{IdentityPoolId: pool, Logins: logins})).IdentityId
		tok := must[*ci.GetOpenIdTokenOutput](t)(anon.GetOpenIdToken(ctx, &ci.GetOpenIdTokenInput{IdentityId: id, Logins: logins}))
		cr := must[*ci.GetCredentialsForIdentityOutput](t)(anon.GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: id, Logins: logins}))
		return tagsClaim(t, *tok.Token), e.openSession(*cr.Credentials.SessionToken).Tags
	}
	claims := map[string]any{"sub": "u-1", "aud": "app-1", "department": "eng", "level": 3.0, "admin": true, "groups": []any{"a"}, "email": "u1@example.com"}
	oidcLogin := map[string]string{oidcP: rsJWT(t, claims)}

	// No attribute map: no tags.
	if claim, tags := tokenAndSession(oidcLogin); claim != nil || tags != nil {
		t.Errorf("no map: claim %v, session tags %v", claim, tags)
	}
	// AWS's defaults: username ← sub, client ← aud.
	must[*ci.SetPrincipalTagAttributeMapOutput](t)(e.dev.SetPrincipalTagAttributeMap(ctx, &ci.SetPrincipalTagAttributeMapInput{
		IdentityPoolId: pool, IdentityProviderName: aws.String(oidcP), UseDefaults: aws.Bool(true)}))
	claim, tags := tokenAndSession(oidcLogin)
	if want := map[string]any{"principal_tags": map[string]any{"client": []any{"app-1"}, "username": []any{"u-1"}}}; !reflect.DeepEqual(claim, want) {
		t.Errorf("defaults: claim %v, want %v", claim, want)
	}
	if want := map[string]string{"client": "app-1", "username": "u-1"}; !reflect.DeepEqual(tags, want) {
		t.Errorf("defaults: session tags %v, want %v", tags, want)
	}
	// A custom map: tag key → claim; absent and list-valued claims make no
	// tag; numbers and booleans are written out.
	must[*ci.SetPrincipalTagAttributeMapOutput](t)(e.dev.SetPrincipalTagAttributeMap(ctx, &ci.SetPrincipalTagAttributeMapInput{
		IdentityPoolId: pool, IdentityProviderName: aws.String(oidcP), UseDefaults: aws.Bool(false),
		PrincipalTags: map[string]string{"dept": "department", "lvl": "level", "adm": "admin", "grp": "groups", "phone": "phone_number"}}))
	claim, tags = tokenAndSession(oidcLogin)
	if want := map[string]any{"principal_tags": map[string]any{"dept": []any{"eng"}, "lvl": []any{"3"}, "adm": []any{"true"}}}; !reflect.DeepEqual(claim, want) {
		t.Errorf("custom: claim %v, want %v", claim, want)
	}
	if want := map[string]string{"dept": "eng", "lvl": "3", "adm": "true"}; !reflect.DeepEqual(tags, want) {
		t.Errorf("custom: session tags %v, want %v", tags, want)
	}
	// A user pool's map may be keyed with its app client.
	must[*ci.SetPrincipalTagAttributeMapOutput](t)(e.dev.SetPrincipalTagAttributeMap(ctx, &ci.SetPrincipalTagAttributeMapInput{
		IdentityPoolId: pool, IdentityProviderName: aws.String(rsUserPool + ":" + rsClient), UseDefaults: aws.Bool(true),
		PrincipalTags: map[string]string{"mail": "email"}}))
	_, tags = tokenAndSession(map[string]string{rsUserPool: rsJWT(t, map[string]any{"sub": "pu-1", "aud": rsClient, "email": "pu@example.com"})})
	if want := map[string]string{"client": rsClient, "username": "pu-1", "mail": "pu@example.com"}; !reflect.DeepEqual(tags, want) {
		t.Errorf("user pool: session tags %v, want %v", tags, want)
	}

	// Developer identities: PrincipalTags given to
	// GetOpenIdTokenForDeveloperIdentity go in the token, and from there into
	// the credentials of the client that logs in with it.
	dt := must[*ci.GetOpenIdTokenForDeveloperIdentityOutput](t)(e.dev.GetOpenIdTokenForDeveloperIdentity(ctx, &ci.GetOpenIdTokenForDeveloperIdentityInput{
		IdentityPoolId: pool, Logins: map[string]string{devProv: "dev-user-1"}, PrincipalTags: map[string]string{"team": "blue", "project": "x"}}))
	if want := map[string]any{"principal_tags": map[string]any{"team": []any{"blue"}, "project": []any{"x"}}}; !reflect.DeepEqual(tagsClaim(t, *dt.Token), want) {
		t.Errorf("developer token: claim %v, want %v", tagsClaim(t, *dt.Token), want)
	}
	cr := must[*ci.GetCredentialsForIdentityOutput](t)(anon.GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{
		IdentityId: dt.IdentityId, Logins: map[string]string{"cognito-identity.amazonaws.com": *dt.Token}}))
	if got := e.openSession(*cr.Credentials.SessionToken).Tags; !reflect.DeepEqual(got, map[string]string{"team": "blue", "project": "x"}) {
		t.Errorf("developer credentials: session tags %v", got)
	}
	// Without PrincipalTags, no tags.
	dt = must[*ci.GetOpenIdTokenForDeveloperIdentityOutput](t)(e.dev.GetOpenIdTokenForDeveloperIdentity(ctx, &ci.GetOpenIdTokenForDeveloperIdentityInput{
		IdentityPoolId: pool, Logins: map[string]string{devProv: "dev-user-2"}}))
	if c := tagsClaim(t, *dt.Token); c != nil {
		t.Errorf("developer token without PrincipalTags: claim %v", c)
	}
}

// TestAmr: the amr claim as AWS fills it, per kind of login.
func TestAmr(t *testing.T) {
	e := newEnv(t, auth.ModeSigV4)
	const oidcP = "amr.example.com"
	p := createPool(t, e.dev, &ci.CreateIdentityPoolInput{AllowUnauthenticatedIdentities: true,
		SupportedLoginProviders:   map[string]string{"accounts.google.com": "google-client", "api.twitter.com": "consumer-key;consumer-secret"},
		OpenIdConnectProviderARNs: []string{"arn:aws:iam::" + devAcct + ":oidc-provider/" + oidcP},
		CognitoIdentityProviders:  []types.CognitoIdentityProvider{{ProviderName: aws.String(rsUserPool), ClientId: aws.String(rsClient)}},
		DeveloperProviderName:     aws.String(devProv),
	})
	pool := *p.IdentityPoolId
	anon := e.anon()
	amrOf := func(logins map[string]string) string {
		t.Helper()
		id := must[*ci.GetIdOutput](t)(anon.GetId(ctx, &ci.GetIdInput{IdentityPoolId: &pool, Logins: logins})).IdentityId
		tok := must[*ci.GetOpenIdTokenOutput](t)(anon.GetOpenIdToken(ctx, &ci.GetOpenIdTokenInput{IdentityId: id, Logins: logins}))
		return fmt.Sprint(parseClaims(t, *tok.Token)["amr"])
	}
	for _, tc := range []struct {
		name   string
		logins map[string]string
		want   string
	}{
		{"unauthenticated", nil, "[unauthenticated]"},
		{"OIDC", map[string]string{oidcP: rsJWT(t, map[string]any{"sub": "o-1"})},
			"[authenticated amr.example.com arn:aws:iam::" + devAcct + ":oidc-provider/amr.example.com:OIDC:o-1]"},
		{"user pool", map[string]string{rsUserPool: rsJWT(t, map[string]any{"sub": "p-1", "aud": rsClient})},
			"[authenticated " + rsUserPool + " " + rsUserPool + ":CognitoSignIn:p-1]"},
		{"public provider", map[string]string{"accounts.google.com": rsJWT(t, map[string]any{"sub": "g-1", "aud": "google-client"})},
			"[authenticated accounts.google.com accounts.google.com:google-client:g-1]"},
		// Twitter's pool value is "consumerKey;consumerSecret" and its
		// token "accessToken;accessSecret": neither secret is in a token
		// (taken as presented here, the access token names the user).
		{"twitter", map[string]string{"api.twitter.com": "access-token;access-secret"},
			"[authenticated api.twitter.com api.twitter.com:consumer-key:access-token]"},
	} {
		if got := amrOf(tc.logins); got != tc.want {
			t.Errorf("%s: amr %s, want %s", tc.name, got, tc.want)
		}
	}
	dt := must[*ci.GetOpenIdTokenForDeveloperIdentityOutput](t)(e.dev.GetOpenIdTokenForDeveloperIdentity(ctx, &ci.GetOpenIdTokenForDeveloperIdentityInput{
		IdentityPoolId: &pool, Logins: map[string]string{devProv: "d-1"}}))
	want := fmt.Sprintf("[authenticated %s %s:%s:%s:d-1]", devProv, devProv, region, pool)
	if got := fmt.Sprint(parseClaims(t, *dt.Token)["amr"]); got != want {
		t.Errorf("developer: amr %s, want %s", got, want)
	}
	// Logging in with that token carries its amr over.
	if got := amrOf(map[string]string{"cognito-identity.amazonaws.com": *dt.Token}); got != want {
		t.Errorf("developer token as a login: amr %s, want %s", got, want)
	}
}
