// Package pgtest gives tests a fresh PostgreSQL database of their own.
//
// Tests that need PostgreSQL call Database. It reads the server's URL from
// COGNITOD_TEST_POSTGRES (a role that may CREATE DATABASE), creates a
// database with a random name and drops it when the test ends, so tests
// never see each other's data. Without COGNITOD_TEST_POSTGRES the test is
// skipped with a message saying how to run it, except under CI (CI=true),
// where it fails: CI must run these tests, never skip them.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Env is the environment variable holding the server's URL.
const Env = "COGNITOD_TEST_POSTGRES"

// HowTo says how to run the PostgreSQL tests.
const HowTo = Env + ` is not set: PostgreSQL tests skipped. To run them, point it at a server
where the role may CREATE DATABASE (each test makes and drops its own), e.g.
  pg_ctlcluster 15 main start
  su postgres -c "psql -c \"CREATE ROLE cognitod_test LOGIN CREATEDB PASSWORD 'cognitod_test'\""
  ` + Env + `='postgres://cognitod_test:cognitod_test@127.0.0.1:5432/postgres?sslmode=disable' go test ./...
or run .ci/run, which installs and starts PostgreSQL and does all of this.`

// Server returns the server URL from the environment, skipping the test
// (failing it under CI=true) when there is none.
func Server(t testing.TB) string {
	t.Helper()
	base := os.Getenv(Env)
	if base == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but %s is not set: under CI the PostgreSQL tests must run, not skip (.ci/run sets it)", Env)
		}
		t.Skip(HowTo)
	}
	return base
}

// Database creates a fresh, empty database and returns its URL (the
// server's URL with the database name replaced). It is dropped when the
// test ends, whatever is still connected to it.
func Database(t testing.TB) string {
	t.Helper()
	base := Server(t)
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s: %v", Env, err)
	}
	var r [6]byte
	rand.Read(r[:])
	name := "cognitod_test_" + hex.EncodeToString(r[:])
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("connecting to %s: %v", Env, err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("CREATE DATABASE %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		admin, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("dropping %s: %v", name, err)
			return
		}
		defer admin.Close(ctx)
		// Plain DROP first: it stops autovacuum on the database itself,
		// where WITH (FORCE) would need the right to signal it. FORCE is
		// for a test that left a connection open; CASCADE is how
		// CockroachDB drops a database that has tables.
		for attempt := 0; ; attempt++ {
			_, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+name)
			if err == nil {
				return
			}
			if _, ferr := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); ferr == nil {
				return
			}
			if _, cerr := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" CASCADE"); cerr == nil {
				return
			}
			if attempt == 20 {
				t.Errorf("DROP DATABASE %s: %v", name, err)
				return
			}
			time.Sleep(250 * time.Millisecond)
		}
	})
	u.Path = "/" + name
	return u.String()
}
