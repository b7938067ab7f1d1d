package server

import (
	"encoding/json"
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
			app := openApp(t, tc.store(t))
			h := app.Handler()
			var p struct{ IdentityPoolId string }
			w := call(h, "CreateIdentityPool", `{"IdentityPoolName":"ids","AllowUnauthenticatedIdentities":true}`)
			if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil || w.Code != 200 {
				t.Fatalf("CreateIdentityPool: %d %s", w.Code, w.Body)
			}
			if v := p.IdentityPoolId[len("us-east-1:")+14]; v != '4' {
				t.Errorf("pool ID %s: UUID version %c, want 4", p.IdentityPoolId, v)
			}
			prev, increasing := "", true
			for range 20 {
				var i struct{ IdentityId string }
				w := call(h, "GetId", `{"IdentityPoolId":"`+p.IdentityPoolId+`"}`)
				if err := json.Unmarshal(w.Body.Bytes(), &i); err != nil || w.Code != 200 {
					t.Fatalf("GetId: %d %s", w.Code, w.Body)
				}
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
