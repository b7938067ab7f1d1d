package trust_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cognitod/cognitod/internal/trust"
	"github.com/cognitod/cognitod/internal/trust/trusttest"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func mustConfig(t *testing.T, js string) *trust.Config {
	t.Helper()
	c, err := trust.ParseConfig([]byte(js), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func wantRefused(t *testing.T, err error, msg string) {
	t.Helper()
	var te *trust.Error
	if !errors.As(err, &te) {
		t.Fatalf("want refusal %q, got %v", msg, err)
	}
	if te.Unavailable {
		t.Fatalf("want refusal %q, got unavailable: %s", msg, te.Message)
	}
	if msg != "" && !strings.HasPrefix(te.Message, msg) {
		t.Fatalf("want %q, got %q", msg, te.Message)
	}
}

func TestOIDCChecks(t *testing.T) {
	is := trusttest.NewIssuer(t, "/us-east-1_Test")
	const up = "cognito-idp.us-east-1.amazonaws.com/us-east-1_Test"
	cfg := mustConfig(t, `{"providers":{"`+up+`":{"issuer":"`+is.URL+`"}}}`)
	r := trust.NewRegistry(cfg, nil, quiet)
	ctx := context.Background()
	now := time.Now()
	login := func(tok string) *trust.Login {
		return &trust.Login{Name: up, Kind: trust.UserPool, ClientIDs: []string{"app1"}, Token: tok}
	}
	res, err := r.Verify(ctx, login(is.Token(is.Claims("alice", "app1"))), now)
	if err != nil || res.Subject != "alice" {
		t.Fatalf("valid token: %v %v", res, err)
	}
	// Array audience naming the client.
	c := is.Claims("alice", "")
	c["aud"] = []string{"other", "app1"}
	if _, err := r.Verify(ctx, login(is.Token(c)), now); err != nil {
		t.Fatal(err)
	}

	forger := trusttest.NewRSAKey()
	expired := is.Claims("alice", "app1")
	expired["exp"] = now.Add(-10 * time.Minute).Unix()
	skewed := is.Claims("alice", "app1")
	skewed["exp"] = now.Add(-30 * time.Second).Unix() // within the default 60 s skew
	future := is.Claims("alice", "app1")
	future["nbf"] = now.Add(10 * time.Minute).Unix()
	wrongIss := is.Claims("alice", "app1")
	wrongIss["iss"] = "https://evil.example.com"
	noAud := is.Claims("alice", "app1")
	delete(noAud, "aud")
	noExp := is.Claims("alice", "app1")
	delete(noExp, "exp")
	for _, tc := range []struct {
		name, token, msg string
	}{
		{"forged signature", trusttest.SignRS256(forger, is.CurrentKID(), is.Claims("alice", "app1")), trust.MsgBadSignature},
		{"unknown kid", trusttest.SignRS256(forger, "nope", is.Claims("alice", "app1")), trust.MsgBadSignature},
		{"expired", is.Token(expired), "Invalid login token. Token expired: "},
		{"nbf in future", is.Token(future), "Invalid login token. Token is not valid yet"},
		{"wrong iss", is.Token(wrongIss), trust.MsgIssuerMismatch},
		{"other app client", is.Token(is.Claims("alice", "app2")), trust.MsgUnsupportedProvider},
		{"missing aud", is.Token(noAud), trust.MsgMissingAud},
		{"missing exp", is.Token(noExp), "Invalid login token. Missing a required claim: exp"},
		{"alg none", trusttest.Unsigned(is.CurrentKID(), is.Claims("alice", "app1")), `Invalid login token. Token signing algorithm "none"`},
		{"HS256 key confusion", trusttest.SignHS256(is.PublicKeyPEM(), is.CurrentKID(), is.Claims("alice", "app1")), `Invalid login token. Token signing algorithm "HS256"`},
		{"not a JWT", "opaque-token", "Invalid login token. Not a valid OpenId Connect identity token."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := r.Verify(ctx, login(tc.token), now)
			wantRefused(t, err, tc.msg)
		})
	}
	if _, err := r.Verify(ctx, login(is.Token(skewed)), now); err != nil {
		t.Fatalf("within skew: %v", err)
	}

	// Rotation: a token signed with a new key is accepted after a refetch;
	// a forged token with a known kid does not refetch.
	before := is.JWKSFetches.Load()
	is.Rotate()
	if _, err := r.Verify(ctx, login(is.Token(is.Claims("bob", "app1"))), now); err != nil {
		t.Fatalf("rotated key: %v", err)
	}
	if got := is.JWKSFetches.Load(); got != before+1 {
		t.Fatalf("JWKS fetches: %d, want %d", got, before+1)
	}
	for range 5 {
		_, err := r.Verify(ctx, login(trusttest.SignRS256(forger, is.CurrentKID(), is.Claims("bob", "app1"))), now)
		wantRefused(t, err, trust.MsgBadSignature)
	}
	if got := is.JWKSFetches.Load(); got != before+1 {
		t.Fatalf("forged tokens with a known kid refetched the JWKS: %d fetches", got-before)
	}
	// Unknown kids refetch, within a budget.
	for range 10 {
		r.Verify(ctx, login(trusttest.SignRS256(forger, "random", is.Claims("bob", "app1"))), now)
	}
	if got := is.JWKSFetches.Load(); got > before+4 {
		t.Fatalf("unknown kids refetched the JWKS %d times", got-before)
	}
}

func TestIssuerUnreachable(t *testing.T) {
	is := trusttest.NewIssuer(t, "")
	url := is.URL
	is.Close()
	cfg := mustConfig(t, `{"providers":{"login.example.com":{"issuer":"`+url+`","clientIds":["c"]}}}`)
	r := trust.NewRegistry(cfg, nil, quiet)
	tok := trusttest.SignRS256(trusttest.NewRSAKey(), "k", map[string]any{"iss": url, "aud": "c", "sub": "s", "exp": time.Now().Add(time.Hour).Unix()})
	_, err := r.Verify(context.Background(), &trust.Login{Name: "login.example.com", Kind: trust.OIDC, Token: tok}, time.Now())
	var te *trust.Error
	if !errors.As(err, &te) || !te.Unavailable {
		t.Fatalf("want unavailable, got %v", err)
	}
}

func TestNotConfigured(t *testing.T) {
	r := trust.NewRegistry(nil, nil, quiet)
	ctx := context.Background()
	for _, l := range []*trust.Login{
		{Name: "login.example.com", Kind: trust.OIDC, ARN: "arn:aws:iam::123456789012:oidc-provider/login.example.com", Token: "x"},
		{Name: "graph.facebook.com", Kind: trust.Public, ClientIDs: []string{"123"}, Token: "x"},
		{Name: "www.amazon.com", Kind: trust.Public, ClientIDs: []string{"amzn1.application.1"}, Token: "x"},
		{Name: "api.twitter.com", Kind: trust.Public, Value: "ck;cs", Token: "x;y"},
		{Name: "login.custom.com", Kind: trust.Public, Token: "x"},
		{Name: "arn:aws:iam::123456789012:saml-provider/Corp", Kind: trust.SAML, Token: "x"},
		// Not a real user pool's name: its issuer must be configured.
		{Name: "cognito-idp.localhost:9229/us-east-1_X1", Kind: trust.UserPool, ClientIDs: []string{"c"}, Token: "x.y.z"},
	} {
		_, err := r.Verify(ctx, l, time.Now())
		wantRefused(t, err, "Invalid login token. Login verification for "+l.Name+" is not configured: ")
		if !strings.Contains(err.Error(), "--logins-config") {
			t.Errorf("%s: message does not say what to configure: %s", l.Name, err)
		}
	}
}

func TestTokenCheckProviders(t *testing.T) {
	now := time.Now()
	tc := trusttest.NewTokenChecks(t)
	cfg := mustConfig(t, `{"providers":{
		"graph.facebook.com":{"tokenCheckURL":"`+tc.FacebookURL+`","appSecret":"`+trusttest.FacebookAppSecret+`"},
		"www.amazon.com":{"tokenCheckURL":"`+tc.AmazonURL+`"},
		"api.twitter.com":{"tokenCheckURL":"`+tc.TwitterURL+`"}}}`)
	r := trust.NewRegistry(cfg, nil, quiet)
	ctx := context.Background()
	fb := func(tok string) *trust.Login {
		return &trust.Login{Name: "graph.facebook.com", Kind: trust.Public, ClientIDs: []string{trusttest.FacebookAppID}, Value: trusttest.FacebookAppID, Token: tok}
	}
	if res, err := r.Verify(ctx, fb(trusttest.FacebookToken), now); err != nil || res.Subject != trusttest.FacebookUser {
		t.Fatalf("facebook: %v %v", res, err)
	}
	_, err := r.Verify(ctx, fb("fb-bad"), now)
	wantRefused(t, err, "Invalid login token. Facebook did not accept the token.")
	_, err = r.Verify(ctx, fb(trusttest.FacebookOtherApp), now)
	wantRefused(t, err, trust.MsgWrongAudience)
	wrongSecret := trust.NewRegistry(mustConfig(t, `{"providers":{"graph.facebook.com":{"tokenCheckURL":"`+tc.FacebookURL+`","appSecret":"nope"}}}`), nil, quiet)
	_, err = wrongSecret.Verify(ctx, fb(trusttest.FacebookToken), now)
	wantRefused(t, err, "Invalid login token. Facebook did not accept the token.")

	amzn := func(tok, app string) *trust.Login {
		return &trust.Login{Name: "www.amazon.com", Kind: trust.Public, ClientIDs: []string{app}, Value: app, Token: tok}
	}
	if res, err := r.Verify(ctx, amzn(trusttest.AmazonToken, trusttest.AmazonAppID), now); err != nil || res.Subject != trusttest.AmazonUser {
		t.Fatalf("amazon: %v %v", res, err)
	}
	_, err = r.Verify(ctx, amzn("Atza|bad", trusttest.AmazonAppID), now)
	wantRefused(t, err, "Invalid login token. Login with Amazon did not accept the token.")
	_, err = r.Verify(ctx, amzn(trusttest.AmazonToken, "amzn1.application.OTHER"), now)
	wantRefused(t, err, trust.MsgWrongAudience)

	tw := func(tok string) *trust.Login {
		return &trust.Login{Name: "api.twitter.com", Kind: trust.Public, ClientIDs: []string{trusttest.TwitterConsumer}, Value: trusttest.TwitterConsumer, Token: tok}
	}
	if res, err := r.Verify(ctx, tw(trusttest.TwitterToken), now); err != nil || res.Subject != trusttest.TwitterUser {
		t.Fatalf("twitter: %v %v", res, err)
	}
	_, err = r.Verify(ctx, tw("tw-token;wrong-secret"), now)
	wantRefused(t, err, "Invalid login token. Twitter did not accept the token.")
	_, err = r.Verify(ctx, tw("no-separator"), now)
	wantRefused(t, err, "Invalid login token. A Twitter login token is")

	down := trust.NewRegistry(mustConfig(t, `{"providers":{"www.amazon.com":{"tokenCheckURL":"`+tc.DownURL+`"}}}`), nil, quiet)
	_, err = down.Verify(ctx, amzn(trusttest.AmazonToken, trusttest.AmazonAppID), now)
	var te *trust.Error
	if !errors.As(err, &te) || !te.Unavailable {
		t.Fatalf("provider down: want unavailable, got %v", err)
	}
}

func TestSAML(t *testing.T) {
	idp := trusttest.NewSAMLIdP("https://idp.example.com/saml")
	const arn = "arn:aws:iam::123456789012:saml-provider/Corp"
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "idp.pem"), []byte(idp.CertPEM()), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := trust.ParseConfig([]byte(`{"providers":{"`+arn+`":{"certificateFile":"idp.pem","issuer":"https://idp.example.com/saml"}}}`), dir)
	if err != nil {
		t.Fatal(err)
	}
	r := trust.NewRegistry(cfg, nil, quiet)
	ctx := context.Background()
	now := time.Now()
	valid := trusttest.Assertion{NameID: "alice@example.com", Audience: trust.DefaultSAMLAudience, NotBefore: now.Add(-time.Minute), NotOnOrAfter: now.Add(5 * time.Minute),
		Attributes: map[string]string{"https://aws.amazon.com/SAML/Attributes/RoleSessionName": "alice"}}
	login := func(xml string) *trust.Login {
		return &trust.Login{Name: arn, Kind: trust.SAML, Token: trusttest.Encode(xml)}
	}
	res, err := r.Verify(ctx, login(idp.Response(valid)), now)
	if err != nil || res.Subject != "alice@example.com" || res.Claims["https://aws.amazon.com/SAML/Attributes/RoleSessionName"] != "alice" {
		t.Fatalf("valid assertion: %v %v", res, err)
	}
	tampered := strings.Replace(idp.Response(valid), "alice@example.com", "mallory@example.com", 1)
	_, err = r.Verify(ctx, login(tampered), now)
	wantRefused(t, err, trust.MsgBadSignature)

	// The whole Response signed instead of the Assertion.
	whole := valid
	whole.SignResponse = true
	if res, err := r.Verify(ctx, login(idp.Response(whole)), now); err != nil || res.Subject != "alice@example.com" {
		t.Fatalf("signed response: %v %v", res, err)
	}
	_, err = r.Verify(ctx, login(strings.Replace(idp.Response(whole), "alice@example.com", "mallory@example.com", 1)), now)
	wantRefused(t, err, trust.MsgBadSignature)
	// An unsigned response (its signature element removed) is refused.
	resp := idp.Response(whole)
	unsigned := resp[:strings.Index(resp, "<ds:Signature")] + resp[strings.Index(resp, "</ds:Signature>")+len("</ds:Signature>"):]
	_, err = r.Verify(ctx, login(unsigned), now)
	wantRefused(t, err, trust.MsgBadSignature)

	// A bare signed Assertion is accepted too.
	full := idp.Response(valid)
	bare := full[strings.Index(full, "<saml:Assertion"):]
	bare = bare[:strings.Index(bare, "</saml:Assertion>")+len("</saml:Assertion>")]
	if res, err := r.Verify(ctx, login(bare), now); err != nil || res.Subject != "alice@example.com" {
		t.Fatalf("bare assertion: %v %v", res, err)
	}
	// Another entity ID than the configured issuer.
	otherIss, err := trust.ParseConfig([]byte(`{"providers":{"`+arn+`":{"certificateFile":"idp.pem","issuer":"https://other.example.com"}}}`), dir)
	if err != nil {
		t.Fatal(err)
	}
	_, err = trust.NewRegistry(otherIss, nil, quiet).Verify(ctx, login(full), now)
	wantRefused(t, err, trust.MsgIssuerMismatch)

	other := valid
	other.Audience = "urn:example:other"
	_, err = r.Verify(ctx, login(idp.Response(other)), now)
	wantRefused(t, err, trust.MsgWrongAudience)

	expired := valid
	expired.NotBefore, expired.NotOnOrAfter = now.Add(-time.Hour), now.Add(-30*time.Minute)
	_, err = r.Verify(ctx, login(idp.Response(expired)), now)
	wantRefused(t, err, "Invalid login token. Token expired")

	forger := trusttest.NewSAMLIdP("https://idp.example.com/saml")
	_, err = r.Verify(ctx, login(forger.Response(valid)), now)
	wantRefused(t, err, trust.MsgBadSignature)

	// Signature wrapping: a second, unsigned assertion beside the signed one.
	resp = idp.Response(valid)
	i := strings.Index(resp, "<saml:Assertion")
	wrapped := resp[:i] + `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_evil"><saml:Subject><saml:NameID>mallory</saml:NameID></saml:Subject></saml:Assertion>` + resp[i:]
	_, err = r.Verify(ctx, login(wrapped), now)
	wantRefused(t, err, "Invalid login token.")

	_, err = r.Verify(ctx, login("not xml"), now)
	wantRefused(t, err, "Invalid login token.")
}

func TestConfigErrors(t *testing.T) {
	for _, js := range []string{
		`{"providers":{"x":{"issuer":"ftp://x"}}}`,
		`{"providers":{"x":{"bogus":1}}}`,
		`{"providers":{"graph.facebook.com":{}}}`,
		`{"providers":{"arn:aws:iam::1:saml-provider/X":{}}}`,
		`{"providers":{"arn:aws:iam::1:saml-provider/X":{"certificate":"nope"}}}`,
		`{"providers":{"x":{"algorithms":["HS256"]}}}`,
		`{"providers":{"x":{"tokenCheckURL":"https://x"}}}`,
		`{"clockSkew":"soon","providers":{}}`,
	} {
		if _, err := trust.ParseConfig([]byte(js), t.TempDir()); err == nil {
			t.Errorf("%s: accepted", js)
		}
	}
}

func TestTrust(t *testing.T) {
	tok := trusttest.Unsigned("", map[string]any{"sub": "s1"})
	res, _ := trust.Trust{}.Verify(context.Background(), &trust.Login{Token: tok}, time.Now())
	if res.Subject != "s1" {
		t.Fatal(res)
	}
	res, _ = trust.Trust{}.Verify(context.Background(), &trust.Login{Token: "opaque"}, time.Now())
	if res.Subject != "opaque" {
		t.Fatal(res)
	}
}

// TestTokenCheckLogsNoSecret: when a token-check endpoint cannot be
// reached, the warning says so without the request's query, which holds
// the app's secret and the user's token.
func TestTokenCheckLogsNoSecret(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // connections refused
	cfg := mustConfig(t, `{"providers":{
		"graph.facebook.com":{"tokenCheckURL":"http://`+addr+`/debug_token","appSecret":"SUPERSECRETAPPSECRET"},
		"www.amazon.com":{"tokenCheckURL":"http://`+addr+`/tokeninfo"}}}`)
	var buf bytes.Buffer
	r := trust.NewRegistry(cfg, nil, slog.New(slog.NewTextHandler(&buf, nil)))
	r.Verify(context.Background(), &trust.Login{Name: "graph.facebook.com", Kind: trust.Public, ClientIDs: []string{"123"}, Token: "USER-FB-TOKEN"}, time.Now())
	r.Verify(context.Background(), &trust.Login{Name: "www.amazon.com", Kind: trust.Public, ClientIDs: []string{"amzn1.app"}, Token: "USER-AMZN-TOKEN"}, time.Now())
	if !strings.Contains(buf.String(), "token check failed") {
		t.Fatalf("no warning logged:\n%s", buf.String())
	}
	for _, s := range []string{"SUPERSECRETAPPSECRET", "USER-FB-TOKEN", "USER-AMZN-TOKEN"} {
		if strings.Contains(buf.String(), s) {
			t.Errorf("the log holds %q:\n%s", s, buf.String())
		}
	}
}

// TestIssuerGoneAfterUse: an issuer whose keys were fetched once, then
// unreachable when a token names a key it has not seen (a rotation, or a
// forgery: it cannot tell), is unavailable (ExternalServiceException), not
// a bad signature.
func TestIssuerGoneAfterUse(t *testing.T) {
	is := trusttest.NewIssuer(t, "")
	cfg := mustConfig(t, `{"providers":{"login.example.com":{"issuer":"`+is.URL+`","clientIds":["c"]}}}`)
	r := trust.NewRegistry(cfg, nil, quiet)
	login := func(tok string) *trust.Login {
		return &trust.Login{Name: "login.example.com", Kind: trust.OIDC, ClientIDs: []string{"c"}, Token: tok}
	}
	if _, err := r.Verify(context.Background(), login(is.Token(is.Claims("alice", "c"))), time.Now()); err != nil {
		t.Fatal(err)
	}
	is.Rotate()
	rotated := is.Token(is.Claims("alice", "c"))
	is.Close()
	_, err := r.Verify(context.Background(), login(rotated), time.Now())
	var te *trust.Error
	if !errors.As(err, &te) || !te.Unavailable {
		t.Fatalf("want unavailable, got %v", err)
	}
}
