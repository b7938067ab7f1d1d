package tokens

import (
	"context"
	"crypto"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/cognitod/cognitod/internal/store"
)

const testIssuer = "https://cognito-identity.example.test"

var testNow = time.Unix(1_750_000_000, 0)

func newKeyring(t testing.TB, st store.Store) *Keyring {
	t.Helper()
	k, err := NewKeyring(context.Background(), st, testIssuer)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func testClaims(now time.Time) map[string]any {
	return map[string]any{
		"iss": testIssuer,
		"aud": "us-east-1:0b6e5a3c-2f1d-4c8e-9a7b-1d2e3f4a5b6c",
		"sub": "us-east-1:7c8d9e0f-1a2b-4c3d-8e5f-6a7b8c9d0e1f",
		"amr": []string{"unauthenticated"},
		"iat": now.Unix(),
		"exp": now.Add(10 * time.Minute).Unix(),
	}
}

func sign(t testing.TB, k *Keyring, region string, claims map[string]any) string {
	t.Helper()
	tok, err := k.Sign(context.Background(), region, claims)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// storedKey returns the private key the store holds for kid.
func storedKey(t testing.TB, st *fakeStore, kid string) *rsa.PrivateKey {
	t.Helper()
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, r := range st.keys {
		if r.KID == kid {
			k, err := parseKey(r)
			if err != nil {
				t.Fatal(err)
			}
			block, _ := pem.Decode(r.PrivatePEM)
			priv, err := x509.ParsePKCS8PrivateKey(block.Bytes)
			if err != nil {
				t.Fatal(err)
			}
			if !priv.(*rsa.PrivateKey).PublicKey.Equal(k.pub) {
				t.Fatal("parsed key differs")
			}
			return priv.(*rsa.PrivateKey)
		}
	}
	t.Fatalf("no stored key %q", kid)
	return nil
}

// keyRecord makes a signing-key record as another process would store it.
func keyRecord(t testing.TB, kid, region string) (*store.SigningKey, *rsa.PrivateKey) {
	t.Helper()
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return &store.SigningKey{
		KID: kid, Region: region, Algorithm: "RS512",
		PrivatePEM: pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}),
		CreatedAt:  testNow,
	}, priv
}

func b64u(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// craft builds a compact JWS by hand, so tests can make tokens go-jose
// would refuse to make.
func craft(t testing.TB, header, claims any, sig func(signingInput []byte) []byte) string {
	t.Helper()
	h, err := json.Marshal(header)
	if err != nil {
		t.Fatal(err)
	}
	c, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	in := b64u(h) + "." + b64u(c)
	return in + "." + b64u(sig([]byte(in)))
}

func rsaSig(priv *rsa.PrivateKey, hash crypto.Hash) func([]byte) []byte {
	return func(in []byte) []byte {
		h := hash.New()
		h.Write(in)
		s, err := rsa.SignPKCS1v15(nil, priv, hash, h.Sum(nil))
		if err != nil {
			panic(err)
		}
		return s
	}
}

func hmacSig(key []byte) func([]byte) []byte {
	return func(in []byte) []byte {
		m := hmac.New(sha256.New, key)
		m.Write(in)
		return m.Sum(nil)
	}
}

func awsHeader(kid, alg string) map[string]any {
	return map[string]any{"kid": kid, "typ": "JWS", "alg": alg}
}

func TestSignVerifyRoundTrip(t *testing.T) {
	st := newFakeStore()
	k := newKeyring(t, st)
	claims := testClaims(testNow)
	claims["https://aws.amazon.com/tags"] = map[string]any{"principal_tags": map[string][]string{"team": {"a"}}}
	tok := sign(t, k, "us-east-1", claims)

	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d parts", len(parts))
	}
	hb, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		t.Fatal(err)
	}
	var header map[string]any
	if err := json.Unmarshal(hb, &header); err != nil {
		t.Fatal(err)
	}
	if want := map[string]any{"kid": "us-east-1-1", "typ": "JWS", "alg": "RS512"}; !reflect.DeepEqual(header, want) {
		t.Errorf("header = %v, want %v", header, want)
	}

	got, err := k.Verify(context.Background(), tok, testNow)
	if err != nil {
		t.Fatal(err)
	}
	// What comes back is what went in, as encoding/json decodes it.
	var want map[string]any
	b, _ := json.Marshal(claims)
	json.Unmarshal(b, &want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("claims = %v, want %v", got, want)
	}

	if len(st.keys) != 1 {
		t.Fatalf("store has %d keys, want 1", len(st.keys))
	}
	r := st.keys[0]
	if r.KID != "us-east-1-1" || r.Region != "us-east-1" || r.Algorithm != "RS512" || !r.RetiredAt.IsZero() {
		t.Errorf("stored key = %+v", r)
	}
	if n := storedKey(t, st, "us-east-1-1").N.BitLen(); n != 2048 {
		t.Errorf("key is %d bits", n)
	}

	// A second region gets its own key; the first keeps signing with its own.
	tok2 := sign(t, k, "eu-west-1", testClaims(testNow))
	if kid := kidOf(t, tok2); kid != "eu-west-1-1" {
		t.Errorf("eu-west-1 kid = %q", kid)
	}
	if kid := kidOf(t, sign(t, k, "us-east-1", testClaims(testNow))); kid != "us-east-1-1" {
		t.Errorf("us-east-1 kid = %q", kid)
	}
	if _, err := k.Verify(context.Background(), tok2, testNow); err != nil {
		t.Error(err)
	}
	if len(st.keys) != 2 {
		t.Errorf("store has %d keys, want 2", len(st.keys))
	}
}

func kidOf(t testing.TB, tok string) string {
	t.Helper()
	jws, err := jose.ParseSignedCompact(tok, []jose.SignatureAlgorithm{jose.RS512})
	if err != nil {
		t.Fatal(err)
	}
	return jws.Signatures[0].Header.KeyID
}

func TestVerify(t *testing.T) {
	st := newFakeStore()
	k := newKeyring(t, st)
	valid := sign(t, k, "us-east-1", testClaims(testNow))
	priv := storedKey(t, st, "us-east-1-1")
	_, foreign := keyRecord(t, "us-east-1-1", "us-east-1")
	pubPEM := func() []byte {
		der, _ := x509.MarshalPKIXPublicKey(&priv.PublicKey)
		return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	}()
	parts := strings.Split(valid, ".")

	with := func(mod func(map[string]any)) map[string]any {
		c := testClaims(testNow)
		mod(c)
		return c
	}
	ours := func(claims any) string {
		return craft(t, awsHeader("us-east-1-1", "RS512"), claims, rsaSig(priv, crypto.SHA512))
	}
	tamperedPayload := func() string {
		c := with(func(c map[string]any) { c["sub"] = "us-east-1:someone-else" })
		b, _ := json.Marshal(c)
		return parts[0] + "." + b64u(b) + "." + parts[2]
	}()
	tamperedSig := func() string {
		s, _ := base64.RawURLEncoding.DecodeString(parts[2])
		s[len(s)/2] ^= 1
		return parts[0] + "." + parts[1] + "." + b64u(s)
	}()
	tamperedHeader := func() string {
		h, _ := json.Marshal(map[string]any{"kid": "us-east-1-1", "typ": "JWT", "alg": "RS512"})
		return b64u(h) + "." + parts[1] + "." + parts[2]
	}()

	tests := []struct {
		name  string
		token string
		now   time.Time
		want  error // nil, ErrTokenInvalid or ErrTokenExpired
	}{
		{"valid", valid, testNow, nil},
		{"AWS header member order", ours(testClaims(testNow)), testNow, nil},
		{"valid just before expiry", valid, testNow.Add(10 * time.Minute), nil},
		{"expired within skew", valid, testNow.Add(10*time.Minute + 59*time.Second), nil},
		{"expired past skew", valid, testNow.Add(10*time.Minute + 60*time.Second), ErrTokenExpired},
		{"expired long ago", valid, testNow.Add(48 * time.Hour), ErrTokenExpired},
		{"nbf within skew", ours(with(func(c map[string]any) { c["nbf"] = testNow.Add(59 * time.Second).Unix() })), testNow, nil},
		{"nbf past skew", ours(with(func(c map[string]any) { c["nbf"] = testNow.Add(61 * time.Second).Unix() })), testNow, ErrTokenInvalid},
		{"nbf not a number", ours(with(func(c map[string]any) { c["nbf"] = "soon" })), testNow, ErrTokenInvalid},
		{"no exp", ours(with(func(c map[string]any) { delete(c, "exp") })), testNow, ErrTokenInvalid},
		{"exp not a number", ours(with(func(c map[string]any) { c["exp"] = "later" })), testNow, ErrTokenInvalid},
		{"another node's issuer, our key", ours(with(func(c map[string]any) { c["iss"] = "http://10.0.0.2:9230" })), testNow, nil},
		{"no issuer", ours(with(func(c map[string]any) { delete(c, "iss") })), testNow, ErrTokenInvalid},
		{"issuer not a string", ours(with(func(c map[string]any) { c["iss"] = []string{testIssuer} })), testNow, ErrTokenInvalid},
		{"claims not an object", ours([]any{1, 2}), testNow, ErrTokenInvalid},
		{"claims null", ours(nil), testNow, ErrTokenInvalid},
		{"tampered payload", tamperedPayload, testNow, ErrTokenInvalid},
		{"tampered signature", tamperedSig, testNow, ErrTokenInvalid},
		{"tampered header", tamperedHeader, testNow, ErrTokenInvalid},
		{"signature dropped", parts[0] + "." + parts[1] + ".", testNow, ErrTokenInvalid},
		{"alg none", craft(t, awsHeader("us-east-1-1", "none"), testClaims(testNow), func([]byte) []byte { return nil }), testNow, ErrTokenInvalid},
		{"alg none keeping signature", func() string {
			h, _ := json.Marshal(awsHeader("us-east-1-1", "none"))
			return b64u(h) + "." + parts[1] + "." + parts[2]
		}(), testNow, ErrTokenInvalid},
		{"HS256 keyed with public PEM", craft(t, awsHeader("us-east-1-1", "HS256"), testClaims(testNow), hmacSig(pubPEM)), testNow, ErrTokenInvalid},
		{"HS256 keyed with modulus", craft(t, awsHeader("us-east-1-1", "HS256"), testClaims(testNow), hmacSig(priv.N.Bytes())), testNow, ErrTokenInvalid},
		{"HS512 keyed with public PEM", craft(t, awsHeader("us-east-1-1", "HS512"), testClaims(testNow), hmacSig(pubPEM)), testNow, ErrTokenInvalid},
		{"RS256 with our key", craft(t, awsHeader("us-east-1-1", "RS256"), testClaims(testNow), rsaSig(priv, crypto.SHA256)), testNow, ErrTokenInvalid},
		{"RS512 header, SHA-256 signature", craft(t, awsHeader("us-east-1-1", "RS512"), testClaims(testNow), rsaSig(priv, crypto.SHA256)), testNow, ErrTokenInvalid},
		{"no kid", craft(t, map[string]any{"alg": "RS512", "typ": "JWS"}, testClaims(testNow), rsaSig(priv, crypto.SHA512)), testNow, ErrTokenInvalid},
		{"foreign key, our kid", craft(t, awsHeader("us-east-1-1", "RS512"), testClaims(testNow), rsaSig(foreign, crypto.SHA512)), testNow, ErrTokenInvalid},
		{"unknown kid", craft(t, awsHeader("us-east-1-2", "RS512"), testClaims(testNow), rsaSig(priv, crypto.SHA512)), testNow, ErrTokenInvalid},
		{"JSON serialization", fmt.Sprintf(`{"protected":%q,"payload":%q,"signature":%q}`, parts[0], parts[1], parts[2]), testNow, ErrTokenInvalid},
		{"empty", "", testNow, ErrTokenInvalid},
		{"garbage", "not a token", testNow, ErrTokenInvalid},
		{"three dots", "a.b.c", testNow, ErrTokenInvalid},
		{"four parts", valid + ".x", testNow, ErrTokenInvalid},
		{"huge", strings.Repeat("A", maxJWTLen) + "." + parts[1] + "." + parts[2], testNow, ErrTokenInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			claims, err := k.Verify(context.Background(), tt.token, tt.now)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				if claims["sub"] != "us-east-1:7c8d9e0f-1a2b-4c3d-8e5f-6a7b8c9d0e1f" {
					t.Errorf("claims = %v", claims)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("Verify = %v, want %v", err, tt.want)
			}
			if claims != nil {
				t.Errorf("claims returned with error: %v", claims)
			}
			// The identity service tells expired from invalid by the word.
			if tt.want == ErrTokenInvalid && strings.Contains(err.Error(), "expired") {
				t.Errorf("invalid-token error %q mentions expired", err)
			}
		})
	}
}

func TestVerifyUnknownKidReloadsOnce(t *testing.T) {
	st := newFakeStore()
	k := newKeyring(t, st)
	sign(t, k, "us-east-1", testClaims(testNow))
	priv := storedKey(t, st, "us-east-1-1")

	known := sign(t, k, "us-east-1", testClaims(testNow))
	before := st.lists.Load()
	if _, err := k.Verify(context.Background(), known, testNow); err != nil {
		t.Fatal(err)
	}
	if n := st.lists.Load() - before; n != 0 {
		t.Errorf("known kid: %d store reads, want 0", n)
	}

	unknown := craft(t, awsHeader("ap-south-1-7", "RS512"), testClaims(testNow), rsaSig(priv, crypto.SHA512))
	before = st.lists.Load()
	if _, err := k.Verify(context.Background(), unknown, testNow); !errors.Is(err, ErrTokenInvalid) {
		t.Fatalf("Verify = %v", err)
	}
	if n := st.lists.Load() - before; n != 1 {
		t.Errorf("unknown kid: %d store reads, want 1", n)
	}
}

func TestKeyPersistence(t *testing.T) {
	st := newFakeStore()
	k1 := newKeyring(t, st)
	tok := sign(t, k1, "us-east-1", testClaims(testNow))

	// A restart, or another process on the same store.
	k2 := newKeyring(t, st)
	if _, err := k2.Verify(context.Background(), tok, testNow); err != nil {
		t.Fatalf("second keyring: %v", err)
	}
	tok2 := sign(t, k2, "us-east-1", testClaims(testNow))
	if kid := kidOf(t, tok2); kid != "us-east-1-1" {
		t.Errorf("second keyring signs with %q", kid)
	}
	if _, err := k1.Verify(context.Background(), tok2, testNow); err != nil {
		t.Errorf("first keyring on second's token: %v", err)
	}
	if len(st.keys) != 1 {
		t.Errorf("store has %d keys, want 1", len(st.keys))
	}
}

// A process that loaded the keys before another created a region's key
// finds it when it meets a token of it, and signs with it too.
func TestKeyCreatedByAnotherProcess(t *testing.T) {
	st := newFakeStore()
	k1 := newKeyring(t, st)
	k2 := newKeyring(t, st)
	tok := sign(t, k2, "eu-central-1", testClaims(testNow))
	if _, err := k1.Verify(context.Background(), tok, testNow); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if kid := kidOf(t, sign(t, k1, "eu-central-1", testClaims(testNow))); kid != "eu-central-1-1" {
		t.Errorf("k1 signs with %q", kid)
	}
	if len(st.keys) != 1 {
		t.Errorf("store has %d keys, want 1", len(st.keys))
	}
}

// Another process adds the same kid between our look at the store and our
// insert: AddSigningKey says ErrExists, and we sign with their key.
func TestAddSigningKeyRace(t *testing.T) {
	st := newFakeStore()
	k := newKeyring(t, st)
	theirs, theirPriv := keyRecord(t, "us-west-2-1", "us-west-2")
	st.beforeAddKey = func(tx *fakeTx, mine *store.SigningKey) {
		if mine.KID != theirs.KID {
			t.Errorf("adding %q, want %q", mine.KID, theirs.KID)
		}
		tx.f.keys = append(tx.f.keys, theirs)
		tx.keys = append(tx.keys, theirs)
	}
	tok := sign(t, k, "us-west-2", testClaims(testNow))
	if st.beforeAddKey != nil {
		t.Fatal("race hook not run")
	}
	jws, err := jose.ParseSignedCompact(tok, []jose.SignatureAlgorithm{jose.RS512})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := jws.Verify(&theirPriv.PublicKey); err != nil {
		t.Errorf("token not signed with the winner's key: %v", err)
	}
	if len(st.keys) != 1 {
		t.Errorf("store has %d keys, want 1", len(st.keys))
	}
}

func TestConcurrentFirstSign(t *testing.T) {
	st := newFakeStore()
	rings := []*Keyring{newKeyring(t, st), newKeyring(t, st)}
	var wg sync.WaitGroup
	toks := make([]string, 16)
	errs := make([]error, len(toks))
	for i := range toks {
		wg.Go(func() {
			toks[i], errs[i] = rings[i%2].Sign(context.Background(), "sa-east-1", testClaims(testNow))
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range rings {
			if _, err := k.Verify(context.Background(), toks[i], testNow); err != nil {
				t.Fatal(err)
			}
		}
	}
	if len(st.keys) != 1 {
		t.Errorf("store has %d keys, want 1", len(st.keys))
	}
}

func TestJWKS(t *testing.T) {
	st := newFakeStore()
	k := newKeyring(t, st)
	tokEast := sign(t, k, "us-east-1", testClaims(testNow))
	other := newKeyring(t, st) // another process adds a region
	tokWest := sign(t, other, "eu-west-1", testClaims(testNow))

	raw, err := k.JWKS(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(raw, &set); err != nil {
		t.Fatalf("JWKS %s: %v", raw, err)
	}
	var kids []string
	for _, key := range set.Keys {
		kids = append(kids, key.KeyID)
		if key.Algorithm != "RS512" || key.Use != "sig" || !key.IsPublic() {
			t.Errorf("key %s: alg %q use %q public %v", key.KeyID, key.Algorithm, key.Use, key.IsPublic())
		}
	}
	if want := []string{"eu-west-1-1", "us-east-1-1"}; !reflect.DeepEqual(kids, want) {
		t.Errorf("kids = %v, want %v", kids, want)
	}
	var doc struct{ Keys []map[string]any }
	json.Unmarshal(raw, &doc)
	for _, m := range doc.Keys {
		if len(m) != 6 || m["kty"] != "RSA" || m["e"] != "AQAB" {
			t.Errorf("JWK members = %v", m)
		}
	}

	// A relying party holding only the JWKS verifies our tokens.
	for _, tok := range []string{tokEast, tokWest} {
		parsed, err := jwt.ParseSigned(tok, []jose.SignatureAlgorithm{jose.RS512})
		if err != nil {
			t.Fatal(err)
		}
		var std jwt.Claims
		if err := parsed.Claims(set, &std); err != nil {
			t.Fatalf("verifying with the JWKS: %v", err)
		}
		if err := std.ValidateWithLeeway(jwt.Expected{Issuer: testIssuer, Time: testNow}, 0); err != nil {
			t.Error(err)
		}
	}
}

func TestRetiredKeys(t *testing.T) {
	st := newFakeStore()
	k := newKeyring(t, st)
	claims := testClaims(testNow)
	claims["exp"] = testNow.Add(MaxTokenLifetime).Unix()
	old := sign(t, k, "us-east-1", claims)
	retired := testNow.Add(time.Minute)
	st.update("us-east-1-1", func(r *store.SigningKey) { r.RetiredAt = retired })

	k2 := newKeyring(t, st)
	k2.now = func() time.Time { return retired.Add(time.Hour) }
	if kid := kidOf(t, sign(t, k2, "us-east-1", testClaims(testNow))); kid != "us-east-1-2" {
		t.Errorf("after retirement signs with %q, want us-east-1-2", kid)
	}
	jwksKids := func() []string {
		raw, err := k2.JWKS(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		var set jose.JSONWebKeySet
		json.Unmarshal(raw, &set)
		var kids []string
		for _, key := range set.Keys {
			kids = append(kids, key.KeyID)
		}
		return kids
	}
	if got := jwksKids(); !reflect.DeepEqual(got, []string{"us-east-1-1", "us-east-1-2"}) {
		t.Errorf("JWKS kids an hour after retirement = %v", got)
	}
	if _, err := k2.Verify(context.Background(), old, retired.Add(time.Hour)); err != nil {
		t.Errorf("retired key's token an hour after retirement: %v", err)
	}

	past := retired.Add(RetiredKeyLifetime)
	k2.now = func() time.Time { return past }
	if got := jwksKids(); !reflect.DeepEqual(got, []string{"us-east-1-2"}) {
		t.Errorf("JWKS kids a day after retirement = %v", got)
	}
	if _, err := k2.Verify(context.Background(), old, past); !errors.Is(err, ErrTokenInvalid) && !errors.Is(err, ErrTokenExpired) {
		t.Errorf("retired key's token a day after retirement: %v", err)
	}
}

func TestKeyringErrors(t *testing.T) {
	st := newFakeStore()
	if _, err := NewKeyring(context.Background(), st, ""); err == nil {
		t.Error("empty issuer accepted")
	}
	k := newKeyring(t, st)
	for _, region := range []string{"", "US-EAST-1", "us east 1", "us-east-1/../x"} {
		if _, err := k.Sign(context.Background(), region, testClaims(testNow)); err == nil {
			t.Errorf("Sign(%q) succeeded", region)
		}
	}
	if _, err := k.Sign(context.Background(), "us-east-1", nil); err == nil {
		t.Error("nil claims signed")
	}
	if _, err := k.Sign(context.Background(), "us-east-1", map[string]any{"x": func() {}}); err == nil {
		t.Error("unencodable claims signed")
	}
	if len(st.keys) != 0 {
		t.Errorf("failed signs stored %d keys", len(st.keys))
	}

	bad := newFakeStore()
	bad.keys = []*store.SigningKey{{KID: "us-east-1-1", Region: "us-east-1", Algorithm: "RS512", PrivatePEM: []byte("junk")}}
	if _, err := NewKeyring(context.Background(), bad, testIssuer); err == nil {
		t.Error("unreadable key accepted")
	}

	// Keys of other algorithms are not ours and are left alone.
	foreign, _ := keyRecord(t, "us-east-1-1", "us-east-1")
	foreign.Algorithm = "ES256"
	mixed := newFakeStore()
	mixed.keys = []*store.SigningKey{foreign}
	km := newKeyring(t, mixed)
	if kid := kidOf(t, sign(t, km, "us-east-1", testClaims(testNow))); kid == "us-east-1-1" {
		t.Errorf("signed with the ES256 record's kid")
	}
}

func BenchmarkSign(b *testing.B) {
	k := newKeyring(b, newFakeStore())
	claims := testClaims(testNow)
	sign(b, k, "us-east-1", claims)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := k.Sign(context.Background(), "us-east-1", claims); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSignParallel(b *testing.B) {
	k := newKeyring(b, newFakeStore())
	claims := testClaims(testNow)
	sign(b, k, "us-east-1", claims)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := k.Sign(context.Background(), "us-east-1", claims); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func BenchmarkVerify(b *testing.B) {
	k := newKeyring(b, newFakeStore())
	tok := sign(b, k, "us-east-1", testClaims(testNow))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := k.Verify(context.Background(), tok, testNow); err != nil {
			b.Fatal(err)
		}
	}
}
