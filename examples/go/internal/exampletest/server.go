// Package exampletest starts an in-process cognitod for the examples' tests,
// so that every example in the quickstarts runs against a real server on
// each `go test ./...` and cannot drift from what cognitod answers.
package exampletest

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http/httptest"
	"testing"

	"github.com/cognitod/cognitod/internal/auth"
	"github.com/cognitod/cognitod/internal/server"
)

// The developer key the examples' tests sign with; the examples themselves
// read theirs from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.
const (
	AccessKeyID     = "AKIDEXAMPLETEST00001"
	SecretAccessKey = "example-secret-key-000000000000000000000"
	AccountID       = "123456789012"
)

// Start runs cognitod on the memory store under --auth sigv4 with one
// developer key, on a free loopback port, and returns its base URL. The
// listen address is known before the server opens so that the OpenID
// issuer (the default public URL) is the URL the examples reach.
func Start(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	app, err := server.Open(context.Background(), &server.Options{
		Store: "memory", Auth: auth.ModeSigV4, DataDir: t.TempDir(),
		AccessKeyID: AccessKeyID, SecretAccessKey: SecretAccessKey, AccountID: AccountID,
		Addr: ln.Addr().String(),
	}, slog.New(slog.NewTextHandler(io.Discard, nil)), io.Discard)
	if err != nil {
		ln.Close()
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(app.Handler())
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(func() { srv.Close(); app.Close() })
	return srv.URL
}
