package metrics

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cognitod/cognitod/internal/store"
)

// Inventory defaults.
const (
	// DefaultInventoryTTL is how long one read of the store's counters
	// answers scrapes: a storm of scrapes (several Prometheus servers, a
	// dashboard refreshing) costs one read every few seconds.
	DefaultInventoryTTL = 5 * time.Second
	// DefaultInventorySeries bounds the (account, region) series of each
	// gauge. A server holding more accounts than that keeps the largest
	// and sums the rest into account="other", region="other", so a
	// multi-tenant deployment cannot flood Prometheus with series.
	DefaultInventorySeries = 500
	// inventoryTimeout bounds one read of the counters, so that a stuck
	// store cannot hold every scrape.
	inventoryTimeout = 5 * time.Second
)

// InventoryOptions tune Inventory; the zero value uses the defaults.
type InventoryOptions struct {
	TTL       time.Duration
	MaxSeries int
	// now replaces time.Now in tests.
	now func() time.Time
}

// Inventory registers the gauges cognitod_identity_pools and
// cognitod_identities{account,region}, read from st's running counters
// (store.Tx.IdentityCounts) when scraped, at most once per TTL.
func (m *Metrics) Inventory(st store.Store, opts InventoryOptions) {
	if opts.TTL <= 0 {
		opts.TTL = DefaultInventoryTTL
	}
	if opts.MaxSeries <= 0 {
		opts.MaxSeries = DefaultInventorySeries
	}
	if opts.now == nil {
		opts.now = time.Now
	}
	c := &inventory{
		st:   st,
		opts: opts,
		pools: prometheus.NewDesc("cognitod_identity_pools",
			"Identity pools stored, by account and region (read from the store at most every few seconds).",
			[]string{"account", "region"}, nil),
		identities: prometheus.NewDesc("cognitod_identities",
			"Identities stored, disabled (merged) ones included, by account and region (read from the store's running counters at most every few seconds).",
			[]string{"account", "region"}, nil),
		errors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "cognitod_inventory_read_errors_total",
			Help: "Failed reads of the store's identity counters; the gauges then keep their last values.",
		}),
	}
	m.reg.MustRegister(c, c.errors)
}

// inventory is a prometheus.Collector over the store's identity counters.
type inventory struct {
	st                store.Store
	opts              InventoryOptions
	pools, identities *prometheus.Desc
	errors            prometheus.Counter

	mu     sync.Mutex // held across a refresh: concurrent scrapes wait for one read
	tried  time.Time  // when a read was last attempted
	counts []store.IdentityCount
}

func (c *inventory) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.pools
	ch <- c.identities
}

func (c *inventory) Collect(ch chan<- prometheus.Metric) {
	for _, n := range c.get() {
		ch <- prometheus.MustNewConstMetric(c.pools, prometheus.GaugeValue, float64(n.Pools), n.Account, n.Region)
		ch <- prometheus.MustNewConstMetric(c.identities, prometheus.GaugeValue, float64(n.Identities), n.Account, n.Region)
	}
}

// get returns the cached counts, reading them again when older than the
// TTL. A failed read keeps the last counts (and is not tried again before
// the TTL has passed, so a failing store is not hammered by scrapes).
func (c *inventory) get() []store.IdentityCount {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.opts.now()
	if now.Sub(c.tried) < c.opts.TTL && !c.tried.IsZero() {
		return c.counts
	}
	c.tried = now
	ctx, cancel := context.WithTimeout(context.Background(), inventoryTimeout)
	defer cancel()
	var got []store.IdentityCount
	err := c.st.View(ctx, func(tx store.Tx) error {
		var err error
		got, err = tx.IdentityCounts()
		return err
	})
	if err != nil {
		c.errors.Inc()
		return c.counts
	}
	c.counts = capSeries(got, c.opts.MaxSeries)
	return c.counts
}

// capSeries keeps the max-1 (account, region) entries holding the most
// identities (then pools) and sums the others into one "other" entry, so
// that at most max series are exported per gauge.
func capSeries(cs []store.IdentityCount, max int) []store.IdentityCount {
	if len(cs) <= max {
		return cs
	}
	cs = slices.Clone(cs)
	slices.SortStableFunc(cs, func(a, b store.IdentityCount) int {
		if c := cmp.Compare(b.Identities, a.Identities); c != 0 {
			return c
		}
		return cmp.Compare(b.Pools, a.Pools)
	})
	rest := store.IdentityCount{Account: "other", Region: "other"}
	for _, c := range cs[max-1:] {
		rest.Pools += c.Pools
		rest.Identities += c.Identities
	}
	return append(cs[:max-1], rest)
}
