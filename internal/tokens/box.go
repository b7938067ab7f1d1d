package tokens

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"strings"

	"github.com/cognitod/cognitod/internal/store"
)

// maxBoxTokenLen bounds what Box.Open will decode.
const maxBoxTokenLen = 16 << 10

// Box makes opaque tokens (NextTokens, SyncSessionTokens) that carry state
// for the server but that clients can neither read, forge nor alter:
// standard base64 (as AWS's NextTokens are) of nonce || AES-256-GCM(payload).
// Hiding the payload keeps account IDs and internal keys out of what clients
// see and log.
//
// A Box is safe for concurrent use.
type Box struct {
	aead cipher.AEAD
}

// NewBox loads the 256-bit key kept as store secret name, creating it on the
// first start. Use one name per purpose so that a token made for one purpose
// is refused by another.
func NewBox(ctx context.Context, st store.Store, name string) (*Box, error) {
	key, err := loadOrCreateSecret(ctx, st, name, 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Box{aead: aead}, nil
}

// Seal returns the token for payload.
func (b *Box) Seal(payload []byte) string {
	ns := b.aead.NonceSize()
	buf := make([]byte, ns, ns+len(payload)+b.aead.Overhead())
	rand.Read(buf)
	buf = b.aead.Seal(buf, buf[:ns], payload, nil)
	return base64.StdEncoding.EncodeToString(buf)
}

// Open returns the payload of a token made by Seal with the same key, or
// ErrTokenInvalid for anything else: garbage, a forged or altered token, a
// token of another key, or a non-canonical spelling of a genuine one.
func (b *Box) Open(token string) ([]byte, error) {
	if len(token) > maxBoxTokenLen || hasNewline(token) {
		return nil, ErrTokenInvalid
	}
	raw, err := base64.StdEncoding.Strict().DecodeString(token)
	ns := b.aead.NonceSize()
	if err != nil || len(raw) < ns+b.aead.Overhead() {
		return nil, ErrTokenInvalid
	}
	payload, err := b.aead.Open(nil, raw[:ns], raw[ns:], nil)
	if err != nil {
		return nil, ErrTokenInvalid
	}
	return payload, nil
}

// pagePrefix keeps NextTokens apart from the other tokens a Box seals
// (SyncSessionTokens), so that one can never be passed off as the other.
const pagePrefix = "page\x00"

// SealPage returns a NextToken that resumes a listing after key. scope names
// the listing (operation, account, pool...), so that a token is refused by
// any other listing.
func (b *Box) SealPage(scope, key string) string {
	return b.Seal([]byte(pagePrefix + scope + "\x00\x00" + key))
}

// OpenPage returns the key a NextToken made by SealPage for scope resumes
// after; ok is false for a token that was forged, altered, or made for
// another listing.
func (b *Box) OpenPage(token, scope string) (key string, ok bool) {
	p, err := b.Open(token)
	if err != nil {
		return "", false
	}
	return strings.CutPrefix(string(p), pagePrefix+scope+"\x00\x00")
}
