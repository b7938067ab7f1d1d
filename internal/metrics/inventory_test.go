package metrics

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/cognitod/cognitod/internal/store"
	"github.com/cognitod/cognitod/internal/store/sqlite"
)

// gauges gathers m and returns the inventory gauges as
// "name{account,region}" -> value, and the read error count.
func gauges(t *testing.T, m *Metrics) (map[string]float64, float64) {
	t.Helper()
	// The registry collects its collectors concurrently, so the error
	// counter may be read before this scrape's failed read counts itself:
	// take the gauges from the first gather and the counter from a second
	// (which, within the TTL, reads nothing).
	fams, err := m.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	again, err := m.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range again {
		if f.GetName() == "cognitod_inventory_read_errors_total" {
			fams = append(fams, f)
		}
	}
	out := map[string]float64{}
	var errs float64
	for _, f := range fams {
		for _, mt := range f.GetMetric() {
			switch f.GetName() {
			case "cognitod_identity_pools", "cognitod_identities":
				out[f.GetName()+"{"+label(mt, "account")+","+label(mt, "region")+"}"] = mt.GetGauge().GetValue()
			case "cognitod_inventory_read_errors_total":
				errs = mt.GetCounter().GetValue()
			}
		}
	}
	return out, errs
}

func label(m *dto.Metric, name string) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}

func mustUpdate(t *testing.T, s store.Store, fn func(store.Tx) error) {
	t.Helper()
	if err := s.Update(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

// TestInventory checks the gauges' values, that scrapes within the TTL
// reuse one read, that a later scrape reads again, and that a failing
// store keeps the last values and counts the error.
func TestInventory(t *testing.T) {
	st, err := sqlite.Open(context.Background(), sqlite.Memory, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1_700_000_000, 0)
	m := New()
	m.Inventory(st, InventoryOptions{TTL: 10 * time.Second, now: func() time.Time { return now }})
	create := func(acct, region string, pool, identities int) {
		mustUpdate(t, st, func(tx store.Tx) error {
			pid := fmt.Sprintf("%s:pool-%s-%d", region, acct, pool)
			if err := tx.CreatePool(&store.Pool{ID: pid, Account: acct, Region: region, Name: "p"}); err != nil {
				return err
			}
			for k := 0; k < identities; k++ {
				if err := tx.CreateIdentity(&store.Identity{ID: fmt.Sprintf("%s:id-%d", pid, k), PoolID: pid}); err != nil {
					return err
				}
			}
			return nil
		})
	}
	create("111122223333", "us-east-1", 1, 3)
	create("111122223333", "us-east-1", 2, 2)
	create("111122223333", "eu-west-1", 3, 0)

	steps := []struct {
		name    string
		advance time.Duration
		change  func()
		want    map[string]float64
		errs    float64
	}{
		{"first scrape", 0, nil, map[string]float64{
			"cognitod_identity_pools{111122223333,us-east-1}": 2, "cognitod_identities{111122223333,us-east-1}": 5,
			"cognitod_identity_pools{111122223333,eu-west-1}": 1, "cognitod_identities{111122223333,eu-west-1}": 0,
		}, 0},
		{"within the TTL: the cached read", 9 * time.Second, func() { create("444455556666", "us-east-1", 4, 7) }, map[string]float64{
			"cognitod_identity_pools{111122223333,us-east-1}": 2, "cognitod_identities{111122223333,us-east-1}": 5,
			"cognitod_identity_pools{111122223333,eu-west-1}": 1, "cognitod_identities{111122223333,eu-west-1}": 0,
		}, 0},
		{"after the TTL: read again", 2 * time.Second, nil, map[string]float64{
			"cognitod_identity_pools{111122223333,us-east-1}": 2, "cognitod_identities{111122223333,us-east-1}": 5,
			"cognitod_identity_pools{111122223333,eu-west-1}": 1, "cognitod_identities{111122223333,eu-west-1}": 0,
			"cognitod_identity_pools{444455556666,us-east-1}": 1, "cognitod_identities{444455556666,us-east-1}": 7,
		}, 0},
		{"a closed store: last values kept, error counted", 11 * time.Second, func() { st.Close() }, map[string]float64{
			"cognitod_identity_pools{111122223333,us-east-1}": 2, "cognitod_identities{111122223333,us-east-1}": 5,
			"cognitod_identity_pools{111122223333,eu-west-1}": 1, "cognitod_identities{111122223333,eu-west-1}": 0,
			"cognitod_identity_pools{444455556666,us-east-1}": 1, "cognitod_identities{444455556666,us-east-1}": 7,
		}, 1},
		{"a failed read is not retried within the TTL", time.Second, nil, map[string]float64{
			"cognitod_identity_pools{111122223333,us-east-1}": 2, "cognitod_identities{111122223333,us-east-1}": 5,
			"cognitod_identity_pools{111122223333,eu-west-1}": 1, "cognitod_identities{111122223333,eu-west-1}": 0,
			"cognitod_identity_pools{444455556666,us-east-1}": 1, "cognitod_identities{444455556666,us-east-1}": 7,
		}, 1},
	}
	for _, s := range steps {
		now = now.Add(s.advance)
		if s.change != nil {
			s.change()
		}
		got, errs := gauges(t, m)
		if fmt.Sprint(got) != fmt.Sprint(s.want) || errs != s.errs {
			t.Errorf("%s:\n got %v (errors %v)\nwant %v (errors %v)", s.name, got, errs, s.want, s.errs)
		}
	}
}

func TestCapSeries(t *testing.T) {
	c := func(acct string, pools, ids int64) store.IdentityCount {
		return store.IdentityCount{Account: acct, Region: "r", Pools: pools, Identities: ids}
	}
	show := func(cs []store.IdentityCount) string {
		var b strings.Builder
		for _, x := range cs {
			fmt.Fprintf(&b, "%s/%s:%d/%d ", x.Account, x.Region, x.Pools, x.Identities)
		}
		return strings.TrimSpace(b.String())
	}
	in := []store.IdentityCount{c("a", 1, 5), c("b", 2, 50), c("c", 3, 0), c("d", 1, 7)}
	for _, tc := range []struct {
		max  int
		want string
	}{
		{10, "a/r:1/5 b/r:2/50 c/r:3/0 d/r:1/7"},
		{4, "a/r:1/5 b/r:2/50 c/r:3/0 d/r:1/7"},
		{3, "b/r:2/50 d/r:1/7 other/other:4/5"},
		{2, "b/r:2/50 other/other:5/12"},
		{1, "other/other:7/62"},
	} {
		if got := show(capSeries(in, tc.max)); got != tc.want {
			t.Errorf("max %d: got %s, want %s", tc.max, got, tc.want)
		}
	}
	if show(in) != "a/r:1/5 b/r:2/50 c/r:3/0 d/r:1/7" {
		t.Errorf("capSeries changed its input: %s", show(in))
	}
}
