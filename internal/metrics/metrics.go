// Package metrics exposes cognitod's Prometheus metrics: requests by
// service, operation and error code, request latency, and store transaction
// latency.
package metrics

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/cognitod/cognitod/internal/store"
)

// Metrics holds the collectors of one server.
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	storeLat *prometheus.HistogramVec
}

// New registers cognitod's collectors (and the Go and process collectors)
// in a registry of their own.
func New() *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "cognitod_requests_total",
		Help: "API requests answered, by service, operation, error code (\"\" for success) and HTTP status.",
	}, []string{"service", "operation", "code", "status"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "cognitod_request_duration_seconds",
		Help:    "Time from the request's arrival to its answer, by service and operation.",
		Buckets: prometheus.ExponentialBuckets(0.0001, 2, 18), // 100 µs .. 13 s
	}, []string{"service", "operation"})
	m.storeLat = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "cognitod_store_transaction_duration_seconds",
		Help:    "Store transaction time, queueing for the writer included, by kind (view or update).",
		Buckets: prometheus.ExponentialBuckets(0.00005, 2, 18),
	}, []string{"kind"})
	m.reg.MustRegister(m.requests, m.latency, m.storeLat,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Observe records one answered request (an api.Observer).
func (m *Metrics) Observe(service, op, code string, status int, d time.Duration) {
	if op == "" {
		op = "unknown"
	}
	m.requests.WithLabelValues(service, op, code, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(service, op).Observe(d.Seconds())
}

// Handler serves the metrics in Prometheus' text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// Batching registers cognitod_store_commits_total and
// cognitod_store_batched_updates_total, read from st when scraped, if st
// commits Updates in batches (store.Batching). Pass the store itself, not
// the wrapper Store returns.
func (m *Metrics) Batching(st store.Store) {
	b, ok := st.(store.Batching)
	if !ok {
		return
	}
	m.reg.MustRegister(
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "cognitod_store_commits_total",
			Help: "Transactions the store's writer has committed, each carrying a batch of Updates (SQLite: one fsync each).",
		}, func() float64 { c, _ := b.BatchCounts(); return float64(c) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "cognitod_store_batched_updates_total",
			Help: "Updates run in those transactions; divided by cognitod_store_commits_total, the mean batch (see --commit-delay).",
		}, func() float64 { _, u := b.BatchCounts(); return float64(u) }),
	)
}

// Store wraps st so that every transaction's duration is recorded.
func (m *Metrics) Store(st store.Store) store.Store {
	return &timedStore{Store: st, view: m.storeLat.WithLabelValues("view"), update: m.storeLat.WithLabelValues("update")}
}

type timedStore struct {
	store.Store
	view, update prometheus.Observer
}

func (t *timedStore) View(ctx context.Context, fn func(store.Tx) error) error {
	start := time.Now()
	err := t.Store.View(ctx, fn)
	t.view.Observe(time.Since(start).Seconds())
	return err
}

func (t *timedStore) Update(ctx context.Context, fn func(store.Tx) error) error {
	start := time.Now()
	err := t.Store.Update(ctx, fn)
	t.update.Observe(time.Since(start).Seconds())
	return err
}

// PrefersOrderedIDs passes on the wrapped store's preference
// (store.OrderedIDs), which the embedded interface would hide.
func (t *timedStore) PrefersOrderedIDs() bool { return store.PrefersOrderedIDs(t.Store) }

// Generation passes on the wrapped store's generation (store.Generations),
// which the embedded interface would hide.
func (t *timedStore) Generation(ctx context.Context) (uint64, bool, error) {
	return store.Generation(ctx, t.Store)
}
