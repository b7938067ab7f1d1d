// Package identity implements Amazon Cognito Identity (identity pools): the
// 23 operations of the cognito-identity 2014-06-30 model. Handlers receive
// input that internal/api has already validated against the model; they add
// the semantic checks and do each operation's reads and writes in one store
// transaction, so concurrent calls never see or leave half a change.
package identity

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/cognitod/cognitod/internal/api"
	"github.com/cognitod/cognitod/internal/awsproto"
	"github.com/cognitod/cognitod/internal/model"
	"github.com/cognitod/cognitod/internal/store"
	"github.com/cognitod/cognitod/internal/tokens"
	"github.com/cognitod/cognitod/internal/trust"
)

// Limits are the service quotas (AWS's defaults unless configured).
type Limits struct {
	PoolsPerAccount int // per account and region; AWS: 1,000
	TagsPerPool     int // AWS: 50
	RulesPerMapping int // AWS: 25
	LoginsPerMerge  int // logins two merged identities may hold together; AWS: 20
}

// DefaultLimits are AWS's default quotas.
var DefaultLimits = Limits{PoolsPerAccount: 1000, TagsPerPool: 50, RulesPerMapping: 25, LoginsPerMerge: 20}

// WithDefaults returns l with each quota left at zero set to AWS's default,
// so that configuring one quota leaves the others as AWS has them rather
// than at zero (which would refuse every pool, tag or rule).
func (l Limits) WithDefaults() Limits {
	d := DefaultLimits
	return Limits{
		PoolsPerAccount: cmp.Or(l.PoolsPerAccount, d.PoolsPerAccount),
		TagsPerPool:     cmp.Or(l.TagsPerPool, d.TagsPerPool),
		RulesPerMapping: cmp.Or(l.RulesPerMapping, d.RulesPerMapping),
		LoginsPerMerge:  cmp.Or(l.LoginsPerMerge, d.LoginsPerMerge),
	}
}

// Config configures the service.
type Config struct {
	Store   store.Store
	Keyring *tokens.Keyring
	Sealer  *tokens.Sealer
	// PageTokens seals NextTokens so clients cannot forge or alter them.
	PageTokens *tokens.Box
	Limits     Limits
	Log        *slog.Logger
	// Hooks lets other services (Cognito Sync) react to identity changes.
	Hooks Hooks
	// Logins verifies the tokens of the pools' login providers (all but the
	// developer provider and cognitod's own tokens); nil takes them as
	// presented (trust.Trust).
	Logins trust.Verifier
}

// Hooks are called inside the store transaction that makes the change, so
// dependent data goes in the same commit.
type Hooks struct {
	// IdentitiesMerged is called when identity from was merged into to.
	IdentitiesMerged func(tx store.Tx, from, to string, now time.Time) error
}

// Service is the Cognito Identity service.
type Service struct {
	st       store.Store
	keys     *tokens.Keyring
	sealer   *tokens.Sealer
	pages    *tokens.Box
	limits   Limits
	log      *slog.Logger
	hooks    Hooks
	verifier trust.Verifier
	// orderedIDs: new identity IDs grow with time (newIdentityID).
	orderedIDs bool
	// pageAnswers keeps ListIdentities answers while the store's
	// generation holds (pages.go).
	pageAnswers *pageAnswers
}

// New returns the service.
func New(c Config) *Service {
	c.Limits = c.Limits.WithDefaults()
	if c.Log == nil {
		c.Log = slog.Default()
	}
	if c.Logins == nil {
		c.Logins = trust.Trust{}
	}
	return &Service{st: c.Store, keys: c.Keyring, sealer: c.Sealer, pages: c.PageTokens, limits: c.Limits, log: c.Log, hooks: c.Hooks, verifier: c.Logins,
		orderedIDs: store.PrefersOrderedIDs(c.Store), pageAnswers: newPageAnswers()}
}

// API returns the service's model and handlers for internal/api.
func (s *Service) API() *api.Service {
	h := map[string]api.Handler{
		"CreateIdentityPool":                 s.CreateIdentityPool,
		"DescribeIdentityPool":               s.DescribeIdentityPool,
		"UpdateIdentityPool":                 s.UpdateIdentityPool,
		"DeleteIdentityPool":                 s.DeleteIdentityPool,
		"ListIdentityPools":                  s.ListIdentityPools,
		"GetId":                              s.GetId,
		"DescribeIdentity":                   s.DescribeIdentity,
		"ListIdentities":                     s.ListIdentities,
		"DeleteIdentities":                   s.DeleteIdentities,
		"UnlinkIdentity":                     s.UnlinkIdentity,
		"GetOpenIdToken":                     s.GetOpenIdToken,
		"GetOpenIdTokenForDeveloperIdentity": s.GetOpenIdTokenForDeveloperIdentity,
		"LookupDeveloperIdentity":            s.LookupDeveloperIdentity,
		"MergeDeveloperIdentities":           s.MergeDeveloperIdentities,
		"UnlinkDeveloperIdentity":            s.UnlinkDeveloperIdentity,
		"GetCredentialsForIdentity":          s.GetCredentialsForIdentity,
		"SetIdentityPoolRoles":               s.SetIdentityPoolRoles,
		"GetIdentityPoolRoles":               s.GetIdentityPoolRoles,
		"SetPrincipalTagAttributeMap":        s.SetPrincipalTagAttributeMap,
		"GetPrincipalTagAttributeMap":        s.GetPrincipalTagAttributeMap,
		"TagResource":                        s.TagResource,
		"UntagResource":                      s.UntagResource,
		"ListTagsForResource":                s.ListTagsForResource,
	}
	return &api.Service{Model: model.CognitoIdentity, Handlers: h, MaxBody: maxBody}
}

// maxBody bounds a request body. The largest legal one is about half a
// megabyte (ten Logins of up to 50,000 characters, or SetIdentityPoolRoles'
// rules); a body the size Sync allows would only cost memory (decoded,
// validated, quoted back in an error) on calls that need no signature.
const maxBody = 1 << 20

// Messages AWS answers; kept verbatim.
const (
	msgLoginsDontMatch   = "Logins don't match. Please include at least one valid login for this identity or identity pool."
	msgUnauthNotAllowed  = "Unauthenticated access is not supported for this identity pool."
	msgUnsupportedLogin  = "Token is not from a supported provider of this identity pool."
	msgNoRole            = "Invalid identity pool configuration. Check assigned IAM roles for this pool."
	msgClassicDisabled   = "Basic (classic) flow is not enabled, please use enhanced flow."
	msgClassicWithRoleMp = "Basic (classic) flow is not supported with RoleMappings, please use enhanced flow."
	msgInvalidNextToken  = "The provided NextToken is not valid."
)

func errPoolNotFound(id string) error {
	return awsproto.Errorf(awsproto.CodeResourceNotFound, "IdentityPool '%s' not found.", id)
}

func errIdentityNotFound(id string) error {
	return awsproto.Errorf(awsproto.CodeResourceNotFound, "Identity '%s' not found.", id)
}

func errForbidden(id string) error {
	return awsproto.Errorf(awsproto.CodeNotAuthorized, "Access to Identity '%s' is forbidden.", id)
}

func invalidParam(format string, args ...any) error {
	return awsproto.Errorf(awsproto.CodeInvalidParameter, format, args...)
}

func notAuthorized(msg string) error {
	return &awsproto.Error{Code: awsproto.CodeNotAuthorized, Message: msg}
}

// regionOf returns the region prefix of a pool or identity ID.
func regionOf(id string) string {
	if i := strings.IndexByte(id, ':'); i > 0 {
		return id[:i]
	}
	return ""
}

// newID returns "<region>:<uuid>" in lower-case hex, AWS's form for pool
// and identity IDs: a random UUID (version 4).
func newID(region string) string {
	return region + ":" + uuid.NewString()
}

// NewPoolID returns a new identity pool ID for region, as CreateIdentityPool
// makes them (for tools that fill a store directly).
func NewPoolID(region string) string { return newID(region) }

// NewIdentityID returns a new identity ID for region. ordered, on a store
// that prefers keys growing with time (store.PrefersOrderedIDs), makes it
// a UUID version 7: 48 bits of Unix milliseconds, then a sub-millisecond
// sequence and 62 random bits, so consecutive GetIds land in the same
// B-tree pages (GetId on SQLite took half the time in
// BenchmarkHandlerGetIdNew). The 62 random bits keep an ID as unguessable
// as it needs to be: guessing one still takes about 2^61 tries for each
// millisecond. Otherwise it is random like a pool's.
func NewIdentityID(region string, ordered bool) string {
	if !ordered {
		return newID(region)
	}
	// crypto/rand, under uuid, does not fail on the systems Go supports.
	return region + ":" + uuid.Must(uuid.NewV7()).String()
}

// newIdentityID returns an identity ID as this service's store prefers it.
func (s *Service) newIdentityID(region string) string {
	return NewIdentityID(region, s.orderedIDs)
}

// developerOnly refuses identity (temporary) credentials on operations that
// need developer credentials.
func developerOnly(c *api.Call) error {
	if c.Caller != nil && !c.Caller.Developer() {
		return awsproto.Errorf(awsproto.CodeNotAuthorized, "Temporary credentials of an identity are not authorized to perform: cognito-identity:%s", c.Op.Name)
	}
	return nil
}

// ownedPool loads a pool for a developer call: it must exist, belong to the
// caller's account and live in the caller's region, else it does not exist
// as far as the caller can tell.
func ownedPool(tx store.Tx, c *api.Call, id string) (*store.Pool, *poolConfig, error) {
	p, err := tx.GetPool(id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, errPoolNotFound(id)
	}
	if err != nil {
		return nil, nil, err
	}
	if !c.Caller.Owns(p.Account, p.Region) {
		return nil, nil, errPoolNotFound(id)
	}
	cfg, err := decodeConfig(p.Config)
	if err != nil {
		return nil, nil, err
	}
	return p, cfg, nil
}

// anyPool loads a pool for an unsigned call (GetId...): pool IDs are
// unguessable, and the pool names its own account and region.
func anyPool(tx store.Tx, id string) (*store.Pool, *poolConfig, error) {
	p, err := tx.GetPool(id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, errPoolNotFound(id)
	}
	if err != nil {
		return nil, nil, err
	}
	cfg, err := decodeConfig(p.Config)
	if err != nil {
		return nil, nil, err
	}
	return p, cfg, nil
}

// view and update run fn in a read or write transaction of the call's store.
func (s *Service) view(ctx context.Context, fn func(store.Tx) error) error {
	return s.st.View(ctx, fn)
}

func (s *Service) update(ctx context.Context, fn func(store.Tx) error) error {
	return s.st.Update(ctx, fn)
}
