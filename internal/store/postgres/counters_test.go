package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cognitod/cognitod/internal/store"
	"github.com/cognitod/cognitod/internal/store/conformance"
	"github.com/cognitod/cognitod/internal/store/postgres/pgtest"
)

// TestCountersBackfill writes pools and identities into a database at the
// schema before the counters, as the cognitod of that version did, then
// opens it: the migration must count what is there.
func TestCountersBackfill(t *testing.T) {
	before := slices.Index(migrations, countersMigration) // the migrations before it
	if before < 0 {
		t.Fatal("countersMigration is not one of the migrations")
	}
	pgtest.Server(t)
	conformance.RunBackfill(t, func(t *testing.T, seed conformance.BackfillSeed) store.Store {
		dsn := pgtest.Database(t)
		ctx := context.Background()
		c, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close(ctx)
		exec := func(q string, args ...any) {
			t.Helper()
			if _, err := c.Exec(ctx, q, args...); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		exec(createMigrations)
		exec("INSERT INTO schema_migrations (version, applied) VALUES (0, 0)")
		for k, q := range migrations[:before] {
			exec(q)
			exec("INSERT INTO schema_migrations (version, applied) VALUES ($1, $2)", k+1, time.Now().UnixNano())
		}
		for _, p := range seed.Pools {
			exec("INSERT INTO pools (id, account, region, name, created, updated, config) VALUES ($1, $2, $3, $4, $5, $6, $7)",
				b(p.ID), b(p.Account), b(p.Region), b(p.Name), nanos(p.CreatedAt), nanos(p.UpdatedAt), p.Config)
		}
		for _, i := range seed.Identities {
			exec("INSERT INTO identities (id, pool_id, created, modified, disabled) VALUES ($1, $2, $3, $4, $5)",
				b(i.ID), b(i.PoolID), nanos(i.CreatedAt), nanos(i.ModifiedAt), i.Disabled)
		}
		return open(t, dsn, Options{})
	})
}

// BenchmarkGetIdNewParallel runs what GetId does for a new login (find the
// login, create the identity, add the login) from parallel goroutines
// into one pool, and reports how often a transaction had to run again:
// the cost of the identity counters' shared rows under SERIALIZABLE.
// Compare with store.CounterShards changed, or before the counters:
//
//	go test -run XXX -bench GetIdNewParallel -cpu 8 ./internal/store/postgres
func BenchmarkGetIdNewParallel(b *testing.B) {
	s := open(b, pgtest.Database(b), Options{})
	defer s.Close()
	const pool = "us-east-1:bench"
	mustUpdate(b, s, func(tx store.Tx) error { return tx.CreatePool(newPool(pool)) })
	ctx := context.Background()
	before := s.Retries()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			var r [16]byte
			rand.Read(r[:])
			id, subject := "us-east-1:"+hex.EncodeToString(r[:]), hex.EncodeToString(r[:8])
			err := s.Update(ctx, func(tx store.Tx) error {
				if _, err := tx.FindLogin(pool, "dev", subject); !errors.Is(err, store.ErrNotFound) {
					return err
				}
				now := time.Now()
				if err := tx.CreateIdentity(&store.Identity{ID: id, PoolID: pool, CreatedAt: now, ModifiedAt: now}); err != nil {
					return err
				}
				return tx.AddLogin(&store.Login{PoolID: pool, Provider: "dev", Subject: subject, IdentityID: id, CreatedAt: now})
			})
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(s.Retries()-before)/float64(b.N), "retries/op")
}
