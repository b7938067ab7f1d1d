package tokens

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"testing"

	"github.com/cognitod/cognitod/internal/store"
)

func newMACT(t testing.TB, st store.Store, name string) *MAC {
	t.Helper()
	m, err := NewMAC(context.Background(), st, name)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestMACRoundTrip(t *testing.T) {
	st := newFakeStore()
	m := newMACT(t, st, "next-token-key")
	for _, payload := range [][]byte{
		nil,
		[]byte("x"),
		[]byte("pools\x00\x00us-east-1:0b6e5a3c-2f1d-4c8e-9a7b-1d2e3f4a5b6c"),
		bytes.Repeat([]byte{0xff, 0}, 500),
	} {
		tok := m.Seal(payload)
		raw, err := base64.StdEncoding.Strict().DecodeString(tok)
		if err != nil {
			t.Fatalf("not standard base64: %v", err)
		}
		if len(raw) != len(payload)+16 || !bytes.Equal(raw[:len(payload)], payload) {
			t.Errorf("layout: %x", raw)
		}
		got, err := m.Open(tok)
		if err != nil {
			t.Fatalf("Open(%q): %v", tok, err)
		}
		if !bytes.Equal(got, payload) {
			t.Errorf("Open = %q, want %q", got, payload)
		}
	}

	// Another MAC on the same store and name shares the key; another name
	// does not.
	tok := m.Seal([]byte("page 2"))
	if _, err := newMACT(t, st, "next-token-key").Open(tok); err != nil {
		t.Errorf("same name: %v", err)
	}
	if _, err := newMACT(t, st, "other-key").Open(tok); err != ErrTokenInvalid {
		t.Errorf("other name: %v", err)
	}
}

func TestMACForgery(t *testing.T) {
	m := newMACT(t, newFakeStore(), "next-token-key")
	payload := []byte("identities\x00\x00us-east-1:7c8d9e0f")
	tok := m.Seal(payload)
	raw, _ := base64.StdEncoding.DecodeString(tok)
	enc := base64.StdEncoding.EncodeToString

	forge := func(key, p []byte) string {
		h := hmac.New(sha256.New, key)
		h.Write(p)
		return enc(append(bytes.Clone(p), h.Sum(nil)[:16]...))
	}
	tests := []struct {
		name, token string
	}{
		{"empty", ""},
		{"short", enc(raw[:15])},
		{"tag only, wrong", enc(make([]byte, 16))},
		{"payload changed", enc(append([]byte("identities\x00\x00us-east-1:00000000"), raw[len(payload):]...))},
		{"payload extended", enc(append(append(bytes.Clone(payload), 'x'), raw[len(payload):]...))},
		{"tag truncated", enc(raw[:len(raw)-1])},
		{"full-length tag", forge(m.key, payload)[:0] + enc(append(bytes.Clone(payload), func() []byte { h := hmac.New(sha256.New, m.key); h.Write(payload); return h.Sum(nil) }()...))},
		{"other key", forge(bytes.Repeat([]byte{1}, 32), payload)},
		{"empty key", forge(nil, payload)},
		{"URL encoding", base64.URLEncoding.EncodeToString(raw) + "_-"},
		{"unpadded", base64.RawStdEncoding.EncodeToString(raw)},
		{"newline", tok[:4] + "\n" + tok[4:]},
		{"garbage", "!!not base64!!"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, err := m.Open(tt.token); err != ErrTokenInvalid || got != nil {
				t.Errorf("Open = %q, %v; want ErrTokenInvalid", got, err)
			}
		})
	}
	for i := range raw {
		c := bytes.Clone(raw)
		c[i] ^= 0x80
		if _, err := m.Open(enc(c)); err != ErrTokenInvalid {
			t.Fatalf("byte %d flipped: %v", i, err)
		}
	}
}

func BenchmarkMACOpen(b *testing.B) {
	m := newMACT(b, newFakeStore(), "next-token-key")
	tok := m.Seal([]byte("identities\x00\x00us-east-1:7c8d9e0f-1a2b-4c3d-8e5f-6a7b8c9d0e1f"))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Open(tok); err != nil {
			b.Fatal(err)
		}
	}
}
