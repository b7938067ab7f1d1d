package server

import (
	"path/filepath"
	"testing"

	"github.com/cognitod/cognitod/internal/store/postgres/pgtest"
)

// TestIdentityIDVersions: wired up (through the metrics wrapper around the
// store), GetId hands out UUID version 7 identity IDs in increasing order
// on SQLite, and random version 4 IDs on PostgreSQL, where a database
// partitioned by key ranges would otherwise put every new identity in one
// range. Pools have random IDs on both.
func TestIdentityIDVersions(t *testing.T) {
	for _, tc := range []struct {
		name    string
		store   func(t *testing.T) string
		version byte
	}{
		{"sqlite", func(t *testing.T) string { return "sqlite:" + filepath.Join(t.TempDir(), "c.db") }, '7'},
		{"postgres", func(t *testing.T) string { return pgtest.Database(t) }, '4'},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := openApp(t, tc.store(t)).Handler()
			pool := benchPool(t, h)
			if v := pool[len("us-east-1:")+14]; v != '4' {
				t.Errorf("pool ID %s: UUID version %c, want 4", pool, v)
			}
			prev, increasing := "", true
			for range 20 {
				var i struct{ IdentityId string }
				mustCall(t, h, "GetId", `{"IdentityPoolId":"`+pool+`"}`, &i)
				if v := i.IdentityId[len("us-east-1:")+14]; v != tc.version {
					t.Fatalf("identity ID %s: UUID version %c, want %c", i.IdentityId, v, tc.version)
				}
				increasing = increasing && i.IdentityId > prev
				prev = i.IdentityId
			}
			if want := tc.version == '7'; increasing != want {
				t.Errorf("20 identity IDs in increasing order: %v, want %v", increasing, want)
			}
		})
	}
}
