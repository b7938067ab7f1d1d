package tokens

import (
	"bytes"
	"context"
	"encoding/base64"
	"testing"

	"github.com/cognitod/cognitod/internal/store"
)

func newBoxT(t testing.TB, st store.Store, name string) *Box {
	t.Helper()
	m, err := NewBox(context.Background(), st, name)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestBoxRoundTrip(t *testing.T) {
	st := newFakeStore()
	m := newBoxT(t, st, "next-token-key")
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
		if len(raw) != 12+len(payload)+16 || (len(payload) > 4 && bytes.Contains(raw, payload)) {
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
	if _, err := newBoxT(t, st, "next-token-key").Open(tok); err != nil {
		t.Errorf("same name: %v", err)
	}
	if _, err := newBoxT(t, st, "other-key").Open(tok); err != ErrTokenInvalid {
		t.Errorf("other name: %v", err)
	}
}

func TestBoxForgery(t *testing.T) {
	m := newBoxT(t, newFakeStore(), "next-token-key")
	payload := []byte("identities\x00\x00us-east-1:7c8d9e0f")
	tok := m.Seal(payload)
	if bytes.Contains([]byte(tok), []byte("identities")) {
		t.Fatal("payload readable in the token")
	}
	if tok2 := m.Seal(payload); tok2 == tok {
		t.Fatal("two seals of one payload are equal: nonce reused")
	}
	raw, _ := base64.StdEncoding.DecodeString(tok)
	enc := base64.StdEncoding.EncodeToString
	other := newBoxT(t, newFakeStore(), "next-token-key")
	tests := []struct {
		name, token string
	}{
		{"empty", ""},
		{"short", enc(raw[:15])},
		{"zeros", enc(make([]byte, len(raw)))},
		{"extended", enc(append(bytes.Clone(raw), 'x'))},
		{"truncated", enc(raw[:len(raw)-1])},
		{"other key", other.Seal(payload)},
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

func BenchmarkBoxOpen(b *testing.B) {
	m := newBoxT(b, newFakeStore(), "next-token-key")
	tok := m.Seal([]byte("identities\x00\x00us-east-1:7c8d9e0f-1a2b-4c3d-8e5f-6a7b8c9d0e1f"))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Open(tok); err != nil {
			b.Fatal(err)
		}
	}
}

func TestBoxPages(t *testing.T) {
	b := newBoxT(t, newFakeStore(), "next-token-key")
	tok := b.SealPage("identities\x00us-east-1:p1", "us-east-1:id-60")
	if key, ok := b.OpenPage(tok, "identities\x00us-east-1:p1"); !ok || key != "us-east-1:id-60" {
		t.Fatalf("OpenPage = %q, %v", key, ok)
	}
	for _, scope := range []string{"identities\x00us-east-1:p2", "identities", "pools\x00us-east-1:p1", ""} {
		if _, ok := b.OpenPage(tok, scope); ok {
			t.Errorf("token of one listing accepted by scope %q", scope)
		}
	}
	// A token sealed for another purpose is not a page token.
	if _, ok := b.OpenPage(b.Seal([]byte("sst\x00identities\x00us-east-1:p1\x00\x00k")), "identities\x00us-east-1:p1"); ok {
		t.Error("non-page token accepted")
	}
	if _, ok := b.OpenPage("Zm9yZ2Vk", "identities\x00us-east-1:p1"); ok {
		t.Error("forged token accepted")
	}
}
