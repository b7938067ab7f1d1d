// Package clients drives in-process cognitod servers with clients nobody on
// this project wrote: the AWS CLI (v1, `aws`) and boto3. The Go SDK tests in
// internal/e2e prove the wire format against one SDK; these prove it against
// botocore's own parsers, its error handling and what the CLI prints, which is
// what users of cognitod run first.
//
// Both tools come with pyenv's Python on the CI image. On a developer
// machine without them the tests skip, naming the missing tool; with CI=true
// a missing tool fails the test instead, so CI cannot silently lose coverage.
package clients

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	ci "github.com/aws/aws-sdk-go-v2/service/cognitoidentity"

	"github.com/cognitod/cognitod/internal/auth"
	"github.com/cognitod/cognitod/internal/e2e/e2estore"
	"github.com/cognitod/cognitod/internal/server"
)

const (
	devKey    = "AKIDCOGNITODCLIENTS1"
	devSecret = "clients-secret-key-00000000000000000000"
	devAcct   = "111122223333"
	region    = "us-east-1"

	devProv    = "login.example.app"
	fbProv     = "graph.facebook.com"
	authRole   = "arn:aws:iam::111122223333:role/CognitoAuth"
	unauthRole = "arn:aws:iam::111122223333:role/CognitoUnauth"
	ghostPool  = "us-east-1:00000000-0000-4000-8000-000000000000"
	ghostID    = "us-east-1:00000000-0000-4000-8000-0000000000ff"
)

// toolTimeout bounds one CLI or script run. It is a hang guard, not a
// performance assertion: the shared CI machine can be very slow.
const toolTimeout = 5 * time.Minute

// env is one in-process server: memory store, SigV4 verification with one
// developer key, login tokens taken as presented (--logins trust), since these
// tests send made-up Facebook tokens.
type env struct {
	URL string
	App *server.App
	dev *ci.Client // Go SDK client for bulk set-up only; assertions go through the tools
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	app, err := server.Open(context.Background(), &server.Options{
		Store: e2estore.URL(t), Auth: auth.ModeSigV4, DataDir: t.TempDir(),
		AccessKeyID: devKey, SecretAccessKey: devSecret, AccountID: devAcct, Addr: addr,
		Logins: "trust",
	}, slog.New(slog.NewTextHandler(io.Discard, nil)), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(app.Handler())
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(func() { srv.Close(); app.Close() })
	e := &env{URL: srv.URL, App: app}
	e.dev = ci.New(ci.Options{
		Region: region, BaseEndpoint: aws.String(e.URL), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(devKey, devSecret, ""),
	})
	return e
}

// newIdentities mints n unauthenticated identities in pool through the Go
// SDK (a CLI process per identity would cost minutes), returning their IDs.
func (e *env) newIdentities(t *testing.T, pool string, n int) map[string]bool {
	t.Helper()
	anon := ci.New(ci.Options{Region: region, BaseEndpoint: aws.String(e.URL), Credentials: aws.AnonymousCredentials{}, RetryMaxAttempts: 1})
	ids := map[string]bool{}
	for i := 0; i < n; i++ {
		out, err := anon.GetId(context.Background(), &ci.GetIdInput{IdentityPoolId: &pool})
		if err != nil {
			t.Fatal(err)
		}
		ids[*out.IdentityId] = true
	}
	return ids
}

// needTool reports a missing external tool: a skip on a developer machine, a
// failure under CI=true.
func needTool(t *testing.T, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s (CI=true: the CI image must provide it)", msg)
	}
	t.Skipf("%s; skipping", msg)
}

// unshim turns a pyenv shim into the executable it would run. The shim is a
// bash script that starts pyenv on every call, which roughly doubles the
// start-up time of each CLI process; the resolved path runs the same program.
func unshim(path, name string) string {
	if filepath.Base(filepath.Dir(path)) != "shims" {
		return path
	}
	pyenv, err := exec.LookPath("pyenv")
	if err != nil {
		return path
	}
	out, err := exec.Command(pyenv, "which", name).Output()
	if err != nil {
		return path
	}
	if p := strings.TrimSpace(string(out)); p != "" {
		return p
	}
	return path
}

// isolatedEnv is the environment every tool runs with: nothing of the
// caller's AWS configuration (profiles, credentials, custom models under
// ~/.aws, a proxy) leaks in, and botocore does not retry, so each error is
// the server's first answer.
func isolatedEnv(t *testing.T, ak, sk, token string) []string {
	t.Helper()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config")
	creds := filepath.Join(dir, "credentials")
	for _, f := range []string{cfg, creds} {
		if err := os.WriteFile(f, nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	env := []string{
		"HOME=" + dir,
		"AWS_CONFIG_FILE=" + cfg,
		"AWS_SHARED_CREDENTIALS_FILE=" + creds,
		"AWS_ACCESS_KEY_ID=" + ak,
		"AWS_SECRET_ACCESS_KEY=" + sk,
		"AWS_DEFAULT_REGION=" + region,
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_MAX_ATTEMPTS=1",
		"AWS_RETRY_MODE=standard",
		"NO_PROXY=127.0.0.1,localhost",
		"PYTHONDONTWRITEBYTECODE=1",
	}
	if token != "" {
		env = append(env, "AWS_SESSION_TOKEN="+token)
	}
	// What pyenv and Python need to start, and nothing else.
	for _, k := range []string{"PATH", "PYENV_ROOT", "PYENV_VERSION", "LANG", "LC_ALL", "TMPDIR"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	return env
}

// run executes bin with args and env, returning stdout, stderr and the exit
// code (a start failure or a hang fails the test).
func run(t *testing.T, env []string, bin string, args ...string) (stdout, stderr []byte, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), toolTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = env
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("%s %s: no answer within %s\nstderr: %s", filepath.Base(bin), strings.Join(args, " "), toolTimeout, e.Bytes())
	}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		code = ee.ExitCode()
	default:
		t.Fatalf("%s: %v", bin, err)
	}
	return o.Bytes(), e.Bytes(), code
}

// jwtClaims decodes the payload of a compact JWS without verifying it (the
// Go SDK tests verify signatures; here the point is what the client printed).
func jwtClaims(t *testing.T, tok string) map[string]any {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("token %q is not a compact JWS", tok)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatalf("token payload: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("token payload: %v", err)
	}
	return m
}
