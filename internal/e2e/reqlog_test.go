package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	ci "github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	av1 "github.com/aws/aws-sdk-go/aws"
	cs "github.com/aws/aws-sdk-go/service/cognitosync"

	"github.com/cognitod/cognitod/internal/auth"
	"github.com/cognitod/cognitod/internal/e2e/e2estore"
	"github.com/cognitod/cognitod/internal/server"
)

// lockedBuffer collects a server's log lines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// newLoggedEnv is newEnv with --log-requests on and JSON logs kept in buf.
func newLoggedEnv(t *testing.T, buf io.Writer) *env {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	app, err := server.Open(context.Background(), &server.Options{
		Store: e2estore.URL(t), Auth: auth.ModeSigV4, DataDir: t.TempDir(),
		AccessKeyID: devKey, SecretAccessKey: devSecret, AccountID: devAcct, Addr: ln.Addr().String(),
		Logins: "trust", LogRequests: true,
	}, slog.New(slog.NewJSONHandler(buf, nil)), io.Discard)
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

func secret(prefix string) string {
	var b [12]byte
	rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

// TestRequestLogsKeepNoSecrets sends requests carrying every kind of secret
// cognitod sees (a developer key's signature, a Logins token, temporary
// credentials' session token, on both protocols), then checks that each
// request's log line has the request ID its client saw, and that none of
// the secrets is anywhere in the log.
func TestRequestLogsKeepNoSecrets(t *testing.T) {
	buf := &lockedBuffer{}
	e := newLoggedEnv(t, buf)
	fbToken := secret("EAAB-login-token-")
	p := createPool(t, e.dev, &ci.CreateIdentityPoolInput{AllowUnauthenticatedIdentities: true,
		SupportedLoginProviders: map[string]string{"graph.facebook.com": "123456789012345"}})
	must[*ci.SetIdentityPoolRolesOutput](t)(e.dev.SetIdentityPoolRoles(ctx, &ci.SetIdentityPoolRolesInput{IdentityPoolId: p.IdentityPoolId,
		Roles: map[string]string{"unauthenticated": "arn:aws:iam::111122223333:role/unauth", "authenticated": "arn:aws:iam::111122223333:role/auth"}}))
	logins := map[string]string{"graph.facebook.com": fbToken}

	type sent struct{ op, rid, account string }
	var reqs []sent
	idOut := must[*ci.GetIdOutput](t)(e.anon().GetId(ctx, &ci.GetIdInput{IdentityPoolId: p.IdentityPoolId, Logins: logins}))
	rid, _ := awsmiddleware.GetRequestIDMetadata(idOut.ResultMetadata)
	reqs = append(reqs, sent{"GetId", rid, ""})
	crOut := must[*ci.GetCredentialsForIdentityOutput](t)(e.anon().GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{
		IdentityId: idOut.IdentityId, Logins: logins}))
	rid, _ = awsmiddleware.GetRequestIDMetadata(crOut.ResultMetadata)
	reqs = append(reqs, sent{"GetCredentialsForIdentity", rid, ""})
	c := crOut.Credentials
	descOut := must[*ci.DescribeIdentityPoolOutput](t)(e.dev.DescribeIdentityPool(ctx, &ci.DescribeIdentityPoolInput{IdentityPoolId: p.IdentityPoolId}))
	rid, _ = awsmiddleware.GetRequestIDMetadata(descOut.ResultMetadata)
	reqs = append(reqs, sent{"DescribeIdentityPool", rid, devAcct})

	// Cognito Sync (rest-json, aws-sdk-go v1) signed with the temporary
	// credentials: Authorization and X-Amz-Security-Token headers.
	sc := e.syncClient(*c.AccessKeyId, *c.SecretKey, *c.SessionToken)
	req, _ := sc.ListRecordsRequest(&cs.ListRecordsInput{IdentityPoolId: p.IdentityPoolId, IdentityId: idOut.IdentityId, DatasetName: av1.String("settings")})
	if err := req.Send(); err != nil {
		t.Fatal(err)
	}
	reqs = append(reqs, sent{"ListRecords", req.RequestID, devAcct})

	logged := map[string]map[string]any{}
	for _, l := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line %q: %v", l, err)
		}
		if m["msg"] == "request" {
			logged[m["request_id"].(string)] = m
		}
	}
	for _, r := range reqs {
		if r.rid == "" {
			t.Fatalf("%s: the client saw no request ID", r.op)
		}
		m, ok := logged[r.rid]
		if !ok {
			t.Errorf("%s: no log line with request ID %s", r.op, r.rid)
			continue
		}
		if m["operation"] != r.op || m["status"] != float64(200) || m["account"] != r.account {
			t.Errorf("%s: logged %v, want operation %s, status 200, account %q", r.op, m, r.op, r.account)
		}
	}
	log := buf.String()
	for name, s := range map[string]string{
		"Logins token": fbToken, "session token": *c.SessionToken, "temporary secret key": *c.SecretKey,
		"developer secret key": devSecret, "a signature": "Signature=", "the session token header": "X-Amz-Security-Token",
		"the Authorization header": "AWS4-HMAC-SHA256",
	} {
		if strings.Contains(log, s) {
			t.Errorf("the log holds %s", name)
		}
	}
}

// TestInventoryGauges checks cognitod_identity_pools and cognitod_identities
// after pools and identities were made through the SDK (a merge leaves the
// absorbed identity stored, disabled).
func TestInventoryGauges(t *testing.T) {
	e := newEnv(t, auth.ModeSigV4)
	p := createPool(t, e.dev, &ci.CreateIdentityPoolInput{AllowUnauthenticatedIdentities: true,
		SupportedLoginProviders: map[string]string{"graph.facebook.com": "123456789012345"}})
	createPool(t, e.dev, &ci.CreateIdentityPoolInput{})
	eu := e.client(devKey, devSecret, "", "eu-west-1")
	createPool(t, eu, &ci.CreateIdentityPoolInput{})
	var ids []string
	for k := 0; k < 3; k++ {
		ids = append(ids, *must[*ci.GetIdOutput](t)(e.anon().GetId(ctx, &ci.GetIdInput{IdentityPoolId: p.IdentityPoolId})).IdentityId)
	}
	// Merge: a guest logs in with a login that already has an identity.
	fb := map[string]string{"graph.facebook.com": "user-1"}
	must[*ci.GetIdOutput](t)(e.anon().GetId(ctx, &ci.GetIdInput{IdentityPoolId: p.IdentityPoolId, Logins: fb}))
	// Whatever it answers, the guest is merged into the login's identity.
	e.anon().GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: &ids[0], Logins: fb})
	must[*ci.DeleteIdentitiesOutput](t)(e.dev.DeleteIdentities(ctx, &ci.DeleteIdentitiesInput{IdentityIdsToDelete: []string{ids[1]}}))

	resp, err := http.Get(e.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	_, body := httpStatus(t, resp)
	for _, want := range []string{
		`cognitod_identity_pools{account="111122223333",region="us-east-1"} 2`,
		`cognitod_identity_pools{account="111122223333",region="eu-west-1"} 1`,
		`cognitod_identities{account="111122223333",region="us-east-1"} 3`, // 3 guests + 1 login - 1 deleted
		`cognitod_identities{account="111122223333",region="eu-west-1"} 0`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}
