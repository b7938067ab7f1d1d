package tokens

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base32"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/cognitod/cognitod/internal/store"
)

const (
	// sessionKeySecret names the store secret holding the AES-256 key.
	sessionKeySecret = "session-token-key"

	// sealVersion is the token's first byte, bound into the seal as
	// additional data. A new layout or key takes a new version, so old
	// tokens fail cleanly as invalid instead of being misread.
	sealVersion byte = 1

	nonceLen = 12 // GCM's standard nonce
	tagLen   = 16 // GCM's tag
	idLen    = 10 // random bytes behind the access key ID: 80 bits, 16 base32 chars
	secLen   = 30 // random bytes behind the secret key: 240 bits, 40 base64 chars

	// maxField bounds each string sealed in a token; real values (ARNs,
	// identity IDs) are far shorter.
	maxField = 2048
	// maxSealedLen bounds what Open will decode.
	maxSealedLen = 8 << 10
)

// Session is the temporary credentials GetCredentialsForIdentity hands out,
// as recovered from their session token.
type Session struct {
	// AccessKeyID is "ASIA" and 16 upper-case base32 characters, the shape
	// of AWS's temporary access key IDs.
	AccessKeyID string
	// SecretKey is 40 base64 characters, like AWS's secret keys. The
	// verifier of a SigV4 request recovers it from the session token.
	SecretKey  string
	IdentityID string
	PoolID     string
	Account    string
	Region     string
	RoleARN    string
	// Expiration is whole seconds, in UTC.
	Expiration time.Time
}

// Sealer mints temporary credentials whose session token carries the whole
// Session, encrypted and authenticated with AES-256-GCM. Any node holding
// the key (one store secret) can check a request signed with them without a
// store lookup, and nobody else can read the secret key inside or alter the
// identity, role or expiry.
//
// Nonces are random; with one key that is safe for about 2^32 tokens
// (NIST SP 800-38D), far more credentials than a cognitod deployment mints.
//
// A Sealer is safe for concurrent use.
type Sealer struct {
	aead cipher.AEAD
}

// NewSealer loads the session-token key, store secret "session-token-key",
// creating it on the first start.
func NewSealer(ctx context.Context, st store.Store) (*Sealer, error) {
	secret, err := loadOrCreateSecret(ctx, st, sessionKeySecret, 32)
	if err != nil {
		return nil, err
	}
	return newSealer(secret)
}

func newSealer(secret []byte) (*Sealer, error) {
	block, err := aes.NewCipher(secret)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Sealer{aead: aead}, nil
}

// Mint makes fresh credentials valid from now for ttl (Expiration is
// truncated to the second, as AWS reports it) and returns them with their
// session token: base64 (standard, like AWS's) of
//
//	version(1) || nonce(12) || AES-256-GCM(plaintext) || tag(16)
//
// where plaintext is the key ID's and secret's random bytes, the expiry as
// a varint and the five strings each prefixed by its uvarint length. A
// typical token is about 350 characters; AWS's are longer.
func (s *Sealer) Mint(identityID, poolID, account, region, roleARN string, ttl time.Duration, now time.Time) (*Session, string, error) {
	if ttl <= 0 {
		return nil, "", fmt.Errorf("tokens: ttl %v is not positive", ttl)
	}
	fields := [...]string{identityID, poolID, account, region, roleARN}
	size := idLen + secLen + binary.MaxVarintLen64
	for _, f := range fields {
		if len(f) > maxField {
			return nil, "", fmt.Errorf("tokens: session field of %d bytes is too long", len(f))
		}
		size += binary.MaxVarintLen16 + len(f)
	}
	exp := now.Add(ttl).Truncate(time.Second).UTC()

	plain := make([]byte, idLen+secLen, size)
	if _, err := rand.Read(plain); err != nil {
		return nil, "", err
	}
	plain = binary.AppendVarint(plain, exp.Unix())
	for _, f := range fields {
		plain = binary.AppendUvarint(plain, uint64(len(f)))
		plain = append(plain, f...)
	}

	out := make([]byte, 1+nonceLen, 1+nonceLen+len(plain)+tagLen)
	out[0] = sealVersion
	if _, err := rand.Read(out[1:]); err != nil {
		return nil, "", err
	}
	out = s.aead.Seal(out, out[1:1+nonceLen], plain, out[:1])

	return &Session{
		AccessKeyID: accessKeyID(plain[:idLen]),
		SecretKey:   base64.StdEncoding.EncodeToString(plain[idLen : idLen+secLen]),
		IdentityID:  identityID,
		PoolID:      poolID,
		Account:     account,
		Region:      region,
		RoleARN:     roleARN,
		Expiration:  exp,
	}, base64.StdEncoding.EncodeToString(out), nil
}

// Open checks a session token and returns its Session. It returns
// ErrTokenInvalid for anything not sealed by this key, altered in any bit
// or not canonically encoded, and ErrTokenExpired for an authentic token at
// or past its Expiration (authenticity is checked first, so a forged token
// is never reported as merely expired).
func (s *Sealer) Open(token string, now time.Time) (*Session, error) {
	if len(token) > maxSealedLen || hasNewline(token) {
		return nil, ErrTokenInvalid
	}
	raw, err := base64.StdEncoding.Strict().DecodeString(token)
	if err != nil || len(raw) < 1+nonceLen+tagLen || raw[0] != sealVersion {
		return nil, ErrTokenInvalid
	}
	ct := raw[1+nonceLen:]
	plain, err := s.aead.Open(ct[:0], raw[1:1+nonceLen], ct, raw[:1]) // in place
	if err != nil {
		return nil, ErrTokenInvalid
	}
	sess, err := decodeSession(plain)
	if err != nil {
		// Authentic but unreadable: only a bug or a layout change without
		// a new version gets here.
		return nil, ErrTokenInvalid
	}
	if !now.Before(sess.Expiration) {
		return nil, ErrTokenExpired
	}
	return sess, nil
}

var errLayout = errors.New("bad session layout")

func decodeSession(p []byte) (*Session, error) {
	if len(p) < idLen+secLen {
		return nil, errLayout
	}
	sess := &Session{
		AccessKeyID: accessKeyID(p[:idLen]),
		SecretKey:   base64.StdEncoding.EncodeToString(p[idLen : idLen+secLen]),
	}
	p = p[idLen+secLen:]
	exp, n := binary.Varint(p)
	if n <= 0 {
		return nil, errLayout
	}
	p = p[n:]
	sess.Expiration = time.Unix(exp, 0).UTC()
	for _, f := range [...]*string{&sess.IdentityID, &sess.PoolID, &sess.Account, &sess.Region, &sess.RoleARN} {
		l, n := binary.Uvarint(p)
		if n <= 0 || l > maxField || uint64(len(p)-n) < l {
			return nil, errLayout
		}
		*f = string(p[n : n+int(l)])
		p = p[n+int(l):]
	}
	if len(p) != 0 {
		return nil, errLayout
	}
	return sess, nil
}

// accessKeyID spells 10 random bytes as an AWS temporary access key ID.
func accessKeyID(b []byte) string {
	return "ASIA" + base32.StdEncoding.EncodeToString(b)
}
