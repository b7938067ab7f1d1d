package sigv4

import (
	"fmt"
	"net/http"
	"net/textproto"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/smithy-go/encoding/httpbinding"
)

func TestNormalizePath(t *testing.T) {
	cases := map[string]string{
		"":                   "/",
		"/":                  "/",
		"//":                 "/",
		"/./":                "/",
		"/..":                "/",
		"/example/..":        "/",
		"/./example":         "/example",
		"//example//":        "/example/",
		"/a/b/../c/./d":      "/a/c/d",
		"/a/b/../../../c":    "/c",
		"/a/%2E%2E/b":        "/a/%2E%2E/b", // escaped dots are not dot segments
		"/a/.b/..c/...":      "/a/.b/..c/...",
		"/datasets/my.data/": "/datasets/my.data/",
		".":                  "/",
		"a/b/":               "/a/b/",
	}
	for in, want := range cases {
		if got := normalizePath(in); got != want {
			t.Errorf("normalizePath(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestAlternativeForms covers clients other than the Go SDKs: one that
// signs the normalised path (botocore, and AWS's own check), and one that
// sent a byte Go re-escapes.
func TestAlternativeForms(t *testing.T) {
	cases := []struct {
		name, target, signedURI string
	}{
		{"normalised path", "//identitypools/./x/../us-east-1%3Aabc//datasets", "/identitypools/us-east-1%253Aabc/datasets"},
		{"dataset named ..", "/identitypools/p/identities/i/datasets/..", "/identitypools/p/identities/i"},
		{"byte Go escapes differently", "/identitypools/a%7Bb{c", "/identitypools/a%257Bb%7Bc"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			canonical := "GET\n" + c.signedURI + "\n\nhost:localhost\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" + sha256Hex(nil)
			sig := refSign(testSecret, "20150830T123600Z", "20150830/us-east-1/cognito-sync/aws4_request", canonical)
			r, body := parseWire(t, "GET "+c.target+" HTTP/1.1\r\nHost: localhost\r\nX-Amz-Date: 20150830T123600Z\r\n"+
				"Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/cognito-sync/aws4_request, SignedHeaders=host;x-amz-date, Signature="+sig+"\r\n\r\n")
			wantCode(t, check(r, body, testSecret, vectorDate), "")
			p, err := Parse(r)
			wantCode(t, err, "")
			wantCode(t, verify(r, body, p, testSecret, vectorDate, false), CodeInvalidSignature)
			wantCode(t, Verify(r, body, p, "other", vectorDate), CodeInvalidSignature)
		})
	}
}

func TestCanonicalQuery(t *testing.T) {
	cases := []struct {
		raw       string
		presigned bool
		want      string
	}{
		{"", false, ""},
		{"b=2&a=1", false, "a=1&b=2"},
		{"a=1&a=0&a=10", false, "a=0&a=1&a=10"},
		{"a", false, "a="},
		{"a=&b", false, "a=&b="},
		{"a=b+c", false, "a=b%20c"},
		{"a=b%20c", false, "a=b%20c"},
		{"a=%2b&b=%2B", false, "a=%2B&b=%2B"},
		{"a=%7e&b=~", false, "a=~&b=~"},
		{"a=%zz&b=1", false, "b=1"},
		{"a;x=1&c=2", false, "c=2"},
		{"&&a=1&", false, "a=1"},
		{"k%20=v", false, "k%20=v"},
		{"\u00e9=\u00fc", false, "%C3%A9=%C3%BC"},
		{"a=b=c", false, "a=b%3Dc"},
		{"a-b=1&a%2Fb=2", false, "a%2Fb=2&a-b=1"}, // sorted by encoded name, as the SDKs do
		{"Z=1&a=1", false, "Z=1&a=1"},
		{"X-Amz-Signature=abc&X-Amz-Date=1", true, "X-Amz-Date=1"},
		{"X-Amz-Signature=abc&X-Amz-Date=1", false, "X-Amz-Date=1&X-Amz-Signature=abc"},
	}
	for _, c := range cases {
		got := string(appendCanonicalQuery(nil, c.raw, c.presigned))
		if got != c.want {
			t.Errorf("%q: got %q, want %q", c.raw, got, c.want)
		}
		if ref := refCanonicalQuery(c.raw, c.presigned); got != ref {
			t.Errorf("%q: got %q, reference %q", c.raw, got, ref)
		}
	}
	// More parameters than fit on the stack.
	var raw []string
	for i := 40; i > 0; i-- {
		raw = append(raw, fmt.Sprintf("p%02d=%d", i, i))
	}
	joined := strings.Join(raw, "&")
	if got, ref := string(appendCanonicalQuery(nil, joined, false)), refCanonicalQuery(joined, false); got != ref {
		t.Errorf("40 parameters: got %q, reference %q", got, ref)
	}
}

// refCanonicalQuery is the canonical query as aws-sdk-go-v2 builds it:
// url.ParseQuery, each name and value url.QueryEscape'd with + as %20,
// sorted by encoded name then value.
func refCanonicalQuery(raw string, presigned bool) string {
	q, _ := url.ParseQuery(raw)
	if presigned {
		q.Del("X-Amz-Signature")
	}
	enc := func(s string) string { return strings.ReplaceAll(url.QueryEscape(s), "+", "%20") }
	var pairs []string
	for k, vs := range q {
		for _, v := range vs {
			pairs = append(pairs, enc(k)+"\x00"+enc(v))
		}
	}
	slices.Sort(pairs)
	for i, p := range pairs {
		pairs[i] = strings.Replace(p, "\x00", "=", 1)
	}
	return strings.Join(pairs, "&")
}

func TestHeaderValues(t *testing.T) {
	names := []string{
		"x-amz-date", "X-AMZ-DATE", "content-type", "Content-Type", "host", "a", "x--y", "-x", "x-",
		"x-amz-meta-other-header_with_underscore", "x-amz-meta-1.2", "weird name", "caf\u00e9", "a:b",
		strings.Repeat("long-", 20),
	}
	for _, name := range names {
		h := http.Header{}
		h[textproto.CanonicalMIMEHeaderKey(name)] = []string{"v-" + name}
		got := headerValues(h, name)
		if want := h[textproto.CanonicalMIMEHeaderKey(name)]; !slices.Equal(got, want) {
			t.Errorf("%q: got %q, want %q", name, got, want)
		}
	}
}

func TestAppendTrimmed(t *testing.T) {
	cases := map[string]string{
		"":                    "",
		"a":                   "a",
		"  a  ":               "a",
		"a   b    c":          "a b c",
		"\t a  \t b \t":       "a \t b",
		"application/json  ;": "application/json ;",
	}
	for in, want := range cases {
		if got := string(appendTrimmed(nil, in)); got != want {
			t.Errorf("%q: got %q, want %q", in, got, want)
		}
	}
}

func TestDecodeHex(t *testing.T) {
	var d [32]byte
	good := strings.Repeat("0f", 32)
	if !decodeHex(&d, good) || d[0] != 0x0f || d[31] != 0x0f {
		t.Fatalf("decode %q: %x", good, d)
	}
	for _, bad := range []string{"", good[:62], good + "00", strings.ToUpper(good), "g" + good[1:]} {
		if decodeHex(&d, bad) {
			t.Errorf("decoded %q", bad)
		}
	}
}

// TestKeyCache derives keys for more scopes than the cache has slots, from
// several goroutines at once (run with -race), and checks every key.
func TestKeyCache(t *testing.T) {
	c := &keyCache{seed: keys.seed}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 3 * keyCacheSlots {
				secret := fmt.Sprintf("secret-%d", i%50)
				region := fmt.Sprintf("region-%d", (i+g)%40)
				for range 2 {
					got := c.get(secret, "20261123", region, "cognito-sync")
					if want := DeriveKey(secret, "20261123", region, "cognito-sync"); *got != want {
						t.Errorf("wrong key for %s/%s", secret, region)
						return
					}
				}
			}
		}()
	}
	wg.Wait()

	// A hit returns the cached entry rather than a new derivation.
	a := c.get("s", "20261123", "r", "svc")
	if b := c.get("s", "20261123", "r", "svc"); a != b {
		t.Error("second lookup derived again")
	}
	if b := c.get("s", "20261124", "r", "svc"); *a == *b {
		t.Error("date not part of the key")
	}
}

func FuzzCanonicalQuery(f *testing.F) {
	for _, s := range []string{"", "b=2&a=1", "a=%zz&b", "a;b=1&c=%2B+x", "X-Amz-Signature=1&x=%7E", "\u00e9=\x00&&="} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, raw string, presigned bool) {
		if strings.Count(raw, "&") > 1000 {
			return // url.ParseQuery's parameter limit is not modelled
		}
		got := string(appendCanonicalQuery(nil, raw, presigned))
		if ref := refCanonicalQuery(raw, presigned); got != ref {
			t.Fatalf("%q: got %q, reference %q", raw, got, ref)
		}
	})
}

func FuzzCanonicalURI(f *testing.F) {
	for _, s := range []string{"/", "/a%3Ab", "/a:b/~c d/\u00e9", "//x/../y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, path string) {
		if path == "" {
			return
		}
		if got, want := string(appendCanonicalURI(nil, path)), httpbinding.EscapePath(path, false); got != want {
			t.Fatalf("%q: got %q, SDK %q", path, got, want)
		}
		n := normalizePath(path)
		if n == "" || n[0] != '/' || strings.Contains(n, "//") || normalizePath(n) != n {
			t.Fatalf("normalizePath(%q) = %q", path, n)
		}
	})
}

func TestEscapedPath(t *testing.T) {
	for _, target := range []string{
		"/", "/a:b", "/a%3Ab", "/a%3ab", "/a%41b", "/a%7Bb{c", "/a%2Fb", "/%zz", "/a%4", "/caf%C3%A9", "/a+b%20c", "/a;b=c@d",
	} {
		u, err := url.ParseRequestURI(target)
		if err != nil {
			continue
		}
		if got, want := escapedPath(u), u.EscapedPath(); got != want {
			t.Errorf("%q: got %q, EscapedPath %q", target, got, want)
		}
	}
	if !pathByteOK['a'] || !pathByteOK[':'] || !pathByteOK['@'] || pathByteOK['{'] || pathByteOK[' '] || pathByteOK['?'] || pathByteOK[0x80] {
		t.Error("pathByteOK table is off")
	}
}

func FuzzEscapedPath(f *testing.F) {
	for _, s := range []string{"/a%3Ab", "/a:b", "/a%7B{", "/%41", "/%e2%82%ac"} {
		f.Add(s, "")
	}
	f.Add("/a%3Ab", "/a:c")
	f.Fuzz(func(t *testing.T, raw, path string) {
		u := &url.URL{Path: path, RawPath: raw}
		if path == "" {
			parsed, err := url.ParseRequestURI(raw)
			if err != nil {
				return
			}
			u = parsed
		}
		if got, want := escapedPath(u), u.EscapedPath(); got != want {
			t.Fatalf("RawPath %q Path %q: got %q, EscapedPath %q", u.RawPath, u.Path, got, want)
		}
	})
}

func FuzzCanonicalComponent(f *testing.F) {
	for _, s := range []string{"abc", "a%20b", "a%2f", "%41", "%C3%A9", "a+b", "%", "%2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !isCanonicalComponent(s) {
			return
		}
		u, err := url.QueryUnescape(s)
		if err != nil {
			t.Fatalf("%q judged canonical but does not decode", s)
		}
		if enc := strings.ReplaceAll(url.QueryEscape(u), "+", "%20"); enc != s {
			t.Fatalf("%q judged canonical, re-encodes to %q", s, enc)
		}
	})
}
