package tokens

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cognitod/cognitod/internal/store"
)

const (
	testIdentity = "us-east-1:7c8d9e0f-1a2b-4c3d-8e5f-6a7b8c9d0e1f"
	testPool     = "us-east-1:0b6e5a3c-2f1d-4c8e-9a7b-1d2e3f4a5b6c"
	testAccount  = "123456789012"
	testRole     = "arn:aws:iam::123456789012:role/Cognito_TestUnauth_Role"
)

func newSealerT(t testing.TB, st store.Store) *Sealer {
	t.Helper()
	s, err := NewSealer(context.Background(), st)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func mint(t testing.TB, s *Sealer, ttl time.Duration, now time.Time) (*Session, string) {
	t.Helper()
	sess, tok, err := s.Mint(testIdentity, testPool, testAccount, "us-east-1", testRole, ttl, now)
	if err != nil {
		t.Fatal(err)
	}
	return sess, tok
}

var (
	accessKeyRE = regexp.MustCompile(`^ASIA[A-Z2-7]{16}$`)
	secretKeyRE = regexp.MustCompile(`^[A-Za-z0-9+/]{40}$`)
)

func TestSealerRoundTrip(t *testing.T) {
	s := newSealerT(t, newFakeStore())
	now := testNow.Add(123 * time.Millisecond) // Expiration drops the fraction
	sess, tok := mint(t, s, time.Hour, now)

	if !accessKeyRE.MatchString(sess.AccessKeyID) {
		t.Errorf("AccessKeyID %q", sess.AccessKeyID)
	}
	if !secretKeyRE.MatchString(sess.SecretKey) {
		t.Errorf("SecretKey %q", sess.SecretKey)
	}
	if want := testNow.Add(time.Hour); !sess.Expiration.Equal(want) || sess.Expiration.Location() != time.UTC {
		t.Errorf("Expiration = %v, want %v UTC", sess.Expiration, want)
	}
	want := Session{
		AccessKeyID: sess.AccessKeyID, SecretKey: sess.SecretKey,
		IdentityID: testIdentity, PoolID: testPool, Account: testAccount, Region: "us-east-1", RoleARN: testRole,
		Expiration: sess.Expiration,
	}
	if !reflect.DeepEqual(*sess, want) {
		t.Errorf("minted %+v, want %+v", *sess, want)
	}
	if _, err := base64.StdEncoding.Strict().DecodeString(tok); err != nil {
		t.Errorf("token is not standard base64: %v", err)
	}
	if len(tok) > 400 {
		t.Errorf("token is %d chars", len(tok))
	}
	t.Logf("session token: %d chars", len(tok))

	for _, at := range []time.Time{now, testNow.Add(59 * time.Minute), testNow.Add(time.Hour - time.Nanosecond)} {
		got, err := s.Open(tok, at)
		if err != nil {
			t.Fatalf("Open at %v: %v", at, err)
		}
		if !reflect.DeepEqual(*got, *sess) {
			t.Errorf("opened %+v, want %+v", *got, *sess)
		}
	}

	// Fresh credentials every time.
	sess2, tok2 := mint(t, s, time.Hour, now)
	if sess2.AccessKeyID == sess.AccessKeyID || sess2.SecretKey == sess.SecretKey || tok2 == tok {
		t.Error("two mints gave the same credentials")
	}

	// Empty fields and long ones survive too.
	long := strings.Repeat("x", maxField)
	sess3, tok3, err := s.Mint("", long, "", "eu-west-1", "", 15*time.Minute, now)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.Open(tok3, now); err != nil || !reflect.DeepEqual(*got, *sess3) {
		t.Errorf("Open = %+v, %v; want %+v", got, err, sess3)
	}
}

func TestSealerMintErrors(t *testing.T) {
	s := newSealerT(t, newFakeStore())
	if _, _, err := s.Mint(testIdentity, testPool, testAccount, "us-east-1", testRole, 0, testNow); err == nil {
		t.Error("zero ttl accepted")
	}
	if _, _, err := s.Mint(testIdentity, testPool, testAccount, "us-east-1", strings.Repeat("x", maxField+1), time.Hour, testNow); err == nil {
		t.Error("oversized field accepted")
	}
}

func TestSealerExpiry(t *testing.T) {
	s := newSealerT(t, newFakeStore())
	_, tok := mint(t, s, time.Hour, testNow)
	tests := []struct {
		name string
		at   time.Time
		want error
	}{
		{"issued", testNow, nil},
		{"last nanosecond", testNow.Add(time.Hour - 1), nil},
		{"at expiration", testNow.Add(time.Hour), ErrTokenExpired},
		{"long after", testNow.Add(1000 * time.Hour), ErrTokenExpired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sess, err := s.Open(tok, tt.at)
			if err != tt.want {
				t.Fatalf("Open = %v, want %v", err, tt.want)
			}
			if (sess == nil) != (tt.want != nil) {
				t.Errorf("session %v with error %v", sess, err)
			}
		})
	}
	// A tampered expired token is invalid, not expired.
	raw, _ := base64.StdEncoding.DecodeString(tok)
	raw[len(raw)-1] ^= 1
	if _, err := s.Open(base64.StdEncoding.EncodeToString(raw), testNow.Add(2*time.Hour)); err != ErrTokenInvalid {
		t.Errorf("tampered expired token: %v", err)
	}
}

func TestSealerTamper(t *testing.T) {
	s := newSealerT(t, newFakeStore())
	_, tok := mint(t, s, time.Hour, testNow)
	raw, err := base64.StdEncoding.DecodeString(tok)
	if err != nil {
		t.Fatal(err)
	}
	enc := base64.StdEncoding.EncodeToString

	// Every bit of every byte: version, nonce, ciphertext and tag.
	for i := range raw {
		for bit := range 8 {
			c := bytes.Clone(raw)
			c[i] ^= 1 << bit
			if _, err := s.Open(enc(c), testNow); err != ErrTokenInvalid {
				t.Fatalf("byte %d bit %d flipped: %v", i, bit, err)
			}
		}
	}
	// Every character of the base64 text, to every other character.
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=\n\r .-_"
	for i := range tok {
		for _, ch := range []byte(alphabet) {
			if ch == tok[i] {
				continue
			}
			c := []byte(tok)
			c[i] = ch
			if _, err := s.Open(string(c), testNow); err != ErrTokenInvalid {
				t.Fatalf("char %d set to %q: %v", i, ch, err)
			}
		}
	}
	// Truncation and extension.
	for n := range len(raw) {
		if _, err := s.Open(enc(raw[:n]), testNow); err != ErrTokenInvalid {
			t.Fatalf("truncated to %d bytes: %v", n, err)
		}
	}
	for _, extra := range [][]byte{{0}, {1, 2, 3}} {
		if _, err := s.Open(enc(append(bytes.Clone(raw), extra...)), testNow); err != ErrTokenInvalid {
			t.Fatalf("extended by %v: %v", extra, err)
		}
	}

	garbage := []string{
		"", "=", "AAAA", "!!!!", "FwoGZXIvYXdzEBYaDHRoaXMgaXMgZmFrZQ==",
		tok + "\n", tok[:10] + "\n" + tok[10:], " " + tok, tok + "=",
		base64.URLEncoding.EncodeToString(raw) + "-_",
		strings.Repeat("A", maxSealedLen+4),
	}
	if unpadded := base64.RawStdEncoding.EncodeToString(raw); unpadded != tok {
		garbage = append(garbage, unpadded)
	}
	for i, g := range garbage {
		if _, err := s.Open(g, testNow); err != ErrTokenInvalid {
			t.Errorf("garbage %d Open(%.40q) = %v", i, g, err)
		}
	}

	// Another key.
	other := newSealerT(t, newFakeStore())
	if _, err := other.Open(tok, testNow); err != ErrTokenInvalid {
		t.Errorf("other key: %v", err)
	}
}

func TestSealerSharedKey(t *testing.T) {
	st := newFakeStore()
	s1 := newSealerT(t, st)
	s2 := newSealerT(t, st)
	sess, tok := mint(t, s1, time.Hour, testNow)
	got, err := s2.Open(tok, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(*got, *sess) {
		t.Errorf("opened %+v, want %+v", *got, *sess)
	}
	if k := st.secrets[sessionKeySecret]; len(k) != 32 {
		t.Errorf("stored key is %d bytes", len(k))
	}
}

// Two first starts race: the other process stores its key between our
// "not found" and our PutSecret. We must end up with theirs.
func TestSealerFirstStartRace(t *testing.T) {
	st := newFakeStore()
	theirs := bytes.Repeat([]byte{7}, 32)
	st.beforePutSecret = func(tx *fakeTx, name string) {
		tx.f.secrets[name] = theirs
		tx.secrets[name] = theirs
	}
	s := newSealerT(t, st)
	if st.beforePutSecret != nil {
		t.Fatal("race hook not run")
	}
	winner, err := newSealer(theirs)
	if err != nil {
		t.Fatal(err)
	}
	_, tok := mint(t, s, time.Hour, testNow)
	if _, err := winner.Open(tok, testNow); err != nil {
		t.Errorf("not using the winner's key: %v", err)
	}
}

func TestSealerBadStoredKey(t *testing.T) {
	st := newFakeStore()
	st.secrets[sessionKeySecret] = []byte("short")
	if _, err := NewSealer(context.Background(), st); err == nil {
		t.Error("short key accepted")
	}
	if string(st.secrets[sessionKeySecret]) != "short" {
		t.Error("bad key overwritten")
	}
}

type failingStore struct{ *fakeStore }

func (failingStore) View(context.Context, func(store.Tx) error) error {
	return errors.New("disk on fire")
}

func TestSecretStoreError(t *testing.T) {
	st := failingStore{newFakeStore()}
	if _, err := NewSealer(context.Background(), st); err == nil || !strings.Contains(err.Error(), "disk on fire") {
		t.Errorf("NewSealer = %v", err)
	}
	if _, err := NewBox(context.Background(), st, "next-token-key"); err == nil {
		t.Error("NewBox succeeded on a failing store")
	}
	if _, err := NewKeyring(context.Background(), st, testIssuer); err == nil {
		t.Error("NewKeyring succeeded on a failing store")
	}
}

func BenchmarkSealerMint(b *testing.B) {
	s := newSealerT(b, newFakeStore())
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := s.Mint(testIdentity, testPool, testAccount, "us-east-1", testRole, time.Hour, testNow); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSealerOpen(b *testing.B) {
	s := newSealerT(b, newFakeStore())
	_, tok := mint(b, s, time.Hour, testNow)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Open(tok, testNow); err != nil {
			b.Fatal(err)
		}
	}
}

func TestSealerTags(t *testing.T) {
	s := newSealerT(t, newFakeStore())
	in := &Session{IdentityID: testIdentity, PoolID: testPool, Account: testAccount, Region: "us-east-1", RoleARN: testRole,
		Tags: map[string]string{"username": "alice", "client": "app-1", "": "", "dept": strings.Repeat("é", 128)}}
	sess, tok, err := s.MintSession(in, time.Hour, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(sess.Tags, in.Tags) {
		t.Errorf("minted tags %v", sess.Tags)
	}
	in.Tags["username"] = "mallory" // the session keeps its own copy
	got, err := s.Open(tok, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, sess) || got.Tags["username"] != "alice" {
		t.Errorf("opened %+v, want %+v", got, sess)
	}
	raw, _ := base64.StdEncoding.DecodeString(tok)
	if raw[0] != sealVersionTags {
		t.Errorf("tagged token has version %d", raw[0])
	}
	// The version is sealed: a tagged token relabelled as version 1 fails.
	raw[0] = sealVersion
	if _, err := s.Open(base64.StdEncoding.EncodeToString(raw), testNow); !errors.Is(err, ErrTokenInvalid) {
		t.Errorf("relabelled token: %v", err)
	}
	// No tags: version 1, as before.
	_, plain := mint(t, s, time.Hour, testNow)
	if raw, _ := base64.StdEncoding.DecodeString(plain); raw[0] != sealVersion {
		t.Errorf("untagged token has version %d", raw[0])
	}
	many := map[string]string{}
	for i := range maxTags + 1 {
		many[strings.Repeat("k", i+1)] = "v"
	}
	if _, _, err := s.MintSession(&Session{Tags: many}, time.Hour, testNow); err == nil {
		t.Error("51 tags sealed")
	}
}
