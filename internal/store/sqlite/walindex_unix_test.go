//go:build unix

package sqlite

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/cognitod/cognitod/internal/store"
)

// TestWALIndexKeepsSQLiteLocks: mapping the WAL-index must not cost
// SQLite its locks on the file. POSIX drops every lock a process holds on
// a file when the process closes any descriptor of that file
// (sqlite.org/howtocorrupt.html, 2.2), and SQLite holds a shared lock on
// the "-shm" file for as long as a connection is open (the lock that
// tells a process opening the database it is not alone, so must not
// rebuild the WAL-index). Another process must see that lock while a
// store is open on the file, also after a second store on it has closed,
// and none after the last has closed.
func TestWALIndexKeepsSQLiteLocks(t *testing.T) {
	path := filepath.Join(t.TempDir(), "l.db")
	a := open(t, path, Options{})
	if a.wal == nil {
		t.Fatal("the WAL-index is not mapped")
	}
	held := func(want bool) {
		t.Helper()
		cmd := exec.Command(os.Args[0], "-test.run=^TestOtherProcessLocks$", "-test.v")
		cmd.Env = append(os.Environ(), "COGNITOD_TEST_LOCKS_SHM="+path+"-shm")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("other process: %v\n%s", err, out)
		}
		got := strings.Contains(string(out), fmt.Sprintf("locked by %d", os.Getpid()))
		if got != want {
			t.Fatalf("lock held by this process: %v, want %v\n%s", got, want, out)
		}
	}
	held(true)
	b := open(t, path, Options{})
	if b.wal == nil {
		t.Fatal("the second store's WAL-index is not mapped")
	}
	held(true)
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	held(true) // a is open still
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	// The last connection to close removes the file; if it stays, no
	// lock of this process may.
	if _, err := os.Stat(path + "-shm"); err == nil {
		held(false)
	}
}

// TestOtherProcessLocks is the other process of TestWALIndexKeepsSQLiteLocks:
// it asks for the first lock that would keep it from writing anywhere in
// the file at COGNITOD_TEST_LOCKS_SHM.
func TestOtherProcessLocks(t *testing.T) {
	path := os.Getenv("COGNITOD_TEST_LOCKS_SHM")
	if path == "" {
		t.Skip("run by TestWALIndexKeepsSQLiteLocks")
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	lk := syscall.Flock_t{Type: syscall.F_WRLCK, Whence: 0, Start: 0, Len: 0}
	if err := syscall.FcntlFlock(f.Fd(), syscall.F_GETLK, &lk); err != nil {
		t.Fatal(err)
	}
	if lk.Type != syscall.F_UNLCK {
		t.Logf("locked by %d", lk.Pid)
	} else {
		t.Log("unlocked")
	}
}

// TestWALIndexSharedUnmapped: a WAL-index that could not be mapped is still
// held (its descriptor must not close early), and a second store on the
// same file is told it is not mapped rather than given nothing to read.
func TestWALIndexSharedUnmapped(t *testing.T) {
	path := filepath.Join(t.TempDir(), "u.db")
	if err := os.WriteFile(path+"-shm", make([]byte, 10), 0o600); err != nil {
		t.Fatal(err)
	}
	var held []*walIndex
	for k := range 2 {
		w, err := openWALIndex(path)
		if err == nil || w == nil || w.mem != nil {
			t.Fatalf("open %d of a 10-byte WAL-index: %v, %v; want it held, unmapped, with an error", k, w, err)
		}
		held = append(held, w)
	}
	if held[0] != held[1] {
		t.Error("the second open did not share the first's descriptor")
	}
	for _, w := range held {
		if err := w.release(); err != nil {
			t.Fatal(err)
		}
	}
	walIndexes.mu.Lock()
	_, left := walIndexes.m[held[0].key]
	walIndexes.mu.Unlock()
	if left {
		t.Error("the file's entry is left after the last release")
	}
}

// TestWALIndexThroughSymlink: opened through a symbolic link, SQLite keeps
// its WAL-index beside the file the link leads to; the store must watch
// that one, not a stale file of the same name beside the link, or commits
// by other processes would never change the generation.
func TestWALIndexThroughSymlink(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	target, link := filepath.Join(dir, "target.db"), filepath.Join(dir, "link.db")
	if err := os.Symlink(target, link); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	// Left by a crash before the database was moved and linked, say.
	if err := os.WriteFile(link+"-shm", make([]byte, 32768), 0o600); err != nil {
		t.Fatal(err)
	}
	s := open(t, link, Options{})
	defer s.Close()
	if s.wal == nil {
		t.Fatal("the WAL-index is not mapped")
	}
	g, _, err := s.Generation(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Another writer on the file: its commits are not this store's writer's.
	other := open(t, target, Options{})
	defer other.Close()
	if err := other.Update(ctx, func(tx store.Tx) error { return tx.CreatePool(newPool("us-east-1:x")) }); err != nil {
		t.Fatal(err)
	}
	if now, _, _ := s.Generation(ctx); now == g {
		t.Errorf("another writer committed; the generation stayed %d", g)
	}
}
