package sigv4

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	credsv2 "github.com/aws/aws-sdk-go-v2/credentials"
	identityv2 "github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	awsv1 "github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/aws/credentials"
	"github.com/aws/aws-sdk-go/aws/session"
	identityv1 "github.com/aws/aws-sdk-go/service/cognitoidentity"
	syncv1 "github.com/aws/aws-sdk-go/service/cognitosync"
)

// seen is one request the test server received.
type seen struct {
	method, path string
	err          error
}

// verifyingServer answers every request with an empty JSON object after
// checking its signature strictly (no fallback forms), and records it.
func verifyingServer(t *testing.T, secrets map[string]string) (*httptest.Server, func() []seen) {
	var mu sync.Mutex
	var log []seen
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Error(err)
		}
		p, err := Parse(r)
		if err == nil {
			err = verify(r, body, p, secrets[p.AccessKeyID], time.Now(), false)
		}
		mu.Lock()
		log = append(log, seen{r.Method, r.URL.EscapedPath(), err})
		mu.Unlock()
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		if err != nil {
			e := err.(*Error)
			w.WriteHeader(http.StatusBadRequest)
			_ = json.NewEncoder(w).Encode(map[string]string{"__type": e.Code, "message": e.Message})
			return
		}
		_, _ = io.WriteString(w, "{}")
	}))
	t.Cleanup(srv.Close)
	return srv, func() []seen {
		mu.Lock()
		defer mu.Unlock()
		return append([]seen(nil), log...)
	}
}

// TestSDKClientsEndToEnd drives the real service clients — aws-sdk-go-v2's
// Cognito Identity, aws-sdk-go v1's Cognito Identity and Cognito Sync —
// against a server that verifies each request, so the paths, queries and
// headers are exactly as the SDKs build them.
func TestSDKClientsEndToEnd(t *testing.T) {
	secrets := map[string]string{testAKID: testSecret, "ASIAEXAMPLETEMPKEY": "tempSecret/+="}
	srv, requests := verifyingServer(t, secrets)
	ctx := t.Context()

	v2 := identityv2.NewFromConfig(aws.Config{
		Region:       testRegion,
		Credentials:  credsv2.NewStaticCredentialsProvider(testAKID, testSecret, ""),
		BaseEndpoint: aws.String(srv.URL),
		Retryer:      func() aws.Retryer { return aws.NopRetryer{} },
	})
	sess, err := session.NewSession(&awsv1.Config{
		Region:      awsv1.String(testRegion),
		Endpoint:    awsv1.String(srv.URL),
		Credentials: credentials.NewStaticCredentials("ASIAEXAMPLETEMPKEY", "tempSecret/+=", testToken),
		MaxRetries:  awsv1.Int(0),
	})
	if err != nil {
		t.Fatal(err)
	}
	v1id, v1sync := identityv1.New(sess), syncv1.New(sess)

	calls := []struct {
		name   string
		call   func() error
		method string
		path   string
	}{
		{"v2 DescribeIdentityPool", func() error {
			_, err := v2.DescribeIdentityPool(ctx, &identityv2.DescribeIdentityPoolInput{IdentityPoolId: aws.String(poolID)})
			return err
		}, "POST", "/"},
		{"v2 ListIdentityPools", func() error {
			_, err := v2.ListIdentityPools(ctx, &identityv2.ListIdentityPoolsInput{MaxResults: aws.Int32(60)})
			return err
		}, "POST", "/"},
		{"v1 DescribeIdentity", func() error {
			_, err := v1id.DescribeIdentityWithContext(ctx, &identityv1.DescribeIdentityInput{IdentityId: awsv1.String(identityID)})
			return err
		}, "POST", "/"},
		{"v1 ListDatasets", func() error {
			_, err := v1sync.ListDatasetsWithContext(ctx, &syncv1.ListDatasetsInput{
				IdentityPoolId: awsv1.String(poolID), IdentityId: awsv1.String(identityID), MaxResults: awsv1.Int64(10), NextToken: awsv1.String("a/b c+d=="),
			})
			return err
		}, "GET", "/identitypools/us-east-1%3A4c3b8c1d-0a3e-4f6b-9a8e-123456789012/identities/us-east-1%3A9f8e7d6c-5b4a-4392-8d1e-abcdefabcdef/datasets"},
		{"v1 ListRecords", func() error {
			_, err := v1sync.ListRecordsWithContext(ctx, &syncv1.ListRecordsInput{
				IdentityPoolId: awsv1.String(poolID), IdentityId: awsv1.String(identityID), DatasetName: awsv1.String("my.data"),
				LastSyncCount: awsv1.Int64(0), MaxResults: awsv1.Int64(5), SyncSessionToken: awsv1.String("tok en"),
			})
			return err
		}, "GET", "/identitypools/us-east-1%3A4c3b8c1d-0a3e-4f6b-9a8e-123456789012/identities/us-east-1%3A9f8e7d6c-5b4a-4392-8d1e-abcdefabcdef/datasets/my.data/records"},
		{"v1 UpdateRecords", func() error {
			_, err := v1sync.UpdateRecordsWithContext(ctx, &syncv1.UpdateRecordsInput{
				IdentityPoolId: awsv1.String(poolID), IdentityId: awsv1.String(identityID), DatasetName: awsv1.String("my_data-1:x"),
				SyncSessionToken: awsv1.String("abc"), ClientContext: awsv1.String("eyJjbGllbnQiOnt9fQ=="),
				RecordPatches: []*syncv1.RecordPatch{{Op: awsv1.String("replace"), Key: awsv1.String("k"), Value: awsv1.String("v"), SyncCount: awsv1.Int64(0)}},
			})
			return err
		}, "POST", "/identitypools/us-east-1%3A4c3b8c1d-0a3e-4f6b-9a8e-123456789012/identities/us-east-1%3A9f8e7d6c-5b4a-4392-8d1e-abcdefabcdef/datasets/my_data-1%3Ax"},
		{"v1 DeleteDataset", func() error {
			_, err := v1sync.DeleteDatasetWithContext(ctx, &syncv1.DeleteDatasetInput{
				IdentityPoolId: awsv1.String(poolID), IdentityId: awsv1.String(identityID), DatasetName: awsv1.String("my.data"),
			})
			return err
		}, "DELETE", "/identitypools/us-east-1%3A4c3b8c1d-0a3e-4f6b-9a8e-123456789012/identities/us-east-1%3A9f8e7d6c-5b4a-4392-8d1e-abcdefabcdef/datasets/my.data"},
	}
	for _, c := range calls {
		t.Run(c.name, func(t *testing.T) {
			before := len(requests())
			if err := c.call(); err != nil {
				t.Fatalf("SDK call failed: %v", err)
			}
			log := requests()[before:]
			if len(log) != 1 {
				t.Fatalf("server saw %d requests", len(log))
			}
			got := log[0]
			if got.err != nil || got.method != c.method || got.path != c.path {
				t.Fatalf("server saw %s %s: %v; want %s %s", got.method, got.path, got.err, c.method, c.path)
			}
		})
	}

	// A wrong secret is answered as AWS does, and the SDK surfaces the code.
	bad := identityv2.NewFromConfig(aws.Config{
		Region:       testRegion,
		Credentials:  credsv2.NewStaticCredentialsProvider(testAKID, "not-the-secret", ""),
		BaseEndpoint: aws.String(srv.URL),
		Retryer:      func() aws.Retryer { return aws.NopRetryer{} },
	})
	_, err = bad.DescribeIdentityPool(ctx, &identityv2.DescribeIdentityPoolInput{IdentityPoolId: aws.String(poolID)})
	if err == nil || !strings.Contains(err.Error(), CodeInvalidSignature) {
		t.Fatalf("want %s from the SDK, got %v", CodeInvalidSignature, err)
	}

	// The SDKs send Cognito Identity's public operations (GetId,
	// GetCredentialsForIdentity, ...) unsigned: Parse reports ErrMissing and
	// the caller decides whether the operation needs a signature.
	before := len(requests())
	_, _ = v2.GetId(ctx, &identityv2.GetIdInput{IdentityPoolId: aws.String(poolID)})
	_, _ = v1id.GetCredentialsForIdentityWithContext(ctx, &identityv1.GetCredentialsForIdentityInput{IdentityId: awsv1.String(identityID)})
	log := requests()[before:]
	if len(log) != 2 {
		t.Fatalf("server saw %d requests", len(log))
	}
	for _, got := range log {
		if got.err != ErrMissing {
			t.Errorf("unsigned operation: got %v, want ErrMissing", got.err)
		}
	}
}
