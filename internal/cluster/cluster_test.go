package cluster

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ci "github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	av1 "github.com/aws/aws-sdk-go/aws"
	cs "github.com/aws/aws-sdk-go/service/cognitosync"

	"github.com/cognitod/cognitod/internal/store/postgres/pgtest"
)

// TestThreeNodes starts three cognitod processes together on one fresh
// PostgreSQL database and drives them at once through the AWS SDKs:
//
//   - the same developer users from every node at once: one identity per
//     user, whichever node answers;
//   - UpdateRecords races on one record from every node: exactly one
//     winner per round, every other racer 409 ResourceConflictException;
//   - tokens minted by one node (OpenID tokens, temporary credentials,
//     SyncSessionTokens, NextTokens) accepted by the others;
//   - Sync writes spread over the nodes, with genuine conflicts: usage
//     counters (per dataset, identity and pool) equal to a recount of the
//     records, and SyncSessionsCount to the number of successful updates;
//   - BulkPublish asked of every node at once: exactly one job runs, on one
//     node, and publishes every live record once.
//
// It runs twice: as is, and with every Update's first two COMMITs failing
// to serialize (cognitod_inject_retries=2), so that every write closure of
// the services is also seen to come out right when it is rerun.
func TestThreeNodes(t *testing.T) {
	pgtest.Server(t)
	for _, inject := range []int{0, 2} {
		t.Run(fmt.Sprint("inject_retries=", inject), func(t *testing.T) {
			dsn := pgtest.Database(t)
			if inject > 0 {
				u, err := url.Parse(dsn)
				if err != nil {
					t.Fatal(err)
				}
				q := u.Query()
				q.Set("cognitod_inject_retries", fmt.Sprint(inject))
				u.RawQuery = q.Encode()
				dsn = u.String()
			}
			threeNodes(t, startCluster(t, dsn, 3))
		})
	}
}

func threeNodes(t *testing.T, nodes []*node) {
	n0 := nodes[0]

	pool, err := n0.ci.CreateIdentityPool(ctx, &ci.CreateIdentityPoolInput{
		IdentityPoolName: aws.String("cluster"), AllowUnauthenticatedIdentities: true, DeveloperProviderName: aws.String(devProv)})
	if err != nil {
		t.Fatal(err)
	}
	poolID := *pool.IdentityPoolId
	for _, nd := range nodes {
		if _, err := nd.ci.DescribeIdentityPool(ctx, &ci.DescribeIdentityPoolInput{IdentityPoolId: &poolID}); err != nil {
			t.Fatalf("node %d does not see the pool: %v", nd.n, err)
		}
	}

	var updates atomic.Int64 // successful UpdateRecords: the pool's SyncSessionsCount
	users := identitiesPerLogin(t, nodes, poolID)
	if t.Failed() {
		return
	}
	recordRaces(t, nodes, poolID, users[0], &updates)
	if t.Failed() {
		return
	}
	tokensAcrossNodes(t, nodes, poolID, users, &updates)
	if t.Failed() {
		return
	}
	written := spreadWrites(t, nodes, poolID, users, &updates)
	if t.Failed() {
		return
	}
	live := checkUsage(t, nodes, poolID, written, updates.Load())
	if t.Failed() {
		return
	}
	bulkPublishOnce(t, nodes, poolID, live)
}

// identitiesPerLogin asks every node at once, twice, for the identity of
// each of 40 new developer users, and returns user → identity.
func identitiesPerLogin(t *testing.T, nodes []*node, poolID string) []string {
	const users, repeats = 40, 2
	calls := users * len(nodes) * repeats
	got := make([]string, calls)
	errs := together(calls, func(k int) error {
		user, nd := k%users, nodes[(k/users)%len(nodes)]
		out, err := nd.ci.GetOpenIdTokenForDeveloperIdentity(ctx, &ci.GetOpenIdTokenForDeveloperIdentityInput{
			IdentityPoolId: &poolID, Logins: map[string]string{devProv: fmt.Sprint("user-", user)}})
		if err != nil {
			return fmt.Errorf("node %d, user %d: %w", nd.n, user, err)
		}
		if out.Token == nil || *out.Token == "" {
			return fmt.Errorf("node %d, user %d: no token", nd.n, user)
		}
		got[k] = *out.IdentityId
		return nil
	})
	if err := firstErr(errs); err != nil {
		t.Fatalf("GetOpenIdTokenForDeveloperIdentity: %v", err)
	}
	ids := make([]string, users)
	distinct := map[string]int{}
	for k, id := range got {
		user := k % users
		if ids[user] == "" {
			ids[user] = id
		} else if ids[user] != id {
			t.Fatalf("user-%d got identities %s and %s (answers from different nodes)", user, ids[user], id)
		}
	}
	for user, id := range ids {
		if other, dup := distinct[id]; dup {
			t.Fatalf("users %d and %d share identity %s", other, user, id)
		}
		distinct[id] = user
	}
	// Every node looks each user up to the same identity.
	errs = together(users*len(nodes), func(k int) error {
		user, nd := k%users, nodes[k/users]
		out, err := nd.ci.LookupDeveloperIdentity(ctx, &ci.LookupDeveloperIdentityInput{IdentityPoolId: &poolID,
			DeveloperUserIdentifier: aws.String(fmt.Sprint("user-", user)), MaxResults: aws.Int32(10)})
		if err != nil {
			return err
		}
		if *out.IdentityId != ids[user] || len(out.DeveloperUserIdentifierList) != 1 {
			return fmt.Errorf("node %d: user-%d is %s with %v, want %s with itself", nd.n, user, *out.IdentityId, out.DeveloperUserIdentifierList, ids[user])
		}
		return nil
	})
	if err := firstErr(errs); err != nil {
		t.Fatalf("LookupDeveloperIdentity: %v", err)
	}
	// The pool holds exactly one identity per user, each with its one
	// login: listed in pages of 7, each page from the next node with the
	// NextToken the previous node sealed.
	var listed []string
	var next *string
	for page := 0; ; page++ {
		nd := nodes[page%len(nodes)]
		out, err := nd.ci.ListIdentities(ctx, &ci.ListIdentitiesInput{IdentityPoolId: &poolID, MaxResults: aws.Int32(7), NextToken: next})
		if err != nil {
			t.Fatalf("ListIdentities page %d on node %d: %v", page, nd.n, err)
		}
		for _, i := range out.Identities {
			if len(i.Logins) != 1 || i.Logins[0] != devProv {
				t.Errorf("identity %s has logins %v", *i.IdentityId, i.Logins)
			}
			listed = append(listed, *i.IdentityId)
		}
		if next = out.NextToken; next == nil {
			break
		}
	}
	want := append([]string{}, ids...)
	sort.Strings(want)
	if strings.Join(listed, ",") != strings.Join(want, ",") {
		t.Fatalf("ListIdentities: %d identities %v, want the %d users' %v", len(listed), listed, len(want), want)
	}
	// One signing key for the region, however many nodes raced to make it.
	var jwks []string
	for _, nd := range nodes {
		jwks = append(jwks, get(t, nd.url+"/.well-known/jwks_uri"))
	}
	if jwks[0] != jwks[1] || jwks[1] != jwks[2] || strings.Count(jwks[0], `"kid"`) != 1 {
		t.Fatalf("nodes publish different or several keys:\n%s", strings.Join(jwks, "\n"))
	}
	t.Logf("%d GetOpenIdTokenForDeveloperIdentity calls for %d users on %d nodes: one identity each", calls, users, len(nodes))
	return ids
}

// recordRaces: in each round, four racers per node list the record on
// their node (the same SyncCount, each with its own SyncSessionToken),
// then all update it from that SyncCount at once. Exactly one wins.
func recordRaces(t *testing.T, nodes []*node, poolID, id string, updates *atomic.Int64) {
	const perNode, rounds = 4, 10
	racers := perNode * len(nodes)
	clients := make([]*cs.CognitoSync, racers)
	for k := range clients {
		clients[k] = nodes[k%len(nodes)].syncClient(t, account, secret, "")
	}
	ds := "race"
	for round := 0; round < rounds; round++ {
		tokens := make([]string, racers)
		counts := make([]int64, racers)
		errs := together(racers, func(k int) error {
			out, err := clients[k].ListRecords(&cs.ListRecordsInput{IdentityPoolId: &poolID, IdentityId: &id, DatasetName: &ds})
			if err != nil {
				return err
			}
			tokens[k] = *out.SyncSessionToken
			for _, r := range out.Records {
				if *r.Key == "k" {
					counts[k] = *r.SyncCount
				}
			}
			return nil
		})
		if err := firstErr(errs); err != nil {
			t.Fatalf("round %d: ListRecords: %v", round, err)
		}
		cur := counts[0]
		for k, c := range counts {
			if c != cur {
				t.Fatalf("round %d: racer %d saw SyncCount %d, racer 0 %d", round, k, c, cur)
			}
		}
		errs = together(racers, func(k int) error {
			_, err := clients[k].UpdateRecords(&cs.UpdateRecordsInput{IdentityPoolId: &poolID, IdentityId: &id, DatasetName: &ds,
				SyncSessionToken: &tokens[k], RecordPatches: []*cs.RecordPatch{replace("k", fmt.Sprintf("round%d-racer%d", round, k), cur)}})
			return err
		})
		winner := -1
		for k, err := range errs {
			if err == nil {
				if winner >= 0 {
					t.Fatalf("round %d: racers %d (node %d) and %d (node %d) both won", round, winner, winner%len(nodes), k, k%len(nodes))
				}
				winner = k
				continue
			}
			if code, status := syncCode(err); code != "ResourceConflictException" || status != 409 {
				t.Fatalf("round %d, racer %d (node %d): %v, want ResourceConflictException (409)", round, k, k%len(nodes), err)
			}
		}
		if winner < 0 {
			t.Fatalf("round %d: no racer won", round)
		}
		updates.Add(1)
		// Every node sees the winner's value at SyncCount cur+1.
		for _, nd := range nodes {
			out, err := clients[nd.n].ListRecords(&cs.ListRecordsInput{IdentityPoolId: &poolID, IdentityId: &id, DatasetName: &ds})
			if err != nil {
				t.Fatal(err)
			}
			if len(out.Records) != 1 || *out.Records[0].Value != fmt.Sprintf("round%d-racer%d", round, winner) ||
				*out.Records[0].SyncCount != cur+1 || *out.DatasetSyncCount != cur+1 {
				t.Fatalf("round %d: node %d lists %v (dataset SyncCount %d), want the winner's value at %d", round, nd.n, out.Records, *out.DatasetSyncCount, cur+1)
			}
		}
	}
	t.Logf("%d rounds of %d racers on %d nodes: one winner each", rounds, racers, len(nodes))
}

// tokensAcrossNodes: what one node hands out, another accepts. An OpenID
// token from node 2 buys credentials at node 1; node 0 accepts those
// credentials and issues a SyncSessionToken that node 2 accepts.
func tokensAcrossNodes(t *testing.T, nodes []*node, poolID string, users []string, updates *atomic.Int64) {
	if _, err := nodes[0].ci.SetIdentityPoolRoles(ctx, &ci.SetIdentityPoolRolesInput{IdentityPoolId: &poolID,
		Roles: map[string]string{"authenticated": "arn:aws:iam::" + account + ":role/Auth", "unauthenticated": "arn:aws:iam::" + account + ":role/Unauth"}}); err != nil {
		t.Fatal(err)
	}
	tok, err := nodes[2].ci.GetOpenIdTokenForDeveloperIdentity(ctx, &ci.GetOpenIdTokenForDeveloperIdentityInput{
		IdentityPoolId: &poolID, Logins: map[string]string{devProv: "user-1"}})
	if err != nil {
		t.Fatal(err)
	}
	id := *tok.IdentityId
	if id != users[1] {
		t.Fatalf("user-1 is now %s, was %s", id, users[1])
	}
	anon := ci.New(ci.Options{Region: region, BaseEndpoint: aws.String(nodes[1].url), Credentials: aws.AnonymousCredentials{}, RetryMaxAttempts: 1})
	cr, err := anon.GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: &id,
		Logins: map[string]string{"cognito-identity.amazonaws.com": *tok.Token}})
	if err != nil {
		t.Fatalf("node 1 refuses node 2's OpenID token: %v", err)
	}
	c := cr.Credentials
	own0 := nodes[0].syncClient(t, *c.AccessKeyId, *c.SecretKey, *c.SessionToken)
	own2 := nodes[2].syncClient(t, *c.AccessKeyId, *c.SecretKey, *c.SessionToken)
	ds := "crossnode"
	l, err := own0.ListRecords(&cs.ListRecordsInput{IdentityPoolId: &poolID, IdentityId: &id, DatasetName: &ds})
	if err != nil {
		t.Fatalf("node 0 refuses node 1's temporary credentials: %v", err)
	}
	if _, err := own2.UpdateRecords(&cs.UpdateRecordsInput{IdentityPoolId: &poolID, IdentityId: &id, DatasetName: &ds,
		SyncSessionToken: l.SyncSessionToken, RecordPatches: []*cs.RecordPatch{replace("hello", "from node 2", 0)}}); err != nil {
		t.Fatalf("node 2 refuses node 0's SyncSessionToken: %v", err)
	}
	updates.Add(1)
}

// key identifies a record.
type key struct{ id, ds, key string }

// spreadWrites runs 12 writers, each sending 20 UpdateRecords, every one to
// the next node. Writers come in pairs sharing an identity and a dataset
// (and so conflicting: a 409 is answered by listing again and retrying),
// and each also has a dataset of its own. Patches replace and remove keys
// with values of random sizes. It returns the live records as the writers
// last wrote them.
func spreadWrites(t *testing.T, nodes []*node, poolID string, users []string, updates *atomic.Int64) map[key]string {
	const writers, each = 12, 20
	clients := make([][]*cs.CognitoSync, writers)
	for w := range clients {
		for _, nd := range nodes {
			clients[w] = append(clients[w], nd.syncClient(t, account, secret, ""))
		}
	}
	var mu sync.Mutex
	final := map[key]string{}
	var conflicts atomic.Int64
	errs := together(writers, func(w int) error {
		rng := rand.New(rand.NewPCG(uint64(w), 7))
		id := users[2+w/2]
		for k := 0; k < each; k++ {
			c := clients[w][(w+k)%len(nodes)]
			ds := fmt.Sprint("own", w)
			if k%2 == 1 {
				ds = "shared"
			}
			for attempt := 0; ; attempt++ {
				l, err := c.ListRecords(&cs.ListRecordsInput{IdentityPoolId: &poolID, IdentityId: &id, DatasetName: &ds})
				if err != nil {
					return fmt.Errorf("writer %d, op %d: ListRecords: %w", w, k, err)
				}
				cur := map[string]int64{}
				for _, r := range l.Records {
					cur[*r.Key] = *r.SyncCount
				}
				var patches []*cs.RecordPatch
				for range 1 + rng.IntN(3) {
					rk := fmt.Sprintf("w%d-k%d", w, rng.IntN(6))
					if ds == "shared" && rng.IntN(2) == 0 {
						rk = fmt.Sprintf("shared-k%d", rng.IntN(4)) // both writers of the pair touch these
					}
					if dup(patches, rk) {
						continue
					}
					if _, exists := cur[rk]; exists && rng.IntN(4) == 0 {
						patches = append(patches, &cs.RecordPatch{Op: av1.String("remove"), Key: av1.String(rk), SyncCount: av1.Int64(cur[rk])})
					} else {
						patches = append(patches, replace(rk, strings.Repeat(string(rune('a'+rng.IntN(26))), 1+rng.IntN(200)), cur[rk]))
					}
				}
				out, err := c.UpdateRecords(&cs.UpdateRecordsInput{IdentityPoolId: &poolID, IdentityId: &id, DatasetName: &ds,
					SyncSessionToken: l.SyncSessionToken, RecordPatches: patches})
				if err != nil {
					if code, _ := syncCode(err); code == "ResourceConflictException" && attempt < 100 {
						conflicts.Add(1)
						continue
					}
					return fmt.Errorf("writer %d, op %d: UpdateRecords: %w", w, k, err)
				}
				updates.Add(1)
				mu.Lock()
				for _, r := range out.Records {
					if r.Value == nil {
						delete(final, key{id, ds, *r.Key})
					} else {
						final[key{id, ds, *r.Key}] = *r.Value
					}
				}
				mu.Unlock()
				break
			}
		}
		return nil
	})
	if err := firstErr(errs); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d writers x %d updates spread over %d nodes; %d conflicts (409) retried", writers, each, len(nodes), conflicts.Load())
	return final
}

func dup(ps []*cs.RecordPatch, k string) bool {
	for _, p := range ps {
		if *p.Key == k {
			return true
		}
	}
	return false
}

// checkUsage recounts every identity's records through ListDatasets and
// ListRecords (on rotating nodes) and compares: each dataset's DataStorage
// and NumRecords, each identity's DataStorage and DatasetCount
// (DescribeIdentityUsage), the pool's DataStorage and SyncSessionsCount
// (DescribeIdentityPoolUsage). The writers' own record of the last values
// must match what is stored, too. It returns the number of live records.
func checkUsage(t *testing.T, nodes []*node, poolID string, written map[key]string, updates int64) int {
	dev := make([]*cs.CognitoSync, len(nodes))
	for k, nd := range nodes {
		dev[k] = nd.syncClient(t, account, secret, "")
	}
	var ids []string
	for k := 0; ; k++ {
		out, err := nodes[k%3].ci.ListIdentities(ctx, &ci.ListIdentitiesInput{IdentityPoolId: &poolID, MaxResults: aws.Int32(60)})
		if err != nil {
			t.Fatal(err)
		}
		for _, i := range out.Identities {
			ids = append(ids, *i.IdentityId)
		}
		if out.NextToken == nil {
			break
		}
	}
	var poolBytes int64
	live := 0
	stored := map[key]string{}
	q := 0
	c := func() *cs.CognitoSync { q++; return dev[q%len(dev)] }
	for _, id := range ids {
		dsOut, err := c().ListDatasets(&cs.ListDatasetsInput{IdentityPoolId: &poolID, IdentityId: &id, MaxResults: av1.Int64(60)})
		if err != nil {
			t.Fatal(err)
		}
		var idBytes int64
		for _, d := range dsOut.Datasets {
			var dsBytes, dsRecords int64
			var next *string
			for {
				l, err := c().ListRecords(&cs.ListRecordsInput{IdentityPoolId: &poolID, IdentityId: &id, DatasetName: d.DatasetName, NextToken: next, MaxResults: av1.Int64(50)})
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range l.Records {
					if r.Value == nil {
						continue
					}
					dsBytes += int64(len(*r.Key) + len(*r.Value))
					dsRecords++
					stored[key{id, *d.DatasetName, *r.Key}] = *r.Value
				}
				if next = l.NextToken; next == nil {
					break
				}
			}
			if *d.DataStorage != dsBytes || *d.NumRecords != dsRecords {
				t.Errorf("dataset %s of %s: DataStorage %d, NumRecords %d; recount %d bytes in %d records", *d.DatasetName, id, *d.DataStorage, *d.NumRecords, dsBytes, dsRecords)
			}
			idBytes += dsBytes
			live += int(dsRecords)
		}
		u, err := c().DescribeIdentityUsage(&cs.DescribeIdentityUsageInput{IdentityPoolId: &poolID, IdentityId: &id})
		if err != nil {
			t.Fatal(err)
		}
		if *u.IdentityUsage.DataStorage != idBytes || *u.IdentityUsage.DatasetCount != int64(len(dsOut.Datasets)) {
			t.Errorf("identity %s: DataStorage %d, DatasetCount %d; recount %d bytes in %d datasets", id, *u.IdentityUsage.DataStorage, *u.IdentityUsage.DatasetCount, idBytes, len(dsOut.Datasets))
		}
		poolBytes += idBytes
	}
	for _, d := range dev {
		pu, err := d.DescribeIdentityPoolUsage(&cs.DescribeIdentityPoolUsageInput{IdentityPoolId: &poolID})
		if err != nil {
			t.Fatal(err)
		}
		if *pu.IdentityPoolUsage.DataStorage != poolBytes || *pu.IdentityPoolUsage.SyncSessionsCount != updates {
			t.Errorf("pool: DataStorage %d, SyncSessionsCount %d; recount %d bytes, %d successful UpdateRecords",
				*pu.IdentityPoolUsage.DataStorage, *pu.IdentityPoolUsage.SyncSessionsCount, poolBytes, updates)
		}
	}
	for k, v := range written {
		if stored[k] != v {
			t.Errorf("record %v: stored %q, last written %q", k, stored[k], v)
		}
	}
	t.Logf("usage counters of %d identities (%d live records, %d bytes, %d updates) equal the recount", len(ids), live, poolBytes, updates)
	return live
}

// bulkPublishOnce asks every node three times at once to bulk publish the
// pool: one call starts the job, every other is refused, and the one job
// publishes each live record once, to its own node's sink.
func bulkPublishOnce(t *testing.T, nodes []*node, poolID string, live int) {
	dev := make([]*cs.CognitoSync, 3*len(nodes))
	for k := range dev {
		dev[k] = nodes[k%len(nodes)].syncClient(t, account, secret, "")
	}
	if _, err := dev[0].SetIdentityPoolConfiguration(&cs.SetIdentityPoolConfigurationInput{IdentityPoolId: &poolID,
		CognitoStreams: &cs.CognitoStreams{StreamName: av1.String("cluster-stream"), RoleArn: av1.String("arn:aws:iam::" + account + ":role/Stream"),
			StreamingStatus: av1.String("ENABLED")}}); err != nil { // bulk publish fails while DISABLED
		t.Fatal(err)
	}
	errs := together(len(dev), func(k int) error {
		_, err := dev[k].BulkPublish(&cs.BulkPublishInput{IdentityPoolId: &poolID})
		return err
	})
	started := 0
	for k, err := range errs {
		if err == nil {
			started++
			continue
		}
		if code, _ := syncCode(err); code != "DuplicateRequestException" && code != "AlreadyStreamedException" {
			t.Errorf("BulkPublish %d (node %d): %v", k, k%len(nodes), err)
		}
	}
	if started != 1 {
		t.Fatalf("%d BulkPublish calls started a job, want exactly 1", started)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		d, err := dev[1].GetBulkPublishDetails(&cs.GetBulkPublishDetailsInput{IdentityPoolId: &poolID})
		if err != nil {
			t.Fatal(err)
		}
		if *d.BulkPublishStatus == "SUCCEEDED" {
			break
		}
		if *d.BulkPublishStatus != "IN_PROGRESS" || time.Now().After(deadline) {
			t.Fatalf("bulk publish: %s %s", *d.BulkPublishStatus, av1.StringValue(d.FailureMessage))
		}
		time.Sleep(50 * time.Millisecond)
	}
	// The job's node published every live record once; the others nothing.
	var published []int
	total := 0
	for _, nd := range nodes {
		n := 0
		if countLines(nd.sink) > 0 {
			n = checkOncePerRecord(t, nd.sink)
		}
		published = append(published, n)
		total += n
	}
	sinks := 0
	for _, n := range published {
		if n > 0 {
			sinks++
		}
	}
	if sinks != 1 || total != live {
		t.Fatalf("records published per node: %v, want %d records on exactly one node", published, live)
	}
	t.Logf("one bulk publish job of %d records out of %d concurrent requests", live, len(dev))
}

// checkOncePerRecord fails if a record appears twice in a sink file, and
// returns how many records it holds.
func checkOncePerRecord(t *testing.T, path string) int {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	seen := map[string]bool{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var ev struct {
			IdentityID         string `json:"identityId"`
			DatasetName        string `json:"datasetName"`
			KinesisSyncRecords []struct {
				Key string `json:"key"`
			} `json:"kinesisSyncRecords"`
		}
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		for _, r := range ev.KinesisSyncRecords {
			k := ev.IdentityID + "/" + ev.DatasetName + "/" + r.Key
			if seen[k] {
				t.Fatalf("%s: record %s published twice", path, k)
			}
			seen[k] = true
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return len(seen)
}

func replace(k, v string, syncCount int64) *cs.RecordPatch {
	return &cs.RecordPatch{Op: av1.String("replace"), Key: av1.String(k), Value: av1.String(v), SyncCount: av1.Int64(syncCount)}
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := httpClient().Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		b.WriteString(sc.Text())
	}
	return b.String()
}
