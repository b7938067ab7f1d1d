package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	ci "github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity/types"
	av1 "github.com/aws/aws-sdk-go/aws"
	credv1 "github.com/aws/aws-sdk-go/aws/credentials"
	"github.com/aws/aws-sdk-go/aws/session"
	cs "github.com/aws/aws-sdk-go/service/cognitosync"
	jose "github.com/go-jose/go-jose/v4"

	"github.com/cognitod/cognitod/internal/auth"
	"github.com/cognitod/cognitod/internal/server"
	"github.com/cognitod/cognitod/internal/store"
	"github.com/cognitod/cognitod/internal/store/postgres/pgtest"
)

const testAccount = "123456789012" // under --auth any, the access key is the account

// testServer is a server on a store, reached through the SDKs.
type testServer struct {
	url string
	app *server.App
	ci  *ci.Client
	srv *httptest.Server
}

func startServer(t *testing.T, storeURL string) *testServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	app, err := server.Open(context.Background(), &server.Options{Store: storeURL, Auth: auth.ModeAny, DataDir: t.TempDir(),
		Addr: ln.Addr().String(), Logins: "trust"}, slog.New(slog.NewTextHandler(io.Discard, nil)), io.Discard)
	if err != nil {
		ln.Close()
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(app.Handler())
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	s := &testServer{url: srv.URL, app: app, srv: srv}
	s.ci = ci.New(ci.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(testAccount, "x", "")})
	return s
}

func (s *testServer) close() { s.srv.Close(); s.app.Close() }

func (s *testServer) sync(t *testing.T, c *types.Credentials) *cs.CognitoSync {
	sess, err := session.NewSession(&av1.Config{Endpoint: av1.String(s.url), Region: av1.String("us-east-1"), MaxRetries: av1.Int(0),
		Credentials: credv1.NewStaticCredentials(*c.AccessKeyId, *c.SecretKey, *c.SessionToken)})
	if err != nil {
		t.Fatal(err)
	}
	return cs.New(sess)
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

// TestExportImportSQLiteToPostgres moves a SQLite store with data in every
// table to PostgreSQL and back: the dumps agree row for row, and the
// PostgreSQL server serves the identities, datasets, credentials and
// OpenID tokens of the SQLite one.
func TestExportImportSQLiteToPostgres(t *testing.T) {
	pgURL := pgtest.Database(t)
	ctx := context.Background()
	dir := t.TempDir()
	sqliteURL := "sqlite:" + filepath.Join(dir, "cognitod.db")

	src := startServer(t, sqliteURL)
	pool := must[*ci.CreateIdentityPoolOutput](t)(src.ci.CreateIdentityPool(ctx, &ci.CreateIdentityPoolInput{
		IdentityPoolName: aws.String("pool one"), AllowUnauthenticatedIdentities: true,
		DeveloperProviderName: aws.String("login.dev"),
		IdentityPoolTags:      map[string]string{"tëam": "ünicode"},
	}))
	must[*ci.SetIdentityPoolRolesOutput](t)(src.ci.SetIdentityPoolRoles(ctx, &ci.SetIdentityPoolRolesInput{
		IdentityPoolId: pool.IdentityPoolId, Roles: map[string]string{"unauthenticated": "arn:aws:iam::123456789012:role/Guest"}}))
	guest := *must[*ci.GetIdOutput](t)(src.ci.GetId(ctx, &ci.GetIdInput{IdentityPoolId: pool.IdentityPoolId})).IdentityId
	dev := must[*ci.GetOpenIdTokenForDeveloperIdentityOutput](t)(src.ci.GetOpenIdTokenForDeveloperIdentity(ctx, &ci.GetOpenIdTokenForDeveloperIdentityInput{
		IdentityPoolId: pool.IdentityPoolId, Logins: map[string]string{"login.dev": "üser-1"}}))
	token := *must[*ci.GetOpenIdTokenOutput](t)(src.ci.GetOpenIdToken(ctx, &ci.GetOpenIdTokenInput{IdentityId: &guest})).Token
	creds := must[*ci.GetCredentialsForIdentityOutput](t)(src.ci.GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: &guest})).Credentials
	sc := src.sync(t, creds)
	l := must[*cs.ListRecordsOutput](t)(sc.ListRecords(&cs.ListRecordsInput{IdentityPoolId: pool.IdentityPoolId, IdentityId: &guest, DatasetName: av1.String("settings")}))
	value := "välue ✓ 😀 \"quoted\" <tag> & \\ \u0001"
	must[*cs.UpdateRecordsOutput](t)(sc.UpdateRecords(&cs.UpdateRecordsInput{IdentityPoolId: pool.IdentityPoolId, IdentityId: &guest,
		DatasetName: av1.String("settings"), SyncSessionToken: l.SyncSessionToken,
		RecordPatches: []*cs.RecordPatch{
			{Op: av1.String("replace"), Key: av1.String("thème"), Value: av1.String(value), SyncCount: av1.Int64(0)},
			{Op: av1.String("replace"), Key: av1.String("gone"), Value: av1.String("x"), SyncCount: av1.Int64(0)},
		}}))
	// The rest of the Sync tables, and bytes that are not UTF-8, through
	// the store interface.
	err := src.app.Store.Update(ctx, func(tx store.Tx) error {
		if err := tx.AddDevice(&store.Device{ID: "dev-1", IdentityID: guest, PoolID: *pool.IdentityPoolId, Platform: "GCM", Token: "tok\xff\x00\xfe"}); err != nil {
			return err
		}
		if err := tx.Subscribe(&store.Subscription{IdentityID: guest, Dataset: "settings", DeviceID: "dev-1"}); err != nil {
			return err
		}
		return tx.PutBulkPublish(&store.BulkPublish{PoolID: *pool.IdentityPoolId, Status: "SUCCEEDED", FailureMessage: "nön\xff"})
	})
	if err != nil {
		t.Fatal(err)
	}
	src.close()

	dump1 := filepath.Join(dir, "one.jsonl")
	dump2 := filepath.Join(dir, "two.jsonl")
	var stdout, stderr bytes.Buffer
	getenv := func(string) string { return "" }
	if err := runExport([]string{"--store", sqliteURL, "--output", dump1}, getenv, nil, &stdout, &stderr); err != nil {
		t.Fatalf("export: %v\n%s", err, stderr.String())
	}
	// Through COGNITOD_STORE, as the server takes it.
	pgEnv := func(k string) string {
		if k == "COGNITOD_STORE" {
			return pgURL
		}
		return ""
	}
	if err := runImport([]string{"--input", dump1, "--batch", "3"}, pgEnv, nil, &stdout, &stderr); err != nil {
		t.Fatalf("import: %v\n%s", err, stderr.String())
	}
	if err := runExport([]string{"--output", dump2}, pgEnv, nil, &stdout, &stderr); err != nil {
		t.Fatalf("export from postgres: %v\n%s", err, stderr.String())
	}
	one, two := dumpLines(t, dump1), dumpLines(t, dump2)
	if len(one) < 3 {
		t.Fatalf("dump of %d lines", len(one))
	}
	var h1, h2 struct {
		Source string
		Tables []struct {
			Name string
			Rows int64
		}
	}
	json.Unmarshal([]byte(one[0]), &h1)
	json.Unmarshal([]byte(two[0]), &h2)
	if h1.Source != "sqlite" || h2.Source != "postgres" {
		t.Errorf("sources %q and %q, want sqlite and postgres", h1.Source, h2.Source)
	}
	for _, tb := range h1.Tables {
		if tb.Rows == 0 && tb.Name != "credentials" && !strings.Contains(tb.Name, "count") {
			t.Errorf("table %s: no rows in the SQLite dump; the test means to fill every table", tb.Name)
		}
	}
	if strings.Join(one[1:], "\n") != strings.Join(two[1:], "\n") {
		for i := 1; i < min(len(one), len(two)); i++ {
			if one[i] != two[i] {
				t.Fatalf("the dumps differ at line %d:\nsqlite:   %s\npostgres: %s", i+1, one[i], two[i])
			}
		}
		t.Fatalf("the dumps differ in length: %d and %d lines", len(one), len(two))
	}

	// A second import into the now full database is refused.
	stderr.Reset()
	err = runImport([]string{"--input", dump1}, pgEnv, nil, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("import into a full store: %v, want a refusal", err)
	}

	dst := startServer(t, pgURL)
	defer dst.close()
	desc := must[*ci.DescribeIdentityOutput](t)(dst.ci.DescribeIdentity(ctx, &ci.DescribeIdentityInput{IdentityId: dev.IdentityId}))
	if len(desc.Logins) != 1 || desc.Logins[0] != "login.dev" {
		t.Errorf("DescribeIdentity after the move: logins %v", desc.Logins)
	}
	look := must[*ci.LookupDeveloperIdentityOutput](t)(dst.ci.LookupDeveloperIdentity(ctx, &ci.LookupDeveloperIdentityInput{
		IdentityPoolId: pool.IdentityPoolId, DeveloperUserIdentifier: aws.String("üser-1")}))
	if *look.IdentityId != *dev.IdentityId {
		t.Errorf("LookupDeveloperIdentity: %s, want %s", *look.IdentityId, *dev.IdentityId)
	}
	// The temporary credentials issued by the SQLite server still sign
	// requests: the sealing secret moved.
	recs := must[*cs.ListRecordsOutput](t)(dst.sync(t, creds).ListRecords(&cs.ListRecordsInput{IdentityPoolId: pool.IdentityPoolId, IdentityId: &guest, DatasetName: av1.String("settings")}))
	got := map[string]string{}
	for _, r := range recs.Records {
		got[*r.Key] = av1.StringValue(r.Value)
	}
	if got["thème"] != value || got["gone"] != "x" {
		t.Errorf("records after the move: %q", got)
	}
	// The OpenID token of the SQLite server verifies with the PostgreSQL
	// server's JWKS: the signing keys moved.
	verifyToken(t, dst.url, token)
	fresh := *must[*ci.GetOpenIdTokenOutput](t)(dst.ci.GetOpenIdToken(ctx, &ci.GetOpenIdTokenInput{IdentityId: &guest})).Token
	verifyToken(t, dst.url, fresh)
}

func dumpLines(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if fi, _ := f.Stat(); fi.Mode().Perm()&0o077 != 0 {
		t.Errorf("%s has mode %v: a dump holds keys and secrets and must be private", path, fi.Mode().Perm())
	}
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 8<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}

// verifyToken checks an OpenID token's signature against a server's JWKS.
func verifyToken(t *testing.T, url, token string) {
	t.Helper()
	resp, err := http.Get(url + "/.well-known/jwks_uri")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var set jose.JSONWebKeySet
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil {
		t.Fatal(err)
	}
	jws, err := jose.ParseSigned(token, []jose.SignatureAlgorithm{jose.RS512})
	if err != nil {
		t.Fatal(err)
	}
	kid := jws.Signatures[0].Header.KeyID
	keys := set.Key(kid)
	if len(keys) == 0 {
		t.Fatalf("token kid %s is not in the JWKS", kid)
	}
	if _, err := jws.Verify(keys[0]); err != nil {
		t.Fatalf("token of kid %s does not verify: %v", kid, err)
	}
}

// TestImportChecksValues: a dump whose structure is sound but whose values
// the services cannot use (a signing key altered by one character, a pool's
// settings that are not JSON) is refused, the target left empty, instead
// of loading a store the server then fails to start on or answers 500 from.
func TestImportChecksValues(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	src := startServer(t, "sqlite:"+filepath.Join(dir, "src.db"))
	defer src.close()
	pool := must[*ci.CreateIdentityPoolOutput](t)(src.ci.CreateIdentityPool(ctx, &ci.CreateIdentityPoolInput{
		IdentityPoolName: aws.String("p"), AllowUnauthenticatedIdentities: true, DeveloperProviderName: aws.String("login.dev")}))
	must[*ci.GetOpenIdTokenForDeveloperIdentityOutput](t)(src.ci.GetOpenIdTokenForDeveloperIdentity(ctx, &ci.GetOpenIdTokenForDeveloperIdentityInput{
		IdentityPoolId: pool.IdentityPoolId, Logins: map[string]string{"login.dev": "u"}})) // the region's signing key
	var dumped, errOut bytes.Buffer
	if err := runExport([]string{"--store", "sqlite:" + filepath.Join(dir, "src.db")}, func(string) string { return "" }, nil, &dumped, &errOut); err != nil {
		t.Fatal(err, errOut.String())
	}
	good := dumped.String()
	begin := strings.Index(good, "-----BEGIN PRIVATE KEY-----")
	if begin < 0 {
		t.Fatalf("no signing key in the dump:\n%s", good)
	}
	at := begin + 100 // inside the key's base64
	flip := byte('A')
	if good[at] == 'A' {
		flip = 'B'
	}
	for name, tc := range map[string]struct{ dump, want string }{
		"signing key altered": {good[:at] + string(flip) + good[at+1:], "signing key us-east-1-1"},
		"pool settings":       {strings.Replace(good, `"{\"allowUnauth\":true`, `"{broken`, 1), "pool " + *pool.IdentityPoolId + ": its settings"},
	} {
		t.Run(name, func(t *testing.T) {
			if tc.dump == good {
				t.Fatal("the dump was not altered")
			}
			target := "sqlite:" + filepath.Join(t.TempDir(), "dst.db")
			var out, errOut bytes.Buffer
			err := runImport([]string{"--store", target}, func(string) string { return "" }, strings.NewReader(tc.dump), &out, &errOut)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("import: %v, want an error naming %q", err, tc.want)
			}
			var again bytes.Buffer
			if err := runExport([]string{"--store", target}, func(string) string { return "" }, nil, &again, &errOut); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(again.String(), `"rows":1`) {
				t.Errorf("the target holds rows after the refused import:\n%s", again.String())
			}
		})
	}
}
