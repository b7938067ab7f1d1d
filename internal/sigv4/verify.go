package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"net/textproto"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

const (
	// MaxSkew is how far a request's date may be from the server's clock.
	MaxSkew = 15 * time.Minute

	unsignedPayload = "UNSIGNED-PAYLOAD"
	scopeTerminator = "aws4_request"
)

// Verify checks the signature of r, as parsed by Parse, against secret.
//
// body is the full request body, which the caller has read. The payload hash
// is computed from it, unless X-Amz-Content-Sha256 says UNSIGNED-PAYLOAD or
// gives the hash, which must then match the body. now is the server clock:
// a request dated more than 15 minutes from it is refused, and a presigned
// one is refused once its X-Amz-Expires has passed.
func Verify(r *http.Request, body []byte, p *Request, secret string, now time.Time) error {
	return verify(r, body, p, secret, now, true)
}

// verify is Verify; alternatives says whether to try the canonical forms
// other than the SDKs' (the tests turn it off to show the SDKs need none).
func verify(r *http.Request, body []byte, p *Request, secret string, now time.Time, alternatives bool) error {
	if p == nil {
		return ErrMissing
	}
	// X-Amz-Target names the operation: a signature that does not cover
	// it would let whoever holds a signed request run another operation
	// with it. Every SDK signs it. (Checked where a signature is verified:
	// under --auth any, which verifies none, it would protect nothing.)
	if len(r.Header.Values("X-Amz-Target")) > 0 && !p.signs("x-amz-target") {
		if p.Presigned {
			return incomplete("'X-Amz-Target' must be a 'SignedHeader' in the AWS query-string parameters.")
		}
		return incomplete(MsgTargetNotSigned)
	}
	date := p.Date.UTC()
	now = now.UTC().Truncate(time.Second)
	if date.Sub(now) > MaxSkew {
		return skewError(date, now, MaxSkew, false)
	}
	life := MaxSkew
	if p.Presigned && p.Expires > 0 {
		life = p.Expires
	}
	if now.Sub(date) > life {
		return skewError(date, now, life, true)
	}
	var day [8]byte
	if string(date.AppendFormat(day[:0], "20060102")) != p.ScopeDate {
		return invalid("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '" +
			p.ScopeDate + "' != '" + string(day[:]) + "', from '" + date.Format(amzDateFormat) + "'.")
	}
	var want [32]byte
	if !decodeHex(&want, p.Signature) {
		return invalid(MsgSignatureMismatch)
	}

	// The payload hash: what X-Amz-Content-Sha256 announced, else the body's.
	declared := r.Header.Get("X-Amz-Content-Sha256")
	v := verifier{r: r, p: p, date: date, key: signingKey(secret, p.ScopeDate, p.Region, p.Service), emptyBody: len(body) == 0}
	if declared != unsignedPayload {
		v.bodySum = sha256.Sum256(body)
	}

	bp := bufPool.Get().(*[]byte)
	v.buf = *bp
	path := escapedPath(r.URL)
	ok := v.matches(path, declared, &want)
	if !ok && alternatives {
		ok = v.matchesAlternatives(path, declared, &want)
	}
	if cap(v.buf) <= maxPooledBuf {
		*bp = v.buf[:0]
		bufPool.Put(bp)
	}
	if !ok {
		return invalid(MsgSignatureMismatch)
	}
	if declared != "" && declared != unsignedPayload {
		var got [64]byte
		hex.Encode(got[:], v.bodySum[:])
		if !strings.EqualFold(declared, string(got[:])) {
			return invalid(MsgContentSHA256Mismatch)
		}
	}
	return nil
}

// maxPooledBuf bounds the buffers kept for reuse, so that one request with
// a huge query does not pin its buffer.
const maxPooledBuf = 64 << 10

// bufPool holds the buffers the canonical request and string to sign are
// built in.
var bufPool = sync.Pool{New: func() any {
	b := make([]byte, 0, 1024)
	return &b
}}

type verifier struct {
	r       *http.Request
	p       *Request
	date    time.Time
	key     *[32]byte
	bodySum [32]byte // SHA-256 of the body, unless UNSIGNED-PAYLOAD
	// emptyBody: a presigned URL signed over UNSIGNED-PAYLOAD is taken
	// only without a body (a GET), so that such a URL never lets its
	// holder choose what a write carries.
	emptyBody bool
	buf       []byte
}

// matches reports whether the signature computed over the canonical URI of
// path and the given payload hash ("" for the body's) is want.
func (v *verifier) matches(path, payload string, want *[32]byte) bool {
	got := v.signature(path, payload)
	return subtle.ConstantTimeCompare(got[:], want[:]) == 1
}

// matchesAlternatives tries the other canonical forms a legitimate client
// may have signed, once the usual one failed: the path as it was on the
// wire if Go's re-escaping changed it, the path normalised as AWS and
// botocore do, and for presigned URLs without a body an UNSIGNED-PAYLOAD
// one.
func (v *verifier) matchesAlternatives(path, declared string, want *[32]byte) bool {
	paths := make([]string, 1, 4)
	paths[0] = path
	if w := wirePath(v.r); w != "" && w != path {
		paths = append(paths, w)
	}
	for _, p := range paths {
		if n := normalizePath(p); n != p && !slices.Contains(paths, n) {
			paths = append(paths, n)
		}
	}
	payloads := []string{declared}
	if v.p.Presigned && declared == "" && v.emptyBody {
		payloads = append(payloads, unsignedPayload)
	}
	for i, path := range paths {
		for j, payload := range payloads {
			if i == 0 && j == 0 {
				continue // already tried
			}
			if v.matches(path, payload, want) {
				return true
			}
		}
	}
	return false
}

// signature computes the request's signature with the canonical URI built
// from path, and payload as the payload hash ("" for the body's hash).
func (v *verifier) signature(path, payload string) [32]byte {
	b := v.appendCanonicalRequest(v.buf[:0], path, payload)
	crHash := sha256.Sum256(b)

	// HMAC-SHA256(key, stringToSign) computed in place, so that the string
	// to sign is hashed straight after the inner pad without a copy and
	// without crypto/hmac's allocations. The key is 32 bytes, shorter than
	// SHA-256's 64-byte block, so it is only padded, never hashed first.
	b = slices.Grow(b[:0], 64+len(Algorithm)+len(amzDateFormat)+len(v.p.ScopeDate)+len(v.p.Region)+len(v.p.Service)+len(scopeTerminator)+64+8)[:64]
	clear(b)
	copy(b, v.key[:])
	for i := range 64 {
		b[i] ^= 0x36
	}
	b = append(b, Algorithm...)
	b = append(b, '\n')
	b = v.date.AppendFormat(b, amzDateFormat)
	b = append(b, '\n')
	b = appendScope(b, v.p)
	b = append(b, '\n')
	b = hex.AppendEncode(b, crHash[:])
	inner := sha256.Sum256(b)
	v.buf = b

	var outer [64 + 32]byte
	copy(outer[:], v.key[:])
	for i := range 64 {
		outer[i] ^= 0x5c
	}
	copy(outer[64:], inner[:])
	return sha256.Sum256(outer[:])
}

func appendScope(b []byte, p *Request) []byte {
	b = append(b, p.ScopeDate...)
	b = append(b, '/')
	b = append(b, p.Region...)
	b = append(b, '/')
	b = append(b, p.Service...)
	b = append(b, '/')
	return append(b, scopeTerminator...)
}

// appendCanonicalRequest writes
//
//	METHOD\nURI\nQUERY\nheader:value\n...\n\nsigned;headers\nPAYLOADHASH
func (v *verifier) appendCanonicalRequest(b []byte, path, payload string) []byte {
	r, p := v.r, v.p
	method := r.Method
	if method == "" {
		method = http.MethodGet
	}
	b = append(b, method...)
	b = append(b, '\n')
	b = appendCanonicalURI(b, path)
	b = append(b, '\n')
	b = appendCanonicalQuery(b, r.URL.RawQuery, p.Presigned)
	b = append(b, '\n')
	for _, name := range p.SignedHeaders {
		b = appendLower(b, name)
		b = append(b, ':')
		b = v.appendHeaderValues(b, name)
		b = append(b, '\n')
	}
	b = append(b, '\n')
	for i, name := range p.SignedHeaders {
		if i > 0 {
			b = append(b, ';')
		}
		b = appendLower(b, name)
	}
	b = append(b, '\n')
	if payload != "" {
		return append(b, payload...)
	}
	return hex.AppendEncode(b, v.bodySum[:])
}

// appendHeaderValues writes the canonical value of one signed header.
func (v *verifier) appendHeaderValues(b []byte, name string) []byte {
	r := v.r
	switch {
	case strings.EqualFold(name, "host"):
		// Go's server moves Host out of the header map.
		host := r.Host
		if host == "" {
			host = r.URL.Host
		}
		return appendTrimmed(b, host)
	case strings.EqualFold(name, "content-length"):
		if _, ok := r.Header["Content-Length"]; !ok && r.ContentLength >= 0 {
			return strconv.AppendInt(b, r.ContentLength, 10)
		}
	}
	for i, val := range headerValues(r.Header, name) {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendTrimmed(b, val)
	}
	return b
}

// headerValues looks name up in h as Go stores it (textproto's canonical
// form), building the key on the stack rather than allocating it.
func headerValues(h http.Header, name string) []string {
	var key [64]byte
	if len(name) > len(key) {
		return h[textproto.CanonicalMIMEHeaderKey(name)]
	}
	upper := true
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !isTokenByte(c) {
			return h[textproto.CanonicalMIMEHeaderKey(name)]
		}
		switch {
		case upper && 'a' <= c && c <= 'z':
			c -= 'a' - 'A'
		case !upper && 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		key[i] = c
		upper = c == '-'
	}
	return h[string(key[:len(name)])]
}

// isTokenByte reports whether c may appear in a header name (RFC 7230
// token), the bytes textproto canonicalises.
func isTokenByte(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// appendTrimmed writes a header value trimmed, with runs of spaces
// collapsed to one.
func appendTrimmed(b []byte, s string) []byte {
	s = strings.TrimSpace(s)
	space := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == ' ' {
			if space {
				continue
			}
			space = true
		} else {
			space = false
		}
		b = append(b, c)
	}
	return b
}

func appendLower(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return b
}

const upperHex = "0123456789ABCDEF"

// unreserved reports whether RFC 3986 leaves c unescaped.
func unreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

func appendEscaped(b []byte, s string, keepSlash bool) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) || keepSlash && c == '/' {
			b = append(b, c)
		} else {
			b = append(b, '%', upperHex[c>>4], upperHex[c&15])
		}
	}
	return b
}

// appendCanonicalURI escapes the path as sent once more, keeping '/'.
func appendCanonicalURI(b []byte, path string) []byte {
	if path == "" {
		return append(b, '/')
	}
	return appendEscaped(b, path, true)
}

type queryPair struct{ k, v string }

// appendCanonicalQuery writes the query decoded as url.ParseQuery does (the
// SDK signers read it with url.URL.Query), re-encoded per RFC 3986 and
// sorted by encoded name, then value.
func appendCanonicalQuery(b []byte, raw string, presigned bool) []byte {
	if raw == "" {
		return b
	}
	var stack [16]queryPair
	pairs := stack[:0]
	for raw != "" {
		var kv string
		kv, raw, _ = strings.Cut(raw, "&")
		if kv == "" || strings.IndexByte(kv, ';') >= 0 {
			continue // url.ParseQuery drops these
		}
		k, val, _ := strings.Cut(kv, "=")
		k, ok := canonicalQueryComponent(k)
		if !ok {
			continue
		}
		if val, ok = canonicalQueryComponent(val); !ok {
			continue
		}
		if presigned && k == qSignature {
			continue
		}
		pairs = append(pairs, queryPair{k, val})
	}
	slices.SortFunc(pairs, func(a, c queryPair) int {
		if n := strings.Compare(a.k, c.k); n != 0 {
			return n
		}
		return strings.Compare(a.v, c.v)
	})
	for i, q := range pairs {
		if i > 0 {
			b = append(b, '&')
		}
		b = append(b, q.k...)
		b = append(b, '=')
		b = append(b, q.v...)
	}
	return b
}

// canonicalQueryComponent decodes a raw query name or value as
// url.QueryUnescape does and re-encodes it per RFC 3986. ok is false when it
// does not decode, as url.ParseQuery then drops the pair.
func canonicalQueryComponent(s string) (string, bool) {
	if isCanonicalComponent(s) {
		return s, true // what the SDKs send: no copy needed
	}
	u, err := url.QueryUnescape(s)
	if err != nil {
		return "", false
	}
	return string(appendEscaped(make([]byte, 0, len(u)*3), u, false)), true
}

// isCanonicalComponent reports whether decoding and re-encoding s would
// give s back: it holds only unreserved bytes and upper-case %XX escapes of
// bytes that are not unreserved.
func isCanonicalComponent(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) {
			continue
		}
		if c != '%' || i+2 >= len(s) || !isUpperHex(s[i+1]) || !isUpperHex(s[i+2]) ||
			unreserved(unhex(s[i+1])<<4|unhex(s[i+2])) {
			return false
		}
		i += 2
	}
	return true
}

func isUpperHex(c byte) bool { return '0' <= c && c <= '9' || 'A' <= c && c <= 'F' }

func isHex(c byte) bool { return isUpperHex(c) || 'a' <= c && c <= 'f' }

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// pathByteOK[c] says whether url.URL.EscapedPath accepts c unescaped in
// RawPath. It is taken from net/url itself so escapedPath cannot drift
// from it.
var pathByteOK = func() (ok [256]bool) {
	for c := range 256 {
		if c == '%' {
			continue
		}
		p := "/" + string(rune(c))
		if c >= 0x80 {
			p = "/" + string([]byte{byte(c)})
		}
		u := url.URL{Path: p, RawPath: p}
		ok[c] = u.EscapedPath() == p
	}
	return ok
}()

// escapedPath is u.EscapedPath() without its allocation in the usual case:
// when RawPath is set, EscapedPath returns it if it is validly escaped and
// decodes to Path, which is checked here in place instead of by decoding it
// into a new string. Any other case is left to EscapedPath.
func escapedPath(u *url.URL) string {
	raw, p := u.RawPath, u.Path
	if raw == "" {
		return u.EscapedPath()
	}
	j := 0
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c == '%' {
			if i+2 >= len(raw) || !isHex(raw[i+1]) || !isHex(raw[i+2]) {
				return u.EscapedPath()
			}
			c = unhex(raw[i+1])<<4 | unhex(raw[i+2])
			i += 2
		} else if !pathByteOK[c] {
			return u.EscapedPath()
		}
		if j >= len(p) || p[j] != c {
			return u.EscapedPath()
		}
		j++
	}
	if j != len(p) {
		return u.EscapedPath()
	}
	return raw
}

// wirePath returns the path of the request target as it was on the wire,
// when it names the same path as r.URL, or "".
func wirePath(r *http.Request) string {
	u := r.RequestURI
	if u == "" || u[0] != '/' {
		return ""
	}
	if i := strings.IndexByte(u, '?'); i >= 0 {
		u = u[:i]
	}
	if p, err := url.PathUnescape(u); err != nil || p != r.URL.Path {
		return ""
	}
	return u
}

// normalizePath removes "." and ".." segments and empty segments (repeated
// slashes) as AWS does for every service but S3, keeping a trailing slash;
// botocore normalises the same way before signing. The result is absolute.
func normalizePath(p string) string {
	if p == "" {
		return "/"
	}
	var out []string
	for _, seg := range strings.Split(p, "/") {
		switch seg {
		case "", ".":
		case "..":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		default:
			out = append(out, seg)
		}
	}
	n := "/" + strings.Join(out, "/")
	if p[len(p)-1] == '/' && len(out) > 0 {
		n += "/"
	}
	return n
}

// decodeHex decodes a 64-digit lower-case hex signature.
func decodeHex(dst *[32]byte, s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := range dst {
		hi, ok1 := fromHex(s[2*i])
		lo, ok2 := fromHex(s[2*i+1])
		if !ok1 || !ok2 {
			return false
		}
		dst[i] = hi<<4 | lo
	}
	return true
}

func fromHex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	}
	return 0, false
}

// DeriveKey computes the SigV4 signing key for a secret and a credential
// scope: HMAC chained over "AWS4"+secret, date, region, service and
// "aws4_request".
func DeriveKey(secret, date, region, service string) [32]byte {
	k := hmacSHA256([]byte("AWS4"+secret), date)
	k = hmacSHA256(k[:], region)
	k = hmacSHA256(k[:], service)
	return hmacSHA256(k[:], scopeTerminator)
}

func hmacSHA256(key []byte, msg string) [32]byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(msg))
	var out [32]byte
	h.Sum(out[:0])
	return out
}
