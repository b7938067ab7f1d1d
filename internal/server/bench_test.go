package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/cognitod/cognitod/internal/auth"
)

// The whole request path in process (routing, authentication, model
// validation, the service, the store, JSON encoding), without the network:
// what one request costs cognitod, in time and allocations, on the durable
// SQLite store. The same requests as the wrk scripts in bench/wrk.
//
//	go test -run '^$' -bench Handler -benchmem ./internal/server/

// staticAuth is a well-formed SigV4 header that --auth any accepts as
// account 123456789012 (its signature is not checked there).
const staticAuth = "AWS4-HMAC-SHA256 Credential=123456789012/20261123/us-east-1/cognito-identity/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0000000000000000000000000000000000000000000000000000000000000000"

func benchApp(b *testing.B) *App {
	return openApp(b, "sqlite:"+filepath.Join(b.TempDir(), "c.db"))
}

// openApp opens cognitod on storeURL under --auth any, closed when tb ends.
func openApp(tb testing.TB, storeURL string) *App {
	tb.Helper()
	app, err := Open(context.Background(), &Options{Store: storeURL, Auth: auth.ModeAny,
		DataDir: tb.TempDir(), Addr: "127.0.0.1:9230"}, slog.New(slog.NewTextHandler(io.Discard, nil)), io.Discard)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { app.Close() })
	return app
}

// call serves one JSON 1.1 request and returns the response.
func call(h http.Handler, target, body string) *httptest.ResponseRecorder {
	r := httptest.NewRequest("POST", "/", bytes.NewReader([]byte(body)))
	r.Header.Set("Content-Type", "application/x-amz-json-1.1")
	r.Header.Set("X-Amz-Target", "AWSCognitoIdentityService."+target)
	r.Header.Set("X-Amz-Date", "20261123T000000Z")
	r.Header.Set("Authorization", staticAuth)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// mustCall serves one request that must succeed and decodes its answer
// into out (unless nil).
func mustCall(tb testing.TB, h http.Handler, target, body string, out any) {
	tb.Helper()
	w := call(h, target, body)
	if w.Code != 200 {
		tb.Fatalf("%s: %d %s", target, w.Code, w.Body)
	}
	if out != nil {
		if err := json.Unmarshal(w.Body.Bytes(), out); err != nil {
			tb.Fatal(err)
		}
	}
}

// benchPool creates a pool that allows guests and returns its ID.
func benchPool(tb testing.TB, h http.Handler) string {
	var p struct{ IdentityPoolId string }
	mustCall(tb, h, "CreateIdentityPool", `{"IdentityPoolName":"bench","AllowUnauthenticatedIdentities":true}`, &p)
	return p.IdentityPoolId
}

// BenchmarkHandlerGetIdNew: GetId creating an identity, a durable write,
// from parallel callers (the group commit batches them).
func BenchmarkHandlerGetIdNew(b *testing.B) {
	h := benchApp(b).Handler()
	body := `{"IdentityPoolId":"` + benchPool(b, h) + `"}`
	b.ReportAllocs()
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if w := call(h, "GetId", body); w.Code != 200 {
				b.Errorf("%d %s", w.Code, w.Body)
				return
			}
		}
	})
}

// BenchmarkHandlerListIdentities: a full page of 60 from a pool of 1,000.
// "kept": the same page again and again, answered from what the service
// keeps while nothing is committed (identity/pages.go); "read": each call
// resumes after another of the 1,000 identities, more pages than are kept,
// so each is read from the store and encoded.
func BenchmarkHandlerListIdentities(b *testing.B) {
	h := benchApp(b).Handler()
	pool := benchPool(b, h)
	for range 1000 {
		mustCall(b, h, "GetId", `{"IdentityPoolId":"`+pool+`"}`, nil)
	}
	// A NextToken after each identity, from a walk one identity a page.
	var tokens []string
	for next := ""; ; {
		body := `{"IdentityPoolId":"` + pool + `","MaxResults":1`
		if next != "" {
			body += `,"NextToken":"` + next + `"`
		}
		var out struct{ NextToken string }
		mustCall(b, h, "ListIdentities", body+"}", &out)
		if out.NextToken == "" {
			break
		}
		next = out.NextToken
		tokens = append(tokens, next)
	}
	run := func(b *testing.B, body func(n int) string) {
		b.ReportAllocs()
		var n atomic.Int64
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if w := call(h, "ListIdentities", body(int(n.Add(1)))); w.Code != 200 {
					b.Errorf("%d %s", w.Code, w.Body)
					return
				}
			}
		})
	}
	b.Run("kept", func(b *testing.B) {
		body := `{"IdentityPoolId":"` + pool + `","MaxResults":60}`
		run(b, func(int) string { return body })
	})
	b.Run("read", func(b *testing.B) {
		run(b, func(n int) string {
			return `{"IdentityPoolId":"` + pool + `","MaxResults":60,"NextToken":"` + tokens[n%len(tokens)] + `"}`
		})
	})
}

// syncCall serves one Cognito Sync (rest-json) request and returns the
// response.
func syncCall(h http.Handler, method, path, body string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, path, bytes.NewReader([]byte(body)))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("X-Amz-Date", "20261123T000000Z")
	r.Header.Set("Authorization", strings.Replace(staticAuth, "/cognito-identity/", "/cognito-sync/", 1))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// BenchmarkHandlerUpdateRecords: UpdateRecords of one record, durable and
// conflict-checked, from parallel callers on identities of their own (the
// writer's statements per call are what this measures).
func BenchmarkHandlerUpdateRecords(b *testing.B) {
	h := benchApp(b).Handler()
	pool := benchPool(b, h)
	var next atomic.Int64
	b.ReportAllocs()
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		// Each goroutine: an identity, a sync session, then writes.
		var id struct{ IdentityId string }
		mustCall(b, h, "GetId", `{"IdentityPoolId":"`+pool+`"}`, &id)
		path := "/identitypools/" + url.PathEscape(pool) + "/identities/" + url.PathEscape(id.IdentityId) + "/datasets/bench"
		w := syncCall(h, "GET", path+"/records", "")
		var lr struct{ SyncSessionToken string }
		if err := json.Unmarshal(w.Body.Bytes(), &lr); err != nil || w.Code != 200 {
			b.Errorf("ListRecords: %d %s", w.Code, w.Body)
			return
		}
		for count := 0; pb.Next(); count++ {
			body := fmt.Sprintf(`{"SyncSessionToken":%q,"RecordPatches":[{"Op":"replace","Key":"k","Value":"%d","SyncCount":%d}]}`,
				lr.SyncSessionToken, next.Add(1), count)
			if w := syncCall(h, "POST", path, body); w.Code != 200 {
				b.Errorf("UpdateRecords: %d %s", w.Code, w.Body)
				return
			}
		}
	})
}
