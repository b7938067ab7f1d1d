package sqlite

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/cognitod/cognitod/internal/store"
)

// fixtureDir holds the large databases benchmarks share within one run.
var fixtureDir string

func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "cognitod-sqlite-bench-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fixtureDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

const (
	benchRegion  = "us-east-1"
	benchPool    = "us-east-1:00000000-0000-4000-8000-000000000001"
	benchAccount = "123456789012"
)

// fixture is a database with one pool of n identities, each with one login
// (provider "dev", subject "user-<k>" for k in 1..n).
type fixture struct {
	path string
	n    int
	ids  []string // identity IDs in ID order
}

var (
	fixturesMu sync.Mutex
	fixtures   = map[string]*fixture{}
)

// bigPool returns the fixture of n identities for driver, building it on
// first use. Building goes through the store itself but in bulk: one
// Update whose INSERT ... SELECT statements generate every row in SQLite.
func bigPool(b *testing.B, driver string, n int) *fixture {
	fixturesMu.Lock()
	defer fixturesMu.Unlock()
	key := fmt.Sprint(driver, n)
	if f := fixtures[key]; f != nil {
		return f
	}
	f := &fixture{path: filepath.Join(fixtureDir, fmt.Sprintf("%s-%d.db", driver, n)), n: n}
	start := time.Now()
	s, err := Open(context.Background(), f.path, Options{Driver: driver})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	now := time.Now().UnixNano()
	err = s.Update(context.Background(), func(stx store.Tx) error {
		if err := stx.CreatePool(&store.Pool{ID: benchPool, Account: benchAccount, Region: benchRegion, Name: "big",
			CreatedAt: time.Now(), UpdatedAt: time.Now(), Config: []byte(`{"allowUnauth":true}`)}); err != nil {
			return err
		}
		c := stx.(*tx).c.c
		for _, q := range []struct {
			sql  string
			args []any
		}{
			{`CREATE TEMP TABLE bulk (k INTEGER PRIMARY KEY, id TEXT NOT NULL)`, nil},
			// Random v4-shaped UUIDs, as GetId makes them.
			{`WITH RECURSIVE seq(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM seq WHERE k < ?1)
			 INSERT INTO bulk (k, id) SELECT k, ?2 || ':' || lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' ||
				substr(lower(hex(randomblob(2))), 2) || '-a' || substr(lower(hex(randomblob(2))), 2) || '-' || lower(hex(randomblob(6))) FROM seq`,
				[]any{n, benchRegion}},
			{`INSERT INTO identities (id, pool_id, created, modified, disabled) SELECT id, ?1, ?2 + k, ?2 + k, 0 FROM bulk ORDER BY id`,
				[]any{benchPool, now}},
			{`INSERT INTO logins (pool_id, provider, subject, identity_id, created) SELECT ?1, 'dev', 'user-' || k, id, ?2 + k FROM bulk ORDER BY 'user-' || k`,
				[]any{benchPool, now}},
			{`DROP TABLE bulk`, nil},
		} {
			if _, err := c.ExecContext(context.Background(), q.sql, q.args...); err != nil {
				return fmt.Errorf("%s: %w", q.sql, err)
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	err = s.View(context.Background(), func(stx store.Tx) error {
		rows, err := stx.(*tx).c.c.QueryContext(context.Background(), "SELECT id FROM identities WHERE pool_id = ? ORDER BY id", benchPool)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			rows.Scan(&id)
			f.ids = append(f.ids, id)
		}
		return rows.Err()
	})
	if err != nil || len(f.ids) != n {
		b.Fatalf("fixture has %d identities (%v), want %d", len(f.ids), err, n)
	}
	b.Logf("built %s: %d identities with logins in %v", filepath.Base(f.path), n, time.Since(start).Round(time.Millisecond))
	fixtures[key] = f
	return f
}
