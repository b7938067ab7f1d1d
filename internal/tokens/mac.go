package tokens

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"

	"github.com/cognitod/cognitod/internal/store"
)

const (
	// macTagLen is the HMAC-SHA256 tag truncated to 128 bits: forging one
	// takes 2^128 guesses, and NextTokens stay short.
	macTagLen = 16
	// maxMACTokenLen bounds what MAC.Open will decode.
	maxMACTokenLen = 16 << 10
)

// MAC makes opaque tokens (NextTokens) that carry state for the server but
// that clients can neither forge nor alter: standard base64 (as AWS's
// NextTokens are) of payload || HMAC-SHA256(key, payload)[:16]. The payload
// is authenticated, not hidden; put nothing secret in it.
//
// A MAC is safe for concurrent use.
type MAC struct {
	key []byte
}

// NewMAC loads the 256-bit HMAC key kept as store secret name, creating it
// on the first start. Use one name per purpose so that a token made for one
// purpose is refused by another.
func NewMAC(ctx context.Context, st store.Store, name string) (*MAC, error) {
	key, err := loadOrCreateSecret(ctx, st, name, 32)
	if err != nil {
		return nil, err
	}
	return &MAC{key: key}, nil
}

func (m *MAC) tag(dst, payload []byte) []byte {
	h := hmac.New(sha256.New, m.key)
	h.Write(payload)
	return h.Sum(dst)[:len(dst)+macTagLen]
}

// Seal returns the token for payload.
func (m *MAC) Seal(payload []byte) string {
	buf := make([]byte, 0, len(payload)+sha256.Size)
	buf = append(buf, payload...)
	buf = m.tag(buf, payload)
	return base64.StdEncoding.EncodeToString(buf)
}

// Open returns the payload of a token made by Seal with the same key, or
// ErrTokenInvalid for anything else: garbage, a forged or altered tag, a
// token of another key, or a non-canonical spelling of a genuine one.
func (m *MAC) Open(token string) ([]byte, error) {
	if len(token) > maxMACTokenLen || hasNewline(token) {
		return nil, ErrTokenInvalid
	}
	raw, err := base64.StdEncoding.Strict().DecodeString(token)
	if err != nil || len(raw) < macTagLen {
		return nil, ErrTokenInvalid
	}
	payload, got := raw[:len(raw)-macTagLen], raw[len(raw)-macTagLen:]
	var buf [sha256.Size]byte
	if !hmac.Equal(got, m.tag(buf[:0], payload)) {
		return nil, ErrTokenInvalid
	}
	return payload[:len(payload):len(payload)], nil
}
