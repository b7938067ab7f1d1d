package postgres

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cognitod/cognitod/internal/store"
	"github.com/cognitod/cognitod/internal/store/postgres/pgtest"
)

// TestQueryPlans calls every Tx method, recording each statement the store
// sends with its arguments, then asks PostgreSQL for the plan of each with
// sequential scans disabled: a statement that still plans a Seq Scan has no
// index to use. Only signing_keys, a handful of rows read whole, may be
// scanned. It also checks that every foreign key's child column leads an
// index, so that cascading deletes seek rather than scan.
func TestQueryPlans(t *testing.T) {
	dsn := pgtest.Database(t)
	s := open(t, dsn, Options{})
	defer s.Close()
	ctx := context.Background()

	var mu sync.Mutex
	seen := map[string][]any{}
	s.trace = func(sql string, args []any) {
		mu.Lock()
		defer mu.Unlock()
		if _, ok := seen[sql]; !ok {
			seen[sql] = args
		}
	}
	now := time.Now()
	const pool, id = "us-east-1:p", "us-east-1:i"
	err := s.Update(ctx, func(tx store.Tx) error {
		tx.CreatePool(&store.Pool{ID: pool, Account: "a", Region: "r"})
		tx.CreatePool(&store.Pool{ID: pool, Account: "a", Region: "r"}) // ErrExists path
		tx.GetPool(pool)
		tx.UpdatePool(&store.Pool{ID: pool})
		tx.ListPools("a", "r", "", 10)
		tx.CountPools("a", "r")
		tx.CreateIdentity(&store.Identity{ID: id, PoolID: pool, CreatedAt: now})
		tx.CreateIdentity(&store.Identity{ID: id + "2", PoolID: pool, CreatedAt: now})
		tx.CreateIdentity(&store.Identity{ID: id + "3", PoolID: "missing", CreatedAt: now}) // parent check
		tx.GetIdentity(id)
		tx.UpdateIdentity(&store.Identity{ID: id})
		tx.ListIdentities(pool, "", 60, false)
		tx.ListIdentities(pool, "", 60, true)
		tx.AddLogin(&store.Login{PoolID: pool, Provider: "p", Subject: "s", IdentityID: id})
		tx.AddLogin(&store.Login{PoolID: pool, Provider: "p", Subject: "s", IdentityID: id})
		tx.FindLogin(pool, "p", "s")
		tx.ListLogins(id, "", "", 0)
		tx.ListLogins(id, "p", "", 0)
		tx.MoveLogins(id, id+"2")
		tx.RemoveLogin(pool, "p", "s")
		tx.PutSecret("k", []byte("v"))
		tx.GetSecret("k")
		tx.AddSigningKey(&store.SigningKey{KID: "k", CreatedAt: now})
		tx.ListSigningKeys()
		tx.RetireSigningKey("k", now)
		tx.RecordCredentials(&store.Credentials{AccessKeyID: "A", IdentityID: id, PoolID: pool})
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
		tx.AddDevice(&store.Device{ID: "dev", IdentityID: id, PoolID: pool, Platform: "GCM", Token: "t"})
		tx.GetDevice("dev")
		tx.FindDevice(id, "GCM", "t")
		tx.Subscribe(&store.Subscription{IdentityID: id, Dataset: "d", DeviceID: "dev"})
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
	s.trace = nil

	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	// The check itself: a lookup by an unindexed column must show up.
	if plan, err := explain(ctx, conn, "SELECT 1 FROM records WHERE modified_by = $1", []any{b("x")}); err != nil ||
		!strings.Contains(strings.Join(plan, "\n"), "Seq Scan on records") {
		t.Fatalf("an unindexed lookup does not plan a Seq Scan: %q, %v", plan, err)
	}
	checked := 0
	for q, args := range seen {
		plan, err := explain(ctx, conn, q, args)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		for _, step := range plan {
			if strings.Contains(step, "Seq Scan on") && !strings.Contains(step, "Seq Scan on signing_keys") {
				t.Errorf("%s\nscans a table:\n\t%s", q, strings.Join(plan, "\n\t"))
				break
			}
		}
		checked++
	}
	if checked < 45 {
		t.Fatalf("checked only %d statements", checked)
	}

	// Every foreign key's columns lead an index of the child table.
	rows, err := conn.Query(ctx, `SELECT c.conrelid::regclass::text, c.conname FROM pg_constraint c
WHERE c.contype = 'f' AND NOT EXISTS (
	SELECT 1 FROM pg_index i WHERE i.indrelid = c.conrelid
	AND (i.indkey::int2[])[0:array_length(c.conkey, 1) - 1] = c.conkey)`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var table, fk string
		if err := rows.Scan(&table, &fk); err != nil {
			t.Fatal(err)
		}
		t.Errorf("foreign key %s of %s has no index led by its columns: cascades would scan", fk, table)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}

// explain returns the plan of q with args, sequential scans disabled.
func explain(ctx context.Context, conn *pgx.Conn, q string, args []any) ([]string, error) {
	t, err := conn.Begin(ctx)
	if err != nil {
		return nil, err
	}
	defer t.Rollback(ctx)
	if _, err := t.Exec(ctx, "SET LOCAL enable_seqscan = off"); err != nil {
		return nil, err
	}
	rows, err := t.Query(ctx, "EXPLAIN "+q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return nil, err
		}
		plan = append(plan, line)
	}
	return plan, rows.Err()
}
