package server

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/cognitod/cognitod/internal/auth"
)

// TestIdentityIDsOrderedOnSQLite: wired up (through the metrics wrapper
// around the store), GetId on SQLite hands out UUID version 7 identity IDs
// in increasing order, and pools keep random version 4 IDs.
func TestIdentityIDsOrderedOnSQLite(t *testing.T) {
	app, err := Open(context.Background(), &Options{Store: "sqlite:" + filepath.Join(t.TempDir(), "c.db"), Auth: auth.ModeAny,
		DataDir: t.TempDir(), Addr: "127.0.0.1:9230"}, slog.New(slog.NewTextHandler(io.Discard, nil)), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	h := app.Handler()
	var p struct{ IdentityPoolId string }
	w := call(h, "CreateIdentityPool", `{"IdentityPoolName":"ids","AllowUnauthenticatedIdentities":true}`)
	if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil || w.Code != 200 {
		t.Fatalf("CreateIdentityPool: %d %s", w.Code, w.Body)
	}
	if v := p.IdentityPoolId[len("us-east-1:")+14]; v != '4' {
		t.Errorf("pool ID %s: UUID version %c, want 4", p.IdentityPoolId, v)
	}
	prev := ""
	for range 20 {
		var i struct{ IdentityId string }
		w := call(h, "GetId", `{"IdentityPoolId":"`+p.IdentityPoolId+`"}`)
		if err := json.Unmarshal(w.Body.Bytes(), &i); err != nil || w.Code != 200 {
			t.Fatalf("GetId: %d %s", w.Code, w.Body)
		}
		if v := i.IdentityId[len("us-east-1:")+14]; v != '7' {
			t.Fatalf("identity ID %s: UUID version %c, want 7", i.IdentityId, v)
		}
		if i.IdentityId <= prev {
			t.Fatalf("identity ID %s after %s", i.IdentityId, prev)
		}
		prev = i.IdentityId
	}
}
