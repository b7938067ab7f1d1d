// Package e2estore picks the store the end-to-end tests' servers run on,
// so that the same tests that drive the real clients against the memory
// store by default can be run against a file or PostgreSQL:
//
//	COGNITOD_E2E_STORE=sqlite   go test ./internal/e2e/...
//	COGNITOD_E2E_STORE=postgres COGNITOD_TEST_POSTGRES=postgres://... go test ./internal/e2e/...
//
// .ci/run does the second after the README's test command.
package e2estore

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/cognitod/cognitod/internal/store/postgres/pgtest"
)

// Env names the environment variable that picks the backend: memory (or
// unset), sqlite or postgres.
const Env = "COGNITOD_E2E_STORE"

// URL returns the store URL for one test's server: "memory"; a file in the
// test's temporary directory for sqlite; a fresh database of its own,
// dropped when the test ends, for postgres (pgtest.Database).
func URL(t testing.TB) string {
	t.Helper()
	switch v := os.Getenv(Env); v {
	case "", "memory":
		return "memory"
	case "sqlite":
		return "sqlite:" + filepath.Join(t.TempDir(), "e2e.db")
	case "postgres":
		return pgtest.Database(t)
	default:
		t.Fatalf("%s=%q: want memory, sqlite or postgres", Env, v)
		return ""
	}
}
