package sqlite

import (
	"testing"
)

// listPoolSize is the pool the pagination benchmarks page through: a
// million identities, or 100,000 with -short.
func listPoolSize() int {
	if testing.Short() {
		return 100_000
	}
	return 1_000_000
}

// BenchmarkListIdentitiesFirstPage and BenchmarkListIdentitiesLastPage read
// a 60-identity page (logins included) at either end of a large pool.
// Keyset pagination seeks straight to the page, so the two cost the same;
// an OFFSET scheme would make the last page a million rows dearer.
func BenchmarkListIdentitiesFirstPage(b *testing.B) {
	benchListAt(b, func(f *fixture) string { return "" })
}

func BenchmarkListIdentitiesLastPage(b *testing.B) {
	benchListAt(b, func(f *fixture) string { return f.ids[f.n-61] })
}

func benchListAt(b *testing.B, after func(*fixture) string) {
	f := bigPool(b, DefaultDriver, listPoolSize())
	s := open(b, f.path, Options{})
	defer s.Close()
	a := after(f)
	b.ResetTimer()
	for b.Loop() {
		listPage(b, s, a, 60)
	}
}
