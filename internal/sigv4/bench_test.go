package sigv4

import (
	"bytes"
	"context"
	"net/http"
	"testing"
)

// benchRequest returns a server-side request signed by aws-sdk-go-v2.
func benchRequest(b *testing.B, method, url string, body []byte, header map[string]string) (*http.Request, []byte) {
	b.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	if err := newV2Signer().SignHTTP(context.Background(), v2Creds(plainCreds), req, sha256Hex(body), "cognito-identity", testRegion, signTime); err != nil {
		b.Fatal(err)
	}
	return toServer(b, req)
}

var benchCases = []struct {
	name, method, url string
	body              []byte
	header            map[string]string
}{
	{"identity-json-post", "POST", "http://localhost:8080/",
		[]byte(`{"IdentityPoolId":"` + poolID + `","MaxResults":60,"NextToken":"eyJ0b2tlbiI6ImFiYyJ9"}`), identityHeaders},
	{"sync-get-query", "GET", syncBase + "/datasets/my.data/records?lastSyncCount=12&maxResults=50&syncSessionToken=tok%20en", nil, nil},
}

// BenchmarkVerify is the per-request cost of checking a signature whose
// signing key is cached (the steady state).
func BenchmarkVerify(b *testing.B) {
	for _, c := range benchCases {
		b.Run(c.name, func(b *testing.B) {
			r, body := benchRequest(b, c.method, c.url, c.body, c.header)
			p, err := Parse(r)
			if err != nil {
				b.Fatal(err)
			}
			if err := Verify(r, body, p, testSecret, signTime); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if err := Verify(r, body, p, testSecret, signTime); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("identity-json-post-parallel", func(b *testing.B) {
		c := benchCases[0]
		r, body := benchRequest(b, c.method, c.url, c.body, c.header)
		p, err := Parse(r)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := Verify(r, body, p, testSecret, signTime); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// BenchmarkParseVerify is the whole per-request cost: Parse then Verify.
func BenchmarkParseVerify(b *testing.B) {
	for _, c := range benchCases {
		b.Run(c.name, func(b *testing.B) {
			r, body := benchRequest(b, c.method, c.url, c.body, c.header)
			b.ReportAllocs()
			for b.Loop() {
				p, err := Parse(r)
				if err != nil {
					b.Fatal(err)
				}
				if err := Verify(r, body, p, testSecret, signTime); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDeriveKey is what the key cache saves on each request.
func BenchmarkDeriveKey(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		DeriveKey(testSecret, "20261123", testRegion, "cognito-identity")
	}
}

// BenchmarkParse is the cost of reading the Authorization header.
func BenchmarkParse(b *testing.B) {
	c := benchCases[0]
	r, _ := benchRequest(b, c.method, c.url, c.body, c.header)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(r); err != nil {
			b.Fatal(err)
		}
	}
}
