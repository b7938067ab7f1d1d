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
