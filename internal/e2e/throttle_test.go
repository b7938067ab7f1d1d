package e2e

// Request rate limits (--throttle): off by default; with limits, a burst gets
// exactly the allowed number of requests through and the rest
// TooManyRequestsException, HTTP 400 on Cognito Identity and 429 on Cognito
// Sync; buckets are per account (unsigned calls count against their pool's
// account), region and operation.

import (
	"fmt"
	"strings"

	"context"
	"errors"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	ci "github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	av1 "github.com/aws/aws-sdk-go/aws"
	cs "github.com/aws/aws-sdk-go/service/cognitosync"

	"github.com/cognitod/cognitod/internal/auth"
	"github.com/cognitod/cognitod/internal/e2e/e2estore"
	"github.com/cognitod/cognitod/internal/server"
)

// newThrottledEnv starts a server as newSyncEnv does (two accounts), with
// --throttle spec.
func newThrottledEnv(t *testing.T, spec string) *env {
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
	app, err := server.Open(context.Background(), &server.Options{
		Store: e2estore.URL(t), Auth: auth.ModeSigV4, DataDir: dir, KeysFile: keys, Logins: "trust",
		AccessKeyID: devKey, SecretAccessKey: devSecret, AccountID: devAcct, Addr: ln.Addr().String(), Throttle: spec,
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

// burst runs n calls at once and returns the successes' results and the
// number of throttled calls; any other error fails the test.
func burst[T any](t *testing.T, n int, status int, call func() (T, error)) (ok []T, throttled int) {
	t.Helper()
	var mu sync.Mutex
	var wg sync.WaitGroup
	var other []error
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, err := call()
			mu.Lock()
			defer mu.Unlock()
			if err == nil {
				ok = append(ok, v)
				return
			}
			if isThrottled(err, status) {
				throttled++
				return
			}
			other = append(other, err)
		}()
	}
	wg.Wait()
	for _, err := range other {
		t.Errorf("not a throttling error: %v", err)
	}
	return ok, throttled
}

// isThrottled reports whether err is TooManyRequestsException ("Rate
// exceeded") with the HTTP status given, from either SDK.
func isThrottled(err error, status int) bool {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		var ae interface {
			ErrorCode() string
			ErrorMessage() string
		}
		return errors.As(err, &ae) && ae.ErrorCode() == "TooManyRequestsException" && ae.ErrorMessage() == "Rate exceeded" && re.HTTPStatusCode() == status
	}
	var rf interface {
		Code() string
		Message() string
		StatusCode() int
	}
	return errors.As(err, &rf) && rf.Code() == "TooManyRequestsException" && rf.Message() == "Rate exceeded" && rf.StatusCode() == status
}

func TestThrottleOffByDefault(t *testing.T) {
	e := newEnv(t, auth.ModeSigV4)
	p := createPool(t, e.dev, &ci.CreateIdentityPoolInput{AllowUnauthenticatedIdentities: true})
	ok, throttled := burst(t, 60, 400, func() (*ci.GetIdOutput, error) {
		return e.anon().GetId(ctx, &ci.GetIdInput{IdentityPoolId: p.IdentityPoolId})
	})
	if len(ok) != 60 || throttled != 0 {
		t.Errorf("no --throttle: %d of 60 GetId through, %d throttled", len(ok), throttled)
	}
	for i := range 20 { // AWS allows 5 per second
		if _, err := e.dev.ListIdentities(ctx, &ci.ListIdentitiesInput{IdentityPoolId: p.IdentityPoolId, MaxResults: aws.Int32(1)}); err != nil {
			t.Fatalf("ListIdentities %d: %v", i, err)
		}
	}
}

func TestThrottleCustomLimits(t *testing.T) {
	limits := filepath.Join(t.TempDir(), "limits")
	// Rates this low refill nothing during the test: each burst is exact.
	os.WriteFile(limits, []byte(`
cognito-identity GetId                     0.001 3
cognito-identity GetCredentialsForIdentity 0.001 2
cognito-identity ListIdentityPools         0.001 2
cognito-sync     ListRecords               0.001 2
`), 0o600)
	e := newThrottledEnv(t, limits)
	other := e.client(otherKey, otherSecret, "", region)
	mine := createPool(t, e.dev, &ci.CreateIdentityPoolInput{AllowUnauthenticatedIdentities: true})
	theirs := createPool(t, other, &ci.CreateIdentityPoolInput{AllowUnauthenticatedIdentities: true})
	for c, p := range map[*ci.Client]*string{e.dev: mine.IdentityPoolId, other: theirs.IdentityPoolId} {
		must[*ci.SetIdentityPoolRolesOutput](t)(c.SetIdentityPoolRoles(ctx, &ci.SetIdentityPoolRolesInput{IdentityPoolId: p, Roles: map[string]string{"unauthenticated": unauthRole}}))
	}

	// Unsigned GetId counts against the pool's account.
	getIds := func(pool *string) ([]*ci.GetIdOutput, int) {
		return burst(t, 10, 400, func() (*ci.GetIdOutput, error) { return e.anon().GetId(ctx, &ci.GetIdInput{IdentityPoolId: pool}) })
	}
	ids, throttled := getIds(mine.IdentityPoolId)
	if len(ids) != 3 || throttled != 7 {
		t.Fatalf("GetId burst: %d through, %d throttled; want 3 and 7", len(ids), throttled)
	}
	theirIDs, throttled := getIds(theirs.IdentityPoolId)
	if len(theirIDs) != 3 || throttled != 7 {
		t.Fatalf("GetId on another account's pool: %d through, %d throttled; want 3 and 7", len(theirIDs), throttled)
	}

	// Pools that do not exist share one bucket, whatever region their IDs
	// name (the caller chooses those, so each would otherwise be a bucket).
	var unknownThrough, unknownThrottled int
	for k := range 6 {
		pool := fmt.Sprintf("zz%d:00000000-0000-0000-0000-000000000000", k)
		_, err := e.anon().GetId(ctx, &ci.GetIdInput{IdentityPoolId: &pool})
		if err != nil && strings.Contains(err.Error(), "TooManyRequestsException") {
			unknownThrottled++
		} else {
			unknownThrough++
		}
	}
	if unknownThrough != 3 || unknownThrottled != 3 {
		t.Errorf("GetId on six unknown pools: %d through, %d throttled; want 3 and 3", unknownThrough, unknownThrottled)
	}

	// GetCredentialsForIdentity names only an identity: its pool's account
	// (so the other account's identities have their own bucket).
	getCreds := func(id *string) ([]*ci.GetCredentialsForIdentityOutput, int) {
		return burst(t, 6, 400, func() (*ci.GetCredentialsForIdentityOutput, error) {
			return e.anon().GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: id})
		})
	}
	creds, throttled := getCreds(ids[0].IdentityId)
	if len(creds) != 2 || throttled != 4 {
		t.Errorf("GetCredentialsForIdentity burst: %d through, %d throttled; want 2 and 4", len(creds), throttled)
	}
	if ok, throttled := getCreds(theirIDs[0].IdentityId); len(ok) != 2 || throttled != 4 {
		t.Errorf("GetCredentialsForIdentity, other account: %d through, %d throttled; want 2 and 4", len(ok), throttled)
	}
	if ok, throttled := getCreds(ids[1].IdentityId); len(ok) != 0 || throttled != 6 {
		t.Errorf("GetCredentialsForIdentity, another identity of a spent account: %d through, %d throttled; want 0 and 6", len(ok), throttled)
	}

	// Signed calls count against the caller's account.
	list := func(c *ci.Client) (int, int) {
		ok, throttled := burst(t, 5, 400, func() (*ci.ListIdentityPoolsOutput, error) {
			return c.ListIdentityPools(ctx, &ci.ListIdentityPoolsInput{MaxResults: aws.Int32(1)})
		})
		return len(ok), throttled
	}
	if ok, throttled := list(e.dev); ok != 2 || throttled != 3 {
		t.Errorf("ListIdentityPools burst: %d through, %d throttled; want 2 and 3", ok, throttled)
	}
	if ok, throttled := list(other); ok != 2 || throttled != 3 {
		t.Errorf("ListIdentityPools, other account: %d through, %d throttled; want 2 and 3", ok, throttled)
	}
	// Unlimited operations are untouched.
	for range 10 {
		must[*ci.DescribeIdentityPoolOutput](t)(e.dev.DescribeIdentityPool(ctx, &ci.DescribeIdentityPoolInput{IdentityPoolId: mine.IdentityPoolId}))
	}

	// Cognito Sync: 429. An identity's temporary credentials act in its
	// pool's account, so they share the developer's bucket.
	c := creds[0].Credentials
	ident := creds[0].IdentityId
	listRecords := func(sc *cs.CognitoSync) (int, int) {
		ok, throttled := burst(t, 4, 429, func() (*cs.ListRecordsOutput, error) {
			return sc.ListRecords(&cs.ListRecordsInput{IdentityPoolId: mine.IdentityPoolId, IdentityId: ident, DatasetName: av1.String("d")})
		})
		return len(ok), throttled
	}
	if ok, throttled := listRecords(e.syncClient(*c.AccessKeyId, *c.SecretKey, *c.SessionToken)); ok != 2 || throttled != 2 {
		t.Errorf("ListRecords burst: %d through, %d throttled; want 2 and 2", ok, throttled)
	}
	_, err := e.syncClient(devKey, devSecret, "").ListRecords(&cs.ListRecordsInput{IdentityPoolId: mine.IdentityPoolId, IdentityId: ident, DatasetName: av1.String("d")})
	syncErr(t, err, "TooManyRequestsException", 429, "Rate exceeded")
	// The other account's bucket is its own.
	lo := must[*ci.ListIdentitiesOutput](t)(other.ListIdentities(ctx, &ci.ListIdentitiesInput{IdentityPoolId: theirs.IdentityPoolId, MaxResults: aws.Int32(1)}))
	if _, err := e.syncClient(otherKey, otherSecret, "").ListRecords(&cs.ListRecordsInput{IdentityPoolId: theirs.IdentityPoolId,
		IdentityId: lo.Identities[0].IdentityId, DatasetName: av1.String("d")}); err != nil {
		t.Errorf("other account's ListRecords: %v", err)
	}
}

// TestThrottleAWSPreset: --throttle aws applies AWS's default rates, e.g.
// ListIdentities at 5 per second and GetId at 25, each with a burst of one
// second's worth.
func TestThrottleAWSPreset(t *testing.T) {
	e := newThrottledEnv(t, "aws")
	p := createPool(t, e.dev, &ci.CreateIdentityPoolInput{AllowUnauthenticatedIdentities: true})
	start := time.Now()
	ok, throttled := burst(t, 20, 400, func() (*ci.ListIdentitiesOutput, error) {
		return e.dev.ListIdentities(ctx, &ci.ListIdentitiesInput{IdentityPoolId: p.IdentityPoolId, MaxResults: aws.Int32(1)})
	})
	checkBucket(t, "ListIdentities", 20, len(ok), throttled, 5, time.Since(start))
	start = time.Now()
	ids, throttled := burst(t, 40, 400, func() (*ci.GetIdOutput, error) {
		return e.anon().GetId(ctx, &ci.GetIdInput{IdentityPoolId: p.IdentityPoolId})
	})
	checkBucket(t, "GetId", 40, len(ids), throttled, 25, time.Since(start))
}

// checkBucket: of n concurrent calls to an operation limited to rps per
// second with a burst of rps, the burst goes through and at most what
// refilled while the calls ran (elapsed) more; the rest are throttled. The
// bounds hold however slow the machine: a test taking longer lets more
// through, never fewer.
func checkBucket(t *testing.T, op string, n, ok, throttled, rps int, elapsed time.Duration) {
	t.Helper()
	most := rps + int(math.Ceil(float64(rps)*elapsed.Seconds()))
	if ok+throttled != n || ok < min(n, rps) || ok > most {
		t.Errorf("%s under the AWS preset: %d through, %d throttled of %d in %v; want %d to %d through",
			op, ok, throttled, n, elapsed, min(n, rps), most)
	}
}
