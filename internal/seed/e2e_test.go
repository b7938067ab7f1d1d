package seed_test

import (
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	ci "github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	"github.com/aws/smithy-go"

	"github.com/cognitod/cognitod/internal/auth"
	"github.com/cognitod/cognitod/internal/server"
)

// startSeeded starts a server on the memory store under --auth sigv4 with
// only the seed's keys.
func startSeeded(t *testing.T, seedYAML string) (*httptest.Server, error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "seed.yaml")
	if err := os.WriteFile(path, []byte(seedYAML), 0o600); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	app, err := server.Open(ctx, &server.Options{
		Store: "memory", Auth: auth.ModeSigV4, DataDir: t.TempDir(), Addr: ln.Addr().String(),
		Logins: "trust", SeedFile: path,
	}, slog.New(slog.NewTextHandler(io.Discard, nil)), io.Discard)
	if err != nil {
		ln.Close()
		return nil, err
	}
	srv := httptest.NewUnstartedServer(app.Handler())
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(func() { srv.Close(); app.Close() })
	return srv, nil
}

func sdk(url, ak, sk string) *ci.Client {
	return ci.New(ci.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(url),
		Credentials: credentials.NewStaticCredentialsProvider(ak, sk, ""), RetryMaxAttempts: 1,
	})
}

// TestSeededServerThroughSDK: the seed's key signs requests of
// aws-sdk-go-v2 (SigV4) for its account, which sees the seeded pool under
// its fixed ID with its roles.
func TestSeededServerThroughSDK(t *testing.T) {
	srv, err := startSeeded(t, seedV1)
	if err != nil {
		t.Fatal(err)
	}
	c := sdk(srv.URL, "AKIDSEED000000000001", "seed-secret-000000000000000001")
	p, err := c.DescribeIdentityPool(ctx, &ci.DescribeIdentityPoolInput{IdentityPoolId: aws.String(fixedID)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(p.IdentityPoolName) != "fixed" || !p.AllowUnauthenticatedIdentities || p.SupportedLoginProviders["login.example.com"] != "app" || p.IdentityPoolTags["team"] != "a" {
		t.Fatalf("pool %+v", p)
	}
	r, err := c.GetIdentityPoolRoles(ctx, &ci.GetIdentityPoolRolesInput{IdentityPoolId: aws.String(fixedID)})
	if err != nil {
		t.Fatal(err)
	}
	if r.Roles["authenticated"] != "arn:aws:iam::111122223333:role/Auth" || string(r.RoleMappings["login.example.com"].Type) != "Token" {
		t.Fatalf("roles %+v mappings %+v", r.Roles, r.RoleMappings)
	}
	list, err := c.ListIdentityPools(ctx, &ci.ListIdentityPoolsInput{MaxResults: aws.Int32(10)})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.IdentityPools) != 2 {
		t.Fatalf("%d pools, want 2", len(list.IdentityPools))
	}
	// The unauthenticated flow works on the seeded pool.
	if _, err := sdk(srv.URL, "x", "y").GetId(ctx, &ci.GetIdInput{IdentityPoolId: aws.String(fixedID)}); err != nil {
		t.Fatal(err)
	}
	// A wrong secret is refused: the key is verified, not merely accepted.
	_, err = sdk(srv.URL, "AKIDSEED000000000001", "wrong-secret-000000000000000000").ListIdentityPools(ctx, &ci.ListIdentityPoolsInput{MaxResults: aws.Int32(10)})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidSignatureException" {
		t.Fatalf("wrong secret: %v", err)
	}
}

// TestSeedErrorStopsStart: a pool the API would refuse stops server.Open
// with the entry and AWS's message.
func TestSeedErrorStopsStart(t *testing.T) {
	bad := strings.Replace(seedV1, "IdentityPoolName: named", "IdentityPoolName: 'bad name!'", 1)
	_, err := startSeeded(t, bad)
	if err == nil || !strings.Contains(err.Error(), `accounts[0].pools.us-east-1[1] "bad name!"`) || !strings.Contains(err.Error(), "ValidationException: 1 validation error detected") {
		t.Fatalf("got %v", err)
	}
}
