//go:build unix

package sqlite

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"unsafe"
)

// walIndex watches the header of the file's WAL-index (the "-shm" file
// every connection to a WAL database maps, in this process and any other)
// to learn, without a statement, whether anything was committed.
//
// The header's layout is SQLite's documented file format
// (https://sqlite.org/walformat.html, "The WAL-Index Header"): its first
// 96 bytes are two copies of a 48-byte header that every commit rewrites
// before it returns, with a counter incremented by each transaction
// (iChange), the last valid frame (mxFrame), the salts that change when the
// log restarts, and a checksum. Every reader and writer of the database,
// in any process, relies on seeing this header change to learn of a commit;
// Generation relies on the same. Any change of the 96 bytes counts as a
// commit: a checkpoint that restarts the log, or a header caught halfway
// through being written, only costs the cache one extra miss.
//
// Written by hand: no Go library reads a live WAL-index, and the driver
// gives no access to the mapping SQLite has made.
type walIndex struct {
	key   fileKey
	f     *os.File // open until the last store on the file has closed
	mem   []byte
	words *[walHeaderBytes / 4]uint32
	refs  int // stores holding it; guarded by walIndexes.mu
}

// walHeaderBytes is the two copies of the header.
const walHeaderBytes = 96

// fileKey names a file whatever the path it was opened by.
type fileKey struct{ dev, ino uint64 }

// walIndexes holds one mapping per WAL-index file in the process, shared by
// every store open on it. The descriptor it was mapped through stays open
// until the last of them has closed its connections: POSIX drops every
// lock a process holds on a file when the process closes any descriptor of
// it (sqlite.org/howtocorrupt.html, 2.2), and SQLite holds locks on the
// WAL-index for as long as a connection is open, among them the one that
// tells another process opening the database that it is not alone and
// must not rebuild the WAL-index under us.
var walIndexes struct {
	mu sync.Mutex
	m  map[fileKey]*walIndex
}

// openWALIndex maps the WAL-index of the database at path read-only, or
// takes another hold on the mapping a store open on the same file made.
// The store's connections are open, so SQLite has made the file and holds
// it: no process truncates it while one connection keeps it mapped (a
// connection truncates it only when it finds no other). Release it only
// after the store's connections have closed, whether or not it could be
// mapped: once a descriptor of the file is open, closing it is what must
// wait (w.mem is nil when it is not mapped).
func openWALIndex(path string) (*walIndex, error) {
	walIndexes.mu.Lock()
	defer walIndexes.mu.Unlock()
	if key, err := statKey(os.Stat(path + "-shm")); err == nil {
		if w := walIndexes.m[key]; w != nil {
			w.refs++
			if w.mem == nil {
				return w, fmt.Errorf("%s-shm could not be mapped", path)
			}
			return w, nil
		}
	}
	f, err := os.Open(path + "-shm")
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	key, err := statKey(fi, err)
	w := &walIndex{key: key, f: f, refs: 1}
	if walIndexes.m == nil {
		walIndexes.m = make(map[fileKey]*walIndex)
	}
	if err != nil {
		// Held, not mapped, and not shared: a key of zeros names no file.
		return w, err
	}
	walIndexes.m[key] = w
	if fi.Size() < walHeaderBytes {
		return w, fmt.Errorf("%s is %d bytes", f.Name(), fi.Size())
	}
	mem, err := syscall.Mmap(int(f.Fd()), 0, os.Getpagesize(), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return w, fmt.Errorf("map %s: %w", f.Name(), err)
	}
	w.mem, w.words = mem, (*[walHeaderBytes / 4]uint32)(unsafe.Pointer(&mem[0]))
	return w, nil
}

// statKey is the device and inode of a file's information.
func statKey(fi os.FileInfo, err error) (fileKey, error) {
	if err != nil {
		return fileKey{}, err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fileKey{}, fmt.Errorf("%s: no device and inode", fi.Name())
	}
	return fileKey{uint64(st.Dev), uint64(st.Ino)}, nil
}

// header reads the header's words. Each is read atomically, so a word
// written by a commit that has returned is seen (SQLite writes them
// between memory barriers); a header being rewritten meanwhile may be
// read half old, half new, which only ever reads as a change.
func (w *walIndex) header() (h [walHeaderBytes / 4]uint32) {
	for k := range h {
		h[k] = atomic.LoadUint32(&w.words[k])
	}
	return h
}

// release gives up the store's hold on the mapping; the last one unmaps it
// and closes its descriptor. Call it only after the store's connections
// have closed.
func (w *walIndex) release() error {
	walIndexes.mu.Lock()
	defer walIndexes.mu.Unlock()
	if w.refs--; w.refs > 0 {
		return nil
	}
	if walIndexes.m[w.key] == w {
		delete(walIndexes.m, w.key)
	}
	var err error
	if w.mem != nil {
		err = syscall.Munmap(w.mem)
	}
	return errors.Join(err, w.f.Close())
}
