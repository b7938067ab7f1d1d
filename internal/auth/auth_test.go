package auth

import (
	"os"
	"path/filepath"

	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/cognitod/cognitod/internal/store/sqlite"
	"github.com/cognitod/cognitod/internal/tokens"
)

// signed returns a request signed now by aws-sdk-go-v2 with the key pair.
func signed(t *testing.T, keyID, secret string) (*http.Request, []byte) {
	t.Helper()
	return signedFor(t, keyID, secret, "cognito-identity")
}

func signedFor(t *testing.T, keyID, secret, service string) (*http.Request, []byte) {
	t.Helper()
	body := []byte(`{"MaxResults":1}`)
	r, err := http.NewRequest("POST", "http://127.0.0.1:9230/", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Content-Type", "application/x-amz-json-1.1")
	r.Header.Set("X-Amz-Target", "AWSCognitoIdentityService.ListIdentityPools")
	sum := sha256.Sum256(body)
	creds := aws.Credentials{AccessKeyID: keyID, SecretAccessKey: secret}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, r, hex.EncodeToString(sum[:]), service, "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	return r, body
}

// TestAccountOfCaller: which account a developer request acts for, in each
// mode. Under any, a configured key keeps its account (a seeded fixture's
// key must reach the seeded pools), whatever secret signed it.
func TestAccountOfCaller(t *testing.T) {
	keys := &Keys{}
	keys.Add(Key{AccessKeyID: "AKIDSEEDTEAMA0000001", Secret: "right-secret", Account: "111122223333"})
	cases := []struct {
		mode        Mode
		key, secret string
		account     string // "" means refused, with code
		code        string
	}{
		{ModeAny, "AKIDSEEDTEAMA0000001", "right-secret", "111122223333", ""},
		{ModeAny, "AKIDSEEDTEAMA0000001", "any-secret", "111122223333", ""},
		{ModeAny, "123456789012", "x", "123456789012", ""},
		{ModeAny, "testing", "testing", DefaultAccount, ""},
		{ModeSigV4, "AKIDSEEDTEAMA0000001", "right-secret", "111122223333", ""},
		{ModeSigV4, "AKIDSEEDTEAMA0000001", "wrong-secret", "", "InvalidSignatureException"},
		{ModeSigV4, "123456789012", "x", "", "UnrecognizedClientException"},
	}
	for _, c := range cases {
		t.Run(string(c.mode)+"/"+c.key+"/"+c.secret, func(t *testing.T) {
			r, body := signed(t, c.key, c.secret)
			caller, err := New(c.mode, keys, nil).Authenticate(r, body, "cognito-identity")
			if c.account == "" {
				if err == nil || !strings.Contains(err.Error(), c.code) {
					t.Fatalf("got %+v, %v; want %s", caller, err, c.code)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if caller.Account != c.account || !caller.Developer() {
				t.Fatalf("account %s (developer %v), want %s", caller.Account, caller.Developer(), c.account)
			}
		})
	}
}

// TestOwns: a caller owns its account's resources in its region only; an
// unsigned request owns nothing.
func TestOwns(t *testing.T) {
	c := &Caller{Account: "123456789012", Region: "us-east-1"}
	for _, tc := range []struct {
		caller          *Caller
		account, region string
		want            bool
	}{
		{c, "123456789012", "us-east-1", true},
		{c, "999988887777", "us-east-1", false},
		{c, "123456789012", "eu-west-1", false},
		{nil, "123456789012", "us-east-1", false},
	} {
		if got := tc.caller.Owns(tc.account, tc.region); got != tc.want {
			t.Errorf("%+v.Owns(%s, %s) = %v, want %v", tc.caller, tc.account, tc.region, got, tc.want)
		}
	}
}

// TestScopeNamesTheService: a signature whose scope names another service
// is refused under sigv4, with AWS's message, though its secret is right;
// under any no signature is checked.
func TestScopeNamesTheService(t *testing.T) {
	keys := &Keys{}
	keys.Add(Key{AccessKeyID: "AKIDSEEDTEAMA0000001", Secret: "right-secret", Account: "111122223333"})
	for _, service := range []string{"s3", "sts", "cognito-sync"} {
		r, body := signedFor(t, "AKIDSEEDTEAMA0000001", "right-secret", service)
		_, err := New(ModeSigV4, keys, nil).Authenticate(r, body, "cognito-identity")
		if err == nil || !strings.Contains(err.Error(), "InvalidSignatureException") || !strings.Contains(err.Error(), "Credential should be scoped to correct service: 'cognito-identity'.") {
			t.Errorf("signed for %s: %v", service, err)
		}
		r, body = signedFor(t, "AKIDSEEDTEAMA0000001", "right-secret", service)
		if _, err := New(ModeAny, keys, nil).Authenticate(r, body, "cognito-identity"); err != nil {
			t.Errorf("signed for %s under any: %v", service, err)
		}
	}
	r, body := signedFor(t, "AKIDSEEDTEAMA0000001", "right-secret", "cognito-identity")
	if _, err := New(ModeSigV4, keys, nil).Authenticate(r, body, "cognito-identity"); err != nil {
		t.Errorf("signed for cognito-identity: %v", err)
	}
}

// TestSessionKeepsToItsRegion: temporary credentials issued for a pool in
// one region are no token in another, though the signature is right.
func TestSessionKeepsToItsRegion(t *testing.T) {
	st, err := sqlite.Open(context.Background(), sqlite.Memory, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	sealer, err := tokens.NewSealer(context.Background(), st)
	if err != nil {
		t.Fatal(err)
	}
	sess, token, err := sealer.Mint("us-east-1:i", "us-east-1:p", "111122223333", "us-east-1", "arn:aws:iam::111122223333:role/r", time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, region := range []string{"us-east-1", "eu-west-1"} {
		body := []byte(`{}`)
		r, _ := http.NewRequest("GET", "http://127.0.0.1:9230/identitypools/us-east-1%3Ap/identities/us-east-1%3Ai/datasets", strings.NewReader(string(body)))
		sum := sha256.Sum256(body)
		creds := aws.Credentials{AccessKeyID: sess.AccessKeyID, SecretAccessKey: sess.SecretKey, SessionToken: token}
		if err := v4.NewSigner().SignHTTP(context.Background(), creds, r, hex.EncodeToString(sum[:]), "cognito-sync", region, time.Now()); err != nil {
			t.Fatal(err)
		}
		c, err := New(ModeSigV4, &Keys{}, sealer).Authenticate(r, body, "cognito-sync")
		if region == "us-east-1" && (err != nil || c.Session == nil) {
			t.Errorf("in its own region: %v, %v", c, err)
		}
		if region != "us-east-1" && (err == nil || !strings.Contains(err.Error(), "UnrecognizedClientException")) {
			t.Errorf("in %s: %v, %v; want UnrecognizedClientException", region, c, err)
		}
	}
}

// TestGeneratedKey: the first start writes a key, later starts read the
// same one, and a key file that holds no key (an empty file) is an error
// that says what to do, not a crash or a silent replacement.
func TestGeneratedKey(t *testing.T) {
	dir := t.TempDir()
	k, created, err := LoadOrCreateKey(dir)
	if err != nil || !created || k.AccessKeyID == "" {
		t.Fatalf("first start: %+v, %v, %v", k, created, err)
	}
	again, created, err := LoadOrCreateKey(dir)
	if err != nil || created || again != k {
		t.Fatalf("second start: %+v, %v, %v; want %+v", again, created, err, k)
	}
	if fi, err := os.Stat(filepath.Join(dir, GeneratedKeyFile)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v, %v", fi, err)
	}
	empty := t.TempDir()
	if err := os.WriteFile(filepath.Join(empty, GeneratedKeyFile), []byte("# nothing\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadOrCreateKey(empty); err == nil || !strings.Contains(err.Error(), "holds no key") {
		t.Fatalf("a key file without a key: %v", err)
	}
	if entries, _ := os.ReadDir(empty); len(entries) != 1 {
		t.Fatalf("files left beside it: %v", entries)
	}
}
