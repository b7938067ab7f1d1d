package sqlite

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cognitod/cognitod/internal/store"
)

const crashEnv = "COGNITOD_SQLITE_CRASH_DB"

// TestKilledWriter runs a child process that commits Updates from many
// goroutines and prints each one's pool ID once Update has returned nil,
// kills it with SIGKILL mid-stream, reopens the file and checks that every
// printed pool is there: an acknowledged Update survives the process.
// (Power loss is synchronous=FULL's job, which TestPragmas checks.)
func TestKilledWriter(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a process")
	}
	path := filepath.Join(t.TempDir(), "crash.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$")
	cmd.Env = append(os.Environ(), crashEnv+"="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var acked []string
	sc := bufio.NewScanner(out)
	deadline := time.Now().Add(20 * time.Second)
	for sc.Scan() {
		acked = append(acked, sc.Text())
		if len(acked) == 500 {
			cmd.Process.Signal(syscall.SIGKILL)
		}
		if time.Now().After(deadline) {
			cmd.Process.Signal(syscall.SIGKILL)
			break
		}
	}
	cmd.Wait()
	if len(acked) < 500 {
		t.Fatalf("child acknowledged only %d Updates", len(acked))
	}

	s := open(t, path, Options{})
	defer s.Close()
	err = s.View(context.Background(), func(tx store.Tx) error {
		for _, id := range acked {
			if _, err := tx.GetPool(id); err != nil {
				return fmt.Errorf("acknowledged pool %s: %w", id, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("all %d acknowledged Updates survived SIGKILL", len(acked))
}

// TestCrashChild is TestKilledWriter's child; it does nothing on its own.
func TestCrashChild(t *testing.T) {
	path := os.Getenv(crashEnv)
	if path == "" {
		t.Skip("run by TestKilledWriter")
	}
	s, err := Open(context.Background(), path, Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var mu sync.Mutex
	w := bufio.NewWriter(os.Stdout)
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; ; k++ {
				id := fmt.Sprintf("us-east-1:%d-%d", g, k)
				if err := s.Update(context.Background(), func(tx store.Tx) error { return tx.CreatePool(newPool(id)) }); err != nil {
					fmt.Fprintln(os.Stderr, err)
					os.Exit(1)
				}
				mu.Lock()
				fmt.Fprintln(w, id)
				w.Flush()
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
}
