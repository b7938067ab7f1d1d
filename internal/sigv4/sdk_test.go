package sigv4

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/smithy-go/encoding/httpbinding"
)

const (
	poolID     = "us-east-1:4c3b8c1d-0a3e-4f6b-9a8e-123456789012"
	identityID = "us-east-1:9f8e7d6c-5b4a-4392-8d1e-abcdefabcdef"
	// syncBase is a Cognito Sync identity's path as the SDKs' REST
	// serialisers send it: path parameters escaped once, so ':' is %3A.
	syncBase = "http://localhost:8080/identitypools/us-east-1%3A4c3b8c1d-0a3e-4f6b-9a8e-123456789012/identities/us-east-1%3A9f8e7d6c-5b4a-4392-8d1e-abcdefabcdef"
)

type reqCase struct {
	name    string
	service string
	method  string
	url     string
	body    []byte
	header  map[string]string
	creds   creds
	// edit changes the request before signing, for what a map of headers
	// cannot say.
	edit func(*http.Request)
}

var identityHeaders = map[string]string{
	"Content-Type": "application/x-amz-json-1.1",
	"X-Amz-Target": "AWSCognitoIdentityService.GetId",
}

var sdkCases = []reqCase{
	{
		name: "identity JSON POST", service: "cognito-identity", method: "POST", url: "http://localhost:8080/",
		body:   []byte(`{"IdentityPoolId":"` + poolID + `","AccountId":"123456789012"}`),
		header: identityHeaders, creds: plainCreds,
	},
	{
		name: "identity JSON POST with session token", service: "cognito-identity", method: "POST", url: "http://localhost:8080/",
		body:   []byte(`{"IdentityId":"` + identityID + `"}`),
		header: map[string]string{"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "AWSCognitoIdentityService.GetCredentialsForIdentity"},
		creds:  creds{"ASIAEXAMPLETEMPKEY", "tempSecret/With+Symbols=", testToken},
	},
	{
		name: "identity POST with empty body", service: "cognito-identity", method: "POST", url: "http://127.0.0.1:9229/",
		body: []byte{}, header: identityHeaders, creds: plainCreds,
	},
	{
		name: "sync GET list datasets with query", service: "cognito-sync", method: "GET",
		url:   syncBase + "/datasets?maxResults=10&nextToken=a%2Fb%3D%3D",
		creds: plainCreds,
	},
	{
		name: "sync GET list records with spaces and plus in query", service: "cognito-sync", method: "GET",
		url:   syncBase + "/datasets/my.data/records?lastSyncCount=0&maxResults=5&syncSessionToken=tok%20en+plus%2Bsign",
		creds: plainCreds,
	},
	{
		name: "sync POST update records", service: "cognito-sync", method: "POST",
		url:    syncBase + "/datasets/my.data",
		body:   []byte(`{"SyncSessionToken":"abc","RecordPatches":[{"Op":"replace","Key":"k","Value":"v","SyncCount":0}]}`),
		header: map[string]string{"Content-Type": "application/json", "X-Amz-Client-Context": "eyJjbGllbnQiOnt9fQ=="},
		creds:  creds{"ASIAEXAMPLETEMPKEY", "tempSecret", testToken},
	},
	{
		name: "sync DELETE dataset", service: "cognito-sync", method: "DELETE",
		url: syncBase + "/datasets/my.data", creds: plainCreds,
	},
	{
		name: "sync path with bare colons", service: "cognito-sync", method: "GET",
		url:   "http://localhost:8080/identitypools/" + poolID + "/identities/" + identityID + "/datasets",
		creds: plainCreds,
	},
	{
		name: "sync pool usage with both %3A and bare colon", service: "cognito-sync", method: "GET",
		url:   "http://localhost:8080/identitypools/us-east-1%3Aabc/identities/us-east-1:def/datasets/my.data",
		creds: plainCreds,
	},
	{
		name: "unsorted and repeated query parameters", service: "cognito-sync", method: "GET",
		url:   "http://localhost:8080/identitypools?b=2&a=3&a=1&c=&Z=last&a=%7E",
		creds: plainCreds,
	},
	{
		name: "escaped space, tilde and UTF-8 in path", service: "cognito-sync", method: "GET",
		url:   "http://localhost:8080/identitypools/a%20b/~x/%E2%82%AC/datasets",
		creds: plainCreds,
	},
	{
		name: "default https port is dropped from host", service: "cognito-sync", method: "GET",
		url:   "https://cognito-sync.us-east-1.amazonaws.com:443/identitypools",
		creds: plainCreds,
	},
	{
		name: "headers with extra spaces and repeats", service: "cognito-identity", method: "POST", url: "http://localhost:8080/",
		body:   []byte(`{}`),
		header: map[string]string{"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "AWSCognitoIdentityService.ListIdentityPools"},
		creds:  plainCreds,
		edit: func(r *http.Request) {
			r.Header.Set("X-Amz-Meta-Spaced", "  a   lot   of  space  ")
			r.Header.Add("X-Amz-Meta-Repeated", "one")
			r.Header.Add("X-Amz-Meta-Repeated", " two  three")
		},
	},
}

// TestSDKSignedRequestsVerify signs requests with both Go SDKs' signers and
// checks the server side accepts them.
func TestSDKSignedRequestsVerify(t *testing.T) {
	for _, s := range sdkSigners {
		for _, c := range sdkCases {
			t.Run(s.name+"/"+c.name, func(t *testing.T) {
				req := newClientRequest(t, c.method, c.url, c.body, c.header)
				if c.edit != nil {
					c.edit(req)
				}
				s.sign(t, req, c.body, c.creds, c.service, signTime, "")
				r, body := toServer(t, req)

				p, err := Parse(r)
				wantCode(t, err, "")
				if p.AccessKeyID != c.creds.akid || p.Region != testRegion || p.Service != c.service ||
					p.ScopeDate != "20261123" || !p.Date.Equal(signTime) || p.SecurityToken != c.creds.token || p.Presigned {
					t.Fatalf("parsed %+v", p)
				}
				for _, now := range []time.Time{signTime, signTime.Add(-MaxSkew), signTime.Add(MaxSkew)} {
					// Strictly: the SDKs' form must match without any of
					// the fallbacks.
					wantCode(t, verify(r, body, p, c.creds.secret, now, false), "")
					wantCode(t, Verify(r, body, p, c.creds.secret, now), "")
				}
				wantCode(t, Verify(r, body, p, c.creds.secret+"x", signTime), CodeInvalidSignature)
			})
		}
	}
}

// TestCanonicalURIMatchesSDK checks the path encoding against the SDKs'
// own escaping (v1's rest.EscapePath is the same table).
func TestCanonicalURIMatchesSDK(t *testing.T) {
	paths := []string{
		"/",
		"/identitypools/us-east-1%3Aabc/identities/us-east-1%3Adef/datasets/my.data",
		"/identitypools/us-east-1:abc",
		"/a%20b/~c/%E2%82%AC/%2F/%25",
		"/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
		"/!$&'()*+,;=@[]",
		"//double//slash/",
	}
	for _, p := range paths {
		got := string(appendCanonicalURI(nil, p))
		if want := httpbinding.EscapePath(p, false); got != want {
			t.Errorf("%q: got %q, SDK %q", p, got, want)
		}
	}
	// The case the package exists for: an identity ID's ':' goes out as
	// %3A and is signed as %253A.
	const want = "/identitypools/us-east-1%253Aabc/identities/us-east-1%253Adef/datasets/my.data"
	if got := string(appendCanonicalURI(nil, "/identitypools/us-east-1%3Aabc/identities/us-east-1%3Adef/datasets/my.data")); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestSDKPresignedURLsVerify(t *testing.T) {
	cases := []struct {
		name    string
		creds   creds
		expires time.Duration
		url     string
		method  string
		nows    []time.Duration // offsets from signTime that must pass
		late    time.Duration   // an offset that must be refused as expired
	}{
		{name: "default lifetime", creds: plainCreds, method: "GET",
			url:  syncBase + "/datasets?maxResults=3",
			nows: []time.Duration{0, 10 * time.Minute, MaxSkew, -MaxSkew}, late: MaxSkew + time.Second},
		{name: "five minutes with session token", creds: creds{"ASIAEXAMPLETEMPKEY", "tempSecret", testToken}, method: "GET",
			expires: 5 * time.Minute, url: syncBase + "/datasets/my.data",
			nows: []time.Duration{0, 5 * time.Minute}, late: 5*time.Minute + time.Second},
		{name: "one week", creds: plainCreds, method: "DELETE", expires: maxExpires,
			url:  "http://localhost:8080/identitypools/us-east-1:abc/identities/us-east-1:def/datasets/x",
			nows: []time.Duration{0, 6 * 24 * time.Hour, maxExpires}, late: maxExpires + time.Second},
	}
	for _, s := range sdkSigners {
		for _, c := range cases {
			t.Run(s.name+"/"+c.name, func(t *testing.T) {
				req := newClientRequest(t, c.method, c.url, nil, nil)
				s.presign(t, req, nil, c.creds, "cognito-sync", signTime, c.expires)
				if req.Header.Get("Authorization") != "" {
					t.Fatal("presigned request has an Authorization header")
				}
				r, body := toServer(t, req)
				p, err := Parse(r)
				wantCode(t, err, "")
				if !p.Presigned || p.AccessKeyID != c.creds.akid || p.SecurityToken != c.creds.token || p.Service != "cognito-sync" {
					t.Fatalf("parsed %+v", p)
				}
				for _, d := range c.nows {
					wantCode(t, verify(r, body, p, c.creds.secret, signTime.Add(d), false), "")
				}
				e := wantCode(t, Verify(r, body, p, c.creds.secret, signTime.Add(c.late)), CodeInvalidSignature)
				if !strings.HasPrefix(e.Message, "Signature expired: 20261123T120000Z is now earlier than ") {
					t.Errorf("message %q", e.Message)
				}
				wantCode(t, Verify(r, body, p, "wrong", signTime), CodeInvalidSignature)

				// Tampering with the query breaks it.
				q := r.URL.Query()
				q.Set("maxResults", "1000")
				r.URL.RawQuery = q.Encode()
				wantCode(t, Verify(r, body, p, c.creds.secret, signTime), CodeInvalidSignature)
			})
		}
	}
}

// TestPresignedUnsignedPayload: aws-sdk-go-v2 callers commonly presign over
// UNSIGNED-PAYLOAD, which a URL cannot announce in a header.
func TestPresignedUnsignedPayload(t *testing.T) {
	req := newClientRequest(t, "GET", syncBase+"/datasets", nil, nil)
	q := req.URL.Query()
	q.Set("X-Amz-Expires", "60")
	req.URL.RawQuery = q.Encode()
	uri, _, err := newV2Signer().PresignHTTP(t.Context(), v2Creds(plainCreds), req, unsignedPayload, "cognito-sync", testRegion, signTime)
	if err != nil {
		t.Fatal(err)
	}
	r, body := parseWire(t, "GET "+strings.TrimPrefix(uri, "http://localhost:8080")+" HTTP/1.1\r\nHost: localhost:8080\r\n\r\n")
	wantCode(t, check(r, body, testSecret, signTime), "")
	wantCode(t, check(r, body, testSecret, signTime.Add(61*time.Second)), CodeInvalidSignature)

	// A write presigned over UNSIGNED-PAYLOAD would let the URL's holder
	// send any body: refused.
	post := newClientRequest(t, "POST", syncBase+"/datasets/d", []byte(`{"SyncSessionToken":"x"}`), nil)
	q = post.URL.Query()
	q.Set("X-Amz-Expires", "60")
	post.URL.RawQuery = q.Encode()
	uri, _, err = newV2Signer().PresignHTTP(t.Context(), v2Creds(plainCreds), post, unsignedPayload, "cognito-sync", testRegion, signTime)
	if err != nil {
		t.Fatal(err)
	}
	other := `{"SyncSessionToken":"y"}`
	r, body = parseWire(t, fmt.Sprintf("POST %s HTTP/1.1\r\nHost: localhost:8080\r\nContent-Length: %d\r\n\r\n%s", strings.TrimPrefix(uri, "http://localhost:8080"), len(other), other))
	wantCode(t, check(r, body, testSecret, signTime), CodeInvalidSignature)
}
