package server

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	ci "github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity/types"

	"github.com/cognitod/cognitod/internal/auth"
)

func startReset(t *testing.T, mode auth.Mode) (string, *App) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	app, err := Open(context.Background(), &Options{Store: "memory", Auth: mode, DataDir: t.TempDir(), Addr: ln.Addr().String(),
		AccessKeyID: "AKIDRESETTEST0000001", SecretAccessKey: "reset-test-secret-000000000000000000000", AccountID: "123456789012"},
		slog.New(slog.NewTextHandler(io.Discard, nil)), io.Discard)
	if err != nil {
		ln.Close()
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(app.Handler())
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(func() { srv.Close(); app.Close() })
	return srv.URL, app
}

func get(t *testing.T, method, url string) (int, string, http.Header) {
	t.Helper()
	req, _ := http.NewRequest(method, url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

// TestReset: under --auth any, both reset paths empty the user state and
// keep the signing keys (JWKS and an issued token's kid unchanged).
func TestReset(t *testing.T) {
	for _, path := range []string{"/_cognitod/reset", "/moto-api/reset"} {
		t.Run(strings.TrimPrefix(path, "/"), func(t *testing.T) {
			url, _ := startReset(t, auth.ModeAny)
			ctx := context.Background()
			c := ci.New(ci.Options{Region: "us-east-1", BaseEndpoint: aws.String(url), RetryMaxAttempts: 1,
				Credentials: credentials.NewStaticCredentialsProvider("123456789012", "x", "")})
			pool, err := c.CreateIdentityPool(ctx, &ci.CreateIdentityPoolInput{IdentityPoolName: aws.String("before"), AllowUnauthenticatedIdentities: true})
			if err != nil {
				t.Fatal(err)
			}
			id, err := c.GetId(ctx, &ci.GetIdInput{IdentityPoolId: pool.IdentityPoolId})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.GetOpenIdToken(ctx, &ci.GetOpenIdTokenInput{IdentityId: id.IdentityId}); err != nil {
				t.Fatal(err)
			}
			_, jwksBefore, _ := get(t, "GET", url+"/.well-known/jwks_uri")

			status, body, _ := get(t, "POST", url+path)
			if status != http.StatusOK || !strings.Contains(body, `"status":"ok"`) {
				t.Fatalf("POST %s: %d %s", path, status, body)
			}

			pools, err := c.ListIdentityPools(ctx, &ci.ListIdentityPoolsInput{MaxResults: aws.Int32(60)})
			if err != nil {
				t.Fatal(err)
			}
			if len(pools.IdentityPools) != 0 {
				t.Errorf("after reset, pools %v", pools.IdentityPools)
			}
			_, err = c.DescribeIdentity(ctx, &ci.DescribeIdentityInput{IdentityId: id.IdentityId})
			var nf *types.ResourceNotFoundException
			if !errors.As(err, &nf) {
				t.Errorf("DescribeIdentity after reset: %v, want ResourceNotFoundException", err)
			}
			_, jwksAfter, _ := get(t, "GET", url+"/.well-known/jwks_uri")
			if jwksAfter != jwksBefore || !strings.Contains(jwksAfter, `"kid"`) {
				t.Errorf("JWKS changed by reset:\nbefore %s\nafter  %s", jwksBefore, jwksAfter)
			}
			// The server works on as new.
			if _, err := c.CreateIdentityPool(ctx, &ci.CreateIdentityPoolInput{IdentityPoolName: aws.String("after"), AllowUnauthenticatedIdentities: true}); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestResetHiddenUnderSigV4: under sigv4 the reset paths answer exactly as
// an unknown path does (the route is not there), though the store could
// be reset.
func TestResetHiddenUnderSigV4(t *testing.T) {
	url, app := startReset(t, auth.ModeSigV4)
	wantStatus, wantBody, wantHdr := get(t, "POST", url+"/_cognitod/no-such-thing")
	for _, path := range []string{"/_cognitod/reset", "/moto-api/reset"} {
		status, body, hdr := get(t, "POST", url+path)
		// The unknown-path answer names the path it was given: the same
		// answer, for this path.
		want := strings.ReplaceAll(wantBody, "/_cognitod/no-such-thing", path)
		if status != http.StatusNotFound || status != wantStatus || body != want || hdr.Get("X-Amzn-ErrorType") != wantHdr.Get("X-Amzn-ErrorType") {
			t.Errorf("POST %s: %d %q; an unknown path: %d %q", path, status, body, wantStatus, want)
		}
	}
	if app.dumper == nil {
		t.Fatal("the memory store has no Dumper")
	}
}
