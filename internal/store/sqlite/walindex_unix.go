//go:build unix

package sqlite

import (
	"fmt"
	"os"
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
	mem   []byte
	words *[walHeaderBytes / 4]uint32
}

// walHeaderBytes is the two copies of the header.
const walHeaderBytes = 96

// openWALIndex maps the WAL-index of the database at path read-only. The
// store's connections are open, so SQLite has made the file and holds it:
// no process truncates it while one connection keeps it mapped (a
// connection truncates it only when it finds no other).
func openWALIndex(path string) (*walIndex, error) {
	f, err := os.Open(path + "-shm")
	if err != nil {
		return nil, err
	}
	defer f.Close() // the mapping outlives the descriptor
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if fi.Size() < walHeaderBytes {
		return nil, fmt.Errorf("%s is %d bytes", f.Name(), fi.Size())
	}
	mem, err := syscall.Mmap(int(f.Fd()), 0, os.Getpagesize(), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, fmt.Errorf("map %s: %w", f.Name(), err)
	}
	return &walIndex{mem: mem, words: (*[walHeaderBytes / 4]uint32)(unsafe.Pointer(&mem[0]))}, nil
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

func (w *walIndex) close() error { return syscall.Munmap(w.mem) }
