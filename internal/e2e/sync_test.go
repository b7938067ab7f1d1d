package e2e

// Cognito Sync end to end: every one of the 17 operations through aws-sdk-go
// v1's cognitosync client (rest-json), a few through the legacy X-Amz-Target
// form over raw HTTP, and the seed request of the ListIdentityPoolUsage page.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	ci "github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	av1 "github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/aws/awserr"
	credv1 "github.com/aws/aws-sdk-go/aws/credentials"
	"github.com/aws/aws-sdk-go/aws/session"
	cs "github.com/aws/aws-sdk-go/service/cognitosync"

	"github.com/cognitod/cognitod/internal/auth"
	"github.com/cognitod/cognitod/internal/cogsync"
	"github.com/cognitod/cognitod/internal/e2e/e2estore"
	"github.com/cognitod/cognitod/internal/identity"
	"github.com/cognitod/cognitod/internal/server"
)

// A second developer key, of another account, for isolation checks.
const (
	otherKey    = "AKIDOTHERACCOUNT0001"
	otherSecret = "other-secret-key-000000000000000000000"
	otherAcct   = "444455556666"

	unauthRole = "arn:aws:iam::111122223333:role/Unauth"
	devProv    = "login.example.app"
	streamName = "cognito-stream"
	streamRole = "arn:aws:iam::111122223333:role/StreamRole"
	syncLambda = "arn:aws:lambda:us-east-1:111122223333:function:f"
	ghostPool  = "us-east-1:00000000-0000-4000-8000-000000000000"
	ghostID    = "us-east-1:00000000-0000-4000-8000-0000000000ff"
)

// newSyncEnv starts a server as newEnv does (memory store, sigv4), with the
// second developer key (otherKey, account otherAcct) in a keys file and, when
// sink is not "", that Cognito Streams sink; more changes its options.
func newSyncEnv(t *testing.T, sink string, more ...func(*server.Options)) *env {
	t.Helper()
	dir := t.TempDir()
	keys := filepath.Join(dir, "keys")
	if err := os.WriteFile(keys, []byte(otherKey+" "+otherSecret+" "+otherAcct+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	opts := &server.Options{
		Store: e2estore.URL(t), Auth: auth.ModeSigV4, DataDir: dir, KeysFile: keys,
		AccessKeyID: devKey, SecretAccessKey: devSecret, AccountID: devAcct, Addr: addr, StreamSink: sink,
	}
	for _, f := range more {
		f(opts)
	}
	app, err := server.Open(context.Background(), opts, slog.New(slog.NewTextHandler(io.Discard, nil)), io.Discard)
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

// syncClient returns an aws-sdk-go v1 Cognito Sync client (rest-json).
func (e *env) syncClient(ak, sk, token string) *cs.CognitoSync {
	return e.syncClientCfg(ak, sk, token, nil)
}

func (e *env) syncClientCfg(ak, sk, token string, more *av1.Config) *cs.CognitoSync {
	cfg := &av1.Config{
		Endpoint:    av1.String(e.URL),
		Region:      av1.String(region),
		Credentials: credv1.NewStaticCredentials(ak, sk, token),
		MaxRetries:  av1.Int(0),
	}
	sess, err := session.NewSession(cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	if more != nil {
		return cs.New(sess, more)
	}
	return cs.New(sess)
}

// syncErr asserts err is an AWS error with code and HTTP status (and, if msg
// is not "", that message).
func syncErr(t *testing.T, err error, code string, status int, msg string) {
	t.Helper()
	if err == nil {
		t.Fatalf("want %s (%d), got success", code, status)
	}
	var rf awserr.RequestFailure
	if !errors.As(err, &rf) {
		t.Fatalf("want %s (%d), got %v", code, status, err)
	}
	if rf.Code() != code || rf.StatusCode() != status {
		t.Fatalf("want %s (%d), got %s (%d): %s", code, status, rf.Code(), rf.StatusCode(), rf.Message())
	}
	if msg != "" && rf.Message() != msg {
		t.Fatalf("%s: want message %q, got %q", code, msg, rf.Message())
	}
}

func ok[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// syncFix is a pool that allows unauthenticated identities (with an
// unauthenticated role) and has a developer provider.
type syncFix struct {
	t    *testing.T
	e    *env
	dev  *cs.CognitoSync
	pool string
}

func newSyncFix(t *testing.T, e *env) *syncFix {
	t.Helper()
	p := createPool(t, e.dev, &ci.CreateIdentityPoolInput{AllowUnauthenticatedIdentities: true, DeveloperProviderName: aws.String(devProv)})
	must[*ci.SetIdentityPoolRolesOutput](t)(e.dev.SetIdentityPoolRoles(ctx, &ci.SetIdentityPoolRolesInput{IdentityPoolId: p.IdentityPoolId,
		Roles: map[string]string{"unauthenticated": unauthRole}}))
	return &syncFix{t: t, e: e, dev: e.syncClient(devKey, devSecret, ""), pool: *p.IdentityPoolId}
}

// guest makes an unauthenticated identity and returns it with a Sync client
// signing with its temporary credentials.
func (f *syncFix) guest() (string, *cs.CognitoSync) {
	t := f.t
	t.Helper()
	id := *must[*ci.GetIdOutput](t)(f.e.anon().GetId(ctx, &ci.GetIdInput{IdentityPoolId: &f.pool})).IdentityId
	cr := must[*ci.GetCredentialsForIdentityOutput](t)(f.e.anon().GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: &id}))
	c := cr.Credentials
	if c == nil || c.AccessKeyId == nil || c.SecretKey == nil || c.SessionToken == nil || *c.SessionToken == "" {
		t.Fatalf("credentials %+v", c)
	}
	return id, f.e.syncClient(*c.AccessKeyId, *c.SecretKey, *c.SessionToken)
}

func (f *syncFix) list(c *cs.CognitoSync, id, ds string, last int64) *cs.ListRecordsOutput {
	f.t.Helper()
	in := &cs.ListRecordsInput{IdentityPoolId: &f.pool, IdentityId: &id, DatasetName: &ds}
	if last > 0 {
		in.LastSyncCount = av1.Int64(last)
	}
	return ok[*cs.ListRecordsOutput](f.t)(c.ListRecords(in))
}

func (f *syncFix) update(c *cs.CognitoSync, id, ds, token string, patches ...*cs.RecordPatch) (*cs.UpdateRecordsOutput, error) {
	return c.UpdateRecords(&cs.UpdateRecordsInput{IdentityPoolId: &f.pool, IdentityId: &id, DatasetName: &ds,
		SyncSessionToken: av1.String(token), RecordPatches: patches})
}

// devIdentity is the identity of developer user user (made on first use).
func (f *syncFix) devIdentity(user string) string {
	f.t.Helper()
	return *must[*ci.GetOpenIdTokenForDeveloperIdentityOutput](f.t)(f.e.dev.GetOpenIdTokenForDeveloperIdentity(ctx, &ci.GetOpenIdTokenForDeveloperIdentityInput{
		IdentityPoolId: &f.pool, Logins: map[string]string{devProv: user}})).IdentityId
}

// mergeDev merges developer user src's identity into dst's and returns the
// survivor.
func (f *syncFix) mergeDev(src, dst string) string {
	f.t.Helper()
	return *must[*ci.MergeDeveloperIdentitiesOutput](f.t)(f.e.dev.MergeDeveloperIdentities(ctx, &ci.MergeDeveloperIdentitiesInput{IdentityPoolId: &f.pool,
		DeveloperProviderName: aws.String(devProv), SourceUserIdentifier: aws.String(src), DestinationUserIdentifier: aws.String(dst)})).IdentityId
}

// put lists the dataset and replaces each key=value of kv with the record's
// current SyncCount: what a well-behaved client does.
func (f *syncFix) put(c *cs.CognitoSync, id, ds string, kv ...string) *cs.UpdateRecordsOutput {
	f.t.Helper()
	l := f.list(c, id, ds, 0)
	cur := map[string]int64{}
	for _, r := range l.Records {
		cur[*r.Key] = *r.SyncCount
	}
	var ps []*cs.RecordPatch
	for i := 0; i+1 < len(kv); i += 2 {
		ps = append(ps, replace(kv[i], kv[i+1], cur[kv[i]]))
	}
	return ok[*cs.UpdateRecordsOutput](f.t)(f.update(c, id, ds, *l.SyncSessionToken, ps...))
}

func replace(key, value string, syncCount int64) *cs.RecordPatch {
	return &cs.RecordPatch{Op: av1.String("replace"), Key: av1.String(key), Value: av1.String(value), SyncCount: av1.Int64(syncCount)}
}

func remove(key string, syncCount int64) *cs.RecordPatch {
	return &cs.RecordPatch{Op: av1.String("remove"), Key: av1.String(key), SyncCount: av1.Int64(syncCount)}
}

func (f *syncFix) poolUsage() *cs.IdentityPoolUsage {
	f.t.Helper()
	return ok[*cs.DescribeIdentityPoolUsageOutput](f.t)(f.dev.DescribeIdentityPoolUsage(&cs.DescribeIdentityPoolUsageInput{IdentityPoolId: &f.pool})).IdentityPoolUsage
}

func (f *syncFix) identityUsage(c *cs.CognitoSync, id string) *cs.IdentityUsage {
	f.t.Helper()
	return ok[*cs.DescribeIdentityUsageOutput](f.t)(c.DescribeIdentityUsage(&cs.DescribeIdentityUsageInput{IdentityPoolId: &f.pool, IdentityId: &id})).IdentityUsage
}

func recordMap(recs []*cs.Record) map[string]*cs.Record {
	m := map[string]*cs.Record{}
	for _, r := range recs {
		m[*r.Key] = r
	}
	return m
}

func i64(p *int64) int64 {
	if p == nil {
		return -1
	}
	return *p
}

func bv(p *bool) bool { return p != nil && *p }

func sv(p *string) string {
	if p == nil {
		return "<nil>"
	}
	return *p
}

func names(ps []*string) []string {
	out := []string{}
	for _, p := range ps {
		out = append(out, *p)
	}
	sort.Strings(out)
	return out
}

func TestSyncRecordsRoundTrip(t *testing.T) {
	e := newSyncEnv(t, "")
	f := newSyncFix(t, e)
	id, c := f.guest()

	// A dataset that does not exist yet.
	l := f.list(c, id, "settings", 0)
	if bv(l.DatasetExists) || i64(l.Count) != 0 || len(l.Records) != 0 || i64(l.DatasetSyncCount) != 0 ||
		l.SyncSessionToken == nil || *l.SyncSessionToken == "" || bv(l.DatasetDeletedAfterRequestedSyncCount) ||
		l.LastModifiedBy != nil || len(l.MergedDatasetNames) != 0 || l.NextToken != nil {
		t.Fatalf("new dataset: %v", l)
	}

	dev := time.Unix(1413836234, 607_000_000).UTC()
	color := replace("color", "blue", 0)
	color.DeviceLastModifiedDate = &dev
	u := ok[*cs.UpdateRecordsOutput](t)(f.update(c, id, "settings", *l.SyncSessionToken, color, replace("size", "L", 0)))
	if len(u.Records) != 2 {
		t.Fatalf("update answered %v", u)
	}
	for _, r := range u.Records {
		if i64(r.SyncCount) != 1 {
			t.Fatalf("updated record %v", r)
		}
	}

	l = f.list(c, id, "settings", 0)
	m := recordMap(l.Records)
	if !bv(l.DatasetExists) || i64(l.Count) != 2 || i64(l.DatasetSyncCount) != 1 || l.LastModifiedBy == nil || *l.LastModifiedBy == "" ||
		sv(m["color"].Value) != "blue" || sv(m["size"].Value) != "L" || i64(m["color"].SyncCount) != 1 || i64(m["size"].SyncCount) != 1 {
		t.Fatalf("after first update: %v", l)
	}
	if r := m["color"]; r.LastModifiedDate == nil || r.LastModifiedBy == nil || *r.LastModifiedBy == "" ||
		r.DeviceLastModifiedDate == nil || r.DeviceLastModifiedDate.Sub(dev).Abs() > time.Millisecond {
		t.Fatalf("record metadata: %v (device date sent %v)", r, dev)
	}
	if time.Since(*m["color"].LastModifiedDate).Abs() > time.Minute {
		t.Fatalf("LastModifiedDate %v", m["color"].LastModifiedDate)
	}

	// Replace one key, remove the other.
	u = ok[*cs.UpdateRecordsOutput](t)(f.update(c, id, "settings", *l.SyncSessionToken, replace("color", "red", 1), remove("size", 1)))
	if um := recordMap(u.Records); len(um) != 2 || sv(um["color"].Value) != "red" || um["size"].Value != nil || i64(um["size"].SyncCount) != 2 {
		t.Fatalf("second update answered %v", u)
	}
	l = f.list(c, id, "settings", 1)
	m = recordMap(l.Records)
	if i64(l.Count) != 2 || i64(l.DatasetSyncCount) != 2 || sv(m["color"].Value) != "red" || i64(m["color"].SyncCount) != 2 ||
		m["size"] == nil || m["size"].Value != nil || i64(m["size"].SyncCount) != 2 {
		t.Fatalf("changes after SyncCount 1: %v", l)
	}
	full := f.list(c, id, "settings", 0)
	fm := recordMap(full.Records)
	if sv(fm["color"].Value) != "red" || (fm["size"] != nil && fm["size"].Value != nil) || i64(full.DatasetSyncCount) != 2 {
		t.Fatalf("full listing: %v", full)
	}
	// Nothing after the current SyncCount.
	if l := f.list(c, id, "settings", 2); i64(l.Count) != 0 || len(l.Records) != 0 || i64(l.DatasetSyncCount) != 2 || !bv(l.DatasetExists) {
		t.Fatalf("changes after SyncCount 2: %v", l)
	}
	// Only the later change.
	f.put(c, id, "settings", "lang", "fr")
	l = f.list(c, id, "settings", 2)
	if i64(l.Count) != 1 || *l.Records[0].Key != "lang" || sv(l.Records[0].Value) != "fr" || i64(l.Records[0].SyncCount) != 3 || i64(l.DatasetSyncCount) != 3 {
		t.Fatalf("changes after SyncCount 2: %v", l)
	}

	// Paging through records.
	var keys []string
	var next *string
	for pages := 0; ; pages++ {
		if pages > 5 {
			t.Fatal("records never end")
		}
		out := ok[*cs.ListRecordsOutput](t)(c.ListRecords(&cs.ListRecordsInput{IdentityPoolId: &f.pool, IdentityId: &id, DatasetName: av1.String("settings"),
			MaxResults: av1.Int64(1), NextToken: next}))
		if i64(out.Count) != int64(len(out.Records)) || len(out.Records) > 1 {
			t.Fatalf("page %v", out)
		}
		for _, r := range out.Records {
			keys = append(keys, *r.Key)
		}
		if next = out.NextToken; next == nil {
			break
		}
	}
	sort.Strings(keys)
	if fmt.Sprint(keys) != "[color lang]" && fmt.Sprint(keys) != "[color lang size]" {
		t.Fatalf("paged keys %v", keys)
	}
	_, err := c.ListRecords(&cs.ListRecordsInput{IdentityPoolId: &f.pool, IdentityId: &id, DatasetName: av1.String("settings"), NextToken: av1.String("Zm9yZ2Vk")})
	syncErr(t, err, "InvalidParameterException", 400, "")

	// Developer credentials reach the same records.
	if l := f.list(f.dev, id, "settings", 0); sv(recordMap(l.Records)["lang"].Value) != "fr" {
		t.Fatalf("developer listing %v", l)
	}
	// A malformed dataset name.
	_, err = c.ListRecords(&cs.ListRecordsInput{IdentityPoolId: &f.pool, IdentityId: &id, DatasetName: av1.String("bad$name")})
	syncErr(t, err, "InvalidParameterException", 400, "")
}

// TestSyncRemovedKeyWrittenAgainByNewDevice: a device that never synced the
// dataset (LastSyncCount 0) lists it and writes a key another device removed.
func TestSyncRemovedKeyWrittenAgainByNewDevice(t *testing.T) {
	e := newSyncEnv(t, "")
	f := newSyncFix(t, e)
	id, c := f.guest()
	f.put(c, id, "d", "k", "v1", "other", "x")
	l := f.list(c, id, "d", 0)
	ok[*cs.UpdateRecordsOutput](t)(f.update(c, id, "d", *l.SyncSessionToken, remove("k", 1)))
	// The new device: a first sync, then a write with what it learned.
	l = f.list(c, id, "d", 0)
	var sc int64
	if r := recordMap(l.Records)["k"]; r != nil {
		if r.Value != nil {
			t.Fatalf("removed record listed with a value: %v", r)
		}
		sc = *r.SyncCount
	}
	if _, err := f.update(c, id, "d", *l.SyncSessionToken, replace("k", "v2", sc)); err != nil {
		t.Fatalf("a device that synced from 0 cannot write the removed key back (it was given SyncCount %d): %v", sc, err)
	}
}

func TestSyncSessionToken(t *testing.T) {
	e := newSyncEnv(t, "")
	f := newSyncFix(t, e)
	id, c := f.guest()
	other, _ := f.guest()
	const msg = "SyncSessionToken not valid for these inputs"
	tok := *f.list(c, id, "d1", 0).SyncSessionToken
	otherSet := *f.list(c, id, "d2", 0).SyncSessionToken
	otherIdentity := *f.list(f.dev, other, "d1", 0).SyncSessionToken

	for name, bad := range map[string]string{
		"empty":              "",
		"forged":             "Zm9yZ2VkLXRva2Vu",
		"tampered":           tok[:len(tok)-2] + flip(tok[len(tok)-2:]),
		"another dataset":    otherSet,
		"another identity":   otherIdentity,
		"not base64 at all!": "!!!",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := f.update(c, id, "d1", bad, replace("k", "v", 0))
			syncErr(t, err, "InvalidParameterException", 400, msg)
		})
	}
	// Absent: the member is required by the model.
	noValidate := e.syncClientCfg(devKey, devSecret, "", &av1.Config{DisableParamValidation: av1.Bool(true)})
	_, err := noValidate.UpdateRecords(&cs.UpdateRecordsInput{IdentityPoolId: &f.pool, IdentityId: &id, DatasetName: av1.String("d1"),
		RecordPatches: []*cs.RecordPatch{replace("k", "v", 0)}})
	var rf awserr.RequestFailure
	if !errors.As(err, &rf) || rf.StatusCode() != 400 || rf.Code() != "InvalidParameterException" {
		t.Fatalf("UpdateRecords without SyncSessionToken: %v", err)
	}
	t.Logf("UpdateRecords without SyncSessionToken: %s (%d) %q", rf.Code(), rf.StatusCode(), rf.Message())
	// Nothing was written by any of these.
	if l := f.list(c, id, "d1", 0); bv(l.DatasetExists) || i64(l.Count) != 0 {
		t.Fatalf("rejected updates wrote: %v", l)
	}
	// ListRecords given another dataset's token.
	_, err = c.ListRecords(&cs.ListRecordsInput{IdentityPoolId: &f.pool, IdentityId: &id, DatasetName: av1.String("d1"), SyncSessionToken: &otherSet})
	syncErr(t, err, "InvalidParameterException", 400, msg)
	// The right token works, and keeps working for the next update.
	ok[*cs.UpdateRecordsOutput](t)(f.update(c, id, "d1", tok, replace("k", "v", 0)))
	// Who may write is answered before whether the token fits: the
	// identity's own token, aimed at another identity's dataset, is 403;
	// any token, aimed at an identity of no pool the caller has, is 404.
	_, err = f.update(c, other, "d1", tok, replace("k", "v", 0))
	syncErr(t, err, "NotAuthorizedException", 403, "")
	_, err = f.dev.UpdateRecords(&cs.UpdateRecordsInput{IdentityPoolId: av1.String(ghostPool), IdentityId: &id, DatasetName: av1.String("d1"),
		SyncSessionToken: av1.String("Zm9yZ2VkLXRva2Vu"), RecordPatches: []*cs.RecordPatch{replace("k", "v", 0)}})
	syncErr(t, err, "ResourceNotFoundException", 404, "")
	// ListRecords too, with a bad SyncSessionToken or NextToken.
	_, err = c.ListRecords(&cs.ListRecordsInput{IdentityPoolId: &f.pool, IdentityId: &other, DatasetName: av1.String("d1"), SyncSessionToken: &otherSet})
	syncErr(t, err, "NotAuthorizedException", 403, "")
	_, err = c.ListRecords(&cs.ListRecordsInput{IdentityPoolId: &f.pool, IdentityId: &other, DatasetName: av1.String("d1"), NextToken: av1.String("Zm9yZ2VkLXRva2Vu")})
	syncErr(t, err, "NotAuthorizedException", 403, "")
}

func flip(s string) string {
	b := []byte(s)
	for i := range b {
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
	}
	return string(b)
}

func TestSyncStaleSyncCountWritesNothing(t *testing.T) {
	e := newSyncEnv(t, "")
	f := newSyncFix(t, e)
	id, c := f.guest()
	f.put(c, id, "d", "a", "1", "b", "1")
	f.put(c, id, "d", "b", "2") // b now at SyncCount 2, a at 1
	before := f.list(c, id, "d", 0)
	usage := f.identityUsage(c, id)
	pool := f.poolUsage()

	_, err := f.update(c, id, "d", *before.SyncSessionToken, replace("a", "x", 1), replace("c", "new", 0), replace("b", "stale", 1))
	syncErr(t, err, "ResourceConflictException", 409, "Current SyncCount for: b is: 2 not: 1")
	_, err = f.update(c, id, "d", *before.SyncSessionToken, replace("a", "x", 1), replace("c", "new", 5))
	syncErr(t, err, "ResourceConflictException", 409, "Current SyncCount for: c is: 0 not: 5")
	_, err = f.update(c, id, "d", *before.SyncSessionToken, remove("a", 0))
	syncErr(t, err, "ResourceConflictException", 409, "Current SyncCount for: a is: 1 not: 0")

	after := f.list(c, id, "d", 0)
	m := recordMap(after.Records)
	if len(m) != 2 || sv(m["a"].Value) != "1" || sv(m["b"].Value) != "2" || m["c"] != nil || i64(after.DatasetSyncCount) != i64(before.DatasetSyncCount) {
		t.Fatalf("a conflicting update wrote: before %v after %v", before, after)
	}
	if u := f.identityUsage(c, id); i64(u.DataStorage) != i64(usage.DataStorage) || i64(u.DatasetCount) != i64(usage.DatasetCount) {
		t.Fatalf("identity usage moved: %v -> %v", usage, u)
	}
	if p := f.poolUsage(); i64(p.DataStorage) != i64(pool.DataStorage) || i64(p.SyncSessionsCount) != i64(pool.SyncSessionsCount) {
		t.Fatalf("pool usage moved: %v -> %v", pool, p)
	}
	// The same patches with current counts succeed.
	ok[*cs.UpdateRecordsOutput](t)(f.update(c, id, "d", *before.SyncSessionToken, replace("a", "x", 1), replace("c", "new", 0), replace("b", "fresh", 2)))
	if l := f.list(c, id, "d", 0); i64(l.DatasetSyncCount) != i64(before.DatasetSyncCount)+1 || sv(recordMap(l.Records)["b"].Value) != "fresh" {
		t.Fatalf("after a good update: %v", l)
	}
}

// TestConfiguredQuotas: the --quota-* settings replace AWS's quotas one by
// one, the others staying AWS's.
func TestConfiguredQuotas(t *testing.T) {
	e := newSyncEnv(t, "", func(o *server.Options) {
		o.IdentityQuotas = identity.Limits{PoolsPerAccount: 2}
		o.SyncQuotas = cogsync.Limits{DatasetsPerIdentity: 2, BytesPerDataset: 10}
	})
	f := newSyncFix(t, e) // the account's first pool
	createPool(t, e.dev, &ci.CreateIdentityPoolInput{AllowUnauthenticatedIdentities: true})
	_, err := e.dev.CreateIdentityPool(ctx, &ci.CreateIdentityPoolInput{IdentityPoolName: aws.String("third"), AllowUnauthenticatedIdentities: true})
	apiErr(t, err, "LimitExceededException", "")
	// Tags are still AWS's 50.
	tags := map[string]string{}
	for i := 0; i < 50; i++ {
		tags[fmt.Sprint("t", i)] = "v"
	}
	must[*ci.TagResourceOutput](t)(e.dev.TagResource(ctx, &ci.TagResourceInput{ResourceArn: aws.String("arn:aws:cognito-identity:" + region + ":" + devAcct + ":identitypool/" + f.pool), Tags: tags}))

	id, c := f.guest()
	f.put(c, id, "a", "k", "123456789") // 10 bytes: the quota
	l := f.list(c, id, "a", 0)
	_, err = f.update(c, id, "a", *l.SyncSessionToken, replace("k", "1234567890", 1))
	syncErr(t, err, "LimitExceededException", 400, "")
	f.put(c, id, "b", "k", "v")
	l = f.list(c, id, "c", 0)
	_, err = f.update(c, id, "c", *l.SyncSessionToken, replace("k", "v", 0))
	syncErr(t, err, "LimitExceededException", 400, "")
}

// TestSyncWholeDatasetEscaped: one UpdateRecords may carry a whole dataset
// of 1 MB however its JSON is escaped: aws-sdk-go writes a control
// character as \u0001, six bytes of body for one of data.
func TestSyncWholeDatasetEscaped(t *testing.T) {
	e := newSyncEnv(t, "")
	f := newSyncFix(t, e)
	id, c := f.guest()
	l := f.list(c, id, "ctl", 0)
	value := strings.Repeat("\x01", 1<<20-1) // with the key "k": exactly 1 MB
	out := ok[*cs.UpdateRecordsOutput](t)(f.update(c, id, "ctl", *l.SyncSessionToken, replace("k", value, 0)))
	if len(out.Records) != 1 || len(*out.Records[0].Value) != len(value) {
		t.Fatalf("answered %d records", len(out.Records))
	}
	if u := f.identityUsage(c, id); i64(u.DataStorage) != 1<<20 {
		t.Fatalf("DataStorage %d", i64(u.DataStorage))
	}
}

// TestSyncLongKeys: a record key may hold 2,048 bytes of UTF-8 on every
// store (1,024 two-byte characters: the model's whole length), kept and
// listed back; past that, InvalidParameterException and nothing written,
// on SQLite and PostgreSQL alike (PostgreSQL cannot index much more).
func TestSyncLongKeys(t *testing.T) {
	e := newSyncEnv(t, "")
	f := newSyncFix(t, e)
	id, c := f.guest()
	ds := strings.Repeat("d", 128) // the longest dataset name, beside the key in every index
	long := strings.Repeat("é", 1024)
	f.put(c, id, ds, long, "v")
	l := f.list(c, id, ds, 0)
	if len(l.Records) != 1 || *l.Records[0].Key != long {
		t.Fatalf("records %v", l.Records)
	}
	tooLong := strings.Repeat("\U00020000", 513) // 2,052 bytes in 513 characters
	_, err := f.update(c, id, ds, *l.SyncSessionToken, replace(tooLong, "v", 0))
	syncErr(t, err, "InvalidParameterException", 400, "Record key too long: 2052 bytes of UTF-8, at most 2048.")
	if l := f.list(c, id, ds, 0); len(l.Records) != 1 {
		t.Fatalf("records after the refused key: %d", len(l.Records))
	}
}

func TestSyncLimits(t *testing.T) {
	e := newSyncEnv(t, "")
	f := newSyncFix(t, e)
	id, c := f.guest()

	t.Run("datasets per identity", func(t *testing.T) {
		for i := 0; i < 20; i++ {
			f.put(c, id, fmt.Sprintf("ds%02d", i), "k", "v")
		}
		l := f.list(c, id, "ds20", 0)
		_, err := f.update(c, id, "ds20", *l.SyncSessionToken, replace("k", "v", 0))
		syncErr(t, err, "LimitExceededException", 400, "")
		if l := f.list(c, id, "ds20", 0); bv(l.DatasetExists) {
			t.Fatal("the 21st dataset exists")
		}
		if u := f.identityUsage(c, id); i64(u.DatasetCount) != 20 {
			t.Fatalf("DatasetCount %d", i64(u.DatasetCount))
		}
		// Deleting one makes room.
		ok[*cs.DeleteDatasetOutput](t)(c.DeleteDataset(&cs.DeleteDatasetInput{IdentityPoolId: &f.pool, IdentityId: &id, DatasetName: av1.String("ds00")}))
		f.put(c, id, "ds20", "k", "v")
	})

	id2, c2 := f.guest()
	t.Run("records per dataset", func(t *testing.T) {
		l := f.list(c2, id2, "many", 0)
		var ps []*cs.RecordPatch
		for i := 0; i < 1024; i++ {
			ps = append(ps, replace(fmt.Sprintf("k%04d", i), "v", 0))
		}
		ok[*cs.UpdateRecordsOutput](t)(f.update(c2, id2, "many", *l.SyncSessionToken, ps...))
		_, err := f.update(c2, id2, "many", *l.SyncSessionToken, replace("k1024", "v", 0))
		syncErr(t, err, "LimitExceededException", 400, "")
		d := ok[*cs.DescribeDatasetOutput](t)(c2.DescribeDataset(&cs.DescribeDatasetInput{IdentityPoolId: &f.pool, IdentityId: &id2, DatasetName: av1.String("many")}))
		if i64(d.Dataset.NumRecords) != 1024 {
			t.Fatalf("NumRecords %d", i64(d.Dataset.NumRecords))
		}
		// Removing one makes room for another in the same request.
		ok[*cs.UpdateRecordsOutput](t)(f.update(c2, id2, "many", *l.SyncSessionToken, remove("k0000", 1), replace("k1024", "v", 0)))
	})

	t.Run("dataset size", func(t *testing.T) {
		big := strings.Repeat("x", 600_000)
		f.put(c2, id2, "big", "a", big)
		l := f.list(c2, id2, "big", 0)
		_, err := f.update(c2, id2, "big", *l.SyncSessionToken, replace("b", big, 0))
		syncErr(t, err, "LimitExceededException", 400, "")
		l = f.list(c2, id2, "big", 0)
		if i64(l.Count) != 1 || *l.Records[0].Key != "a" || len(sv(l.Records[0].Value)) != 600_000 || i64(l.DatasetSyncCount) != 1 {
			t.Fatalf("after the oversized update: count %d, sync count %d", i64(l.Count), i64(l.DatasetSyncCount))
		}
		d := ok[*cs.DescribeDatasetOutput](t)(c2.DescribeDataset(&cs.DescribeDatasetInput{IdentityPoolId: &f.pool, IdentityId: &id2, DatasetName: av1.String("big")}))
		if i64(d.Dataset.DataStorage) != 600_001 {
			t.Fatalf("DataStorage %d", i64(d.Dataset.DataStorage))
		}
		// One value bigger than the dataset may hold, in a fresh dataset.
		l = f.list(c2, id2, "huge", 0)
		_, err = f.update(c2, id2, "huge", *l.SyncSessionToken, replace("key", strings.Repeat("y", 1048575), 0))
		syncErr(t, err, "LimitExceededException", 400, "")
		// Replacing the big value by a small one frees the space.
		l = f.list(c2, id2, "big", 0)
		ok[*cs.UpdateRecordsOutput](t)(f.update(c2, id2, "big", *l.SyncSessionToken, replace("a", "small", 1), replace("b", big, 0)))
	})
}

func TestSyncDatasetsDescribeListDelete(t *testing.T) {
	e := newSyncEnv(t, "")
	f := newSyncFix(t, e)
	id, c := f.guest()
	f.put(c, id, "alpha", "k1", "v1", "k2", "vv2")
	f.put(c, id, "beta", "k", "v")
	f.put(c, id, "gamma", "k", "v")
	f.put(c, id, "gamma", "k", "w")

	d := ok[*cs.DescribeDatasetOutput](t)(c.DescribeDataset(&cs.DescribeDatasetInput{IdentityPoolId: &f.pool, IdentityId: &id, DatasetName: av1.String("alpha")})).Dataset
	if sv(d.DatasetName) != "alpha" || sv(d.IdentityId) != id || i64(d.NumRecords) != 2 || i64(d.DataStorage) != int64(len("k1v1k2vv2")) ||
		d.CreationDate == nil || d.LastModifiedDate == nil || d.LastModifiedBy == nil || *d.LastModifiedBy == "" {
		t.Fatalf("describe: %v", d)
	}
	_, err := c.DescribeDataset(&cs.DescribeDatasetInput{IdentityPoolId: &f.pool, IdentityId: &id, DatasetName: av1.String("nope")})
	syncErr(t, err, "ResourceNotFoundException", 404, "")

	var got []string
	var next *string
	pages := 0
	for {
		out := ok[*cs.ListDatasetsOutput](t)(c.ListDatasets(&cs.ListDatasetsInput{IdentityPoolId: &f.pool, IdentityId: &id, MaxResults: av1.Int64(1), NextToken: next}))
		pages++
		if i64(out.Count) != int64(len(out.Datasets)) || len(out.Datasets) != 1 {
			t.Fatalf("page %d: %v", pages, out)
		}
		got = append(got, *out.Datasets[0].DatasetName)
		if next = out.NextToken; next == nil {
			break
		}
		if pages > 5 {
			t.Fatal("datasets never end")
		}
	}
	if fmt.Sprint(got) != "[alpha beta gamma]" {
		t.Fatalf("datasets %v", got)
	}
	all := ok[*cs.ListDatasetsOutput](t)(c.ListDatasets(&cs.ListDatasetsInput{IdentityPoolId: &f.pool, IdentityId: &id}))
	if i64(all.Count) != 3 || len(all.Datasets) != 3 || all.NextToken != nil {
		t.Fatalf("all datasets: %v", all)
	}
	_, err = c.ListDatasets(&cs.ListDatasetsInput{IdentityPoolId: &f.pool, IdentityId: &id, NextToken: av1.String(base64.StdEncoding.EncodeToString([]byte("alpha")))})
	syncErr(t, err, "InvalidParameterException", 400, "")

	// Delete gamma (SyncCount 2).
	del := ok[*cs.DeleteDatasetOutput](t)(c.DeleteDataset(&cs.DeleteDatasetInput{IdentityPoolId: &f.pool, IdentityId: &id, DatasetName: av1.String("gamma")}))
	if del.Dataset == nil || sv(del.Dataset.DatasetName) != "gamma" {
		t.Fatalf("delete answered %v", del)
	}
	_, err = c.DescribeDataset(&cs.DescribeDatasetInput{IdentityPoolId: &f.pool, IdentityId: &id, DatasetName: av1.String("gamma")})
	syncErr(t, err, "ResourceNotFoundException", 404, "")
	_, err = c.DeleteDataset(&cs.DeleteDatasetInput{IdentityPoolId: &f.pool, IdentityId: &id, DatasetName: av1.String("gamma")})
	syncErr(t, err, "ResourceNotFoundException", 404, "")
	l := f.list(c, id, "gamma", 1)
	if bv(l.DatasetExists) || !bv(l.DatasetDeletedAfterRequestedSyncCount) || len(l.Records) != 0 {
		t.Fatalf("ListRecords of a deleted dataset from SyncCount 1: %v", l)
	}
	if l := f.list(c, id, "never-existed", 1); bv(l.DatasetExists) || bv(l.DatasetDeletedAfterRequestedSyncCount) {
		t.Fatalf("ListRecords of a dataset that never existed: %v", l)
	}
	all = ok[*cs.ListDatasetsOutput](t)(c.ListDatasets(&cs.ListDatasetsInput{IdentityPoolId: &f.pool, IdentityId: &id}))
	if i64(all.Count) != 2 {
		t.Fatalf("after delete: %v", all)
	}
	if u := f.identityUsage(c, id); i64(u.DatasetCount) != 2 || i64(u.DataStorage) != int64(len("k1v1k2vv2")+len("kv")) {
		t.Fatalf("usage after delete: %v", u)
	}
}

func TestSyncUsage(t *testing.T) {
	e := newSyncEnv(t, "")
	f := newSyncFix(t, e)
	a, ca := f.guest()
	b, cb := f.guest()

	// Before any write.
	if u := f.identityUsage(ca, a); i64(u.DatasetCount) != 0 || i64(u.DataStorage) != 0 || sv(u.IdentityId) != a || sv(u.IdentityPoolId) != f.pool {
		t.Fatalf("fresh identity usage: %v", u)
	}
	p0 := f.poolUsage()
	if sv(p0.IdentityPoolId) != f.pool || i64(p0.DataStorage) != 0 || (p0.SyncSessionsCount != nil && *p0.SyncSessionsCount != 0) {
		t.Fatalf("fresh pool usage: %v", p0)
	}

	f.put(ca, a, "profile", "name", "Ada Lovelace", "lang", "en")
	f.put(ca, a, "scores", "level1", "9001")
	f.put(cb, b, "profile", "name", "Bob")
	sizeA := int64(len("name") + len("Ada Lovelace") + len("lang") + len("en") + len("level1") + len("9001"))
	sizeB := int64(len("name") + len("Bob"))

	ua := f.identityUsage(ca, a)
	if i64(ua.DatasetCount) != 2 || i64(ua.DataStorage) != sizeA || ua.LastModifiedDate == nil {
		t.Fatalf("identity usage of a: %v (want 2 datasets, %d bytes)", ua, sizeA)
	}
	if ub := f.identityUsage(f.dev, b); i64(ub.DatasetCount) != 1 || i64(ub.DataStorage) != sizeB {
		t.Fatalf("identity usage of b: %v", ub)
	}
	p1 := f.poolUsage()
	if i64(p1.DataStorage) != sizeA+sizeB || p1.SyncSessionsCount == nil || *p1.SyncSessionsCount <= 0 || p1.LastModifiedDate == nil {
		t.Fatalf("pool usage: %v (want %d bytes)", p1, sizeA+sizeB)
	}

	// Replace with a longer value, then remove.
	f.put(ca, a, "profile", "name", "Ada King, Countess of Lovelace")
	sizeA += int64(len("Ada King, Countess of Lovelace") - len("Ada Lovelace"))
	p2 := f.poolUsage()
	if i64(f.identityUsage(ca, a).DataStorage) != sizeA || i64(p2.DataStorage) != sizeA+sizeB {
		t.Fatalf("after replace: %v", p2)
	}
	if i64(p2.SyncSessionsCount) <= i64(p1.SyncSessionsCount) {
		t.Fatalf("SyncSessionsCount did not rise: %d -> %d", i64(p1.SyncSessionsCount), i64(p2.SyncSessionsCount))
	}
	l := f.list(ca, a, "profile", 0)
	ok[*cs.UpdateRecordsOutput](t)(f.update(ca, a, "profile", *l.SyncSessionToken, remove("lang", *recordMap(l.Records)["lang"].SyncCount)))
	sizeA -= int64(len("lang") + len("en"))
	if u := f.identityUsage(ca, a); i64(u.DataStorage) != sizeA || i64(u.DatasetCount) != 2 {
		t.Fatalf("after remove: %v (want %d)", u, sizeA)
	}
	if p := f.poolUsage(); i64(p.DataStorage) != sizeA+sizeB {
		t.Fatalf("pool after remove: %v (want %d)", p, sizeA+sizeB)
	}
	// Delete a dataset.
	ok[*cs.DeleteDatasetOutput](t)(ca.DeleteDataset(&cs.DeleteDatasetInput{IdentityPoolId: &f.pool, IdentityId: &a, DatasetName: av1.String("scores")}))
	sizeA -= int64(len("level1") + len("9001"))
	if u := f.identityUsage(ca, a); i64(u.DataStorage) != sizeA || i64(u.DatasetCount) != 1 {
		t.Fatalf("after delete: %v (want %d)", u, sizeA)
	}
	if p := f.poolUsage(); i64(p.DataStorage) != sizeA+sizeB {
		t.Fatalf("pool after delete: %v (want %d)", p, sizeA+sizeB)
	}
	// Unicode counts bytes.
	f.put(cb, b, "profile", "city", "Zürich")
	sizeB += int64(len("city") + len("Zürich"))
	if p := f.poolUsage(); i64(p.DataStorage) != sizeA+sizeB {
		t.Fatalf("pool after UTF-8 value: %v (want %d)", p, sizeA+sizeB)
	}

	// Errors.
	_, err := f.dev.DescribeIdentityUsage(&cs.DescribeIdentityUsageInput{IdentityPoolId: &f.pool, IdentityId: av1.String(ghostID)})
	syncErr(t, err, "ResourceNotFoundException", 404, "")
	_, err = f.dev.DescribeIdentityPoolUsage(&cs.DescribeIdentityPoolUsageInput{IdentityPoolId: av1.String(ghostPool)})
	syncErr(t, err, "ResourceNotFoundException", 404, "")
	_, err = f.dev.DescribeIdentityPoolUsage(&cs.DescribeIdentityPoolUsageInput{IdentityPoolId: av1.String("not-a-pool")})
	syncErr(t, err, "InvalidParameterException", 400, "")
}

func TestSyncListIdentityPoolUsage(t *testing.T) {
	e := newSyncEnv(t, "")
	f := newSyncFix(t, e)
	id, c := f.guest()
	f.put(c, id, "d", "key", "value")
	pools := map[string]bool{f.pool: true}
	for i := 0; i < 4; i++ {
		pools[*createPool(t, e.dev, &ci.CreateIdentityPoolInput{IdentityPoolName: aws.String(fmt.Sprint("p", i))}).IdentityPoolId] = true
	}
	// Another region and another account do not show.
	createPool(t, e.client(devKey, devSecret, "", "eu-west-1"), &ci.CreateIdentityPoolInput{})
	otherPool := *createPool(t, e.client(otherKey, otherSecret, "", region), &ci.CreateIdentityPoolInput{}).IdentityPoolId

	seen := map[string]*cs.IdentityPoolUsage{}
	var sizes []int
	var next *string
	for {
		out := ok[*cs.ListIdentityPoolUsageOutput](t)(f.dev.ListIdentityPoolUsage(&cs.ListIdentityPoolUsageInput{MaxResults: av1.Int64(2), NextToken: next}))
		sizes = append(sizes, len(out.IdentityPoolUsages))
		if i64(out.MaxResults) != 2 || i64(out.Count) != int64(len(out.IdentityPoolUsages)) {
			t.Fatalf("page: MaxResults %d, Count %d, %d items", i64(out.MaxResults), i64(out.Count), len(out.IdentityPoolUsages))
		}
		for _, u := range out.IdentityPoolUsages {
			if seen[*u.IdentityPoolId] != nil || !pools[*u.IdentityPoolId] {
				t.Fatalf("repeated or foreign pool %s", *u.IdentityPoolId)
			}
			seen[*u.IdentityPoolId] = u
		}
		if next = out.NextToken; next == nil {
			break
		}
		if strings.Contains(*next, f.pool) || len(sizes) > 5 {
			t.Fatalf("NextToken %q", *next)
		}
	}
	if fmt.Sprint(sizes) != "[2 2 1]" || len(seen) != 5 {
		t.Fatalf("page sizes %v, %d pools", sizes, len(seen))
	}
	for pid, u := range seen {
		if pid == f.pool {
			if i64(u.DataStorage) != int64(len("keyvalue")) || i64(u.SyncSessionsCount) < 1 || u.LastModifiedDate == nil {
				t.Fatalf("used pool: %v", u)
			}
			continue
		}
		if u.DataStorage == nil || *u.DataStorage != 0 || (u.SyncSessionsCount != nil && *u.SyncSessionsCount != 0) || u.LastModifiedDate == nil {
			t.Fatalf("unused pool: %v", u)
		}
	}
	// Forged NextTokens: made up, and the base64 of a pool ID (the form of
	// AWS's sample token).
	for _, forged := range []string{"Zm9yZ2Vk", base64.StdEncoding.EncodeToString([]byte(f.pool))} {
		_, err := f.dev.ListIdentityPoolUsage(&cs.ListIdentityPoolUsageInput{MaxResults: av1.Int64(2), NextToken: av1.String(forged)})
		syncErr(t, err, "InvalidParameterException", 400, "")
	}
	// Default page size holds them all.
	all := ok[*cs.ListIdentityPoolUsageOutput](t)(f.dev.ListIdentityPoolUsage(&cs.ListIdentityPoolUsageInput{}))
	if i64(all.Count) != 5 || all.NextToken != nil {
		t.Fatalf("all pools: %v", all)
	}
	// The other account sees only its own.
	theirs := ok[*cs.ListIdentityPoolUsageOutput](t)(e.syncClient(otherKey, otherSecret, "").ListIdentityPoolUsage(&cs.ListIdentityPoolUsageInput{MaxResults: av1.Int64(10)}))
	if i64(theirs.Count) != 1 || *theirs.IdentityPoolUsages[0].IdentityPoolId != otherPool {
		t.Fatalf("other account: %v", theirs)
	}
	// A NextToken of one account does not page another's.
	first := ok[*cs.ListIdentityPoolUsageOutput](t)(f.dev.ListIdentityPoolUsage(&cs.ListIdentityPoolUsageInput{MaxResults: av1.Int64(2)}))
	_, err := e.syncClient(otherKey, otherSecret, "").ListIdentityPoolUsage(&cs.ListIdentityPoolUsageInput{MaxResults: av1.Int64(2), NextToken: first.NextToken})
	syncErr(t, err, "InvalidParameterException", 400, "")
}

// signSync signs a raw request for service cognito-sync.
func signSync(t *testing.T, req *http.Request, body string) {
	t.Helper()
	sign(t, req, body, "cognito-sync")
}

// TestSeedListIdentityPoolUsage sends the sample request of the
// ListIdentityPoolUsage API page exactly as written there.
func TestSeedListIdentityPoolUsage(t *testing.T) {
	e := newSyncEnv(t, "")
	f := newSyncFix(t, e)
	id, c := f.guest()
	f.put(c, id, "d", "k", "v")
	for i := 0; i < 3; i++ {
		createPool(t, e.dev, &ci.CreateIdentityPoolInput{IdentityPoolName: aws.String(fmt.Sprint("p", i))})
	}
	body := `{ "MaxResults": "2" }`
	req, _ := http.NewRequest("POST", e.URL+"/", strings.NewReader(body))
	req.Header.Set("CONTENT-TYPE", "application/json")
	req.Header.Set("X-AMZN-REQUESTID", "9be7c425-ef05-48c0-aef3-9f0ff2fe17d3")
	req.Header.Set("X-AMZ-TARGET", "com.amazonaws.cognito.sync.model.AWSCognitoSyncService.ListIdentityPoolUsage")
	signSync(t, req, body)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Header.Get("x-amzn-RequestId") == "" {
		t.Error("no x-amzn-RequestId")
	}
	ct := resp.Header.Get("Content-Type")
	status, b := httpStatus(t, resp)
	if status != 200 {
		t.Fatalf("%d %s", status, b)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var out map[string]any
	if err := dec.Decode(&out); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	if out["Count"] != json.Number("2") || out["MaxResults"] != json.Number("2") {
		t.Fatalf("Count/MaxResults: %s", b)
	}
	if tok, _ := out["NextToken"].(string); tok == "" {
		t.Fatalf("NextToken: %s", b)
	}
	list, _ := out["IdentityPoolUsages"].([]any)
	if len(list) != 2 {
		t.Fatalf("IdentityPoolUsages: %s", b)
	}
	for _, v := range list {
		u, _ := v.(map[string]any)
		pid, _ := u["IdentityPoolId"].(string)
		if !strings.HasPrefix(pid, "us-east-1:") {
			t.Fatalf("IdentityPoolId: %s", b)
		}
		if _, isNum := u["DataStorage"].(json.Number); !isNum {
			t.Fatalf("DataStorage not a number: %s", b)
		}
		lm, isNum := u["LastModifiedDate"].(json.Number)
		if f, err := lm.Float64(); !isNum || err != nil || time.Since(time.Unix(int64(f), 0)).Abs() > time.Hour {
			t.Fatalf("LastModifiedDate not a recent epoch-seconds number: %s", b)
		}
		sc, present := u["SyncSessionsCount"]
		if !present {
			t.Fatalf("SyncSessionsCount missing: %s", b)
		}
		if pid == f.pool {
			if u["DataStorage"] != json.Number("2") || sc == nil {
				t.Fatalf("used pool: %s", b)
			}
		} else if sc != nil || u["DataStorage"] != json.Number("0") {
			t.Fatalf("unused pool should have DataStorage 0 and SyncSessionsCount null: %s", b)
		}
	}
	// The sample response is application/json.
	if !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q, the sample answers application/json", ct)
	}
	// The second page, through the same form with the token it gave.
	body2 := fmt.Sprintf(`{"MaxResults": "2", "NextToken": %q}`, out["NextToken"])
	req, _ = http.NewRequest("POST", e.URL+"/", strings.NewReader(body2))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Amz-Target", "com.amazonaws.cognito.sync.model.AWSCognitoSyncService.ListIdentityPoolUsage")
	signSync(t, req, body2)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	status, b = httpStatus(t, resp)
	var page2 struct {
		Count              int
		IdentityPoolUsages []json.RawMessage
		NextToken          *string
	}
	if status != 200 || json.Unmarshal(b, &page2) != nil || page2.Count != 2 || len(page2.IdentityPoolUsages) != 2 || page2.NextToken != nil {
		t.Fatalf("second page: %d %s", status, b)
	}
}

// rawSync sends a Sync operation in the legacy X-Amz-Target form with
// developer credentials and returns the status and the decoded body.
func rawSync(t *testing.T, e *env, target, body string) (int, map[string]any, http.Header) {
	t.Helper()
	return rawSyncAs(t, e, aws.Credentials{AccessKeyID: devKey, SecretAccessKey: devSecret}, target, body)
}

func rawSyncAs(t *testing.T, e *env, creds aws.Credentials, target, body string) (int, map[string]any, http.Header) {
	t.Helper()
	req, _ := http.NewRequest("POST", e.URL+"/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", target)
	sum := sha256.Sum256([]byte(body))
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "cognito-sync", region, time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	h := resp.Header
	status, b := httpStatus(t, resp)
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v: %s", target, err, b)
	}
	return status, m, h
}

func TestSyncLegacyTargetForm(t *testing.T) {
	e := newSyncEnv(t, "")
	f := newSyncFix(t, e)
	id, c := f.guest()
	const short = "AWSCognitoSyncService."
	const long = "com.amazonaws.cognito.sync.model.AWSCognitoSyncService."

	st, m, _ := rawSync(t, e, short+"ListRecords", fmt.Sprintf(`{"IdentityPoolId":%q,"IdentityId":%q,"DatasetName":"legacy"}`, f.pool, id))
	tok, _ := m["SyncSessionToken"].(string)
	if st != 200 || m["DatasetExists"] != false || m["Count"] != float64(0) || tok == "" {
		t.Fatalf("ListRecords: %d %v", st, m)
	}
	st, m, _ = rawSync(t, e, long+"UpdateRecords", fmt.Sprintf(`{"IdentityPoolId":%q,"IdentityId":%q,"DatasetName":"legacy","SyncSessionToken":%q,
		"RecordPatches":[{"Op":"replace","Key":"k","Value":"v","SyncCount":0,"DeviceLastModifiedDate":1.413836234607E9},{"Op":"replace","Key":"n","Value":"1","SyncCount":"0"}]}`, f.pool, id, tok))
	recs, _ := m["Records"].([]any)
	if st != 200 || len(recs) != 2 {
		t.Fatalf("UpdateRecords: %d %v", st, m)
	}
	// The rest-json client sees it.
	l := f.list(c, id, "legacy", 0)
	r := recordMap(l.Records)
	if sv(r["k"].Value) != "v" || i64(r["k"].SyncCount) != 1 || r["k"].DeviceLastModifiedDate == nil || r["k"].DeviceLastModifiedDate.Unix() != 1413836234 {
		t.Fatalf("after legacy update: %v", l)
	}
	// Numbers as strings, as in the seed.
	st, m, _ = rawSync(t, e, long+"ListRecords", fmt.Sprintf(`{"IdentityPoolId":%q,"IdentityId":%q,"DatasetName":"legacy","LastSyncCount":"0","MaxResults":"1"}`, f.pool, id))
	if st != 200 || m["Count"] != float64(1) || m["NextToken"] == nil {
		t.Fatalf("ListRecords with string numbers: %d %v", st, m)
	}
	// Errors in the JSON 1.1 form with the Sync status codes.
	st, m, _ = rawSync(t, e, short+"UpdateRecords", fmt.Sprintf(`{"IdentityPoolId":%q,"IdentityId":%q,"DatasetName":"legacy","SyncSessionToken":%q,
		"RecordPatches":[{"Op":"replace","Key":"k","Value":"w","SyncCount":0}]}`, f.pool, id, tok))
	if st != 409 || m["__type"] != "ResourceConflictException" || m["message"] != "Current SyncCount for: k is: 1 not: 0" {
		t.Fatalf("stale legacy update: %d %v", st, m)
	}
	st, m, _ = rawSync(t, e, short+"UpdateRecords", fmt.Sprintf(`{"IdentityPoolId":%q,"IdentityId":%q,"DatasetName":"legacy","SyncSessionToken":"Zm9yZ2Vk",
		"RecordPatches":[{"Op":"replace","Key":"k","Value":"w","SyncCount":1}]}`, f.pool, id))
	if st != 400 || m["__type"] != "InvalidParameterException" || m["message"] != "SyncSessionToken not valid for these inputs" {
		t.Fatalf("forged token, legacy: %d %v", st, m)
	}
	st, m, _ = rawSync(t, e, short+"DescribeDataset", fmt.Sprintf(`{"IdentityPoolId":%q,"IdentityId":%q,"DatasetName":"nope"}`, f.pool, id))
	if st != 404 || m["__type"] != "ResourceNotFoundException" {
		t.Fatalf("missing dataset, legacy: %d %v", st, m)
	}
	st, m, _ = rawSync(t, e, short+"DescribeIdentityUsage", fmt.Sprintf(`{"IdentityPoolId":%q,"IdentityId":%q}`, f.pool, id))
	if u, _ := m["IdentityUsage"].(map[string]any); st != 200 || u["DataStorage"] != float64(len("kv")+len("n1")) {
		t.Fatalf("DescribeIdentityUsage, legacy: %d %v", st, m)
	}
	// Temporary credentials in the legacy form: own data yes, another identity's no.
	cr := must[*ci.GetCredentialsForIdentityOutput](t)(e.anon().GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: &id}))
	temp := aws.Credentials{AccessKeyID: *cr.Credentials.AccessKeyId, SecretAccessKey: *cr.Credentials.SecretKey, SessionToken: *cr.Credentials.SessionToken}
	st, m, _ = rawSyncAs(t, e, temp, short+"ListRecords", fmt.Sprintf(`{"IdentityPoolId":%q,"IdentityId":%q,"DatasetName":"legacy"}`, f.pool, id))
	if st != 200 || m["Count"] != float64(2) {
		t.Fatalf("legacy ListRecords with temporary credentials: %d %v", st, m)
	}
	other, _ := f.guest()
	st, m, _ = rawSyncAs(t, e, temp, short+"ListRecords", fmt.Sprintf(`{"IdentityPoolId":%q,"IdentityId":%q,"DatasetName":"legacy"}`, f.pool, other))
	if st != 403 || m["__type"] != "NotAuthorizedException" {
		t.Fatalf("legacy ListRecords of another identity: %d %v", st, m)
	}
	st, m, _ = rawSyncAs(t, e, temp, long+"ListIdentityPoolUsage", `{"MaxResults":"2"}`)
	if st != 403 || m["__type"] != "NotAuthorizedException" {
		t.Fatalf("legacy ListIdentityPoolUsage with temporary credentials: %d %v", st, m)
	}
	st, m, _ = rawSync(t, e, short+"NoSuchOperation", `{}`)
	if st != 400 || m["__type"] != "UnknownOperationException" {
		t.Fatalf("unknown operation: %d %v", st, m)
	}
	// rest-json errors carry x-amzn-ErrorType.
	req, _ := http.NewRequest("GET", fmt.Sprintf("%s/identitypools/%s/identities/%s/datasets/nope", e.URL, f.pool, id), nil)
	signSync(t, req, "")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if got := resp.Header.Get("x-amzn-ErrorType"); !strings.HasPrefix(got, "ResourceNotFoundException") || resp.StatusCode != 404 {
		t.Fatalf("rest-json error: %d %q", resp.StatusCode, got)
	}
	resp.Body.Close()
}

func TestSyncCredentialsScope(t *testing.T) {
	e := newSyncEnv(t, "")
	f := newSyncFix(t, e)
	a, ca := f.guest()
	b, _ := f.guest()
	f.put(f.dev, b, "theirs", "k", "v")
	f.put(ca, a, "mine", "k", "v")

	// Own data with temporary credentials.
	ok[*cs.DescribeDatasetOutput](t)(ca.DescribeDataset(&cs.DescribeDatasetInput{IdentityPoolId: &f.pool, IdentityId: &a, DatasetName: av1.String("mine")}))
	ok[*cs.ListDatasetsOutput](t)(ca.ListDatasets(&cs.ListDatasetsInput{IdentityPoolId: &f.pool, IdentityId: &a}))
	f.identityUsage(ca, a)

	const na, forbidden = "NotAuthorizedException", 403
	// Another identity's data.
	btok := *f.list(f.dev, b, "theirs", 0).SyncSessionToken
	calls := map[string]func() error{
		"ListRecords": func() error {
			_, err := ca.ListRecords(&cs.ListRecordsInput{IdentityPoolId: &f.pool, IdentityId: &b, DatasetName: av1.String("theirs")})
			return err
		},
		"UpdateRecords": func() error {
			_, err := f.update(ca, b, "theirs", btok, replace("k", "stolen", 1))
			return err
		},
		"ListDatasets": func() error {
			_, err := ca.ListDatasets(&cs.ListDatasetsInput{IdentityPoolId: &f.pool, IdentityId: &b})
			return err
		},
		"DescribeDataset": func() error {
			_, err := ca.DescribeDataset(&cs.DescribeDatasetInput{IdentityPoolId: &f.pool, IdentityId: &b, DatasetName: av1.String("theirs")})
			return err
		},
		"DeleteDataset": func() error {
			_, err := ca.DeleteDataset(&cs.DeleteDatasetInput{IdentityPoolId: &f.pool, IdentityId: &b, DatasetName: av1.String("theirs")})
			return err
		},
		"DescribeIdentityUsage": func() error {
			_, err := ca.DescribeIdentityUsage(&cs.DescribeIdentityUsageInput{IdentityPoolId: &f.pool, IdentityId: &b})
			return err
		},
		"RegisterDevice": func() error {
			_, err := ca.RegisterDevice(&cs.RegisterDeviceInput{IdentityPoolId: &f.pool, IdentityId: &b, Platform: av1.String("GCM"), Token: av1.String("t")})
			return err
		},
	}
	for name, call := range calls {
		t.Run("other identity/"+name, func(t *testing.T) { syncErr(t, call(), na, forbidden, "") })
	}
	if l := f.list(f.dev, b, "theirs", 0); sv(recordMap(l.Records)["k"].Value) != "v" {
		t.Fatalf("another identity's record changed: %v", l)
	}

	// Developer-only operations.
	devOnly := map[string]func(c *cs.CognitoSync, pool string) error{
		"ListIdentityPoolUsage": func(c *cs.CognitoSync, pool string) error {
			_, err := c.ListIdentityPoolUsage(&cs.ListIdentityPoolUsageInput{MaxResults: av1.Int64(10)})
			return err
		},
		"DescribeIdentityPoolUsage": func(c *cs.CognitoSync, pool string) error {
			_, err := c.DescribeIdentityPoolUsage(&cs.DescribeIdentityPoolUsageInput{IdentityPoolId: &pool})
			return err
		},
		"BulkPublish": func(c *cs.CognitoSync, pool string) error {
			_, err := c.BulkPublish(&cs.BulkPublishInput{IdentityPoolId: &pool})
			return err
		},
		"GetBulkPublishDetails": func(c *cs.CognitoSync, pool string) error {
			_, err := c.GetBulkPublishDetails(&cs.GetBulkPublishDetailsInput{IdentityPoolId: &pool})
			return err
		},
		"GetCognitoEvents": func(c *cs.CognitoSync, pool string) error {
			_, err := c.GetCognitoEvents(&cs.GetCognitoEventsInput{IdentityPoolId: &pool})
			return err
		},
		"SetCognitoEvents": func(c *cs.CognitoSync, pool string) error {
			_, err := c.SetCognitoEvents(&cs.SetCognitoEventsInput{IdentityPoolId: &pool, Events: map[string]*string{"SyncTrigger": av1.String(syncLambda)}})
			return err
		},
		"GetIdentityPoolConfiguration": func(c *cs.CognitoSync, pool string) error {
			_, err := c.GetIdentityPoolConfiguration(&cs.GetIdentityPoolConfigurationInput{IdentityPoolId: &pool})
			return err
		},
		"SetIdentityPoolConfiguration": func(c *cs.CognitoSync, pool string) error {
			_, err := c.SetIdentityPoolConfiguration(&cs.SetIdentityPoolConfigurationInput{IdentityPoolId: &pool,
				CognitoStreams: &cs.CognitoStreams{StreamName: av1.String(streamName), RoleArn: av1.String(streamRole), StreamingStatus: av1.String("ENABLED")}})
			return err
		},
	}
	for name, call := range devOnly {
		t.Run("temporary credentials/"+name, func(t *testing.T) { syncErr(t, call(ca, f.pool), na, forbidden, "") })
	}
	// Nothing was configured by the refused Set calls.
	if ev := ok[*cs.GetCognitoEventsOutput](t)(f.dev.GetCognitoEvents(&cs.GetCognitoEventsInput{IdentityPoolId: &f.pool})); len(ev.Events) != 0 {
		t.Fatalf("events set by temporary credentials: %v", ev)
	}
	if cfg := ok[*cs.GetIdentityPoolConfigurationOutput](t)(f.dev.GetIdentityPoolConfiguration(&cs.GetIdentityPoolConfigurationInput{IdentityPoolId: &f.pool})); cfg.CognitoStreams != nil && cfg.CognitoStreams.StreamName != nil {
		t.Fatalf("configuration set by temporary credentials: %v", cfg)
	}

	// Developer credentials of another account: the pool does not exist.
	other := e.syncClient(otherKey, otherSecret, "")
	atok := *f.list(f.dev, a, "mine", 0).SyncSessionToken
	for name, call := range devOnly {
		if name == "ListIdentityPoolUsage" {
			continue
		}
		t.Run("other account/"+name, func(t *testing.T) { syncErr(t, call(other, f.pool), "ResourceNotFoundException", 404, "") })
	}
	otherCalls := map[string]func() error{
		"ListRecords": func() error {
			_, err := other.ListRecords(&cs.ListRecordsInput{IdentityPoolId: &f.pool, IdentityId: &a, DatasetName: av1.String("mine")})
			return err
		},
		"UpdateRecords": func() error {
			_, err := f.update(other, a, "mine", atok, replace("k", "stolen", 1))
			return err
		},
		"ListDatasets": func() error {
			_, err := other.ListDatasets(&cs.ListDatasetsInput{IdentityPoolId: &f.pool, IdentityId: &a})
			return err
		},
		"DescribeDataset": func() error {
			_, err := other.DescribeDataset(&cs.DescribeDatasetInput{IdentityPoolId: &f.pool, IdentityId: &a, DatasetName: av1.String("mine")})
			return err
		},
		"DeleteDataset": func() error {
			_, err := other.DeleteDataset(&cs.DeleteDatasetInput{IdentityPoolId: &f.pool, IdentityId: &a, DatasetName: av1.String("mine")})
			return err
		},
		"DescribeIdentityUsage": func() error {
			_, err := other.DescribeIdentityUsage(&cs.DescribeIdentityUsageInput{IdentityPoolId: &f.pool, IdentityId: &a})
			return err
		},
	}
	for name, call := range otherCalls {
		t.Run("other account/"+name, func(t *testing.T) { syncErr(t, call(), "ResourceNotFoundException", 404, "") })
	}
	if l := f.list(ca, a, "mine", 0); sv(recordMap(l.Records)["k"].Value) != "v" || !bv(l.DatasetExists) {
		t.Fatalf("the other account changed data: %v", l)
	}
	// Unknown pool for the owner too.
	for name, call := range devOnly {
		if name == "ListIdentityPoolUsage" {
			continue
		}
		t.Run("unknown pool/"+name, func(t *testing.T) { syncErr(t, call(f.dev, ghostPool), "ResourceNotFoundException", 404, "") })
	}
	// Temporary credentials with a bad signature or a forged session token.
	cr := must[*ci.GetCredentialsForIdentityOutput](t)(e.anon().GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: &a}))
	_, err := e.syncClient(*cr.Credentials.AccessKeyId, "wrong-secret-000000000000", *cr.Credentials.SessionToken).
		DescribeIdentityUsage(&cs.DescribeIdentityUsageInput{IdentityPoolId: &f.pool, IdentityId: &a})
	syncErr(t, err, "InvalidSignatureException", 403, "")
	_, err = e.syncClient(*cr.Credentials.AccessKeyId, *cr.Credentials.SecretKey, "forged-session-token").
		DescribeIdentityUsage(&cs.DescribeIdentityUsageInput{IdentityPoolId: &f.pool, IdentityId: &a})
	syncErr(t, err, "UnrecognizedClientException", 403, "")
}

func TestSyncConfigurationAndEvents(t *testing.T) {
	e := newSyncEnv(t, "")
	f := newSyncFix(t, e)

	g := ok[*cs.GetIdentityPoolConfigurationOutput](t)(f.dev.GetIdentityPoolConfiguration(&cs.GetIdentityPoolConfigurationInput{IdentityPoolId: &f.pool}))
	if sv(g.IdentityPoolId) != f.pool {
		t.Fatalf("fresh configuration: %v", g)
	}
	app := "arn:aws:sns:us-east-1:111122223333:app/GCM/MyApp"
	push := "arn:aws:iam::111122223333:role/PushRole"
	s := ok[*cs.SetIdentityPoolConfigurationOutput](t)(f.dev.SetIdentityPoolConfiguration(&cs.SetIdentityPoolConfigurationInput{IdentityPoolId: &f.pool,
		PushSync:       &cs.PushSync{ApplicationArns: []*string{av1.String(app)}, RoleArn: av1.String(push)},
		CognitoStreams: &cs.CognitoStreams{StreamName: av1.String(streamName), RoleArn: av1.String(streamRole), StreamingStatus: av1.String("ENABLED")},
	}))
	check := func(what string, c *cs.PushSync, st *cs.CognitoStreams, status string) {
		t.Helper()
		if c == nil || len(c.ApplicationArns) != 1 || *c.ApplicationArns[0] != app || sv(c.RoleArn) != push ||
			st == nil || sv(st.StreamName) != streamName || sv(st.RoleArn) != streamRole || sv(st.StreamingStatus) != status {
			t.Fatalf("%s: push %v streams %v", what, c, st)
		}
	}
	if sv(s.IdentityPoolId) != f.pool {
		t.Fatalf("set answered %v", s)
	}
	check("set", s.PushSync, s.CognitoStreams, "ENABLED")
	g = ok[*cs.GetIdentityPoolConfigurationOutput](t)(f.dev.GetIdentityPoolConfiguration(&cs.GetIdentityPoolConfigurationInput{IdentityPoolId: &f.pool}))
	check("get", g.PushSync, g.CognitoStreams, "ENABLED")
	// Changing the streams only keeps push sync.
	ok[*cs.SetIdentityPoolConfigurationOutput](t)(f.dev.SetIdentityPoolConfiguration(&cs.SetIdentityPoolConfigurationInput{IdentityPoolId: &f.pool,
		CognitoStreams: &cs.CognitoStreams{StreamName: av1.String(streamName), RoleArn: av1.String(streamRole), StreamingStatus: av1.String("DISABLED")}}))
	g = ok[*cs.GetIdentityPoolConfigurationOutput](t)(f.dev.GetIdentityPoolConfiguration(&cs.GetIdentityPoolConfigurationInput{IdentityPoolId: &f.pool}))
	check("get after disabling", g.PushSync, g.CognitoStreams, "DISABLED")
	// Constraint violations.
	_, err := f.dev.SetIdentityPoolConfiguration(&cs.SetIdentityPoolConfigurationInput{IdentityPoolId: &f.pool,
		CognitoStreams: &cs.CognitoStreams{StreamName: av1.String(streamName), RoleArn: av1.String(streamRole), StreamingStatus: av1.String("MAYBE")}})
	syncErr(t, err, "InvalidParameterException", 400, "")
	_, err = f.dev.SetIdentityPoolConfiguration(&cs.SetIdentityPoolConfigurationInput{IdentityPoolId: &f.pool,
		PushSync: &cs.PushSync{ApplicationArns: []*string{av1.String("not-an-arn")}, RoleArn: av1.String(push)}})
	syncErr(t, err, "InvalidParameterException", 400, "")

	// Events.
	ev := ok[*cs.GetCognitoEventsOutput](t)(f.dev.GetCognitoEvents(&cs.GetCognitoEventsInput{IdentityPoolId: &f.pool}))
	if len(ev.Events) != 0 {
		t.Fatalf("fresh events: %v", ev)
	}
	ok[*cs.SetCognitoEventsOutput](t)(f.dev.SetCognitoEvents(&cs.SetCognitoEventsInput{IdentityPoolId: &f.pool, Events: map[string]*string{"SyncTrigger": av1.String(syncLambda)}}))
	ev = ok[*cs.GetCognitoEventsOutput](t)(f.dev.GetCognitoEvents(&cs.GetCognitoEventsInput{IdentityPoolId: &f.pool}))
	if len(ev.Events) != 1 || sv(ev.Events["SyncTrigger"]) != syncLambda {
		t.Fatalf("events: %v", ev)
	}
	_, err = f.dev.SetCognitoEvents(&cs.SetCognitoEventsInput{IdentityPoolId: &f.pool, Events: map[string]*string{"PreSync": av1.String(syncLambda)}})
	syncErr(t, err, "InvalidParameterException", 400, "")
	// The refused call changed nothing; the events did not disturb the configuration.
	ev = ok[*cs.GetCognitoEventsOutput](t)(f.dev.GetCognitoEvents(&cs.GetCognitoEventsInput{IdentityPoolId: &f.pool}))
	if len(ev.Events) != 1 || sv(ev.Events["SyncTrigger"]) != syncLambda {
		t.Fatalf("events after a refused set: %v", ev)
	}
	g = ok[*cs.GetIdentityPoolConfigurationOutput](t)(f.dev.GetIdentityPoolConfiguration(&cs.GetIdentityPoolConfigurationInput{IdentityPoolId: &f.pool}))
	check("get after events", g.PushSync, g.CognitoStreams, "DISABLED")
	// Through the legacy form too.
	st, m, _ := rawSync(t, e, "AWSCognitoSyncService.GetCognitoEvents", fmt.Sprintf(`{"IdentityPoolId":%q}`, f.pool))
	if evs, _ := m["Events"].(map[string]any); st != 200 || evs["SyncTrigger"] != syncLambda {
		t.Fatalf("legacy GetCognitoEvents: %d %v", st, m)
	}
	// "This request only updates the key/value pair specified. Other key/values
	// pairs are not updated. To remove a key value pair, pass a empty value
	// for the particular key." So an empty map changes nothing, and an empty
	// value removes its key.
	ok[*cs.SetCognitoEventsOutput](t)(f.dev.SetCognitoEvents(&cs.SetCognitoEventsInput{IdentityPoolId: &f.pool, Events: map[string]*string{}}))
	if ev = ok[*cs.GetCognitoEventsOutput](t)(f.dev.GetCognitoEvents(&cs.GetCognitoEventsInput{IdentityPoolId: &f.pool})); len(ev.Events) != 1 || sv(ev.Events["SyncTrigger"]) != syncLambda {
		t.Fatalf("events after setting none: %v", ev)
	}
	ok[*cs.SetCognitoEventsOutput](t)(f.dev.SetCognitoEvents(&cs.SetCognitoEventsInput{IdentityPoolId: &f.pool, Events: map[string]*string{"SyncTrigger": av1.String("")}}))
	if ev = ok[*cs.GetCognitoEventsOutput](t)(f.dev.GetCognitoEvents(&cs.GetCognitoEventsInput{IdentityPoolId: &f.pool})); len(ev.Events) != 0 {
		t.Fatalf("events after removing SyncTrigger: %v", ev)
	}
}

// sink is an HTTP Cognito Streams sink that records every line it receives.
// While held, requests wait until release.
type sink struct {
	srv     *httptest.Server
	mu      sync.Mutex
	lines   []map[string]any
	streams map[string]int
	gate    chan struct{}
	arrived chan struct{} // one value per request, non-blocking
}

func newSink(t *testing.T) *sink {
	s := &sink{streams: map[string]int{}, arrived: make(chan struct{}, 1024)}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		select {
		case s.arrived <- struct{}{}:
		default:
		}
		s.mu.Lock()
		gate := s.gate
		s.mu.Unlock()
		if gate != nil {
			<-gate
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		s.streams[r.Header.Get("X-Cognito-Stream-Name")]++
		for _, l := range bytes.Split(b, []byte("\n")) {
			if len(bytes.TrimSpace(l)) == 0 {
				continue
			}
			var m map[string]any
			if err := json.Unmarshal(l, &m); err != nil {
				t.Errorf("sink got a line that is not JSON: %q", l)
				continue
			}
			s.lines = append(s.lines, m)
		}
	}))
	t.Cleanup(func() { s.release(); s.srv.Close() })
	return s
}

func (s *sink) hold() {
	s.mu.Lock()
	s.gate = make(chan struct{})
	s.mu.Unlock()
}

func (s *sink) release() {
	s.mu.Lock()
	if s.gate != nil {
		close(s.gate)
		s.gate = nil
	}
	s.mu.Unlock()
}

func (s *sink) snapshot() []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]map[string]any(nil), s.lines...)
}

// sinkRecords flattens a stream line (one synchronization of a dataset) to
// its records, each "identity/dataset/key=value", checking that the line's
// operation is every record's and its syncCount their highest.
func sinkRecords(t *testing.T, m map[string]any) []string {
	t.Helper()
	recs, _ := m["kinesisSyncRecords"].([]any)
	var parts []string
	var top float64
	for _, r := range recs {
		rm, _ := r.(map[string]any)
		if rm["op"] != m["operation"] {
			t.Errorf("a %v record in a %v line: %v", rm["op"], m["operation"], m)
		}
		top = max(top, rm["syncCount"].(float64))
		parts = append(parts, fmt.Sprintf("%v/%v/%v=%v", m["identityId"], m["datasetName"], rm["key"], rm["value"]))
	}
	if len(recs) == 0 || m["syncCount"] != top {
		t.Errorf("line's syncCount %v, its records' highest %v: %v", m["syncCount"], top, m)
	}
	return parts
}

func bulkDetails(t *testing.T, f *syncFix) *cs.GetBulkPublishDetailsOutput {
	t.Helper()
	return ok[*cs.GetBulkPublishDetailsOutput](t)(f.dev.GetBulkPublishDetails(&cs.GetBulkPublishDetailsInput{IdentityPoolId: &f.pool}))
}

func TestSyncBulkPublishAndStreaming(t *testing.T) {
	sk := newSink(t)
	e := newSyncEnv(t, sk.srv.URL)
	f := newSyncFix(t, e)
	a, ca := f.guest()
	b, cb := f.guest()
	f.put(ca, a, "d1", "a1", "one", "a2", "two")
	f.put(ca, a, "d2", "a3", "three")
	f.put(cb, b, "d1", "b1", "uno")
	f.put(cb, b, "d1", "b1", "eins") // replaced: published once, with its last value
	want := []string{a + "/d1/a1=one", a + "/d1/a2=two", a + "/d2/a3=three", b + "/d1/b1=eins"}
	sort.Strings(want)
	// Another pool's records are not published.
	f2 := newSyncFix(t, e)
	x, cx := f2.guest()
	f2.put(cx, x, "d", "x", "y")

	if d := bulkDetails(t, f); sv(d.BulkPublishStatus) != "NOT_STARTED" || sv(d.IdentityPoolId) != f.pool {
		t.Fatalf("before any bulk publish: %v", d)
	}
	// Streams not configured.
	_, err := f.dev.BulkPublish(&cs.BulkPublishInput{IdentityPoolId: &f.pool})
	syncErr(t, err, "InvalidParameterException", 400, "")
	if n := len(sk.snapshot()); n != 0 {
		t.Fatalf("the sink got %d lines before streams were configured", n)
	}

	ok[*cs.SetIdentityPoolConfigurationOutput](t)(f.dev.SetIdentityPoolConfiguration(&cs.SetIdentityPoolConfigurationInput{IdentityPoolId: &f.pool,
		CognitoStreams: &cs.CognitoStreams{StreamName: av1.String(streamName), RoleArn: av1.String(streamRole), StreamingStatus: av1.String("ENABLED")}}))
	sk.hold()
	bp := ok[*cs.BulkPublishOutput](t)(f.dev.BulkPublish(&cs.BulkPublishInput{IdentityPoolId: &f.pool}))
	if sv(bp.IdentityPoolId) != f.pool {
		t.Fatalf("bulk publish answered %v", bp)
	}
	select {
	case <-sk.arrived:
	case <-time.After(10 * time.Second):
		t.Fatal("the bulk publish never reached the sink")
	}
	d := bulkDetails(t, f)
	if sv(d.BulkPublishStatus) != "IN_PROGRESS" || d.BulkPublishStartTime == nil {
		t.Fatalf("while publishing: %v", d)
	}
	_, err = f.dev.BulkPublish(&cs.BulkPublishInput{IdentityPoolId: &f.pool})
	syncErr(t, err, "DuplicateRequestException", 400, "")
	sk.release()
	deadline := time.Now().Add(10 * time.Second)
	for sv(d.BulkPublishStatus) == "IN_PROGRESS" && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
		d = bulkDetails(t, f)
	}
	if sv(d.BulkPublishStatus) != "SUCCEEDED" || d.BulkPublishCompleteTime == nil || d.BulkPublishStartTime == nil ||
		d.BulkPublishCompleteTime.Before(*d.BulkPublishStartTime) {
		t.Fatalf("after publishing: %v", d)
	}
	lines := sk.snapshot()
	var got []string
	for _, l := range lines {
		if l["identityPoolId"] != f.pool {
			t.Fatalf("line of another pool: %v", l)
		}
		got = append(got, sinkRecords(t, l)...)
	}
	sort.Strings(got)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("sink got\n%v\nwant\n%v", got, want)
	}
	// A line a dataset, as AWS's "each record sent to the stream represents
	// a single synchronization": a's d1 and d2, b's d1.
	if len(lines) != 3 {
		t.Fatalf("bulk publish wrote %d lines, want one per dataset (3): %v", len(lines), lines)
	}
	sk.mu.Lock()
	if len(sk.streams) != 1 || sk.streams[streamName] == 0 {
		t.Errorf("stream names %v", sk.streams)
	}
	sk.mu.Unlock()
	_, err = f.dev.BulkPublish(&cs.BulkPublishInput{IdentityPoolId: &f.pool})
	syncErr(t, err, "AlreadyStreamedException", 400, "")

	// Live streaming: an update reaches the sink, one line for the records
	// it replaced and one for those it removed.
	l := f.list(ca, a, "d1", 0)
	ok[*cs.UpdateRecordsOutput](t)(f.update(ca, a, "d1", *l.SyncSessionToken,
		replace("live", "now", 0), replace("also", "this", 0), remove("a1", *l.Records[0].SyncCount)))
	deadline = time.Now().Add(10 * time.Second)
	for len(sk.snapshot()) < len(lines)+2 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	live := map[string][]string{}
	for _, l := range sk.snapshot()[len(lines):] {
		if l["identityPoolId"] != f.pool {
			t.Fatalf("line of another pool: %v", l)
		}
		op := fmt.Sprint(l["operation"])
		if live[op] != nil {
			t.Fatalf("two %s lines for one UpdateRecords: %v", op, sk.snapshot()[len(lines):])
		}
		live[op] = sinkRecords(t, l)
	}
	if fmt.Sprint(live) != fmt.Sprint(map[string][]string{"remove": {a + "/d1/a1=<nil>"}, "replace": {a + "/d1/live=now", a + "/d1/also=this"}}) {
		t.Fatalf("the live change reached the sink as %v", live)
	}
	// With streaming disabled, updates stay home.
	ok[*cs.SetIdentityPoolConfigurationOutput](t)(f.dev.SetIdentityPoolConfiguration(&cs.SetIdentityPoolConfigurationInput{IdentityPoolId: &f.pool,
		CognitoStreams: &cs.CognitoStreams{StreamName: av1.String(streamName), RoleArn: av1.String(streamRole), StreamingStatus: av1.String("DISABLED")}}))
	n := len(sk.snapshot())
	f.put(ca, a, "d1", "quiet", "shh")
	time.Sleep(300 * time.Millisecond)
	if len(sk.snapshot()) != n {
		t.Fatalf("a disabled stream got %v", sk.snapshot()[n:])
	}
}

// TestSyncBulkPublishWithoutSink: a server without a sink reports the job
// as failed, with a reason.
func TestSyncBulkPublishWithoutSink(t *testing.T) {
	e := newSyncEnv(t, "")
	f := newSyncFix(t, e)
	a, ca := f.guest()
	f.put(ca, a, "d", "k", "v")
	ok[*cs.SetIdentityPoolConfigurationOutput](t)(f.dev.SetIdentityPoolConfiguration(&cs.SetIdentityPoolConfigurationInput{IdentityPoolId: &f.pool,
		CognitoStreams: &cs.CognitoStreams{StreamName: av1.String(streamName), RoleArn: av1.String(streamRole), StreamingStatus: av1.String("ENABLED")}}))
	ok[*cs.BulkPublishOutput](t)(f.dev.BulkPublish(&cs.BulkPublishInput{IdentityPoolId: &f.pool}))
	d := bulkDetails(t, f)
	for deadline := time.Now().Add(10 * time.Second); sv(d.BulkPublishStatus) == "IN_PROGRESS" && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
		d = bulkDetails(t, f)
	}
	if sv(d.BulkPublishStatus) != "FAILED" || sv(d.FailureMessage) == "" || sv(d.FailureMessage) == "<nil>" {
		t.Fatalf("without a sink: %v", d)
	}
	// A failed job may be started again.
	ok[*cs.BulkPublishOutput](t)(f.dev.BulkPublish(&cs.BulkPublishInput{IdentityPoolId: &f.pool}))
}

func TestSyncDevices(t *testing.T) {
	e := newSyncEnv(t, "")
	f := newSyncFix(t, e)
	a, ca := f.guest()
	b, cb := f.guest()
	reg := func(c *cs.CognitoSync, id, platform, token string) (string, error) {
		out, err := c.RegisterDevice(&cs.RegisterDeviceInput{IdentityPoolId: &f.pool, IdentityId: &id, Platform: &platform, Token: &token})
		if err != nil {
			return "", err
		}
		return sv(out.DeviceId), nil
	}
	d1 := ok[string](t)(reg(ca, a, "GCM", "push-token-1"))
	if d1 == "" || d1 == "<nil>" {
		t.Fatal("no DeviceId")
	}
	if again := ok[string](t)(reg(ca, a, "GCM", "push-token-1")); again != d1 {
		t.Fatalf("registering again: %s, first %s", again, d1)
	}
	d2 := ok[string](t)(reg(ca, a, "GCM", "push-token-2"))
	// Tokens up to 2,048 bytes, on every store.
	ok[string](t)(reg(ca, a, "GCM", strings.Repeat("t", 2048)))
	_, err := reg(ca, a, "GCM", strings.Repeat("t", 2049))
	syncErr(t, err, "InvalidParameterException", 400, "Token too long: 2049 bytes, at most 2048.")
	d3 := ok[string](t)(reg(ca, a, "APNS", "push-token-1"))
	db := ok[string](t)(reg(cb, b, "GCM", "push-token-1"))
	if d2 == d1 || d3 == d1 || d3 == d2 || db == d1 {
		t.Fatalf("device IDs not distinct: %s %s %s %s", d1, d2, d3, db)
	}
	_, err = reg(f.dev, a, "GCM", "push-token-1")
	syncErr(t, err, "NotAuthorizedException", 403, "")
	_, err = reg(ca, a, "SMS", "push-token-1")
	syncErr(t, err, "InvalidParameterException", 400, "")

	sub := func(c *cs.CognitoSync, id, ds, dev string) error {
		_, err := c.SubscribeToDataset(&cs.SubscribeToDatasetInput{IdentityPoolId: &f.pool, IdentityId: &id, DatasetName: &ds, DeviceId: &dev})
		return err
	}
	unsub := func(c *cs.CognitoSync, id, ds, dev string) error {
		_, err := c.UnsubscribeFromDataset(&cs.UnsubscribeFromDatasetInput{IdentityPoolId: &f.pool, IdentityId: &id, DatasetName: &ds, DeviceId: &dev})
		return err
	}
	f.put(ca, a, "prefs", "k", "v")
	if err := sub(ca, a, "prefs", d1); err != nil {
		t.Fatal(err)
	}
	if err := sub(ca, a, "prefs", d1); err != nil {
		t.Fatalf("subscribing twice: %v", err)
	}
	if err := unsub(ca, a, "prefs", d1); err != nil {
		t.Fatal(err)
	}
	const unknown = "00000000-0000-0000-0000-000000000000"
	syncErr(t, sub(ca, a, "prefs", unknown), "ResourceNotFoundException", 404, "")
	syncErr(t, unsub(ca, a, "prefs", unknown), "ResourceNotFoundException", 404, "")
	// Another identity's device is unknown to b; a's device with b's credentials on a is refused.
	syncErr(t, sub(cb, b, "prefs", d1), "ResourceNotFoundException", 404, "")
	syncErr(t, sub(cb, a, "prefs", d1), "NotAuthorizedException", 403, "")
	syncErr(t, sub(f.dev, a, "prefs", d1), "NotAuthorizedException", 403, "")
	syncErr(t, unsub(f.dev, a, "prefs", d1), "NotAuthorizedException", 403, "")
}

func TestSyncIdentityAndPoolDeletion(t *testing.T) {
	e := newSyncEnv(t, "")
	f := newSyncFix(t, e)
	a, ca := f.guest()
	b, cb := f.guest()
	f.put(ca, a, "d", "key", "value-of-a")
	f.put(ca, a, "e", "k2", "v2")
	f.put(cb, b, "d", "key", "b")
	sizeA := int64(len("keyvalue-of-a") + len("k2v2"))
	sizeB := int64(len("keyb"))
	if p := f.poolUsage(); i64(p.DataStorage) != sizeA+sizeB {
		t.Fatalf("pool usage %v", p)
	}
	out := must[*ci.DeleteIdentitiesOutput](t)(e.dev.DeleteIdentities(ctx, &ci.DeleteIdentitiesInput{IdentityIdsToDelete: []string{a}}))
	if len(out.UnprocessedIdentityIds) != 0 {
		t.Fatalf("%+v", out)
	}
	if p := f.poolUsage(); i64(p.DataStorage) != sizeB {
		t.Fatalf("pool DataStorage after deleting identity a: %d, want %d", i64(p.DataStorage), sizeB)
	}
	_, err := f.dev.DescribeIdentityUsage(&cs.DescribeIdentityUsageInput{IdentityPoolId: &f.pool, IdentityId: &a})
	syncErr(t, err, "ResourceNotFoundException", 404, "")
	_, err = f.dev.DescribeDataset(&cs.DescribeDatasetInput{IdentityPoolId: &f.pool, IdentityId: &a, DatasetName: av1.String("d")})
	syncErr(t, err, "ResourceNotFoundException", 404, "")
	if l := f.list(cb, b, "d", 0); sv(recordMap(l.Records)["key"].Value) != "b" {
		t.Fatalf("b's data: %v", l)
	}
	inList := func(pool string) *cs.IdentityPoolUsage {
		all := ok[*cs.ListIdentityPoolUsageOutput](t)(f.dev.ListIdentityPoolUsage(&cs.ListIdentityPoolUsageInput{MaxResults: av1.Int64(60)}))
		for _, u := range all.IdentityPoolUsages {
			if *u.IdentityPoolId == pool {
				return u
			}
		}
		return nil
	}
	if u := inList(f.pool); u == nil || i64(u.DataStorage) != sizeB {
		t.Fatalf("listed usage %v", u)
	}
	must[*ci.DeleteIdentityPoolOutput](t)(e.dev.DeleteIdentityPool(ctx, &ci.DeleteIdentityPoolInput{IdentityPoolId: &f.pool}))
	if u := inList(f.pool); u != nil {
		t.Fatalf("deleted pool still listed: %v", u)
	}
	_, err = f.dev.DescribeIdentityPoolUsage(&cs.DescribeIdentityPoolUsageInput{IdentityPoolId: &f.pool})
	syncErr(t, err, "ResourceNotFoundException", 404, "")
	_, err = f.dev.GetIdentityPoolConfiguration(&cs.GetIdentityPoolConfigurationInput{IdentityPoolId: &f.pool})
	syncErr(t, err, "ResourceNotFoundException", 404, "")
}

// TestSyncDeletedIdentityDataNotRepublished: after DeleteIdentities, a bulk
// publish does not send the deleted identity's records.
func TestSyncDeletedIdentityDataNotRepublished(t *testing.T) {
	sk := newSink(t)
	e := newSyncEnv(t, sk.srv.URL)
	f := newSyncFix(t, e)
	a, ca := f.guest()
	b, cb := f.guest()
	f.put(ca, a, "d", "ka", "va")
	f.put(cb, b, "d", "kb", "vb")
	must[*ci.DeleteIdentitiesOutput](t)(e.dev.DeleteIdentities(ctx, &ci.DeleteIdentitiesInput{IdentityIdsToDelete: []string{a}}))
	ok[*cs.SetIdentityPoolConfigurationOutput](t)(f.dev.SetIdentityPoolConfiguration(&cs.SetIdentityPoolConfigurationInput{IdentityPoolId: &f.pool,
		CognitoStreams: &cs.CognitoStreams{StreamName: av1.String(streamName), RoleArn: av1.String(streamRole), StreamingStatus: av1.String("ENABLED")}}))
	ok[*cs.BulkPublishOutput](t)(f.dev.BulkPublish(&cs.BulkPublishInput{IdentityPoolId: &f.pool}))
	d := bulkDetails(t, f)
	for deadline := time.Now().Add(10 * time.Second); sv(d.BulkPublishStatus) == "IN_PROGRESS" && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
		d = bulkDetails(t, f)
	}
	if sv(d.BulkPublishStatus) != "SUCCEEDED" {
		t.Fatalf("%v", d)
	}
	var got []string
	for _, l := range sk.snapshot() {
		got = append(got, sinkRecords(t, l)...)
	}
	if fmt.Sprint(got) != fmt.Sprintf("[%s/d/kb=vb]", b) {
		t.Fatalf("published %v", got)
	}
}

func TestSyncMergedDatasets(t *testing.T) {
	e := newSyncEnv(t, "")
	f := newSyncFix(t, e)
	alice, bob := f.devIdentity("alice"), f.devIdentity("bob")
	f.put(f.dev, alice, "D", "k", "alice's")
	f.put(f.dev, bob, "D", "k", "bob's", "k2", "x")
	f.put(f.dev, bob, "Other", "z", "1")
	pool := i64(f.poolUsage().DataStorage)
	bobBytes := int64(len("kbob's") + len("k2x") + len("z1"))
	aliceBytes := int64(len("kalice's"))

	if m := f.mergeDev("bob", "alice"); m != alice {
		t.Fatalf("survivor %s, want %s", m, alice)
	}
	merged := "D." + bob
	l := f.list(f.dev, alice, "D", 0)
	if fmt.Sprint(names(l.MergedDatasetNames)) != fmt.Sprintf("[%s]", merged) {
		t.Fatalf("MergedDatasetNames %v, want [%s]", names(l.MergedDatasetNames), merged)
	}
	if r := recordMap(l.Records); len(r) != 1 || sv(r["k"].Value) != "alice's" {
		t.Fatalf("survivor's own records %v", l)
	}
	ml := f.list(f.dev, alice, merged, 0)
	mr := recordMap(ml.Records)
	if !bv(ml.DatasetExists) || len(mr) != 2 || sv(mr["k"].Value) != "bob's" || sv(mr["k2"].Value) != "x" {
		t.Fatalf("merged dataset %s: %v", merged, ml)
	}
	ds := ok[*cs.ListDatasetsOutput](t)(f.dev.ListDatasets(&cs.ListDatasetsInput{IdentityPoolId: &f.pool, IdentityId: &alice}))
	var dsNames []string
	for _, d := range ds.Datasets {
		dsNames = append(dsNames, *d.DatasetName)
	}
	sort.Strings(dsNames)
	want := []string{"D", merged, "Other." + bob}
	sort.Strings(want)
	if fmt.Sprint(dsNames) != fmt.Sprint(want) {
		t.Fatalf("survivor's datasets %v, want %v", dsNames, want)
	}
	if u := f.identityUsage(f.dev, alice); i64(u.DatasetCount) != 3 || i64(u.DataStorage) != aliceBytes+bobBytes {
		t.Fatalf("survivor usage %v, want 3 datasets, %d bytes", u, aliceBytes+bobBytes)
	}
	if p := f.poolUsage(); i64(p.DataStorage) != pool {
		t.Fatalf("pool DataStorage changed by the merge: %d -> %d", pool, i64(p.DataStorage))
	}
	// The merged dataset can be written under its name, and deleting it ends the report.
	f.put(f.dev, alice, merged, "k3", "y")
	synced := *f.list(f.dev, alice, merged, 0).DatasetSyncCount // another device of alice's syncs here
	ok[*cs.DeleteDatasetOutput](t)(f.dev.DeleteDataset(&cs.DeleteDatasetInput{IdentityPoolId: &f.pool, IdentityId: &alice, DatasetName: &merged}))
	l = f.list(f.dev, alice, "D", 0)
	if len(l.MergedDatasetNames) != 0 {
		t.Fatalf("MergedDatasetNames after deleting the merged dataset: %v", names(l.MergedDatasetNames))
	}
	if p := f.poolUsage(); i64(p.DataStorage) != pool-int64(len("kbob's")+len("k2x")) {
		t.Fatalf("pool DataStorage after deleting the merged dataset: %d", i64(p.DataStorage))
	}
	// The deletion is remembered as any dataset's: the other device learns
	// of it, and of what is written there later, with the count going on.
	if dl := f.list(f.dev, alice, merged, synced); bv(dl.DatasetExists) || !bv(dl.DatasetDeletedAfterRequestedSyncCount) || i64(dl.DatasetSyncCount) <= synced {
		t.Fatalf("after deleting the merged dataset, from SyncCount %d: %v", synced, dl)
	}
	f.put(f.dev, alice, merged, "new", "1")
	dl := f.list(f.dev, alice, merged, synced)
	if !bv(dl.DatasetDeletedAfterRequestedSyncCount) || len(dl.Records) != 1 || *dl.Records[0].Key != "new" || i64(dl.DatasetSyncCount) <= synced+1 {
		t.Fatalf("written again after the deletion, from SyncCount %d: %v", synced, dl)
	}
	if l := f.list(f.dev, alice, "D", 0); len(l.MergedDatasetNames) != 0 {
		t.Fatalf("MergedDatasetNames after writing the deleted merged dataset again: %v", names(l.MergedDatasetNames))
	}
}

// TestSyncEveryOperationWrongPool: each operation on a pool or identity that
// does not exist, with developer credentials, answers 404 (the ones that
// take an identity's credentials only answer 403 first).
func TestSyncEveryOperationWrongPool(t *testing.T) {
	e := newSyncEnv(t, "")
	f := newSyncFix(t, e)
	id, c := f.guest()
	tok := *f.list(c, id, "d", 0).SyncSessionToken
	ghost := &syncFix{t: t, e: e, dev: f.dev, pool: ghostPool}
	// An identity that exists, under a pool ID it does not belong to.
	_, err := f.dev.DescribeIdentityUsage(&cs.DescribeIdentityUsageInput{IdentityPoolId: av1.String(ghostPool), IdentityId: &id})
	syncErr(t, err, "ResourceNotFoundException", 404, "")
	_, err = f.dev.DescribeDataset(&cs.DescribeDatasetInput{IdentityPoolId: av1.String(ghostPool), IdentityId: &id, DatasetName: av1.String("d")})
	syncErr(t, err, "ResourceNotFoundException", 404, "")
	_, err = f.dev.DeleteDataset(&cs.DeleteDatasetInput{IdentityPoolId: av1.String(ghostPool), IdentityId: &id, DatasetName: av1.String("d")})
	syncErr(t, err, "ResourceNotFoundException", 404, "")
	_, err = ghost.update(f.dev, id, "d", tok, replace("k", "v", 0))
	syncErr(t, err, "ResourceNotFoundException", 404, "")
	// An identity that does not exist, in the right pool.
	_, err = f.dev.DescribeIdentityUsage(&cs.DescribeIdentityUsageInput{IdentityPoolId: &f.pool, IdentityId: av1.String(ghostID)})
	syncErr(t, err, "ResourceNotFoundException", 404, "")
	// Temporary credentials of an identity of one pool naming another pool.
	_, err = c.DescribeIdentityUsage(&cs.DescribeIdentityUsageInput{IdentityPoolId: av1.String(ghostPool), IdentityId: &id})
	syncErr(t, err, "NotAuthorizedException", 403, "")
	// Unsigned requests.
	req, _ := http.NewRequest("GET", e.URL+"/identitypools", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 403 || resp.Header.Get("x-amzn-ErrorType") != "MissingAuthenticationTokenException" {
		t.Fatalf("unsigned: %d %q", resp.StatusCode, resp.Header.Get("x-amzn-ErrorType"))
	}
	resp.Body.Close()
}

// TestSyncMergedDatasetsCountTowardLimit: datasets merged in count toward the
// survivor's 20 until deleted.
func TestSyncMergedDatasetsCountTowardLimit(t *testing.T) {
	e := newSyncEnv(t, "")
	f := newSyncFix(t, e)
	alice, bob := f.devIdentity("alice"), f.devIdentity("bob")
	for i := 0; i < 19; i++ {
		f.put(f.dev, alice, fmt.Sprintf("a%02d", i), "k", "v")
	}
	f.put(f.dev, bob, "b", "k", "v")
	f.mergeDev("bob", "alice")
	if u := f.identityUsage(f.dev, alice); i64(u.DatasetCount) != 20 {
		t.Fatalf("survivor DatasetCount %d, want 20", i64(u.DatasetCount))
	}
	l := f.list(f.dev, alice, "new", 0)
	_, err := f.update(f.dev, alice, "new", *l.SyncSessionToken, replace("k", "v", 0))
	syncErr(t, err, "LimitExceededException", 400, "")
	ok[*cs.DeleteDatasetOutput](t)(f.dev.DeleteDataset(&cs.DeleteDatasetInput{IdentityPoolId: &f.pool, IdentityId: &alice, DatasetName: av1.String("b." + bob)}))
	ok[*cs.UpdateRecordsOutput](t)(f.update(f.dev, alice, "new", *l.SyncSessionToken, replace("k", "v", 0)))
}

// TestSyncBulkPublishManyRecords: a bulk publish pages through more records
// than fit in one batch and sends each exactly once.
func TestSyncBulkPublishManyRecords(t *testing.T) {
	sk := newSink(t)
	e := newSyncEnv(t, sk.srv.URL)
	f := newSyncFix(t, e)
	want := map[string]bool{}
	for g := 0; g < 2; g++ {
		id, c := f.guest()
		for _, ds := range []string{"d1", "d2"} {
			l := f.list(c, id, ds, 0)
			var ps []*cs.RecordPatch
			for i := 0; i < 300; i++ {
				k, v := fmt.Sprintf("k%03d", i), fmt.Sprintf("v%d-%s-%d", g, ds, i)
				ps = append(ps, replace(k, v, 0))
				want[fmt.Sprintf("%s/%s/%s=%s", id, ds, k, v)] = true
			}
			ok[*cs.UpdateRecordsOutput](t)(f.update(c, id, ds, *l.SyncSessionToken, ps...))
		}
	}
	ok[*cs.SetIdentityPoolConfigurationOutput](t)(f.dev.SetIdentityPoolConfiguration(&cs.SetIdentityPoolConfigurationInput{IdentityPoolId: &f.pool,
		CognitoStreams: &cs.CognitoStreams{StreamName: av1.String(streamName), RoleArn: av1.String(streamRole), StreamingStatus: av1.String("DISABLED")}}))
	// "Bulk publish will also fail if StreamingStatus is DISABLED."
	_, err := f.dev.BulkPublish(&cs.BulkPublishInput{IdentityPoolId: &f.pool})
	syncErr(t, err, "InvalidParameterException", 400, "")
	ok[*cs.SetIdentityPoolConfigurationOutput](t)(f.dev.SetIdentityPoolConfiguration(&cs.SetIdentityPoolConfigurationInput{IdentityPoolId: &f.pool,
		CognitoStreams: &cs.CognitoStreams{StreamName: av1.String(streamName), RoleArn: av1.String(streamRole), StreamingStatus: av1.String("ENABLED")}}))
	ok[*cs.BulkPublishOutput](t)(f.dev.BulkPublish(&cs.BulkPublishInput{IdentityPoolId: &f.pool}))
	d := bulkDetails(t, f)
	for deadline := time.Now().Add(20 * time.Second); sv(d.BulkPublishStatus) == "IN_PROGRESS" && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
		d = bulkDetails(t, f)
	}
	if sv(d.BulkPublishStatus) != "SUCCEEDED" {
		t.Fatalf("%v", d)
	}
	got := map[string]int{}
	for _, l := range sk.snapshot() {
		for _, r := range sinkRecords(t, l) {
			got[r]++
		}
	}
	for k, n := range got {
		if n != 1 || !want[k] {
			t.Fatalf("%s published %d times (wanted: %v)", k, n, want[k])
		}
	}
	if len(got) != len(want) {
		t.Fatalf("published %d records, want %d", len(got), len(want))
	}
}

// TestSyncDeletionReport: DatasetDeletedAfterRequestedSyncCount ("whether to
// delete the dataset locally") is said to a device that synced before the
// deletion, including one that synced at the very last count and after the
// dataset was created again; never to a device at 0, which holds no synced
// copy and must be able to push what it wrote (the SDKs' sync managers
// delete their local dataset when it is said).
func TestSyncDeletionReport(t *testing.T) {
	e := newSyncEnv(t, "")
	f := newSyncFix(t, e)
	id, c := f.guest()
	f.put(c, id, "prefs", "a", "1")
	f.put(c, id, "prefs", "b", "2")
	synced := i64(f.list(c, id, "prefs", 0).DatasetSyncCount) // a device up to date
	ok[*cs.DeleteDatasetOutput](t)(c.DeleteDataset(&cs.DeleteDatasetInput{IdentityPoolId: &f.pool, IdentityId: &id, DatasetName: av1.String("prefs")}))
	report := func(last int64, deleted, exists bool) *cs.ListRecordsOutput {
		t.Helper()
		l := f.list(c, id, "prefs", last)
		if bv(l.DatasetDeletedAfterRequestedSyncCount) != deleted || bv(l.DatasetExists) != exists {
			t.Fatalf("ListRecords from %d: DatasetDeletedAfterRequestedSyncCount %v, DatasetExists %v; want %v, %v",
				last, bv(l.DatasetDeletedAfterRequestedSyncCount), bv(l.DatasetExists), deleted, exists)
		}
		return l
	}
	report(synced, true, false)
	report(synced-1, true, false)
	report(0, false, false)
	// Another device creates it again.
	f.put(c, id, "prefs", "c", "3")
	report(synced, true, true)
	now := report(0, false, true)
	if r := recordMap(now.Records); len(r) != 1 || sv(r["c"].Value) != "3" {
		t.Fatalf("records of the new dataset: %v", now.Records)
	}
	report(i64(now.DatasetSyncCount), false, true)
}

// TestSyncMergeReportNames: MergedDatasetNames lists exactly the datasets
// merged in from the name asked for, whether or not the survivor has a
// dataset of that name, and a merged dataset's name stays within the 128
// characters a DatasetName may have, so that it can be read and deleted.
func TestSyncMergeReportNames(t *testing.T) {
	e := newSyncEnv(t, "")
	f := newSyncFix(t, e)
	alice, bob := f.devIdentity("alice"), f.devIdentity("bob")
	long := strings.Repeat("x", 100)
	f.put(f.dev, alice, "settings", "k", "a")
	f.put(f.dev, bob, "settings.v2", "k", "b")
	f.put(f.dev, bob, "game", "level", "7")
	f.put(f.dev, bob, long, "k", "l")
	f.mergeDev("bob", "alice")

	if l := f.list(f.dev, alice, "settings", 0); len(l.MergedDatasetNames) != 0 {
		t.Errorf("settings reports %v: only settings.v2 was merged", names(l.MergedDatasetNames))
	}
	if l := f.list(f.dev, alice, "settings.v2", 0); fmt.Sprint(names(l.MergedDatasetNames)) != "[settings.v2."+bob+"]" {
		t.Errorf("settings.v2 reports %v", names(l.MergedDatasetNames))
	}
	g := f.list(f.dev, alice, "game", 0)
	if bv(g.DatasetExists) || fmt.Sprint(names(g.MergedDatasetNames)) != "[game."+bob+"]" {
		t.Errorf("game (the survivor has none): exists %v, merged %v", bv(g.DatasetExists), names(g.MergedDatasetNames))
	}
	lr := f.list(f.dev, alice, long, 0)
	if len(lr.MergedDatasetNames) != 1 {
		t.Fatalf("the long name reports %v", names(lr.MergedDatasetNames))
	}
	merged := *lr.MergedDatasetNames[0]
	if len(merged) > 128 || !strings.HasSuffix(merged, "."+bob) {
		t.Fatalf("merged name %q (%d characters)", merged, len(merged))
	}
	if r := recordMap(f.list(f.dev, alice, merged, 0).Records); sv(r["k"].Value) != "l" {
		t.Fatalf("the merged dataset %s holds %v", merged, r)
	}
	ok[*cs.DeleteDatasetOutput](t)(f.dev.DeleteDataset(&cs.DeleteDatasetInput{IdentityPoolId: &f.pool, IdentityId: &alice, DatasetName: &merged}))
	if l := f.list(f.dev, alice, long, 0); len(l.MergedDatasetNames) != 0 {
		t.Fatalf("after deleting %s: %v", merged, names(l.MergedDatasetNames))
	}
}

// TestBodyLimits: Cognito Identity refuses a body past 1 MiB before
// decoding it (its largest legal body is about half that, and its unsigned
// calls would otherwise decode, validate and quote back anything sent);
// Cognito Sync takes up to 4 MiB (an UpdateRecords of a whole 1 MB dataset,
// escaped).
func TestBodyLimits(t *testing.T) {
	e := newSyncEnv(t, "")
	big := `{"IdentityPoolId":"us-east-1:00000000-0000-0000-0000-000000000000","Logins":{"a":"` + strings.Repeat("x", 1<<20) + `"}}`
	req, _ := http.NewRequest("POST", e.URL+"/", strings.NewReader(big))
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "AWSCognitoIdentityService.GetId")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	status, b := httpStatus(t, resp)
	if status != http.StatusRequestEntityTooLarge || !strings.Contains(string(b), "RequestEntityTooLargeException") {
		t.Fatalf("GetId with a %d-byte body: %d %s", len(big), status, b)
	}
	// The same size to Sync is read, and answered for what it says.
	st, m, _ := rawSync(t, e, "AWSCognitoSyncService.ListRecords", `{"IdentityPoolId":"us-east-1:00000000-0000-0000-0000-000000000000","IdentityId":"us-east-1:00000000-0000-0000-0000-000000000000","DatasetName":"d","SyncSessionToken":"`+strings.Repeat("x", 1<<20)+`"}`)
	if st == http.StatusRequestEntityTooLarge {
		t.Fatalf("Sync refused a 1 MiB body: %d %v", st, m)
	}
}
