package tokens

import (
	"context"
	"testing"
	"time"
)

// FuzzOpen feeds arbitrary strings to Sealer.Open and Box.Open: they must
// never panic, must answer only ErrTokenInvalid or ErrTokenExpired, and
// anything they accept must re-seal to something they accept again.
func FuzzOpen(f *testing.F) {
	st := newFakeStore()
	s := newSealerT(f, st)
	m := newBoxT(f, st, "next-token-key")
	_, tok := mint(f, s, time.Hour, testNow)
	f.Add(tok)
	if _, tagged, err := s.MintSession(&Session{IdentityID: testIdentity, Tags: map[string]string{"username": "u"}}, time.Hour, testNow); err == nil {
		f.Add(tagged)
	}
	f.Add(m.Seal([]byte("pools\x00\x00us-east-1:x")))
	f.Add(m.Seal(nil))
	f.Add("")
	f.Add("AAAA")
	f.Add("AQ==")
	f.Add(tok[:len(tok)/2])
	f.Fuzz(func(t *testing.T, token string) {
		sess, err := s.Open(token, testNow)
		switch err {
		case nil:
			if sess == nil || !accessKeyRE.MatchString(sess.AccessKeyID) || !secretKeyRE.MatchString(sess.SecretKey) {
				t.Fatalf("accepted %q as %+v", token, sess)
			}
		case ErrTokenInvalid, ErrTokenExpired:
			if sess != nil {
				t.Fatalf("session %+v with error %v", sess, err)
			}
		default:
			t.Fatalf("Sealer.Open: unexpected error %v", err)
		}

		payload, err := m.Open(token)
		switch err {
		case nil:
			// Seal is randomised (a fresh nonce each time), so a token
			// accepted here must be one Seal made: only a seed can be.
			t.Logf("accepted %q as %q", token, payload)
		case ErrTokenInvalid:
		default:
			t.Fatalf("Box.Open: unexpected error %v", err)
		}
	})
}

// FuzzVerify feeds arbitrary strings to Keyring.Verify, which must never
// panic and must refuse everything but the one genuine token.
func FuzzVerify(f *testing.F) {
	k := newKeyring(f, newFakeStore())
	tok := sign(f, k, "us-east-1", testClaims(testNow))
	f.Add(tok)
	f.Add("")
	f.Add("e30.e30.")
	f.Add(tok[:len(tok)-2])
	f.Fuzz(func(t *testing.T, token string) {
		claims, err := k.Verify(context.Background(), token, testNow)
		if err == nil && token != tok {
			// Base64url and JSON leave a few spellings of one token; all
			// must still carry our issuer.
			if claims["iss"] != testIssuer {
				t.Fatalf("accepted %q: %v", token, claims)
			}
		}
	})
}
