package sigv4

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cognitod/cognitod/internal/awsproto"
)

// Algorithm is the only signing algorithm accepted.
const Algorithm = "AWS4-HMAC-SHA256"

// Request is what was parsed from a request's signature: its Authorization
// header, or the X-Amz-* query parameters of a presigned URL.
type Request struct {
	AccessKeyID   string
	Date          time.Time // from X-Amz-Date (or the Date header), UTC
	ScopeDate     string    // yyyymmdd of the credential scope
	Region        string
	Service       string
	SignedHeaders []string // as sent (lower case by the spec)
	Signature     string   // lower-case hex, as sent
	SecurityToken string   // X-Amz-Security-Token header or query, "" if none
	Presigned     bool
	// Expires is a presigned URL's X-Amz-Expires; 0 when it has none, and
	// then the URL lives for the same 15 minutes a header signature does.
	Expires time.Duration
}

// Query parameters of a presigned URL.
const (
	qAlgorithm     = "X-Amz-Algorithm"
	qCredential    = "X-Amz-Credential"
	qDate          = "X-Amz-Date"
	qSignedHeaders = "X-Amz-SignedHeaders"
	qSignature     = "X-Amz-Signature"
	qSecurityToken = "X-Amz-Security-Token"
	qExpires       = "X-Amz-Expires"
)

// maxExpires is the longest lifetime of a presigned URL AWS allows.
const maxExpires = 7 * 24 * time.Hour

// Parse reads the signature of r. It returns ErrMissing when the request
// carries no signature at all (no Authorization header and no
// X-Amz-Algorithm query parameter), and an *Error for a malformed one.
//
// Parse checks form only; Verify checks the signature itself, the clock and
// that the scope's date is the request's.
func Parse(r *http.Request) (*Request, error) {
	auth := r.Header.Get("Authorization")
	presigned := hasQueryKey(r.URL.RawQuery, qAlgorithm)
	switch {
	case auth != "" && presigned:
		return nil, incomplete("Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or the Authorization header should be specified")
	case auth != "":
		return parseHeader(r, auth)
	case presigned:
		return parseQuery(r)
	}
	return nil, ErrMissing
}

// hasQueryKey reports whether the raw query has a parameter named key,
// without decoding the query unless some name is escaped.
func hasQueryKey(raw, key string) bool {
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		k, _, _ := strings.Cut(pair, "=")
		if k == key {
			return true
		}
		if strings.ContainsAny(k, "%+") {
			if u, err := url.QueryUnescape(k); err == nil && u == key {
				return true
			}
		}
	}
	return false
}

// authToken returns the next token of an Authorization header: AWS splits
// it on commas and white space.
func authToken(s string) (tok, rest string) {
	i := 0
	for i < len(s) && isAuthSep(s[i]) {
		i++
	}
	j := i
	for j < len(s) && !isAuthSep(s[j]) {
		j++
	}
	return s[i:j], s[j:]
}

func isAuthSep(c byte) bool { return c == ',' || c == ' ' || c == '\t' }

// parseHeader parses an Authorization header:
//
//	AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d67…
func parseHeader(r *http.Request, auth string) (*Request, error) {
	alg, rest := authToken(auth)
	if strings.Contains(alg, "=") { // no algorithm: the first token is a parameter
		alg, rest = "", auth
	}
	var cred, signed, sig string
	var haveCred, haveSigned, haveSig bool
	for {
		var tok string
		tok, rest = authToken(rest)
		if tok == "" {
			break
		}
		k, v, ok := strings.Cut(tok, "=")
		if !ok {
			return nil, incomplete("'" + tok + "' not a valid key=value pair (missing equal-sign) in Authorization header: '" + auth + "'.")
		}
		switch k {
		case "Credential":
			if !haveCred {
				cred, haveCred = v, true
			}
		case "SignedHeaders":
			if !haveSigned {
				signed, haveSigned = v, true
			}
		case "Signature":
			if !haveSig {
				sig, haveSig = v, true
			}
		}
	}

	dateVal := r.Header.Get("X-Amz-Date")
	fromDateHeader := false
	if dateVal == "" {
		dateVal, fromDateHeader = r.Header.Get("Date"), true
	}

	if !haveCred || !haveSig || !haveSigned || dateVal == "" {
		var b strings.Builder
		if !haveCred {
			b.WriteString("Authorization header requires 'Credential' parameter. ")
		}
		if !haveSig {
			b.WriteString("Authorization header requires 'Signature' parameter. ")
		}
		if !haveSigned {
			b.WriteString("Authorization header requires 'SignedHeaders' parameter. ")
		}
		if dateVal == "" {
			b.WriteString("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ")
		}
		b.WriteString("Authorization=")
		b.WriteString(auth)
		return nil, incomplete(b.String())
	}
	if alg != Algorithm {
		return nil, incomplete("Unsupported AWS 'algorithm': '" + alg + "'. The supported algorithm is '" + Algorithm + "'.")
	}

	p := &Request{Signature: sig}
	if err := p.setCredential(cred); err != nil {
		return nil, err
	}
	if err := p.setSignedHeaders(signed, MsgHostNotSigned); err != nil {
		return nil, err
	}
	var err error
	if p.Date, err = parseDate(dateVal, fromDateHeader); err != nil {
		return nil, err
	}
	p.SecurityToken = r.Header.Get(qSecurityToken)
	if p.SecurityToken == "" {
		p.SecurityToken = queryValue(r.URL.RawQuery, qSecurityToken)
	}
	return p, nil
}

// parseQuery parses the X-Amz-* parameters of a presigned URL.
func parseQuery(r *http.Request) (*Request, error) {
	q := r.URL.Query()
	var missing strings.Builder
	for _, k := range [...]string{qAlgorithm, qCredential, qDate, qSignedHeaders, qSignature} {
		if _, ok := q[k]; !ok {
			missing.WriteString("AWS query-string parameters must include '" + k + "'. ")
		}
	}
	if missing.Len() > 0 {
		missing.WriteString("Re-examine the query-string parameters.")
		return nil, incomplete(missing.String())
	}
	if alg := q.Get(qAlgorithm); alg != Algorithm {
		return nil, incomplete("Unsupported AWS 'algorithm': '" + alg + "'. The supported algorithm is '" + Algorithm + "'.")
	}

	p := &Request{Signature: q.Get(qSignature), Presigned: true}
	if err := p.setCredential(q.Get(qCredential)); err != nil {
		return nil, err
	}
	if err := p.setSignedHeaders(q.Get(qSignedHeaders), "'Host' must be a 'SignedHeader' in the AWS query-string parameters."); err != nil {
		return nil, err
	}
	var err error
	if p.Date, err = parseDate(q.Get(qDate), false); err != nil {
		return nil, err
	}
	if v, ok := q[qExpires]; ok {
		n, err := strconv.ParseInt(v[0], 10, 64)
		switch {
		case err != nil || n <= 0:
			return nil, incomplete("X-Amz-Expires must be a positive whole number of seconds, got '" + v[0] + "'.")
		case n > int64(maxExpires/time.Second):
			return nil, incomplete("X-Amz-Expires must be less than a week (in seconds) that is 604800")
		}
		p.Expires = time.Duration(n) * time.Second
	}
	p.SecurityToken = q.Get(qSecurityToken)
	if p.SecurityToken == "" {
		p.SecurityToken = r.Header.Get(qSecurityToken)
	}
	return p, nil
}

// queryValue returns the first value of key in a raw query, "" if none.
func queryValue(raw, key string) string {
	if !hasQueryKey(raw, key) {
		return ""
	}
	q, _ := url.ParseQuery(raw)
	return q.Get(key)
}

// setCredential splits AKID/yyyymmdd/region/service/aws4_request.
func (p *Request) setCredential(cred string) error {
	if strings.Count(cred, "/") != 4 || strings.HasPrefix(cred, "/") {
		return incomplete("Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '" + cred + "'")
	}
	var parts [5]string
	rest := cred
	for i := range 4 {
		parts[i], rest, _ = strings.Cut(rest, "/")
	}
	parts[4] = rest
	if parts[4] != "aws4_request" {
		return incomplete("Credential should be scoped with a valid terminator: 'aws4_request', not '" + parts[4] + "'.")
	}
	if _, ok := parseDigitsDate(parts[1], false); !ok {
		return incomplete("Credential should be scoped to a valid date, in the form yyyymmdd, not '" + parts[1] + "'.")
	}
	if !awsproto.ValidRegion(parts[2]) {
		return incomplete("Credential should be scoped to a valid region, not '" + clip(parts[2]) + "'.")
	}
	if parts[3] == "" || len(parts[3]) > 64 {
		return incomplete("Credential should be scoped to a valid service, not '" + clip(parts[3]) + "'.")
	}
	// Copies: the parts would otherwise keep the whole header alive.
	p.AccessKeyID, p.ScopeDate = strings.Clone(parts[0]), strings.Clone(parts[1])
	p.Region, p.Service = strings.Clone(parts[2]), strings.Clone(parts[3])
	return nil
}

// clip shortens what an error message quotes back.
func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}

// setSignedHeaders splits the ';'-separated list and insists on host, which
// binds a signature to the server it was meant for.
func (p *Request) setSignedHeaders(s, hostMsg string) error {
	p.SignedHeaders = strings.Split(s, ";")
	if !p.signs("host") {
		return incomplete(hostMsg)
	}
	return nil
}

// signs reports whether header (lower case) is among the signed headers.
func (p *Request) signs(header string) bool {
	for _, h := range p.SignedHeaders {
		if strings.EqualFold(h, header) {
			return true
		}
	}
	return false
}

// parseDate reads X-Amz-Date (ISO 8601 basic format) or, as a fallback, the
// Date header, which AWS also accepts in HTTP date formats.
func parseDate(v string, httpDate bool) (time.Time, error) {
	if t, ok := parseDigitsDate(v, true); ok {
		return t, nil
	}
	if httpDate {
		if t, err := http.ParseTime(v); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, incomplete("Date must be in ISO-8601 'basic format'. Got '" + v + "'. See http://en.wikipedia.org/wiki/ISO_8601")
}

// parseDigitsDate parses yyyymmdd, or with withTime yyyymmddThhmmssZ, as
// time.Parse does with "20060102" or "20060102T150405Z" (UTC, fields in
// range), without its cost on every request.
func parseDigitsDate(s string, withTime bool) (time.Time, bool) {
	if withTime && (len(s) != 16 || s[8] != 'T' || s[15] != 'Z') || !withTime && len(s) != 8 {
		return time.Time{}, false
	}
	num := func(i, n int) (int, bool) {
		v := 0
		for _, c := range []byte(s[i : i+n]) {
			if c < '0' || c > '9' {
				return 0, false
			}
			v = v*10 + int(c-'0')
		}
		return v, true
	}
	y, ok1 := num(0, 4)
	mo, ok2 := num(4, 2)
	d, ok3 := num(6, 2)
	h, mi, sec, ok4, ok5, ok6 := 0, 0, 0, true, true, true
	if withTime {
		h, ok4 = num(9, 2)
		mi, ok5 = num(11, 2)
		sec, ok6 = num(13, 2)
	}
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 || !ok6 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 59 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(mo), d, h, mi, sec, 0, time.UTC)
	if t.Day() != d { // 30 February and the like
		return time.Time{}, false
	}
	return t, true
}
