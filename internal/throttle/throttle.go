// Package throttle limits request rates per account, region, service and
// operation, as AWS's API rate quotas do, so that users can rehearse
// production's TooManyRequestsException locally. It is opt-in: cognitod
// throttles nothing unless started with --throttle aws or --throttle FILE.
//
// Each (account, region, service, operation) has a token bucket
// (golang.org/x/time/rate): it holds up to Burst requests and refills at RPS
// per second. Buckets are made on a key's first request and forgotten again
// once full (a full bucket is the same as a new one), so memory stays bounded
// by the keys active within a few seconds, and by MaxBuckets in any case.
//
// Limits are per process: each node of a deployment enforces its own
// buckets, so N nodes behind a load balancer let through up to N times the
// configured rate.
package throttle

import (
	"hash/maphash"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Rule is the rate of one operation: RPS requests per second on average,
// Burst at once. RPS 0 means no limit.
type Rule struct {
	RPS   float64 `json:"rps"`
	Burst int     `json:"burst,omitempty"`
}

// burst is the bucket size: Burst, or one second's worth of requests (at
// least one) when unset.
func (r Rule) burst() int {
	if r.Burst > 0 {
		return r.Burst
	}
	b := int(r.RPS + 0.999999)
	return max(b, 1)
}

// Any is the operation name of a service's default rule.
const Any = "*"

type opKey struct{ service, op string }

// Limits is a set of rules by service ("cognito-identity", "cognito-sync")
// and operation (as the API names it, or Any for the service's default).
type Limits struct {
	rules map[opKey]Rule
}

// Set sets the rule of service's operation op (Any: every operation without
// a rule of its own).
func (l *Limits) Set(service, op string, r Rule) {
	if l.rules == nil {
		l.rules = map[opKey]Rule{}
	}
	l.rules[opKey{service, op}] = r
}

// Rule returns the rule of an operation: its own, else its service's
// default; ok is false when the operation is not limited.
func (l *Limits) Rule(service, op string) (r Rule, ok bool) {
	if l == nil {
		return Rule{}, false
	}
	r, ok = l.rules[opKey{service, op}]
	if !ok {
		r, ok = l.rules[opKey{service, Any}]
	}
	return r, ok && r.RPS > 0
}

// MaxBuckets bounds the buckets a Limiter keeps. Past it, full buckets are
// dropped first (no loss: a full bucket is a new one); if every bucket is in
// use, arbitrary ones are, which can only let a few more requests through.
const MaxBuckets = 100_000

const shards = 32

type bucketKey struct{ account, region, service, op string }

type shard struct {
	mu      sync.Mutex
	buckets map[bucketKey]*rate.Limiter
}

// Limiter applies Limits. It is safe for concurrent use.
type Limiter struct {
	limits *Limits
	now    func() time.Time
	seed   maphash.Seed
	max    int // per shard
	shards [shards]shard
}

// New returns a Limiter for limits.
func New(limits *Limits) *Limiter {
	l := &Limiter{limits: limits, now: time.Now, seed: maphash.MakeSeed(), max: MaxBuckets / shards}
	for i := range l.shards {
		l.shards[i].buckets = map[bucketKey]*rate.Limiter{}
	}
	return l
}

// Allow reports whether one more request of op on service may go ahead now
// for account in region, and takes a token from its bucket if so.
func (l *Limiter) Allow(account, region, service, op string) bool {
	rule, ok := l.limits.Rule(service, op)
	if !ok {
		return true
	}
	k := bucketKey{account, region, service, op}
	var h maphash.Hash
	h.SetSeed(l.seed)
	h.WriteString(account)
	h.WriteString(region)
	h.WriteString(op)
	sh := &l.shards[h.Sum64()%shards]
	now := l.now()
	sh.mu.Lock()
	b := sh.buckets[k]
	if b == nil {
		if len(sh.buckets) >= l.max {
			sh.evict(now, l.max)
		}
		b = rate.NewLimiter(rate.Limit(rule.RPS), rule.burst())
		sh.buckets[k] = b
	}
	sh.mu.Unlock()
	return b.AllowN(now, 1)
}

// evict drops full buckets, and if that frees too little, arbitrary ones
// until the shard is at half its size. The caller holds sh.mu.
func (sh *shard) evict(now time.Time, limit int) {
	for k, b := range sh.buckets {
		if b.TokensAt(now) >= float64(b.Burst()) {
			delete(sh.buckets, k)
		}
	}
	for k := range sh.buckets {
		if len(sh.buckets) <= limit/2 {
			break
		}
		delete(sh.buckets, k)
	}
}

// Buckets returns how many buckets the Limiter holds (for tests and
// metrics).
func (l *Limiter) Buckets() int {
	n := 0
	for i := range l.shards {
		sh := &l.shards[i]
		sh.mu.Lock()
		n += len(sh.buckets)
		sh.mu.Unlock()
	}
	return n
}
