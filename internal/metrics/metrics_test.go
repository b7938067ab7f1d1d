package metrics

import (
	"context"
	"testing"

	"github.com/cognitod/cognitod/internal/store"
	"github.com/cognitod/cognitod/internal/store/sqlite"
)

// TestStorePassesOnOptionalInterfaces: the wrapper hides the store's type,
// so each optional interface the services look for must be passed on.
func TestStorePassesOnOptionalInterfaces(t *testing.T) {
	st, err := sqlite.Open(context.Background(), sqlite.Memory, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	w := New().Store(st)
	if !store.PrefersOrderedIDs(w) {
		t.Error("PrefersOrderedIDs is not passed on")
	}
	g, ok, err := store.Generation(context.Background(), w)
	want, _, _ := st.Generation(context.Background())
	if !ok || err != nil || g != want {
		t.Errorf("Generation through the wrapper: %d, %v, %v; the store's: %d", g, ok, err, want)
	}
}

// TestBatching: the writer's commits and the Updates they carried are
// exported, read from the store at each scrape.
func TestBatching(t *testing.T) {
	b := &batchingStore{commits: 7, updates: 40}
	m := New()
	m.Batching(b)
	scrape := func() map[string]float64 {
		t.Helper()
		families, err := m.reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]float64{}
		for _, f := range families {
			if len(f.Metric) == 1 && f.Metric[0].Counter != nil {
				got[f.GetName()] = f.Metric[0].Counter.GetValue()
			}
		}
		return got
	}
	for _, want := range [][2]uint64{{7, 40}, {9, 61}} {
		b.commits, b.updates = want[0], want[1]
		got := scrape()
		if got["cognitod_store_commits_total"] != float64(want[0]) || got["cognitod_store_batched_updates_total"] != float64(want[1]) {
			t.Errorf("scraped %v, want %d commits and %d updates", got, want[0], want[1])
		}
	}
	// A store that does not batch registers nothing.
	m = New()
	m.Batching(struct{ store.Store }{})
	if got := scrape(); got["cognitod_store_commits_total"] != 0 {
		t.Errorf("scraped %v from a store without batches", got)
	}
}

type batchingStore struct {
	store.Store
	commits, updates uint64
}

func (b *batchingStore) BatchCounts() (uint64, uint64) { return b.commits, b.updates }
