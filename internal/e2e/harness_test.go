// Package e2e drives in-process cognitod servers through the real AWS SDKs.
package e2e

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	ci "github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	"github.com/aws/smithy-go"

	"github.com/cognitod/cognitod/internal/auth"
	"github.com/cognitod/cognitod/internal/e2e/e2estore"
	"github.com/cognitod/cognitod/internal/server"
)

const (
	devKey    = "AKIDCOGNITODTEST0001"
	devSecret = "test-secret-key-0000000000000000000000"
	devAcct   = "111122223333"
	region    = "us-east-1"
)

type env struct {
	t   *testing.T
	URL string
	app *server.App
	dev *ci.Client // developer credentials of devAcct in us-east-1
}

// newEnv starts a server on the store e2estore picks (memory by default)
// with one developer key, taking login tokens as presented (--logins trust).
func newEnv(t *testing.T, mode auth.Mode) *env {
	t.Helper()
	return newEnvOn(t, mode, e2estore.URL(t))
}

// newEnvOn is newEnv on the given store URL.
func newEnvOn(t *testing.T, mode auth.Mode, storeURL string) *env {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	app, err := server.Open(context.Background(), &server.Options{
		Store: storeURL, Auth: mode, DataDir: t.TempDir(),
		AccessKeyID: devKey, SecretAccessKey: devSecret, AccountID: devAcct, Addr: addr,
		Logins: "trust", // these tests present made-up login tokens; logins_test.go verifies real ones
	}, slog.New(slog.NewTextHandler(io.Discard, nil)), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(app.Handler())
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(func() { srv.Close(); app.Close() })
	e := &env{t: t, URL: srv.URL, app: app}
	e.dev = e.client(devKey, devSecret, "", region)
	return e
}

// client returns a Cognito Identity client signing with the given key.
func (e *env) client(ak, sk, token, reg string) *ci.Client {
	return ci.New(ci.Options{
		Region:           reg,
		BaseEndpoint:     aws.String(e.URL),
		Credentials:      credentials.NewStaticCredentialsProvider(ak, sk, token),
		RetryMaxAttempts: 1,
	})
}

// anon returns a client with no credentials (for the unsigned operations).
func (e *env) anon() *ci.Client {
	return ci.New(ci.Options{Region: region, BaseEndpoint: aws.String(e.URL), Credentials: aws.AnonymousCredentials{}, RetryMaxAttempts: 1})
}

// apiErr asserts err is an API error with code (and, if msg != "", message).
func apiErr(t *testing.T, err error, code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want %s, got %v", code, err)
	}
	if ae.ErrorCode() != code {
		t.Fatalf("want %s, got %s: %s", code, ae.ErrorCode(), ae.ErrorMessage())
	}
	if msg != "" && ae.ErrorMessage() != msg {
		t.Fatalf("%s: want message %q, got %q", code, msg, ae.ErrorMessage())
	}
}

func must[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

var ctx = context.Background()

// httpStatus returns the status of a raw response, closing it.
func httpStatus(t *testing.T, resp *http.Response) (int, []byte) {
	t.Helper()
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func base64url(s string) string { return base64.URLEncoding.EncodeToString([]byte(s)) }
