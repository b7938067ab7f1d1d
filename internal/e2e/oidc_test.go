package e2e

// Generic OpenID verifiers trust cognitod as an issuer: coreos/go-oidc
// discovers it from <issuer>/.well-known/openid-configuration, and PyJWT
// verifies with the JWKS that document names, tokens from GetOpenIdToken and
// from GetOpenIdTokenForDeveloperIdentity alike, across a key rotation.

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ci "github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/cognitod/cognitod/internal/auth"
	"github.com/cognitod/cognitod/internal/tokens"
)

// oidcTokens makes a pool and returns it with a GetOpenIdToken token and a
// developer token (an hour long) of two identities.
func oidcTokens(t *testing.T, e *env) (pool, basicID, basic, devID, dev string) {
	t.Helper()
	p := createPool(t, e.dev, &ci.CreateIdentityPoolInput{AllowUnauthenticatedIdentities: true, DeveloperProviderName: aws.String(devProv)})
	pool = *p.IdentityPoolId
	basicID = *must[*ci.GetIdOutput](t)(e.anon().GetId(ctx, &ci.GetIdInput{IdentityPoolId: &pool})).IdentityId
	basic = *must[*ci.GetOpenIdTokenOutput](t)(e.anon().GetOpenIdToken(ctx, &ci.GetOpenIdTokenInput{IdentityId: &basicID})).Token
	d := must[*ci.GetOpenIdTokenForDeveloperIdentityOutput](t)(e.dev.GetOpenIdTokenForDeveloperIdentity(ctx, &ci.GetOpenIdTokenForDeveloperIdentityInput{
		IdentityPoolId: &pool, Logins: map[string]string{devProv: "oidc-dev-user"}, TokenDuration: aws.Int64(3600),
		PrincipalTags: map[string]string{"team": "blue"}}))
	return pool, basicID, basic, *d.IdentityId, *d.Token
}

func TestGoOIDCVerifiesTokens(t *testing.T) {
	e := newEnv(t, auth.ModeSigV4)
	pool, basicID, basic, devID, dev := oidcTokens(t, e)

	// Discovery: the issuer is the server's public URL.
	provider, err := oidc.NewProvider(ctx, e.URL)
	if err != nil {
		t.Fatalf("discovering %s: %v", e.URL, err)
	}
	var meta struct {
		JWKSURI string   `json:"jwks_uri"`
		Algs    []string `json:"id_token_signing_alg_values_supported"`
	}
	if err := provider.Claims(&meta); err != nil || meta.JWKSURI != e.URL+"/.well-known/jwks_uri" || strings.Join(meta.Algs, ",") != "RS512" {
		t.Fatalf("discovery document: %+v, %v", meta, err)
	}
	// go-oidc accepts RS256 only unless told; AWS (and cognitod) sign RS512.
	verifier := provider.Verifier(&oidc.Config{ClientID: pool, SupportedSigningAlgs: []string{oidc.RS512}})
	for _, tc := range []struct{ name, tok, sub, amr string }{
		{"GetOpenIdToken", basic, basicID, "unauthenticated"},
		{"GetOpenIdTokenForDeveloperIdentity", dev, devID, "authenticated"},
	} {
		idt, err := verifier.Verify(ctx, tc.tok)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		var claims struct {
			Amr     []string `json:"amr"`
			PoolARN string   `json:"https://cognito-identity.amazonaws.com/identity-pool-arn"`
		}
		if err := idt.Claims(&claims); err != nil {
			t.Fatal(err)
		}
		if idt.Issuer != e.URL || idt.Subject != tc.sub || strings.Join(idt.Audience, ",") != pool || claims.Amr[0] != tc.amr ||
			claims.PoolARN != "arn:aws:cognito-identity:"+region+":"+devAcct+":identitypool/"+pool {
			t.Errorf("%s: token %+v, claims %+v", tc.name, idt, claims)
		}
	}

	// Refused: another audience, an altered token, an expired one.
	if _, err := provider.Verifier(&oidc.Config{ClientID: "us-east-1:00000000-0000-4000-8000-000000000000", SupportedSigningAlgs: []string{oidc.RS512}}).Verify(ctx, basic); err == nil {
		t.Error("token accepted for another pool")
	}
	parts := strings.Split(basic, ".")
	forged := parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(string(mustB64(t, parts[1])), basicID, devID, 1))) + "." + parts[2]
	if _, err := verifier.Verify(ctx, forged); err == nil {
		t.Error("altered token accepted")
	}
	later := provider.Verifier(&oidc.Config{ClientID: pool, SupportedSigningAlgs: []string{oidc.RS512}, Now: func() time.Time { return time.Now().Add(11 * time.Minute) }})
	if _, err := later.Verify(ctx, basic); err == nil || !strings.Contains(err.Error(), "expired") {
		t.Errorf("GetOpenIdToken token 11 minutes on: %v", err)
	}
	if _, err := later.Verify(ctx, dev); err != nil {
		t.Errorf("hour-long developer token 11 minutes on: %v", err)
	}

	// Rotation: the old key's tokens still verify, the new key's verify as
	// soon as go-oidc refetches the JWKS for the unknown kid.
	rotated, err := tokens.NewKeyring(ctx, e.app.Store, e.app.Issuer)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := rotated.Rotate(ctx, nil, 0)
	if err != nil || len(rs) != 1 || rs[0].Current != "us-east-1-2" {
		t.Fatalf("rotate: %+v, %v", rs, err)
	}
	resp, err := http.Get(e.URL + "/.well-known/jwks_uri") // the server rereads its keys
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	next := *must[*ci.GetOpenIdTokenOutput](t)(e.anon().GetOpenIdToken(ctx, &ci.GetOpenIdTokenInput{IdentityId: &basicID})).Token
	if kid := jwsKID(t, next); kid != "us-east-1-2" {
		t.Fatalf("after rotation the server signs with %s", kid)
	}
	for name, tok := range map[string]string{"old key": dev, "new key": next} {
		if _, err := verifier.Verify(ctx, tok); err != nil {
			t.Errorf("after rotation, token of the %s: %v", name, err)
		}
	}
}

func mustB64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := decodeSegment(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func jwsKID(t *testing.T, tok string) string {
	t.Helper()
	var h struct {
		Kid string `json:"kid"`
		Alg string `json:"alg"`
	}
	if err := json.Unmarshal(mustB64(t, strings.Split(tok, ".")[0]), &h); err != nil || h.Alg != "RS512" {
		t.Fatalf("header %+v: %v", h, err)
	}
	return h.Kid
}

// pyjwtScript verifies a token the way a Python service would: discovery
// document → jwks_uri → PyJWKClient → jwt.decode with RS512, audience and
// issuer checked. It prints the claims.
const pyjwtScript = `import json, sys, urllib.request
import jwt
issuer, token, audience = sys.argv[1:4]
with urllib.request.urlopen(issuer + "/.well-known/openid-configuration") as r:
    jwks_uri = json.load(r)["jwks_uri"]
key = jwt.PyJWKClient(jwks_uri).get_signing_key_from_jwt(token)
claims = jwt.decode(token, key.key, algorithms=["RS512"], audience=audience, issuer=issuer)
print(json.dumps(claims))
`

// pythonWithJWT finds a Python that has PyJWT with RSA support (pyenv's
// python3 first, then the system's, which Debian's python3-jwt serves).
func pythonWithJWT() string {
	for _, py := range []string{"python3", "/usr/bin/python3"} {
		if exec.Command(py, "-c", "import jwt, cryptography").Run() == nil {
			return py
		}
	}
	return ""
}

func TestPyJWTVerifiesTokens(t *testing.T) {
	py := pythonWithJWT()
	if py == "" {
		t.Skip("no python3 with PyJWT and cryptography here (pip install pyjwt[crypto] or apt-get install python3-jwt); skipping the PyJWT check")
	}
	e := newEnv(t, auth.ModeSigV4)
	pool, basicID, basic, devID, dev := oidcTokens(t, e)
	script := filepath.Join(t.TempDir(), "verify.py")
	if err := os.WriteFile(script, []byte(pyjwtScript), 0o600); err != nil {
		t.Fatal(err)
	}
	run := func(tok, aud string) (map[string]any, error) {
		cctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		out, err := exec.CommandContext(cctx, py, script, e.URL, tok, aud).CombinedOutput()
		if err != nil {
			return nil, &pyError{err, string(out)}
		}
		var claims map[string]any
		if err := json.Unmarshal(out, &claims); err != nil {
			return nil, &pyError{err, string(out)}
		}
		return claims, nil
	}
	for _, tc := range []struct{ name, tok, sub string }{
		{"GetOpenIdToken", basic, basicID},
		{"GetOpenIdTokenForDeveloperIdentity", dev, devID},
	} {
		claims, err := run(tc.tok, pool)
		if err != nil {
			t.Fatalf("%s: PyJWT refused the token: %v", tc.name, err)
		}
		if claims["sub"] != tc.sub || claims["aud"] != pool || claims["iss"] != e.URL {
			t.Errorf("%s: claims %v", tc.name, claims)
		}
	}
	if _, err := run(basic, "us-east-1:00000000-0000-4000-8000-000000000000"); err == nil || !strings.Contains(err.Error(), "Audience") {
		t.Errorf("PyJWT with another audience: %v", err)
	}
}

type pyError struct {
	err error
	out string
}

func (e *pyError) Error() string { return e.err.Error() + ": " + e.out }

func decodeSegment(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
}
