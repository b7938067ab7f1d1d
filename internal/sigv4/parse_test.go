package sigv4

import (
	"errors"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"
)

const goodAuth = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/cognito-identity/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"

var vectorDate = time.Date(2015, 8, 30, 12, 36, 0, 0, time.UTC)

func TestParseHeader(t *testing.T) {
	type hdr map[string]string
	cases := []struct {
		name   string
		target string // request target; "/" if empty
		header hdr
		code   string // "" for success
		msg    string // exact message when code is set and msg is not ""
		prefix string
		check  func(t *testing.T, p *Request)
	}{
		{name: "AWS's form", header: hdr{"Authorization": goodAuth, "X-Amz-Date": "20150830T123600Z"},
			check: func(t *testing.T, p *Request) {
				want := Request{AccessKeyID: "AKIDEXAMPLE", Date: vectorDate, ScopeDate: "20150830", Region: "us-east-1",
					Service: "cognito-identity", SignedHeaders: []string{"content-type", "host", "x-amz-date"},
					Signature: "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"}
				if !equalRequest(p, &want) {
					t.Errorf("got %+v\nwant %+v", p, want)
				}
			}},
		{name: "no spaces after commas", header: hdr{"Authorization": strings.ReplaceAll(goodAuth, ", ", ","), "X-Amz-Date": "20150830T123600Z"}},
		{name: "extra white space", header: hdr{"Authorization": strings.ReplaceAll(goodAuth, ", ", " ,\t "), "X-Amz-Date": "20150830T123600Z"}},
		{name: "parameters reordered", header: hdr{"X-Amz-Date": "20150830T123600Z",
			"Authorization": "AWS4-HMAC-SHA256 Signature=00, SignedHeaders=host, Credential=A/20150830/r/s/aws4_request"},
			check: func(t *testing.T, p *Request) {
				if p.AccessKeyID != "A" || p.Signature != "00" || !slices.Equal(p.SignedHeaders, []string{"host"}) {
					t.Errorf("got %+v", p)
				}
			}},
		{name: "unknown parameter ignored", header: hdr{"Authorization": goodAuth + ", Extra=1", "X-Amz-Date": "20150830T123600Z"}},
		{name: "a region that is none", header: hdr{"Authorization": strings.Replace(goodAuth, "/us-east-1/", "/"+strings.Repeat("a", 100000)+"/", 1), "X-Amz-Date": "20150830T123600Z"},
			code: CodeIncompleteSignature, msg: "Credential should be scoped to a valid region, not '" + strings.Repeat("a", 64) + "...'."},
		{name: "a region with other characters", header: hdr{"Authorization": strings.Replace(goodAuth, "/us-east-1/", "/US_East/", 1), "X-Amz-Date": "20150830T123600Z"},
			code: CodeIncompleteSignature, msg: "Credential should be scoped to a valid region, not 'US_East'."},
		{name: "session token header", header: hdr{"Authorization": goodAuth, "X-Amz-Date": "20150830T123600Z", "X-Amz-Security-Token": "tok"},
			check: func(t *testing.T, p *Request) {
				if p.SecurityToken != "tok" {
					t.Errorf("token %q", p.SecurityToken)
				}
			}},
		{name: "session token in query", target: "/?X-Amz-Security-Token=a%2Bb", header: hdr{"Authorization": goodAuth, "X-Amz-Date": "20150830T123600Z"},
			check: func(t *testing.T, p *Request) {
				if p.SecurityToken != "a+b" {
					t.Errorf("token %q", p.SecurityToken)
				}
			}},
		{name: "Date header fallback, HTTP format", header: hdr{"Authorization": goodAuth, "Date": "Sun, 30 Aug 2015 12:36:00 GMT"},
			check: func(t *testing.T, p *Request) {
				if !p.Date.Equal(vectorDate) || p.Date.Location() != time.UTC {
					t.Errorf("date %v", p.Date)
				}
			}},
		{name: "Date header fallback, ISO basic format", header: hdr{"Authorization": goodAuth, "Date": "20150830T123600Z"},
			check: func(t *testing.T, p *Request) {
				if !p.Date.Equal(vectorDate) {
					t.Errorf("date %v", p.Date)
				}
			}},
		{name: "X-Amz-Date wins over Date", header: hdr{"Authorization": goodAuth, "X-Amz-Date": "20150830T123600Z", "Date": "Mon, 31 Aug 2015 00:00:00 GMT"},
			check: func(t *testing.T, p *Request) {
				if !p.Date.Equal(vectorDate) {
					t.Errorf("date %v", p.Date)
				}
			}},

		{name: "no Authorization", header: hdr{"X-Amz-Date": "20150830T123600Z"}, code: CodeMissingAuthenticationToken, msg: MsgMissingAuthenticationToken},
		{name: "empty Authorization", header: hdr{"Authorization": ""}, code: CodeMissingAuthenticationToken},
		{name: "bearer token, no date", header: hdr{"Authorization": "eyJ0eXAi.eyJzdWIi.sig"}, code: CodeIncompleteSignature,
			msg: "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=eyJ0eXAi.eyJzdWIi.sig"},
		{name: "SigV2 header", header: hdr{"Authorization": "AWS AKIAI2HBJEUM7LRSTWOQ:qaNdqGsI6bq4Hi+9Gzovwyjbh0E=", "X-Amz-Date": "20150830T123600Z"}, code: CodeIncompleteSignature,
			msg: "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=AWS AKIAI2HBJEUM7LRSTWOQ:qaNdqGsI6bq4Hi+9Gzovwyjbh0E="},
		{name: "only a credential", header: hdr{"Authorization": "AWS4-HMAC-SHA256 Credential=ABCDEF", "X-Amz-Date": "20150830T123600Z"}, code: CodeIncompleteSignature,
			msg: "Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4-HMAC-SHA256 Credential=ABCDEF"},
		{name: "empty values count as present", header: hdr{"Authorization": "AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws4_request, SignedHeaders=, Signature=", "X-Amz-Date": "20150830T123600Z"},
			code: CodeIncompleteSignature, msg: MsgHostNotSigned},
		{name: "missing equal sign", header: hdr{"Authorization": strings.Replace(goodAuth, "Credential=AKIDEXAMPLE/", "Credential= AKIDEXAMPLE/", 1), "X-Amz-Date": "20150830T123600Z"},
			code: CodeIncompleteSignature, prefix: "'AKIDEXAMPLE/20150830/us-east-1/cognito-identity/aws4_request' not a valid key=value pair (missing equal-sign) in Authorization header: 'AWS4-HMAC-SHA256 Credential= AKIDEXAMPLE/"},
		{name: "no algorithm", header: hdr{"Authorization": strings.TrimPrefix(goodAuth, "AWS4-HMAC-SHA256 "), "X-Amz-Date": "20150830T123600Z"},
			code: CodeIncompleteSignature, msg: "Unsupported AWS 'algorithm': ''. The supported algorithm is 'AWS4-HMAC-SHA256'."},
		{name: "SigV4a", header: hdr{"Authorization": strings.Replace(goodAuth, "AWS4-HMAC-SHA256", "AWS4-ECDSA-P256-SHA256", 1), "X-Amz-Date": "20150830T123600Z"},
			code: CodeIncompleteSignature, msg: "Unsupported AWS 'algorithm': 'AWS4-ECDSA-P256-SHA256'. The supported algorithm is 'AWS4-HMAC-SHA256'."},
		{name: "credential with 4 elements", header: hdr{"Authorization": strings.Replace(goodAuth, "/cognito-identity/", "/", 1), "X-Amz-Date": "20150830T123600Z"},
			code: CodeIncompleteSignature, msg: "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'AKIDEXAMPLE/20150830/us-east-1/aws4_request'"},
		{name: "credential with 6 elements", header: hdr{"Authorization": strings.Replace(goodAuth, "/aws4_request", "/aws4_request/x", 1), "X-Amz-Date": "20150830T123600Z"},
			code: CodeIncompleteSignature, prefix: "Credential must have exactly 5 slash-delimited elements"},
		{name: "credential with a trailing slash", header: hdr{"Authorization": strings.Replace(goodAuth, "/aws4_request", "/aws4_request/", 1), "X-Amz-Date": "20150830T123600Z"},
			code: CodeIncompleteSignature, prefix: "Credential must have exactly 5 slash-delimited elements"},
		{name: "credential without key", header: hdr{"Authorization": strings.Replace(goodAuth, "Credential=AKIDEXAMPLE/", "Credential=/", 1), "X-Amz-Date": "20150830T123600Z"},
			code: CodeIncompleteSignature, prefix: "Credential must have exactly 5 slash-delimited elements"},
		{name: "bad terminator", header: hdr{"Authorization": strings.Replace(goodAuth, "/aws4_request", "/aws4", 1), "X-Amz-Date": "20150830T123600Z"},
			code: CodeIncompleteSignature, msg: "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws4'."},
		{name: "bad scope date", header: hdr{"Authorization": strings.Replace(goodAuth, "/20150830/", "/2015-08-30/", 1), "X-Amz-Date": "20150830T123600Z"},
			code: CodeIncompleteSignature, msg: "Credential should be scoped to a valid date, in the form yyyymmdd, not '2015-08-30'."},
		{name: "impossible scope date", header: hdr{"Authorization": strings.Replace(goodAuth, "/20150830/", "/20150230/", 1), "X-Amz-Date": "20150830T123600Z"},
			code: CodeIncompleteSignature, prefix: "Credential should be scoped to a valid date"},
		{name: "empty region", header: hdr{"Authorization": strings.Replace(goodAuth, "/us-east-1/", "//", 1), "X-Amz-Date": "20150830T123600Z"},
			code: CodeIncompleteSignature, msg: "Credential should be scoped to a valid region, not ''."},
		{name: "empty service", header: hdr{"Authorization": strings.Replace(goodAuth, "/cognito-identity/", "//", 1), "X-Amz-Date": "20150830T123600Z"},
			code: CodeIncompleteSignature, msg: "Credential should be scoped to a valid service, not ''."},
		{name: "host not signed", header: hdr{"Authorization": strings.Replace(goodAuth, "content-type;host;x-amz-date", "content-type;x-amz-date", 1), "X-Amz-Date": "20150830T123600Z"},
			code: CodeIncompleteSignature, msg: MsgHostNotSigned},
		{name: "host signed in upper case", header: hdr{"Authorization": strings.Replace(goodAuth, "content-type;host;x-amz-date", "Content-Type;Host;X-Amz-Date", 1), "X-Amz-Date": "20150830T123600Z"}},
		{name: "no date at all", header: hdr{"Authorization": goodAuth}, code: CodeIncompleteSignature,
			msg: "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=" + goodAuth},
		{name: "X-Amz-Date in extended format", header: hdr{"Authorization": goodAuth, "X-Amz-Date": "2015-08-30T12:36:00Z"}, code: CodeIncompleteSignature,
			msg: "Date must be in ISO-8601 'basic format'. Got '2015-08-30T12:36:00Z'. See http://en.wikipedia.org/wiki/ISO_8601"},
		{name: "X-Amz-Date in HTTP format", header: hdr{"Authorization": goodAuth, "X-Amz-Date": "Sun, 30 Aug 2015 12:36:00 GMT"}, code: CodeIncompleteSignature,
			prefix: "Date must be in ISO-8601 'basic format'."},
		{name: "Date header garbage", header: hdr{"Authorization": goodAuth, "Date": "yesterday"}, code: CodeIncompleteSignature,
			msg: "Date must be in ISO-8601 'basic format'. Got 'yesterday'. See http://en.wikipedia.org/wiki/ISO_8601"},
		{name: "header and presigned query both", target: "/?X-Amz-Algorithm=AWS4-HMAC-SHA256", header: hdr{"Authorization": goodAuth, "X-Amz-Date": "20150830T123600Z"},
			code: CodeIncompleteSignature, prefix: "Only one auth mechanism allowed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			target := c.target
			if target == "" {
				target = "/"
			}
			r := httptest.NewRequest("POST", target, nil)
			for k, v := range c.header {
				r.Header.Set(k, v)
			}
			p, err := Parse(r)
			e := wantCode(t, err, c.code)
			if e == nil {
				if c.check != nil {
					c.check(t, p)
				}
				return
			}
			if p != nil {
				t.Errorf("returned %+v with an error", p)
			}
			if c.msg != "" && e.Message != c.msg {
				t.Errorf("message\n got %q\nwant %q", e.Message, c.msg)
			}
			if c.prefix != "" && !strings.HasPrefix(e.Message, c.prefix) {
				t.Errorf("message\n got %q\nwant prefix %q", e.Message, c.prefix)
			}
		})
	}
}

func equalRequest(a, b *Request) bool {
	return a.AccessKeyID == b.AccessKeyID && a.Date.Equal(b.Date) && a.ScopeDate == b.ScopeDate && a.Region == b.Region &&
		a.Service == b.Service && slices.Equal(a.SignedHeaders, b.SignedHeaders) && a.Signature == b.Signature &&
		a.SecurityToken == b.SecurityToken && a.Presigned == b.Presigned && a.Expires == b.Expires
}

func TestParseQuery(t *testing.T) {
	const base = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20150830%2Fus-east-1%2Fcognito-sync%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Signature=abcd"
	cases := []struct {
		name   string
		query  string
		header map[string]string
		code   string
		msg    string
		check  func(t *testing.T, p *Request)
	}{
		{name: "complete", query: base + "&X-Amz-Expires=300&X-Amz-Security-Token=tok%2Fen",
			check: func(t *testing.T, p *Request) {
				want := Request{AccessKeyID: "AKID", Date: vectorDate, ScopeDate: "20150830", Region: "us-east-1", Service: "cognito-sync",
					SignedHeaders: []string{"host"}, Signature: "abcd", SecurityToken: "tok/en", Presigned: true, Expires: 5 * time.Minute}
				if !equalRequest(p, &want) {
					t.Errorf("got %+v\nwant %+v", p, want)
				}
			}},
		{name: "no expiry", query: base, check: func(t *testing.T, p *Request) {
			if p.Expires != 0 || !p.Presigned {
				t.Errorf("got %+v", p)
			}
		}},
		{name: "a week", query: base + "&X-Amz-Expires=604800"},
		{name: "token from header", query: base, header: map[string]string{"X-Amz-Security-Token": "h"},
			check: func(t *testing.T, p *Request) {
				if p.SecurityToken != "h" {
					t.Errorf("token %q", p.SecurityToken)
				}
			}},
		{name: "escaped parameter name still detected", query: "X%2DAmz-Algorithm=AWS4-HMAC-SHA256",
			code: CodeIncompleteSignature,
			msg:  "AWS query-string parameters must include 'X-Amz-Credential'. AWS query-string parameters must include 'X-Amz-Date'. AWS query-string parameters must include 'X-Amz-SignedHeaders'. AWS query-string parameters must include 'X-Amz-Signature'. Re-examine the query-string parameters."},
		{name: "signature missing", query: strings.Replace(base, "&X-Amz-Signature=abcd", "", 1), code: CodeIncompleteSignature,
			msg: "AWS query-string parameters must include 'X-Amz-Signature'. Re-examine the query-string parameters."},
		{name: "wrong algorithm", query: strings.Replace(base, "AWS4-HMAC-SHA256", "AWS4-HMAC-SHA1", 1), code: CodeIncompleteSignature,
			msg: "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA1'. The supported algorithm is 'AWS4-HMAC-SHA256'."},
		{name: "bad credential", query: strings.Replace(base, "%2Fcognito-sync", "", 1), code: CodeIncompleteSignature,
			msg: "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'AKID/20150830/us-east-1/aws4_request'"},
		{name: "host not signed", query: strings.Replace(base, "SignedHeaders=host", "SignedHeaders=x-amz-date", 1), code: CodeIncompleteSignature,
			msg: "'Host' must be a 'SignedHeader' in the AWS query-string parameters."},
		{name: "bad date", query: strings.Replace(base, "20150830T123600Z", "20150830", 1), code: CodeIncompleteSignature,
			msg: "Date must be in ISO-8601 'basic format'. Got '20150830'. See http://en.wikipedia.org/wiki/ISO_8601"},
		{name: "HTTP date not accepted in a URL", query: strings.Replace(base, "20150830T123600Z", "Sun,%2030%20Aug%202015%2012:36:00%20GMT", 1), code: CodeIncompleteSignature},
		{name: "expiry zero", query: base + "&X-Amz-Expires=0", code: CodeIncompleteSignature,
			msg: "X-Amz-Expires must be a positive whole number of seconds, got '0'."},
		{name: "expiry negative", query: base + "&X-Amz-Expires=-5", code: CodeIncompleteSignature},
		{name: "expiry not a number", query: base + "&X-Amz-Expires=5m", code: CodeIncompleteSignature},
		{name: "expiry over a week", query: base + "&X-Amz-Expires=604801", code: CodeIncompleteSignature,
			msg: "X-Amz-Expires must be less than a week (in seconds) that is 604800"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/identitypools?"+c.query, nil)
			for k, v := range c.header {
				r.Header.Set(k, v)
			}
			p, err := Parse(r)
			e := wantCode(t, err, c.code)
			if e == nil {
				if c.check != nil {
					c.check(t, p)
				}
				return
			}
			if c.msg != "" && e.Message != c.msg {
				t.Errorf("message\n got %q\nwant %q", e.Message, c.msg)
			}
		})
	}
}

func TestErrMissing(t *testing.T) {
	_, err := Parse(httptest.NewRequest("GET", "/?a=b&X-Amz-Algorithmx=1", nil))
	if !errors.Is(err, ErrMissing) {
		t.Fatalf("got %v", err)
	}
	var e *Error
	if !errors.As(err, &e) || e.Code != "MissingAuthenticationTokenException" || e.Message != "Missing Authentication Token" {
		t.Fatalf("got %#v", err)
	}
	if err := Verify(httptest.NewRequest("GET", "/", nil), nil, nil, "s", time.Now()); !errors.Is(err, ErrMissing) {
		t.Fatalf("Verify(nil): %v", err)
	}
	if got := (&Error{Code: "C", Message: "M"}).Error(); got != "C: M" {
		t.Fatalf("Error() = %q", got)
	}
}

// TestDateHeaderFallback verifies a request dated only by the Date header,
// which no SDK sends, against an independently computed signature.
func TestDateHeaderFallback(t *testing.T) {
	const httpDate = "Sun, 30 Aug 2015 12:36:00 GMT"
	canonical := "GET\n/\n\ndate:" + httpDate + "\nhost:example.amazonaws.com\n\ndate;host\n" + sha256Hex(nil)
	sig := refSign(testSecret, "20150830T123600Z", "20150830/us-east-1/service/aws4_request", canonical)
	r, body := parseWire(t, "GET / HTTP/1.1\r\nHost: example.amazonaws.com\r\nDate: "+httpDate+"\r\n"+
		"Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=date;host, Signature="+sig+"\r\n\r\n")
	wantCode(t, check(r, body, testSecret, vectorDate), "")
	wantCode(t, check(r, body, testSecret, vectorDate.Add(time.Hour)), CodeInvalidSignature)
	r.Header.Set("Date", "Sun, 30 Aug 2015 12:36:01 GMT")
	wantCode(t, check(r, body, testSecret, vectorDate), CodeInvalidSignature)
}

func TestSkewMessages(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		date    time.Time
		now     time.Time
		window  time.Duration
		expired bool
		want    string
	}{
		// AWS's own example.
		{time.Date(2014, 8, 5, 16, 22, 53, 0, time.UTC), now, MaxSkew, true,
			"Signature expired: 20140805T162253Z is now earlier than 20261123T114500Z (20261123T120000Z - 15 min.)"},
		{now.Add(time.Hour), now, MaxSkew, false,
			"Signature not yet current: 20261123T130000Z is still later than 20261123T121500Z (20261123T120000Z + 15 min.)"},
		{now.Add(-time.Hour), now.Add(500 * time.Millisecond), 90 * time.Second, true,
			"Signature expired: 20261123T110000Z is now earlier than 20261123T115830Z (20261123T120000Z - 90 sec.)"},
	}
	for _, c := range cases {
		e := skewError(c.date, c.now, c.window, c.expired)
		if e.Code != CodeInvalidSignature || e.Message != c.want {
			t.Errorf("got %s %q\nwant %q", e.Code, e.Message, c.want)
		}
	}
	// Through Verify, with a request from AWS's example.
	p := &Request{Date: time.Date(2014, 8, 5, 16, 22, 53, 0, time.UTC), ScopeDate: "20140805", Region: "r", Service: "s",
		SignedHeaders: []string{"host"}, Signature: strings.Repeat("0", 64)}
	err := Verify(httptest.NewRequest("GET", "/", nil), nil, p, "s", now.Add(123*time.Millisecond))
	if e := wantCode(t, err, CodeInvalidSignature); e.Message != cases[0].want {
		t.Errorf("got %q", e.Message)
	}
}

// TestNoSideEffects: Parse and Verify leave the request alone, so the
// handler sees what was signed.
func TestNoSideEffects(t *testing.T) {
	body := []byte(`{"a":1}`)
	req := newClientRequest(t, "POST", syncBase+"/datasets?b=2&a=1", body, identityHeaders)
	sdkSigners[0].sign(t, req, body, plainCreds, "cognito-sync", signTime, "")
	r, got := toServer(t, req)
	before := r.Clone(t.Context())
	wantCode(t, check(r, got, testSecret, signTime), "")
	if r.URL.String() != before.URL.String() || r.Host != before.Host || len(r.Header) != len(before.Header) {
		t.Fatalf("request changed: %v %v", r.URL, before.URL)
	}
	for k, v := range before.Header {
		if !slices.Equal(r.Header[k], v) {
			t.Fatalf("header %s changed", k)
		}
	}
}
