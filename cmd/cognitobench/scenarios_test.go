package main

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
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
	app, err := server.Open(context.Background(), &server.Options{Store: "memory", Auth: auth.ModeAny, DataDir: t.TempDir(), Addr: "127.0.0.1:9230"},
		slog.New(slog.NewTextHandler(io.Discard, nil)), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	srv := httptest.NewServer(app.Handler())
	defer srv.Close()
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
