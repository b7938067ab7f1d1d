package throttle

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestAWSPreset(t *testing.T) {
	l := AWSPreset()
	for _, tc := range []struct {
		service, op string
		rps         float64
	}{
		{Identity, "GetId", 25},
		{Identity, "GetOpenIdToken", 200},
		{Identity, "GetCredentialsForIdentity", 200},
		{Identity, "GetOpenIdTokenForDeveloperIdentity", 50},
		{Identity, "ListIdentities", 5},
		{Identity, "DeleteIdentities", 10},
		{Identity, "TagResource", 5},
		{Identity, "UntagResource", 5},
		{Identity, "ListTagsForResource", 10},
		{Identity, "DescribeIdentityPool", 5},
		{Sync, "ListRecords", 50},
		{Sync, "BulkPublish", 5},
	} {
		r, ok := l.Rule(tc.service, tc.op)
		if !ok || r.RPS != tc.rps || r.burst() != int(tc.rps) {
			t.Errorf("%s %s: %+v (burst %d), %v; want %v", tc.service, tc.op, r, r.burst(), ok, tc.rps)
		}
	}
	// Every operation of both models is limited under the preset.
	for name, svc := range services {
		for op := range svc.Operations {
			if _, ok := l.Rule(name, op); !ok {
				t.Errorf("%s %s has no rate under the preset", name, op)
			}
		}
	}
}

func TestParse(t *testing.T) {
	text := `
# comment
cognito-identity GetId 0.5 3   # trailing comment
cognito-identity * 7
cognito-sync ListRecords off
preset aws
cognito-identity ListIdentities 100 200
`
	l, err := Parse(strings.NewReader(text), "limits")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		service, op string
		want        Rule
		ok          bool
	}{
		{Identity, "GetId", Rule{0.5, 3}, true},              // own line wins over the preset
		{Identity, "DescribeIdentityPool", Rule{7, 0}, true}, // own * wins over the preset's
		{Identity, "ListIdentities", Rule{100, 200}, true},
		{Identity, "GetOpenIdToken", Rule{200, 0}, true}, // from the preset
		{Sync, "ListRecords", Rule{}, false},             // off
		{Sync, "UpdateRecords", Rule{50, 0}, true},
	} {
		r, ok := l.Rule(tc.service, tc.op)
		if ok != tc.ok || (ok && r != tc.want) {
			t.Errorf("%s %s: %+v, %v; want %+v, %v", tc.service, tc.op, r, ok, tc.want, tc.ok)
		}
	}

	js := `{"preset": "aws", "limits": [{"service": "cognito-sync", "operation": "UpdateRecords", "rps": 2, "burst": 4},
		{"service": "cognito-identity", "operation": "GetId", "rps": 0}]}`
	l, err = Parse(strings.NewReader(js), "limits.json")
	if err != nil {
		t.Fatal(err)
	}
	if r, ok := l.Rule(Sync, "UpdateRecords"); !ok || r != (Rule{2, 4}) {
		t.Errorf("JSON UpdateRecords: %+v %v", r, ok)
	}
	if _, ok := l.Rule(Identity, "GetId"); ok {
		t.Error("JSON rps 0 is not off")
	}
	if r, ok := l.Rule(Identity, "ListIdentities"); !ok || r.RPS != 5 {
		t.Errorf("JSON preset: %+v %v", r, ok)
	}

	for _, bad := range []string{
		"cognito-identity GetIdd 5",
		"cognito-idp GetId 5",
		"cognito-identity GetId -1",
		"cognito-identity GetId 0",
		"cognito-identity GetId NaN",
		"cognito-identity GetId 5 0",
		"cognito-identity GetId 5 x",
		"cognito-identity GetId",
		"preset azure",
		`{"limits": [{"service": "cognito-sync", "operation": "Nope", "rps": 1}]}`,
		`{"limits": [{"service": "cognito-sync", "operation": "ListRecords", "rps": -1}]}`,
		`{"limit": []}`,
	} {
		if _, err := Parse(strings.NewReader(bad), "bad"); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}

func TestLoad(t *testing.T) {
	for _, off := range []string{"", "off"} {
		if l, err := Load(off); l != nil || err != nil {
			t.Errorf("Load(%q) = %v, %v", off, l, err)
		}
	}
	if l, err := Load("aws"); err != nil || l == nil {
		t.Errorf("Load(aws) = %v, %v", l, err)
	}
	path := filepath.Join(t.TempDir(), "limits")
	os.WriteFile(path, []byte("cognito-identity GetId 1\n"), 0o600)
	if l, err := Load(path); err != nil {
		t.Error(err)
	} else if r, ok := l.Rule(Identity, "GetId"); !ok || r.RPS != 1 {
		t.Errorf("Load(file): %+v", r)
	}
	if _, err := Load(path + ".missing"); err == nil {
		t.Error("missing file accepted")
	}
}

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func TestLimiter(t *testing.T) {
	l := &Limits{}
	l.Set(Identity, "GetId", Rule{RPS: 2, Burst: 3})
	l.Set(Sync, Any, Rule{RPS: 1})
	c := &clock{time.Unix(1_750_000_000, 0)}
	lim := New(l)
	lim.now = c.now

	allowed := func(account, region, service, op string, n int) int {
		got := 0
		for range n {
			if lim.Allow(account, region, service, op) {
				got++
			}
		}
		return got
	}
	if got := allowed("111111111111", "us-east-1", Identity, "GetId", 10); got != 3 {
		t.Errorf("burst: %d allowed, want 3", got)
	}
	// Separate buckets per account, region and operation.
	if got := allowed("222222222222", "us-east-1", Identity, "GetId", 10); got != 3 {
		t.Errorf("other account: %d allowed", got)
	}
	if got := allowed("111111111111", "eu-west-1", Identity, "GetId", 10); got != 3 {
		t.Errorf("other region: %d allowed", got)
	}
	if got := allowed("111111111111", "us-east-1", Identity, "ListIdentities", 100); got != 100 {
		t.Errorf("unlimited operation: %d allowed", got)
	}
	if got := allowed("111111111111", "us-east-1", Sync, "ListRecords", 5); got != 1 {
		t.Errorf("service default: %d allowed", got)
	}
	// Refill at RPS.
	c.t = c.t.Add(time.Second)
	if got := allowed("111111111111", "us-east-1", Identity, "GetId", 10); got != 2 {
		t.Errorf("after a second: %d allowed, want 2", got)
	}
	c.t = c.t.Add(time.Hour)
	if got := allowed("111111111111", "us-east-1", Identity, "GetId", 10); got != 3 {
		t.Errorf("after an hour: %d allowed, want the burst of 3", got)
	}

	// Nil limits or no Limiter rule: everything passes.
	if !New(nil).Allow("a", "r", Identity, "GetId") {
		t.Error("nil limits throttled")
	}
}

func TestLimiterConcurrentBurst(t *testing.T) {
	l := &Limits{}
	l.Set(Identity, "GetId", Rule{RPS: 0.001, Burst: 7})
	lim := New(l)
	var ok atomic.Int32
	var wg sync.WaitGroup
	for range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if lim.Allow("111111111111", "us-east-1", Identity, "GetId") {
				ok.Add(1)
			}
		}()
	}
	wg.Wait()
	if ok.Load() != 7 {
		t.Errorf("%d of 100 concurrent requests allowed, want 7", ok.Load())
	}
}

func TestLimiterBounded(t *testing.T) {
	l := &Limits{}
	l.Set(Identity, Any, Rule{RPS: 10, Burst: 10})
	c := &clock{time.Unix(1_750_000_000, 0)}
	lim := New(l)
	lim.now = c.now
	lim.max = 100 // per shard
	for i := range 20_000 {
		lim.Allow(fmt.Sprintf("%012d", i), "us-east-1", Identity, "GetId")
		if i%1000 == 0 {
			c.t = c.t.Add(2 * time.Second) // earlier buckets are full again
		}
	}
	if n := lim.Buckets(); n > shards*100 {
		t.Errorf("%d buckets, bound %d", n, shards*100)
	}
	// Eviction drops full buckets first: an account that spent its burst
	// keeps its (empty) bucket while thousands of others come and go.
	l.Set(Identity, "ListIdentities", Rule{RPS: 1e-6, Burst: 2})
	lim = New(l)
	lim.now = c.now
	lim.max = 4
	for range 2 {
		lim.Allow("999999999999", "us-east-1", Identity, "ListIdentities")
	}
	for i := range 1000 {
		c.t = c.t.Add(time.Second) // every GetId bucket is full again
		lim.Allow(fmt.Sprintf("%012d", i), "us-east-1", Identity, "GetId")
	}
	if lim.Allow("999999999999", "us-east-1", Identity, "ListIdentities") {
		t.Error("a spent bucket was forgotten while full ones were kept")
	}
	if n := lim.Buckets(); n > shards*4 {
		t.Errorf("%d buckets, bound %d", n, shards*4)
	}
}
