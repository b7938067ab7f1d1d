package identity

import (
	"strings"
	"sync"

	"github.com/cognitod/cognitod/internal/store"
)

// pageAnswers keeps recent ListIdentities answers, encoded, with the
// store's generation (store.Generations) when each was read: asked again
// for a page while nothing has been committed, the service checks the
// generation (on SQLite, a read of the WAL-index header: no statement) and
// the caller's access, and writes the
// kept bytes, instead of reading the page, decoding its logins, sealing its
// NextToken and encoding it: about half of a page's CPU
// (docs/PERFORMANCE.md).
//
// Nothing kept is ever stale: an answer is given only while the store's
// generation is the one it was read under, and any commit, by this process
// or another, changes it (store.Generations). A change of generation
// forgets every answer. The access check is made on every call with the
// pool's owner kept beside the answer, so an answer read for one caller is
// given to another only if that caller may see it too.
type pageAnswers struct {
	mu      sync.RWMutex
	gen     uint64 // generation of every kept answer
	answers map[pageKey]*pageAnswer
	bytes   int
}

// pageKey is what a page's answer depends on besides the store's contents.
type pageKey struct {
	pool, after string // after: the key the NextToken resumes after
	limit       int
	hide        bool
}

type pageAnswer struct {
	owner store.PoolOwner
	body  encoded
}

// maxPageAnswerBytes bounds what is kept (a 60-identity page is about 9 KB):
// past it, the cache starts over.
const maxPageAnswerBytes = 4 << 20

func newPageAnswers() *pageAnswers { return &pageAnswers{answers: map[pageKey]*pageAnswer{}} }

// get returns the answer kept for k under generation gen, or nil.
func (pa *pageAnswers) get(gen uint64, k pageKey) *pageAnswer {
	pa.mu.RLock()
	defer pa.mu.RUnlock()
	if gen != pa.gen {
		return nil
	}
	return pa.answers[k]
}

// put keeps an answer read under generation gen: read after a call to
// Generation that returned gen. An answer of an older generation than
// those kept is dropped; a newer one replaces them all.
func (pa *pageAnswers) put(gen uint64, k pageKey, a *pageAnswer) {
	size := answerSize(k, a)
	if size > maxPageAnswerBytes {
		return
	}
	// The key's strings may share larger buffers (after is cut from the
	// opened NextToken): keep copies of their own.
	k.pool, k.after = strings.Clone(k.pool), strings.Clone(k.after)
	pa.mu.Lock()
	defer pa.mu.Unlock()
	if gen < pa.gen {
		return
	}
	if gen > pa.gen || pa.bytes+size > maxPageAnswerBytes {
		clear(pa.answers)
		pa.gen, pa.bytes = gen, 0
	}
	if _, ok := pa.answers[k]; !ok {
		pa.bytes += size
	}
	pa.answers[k] = a
}

// answerSize is what keeping a answers for k costs: the body's whole
// buffer (appended to, so up to twice its length), the strings, and the
// map entry with the two structs.
func answerSize(k pageKey, a *pageAnswer) int {
	const entry = 256
	return cap(a.body) + len(k.pool) + len(k.after) + len(a.owner.Account) + len(a.owner.Region) + entry
}

// encoded is an answer's JSON, written as it is (awsproto.Appender).
type encoded []byte

func (e encoded) AppendJSON(b []byte) []byte { return append(b, e...) }
