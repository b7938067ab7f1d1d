package server

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cognitod/cognitod/internal/auth"
)

// TestCORS checks the middleware alone: preflights answered on any path
// without reaching the API, headers on actual responses, origins allowed
// or not.
func TestCORS(t *testing.T) {
	const sdkHeaders = "amz-sdk-invocation-id,amz-sdk-request,authorization,content-type,x-amz-content-sha256,x-amz-date,x-amz-security-token,x-amz-target,x-amz-user-agent"
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("x-amzn-RequestId", "req-1")
		w.WriteHeader(http.StatusTeapot)
	})
	type want struct {
		status       int
		reached      bool // the request got to the wrapped handler
		allowOrigin  string
		allowHeaders string
		expose       bool
		vary         bool
	}
	cases := []struct {
		name    string
		allowed []string
		method  string
		path    string
		hdr     map[string]string
		want    want
	}{
		{
			name: "preflight of a JSON 1.1 call", method: "OPTIONS", path: "/",
			hdr:  map[string]string{"Origin": "http://127.0.0.1:5555", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": sdkHeaders},
			want: want{status: 204, allowOrigin: "*", allowHeaders: strings.ReplaceAll(sdkHeaders, ",", ", ")},
		},
		{
			name: "preflight of a rest-json path", method: "OPTIONS", path: "/identitypools/us-east-1:x/identities/us-east-1:y/datasets/settings",
			hdr:  map[string]string{"Origin": "https://app.example", "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "Authorization, X-Amz-Date"},
			want: want{status: 204, allowOrigin: "*", allowHeaders: "authorization, x-amz-date"},
		},
		{
			name: "preflight with no headers asked for", method: "OPTIONS", path: "/x",
			hdr:  map[string]string{"Origin": "https://app.example", "Access-Control-Request-Method": "DELETE"},
			want: want{status: 204, allowOrigin: "*"},
		},
		{
			name: "preflight: only header names are echoed", method: "OPTIONS", path: "/",
			hdr:  map[string]string{"Origin": "https://app.example", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "x-amz-date, bad header, <script>, ,x-ok"},
			want: want{status: 204, allowOrigin: "*", allowHeaders: "x-amz-date, x-ok"},
		},
		{
			name: "actual request from a page", method: "POST", path: "/",
			hdr:  map[string]string{"Origin": "http://127.0.0.1:5555"},
			want: want{status: 418, reached: true, allowOrigin: "*", expose: true},
		},
		{
			name: "no Origin: not a cross-origin call, untouched", method: "POST", path: "/",
			want: want{status: 418, reached: true},
		},
		{
			name: "OPTIONS that is no preflight goes to the API", method: "OPTIONS", path: "/",
			hdr:  map[string]string{"Origin": "https://app.example"},
			want: want{status: 418, reached: true, allowOrigin: "*", expose: true},
		},
		{
			name: "allow list: listed origin echoed", allowed: []string{"https://App.example/"}, method: "OPTIONS", path: "/",
			hdr:  map[string]string{"Origin": "https://app.example", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "x-amz-target"},
			want: want{status: 204, allowOrigin: "https://app.example", allowHeaders: "x-amz-target", vary: true},
		},
		{
			name: "allow list: other origin's preflight refused", allowed: []string{"https://app.example"}, method: "OPTIONS", path: "/",
			hdr:  map[string]string{"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
			want: want{status: 403, vary: true},
		},
		{
			name: "allow list: other origin's request gets no CORS headers", allowed: []string{"https://app.example"}, method: "POST", path: "/",
			hdr:  map[string]string{"Origin": "https://evil.example"},
			want: want{status: 418, reached: true, vary: true},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			reached := false
			h := withCORS(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				reached = true
				inner.ServeHTTP(w, r)
			}), c.allowed)
			req := httptest.NewRequest(c.method, c.path, nil)
			for k, v := range c.hdr {
				req.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			res := rec.Result()
			if res.StatusCode != c.want.status || reached != c.want.reached {
				t.Fatalf("status %d, reached %v; want %d, %v", res.StatusCode, reached, c.want.status, c.want.reached)
			}
			if got := res.Header.Get("Access-Control-Allow-Origin"); got != c.want.allowOrigin {
				t.Errorf("Allow-Origin %q, want %q", got, c.want.allowOrigin)
			}
			if got := res.Header.Get("Access-Control-Allow-Headers"); got != c.want.allowHeaders {
				t.Errorf("Allow-Headers %q, want %q", got, c.want.allowHeaders)
			}
			preflightOK := res.StatusCode == 204
			if got := res.Header.Get("Access-Control-Allow-Methods"); preflightOK != (got != "") || (preflightOK && !strings.Contains(got, c.hdr["Access-Control-Request-Method"])) {
				t.Errorf("Allow-Methods %q for %s", got, c.hdr["Access-Control-Request-Method"])
			}
			if got := res.Header.Get("Access-Control-Max-Age"); preflightOK != (got != "") {
				t.Errorf("Max-Age %q", got)
			}
			exp := res.Header.Get("Access-Control-Expose-Headers")
			if c.want.expose != (exp != "") {
				t.Errorf("Expose-Headers %q, want some: %v", exp, c.want.expose)
			}
			for _, name := range []string{"x-amzn-RequestId", "x-amzn-ErrorType"} {
				if c.want.expose && !strings.Contains(exp, name) {
					t.Errorf("Expose-Headers %q lacks %s", exp, name)
				}
			}
			if vary := strings.Join(res.Header.Values("Vary"), ","); c.want.vary != strings.Contains(vary, "Origin") {
				t.Errorf("Vary %q, want Origin: %v", vary, c.want.vary)
			}
		})
	}
}

// TestCORSWired checks that a whole server answers a preflight and exposes
// the error headers on a refused call, as a page's SDK needs them.
func TestCORSWired(t *testing.T) {
	app, err := Open(context.Background(), &Options{Store: "memory", Auth: auth.ModeSigV4, DataDir: t.TempDir(),
		AccessKeyID: "AKIDCORSTEST00000001", SecretAccessKey: "cors-secret-000000000000000000000000", AccountID: "111122223333",
		Addr: "127.0.0.1:9"}, slog.New(slog.NewTextHandler(io.Discard, nil)), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	srv := httptest.NewServer(app.Handler())
	defer srv.Close()

	req, _ := http.NewRequest("OPTIONS", srv.URL+"/identitypools/us-east-1:00000000-0000-4000-8000-000000000000", nil)
	req.Header.Set("Origin", "http://127.0.0.1:1")
	req.Header.Set("Access-Control-Request-Method", "GET")
	req.Header.Set("Access-Control-Request-Headers", "authorization,x-amz-date,x-amz-security-token")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 204 || res.Header.Get("Access-Control-Allow-Origin") != "*" ||
		res.Header.Get("Access-Control-Allow-Headers") != "authorization, x-amz-date, x-amz-security-token" {
		t.Fatalf("preflight: %d %v", res.StatusCode, res.Header)
	}

	// An unsigned Sync call: refused, and the page's SDK must be able to
	// read why (x-amzn-ErrorType) and which request it was.
	req, _ = http.NewRequest("GET", srv.URL+"/identitypools/us-east-1:00000000-0000-4000-8000-000000000000", nil)
	req.Header.Set("Origin", "http://127.0.0.1:1")
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode < 400 || res.Header.Get("x-amzn-ErrorType") == "" || res.Header.Get("x-amzn-RequestId") == "" ||
		res.Header.Get("Access-Control-Allow-Origin") != "*" || !strings.Contains(res.Header.Get("Access-Control-Expose-Headers"), "x-amzn-ErrorType") {
		t.Fatalf("refused call: %d %v", res.StatusCode, res.Header)
	}
}
