package sigv4

import (
	"bufio"
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4v2 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go/aws/credentials"
	v4v1 "github.com/aws/aws-sdk-go/aws/signer/v4"
)

const (
	testAKID   = "AKIDEXAMPLE"
	testSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	testToken  = "FQoGZXIvYXdzEXAMPLETOKEN//////////wEaDtoken+with/slashes=="
	testRegion = "us-east-1"
)

// signTime is when the test requests are signed.
var signTime = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

type creds struct{ akid, secret, token string }

var plainCreds = creds{testAKID, testSecret, ""}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// sdkSigner signs (or presigns) a client request in place, as one AWS SDK
// would.
type sdkSigner struct {
	name string
	// sign signs req, whose body is body. payloadHash overrides the hash
	// the SDK signs ("" for the body's).
	sign func(t *testing.T, req *http.Request, body []byte, c creds, service string, at time.Time, payloadHash string)
	// presign turns req into a presigned URL valid for expires (0: the
	// SDK's default, which for v2 means no X-Amz-Expires at all).
	presign func(t *testing.T, req *http.Request, body []byte, c creds, service string, at time.Time, expires time.Duration)
}

var sdkSigners = []sdkSigner{
	{
		name: "aws-sdk-go-v2",
		sign: func(t *testing.T, req *http.Request, body []byte, c creds, service string, at time.Time, payloadHash string) {
			t.Helper()
			if payloadHash == "" {
				payloadHash = sha256Hex(body)
			}
			err := newV2Signer().SignHTTP(context.Background(), v2Creds(c), req, payloadHash, service, testRegion, at)
			if err != nil {
				t.Fatal(err)
			}
		},
		presign: func(t *testing.T, req *http.Request, body []byte, c creds, service string, at time.Time, expires time.Duration) {
			t.Helper()
			if expires > 0 {
				q := req.URL.Query()
				q.Set("X-Amz-Expires", strconv.Itoa(int(expires/time.Second)))
				req.URL.RawQuery = q.Encode()
			}
			uri, hdr, err := newV2Signer().PresignHTTP(context.Background(), v2Creds(c), req, sha256Hex(body), service, testRegion, at)
			if err != nil {
				t.Fatal(err)
			}
			u, err := req.URL.Parse(uri)
			if err != nil {
				t.Fatal(err)
			}
			req.URL = u
			for k, v := range hdr {
				if !strings.EqualFold(k, "host") {
					req.Header[k] = v
				}
			}
		},
	},
	{
		name: "aws-sdk-go",
		sign: func(t *testing.T, req *http.Request, body []byte, c creds, service string, at time.Time, payloadHash string) {
			t.Helper()
			if payloadHash != "" {
				// v1 signs whatever X-Amz-Content-Sha256 says, and sets
				// the body it is given as the request's: give it the one
				// the request already has.
				req.Header.Set("X-Amz-Content-Sha256", payloadHash)
				if req.GetBody != nil {
					rb, err := req.GetBody()
					if err != nil {
						t.Fatal(err)
					}
					if body, err = io.ReadAll(rb); err != nil {
						t.Fatal(err)
					}
				}
			}
			s := v4v1.NewSigner(credentials.NewStaticCredentials(c.akid, c.secret, c.token))
			if _, err := s.Sign(req, bytes.NewReader(body), service, testRegion, at); err != nil {
				t.Fatal(err)
			}
		},
		presign: func(t *testing.T, req *http.Request, body []byte, c creds, service string, at time.Time, expires time.Duration) {
			t.Helper()
			if expires == 0 {
				expires = 15 * time.Minute
			}
			s := v4v1.NewSigner(credentials.NewStaticCredentials(c.akid, c.secret, c.token))
			hdr, err := s.Presign(req, bytes.NewReader(body), service, testRegion, expires, at)
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range hdr {
				if !strings.EqualFold(k, "host") {
					req.Header[k] = v
				}
			}
			// v1 leaves the body for the caller to set again.
			req.Body = io.NopCloser(bytes.NewReader(body))
		},
	},
}

func newV2Signer() *v4v2.Signer { return v4v2.NewSigner() }

func v2Creds(c creds) aws.Credentials {
	return aws.Credentials{AccessKeyID: c.akid, SecretAccessKey: c.secret, SessionToken: c.token}
}

// newClientRequest builds a client request the way the SDKs' serializers
// leave it before signing.
func newClientRequest(t *testing.T, method, url string, body []byte, header map[string]string) *http.Request {
	t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	return req
}

// toServer sends req through HTTP/1.1 serialisation and Go's server-side
// parser, so the test sees exactly what a handler would: Host moved to
// r.Host, RequestURI and RawPath from the wire, and the body read.
func toServer(t testing.TB, req *http.Request) (*http.Request, []byte) {
	t.Helper()
	var wire bytes.Buffer
	if err := req.Write(&wire); err != nil {
		t.Fatal(err)
	}
	return parseWire(t, wire.String())
}

func parseWire(t testing.TB, wire string) (*http.Request, []byte) {
	t.Helper()
	r, err := http.ReadRequest(bufio.NewReader(strings.NewReader(wire)))
	if err != nil {
		t.Fatalf("ReadRequest: %v\n%s", err, wire)
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	return r, body
}

// check runs Parse and Verify as the server does.
func check(r *http.Request, body []byte, secret string, now time.Time) error {
	p, err := Parse(r)
	if err != nil {
		return err
	}
	return Verify(r, body, p, secret, now)
}

// wantCode fails unless err is an *Error with code (or nil when code is "").
func wantCode(t *testing.T, err error, code string) *Error {
	t.Helper()
	if code == "" {
		if err != nil {
			t.Fatalf("want success, got %v", err)
		}
		return nil
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("want %s, got %v", code, err)
	}
	if e.Code != code {
		t.Fatalf("want %s, got %s: %s", code, e.Code, e.Message)
	}
	return e
}

// refSign is an independent, deliberately plain SigV4 signer over an
// explicitly given canonical request, for cases no SDK produces. It returns
// the hex signature.
func refSign(secret, amzDate, scope, canonicalRequest string) string {
	h := sha256.Sum256([]byte(canonicalRequest))
	sts := strings.Join([]string{Algorithm, amzDate, scope, hex.EncodeToString(h[:])}, "\n")
	parts := strings.Split(scope, "/")
	key := []byte("AWS4" + secret)
	for _, p := range parts {
		m := hmac.New(sha256.New, key)
		m.Write([]byte(p))
		key = m.Sum(nil)
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(sts))
	return hex.EncodeToString(m.Sum(nil))
}
