package sigv4

import (
	"encoding/hex"
	"strings"
	"testing"
)

// TestAWSDocumentationVectors checks requests published by AWS with their
// signatures: the IAM ListUsers example of the SigV4 documentation ("Create
// a signed AWS API request") and cases of AWS's SigV4 test suite
// (get-vanilla and friends, service "service"). All use the documentation's
// example key, whose secret has a '+' (wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY).
func TestAWSDocumentationVectors(t *testing.T) {
	const suiteHeaders = "Host: example.amazonaws.com\r\nX-Amz-Date: 20150830T123600Z\r\n"
	suiteAuth := func(sig string) string {
		return "Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=" + sig + "\r\n"
	}
	cases := []struct {
		name string
		wire string
	}{
		{"IAM ListUsers", "GET /?Action=ListUsers&Version=2010-05-08 HTTP/1.1\r\n" +
			"Host: iam.amazonaws.com\r\n" +
			"Content-Type: application/x-www-form-urlencoded; charset=utf-8\r\n" +
			"X-Amz-Date: 20150830T123600Z\r\n" +
			"Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7\r\n\r\n"},
		{"get-vanilla", "GET / HTTP/1.1\r\n" + suiteHeaders + suiteAuth("5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31") + "\r\n"},
		{"post-vanilla", "POST / HTTP/1.1\r\n" + suiteHeaders + suiteAuth("5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b") + "\r\n"},
		{"get-vanilla-query", "GET /?Param1=value1 HTTP/1.1\r\n" + suiteHeaders + suiteAuth("a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb") + "\r\n"},
		{"get-vanilla-query-order-key", "GET /?Param2=value2&Param1=value1 HTTP/1.1\r\n" + suiteHeaders + suiteAuth("b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500") + "\r\n"},
		{"get-vanilla-query-order-value", "GET /?Param1=value1&Param1=value2 HTTP/1.1\r\n" + suiteHeaders + suiteAuth("5772eed61e12b33fae39ee5e7012498b51d56abc0abb7c60486157bd471c4694") + "\r\n"},
		{"get-unreserved", "GET /-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz HTTP/1.1\r\n" + suiteHeaders + suiteAuth("07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f") + "\r\n"},
		{"get-vanilla-query-unreserved", "GET /?-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz=-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz HTTP/1.1\r\n" + suiteHeaders + suiteAuth("9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197") + "\r\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, body := parseWire(t, c.wire)
			wantCode(t, check(r, body, testSecret, vectorDate), "")
			wantCode(t, check(r, body, strings.Replace(testSecret, "+", "/", 1), vectorDate), CodeInvalidSignature)
		})
	}
}

// TestDeriveKeyVector is the documentation's signing key example.
func TestDeriveKeyVector(t *testing.T) {
	k := DeriveKey(testSecret, "20150830", "us-east-1", "iam")
	if got := hex.EncodeToString(k[:]); got != "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9" {
		t.Fatalf("got %s", got)
	}
}
