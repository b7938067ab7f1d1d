package sqlite

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/cognitod/cognitod/internal/store"
)

// TestGenerationSeesOtherProcess: a commit by another process changes the
// generation, though this store's writer counted nothing, whether it is
// seen in the WAL-index header or asked of every read connection.
func TestGenerationSeesOtherProcess(t *testing.T) {
	for _, how := range []string{"wal-index", "data_version"} {
		t.Run(how, func(t *testing.T) {
			ctx := context.Background()
			path := filepath.Join(t.TempDir(), "c.db")
			s := open(t, path, Options{Readers: 3})
			if how == "data_version" {
				held := s.unwatchWAL()
				t.Cleanup(func() {
					s.Close()
					held.release()
				})
			} else if s.wal == nil {
				if runtime.GOOS == "windows" {
					t.Skip("no WAL-index mapping on Windows")
				}
				t.Fatal("the WAL-index is not mapped")
			}
			queries := s.QueryCount()
			gen := func() uint64 {
				t.Helper()
				g, ok, err := s.Generation(ctx)
				if err != nil || !ok {
					t.Fatalf("Generation: %d, %v, %v", g, ok, err)
				}
				return g
			}
			for range 6 { // each read connection answers once
				gen()
			}
			g := gen()
			for n := range 3 {
				cmd := exec.Command(os.Args[0], "-test.run=^TestOtherProcessWrites$")
				cmd.Env = append(os.Environ(), "COGNITOD_TEST_OTHER_DB="+path, fmt.Sprint("COGNITOD_TEST_OTHER_N=", n))
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Fatalf("other process: %v\n%s", err, out)
				}
				// Three read connections, each asked twice, each time a
				// later generation than before the commit.
				for range 6 {
					if now := gen(); now <= g {
						t.Fatalf("commit %d by another process: generation %d, was %d", n, now, g)
					}
				}
				g = gen()
				if now := gen(); now != g {
					t.Fatalf("generation %d, then %d with nothing committed", g, now)
				}
			}
			// The header is read without a statement; data_version is one.
			if ran := s.QueryCount() - queries; (ran == 0) != (how == "wal-index") {
				t.Fatalf("%d statements run", ran)
			}
		})
	}
}

// TestOtherProcessWrites is the other process of
// TestGenerationSeesOtherProcess: it creates pool N in the store at
// COGNITOD_TEST_OTHER_DB.
func TestOtherProcessWrites(t *testing.T) {
	path := os.Getenv("COGNITOD_TEST_OTHER_DB")
	if path == "" {
		t.Skip("run by TestGenerationSeesOtherProcess")
	}
	s := open(t, path, Options{})
	n := os.Getenv("COGNITOD_TEST_OTHER_N")
	err := s.Update(context.Background(), func(tx store.Tx) error {
		return tx.CreatePool(&store.Pool{ID: "us-east-1:0000000" + n + "-0000-0000-0000-000000000000",
			Name: "p", Account: "123456789012", Region: "us-east-1", CreatedAt: time.Unix(1, 0)})
	})
	if err != nil {
		t.Fatal(err)
	}
}
