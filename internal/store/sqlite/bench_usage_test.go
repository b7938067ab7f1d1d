package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/cognitod/cognitod/internal/store"
)

// usagePools is how many pools the ListPoolUsage benchmarks list.
const usagePools = 1000

// usageRecords is how many records each pool of the loaded fixture holds:
// 20 identities with two datasets of 25 records (a million records in
// all), or 2 records per dataset with -short.
func usageRecords() (identities, datasets, records int) {
	if testing.Short() {
		return 20, 2, 2
	}
	return 20, 2, 25
}

// usageFixture returns a database of usagePools pools of benchAccount in
// benchRegion, three in four with a sync_pools row. Loaded, every pool also
// holds identities with usage rows, datasets and records; otherwise the
// pools are empty. Built in one Update by INSERT ... SELECT.
func usageFixture(b *testing.B, loaded bool) string {
	fixturesMu.Lock()
	defer fixturesMu.Unlock()
	ids, sets, recs := usageRecords()
	key := fmt.Sprintf("usage-%d", 0)
	if loaded {
		key = fmt.Sprintf("usage-%d", ids*sets*recs)
	}
	if f := fixtures[key]; f != nil {
		return f.path
	}
	f := &fixture{path: filepath.Join(fixtureDir, key+".db")}
	start := time.Now()
	s, err := Open(context.Background(), f.path, Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	now := time.Now().UnixNano()
	qs := []struct {
		sql  string
		args []any
	}{
		{`WITH RECURSIVE seq(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM seq WHERE k < ?1 - 1)
		 INSERT INTO pools (id, account, region, name, created, updated, config)
		 SELECT printf('%s:%08x-0000-4000-8000-%012x', ?2, k, k), ?3, ?2, 'pool_' || k, ?4, ?4, '{"allowUnauth":true}' FROM seq`,
			[]any{usagePools, benchRegion, benchAccount, now}},
		{`INSERT INTO sync_pools (pool_id, config, sync_sessions, data_storage, modified)
		 SELECT id, '{"CognitoStreams":{"StreamName":"s"}}', rowid, 0, ?1 FROM pools WHERE rowid % 4 <> 0`, []any{now}},
	}
	if loaded {
		qs = append(qs, []struct {
			sql  string
			args []any
		}{
			// Random v4-shaped identity IDs, so pools' identities interleave.
			{`WITH RECURSIVE seq(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM seq WHERE k < ?1 - 1)
			 INSERT INTO identities (id, pool_id, created, modified, disabled)
			 SELECT ?2 || ':' || lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' ||
				substr(lower(hex(randomblob(2))), 2) || '-a' || substr(lower(hex(randomblob(2))), 2) || '-' || lower(hex(randomblob(6))),
				p.id, ?3, ?3, 0 FROM pools p, seq`, []any{ids, benchRegion, now}},
			{`WITH RECURSIVE seq(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM seq WHERE k < ?1 - 1)
			 INSERT INTO datasets (identity_id, name, pool_id, created, modified, modified_by, sync_count, data_storage,
				num_records, deleted, deleted_sync_count, merged_from)
			 SELECT i.id, 'dataset-' || k, i.pool_id, ?2, ?2, '', ?3, ?3 * 40, ?3, 0, 0, '' FROM identities i, seq ORDER BY i.id, k`,
				[]any{sets, now, recs}},
			{`WITH RECURSIVE seq(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM seq WHERE k < ?1 - 1)
			 INSERT INTO records (identity_id, dataset, key, sync_count, modified, device_modified, pool_id, modified_by, value)
			 SELECT d.identity_id, d.name, printf('key-%04d', k), k + 1, ?2, ?2, d.pool_id, '', printf('value-%030d', k)
			 FROM datasets d, seq ORDER BY d.identity_id, d.name, k`, []any{recs, now}},
			{`INSERT INTO identity_usage (identity_id, pool_id, dataset_count, data_storage, modified)
			 SELECT identity_id, pool_id, count(*), sum(data_storage), ?1 FROM datasets GROUP BY identity_id`, []any{now}},
			{`UPDATE sync_pools SET data_storage = (SELECT sum(data_storage) FROM identity_usage u WHERE u.pool_id = sync_pools.pool_id)`, nil},
		}...)
	}
	err = s.Update(context.Background(), func(stx store.Tx) error {
		for _, q := range qs {
			if _, err := stx.(*tx).c.c.ExecContext(context.Background(), q.sql, q.args...); err != nil {
				return fmt.Errorf("%s: %w", q.sql, err)
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	var records int
	s.View(context.Background(), func(stx store.Tx) error {
		return stx.(*tx).c.c.QueryRowContext(context.Background(), "SELECT count(*) FROM records").Scan(&records)
	})
	b.Logf("built %s: %d pools, %d records in %v", filepath.Base(f.path), usagePools, records, time.Since(start).Round(time.Millisecond))
	fixtures[key] = f
	return f.path
}

// BenchmarkListPoolUsage reads a ListPoolUsage page of 60 (the API's
// largest) at the start and at the end of 1,000 pools, whose pools hold
// either nothing or a thousand records each (a million in all). Usage is
// kept in counters, so the page costs the same in all four cases: one
// statement, a seek into pools' index and one into sync_pools per pool.
func BenchmarkListPoolUsage(b *testing.B) {
	for _, loaded := range []bool{false, true} {
		name := "empty"
		if loaded {
			name = "loaded"
		}
		for _, at := range []string{"first", "last"} {
			b.Run(name+"/"+at, func(b *testing.B) {
				s := open(b, usageFixture(b, loaded), Options{})
				defer s.Close()
				after := ""
				if at == "last" {
					after = fmt.Sprintf("%s:%08x-0000-4000-8000-%012x", benchRegion, usagePools-61, usagePools-61)
				}
				before := s.QueryCount()
				b.ResetTimer()
				for b.Loop() {
					err := s.View(context.Background(), func(tx store.Tx) error {
						us, err := tx.ListPoolUsage(benchAccount, benchRegion, after, 60)
						if err != nil {
							return err
						}
						if len(us) != 60 {
							return fmt.Errorf("page after %q: %d pools", after, len(us))
						}
						for _, u := range us {
							if (u.Sync == nil) != (u.Pool.ID[len(u.Pool.ID)-1] == '3' || u.Pool.ID[len(u.Pool.ID)-1] == '7' ||
								u.Pool.ID[len(u.Pool.ID)-1] == 'b' || u.Pool.ID[len(u.Pool.ID)-1] == 'f') {
								return fmt.Errorf("pool %s: Sync %v", u.Pool.ID, u.Sync)
							}
							if loaded && u.Sync != nil && u.Sync.DataStorage == 0 {
								return fmt.Errorf("pool %s: no DataStorage", u.Pool.ID)
							}
						}
						return nil
					})
					if err != nil {
						b.Fatal(err)
					}
				}
				b.StopTimer()
				// A View is BEGIN, the statement, ROLLBACK.
				b.ReportMetric(float64(s.QueryCount()-before)/float64(b.N)-2, "queries/page")
			})
		}
	}
}
