// Package store defines cognitod's storage interface, its errors and its
// records. Backends (sqlite, postgres) live in sub-packages and must pass the
// suite in store/conformance.
//
// The interface follows Dex's update-by-closure style: every read-modify-write
// runs inside Update(fn), which gives fn a transaction and commits only when fn
// returns nil. Services therefore never hold locks of their own and never see a
// half-applied change. fn may be run while other writers' closures wait, so it
// must do no network I/O and must be quick; it may also be run more than once
// when a backend retries a serialization failure, so it must have no side
// effects outside the Tx.
package store

import (
	"context"
	"errors"
	"time"
)

// Errors every backend returns (wrapped or not) for the same conditions.
var (
	ErrNotFound = errors.New("store: not found")
	// ErrExists is a uniqueness violation: the key is taken.
	ErrExists = errors.New("store: already exists")
	// ErrReadOnly is returned by mutating Tx methods inside View.
	ErrReadOnly = errors.New("store: read-only transaction")
	ErrClosed   = errors.New("store: closed")
)

// Store is a transactional store.
type Store interface {
	// View runs fn in a read-only, consistent snapshot.
	View(ctx context.Context, fn func(Tx) error) error
	// Update runs fn in a read-write transaction. The change is durable when
	// Update returns nil. If fn returns an error nothing it did is kept and
	// that error is returned as is; if fn panics nothing is kept and the
	// panic goes on in the caller. If ctx ends before fn has started, fn
	// does not run and ctx's error is returned. fn must not call the Store
	// itself (a nested View or Update may deadlock).
	Update(ctx context.Context, fn func(Tx) error) error
	// Ping reports whether the store is reachable.
	Ping(ctx context.Context) error
	Close() error
}

// Tx is one transaction. Methods return ErrNotFound for missing rows and
// ErrExists for duplicates. A method that fails changes nothing and leaves
// the Tx usable, so fn may try AddLogin and fall back to FindLogin on
// ErrExists. IDs compare byte-wise. A Tx must not be used after fn returns.
type Tx interface {
	// Pools.
	CreatePool(p *Pool) error
	GetPool(id string) (*Pool, error)
	// UpdatePool writes Name, UpdatedAt and Config; a pool's account and
	// region never change.
	UpdatePool(p *Pool) error
	// DeletePool removes a pool with its identities, logins and everything
	// stored under it, Cognito Sync data included (its SyncPool and bulk
	// publish job, and every identity's usage, datasets, records, devices
	// and subscriptions).
	DeletePool(id string) error
	// ListPools returns up to limit pools of account in region with ID > after,
	// ordered by ID; limit <= 0 means all.
	ListPools(account, region, after string, limit int) ([]*Pool, error)
	CountPools(account, region string) (int, error)

	// Identities.
	// CreateIdentity stores i without its Logins (add those with AddLogin);
	// ErrNotFound if the pool does not exist.
	CreateIdentity(i *Identity) error
	// GetIdentity returns the identity with its logins.
	GetIdentity(id string) (*Identity, error)
	// PeekIdentity returns the identity without its logins (Logins nil):
	// one row read, for checks that need only its pool and state.
	PeekIdentity(id string) (*Identity, error)
	// PeekPoolIdentity reads the owner of pool poolID and identity id
	// (as PeekIdentity, in whichever pool it is), for access checks that
	// need both: a nil owner when there is no such pool (the identity is
	// then not looked for), a nil identity when there is no such identity.
	// A backend may read both in one statement (SQLite does) or use
	// PoolIdentity.
	PeekPoolIdentity(poolID, id string) (*PoolOwner, *Identity, error)
	// UpdateIdentity writes ModifiedAt and Disabled.
	UpdateIdentity(i *Identity) error
	// DeleteIdentity removes the identity, its logins and everything stored
	// under it: credentials and Cognito Sync data (its IdentityUsage,
	// datasets, records, devices and subscriptions). In the same
	// transaction it subtracts the identity's IdentityUsage.DataStorage from
	// its pool's SyncPool.DataStorage, so that a pool's usage stays the sum
	// of its identities' after deletions; the pool's other counters and
	// LastModified are left as they are.
	DeleteIdentity(id string) error
	// ListIdentities returns up to limit identities of pool with ID > after,
	// ordered by ID, logins included; limit <= 0 means all. hideDisabled
	// leaves disabled ones out.
	ListIdentities(poolID, after string, limit int, hideDisabled bool) ([]*Identity, error)
	// ListPoolIdentities is ListIdentities together with the pool's owner,
	// which an access check needs before the page may be shown: ErrNotFound
	// when there is no such pool. A backend may read both in one statement
	// (SQLite does) or use PoolIdentities.
	ListPoolIdentities(poolID, after string, limit int, hideDisabled bool) (*PoolPage, error)

	// Logins: (pool, provider, subject) is unique and names one identity.
	// AddLogin returns ErrNotFound if l's identity does not exist.
	AddLogin(l *Login) error
	// FindLogin returns the login with its IdentityID.
	FindLogin(poolID, provider, subject string) (*Login, error)
	RemoveLogin(poolID, provider, subject string) error
	// ListLogins returns the logins of an identity from provider (every
	// provider when provider is "") with Subject > after, ordered by
	// (provider, subject); limit <= 0 means all.
	ListLogins(identityID, provider, after string, limit int) ([]*Login, error)
	// MoveLogins reassigns every login of identity from to identity to;
	// ErrNotFound if either identity does not exist.
	MoveLogins(from, to string) error

	// Keys and secrets.
	// GetSecret returns a named server secret (e.g. the NextToken MAC key).
	GetSecret(name string) ([]byte, error)
	// PutSecret stores a named secret; ErrExists if one is already stored, so
	// that concurrent first starts agree on one value.
	PutSecret(name string, value []byte) error
	// ListSigningKeys returns every key, oldest (CreatedAt, then KID) first.
	ListSigningKeys() ([]*SigningKey, error)
	// AddSigningKey returns ErrExists if the KID is taken.
	AddSigningKey(k *SigningKey) error
	// RetireSigningKey sets the RetiredAt of key kid to at (not the zero
	// time), ending its signing; ErrNotFound if there is no such key. A key
	// already retired keeps its first RetiredAt (and the call succeeds), so
	// that concurrent rotations agree on when it retired.
	RetireSigningKey(kid string, at time.Time) error

	// Credentials minted by GetCredentialsForIdentity. ErrExists for a
	// reused AccessKeyID, ErrNotFound if the identity does not exist.
	RecordCredentials(c *Credentials) error

	// IdentityCounts returns, per (account, region) that has a pool, how
	// many pools and identities it holds, ordered by account then region.
	// It reads the running counters that CreateIdentity, DeleteIdentity and
	// DeletePool keep (counters.go), never the identities themselves, so it
	// costs the same with ten identities or ten million.
	IdentityCounts() ([]IdentityCount, error)

	// Cognito Sync data (sync.go).
	SyncTx
}

// Pool is an identity pool. Config holds the pool's API-visible settings as
// the service encodes them; the store keeps it opaque.
type Pool struct {
	ID        string
	Account   string
	Region    string
	Name      string
	CreatedAt time.Time
	UpdatedAt time.Time
	// Config is the JSON document of the pool's settings (providers, roles,
	// role mappings, tags, principal tag maps, sync configuration...).
	Config []byte
}

// Identity is one identity of a pool.
type Identity struct {
	ID         string
	PoolID     string
	CreatedAt  time.Time
	ModifiedAt time.Time
	Disabled   bool
	// Logins is filled by GetIdentity and ListIdentities.
	Logins []*Login
}

// Login links a provider's subject to an identity.
type Login struct {
	PoolID     string
	Provider   string
	Subject    string
	IdentityID string
	CreatedAt  time.Time
}

// SigningKey is an RSA key that signs OpenID tokens.
type SigningKey struct {
	KID        string
	Region     string
	Algorithm  string
	PrivatePEM []byte
	CreatedAt  time.Time
	// RetiredAt is when the key stopped signing; zero while current. Its
	// public half is still served until its last token has expired.
	RetiredAt time.Time
}

// Credentials records temporary credentials handed out.
type Credentials struct {
	AccessKeyID string
	IdentityID  string
	PoolID      string
	RoleARN     string
	IssuedAt    time.Time
	Expiration  time.Time
}

// OrderedIDs is implemented by a backend that takes new rows faster when
// their keys grow with time. In one B-tree file (SQLite), a random key puts
// every new identity in a different leaf page of the table and of each of
// its indexes, so a batch of n GetIds writes about 3n pages to the log; keys
// that grow put a whole batch in the last few pages. A database partitioned
// by key ranges (CockroachDB, say) would send every new key to one range
// instead, so backends that may be one do not implement it.
type OrderedIDs interface {
	// PrefersOrderedIDs reports whether new identity IDs should grow with
	// time (UUID version 7) rather than be random (version 4).
	PrefersOrderedIDs() bool
}

// PrefersOrderedIDs reports whether st implements OrderedIDs and prefers
// ordered IDs.
func PrefersOrderedIDs(st Store) bool {
	o, ok := st.(OrderedIDs)
	return ok && o.PrefersOrderedIDs()
}

// Generations is implemented by a backend that can tell cheaply (SQLite:
// without a statement) whether anything has been committed since an
// earlier moment: what a caller read may then be kept and given again
// while the generation stays the same (identity's ListIdentities answers).
type Generations interface {
	// Generation returns the store's generation. If a call A returned g
	// and a later call B returns g too, nothing was committed to the store,
	// by this process or any other, between A's start and B's start: what
	// was read after A is still what the store holds when B returns. ok is
	// false when this store cannot tell (then nothing may be kept).
	Generation(ctx context.Context) (gen uint64, ok bool, err error)
}

// Generation is st's generation when it implements Generations; ok is
// false otherwise.
func Generation(ctx context.Context, st Store) (gen uint64, ok bool, err error) {
	g, is := st.(Generations)
	if !is {
		return 0, false, nil
	}
	return g.Generation(ctx)
}

// Batching is implemented by a backend that commits many Updates together
// (SQLite's single writer: one transaction and one fsync per batch). The
// two counts, exported as metrics, give the mean batch: what the commit
// delay tunes, and what each fsync is shared by.
type Batching interface {
	// BatchCounts returns how many transactions the store has committed
	// (or tried to) since it opened, and how many Updates ran in them.
	BatchCounts() (commits, updates uint64)
}

// PoolOwner is the account and region a pool belongs to.
type PoolOwner struct {
	Account, Region string
}

// PoolPage is a page of a pool's identities and the pool's owner.
type PoolPage struct {
	PoolOwner
	Identities []*Identity
}

// PoolIdentity is PeekPoolIdentity from GetPool and PeekIdentity, for
// backends that read them with two statements.
func PoolIdentity(tx Tx, poolID, id string) (*PoolOwner, *Identity, error) {
	p, err := tx.GetPool(poolID)
	if errors.Is(err, ErrNotFound) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	i, err := tx.PeekIdentity(id)
	if errors.Is(err, ErrNotFound) {
		return &PoolOwner{p.Account, p.Region}, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	return &PoolOwner{p.Account, p.Region}, i, nil
}

// PoolIdentities is ListPoolIdentities from GetPool and ListIdentities,
// for backends that read the pool and the page with two statements.
func PoolIdentities(tx Tx, poolID, after string, limit int, hideDisabled bool) (*PoolPage, error) {
	p, err := tx.GetPool(poolID)
	if err != nil {
		return nil, err
	}
	is, err := tx.ListIdentities(poolID, after, limit, hideDisabled)
	if err != nil {
		return nil, err
	}
	return &PoolPage{PoolOwner: PoolOwner{p.Account, p.Region}, Identities: is}, nil
}

// IdentityWithLogins is GetIdentity from PeekIdentity and ListLogins, for
// backends that read the row and its logins with two statements.
func IdentityWithLogins(tx Tx, id string) (*Identity, error) {
	i, err := tx.PeekIdentity(id)
	if err != nil {
		return nil, err
	}
	if i.Logins, err = tx.ListLogins(id, "", "", 0); err != nil {
		return nil, err
	}
	return i, nil
}
