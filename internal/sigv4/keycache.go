package sigv4

import (
	"hash/maphash"
	"strings"
	"sync/atomic"
)

// keyCacheSlots is the size of the signing-key cache. A key changes once a
// day per credential, region and service, so this covers as many
// credentials in use at once as a node is likely to see; a collision only
// costs a re-derivation.
const keyCacheSlots = 1024

type cachedKey struct {
	secret, date, region, service string
	key                           [32]byte
}

// keyCache is a direct-mapped cache of derived signing keys: each slot holds
// an immutable entry behind an atomic pointer, so lookups take no lock and
// a miss simply replaces the slot's entry. Its size is fixed, so callers
// cannot grow it by inventing regions or services.
type keyCache struct {
	seed  maphash.Seed
	slots [keyCacheSlots]atomic.Pointer[cachedKey]
}

var keys = &keyCache{seed: maphash.MakeSeed()}

// signingKey returns the signing key for the scope, deriving it only when
// the cache does not hold it.
func signingKey(secret, date, region, service string) *[32]byte {
	return keys.get(secret, date, region, service)
}

func (c *keyCache) get(secret, date, region, service string) *[32]byte {
	var h maphash.Hash
	h.SetSeed(c.seed)
	h.WriteString(secret)
	h.WriteByte(0)
	h.WriteString(date)
	h.WriteByte(0)
	h.WriteString(region)
	h.WriteByte(0)
	h.WriteString(service)
	slot := &c.slots[h.Sum64()%keyCacheSlots]
	if e := slot.Load(); e != nil && e.secret == secret && e.date == date && e.region == region && e.service == service {
		return &e.key
	}
	// The scope strings are slices of the request's headers: copy them so
	// the cache does not pin requests in memory.
	e := &cachedKey{
		secret:  secret,
		date:    strings.Clone(date),
		region:  strings.Clone(region),
		service: strings.Clone(service),
		key:     DeriveKey(secret, date, region, service),
	}
	slot.Store(e)
	return &e.key
}
