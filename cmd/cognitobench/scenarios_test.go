package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/cognitod/cognitod/internal/auth"
	"github.com/cognitod/cognitod/internal/server"
)

// TestScenarios drives every scenario for a fixed count against an
// in-process cognitod (--auth any, memory store): each must set up, run
// every operation it was asked for and see no error answer. A scenario
// that broke (a wrong path, a stale SyncCount, an expired session) would
// show up as errors here rather than as a slow figure in a report.
func TestScenarios(t *testing.T) {
	srv := benchServer(t)
	stderr := os.Stderr
	os.Stderr, _ = os.Open(os.DevNull) // the progress lines
	defer func() { os.Stderr = stderr }()

	for _, sc := range scenarios {
		name := sc.name
		t.Run(name, func(t *testing.T) {
			o := &runOpts{endpoint: srv.URL, scenario: name, name: name, ak: "123456789012", sk: "x", region: "us-east-1",
				workers: 4, count: 200, setupSize: 40, page: 1}
			if name == "list-identities" {
				o.page = 2 // of a 130-identity pool: setup walks page 1 for its NextToken
				o.setupSize = 130
			}
			res, err := runOne(o)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Errors) != 0 {
				t.Errorf("errors: %v", res.Errors)
			}
			if res.Ops < int64(o.count) {
				t.Errorf("%d operations, want %d", res.Ops, o.count)
			}
		})
	}
}

// TestSessions: the lines 'cognitobench sessions' prints let a client that
// does not sign (wrk's updaterecords.lua) write each identity's record
// with SyncCounts 0, 1, 2..., as the script does, and a stale count is
// refused: the sessions are real and the counts conflict-checked.
func TestSessions(t *testing.T) {
	srv := benchServer(t)
	var out bytes.Buffer
	if err := writeSessions(context.Background(), newClient(srv.URL, "123456789012", "x", "us-east-1", 4), 3, &out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d lines, want 3:\n%s", len(lines), out.String())
	}
	// As updaterecords.lua sends it: a fixed, well-formed SigV4 header.
	update := func(pool, id, token string, count int) int {
		t.Helper()
		body := fmt.Sprintf(`{"SyncSessionToken":%q,"RecordPatches":[{"Op":"replace","Key":"k","Value":"v%d","SyncCount":%d}]}`, token, count, count)
		path := "/identitypools/" + strings.ReplaceAll(pool, ":", "%3A") + "/identities/" + strings.ReplaceAll(id, ":", "%3A") + "/datasets/bench"
		req, _ := http.NewRequest("POST", srv.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Amz-Date", "20261123T000000Z")
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=123456789012/20261123/us-east-1/cognito-sync/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature="+strings.Repeat("0", 64))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, line := range lines {
		f := strings.Split(line, "\t")
		if len(f) != 3 {
			t.Fatalf("line %q: want pool, identity and token", line)
		}
		for count := range 3 {
			if code := update(f[0], f[1], f[2], count); code != 200 {
				t.Fatalf("SyncCount %d: HTTP %d", count, code)
			}
		}
		if code := update(f[0], f[1], f[2], 1); code != 409 {
			t.Fatalf("stale SyncCount: HTTP %d, want 409", code)
		}
	}
}

// benchServer is an in-process cognitod (--auth any, memory store).
func benchServer(t *testing.T) *httptest.Server {
	t.Helper()
	app, err := server.Open(context.Background(), &server.Options{Store: "memory", Auth: auth.ModeAny, DataDir: t.TempDir(), Addr: "127.0.0.1:9230"},
		slog.New(slog.NewTextHandler(io.Discard, nil)), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { app.Close() })
	srv := httptest.NewServer(app.Handler())
	t.Cleanup(srv.Close)
	return srv
}

// TestPoolUsageCountsExistingPools: the pool-usage scenario tops the
// account up to its pool count instead of creating that many again, so
// that it runs twice on one server (and after the other scenarios) without
// meeting the account's pool quota.
func TestPoolUsageCountsExistingPools(t *testing.T) {
	srv := benchServer(t)
	stderr := os.Stderr
	os.Stderr, _ = os.Open(os.DevNull)
	defer func() { os.Stderr = stderr }()
	o := &runOpts{endpoint: srv.URL, scenario: "pool-usage", name: "pool-usage", ak: "123456789012", sk: "x", region: "us-east-1",
		workers: 2, count: 10, setupSize: 70, page: 1}
	for run := 0; run < 2; run++ {
		if _, err := runOne(o); err != nil {
			t.Fatal(err)
		}
	}
	n, err := countPools(context.Background(), newClient(o.endpoint, o.ak, o.sk, o.region, 1), 0)
	if err != nil {
		t.Fatal(err)
	}
	if n != 70 {
		t.Fatalf("%d pools after two runs, want 70", n)
	}
}
