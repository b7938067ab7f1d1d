// Package js drives in-process cognitod servers through the AWS SDK for
// JavaScript v3: in Node (sync.mjs, identity.mjs) and, bundled with esbuild,
// in headless Chromium (page.html, page.mjs, driven by drive.mjs), the way
// web apps call Cognito. The Go side starts the server, runs the scripts,
// and checks what they report against the server's own view.
//
// It needs node, this folder's node_modules (npm ci --prefix
// internal/e2e/js) and, for the browser test, Debian's chromium. Without
// them the tests skip, except under CI=true, where they fail.
package js

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	ci "github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	citypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentity/types"
	av1 "github.com/aws/aws-sdk-go/aws"
	credv1 "github.com/aws/aws-sdk-go/aws/credentials"
	"github.com/aws/aws-sdk-go/aws/session"
	cs "github.com/aws/aws-sdk-go/service/cognitosync"

	"github.com/cognitod/cognitod/internal/auth"
	"github.com/cognitod/cognitod/internal/e2e/e2estore"
	"github.com/cognitod/cognitod/internal/server"
)

const (
	devKey    = "AKIDCOGNITODJSTEST01"
	devSecret = "js-test-secret-key-00000000000000000000"
	devAcct   = "111122223333"
	region    = "us-east-1"

	// chromiumPath is Debian's chromium package; COGNITOD_CHROMIUM names
	// another build (other distributions install it elsewhere).
	chromiumPath = "/usr/bin/chromium"

	// scriptTimeout bounds one node script: generous, as a shared 2-core
	// machine can be slow to start a browser; it only stops a hung run.
	scriptTimeout = 6 * time.Minute
)

// missing skips the test for a missing tool, or fails it under CI=true,
// where every tool must be installed (.ci/run installs them).
func missing(t *testing.T, what, install string) {
	t.Helper()
	msg := fmt.Sprintf("%s; install it with: %s", what, install)
	if os.Getenv("CI") == "true" {
		t.Fatal(msg + " (CI=true: required)")
	}
	t.Skip(msg)
}

// nodeTools returns the node binary, having checked that node and the npm
// packages the scripts import are installed. It never installs anything:
// tests run without network.
func nodeTools(t *testing.T) string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		missing(t, "node is not installed", "apt-get install nodejs npm (Node 18 or later), then npm ci --prefix internal/e2e/js")
	}
	for _, pkg := range []string{"@aws-sdk/client-cognito-identity", "@aws-sdk/client-cognito-sync", "@aws-sdk/credential-providers", "playwright-core", "esbuild"} {
		if _, err := os.Stat(filepath.Join("node_modules", pkg, "package.json")); err != nil {
			missing(t, "internal/e2e/js/node_modules lacks "+pkg, "npm ci --prefix internal/e2e/js")
		}
	}
	return node
}

// chromium returns the Chromium binary to drive, or skips (fails under CI).
func chromium(t *testing.T) string {
	t.Helper()
	p := os.Getenv("COGNITOD_CHROMIUM")
	if p == "" {
		p = chromiumPath
	}
	if _, err := os.Stat(p); err != nil {
		missing(t, "chromium is not installed at "+p, "apt-get install chromium (or set COGNITOD_CHROMIUM)")
	}
	return p
}

// env is one in-process cognitod on the memory store with one developer key,
// verifying signatures and taking login tokens as presented.
type env struct {
	URL string
	dev *ci.Client // the developer key's Identity client
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	app, err := server.Open(context.Background(), &server.Options{
		Store: e2estore.URL(t), Auth: auth.ModeSigV4, DataDir: t.TempDir(),
		AccessKeyID: devKey, SecretAccessKey: devSecret, AccountID: devAcct, Addr: ln.Addr().String(),
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
	// The Go client only reads back what the scripts did, so it may retry:
	// about one run in a hundred, aws-sdk-go-v2's transport closed its own
	// fresh connection while reading a 200 answered in 0.1 ms ("read tcp
	// ...: use of closed network connection"; the server logged the answer
	// whole; aws/aws-sdk-go-v2#1825, #2737), which a retry takes care of.
	return &env{URL: srv.URL, dev: ci.New(ci.Options{
		Region: region, BaseEndpoint: aws.String(srv.URL), RetryMaxAttempts: 3,
		Credentials: credentials.NewStaticCredentialsProvider(devKey, devSecret, ""),
	})}
}

// sync returns a Cognito Sync client (aws-sdk-go v1: there is no v2 one)
// signing with the developer key.
func (e *env) sync(t *testing.T) *cs.CognitoSync {
	t.Helper()
	sess, err := session.NewSession(&av1.Config{
		Endpoint: av1.String(e.URL), Region: av1.String(region), MaxRetries: av1.Int(0),
		Credentials: credv1.NewStaticCredentials(devKey, devSecret, ""),
	})
	if err != nil {
		t.Fatal(err)
	}
	return cs.New(sess)
}

// record returns the value and SyncCount the server holds for a record,
// read with the developer key.
func (e *env) record(t *testing.T, pool, identity, dataset, key string) (string, int64) {
	t.Helper()
	out, err := e.sync(t).ListRecords(&cs.ListRecordsInput{
		IdentityPoolId: av1.String(pool), IdentityId: av1.String(identity), DatasetName: av1.String(dataset),
	})
	if err != nil {
		t.Fatalf("ListRecords as the developer: %v", err)
	}
	for _, r := range out.Records {
		if av1.StringValue(r.Key) == key {
			return av1.StringValue(r.Value), av1.Int64Value(r.SyncCount)
		}
	}
	t.Fatalf("record %q not stored in %s/%s (records: %v)", key, identity, dataset, out.Records)
	return "", 0
}

// node runs one script of this folder against e with the given extra
// environment, logs its stderr (its steps), and decodes the JSON line it
// prints last into out. The environment is built from scratch so that no
// AWS_* setting of the machine reaches the SDK.
func (e *env) node(t *testing.T, nodeBin, script string, extra map[string]string, out any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), scriptTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, nodeBin, script)
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + t.TempDir(),
		"AWS_EC2_METADATA_DISABLED=true",
		"COGNITOD_ENDPOINT=" + e.URL,
		"COGNITOD_REGION=" + region,
		"COGNITOD_ACCESS_KEY_ID=" + devKey,
		"COGNITOD_SECRET_ACCESS_KEY=" + devSecret,
		"COGNITOD_ACCOUNT_ID=" + devAcct,
	}
	for k, v := range extra {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	for _, line := range strings.Split(strings.TrimSpace(stderr.String()), "\n") {
		if line != "" {
			t.Logf("%s: %s", script, line)
		}
	}
	if err != nil {
		t.Fatalf("node %s: %v (stdout: %s)", script, err, stdout.String())
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), out); err != nil {
		t.Fatalf("node %s: report %q: %v", script, lines[len(lines)-1], err)
	}
}

// TestNodeSDK runs the Node scripts, then checks what each reports against
// the server through the Go SDKs.
func TestNodeSDK(t *testing.T) {
	nodeBin := nodeTools(t)
	cases := []struct {
		script string
		check  func(t *testing.T, e *env, report json.RawMessage)
	}{
		{"sync.mjs", func(t *testing.T, e *env, raw json.RawMessage) {
			var r struct {
				IdentityPoolID string `json:"identityPoolId"`
				IdentityID     string `json:"identityId"`
				Dataset, Key   string
				Value          string
				SyncCount      int64
			}
			if err := json.Unmarshal(raw, &r); err != nil {
				t.Fatal(err)
			}
			// The identity fromCognitoIdentityPool made is the pool's only one.
			ids, err := e.dev.ListIdentities(context.Background(), &ci.ListIdentitiesInput{IdentityPoolId: &r.IdentityPoolID, MaxResults: aws.Int32(60)})
			if err != nil {
				t.Fatal(err)
			}
			if len(ids.Identities) != 1 || aws.ToString(ids.Identities[0].IdentityId) != r.IdentityID {
				t.Fatalf("pool's identities %v, want just %s", identityIDs(ids.Identities), r.IdentityID)
			}
			if v, n := e.record(t, r.IdentityPoolID, r.IdentityID, r.Dataset, r.Key); v != r.Value || n != r.SyncCount {
				t.Fatalf("stored %s = %q (SyncCount %d), script wrote %q (SyncCount %d)", r.Key, v, n, r.Value, r.SyncCount)
			}
		}},
		{"identity.mjs", func(t *testing.T, e *env, raw json.RawMessage) {
			var r struct {
				IdentityPoolID string   `json:"identityPoolId"`
				Identities     []string `json:"identities"`
			}
			if err := json.Unmarshal(raw, &r); err != nil {
				t.Fatal(err)
			}
			var listed []string
			in := &ci.ListIdentitiesInput{IdentityPoolId: &r.IdentityPoolID, MaxResults: aws.Int32(60)}
			for {
				page, err := e.dev.ListIdentities(context.Background(), in)
				if err != nil {
					t.Fatal(err)
				}
				listed = append(listed, identityIDs(page.Identities)...)
				if page.NextToken == nil {
					break
				}
				in.NextToken = page.NextToken
			}
			sort.Strings(listed)
			if len(r.Identities) <= 60 || strings.Join(listed, ",") != strings.Join(r.Identities, ",") {
				t.Fatalf("the script saw %d identities, the Go SDK lists %d (or they differ)", len(r.Identities), len(listed))
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.script, func(t *testing.T) {
			e := newEnv(t)
			var report json.RawMessage
			e.node(t, nodeBin, c.script, nil, &report)
			c.check(t, e, report)
		})
	}
}

func identityIDs(ids []citypes.IdentityDescription) []string {
	out := make([]string, len(ids))
	for i, d := range ids {
		out[i] = aws.ToString(d.IdentityId)
	}
	return out
}

// TestBrowser bundles page.mjs with esbuild (build.mjs), serves it with
// page.html from an origin other than cognitod's (so every call is
// cross-origin and needs CORS), and has headless Chromium run it: fromCognitoIdentityPool, then a
// Sync write and read. The record must then be on the server, and a
// screenshot of the page is kept as a test artifact.
func TestBrowser(t *testing.T) {
	nodeBin := nodeTools(t)
	chrome := chromium(t)
	e := newEnv(t)
	ctx := context.Background()

	pool, err := e.dev.CreateIdentityPool(ctx, &ci.CreateIdentityPoolInput{IdentityPoolName: aws.String("browser"), AllowUnauthenticatedIdentities: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.dev.SetIdentityPoolRoles(ctx, &ci.SetIdentityPoolRolesInput{IdentityPoolId: pool.IdentityPoolId,
		Roles: map[string]string{"unauthenticated": "arn:aws:iam::" + devAcct + ":role/BrowserGuest"}}); err != nil {
		t.Fatal(err)
	}

	// The bundle, built at test time from the installed packages into a
	// temporary folder (build output is never committed).
	site := t.TempDir()
	var bundle struct{ Bytes int64 }
	e.node(t, nodeBin, "build.mjs", map[string]string{"COGNITOD_BUNDLE": filepath.Join(site, "app.js")}, &bundle)
	if bundle.Bytes == 0 {
		t.Fatal("esbuild wrote an empty bundle")
	}
	html, err := os.ReadFile("page.html")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(site, "index.html"), html, 0o644); err != nil {
		t.Fatal(err)
	}
	web := httptest.NewServer(http.FileServer(http.Dir(site)))
	defer web.Close()

	value := "browser-" + randomHex(t, 8) // what the page writes: nothing the server could guess
	q := url.Values{"endpoint": {e.URL}, "region": {region}, "pool": {*pool.IdentityPoolId},
		"dataset": {"settings"}, "key": {"theme"}, "value": {value}}
	shot := filepath.Join(artifactsDir(t), "browser-sync.png")

	var r struct {
		State, Status     string
		IdentityID        string `json:"identityId"`
		Key, Value        string
		SyncCount         string
		Origin, UserAgent string
	}
	e.node(t, nodeBin, "drive.mjs", map[string]string{
		"COGNITOD_PAGE_URL":   web.URL + "/index.html?" + q.Encode(),
		"COGNITOD_SCREENSHOT": shot,
		"COGNITOD_CHROMIUM":   chrome,
	}, &r)
	t.Logf("screenshot: %s (%s)", shot, r.UserAgent)
	if r.State != "done" {
		t.Fatalf("the page says %q", r.Status)
	}
	if r.Origin == e.URL {
		t.Fatalf("the page ran on cognitod's own origin %s: CORS untested", r.Origin)
	}
	if r.Key != "theme" || r.Value != value || r.SyncCount != "1" {
		t.Fatalf("the page shows %s = %q (SyncCount %s), want theme = %q (1)", r.Key, r.Value, r.SyncCount, value)
	}
	// The server's view: the page's identity is the pool's, and it holds the record.
	if _, err := e.dev.DescribeIdentity(ctx, &ci.DescribeIdentityInput{IdentityId: &r.IdentityID}); err != nil {
		t.Fatalf("the page's identity %q: %v", r.IdentityID, err)
	}
	if !strings.HasPrefix(r.IdentityID, region+":") {
		t.Fatalf("identity ID %q", r.IdentityID)
	}
	if v, n := e.record(t, *pool.IdentityPoolId, r.IdentityID, "settings", "theme"); v != value || n != 1 {
		t.Fatalf("stored theme = %q (SyncCount %d), want %q (1)", v, n, value)
	}
	if st, err := os.Stat(shot); err != nil || st.Size() == 0 {
		t.Fatalf("screenshot %s: %v", shot, err)
	}
}

// artifactsDir is where test artifacts go: $COGNITOD_ARTIFACTS_DIR (CI
// keeps it) or else the test's temporary folder.
func artifactsDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("COGNITOD_ARTIFACTS_DIR")
	if dir == "" {
		return t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func randomHex(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}
