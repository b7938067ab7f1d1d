package sqlite

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cognitod/cognitod/internal/store"
)

// TestQueryPlans calls every Tx method, then asks SQLite for the plan of
// each statement the store prepared: every lookup must use an index. Only
// signing_keys, a handful of rows read whole, may be scanned.
func TestQueryPlans(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "plans.db"), Options{Readers: 1})
	defer s.Close()
	ctx := context.Background()
	now := time.Now()
	const pool, id = "us-east-1:p", "us-east-1:i"
	err := s.Update(ctx, func(tx store.Tx) error {
		tx.CreatePool(&store.Pool{ID: pool, Account: "a", Region: "r"})
		tx.GetPool(pool)
		tx.UpdatePool(&store.Pool{ID: pool})
		tx.ListPools("a", "r", "", 10)
		tx.CountPools("a", "r")
		tx.CreateIdentity(&store.Identity{ID: id, PoolID: pool, CreatedAt: now})
		tx.CreateIdentity(&store.Identity{ID: id + "2", PoolID: pool, CreatedAt: now})
		tx.GetIdentity(id)
		tx.UpdateIdentity(&store.Identity{ID: id})
		tx.ListIdentities(pool, "", 60, false)
		tx.ListIdentities(pool, "", 60, true)
		tx.ListPoolIdentities(pool, "", 60, false)
		tx.ListPoolIdentities(pool, "", 60, true)
		tx.AddLogin(&store.Login{PoolID: pool, Provider: "p", Subject: "s", IdentityID: id})
		tx.FindLogin(pool, "p", "s")
		tx.ListLogins(id, "", "", 0)
		tx.ListLogins(id, "p", "", 0)
		tx.MoveLogins(id, id+"2")
		tx.RemoveLogin(pool, "p", "s")
		tx.PutSecret("k", []byte("v"))
		tx.GetSecret("k")
		tx.AddSigningKey(&store.SigningKey{KID: "k"})
		tx.ListSigningKeys()
		tx.RecordCredentials(&store.Credentials{AccessKeyID: "A", IdentityID: id, PoolID: pool})
		// Cognito Sync.
		v := "v"
		tx.PutSyncPool(&store.SyncPool{PoolID: pool, DataStorage: 2})
		tx.GetSyncPool(pool)
		tx.ListPoolUsage("a", "r", "", 60)
		tx.PutIdentityUsage(&store.IdentityUsage{IdentityID: id, PoolID: pool, DataStorage: 2})
		tx.GetIdentityUsage(id)
		tx.PutDataset(&store.Dataset{IdentityID: id, Name: "d", PoolID: pool})
		tx.GetDataset(id, "d")
		tx.ListDatasets(id, "", 0)
		tx.PutRecord(&store.Record{IdentityID: id, Dataset: "d", PoolID: pool, Key: "k", Value: &v})
		tx.GetRecord(id, "d", "k")
		tx.ListRecords(id, "d", 0, "", 0)
		tx.ListPoolRecords(pool, store.RecordPos{}, 10)
		tx.DeleteRecords(id, "d")
		tx.DropDataset(id, "d")
		tx.AddDevice(&store.Device{ID: "dev", IdentityID: id, PoolID: pool, Platform: "GCM", Token: "t"})
		tx.GetDevice("dev")
		tx.FindDevice(id, "GCM", "t")
		tx.Subscribe(&store.Subscription{IdentityID: id, Dataset: "d", DeviceID: "dev"})
		tx.ListSubscriptions(id, "d")
		tx.Unsubscribe(id, "d", "dev")
		tx.PutBulkPublish(&store.BulkPublish{PoolID: pool, Status: "IN_PROGRESS"})
		tx.GetBulkPublish(pool)
		tx.DeleteIdentity(id)
		tx.DeletePool(pool)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The writer is idle once Update has returned; borrow its connection.
	c := s.writer
	checked := 0
	queries := map[string]bool{}
	for q := range c.stmts {
		queries[q] = true
	}
	for q := range c.raw { // the writes, and the page read, past database/sql
		queries[q] = true
	}
	for q := range queries {
		switch strings.Fields(q)[0] {
		case "BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE":
			continue
		}
		args := make([]any, strings.Count(q, "?"))
		rows, err := c.c.QueryContext(ctx, "EXPLAIN QUERY PLAN "+q, args...)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		coroutines := map[string]bool{}
		for _, step := range plan {
			if name, ok := strings.CutPrefix(step, "CO-ROUTINE "); ok {
				coroutines[name] = true
			}
		}
		for _, step := range plan {
			name, scan := strings.CutPrefix(step, "SCAN ")
			// A co-routine is a subquery's own bounded output (planned on
			// its own lines), not a table; signing_keys is read whole.
			if scan && !coroutines[name] && name != "signing_keys" {
				t.Errorf("%s\nscans a table:\n\t%s", q, strings.Join(plan, "\n\t"))
			}
		}
		checked++
	}
	if checked < 40 {
		t.Fatalf("checked only %d statements", checked)
	}
}
