package clients

// boto3 against cognitod: testdata/boto3_session.py runs the Identity and
// Sync flows (paginators, temporary credentials, error codes and statuses)
// and prints what it left behind; this test then checks that state through
// the Go SDK, so a script that silently did nothing cannot pass.

import (
	"encoding/json"
	"maps"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	ci "github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	av1 "github.com/aws/aws-sdk-go/aws"
	credv1 "github.com/aws/aws-sdk-go/aws/credentials"
	"github.com/aws/aws-sdk-go/aws/session"
	cs "github.com/aws/aws-sdk-go/service/cognitosync"
)

// findPython returns a Python interpreter that imports boto3: python3 on
// PATH, else pyenv's. It skips (fails under CI=true) when there is none.
func findPython(t *testing.T) string {
	t.Helper()
	var candidates []string
	for _, name := range []string{"python3", "python"} {
		if p, err := exec.LookPath(name); err == nil {
			candidates = append(candidates, unshim(p, name))
		}
	}
	if pyenv, err := exec.LookPath("pyenv"); err == nil {
		if out, err := exec.Command(pyenv, "which", "python").Output(); err == nil {
			candidates = append(candidates, strings.TrimSpace(string(out)))
		}
	}
	for _, p := range candidates {
		if err := exec.Command(p, "-c", "import boto3").Run(); err == nil {
			return p
		}
	}
	needTool(t, "no Python with boto3 found (tried python3, python and pyenv's python: %v)", candidates)
	return ""
}

// boto3Result is what the script prints on success.
type boto3Result struct {
	Pool       string            `json:"pool"`
	Guest      string            `json:"guest"`
	Disabled   string            `json:"disabled"`
	Developer  string            `json:"developer"`
	Deleted    []string          `json:"deleted"`
	Identities int               `json:"identities"`
	Dataset    string            `json:"dataset"`
	Records    map[string]string `json:"records"`
	Device     string            `json:"device"`
	Checks     int               `json:"checks"`
	Boto3      string            `json:"boto3"`
	Botocore   string            `json:"botocore"`
}

// runBoto3 runs testdata/script against a server of its own with the
// developer key in the environment, as boto3's users set it.
func runBoto3(t *testing.T, script string) (e *env, stdout, stderr []byte, code int) {
	t.Helper()
	py := findPython(t)
	path, err := filepath.Abs(filepath.Join("testdata", script))
	if err != nil {
		t.Fatal(err)
	}
	t.Parallel()
	e = newEnv(t)
	env := append(isolatedEnv(t, devKey, devSecret, ""), "COGNITOD_ENDPOINT="+e.URL, "COGNITOD_ACCOUNT_ID="+devAcct)
	stdout, stderr, code = run(t, env, py, path)
	return e, stdout, stderr, code
}

func TestBoto3(t *testing.T) {
	e, out, errOut, code := runBoto3(t, "boto3_session.py")
	if code != 0 {
		t.Fatalf("boto3 session failed (exit %d):\n%s", code, errOut)
	}
	var r boto3Result
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("boto3 session printed no result: %v\nstdout: %s\nstderr: %s", err, out, errOut)
	}
	t.Logf("boto3 %s / botocore %s: %d checks passed", r.Boto3, r.Botocore, r.Checks)
	// The script's checks number well over a hundred when every flow ran.
	if r.Checks < 60 {
		t.Fatalf("only %d checks ran", r.Checks)
	}

	// What the script left on the server, seen through the Go SDK.
	ctx := t.Context()
	pools, err := e.dev.ListIdentityPools(ctx, &ci.ListIdentityPoolsInput{MaxResults: ptr(int32(60))})
	if err != nil {
		t.Fatal(err)
	}
	if len(pools.IdentityPools) != 1 || *pools.IdentityPools[0].IdentityPoolId != r.Pool || *pools.IdentityPools[0].IdentityPoolName != "boto3 renamed" {
		t.Fatalf("pools left: %+v (want only %s)", pools.IdentityPools, r.Pool)
	}
	seen := map[string]bool{}
	var next *string
	for {
		l, err := e.dev.ListIdentities(ctx, &ci.ListIdentitiesInput{IdentityPoolId: &r.Pool, MaxResults: ptr(int32(60)), NextToken: next})
		if err != nil {
			t.Fatal(err)
		}
		for _, i := range l.Identities {
			seen[*i.IdentityId] = true
		}
		if next = l.NextToken; next == nil {
			break
		}
	}
	// The script counted the identities it made, less the deleted ones; the
	// one GetId made for the isolation check comes on top.
	if len(seen) != r.Identities+1 || !seen[r.Guest] || !seen[r.Disabled] || !seen[r.Developer] {
		t.Fatalf("%d identities listed, script expects %d+1 including %s, %s, %s", len(seen), r.Identities, r.Guest, r.Disabled, r.Developer)
	}
	for _, id := range r.Deleted {
		if seen[id] {
			t.Fatalf("deleted identity %s still listed", id)
		}
	}
	d, err := e.dev.DescribeIdentity(ctx, &ci.DescribeIdentityInput{IdentityId: &r.Disabled})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Logins) != 0 {
		t.Fatalf("unlinked identity still has logins %v", d.Logins)
	}
	l, err := e.dev.LookupDeveloperIdentity(ctx, &ci.LookupDeveloperIdentityInput{IdentityPoolId: &r.Pool, IdentityId: &r.Developer, MaxResults: ptr(int32(10))})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(l.DeveloperUserIdentifierList, ",") != "user-1" {
		t.Fatalf("developer users of %s: %v", r.Developer, l.DeveloperUserIdentifierList)
	}

	// The records written with the temporary credentials, read back by the
	// server's own store.
	recs := datasetRecords(t, e, r.Pool, r.Guest, r.Dataset)
	if got, want := recs, r.Records; !maps.Equal(got, want) {
		t.Fatalf("records of %s: %v, script wrote %v", r.Dataset, got, want)
	}
	if r.Device == "" {
		t.Fatal("no device registered")
	}
}

func ptr[T any](v T) *T { return &v }

// datasetRecords reads a dataset's live records through aws-sdk-go v1's
// Cognito Sync client with the developer key.
func datasetRecords(t *testing.T, e *env, pool, id, ds string) map[string]string {
	t.Helper()
	sess, err := session.NewSession(&av1.Config{
		Endpoint: av1.String(e.URL), Region: av1.String(region), MaxRetries: av1.Int(0),
		Credentials: credv1.NewStaticCredentials(devKey, devSecret, ""),
	})
	if err != nil {
		t.Fatal(err)
	}
	out, err := cs.New(sess).ListRecords(&cs.ListRecordsInput{IdentityPoolId: &pool, IdentityId: &id, DatasetName: &ds})
	if err != nil {
		t.Fatal(err)
	}
	recs := map[string]string{}
	for _, r := range out.Records {
		if r.Value != nil { // a removed record has no value
			recs[*r.Key] = *r.Value
		}
	}
	return recs
}

// TestBoto3DotDatasets: datasets named "." and ".." reach their own
// dataset through boto3 (net/http's path cleaning once redirected them to
// another route).
func TestBoto3DotDatasets(t *testing.T) {
	_, out, errOut, code := runBoto3(t, "boto3_dots.py")
	if code != 0 || strings.TrimSpace(string(out)) != "ok" {
		t.Fatalf("exit %d: %s\n%s", code, out, errOut)
	}
}
