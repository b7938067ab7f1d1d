package cluster

import (
	"bytes"
	"context"
	crand "crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/cognitod/cognitod/internal/store/postgres/pgtest"
)

var benchWorkers = flag.Int("workers", 48, "BenchmarkScaling: concurrent clients in all, spread evenly over the nodes")

// BenchmarkScaling measures throughput with one cognitod node and with
// three on one PostgreSQL database, the same total number of clients
// spread over the nodes (each client keeps to one node, as a load balancer
// with keep-alive connections does). docs/SCALING.md has the numbers:
//
//	go test -run '^$' -bench Scaling -benchtime 10s ./internal/cluster/
//
// Requests are signed with SigV4 (the nodes run --auth any) over plain
// HTTP, one operation per request, sessions as two.
func BenchmarkScaling(b *testing.B) {
	clusters := []struct {
		name  string
		nodes []*node
	}{
		{"nodes=1", startCluster(b, pgtest.Database(b), 1)},
		{"nodes=3", startCluster(b, pgtest.Database(b), 3)},
	}
	for _, sc := range loadScenarios {
		for _, cl := range clusters {
			b.Run(sc.name+"/"+cl.name, func(b *testing.B) { runLoad(b, cl.nodes, sc) })
		}
	}
}

// loadScenario prepares a run (once per benchmark call) and then does one
// unit of work for client w.
type loadScenario struct {
	name  string
	setup func(b *testing.B, c *benchClient, workers int) any
	op    func(c *benchClient, state any, w, n int) error
}

var loadScenarios = []loadScenario{
	{
		// GetId for a new unauthenticated identity: one durable insert.
		name: "getid-new",
		setup: func(b *testing.B, c *benchClient, _ int) any {
			return benchPool(b, c, nil)
		},
		op: func(c *benchClient, st any, _, _ int) error {
			return c.identity("GetId", map[string]any{"IdentityPoolId": st.(string)}, nil)
		},
	},
	{
		// A developer login seen for the first time: a lookup, an
		// identity, a login, and an RS512-signed OpenID token. User IDs
		// are random, as opaque IDs (UUIDs) are.
		name: "devtoken-new",
		setup: func(b *testing.B, c *benchClient, _ int) any {
			return benchPool(b, c, map[string]any{"DeveloperProviderName": devProv})
		},
		op: func(c *benchClient, st any, _, _ int) error {
			var id [12]byte
			crand.Read(id[:])
			return c.identity("GetOpenIdTokenForDeveloperIdentity", map[string]any{"IdentityPoolId": st.(string),
				"Logins": map[string]string{devProv: hex.EncodeToString(id[:])}}, nil)
		},
	},
	{
		// The same with increasing user IDs (a database's sequence): every
		// new login lands at the end of the logins index.
		name: "devtoken-seq",
		setup: func(b *testing.B, c *benchClient, _ int) any {
			return benchPool(b, c, map[string]any{"DeveloperProviderName": devProv})
		},
		op: func(c *benchClient, st any, _, _ int) error {
			return c.identity("GetOpenIdTokenForDeveloperIdentity", map[string]any{"IdentityPoolId": st.(string),
				"Logins": map[string]string{devProv: fmt.Sprintf("user-%012d", userSeq.Add(1))}}, nil)
		},
	},
	{
		// DescribeIdentity: a read.
		name: "describe-identity",
		setup: func(b *testing.B, c *benchClient, workers int) any {
			return benchIdentities(b, c, benchPool(b, c, nil), workers)
		},
		op: func(c *benchClient, st any, w, _ int) error {
			s := st.(*syncState)
			return c.identity("DescribeIdentity", map[string]any{"IdentityId": s.ids[w]}, nil)
		},
	},
	{
		// A sync session (ListRecords, then UpdateRecords from its
		// SyncCount), every client on its own identity, all in one pool:
		// every session also updates that pool's usage counters.
		name: "sync-1pool",
		setup: func(b *testing.B, c *benchClient, workers int) any {
			return benchIdentities(b, c, benchPool(b, c, nil), workers)
		},
		op: syncSession,
	},
	{
		// The same with the clients' identities spread over 16 pools.
		name: "sync-16pools",
		setup: func(b *testing.B, c *benchClient, workers int) any {
			var pools []string
			for range 16 {
				pools = append(pools, benchPool(b, c, nil))
			}
			s := &syncState{}
			for w := range workers {
				one := benchIdentities(b, c, pools[w%len(pools)], 1)
				s.pools = append(s.pools, one.pools[0])
				s.ids = append(s.ids, one.ids[0])
			}
			s.counts = make([]int64, workers)
			return s
		},
		op: syncSession,
	},
}

var userSeq atomic.Int64

type syncState struct {
	pools, ids []string // by client
	counts     []int64  // SyncCount of each client's record (only that client writes it)
}

func syncSession(c *benchClient, st any, w, n int) error {
	s := st.(*syncState)
	path := "/identitypools/" + url.PathEscape(s.pools[w]) + "/identities/" + url.PathEscape(s.ids[w]) + "/datasets/bench"
	var l struct{ SyncSessionToken string }
	if err := c.sync("GET", path+"/records", nil, &l); err != nil {
		return err
	}
	err := c.sync("POST", path, map[string]any{"SyncSessionToken": l.SyncSessionToken, "RecordPatches": []map[string]any{
		{"Op": "replace", "Key": "k", "Value": fmt.Sprint(n), "SyncCount": s.counts[w]}}}, nil)
	if err == nil {
		s.counts[w]++
	}
	return err
}

func benchPool(b *testing.B, c *benchClient, extra map[string]any) string {
	in := map[string]any{"IdentityPoolName": "bench", "AllowUnauthenticatedIdentities": true}
	for k, v := range extra {
		in[k] = v
	}
	var out struct{ IdentityPoolId string }
	if err := c.identity("CreateIdentityPool", in, &out); err != nil {
		b.Fatal(err)
	}
	return out.IdentityPoolId
}

func benchIdentities(b *testing.B, c *benchClient, pool string, n int) *syncState {
	s := &syncState{counts: make([]int64, n)}
	for range n {
		var out struct{ IdentityId string }
		if err := c.identity("GetId", map[string]any{"IdentityPoolId": pool}, &out); err != nil {
			b.Fatal(err)
		}
		s.pools, s.ids = append(s.pools, pool), append(s.ids, out.IdentityId)
	}
	return s
}

// runLoad runs b.N operations of sc on *benchWorkers clients, client w on
// node w mod len(nodes), and reports the throughput.
func runLoad(b *testing.B, nodes []*node, sc loadScenario) {
	workers := *benchWorkers
	clients := make([]*benchClient, workers)
	for w := range clients {
		clients[w] = newBenchClient(nodes[w%len(nodes)].url)
	}
	state := sc.setup(b, clients[0], workers)
	var next, failed atomic.Int64
	var firstErr error
	var once sync.Once
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ; n++ {
				if next.Add(1) > int64(b.N) {
					return
				}
				if err := sc.op(clients[w], state, w, n); err != nil {
					failed.Add(1)
					once.Do(func() { firstErr = err })
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if failed.Load() > 0 {
		b.Fatalf("%d of %d operations failed; first: %v", failed.Load(), b.N, firstErr)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "ops/s")
}

// benchClient sends SigV4-signed requests to one node.
type benchClient struct {
	endpoint string
	http     *http.Client
	signer   *v4.Signer
}

func newBenchClient(endpoint string) *benchClient {
	return &benchClient{endpoint: endpoint, http: httpClient(), signer: v4.NewSigner()}
}

func (c *benchClient) identity(op string, in, out any) error {
	body, _ := json.Marshal(in)
	req, _ := http.NewRequest(http.MethodPost, c.endpoint+"/", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "AWSCognitoIdentityService."+op)
	if op != "GetId" {
		c.sign(req, body, "cognito-identity")
	}
	return c.do(req, out)
}

func (c *benchClient) sync(method, path string, in, out any) error {
	var body []byte
	if in != nil {
		body, _ = json.Marshal(in)
	}
	req, _ := http.NewRequest(method, c.endpoint+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	c.sign(req, body, "cognito-sync")
	return c.do(req, out)
}

func (c *benchClient) sign(req *http.Request, body []byte, service string) {
	sum := sha256.Sum256(body)
	c.signer.SignHTTP(context.Background(), aws.Credentials{AccessKeyID: account, SecretAccessKey: secret}, req,
		hex.EncodeToString(sum[:]), service, region, time.Now())
}

func (c *benchClient) do(req *http.Request, out any) error {
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", resp.Status, b)
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}
