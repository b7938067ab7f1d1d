package sigv4

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// signedWire returns an SDK-signed Cognito Sync UpdateRecords request as it
// goes over the wire.
func signedWire(t *testing.T, s sdkSigner) string {
	t.Helper()
	body := []byte(`{"SyncSessionToken":"abc","RecordPatches":[{"Op":"replace","Key":"k","Value":"v","SyncCount":0}]}`)
	req := newClientRequest(t, "POST", syncBase+"/datasets/my.data?x=1&y=two", body, map[string]string{
		"Content-Type":         "application/json",
		"X-Amz-Client-Context": "eyJjbGllbnQiOnt9fQ==",
	})
	s.sign(t, req, body, creds{testAKID, testSecret, testToken}, "cognito-sync", signTime, "")
	var b strings.Builder
	if err := req.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// replaceOnce replaces old, which must occur in s.
func replaceOnce(t *testing.T, s, old, new string) string {
	t.Helper()
	if !strings.Contains(s, old) {
		t.Fatalf("%q not in\n%s", old, s)
	}
	return strings.Replace(s, old, new, 1)
}

// setBody replaces the body of a wire request, fixing Content-Length.
func setBody(t *testing.T, wire, body string) string {
	t.Helper()
	head, _, _ := strings.Cut(wire, "\r\n\r\n")
	re := regexp.MustCompile(`Content-Length: \d+`)
	if !re.MatchString(head) {
		t.Fatal("no Content-Length")
	}
	return re.ReplaceAllString(head, "Content-Length: "+strconv.Itoa(len(body))) + "\r\n\r\n" + body
}

// header returns the value of a header line of a wire request.
func header(t *testing.T, wire, name string) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^` + name + `: (.*)\r$`).FindStringSubmatch(wire)
	if m == nil {
		t.Fatalf("no %s header", name)
	}
	return m[1]
}

func dropHeader(t *testing.T, wire, name string) string {
	t.Helper()
	return replaceOnce(t, wire, name+": "+header(t, wire, name)+"\r\n", "")
}

// TestTampering signs a request with each SDK, changes one thing, and checks
// the answer.
func TestTampering(t *testing.T) {
	const mismatch = MsgSignatureMismatch
	cases := []struct {
		name   string
		edit   func(t *testing.T, wire string) string
		secret string        // "" for testSecret
		now    time.Duration // offset from signTime
		code   string        // "" for success
		msg    string        // exact message, if given
		prefix string        // message prefix, if given
	}{
		{name: "untouched"},
		{name: "unsigned header added", edit: func(t *testing.T, w string) string {
			return replaceOnce(t, w, "\r\n\r\n", "\r\nX-Forwarded-For: 10.0.0.1\r\n\r\n")
		}},
		{name: "user agent changed (never signed)", edit: func(t *testing.T, w string) string {
			return replaceOnce(t, w, "User-Agent: Go-http-client/1.1", "User-Agent: aws-cli/2")
		}},
		{name: "query parameters reordered", edit: func(t *testing.T, w string) string {
			return replaceOnce(t, w, "?x=1&y=two", "?y=two&x=1")
		}},
		{name: "query value escaped differently but equal", edit: func(t *testing.T, w string) string {
			return replaceOnce(t, w, "?x=1&y=two", "?x=%31&y=tw%6F")
		}},
		{name: "path octet escaped in lower case", edit: func(t *testing.T, w string) string {
			// %3a and %3A name the same path to Go, but the SDK signed the
			// upper-case form, which is what is canonical here.
			return replaceOnce(t, w, "us-east-1%3A4c3b", "us-east-1%3a4c3b")
		}, code: CodeInvalidSignature, msg: mismatch},
		{name: "clock at the edge of the window", now: MaxSkew},
		{name: "clock at the other edge", now: -MaxSkew},

		{name: "body changed, same length", edit: func(t *testing.T, w string) string {
			return replaceOnce(t, w, `"Value":"v"`, `"Value":"w"`)
		}, code: CodeInvalidSignature, msg: mismatch},
		{name: "body replaced", edit: func(t *testing.T, w string) string {
			return setBody(t, w, `{"SyncSessionToken":"abc","RecordPatches":[]}`)
		}, code: CodeInvalidSignature, msg: mismatch},
		{name: "body emptied", edit: func(t *testing.T, w string) string {
			return setBody(t, w, "")
		}, code: CodeInvalidSignature, msg: mismatch},
		{name: "signed header changed", edit: func(t *testing.T, w string) string {
			return replaceOnce(t, w, "X-Amz-Client-Context: eyJjbGllbnQiOnt9fQ==", "X-Amz-Client-Context: e30=")
		}, code: CodeInvalidSignature, msg: mismatch},
		{name: "signed header removed", edit: func(t *testing.T, w string) string {
			return dropHeader(t, w, "X-Amz-Client-Context")
		}, code: CodeInvalidSignature, msg: mismatch},
		{name: "signed header repeated", edit: func(t *testing.T, w string) string {
			return replaceOnce(t, w, "\r\n\r\n", "\r\nX-Amz-Client-Context: e30=\r\n\r\n")
		}, code: CodeInvalidSignature, msg: mismatch},
		{name: "session token changed", edit: func(t *testing.T, w string) string {
			return replaceOnce(t, w, "X-Amz-Security-Token: "+testToken, "X-Amz-Security-Token: other")
		}, code: CodeInvalidSignature, msg: mismatch},
		{name: "host changed", edit: func(t *testing.T, w string) string {
			return replaceOnce(t, w, "Host: localhost:8080", "Host: localhost:8081")
		}, code: CodeInvalidSignature, msg: mismatch},
		{name: "method changed", edit: func(t *testing.T, w string) string {
			return replaceOnce(t, w, "POST /", "PUT /")
		}, code: CodeInvalidSignature, msg: mismatch},
		{name: "identity in path changed", edit: func(t *testing.T, w string) string {
			return replaceOnce(t, w, "us-east-1%3A9f8e", "us-east-1%3A0f8e")
		}, code: CodeInvalidSignature, msg: mismatch},
		{name: "dataset in path changed", edit: func(t *testing.T, w string) string {
			return replaceOnce(t, w, "/datasets/my.data?", "/datasets/my.date?")
		}, code: CodeInvalidSignature, msg: mismatch},
		{name: "escaped colon sent bare", edit: func(t *testing.T, w string) string {
			return strings.ReplaceAll(w, "%3A", ":")
		}, code: CodeInvalidSignature, msg: mismatch},
		{name: "path prefixed", edit: func(t *testing.T, w string) string {
			return replaceOnce(t, w, "POST /identitypools", "POST /x/identitypools")
		}, code: CodeInvalidSignature, msg: mismatch},
		{name: "path with a trailing slash", edit: func(t *testing.T, w string) string {
			return replaceOnce(t, w, "/datasets/my.data?", "/datasets/my.data/?")
		}, code: CodeInvalidSignature, msg: mismatch},
		{name: "path with dot segments normalising to the signed one", edit: func(t *testing.T, w string) string {
			// AWS normalises paths before checking (see normalizePath), so
			// this passes there too.
			return replaceOnce(t, w, "POST /identitypools", "POST /x/..//./identitypools")
		}},
		{name: "query value changed", edit: func(t *testing.T, w string) string {
			return replaceOnce(t, w, "?x=1&", "?x=2&")
		}, code: CodeInvalidSignature, msg: mismatch},
		{name: "query parameter added", edit: func(t *testing.T, w string) string {
			return replaceOnce(t, w, "?x=1&", "?x=1&z=3&")
		}, code: CodeInvalidSignature, msg: mismatch},
		{name: "query parameter removed", edit: func(t *testing.T, w string) string {
			return replaceOnce(t, w, "?x=1&y=two", "?x=1")
		}, code: CodeInvalidSignature, msg: mismatch},
		{name: "query dropped", edit: func(t *testing.T, w string) string {
			return replaceOnce(t, w, "?x=1&y=two", "")
		}, code: CodeInvalidSignature, msg: mismatch},
		{name: "wrong secret", secret: testSecret + "x", code: CodeInvalidSignature, msg: mismatch},
		{name: "signature changed", edit: func(t *testing.T, w string) string {
			a := header(t, w, "Authorization")
			sig := a[len(a)-64:]
			flipped := string("0123456789abcdef"[(strings.IndexByte("0123456789abcdef", sig[0])+1)%16]) + sig[1:]
			return replaceOnce(t, w, sig, flipped)
		}, code: CodeInvalidSignature, msg: mismatch},
		{name: "signature in upper case", edit: func(t *testing.T, w string) string {
			a := header(t, w, "Authorization")
			return replaceOnce(t, w, a, a[:len(a)-64]+strings.ToUpper(a[len(a)-64:]))
		}, code: CodeInvalidSignature, msg: mismatch},
		{name: "signature truncated", edit: func(t *testing.T, w string) string {
			a := header(t, w, "Authorization")
			return replaceOnce(t, w, a, a[:len(a)-2])
		}, code: CodeInvalidSignature, msg: mismatch},
		{name: "X-Amz-Date moved a second", edit: func(t *testing.T, w string) string {
			return replaceOnce(t, w, "X-Amz-Date: 20261123T120000Z", "X-Amz-Date: 20261123T120001Z")
		}, code: CodeInvalidSignature, msg: mismatch},
		{name: "region changed", edit: func(t *testing.T, w string) string {
			return replaceOnce(t, w, "/us-east-1/cognito-sync/", "/us-west-2/cognito-sync/")
		}, code: CodeInvalidSignature, msg: mismatch},
		{name: "service changed", edit: func(t *testing.T, w string) string {
			return replaceOnce(t, w, "/us-east-1/cognito-sync/", "/us-east-1/cognito-identity/")
		}, code: CodeInvalidSignature, msg: mismatch},
		{name: "signed headers list shortened", edit: func(t *testing.T, w string) string {
			return replaceOnce(t, w, "x-amz-client-context;", "")
		}, code: CodeInvalidSignature, msg: mismatch},

		{name: "clock 1s past the window", now: MaxSkew + time.Second, code: CodeInvalidSignature,
			msg: "Signature expired: 20261123T120000Z is now earlier than 20261123T120001Z (20261123T121501Z - 15 min.)"},
		{name: "clock 1s before the window", now: -MaxSkew - time.Second, code: CodeInvalidSignature,
			msg: "Signature not yet current: 20261123T120000Z is still later than 20261123T115959Z (20261123T114459Z + 15 min.)"},
		{name: "scope date differs from X-Amz-Date", edit: func(t *testing.T, w string) string {
			return replaceOnce(t, w, "/20261123/us-east-1/", "/20261124/us-east-1/")
		}, code: CodeInvalidSignature,
			msg: "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20261124' != '20261123', from '20261123T120000Z'."},

		{name: "Signature part missing", edit: func(t *testing.T, w string) string {
			a := header(t, w, "Authorization")
			return replaceOnce(t, w, a, a[:strings.Index(a, ", Signature=")])
		}, code: CodeIncompleteSignature, prefix: "Authorization header requires 'Signature' parameter. Authorization=AWS4-HMAC-SHA256 Credential="},
		{name: "SignedHeaders and Credential missing", edit: func(t *testing.T, w string) string {
			a := header(t, w, "Authorization")
			return replaceOnce(t, w, a, "AWS4-HMAC-SHA256 "+a[strings.Index(a, "Signature="):])
		}, code: CodeIncompleteSignature, prefix: "Authorization header requires 'Credential' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4-HMAC-SHA256 Signature="},
		{name: "X-Amz-Date missing", edit: func(t *testing.T, w string) string {
			return dropHeader(t, w, "X-Amz-Date")
		}, code: CodeIncompleteSignature, prefix: "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=AWS4-HMAC-SHA256 "},
		{name: "X-Amz-Date malformed", edit: func(t *testing.T, w string) string {
			return replaceOnce(t, w, "X-Amz-Date: 20261123T120000Z", "X-Amz-Date: 2026-11-23T12:00:00Z")
		}, code: CodeIncompleteSignature, msg: "Date must be in ISO-8601 'basic format'. Got '2026-11-23T12:00:00Z'. See http://en.wikipedia.org/wiki/ISO_8601"},
		{name: "host not signed", edit: func(t *testing.T, w string) string {
			a := header(t, w, "Authorization")
			return replaceOnce(t, w, a, strings.Replace(a, ";host;", ";", 1))
		}, code: CodeIncompleteSignature, msg: MsgHostNotSigned},
		{name: "X-Amz-Target added, not signed", edit: func(t *testing.T, w string) string {
			return replaceOnce(t, w, "\r\nX-Amz-Date: ", "\r\nX-Amz-Target: com.amazonaws.cognito.sync.model.AWSCognitoSyncService.ListIdentityPoolUsage\r\nX-Amz-Date: ")
		}, code: CodeIncompleteSignature, msg: MsgTargetNotSigned},
		{name: "algorithm changed", edit: func(t *testing.T, w string) string {
			return replaceOnce(t, w, "Authorization: AWS4-HMAC-SHA256 ", "Authorization: AWS4-HMAC-SHA512 ")
		}, code: CodeIncompleteSignature, msg: "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512'. The supported algorithm is 'AWS4-HMAC-SHA256'."},
		{name: "scope terminator changed", edit: func(t *testing.T, w string) string {
			return replaceOnce(t, w, "/aws4_request,", "/aws4_reqest,")
		}, code: CodeIncompleteSignature, msg: "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws4_reqest'."},
		{name: "credential missing the service", edit: func(t *testing.T, w string) string {
			return replaceOnce(t, w, "/cognito-sync/aws4_request,", "/aws4_request,")
		}, code: CodeIncompleteSignature, prefix: "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '"},
		{name: "space inside the credential", edit: func(t *testing.T, w string) string {
			return replaceOnce(t, w, "Credential="+testAKID+"/", "Credential="+testAKID+" /")
		}, code: CodeIncompleteSignature, prefix: "'/20261123/us-east-1/cognito-sync/aws4_request' not a valid key=value pair (missing equal-sign) in Authorization header: 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE /20261123"},
		{name: "no Authorization header", edit: func(t *testing.T, w string) string {
			return dropHeader(t, w, "Authorization")
		}, code: CodeMissingAuthenticationToken, msg: MsgMissingAuthenticationToken},
	}
	for _, s := range sdkSigners {
		wire := signedWire(t, s)
		for _, c := range cases {
			t.Run(s.name+"/"+c.name, func(t *testing.T) {
				w := wire
				if c.edit != nil {
					w = c.edit(t, w)
				}
				secret := c.secret
				if secret == "" {
					secret = testSecret
				}
				r, body := parseWire(t, w)
				err := check(r, body, secret, signTime.Add(c.now))
				e := wantCode(t, err, c.code)
				if e == nil {
					return
				}
				if c.msg != "" && e.Message != c.msg {
					t.Errorf("message\n got %q\nwant %q", e.Message, c.msg)
				}
				if c.prefix != "" && !strings.HasPrefix(e.Message, c.prefix) {
					t.Errorf("message\n got %q\nwant prefix %q", e.Message, c.prefix)
				}
				if c.code == CodeMissingAuthenticationToken && !errors.Is(err, ErrMissing) {
					t.Errorf("not ErrMissing: %v", err)
				}
			})
		}
	}
}

// TestPayloadHashHeader covers X-Amz-Content-Sha256: UNSIGNED-PAYLOAD lets
// any body through, a given hash must match the body.
func TestPayloadHashHeader(t *testing.T) {
	body := []byte(`{"IdentityPoolId":"` + poolID + `"}`)
	other := []byte(`{"IdentityPoolId":"us-east-1:other"}`)
	cases := []struct {
		name     string
		declared string // X-Amz-Content-Sha256 as signed
		send     []byte // body actually sent
		code     string
		msg      string
	}{
		{"unsigned payload", unsignedPayload, body, "", ""},
		{"unsigned payload, other body", unsignedPayload, other, "", ""},
		{"declared hash of the body", sha256Hex(body), body, "", ""},
		{"declared hash, other body", sha256Hex(body), other, CodeInvalidSignature, MsgContentSHA256Mismatch},
		{"declared hash in upper case", strings.ToUpper(sha256Hex(body)), body, "", ""},
		{"declared nonsense", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", body, CodeInvalidSignature, MsgContentSHA256Mismatch},
	}
	for _, s := range sdkSigners {
		for _, c := range cases {
			t.Run(s.name+"/"+c.name, func(t *testing.T) {
				req := newClientRequest(t, "POST", "http://localhost:8080/", c.send, identityHeaders)
				req.Header.Set("X-Amz-Content-Sha256", c.declared)
				s.sign(t, req, body, plainCreds, "cognito-identity", signTime, c.declared)
				r, got := toServer(t, req)
				e := wantCode(t, check(r, got, testSecret, signTime), c.code)
				if e != nil && e.Message != c.msg {
					t.Errorf("message %q, want %q", e.Message, c.msg)
				}
			})
		}
	}
}

// TestContentLengthFromField: content-length is signed by aws-sdk-go-v2;
// when the header map lacks it (HTTP/2, requests built in process), the
// value comes from r.ContentLength.
func TestContentLengthFromField(t *testing.T) {
	body := []byte(`{"MaxResults":10}`)
	req := newClientRequest(t, "POST", "http://localhost:8080/", body, identityHeaders)
	sdkSigners[0].sign(t, req, body, plainCreds, "cognito-identity", signTime, "")
	if !strings.Contains(req.Header.Get("Authorization"), "content-length;") {
		t.Fatal("content-length not signed; test is moot")
	}
	r, got := toServer(t, req)
	delete(r.Header, "Content-Length")
	wantCode(t, check(r, got, testSecret, signTime), "")
	r.ContentLength = 3
	wantCode(t, check(r, got, testSecret, signTime), CodeInvalidSignature)
}
