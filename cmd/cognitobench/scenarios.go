package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
)

// scenario prepares a target and then issues one operation per call.
type scenario interface {
	// setup runs once before the clock starts.
	setup(ctx context.Context, c *client, o *runOpts) error
	// op does one unit of work for worker w (its n-th).
	op(ctx context.Context, c *client, w, n int) error
}

// scenarios are the scenarios by name, in the order the help lists them.
var scenarios = []struct {
	name string
	make func() scenario
}{
	{"getid-new", func() scenario { return &getIDNew{} }},
	{"getid-returning", func() scenario { return &getIDReturning{} }},
	{"list-identities", func() scenario { return &listIdentities{} }},
	{"get-credentials", func() scenario { return &getCredentials{} }},
	{"sync", func() scenario { return &syncSessions{} }},
	{"update-records", func() scenario { return &updateRecords{} }},
	{"pool-usage", func() scenario { return &poolUsage{} }},
}

func newScenario(name string) (scenario, error) {
	for _, sc := range scenarios {
		if sc.name == name {
			return sc.make(), nil
		}
	}
	return nil, fmt.Errorf("unknown scenario %q", name)
}

// scenarioNames lists the scenarios' names, joined by sep.
func scenarioNames(sep string) string {
	names := make([]string, len(scenarios))
	for k, sc := range scenarios {
		names[k] = sc.name
	}
	return strings.Join(names, sep)
}

func createPool(ctx context.Context, c *client, name string, extra map[string]any) (string, error) {
	in := map[string]any{"IdentityPoolName": name, "AllowUnauthenticatedIdentities": true}
	for k, v := range extra {
		in[k] = v
	}
	var out struct{ IdentityPoolId string }
	err := c.identity(ctx, "CreateIdentityPool", in, &out)
	return out.IdentityPoolId, err
}

// getIDNew: GetId creating a new unauthenticated identity per call (a
// durable write per request on cognitod).
type getIDNew struct{ pool string }

func (s *getIDNew) setup(ctx context.Context, c *client, o *runOpts) (err error) {
	s.pool = o.pool
	if s.pool == "" {
		s.pool, err = createPool(ctx, c, "bench-getid", nil)
	}
	return err
}

func (s *getIDNew) op(ctx context.Context, c *client, w, n int) error {
	return c.identity(ctx, "GetId", map[string]any{"IdentityPoolId": s.pool}, nil)
}

// getIDReturning: GetId with logins that already have identities (reads).
type getIDReturning struct {
	pool   string
	logins int
}

func (s *getIDReturning) setup(ctx context.Context, c *client, o *runOpts) (err error) {
	s.logins = o.setupSize
	s.pool, err = createPool(ctx, c, "bench-returning", map[string]any{"SupportedLoginProviders": map[string]string{"graph.facebook.com": "bench"}})
	if err != nil {
		return err
	}
	return parallel(ctx, s.logins, 16, func(i int) error {
		return c.identity(ctx, "GetId", s.in(i), nil)
	})
}

func (s *getIDReturning) in(i int) map[string]any {
	return map[string]any{"IdentityPoolId": s.pool, "Logins": map[string]string{"graph.facebook.com": "bench-user-" + strconv.Itoa(i)}}
}

func (s *getIDReturning) op(ctx context.Context, c *client, w, n int) error {
	return c.identity(ctx, "GetId", s.in(rand.IntN(s.logins)), nil)
}

// listIdentities: ListIdentities MaxResults=60 of a given page of a pool
// (page 1, or a deep page reached by walking NextTokens during setup).
type listIdentities struct {
	pool  string
	token string
}

func (s *listIdentities) setup(ctx context.Context, c *client, o *runOpts) error {
	s.pool = o.pool
	if s.pool == "" {
		var err error
		if s.pool, err = createPool(ctx, c, "bench-list", nil); err != nil {
			return err
		}
		if err := parallel(ctx, o.setupSize, 16, func(i int) error {
			return c.identity(ctx, "GetId", map[string]any{"IdentityPoolId": s.pool}, nil)
		}); err != nil {
			return err
		}
	}
	for p := 1; p < o.page; p++ {
		in := map[string]any{"IdentityPoolId": s.pool, "MaxResults": 60}
		if s.token != "" {
			in["NextToken"] = s.token
		}
		var out struct{ NextToken *string }
		if err := c.identity(ctx, "ListIdentities", in, &out); err != nil {
			return err
		}
		if out.NextToken == nil {
			return fmt.Errorf("pool has fewer than %d pages", o.page)
		}
		s.token = *out.NextToken
		if p%1000 == 0 {
			fmt.Fprintf(os.Stderr, "\rsetup: walked to page %d", p)
		}
	}
	return nil
}

func (s *listIdentities) op(ctx context.Context, c *client, w, n int) error {
	in := map[string]any{"IdentityPoolId": s.pool, "MaxResults": 60}
	if s.token != "" {
		in["NextToken"] = s.token
	}
	return c.identity(ctx, "ListIdentities", in, nil)
}

// getCredentials: GetCredentialsForIdentity of existing identities.
type getCredentials struct {
	pool string
	ids  []string
}

func (s *getCredentials) setup(ctx context.Context, c *client, o *runOpts) (err error) {
	if s.pool, err = createPool(ctx, c, "bench-creds", nil); err != nil {
		return err
	}
	if err := c.identity(ctx, "SetIdentityPoolRoles", map[string]any{"IdentityPoolId": s.pool,
		"Roles": map[string]string{"unauthenticated": "arn:aws:iam::123456789012:role/Guest"}}, nil); err != nil {
		return err
	}
	s.ids = make([]string, o.setupSize)
	return parallel(ctx, len(s.ids), 16, func(i int) error {
		var out struct{ IdentityId string }
		err := c.identity(ctx, "GetId", map[string]any{"IdentityPoolId": s.pool}, &out)
		s.ids[i] = out.IdentityId
		return err
	})
}

func (s *getCredentials) op(ctx context.Context, c *client, w, n int) error {
	return c.identity(ctx, "GetCredentialsForIdentity", map[string]any{"IdentityId": s.ids[rand.IntN(len(s.ids))]}, nil)
}

// syncSessions: one sync session per op: ListRecords (for a token and the
// record's SyncCount) then a durable, conflict-checked UpdateRecords. Each
// worker owns its identities, so sessions never conflict.
type syncSessions struct {
	pool  string
	ids   []string
	count []atomic.Int64 // last SyncCount written per identity
	work  int
}

func (s *syncSessions) setup(ctx context.Context, c *client, o *runOpts) (err error) {
	if s.pool, err = createPool(ctx, c, "bench-sync", nil); err != nil {
		return err
	}
	s.ids = make([]string, o.setupSize)
	s.count = make([]atomic.Int64, len(s.ids))
	s.work = o.workers
	return parallel(ctx, len(s.ids), 16, func(i int) error {
		var out struct{ IdentityId string }
		err := c.identity(ctx, "GetId", map[string]any{"IdentityPoolId": s.pool}, &out)
		s.ids[i] = out.IdentityId
		return err
	})
}

// identity is the index of the identity worker w uses for its n-th
// operation: worker w uses identities w, w+workers, ..., so no two workers
// share one.
func (s *syncSessions) identity(w, n int) int {
	per := len(s.ids) / s.work
	if per == 0 {
		per = 1
	}
	return (w + (n%per)*s.work) % len(s.ids)
}

// path is the REST path of identity i's benchmark dataset.
func (s *syncSessions) path(i int) string {
	return "/identitypools/" + url.PathEscape(s.pool) + "/identities/" + url.PathEscape(s.ids[i]) + "/datasets/bench"
}

func (s *syncSessions) op(ctx context.Context, c *client, w, n int) error {
	i := s.identity(w, n)
	var lr struct{ SyncSessionToken string }
	if err := c.sync(ctx, "GET", s.path(i)+"/records", nil, nil, &lr); err != nil {
		return err
	}
	return s.write(ctx, c, i, lr.SyncSessionToken, n)
}

// write replaces identity i's benchmark record in session token, with the
// SyncCount it last wrote (so it never conflicts), and counts the write.
func (s *syncSessions) write(ctx context.Context, c *client, i int, token string, n int) error {
	last := s.count[i].Load()
	in := map[string]any{"SyncSessionToken": token, "RecordPatches": []map[string]any{
		{"Op": "replace", "Key": "k", "Value": strconv.Itoa(n), "SyncCount": last}}}
	if err := c.sync(ctx, "POST", s.path(i), nil, in, nil); err != nil {
		return err
	}
	s.count[i].Store(last + 1)
	return nil
}

// updateRecords: UpdateRecords alone, durable and conflict-checked, across
// many identities. Setup opens a sync session (ListRecords) per identity; a
// SyncSessionToken stays valid until it expires, so each operation is one
// UpdateRecords with the record's current SyncCount. Workers own disjoint
// identities, so no write conflicts unless the server is wrong.
type updateRecords struct {
	syncSessions
	tokens []string
}

func (s *updateRecords) setup(ctx context.Context, c *client, o *runOpts) error {
	if err := s.syncSessions.setup(ctx, c, o); err != nil {
		return err
	}
	s.tokens = make([]string, len(s.ids))
	return parallel(ctx, len(s.ids), 16, func(i int) error {
		var lr struct{ SyncSessionToken string }
		err := c.sync(ctx, "GET", s.path(i)+"/records", nil, nil, &lr)
		s.tokens[i] = lr.SyncSessionToken
		return err
	})
}

func (s *updateRecords) op(ctx context.Context, c *client, w, n int) error {
	i := s.identity(w, n)
	return s.write(ctx, c, i, s.tokens[i], n)
}

// poolUsage: ListIdentityPoolUsage over an account with many pools: the
// pools it has already count (earlier scenarios' pools, an earlier run's),
// so that a second run on the same server does not meet the account's
// pool quota.
type poolUsage struct{}

func (s *poolUsage) setup(ctx context.Context, c *client, o *runOpts) error {
	have, err := countPools(ctx, c, o.setupSize)
	if err != nil {
		return err
	}
	return parallel(ctx, max(0, o.setupSize-have), 16, func(i int) error {
		_, err := createPool(ctx, c, "bench-usage-"+strconv.Itoa(have+i), nil)
		return err
	})
}

func (s *poolUsage) op(ctx context.Context, c *client, w, n int) error {
	return c.sync(ctx, "GET", "/identitypools", url.Values{"maxResults": {"60"}}, nil, nil)
}

// countPools counts the caller's pools in its region, stopping once it has
// seen upTo (0: all of them).
func countPools(ctx context.Context, c *client, upTo int) (int, error) {
	n := 0
	var next *string
	for upTo <= 0 || n < upTo {
		var out struct {
			IdentityPools []struct{ IdentityPoolId string }
			NextToken     *string
		}
		if err := c.identity(ctx, "ListIdentityPools", map[string]any{"MaxResults": 60, "NextToken": next}, &out); err != nil {
			return n, err
		}
		n += len(out.IdentityPools)
		if next = out.NextToken; next == nil {
			break
		}
	}
	return n, nil
}

// parallel runs fn(0..n-1) on k goroutines, stopping at the first error.
func parallel(ctx context.Context, n, k int, fn func(i int) error) error {
	var next atomic.Int64
	errc := make(chan error, k)
	for g := 0; g < k; g++ {
		go func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					errc <- nil
					return
				}
				if err := fn(i); err != nil {
					next.Store(int64(n))
					errc <- err
					return
				}
			}
		}()
	}
	var first error
	for g := 0; g < k; g++ {
		if err := <-errc; err != nil && first == nil {
			first = err
		}
	}
	return first
}
