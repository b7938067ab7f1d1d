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
	"maps"
	"slices"
	"time"

	"github.com/cognitod/cognitod/internal/store"
)

const (
	// sessionKeySecret names the store secret holding the AES-256 key.
	sessionKeySecret = "session-token-key"

	// sealVersion is the token's first byte, bound into the seal as
	// additional data. A new layout or key takes a new version, so old
	// tokens fail cleanly as invalid instead of being misread. Version 2 is
	// version 1 followed by the session's principal tags; sessions without
	// tags are still sealed as version 1.
	sealVersion     byte = 1
	sealVersionTags byte = 2

	// maxTags bounds the principal tags of a session (STS's limit on
	// session tags).
	maxTags = 50

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
	// Tags are the session's principal tags (the identity pool's attribute
	// mappings applied to the login's claims), as STS would attach them as
	// session tags; nil when there are none.
	Tags map[string]string
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
	return s.MintSession(&Session{IdentityID: identityID, PoolID: poolID, Account: account, Region: region, RoleARN: roleARN}, ttl, now)
}

// MintSession is Mint for the identity, pool, account, region, role and
// principal tags of in (its keys and expiry are ignored: they are made
// here). With tags the token is sealed as version 2: the version 1 layout
// followed by the tag count and each key and value, length-prefixed, in key
// order.
func (s *Sealer) MintSession(in *Session, ttl time.Duration, now time.Time) (*Session, string, error) {
	if ttl <= 0 {
		return nil, "", fmt.Errorf("tokens: ttl %v is not positive", ttl)
	}
	identityID, poolID, account, region, roleARN := in.IdentityID, in.PoolID, in.Account, in.Region, in.RoleARN
	fields := []string{identityID, poolID, account, region, roleARN}
	version := sealVersion
	var tags map[string]string
	if len(in.Tags) > 0 {
		if len(in.Tags) > maxTags {
			return nil, "", fmt.Errorf("tokens: %d session tags, at most %d", len(in.Tags), maxTags)
		}
		version, tags = sealVersionTags, maps.Clone(in.Tags)
	}
	size := idLen + secLen + binary.MaxVarintLen64 + binary.MaxVarintLen16
	for _, f := range fields {
		if len(f) > maxField {
			return nil, "", fmt.Errorf("tokens: session field of %d bytes is too long", len(f))
		}
		size += binary.MaxVarintLen16 + len(f)
	}
	for k, v := range tags {
		if len(k) > maxField || len(v) > maxField {
			return nil, "", fmt.Errorf("tokens: session tag of %d bytes is too long", len(k)+len(v))
		}
		size += 2*binary.MaxVarintLen16 + len(k) + len(v)
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
	if version == sealVersionTags {
		plain = binary.AppendUvarint(plain, uint64(len(tags)))
		for _, k := range slices.Sorted(maps.Keys(tags)) {
			for _, f := range [...]string{k, tags[k]} {
				plain = binary.AppendUvarint(plain, uint64(len(f)))
				plain = append(plain, f...)
			}
		}
	}

	out := make([]byte, 1+nonceLen, 1+nonceLen+len(plain)+tagLen)
	out[0] = version
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
		Tags:        tags,
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
	if err != nil || len(raw) < 1+nonceLen+tagLen || (raw[0] != sealVersion && raw[0] != sealVersionTags) {
		return nil, ErrTokenInvalid
	}
	ct := raw[1+nonceLen:]
	plain, err := s.aead.Open(ct[:0], raw[1:1+nonceLen], ct, raw[:1]) // in place
	if err != nil {
		return nil, ErrTokenInvalid
	}
	sess, err := decodeSession(plain, raw[0] == sealVersionTags)
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

func decodeSession(p []byte, withTags bool) (*Session, error) {
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
	str := func(f *string) bool {
		l, n := binary.Uvarint(p)
		if n <= 0 || l > maxField || uint64(len(p)-n) < l {
			return false
		}
		*f = string(p[n : n+int(l)])
		p = p[n+int(l):]
		return true
	}
	for _, f := range [...]*string{&sess.IdentityID, &sess.PoolID, &sess.Account, &sess.Region, &sess.RoleARN} {
		if !str(f) {
			return nil, errLayout
		}
	}
	if withTags {
		count, n := binary.Uvarint(p)
		if n <= 0 || count == 0 || count > maxTags {
			return nil, errLayout
		}
		p = p[n:]
		sess.Tags = make(map[string]string, count)
		for range count {
			var k, v string
			if !str(&k) || !str(&v) {
				return nil, errLayout
			}
			sess.Tags[k] = v
		}
		if uint64(len(sess.Tags)) != count {
			return nil, errLayout
		}
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
