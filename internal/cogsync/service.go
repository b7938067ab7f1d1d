// Package cogsync implements Amazon Cognito Sync: the 17 operations of the
// cognito-sync 2014-06-30 model. Datasets and records live in the same store
// as the identities they belong to; usage counters are kept as writes happen,
// in the same transaction, so reading them never scans records.
package cogsync

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/cognitod/cognitod/internal/api"
	"github.com/cognitod/cognitod/internal/awsproto"
	"github.com/cognitod/cognitod/internal/model"
	"github.com/cognitod/cognitod/internal/store"
	"github.com/cognitod/cognitod/internal/tokens"
)

// Limits are the Cognito Sync quotas (AWS's defaults unless configured).
type Limits struct {
	DatasetsPerIdentity int   // AWS: 20
	RecordsPerDataset   int   // AWS: 1,024
	BytesPerDataset     int64 // AWS: 1 MB
	MaxResults          int   // page size when a listing names none
}

// DefaultLimits are AWS's quotas.
var DefaultLimits = Limits{DatasetsPerIdentity: 20, RecordsPerDataset: 1024, BytesPerDataset: 1 << 20, MaxResults: 1024}

// WithDefaults returns l with each limit left at zero set to AWS's default,
// so that configuring one quota leaves the others as AWS has them.
func (l Limits) WithDefaults() Limits {
	d := DefaultLimits
	return Limits{
		DatasetsPerIdentity: cmp.Or(l.DatasetsPerIdentity, d.DatasetsPerIdentity),
		RecordsPerDataset:   cmp.Or(l.RecordsPerDataset, d.RecordsPerDataset),
		BytesPerDataset:     cmp.Or(l.BytesPerDataset, d.BytesPerDataset),
		MaxResults:          cmp.Or(l.MaxResults, d.MaxResults),
	}
}

// MaxBody bounds a request body: room for the largest legal UpdateRecords,
// a whole dataset of BytesPerDataset in one call, however its JSON is
// escaped (an SDK writes a control character as \u00XX, six bytes for
// one), plus each record's keys and patch fields; never less than
// awsproto.MaxBodyBytes. With AWS's quotas, 6.3 MiB.
func (l Limits) MaxBody() int64 {
	const perPatch = 256 // {"Op":"replace","Key":"","Value":"","SyncCount":...,"DeviceLastModifiedDate":...}
	return max(awsproto.MaxBodyBytes, 6*l.BytesPerDataset+perPatch*int64(l.RecordsPerDataset)+64<<10)
}

// Config configures the service.
type Config struct {
	Store store.Store
	// Tokens seals SyncSessionTokens and NextTokens.
	Tokens *tokens.Box
	Limits Limits
	// Sink receives Cognito Streams records (bulk publish and live changes);
	// nil when none is configured.
	Sink Sink
	// Node names this process to other nodes sharing the store (bulk
	// publish job ownership).
	Node string
	Log  *slog.Logger
	// SessionTTL is how long a SyncSessionToken stays valid.
	SessionTTL time.Duration
}

// Service is the Cognito Sync service.
type Service struct {
	st     store.Store
	tok    *tokens.Box
	limits Limits
	sink   Sink
	node   string
	log    *slog.Logger
	ttl    time.Duration
	stream *streamer
	jobs   *jobRunner
	// bg is the context of background work (live streaming, bulk publish
	// jobs); Close cancels it once its drain time is up.
	bg       context.Context
	cancelBG context.CancelFunc
}

// New returns the service.
func New(c Config) *Service {
	c.Limits = c.Limits.WithDefaults()
	if c.Log == nil {
		c.Log = slog.Default()
	}
	if c.SessionTTL == 0 {
		c.SessionTTL = time.Hour
	}
	s := &Service{st: c.Store, tok: c.Tokens, limits: c.Limits, sink: c.Sink, node: c.Node, log: c.Log, ttl: c.SessionTTL}
	s.bg, s.cancelBG = context.WithCancel(context.Background())
	s.stream = newStreamer(s.bg, c.Sink, c.Log)
	s.jobs = &jobRunner{}
	return s
}

// Close stops background work (live streaming, bulk publish jobs): it lets
// what is in flight and queued finish until ctx ends, then cancels the rest
// (delivery is at most once; a bulk publish cut short can be started again)
// and returns once nothing runs.
func (s *Service) Close(ctx context.Context) {
	done := make(chan struct{})
	go func() {
		s.jobs.wait()
		s.stream.close()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		s.log.Warn("stopping background Sync work before it finished (live changes still queued are dropped; a running bulk publish can be started again)")
		s.cancelBG()
		<-done
	}
	s.cancelBG()
}

// API returns the service's model and handlers for internal/api.
func (s *Service) API() *api.Service {
	h := map[string]api.Handler{
		"ListIdentityPoolUsage":        s.ListIdentityPoolUsage,
		"DescribeIdentityPoolUsage":    s.DescribeIdentityPoolUsage,
		"DescribeIdentityUsage":        s.DescribeIdentityUsage,
		"ListDatasets":                 s.ListDatasets,
		"DescribeDataset":              s.DescribeDataset,
		"DeleteDataset":                s.DeleteDataset,
		"ListRecords":                  s.ListRecords,
		"UpdateRecords":                s.UpdateRecords,
		"GetIdentityPoolConfiguration": s.GetIdentityPoolConfiguration,
		"SetIdentityPoolConfiguration": s.SetIdentityPoolConfiguration,
		"GetCognitoEvents":             s.GetCognitoEvents,
		"SetCognitoEvents":             s.SetCognitoEvents,
		"BulkPublish":                  s.BulkPublish,
		"GetBulkPublishDetails":        s.GetBulkPublishDetails,
		"RegisterDevice":               s.RegisterDevice,
		"SubscribeToDataset":           s.SubscribeToDataset,
		"UnsubscribeFromDataset":       s.UnsubscribeFromDataset,
	}
	return &api.Service{Model: model.CognitoSync, Handlers: h, ValidationCode: awsproto.CodeInvalidParameter, MaxBody: s.limits.MaxBody()}
}

func notAuthorized(format string, args ...any) error {
	return awsproto.Errorf(awsproto.CodeNotAuthorized, format, args...)
}

func invalidParam(format string, args ...any) error {
	return awsproto.Errorf(awsproto.CodeInvalidParameter, format, args...)
}

func notFound(format string, args ...any) error {
	return awsproto.Errorf(awsproto.CodeResourceNotFound, format, args...)
}

// Who may call an operation.
type access int

const (
	developerOnly access = iota // developer credentials only
	identityOnly                // the identity's own temporary credentials only
	either                      // developer credentials, or the identity's own
)

// developerOnlyCheck refuses an identity's temporary credentials on an
// operation that needs developer credentials.
func developerOnlyCheck(c *api.Call) error {
	if !c.Caller.Developer() {
		return notAuthorized("Temporary credentials of an identity are not authorized to perform: cognito-sync:%s", c.Op.Name)
	}
	return nil
}

// developerPool loads a pool for a developer-only operation.
func developerPool(tx store.Tx, c *api.Call, poolID string) (*store.Pool, error) {
	if err := developerOnlyCheck(c); err != nil {
		return nil, err
	}
	return ownedPool(tx, c, poolID)
}

func ownedPool(tx store.Tx, c *api.Call, poolID string) (*store.Pool, error) {
	p, err := tx.GetPool(poolID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound("IdentityPool '%s' not found.", poolID)
	}
	if err != nil {
		return nil, err
	}
	if !c.Caller.Owns(p.Account, p.Region) {
		return nil, notFound("IdentityPool '%s' not found.", poolID)
	}
	return p, nil
}

// identityAccess checks that the caller may act on identity id of pool
// poolID: developers of the pool's account, or the identity itself holding
// its temporary credentials. It returns the identity (of pool poolID).
func identityAccess(tx store.Tx, c *api.Call, who access, poolID, id string) (*store.Identity, error) {
	if sess := c.Caller.Session; sess != nil {
		if who == developerOnly {
			return nil, developerOnlyCheck(c)
		}
		if sess.PoolID != poolID || sess.IdentityID != id {
			return nil, notAuthorized("Identity '%s' is not authorized to access identity '%s' of identity pool '%s'.", sess.IdentityID, id, poolID)
		}
	} else if who == identityOnly {
		return nil, notAuthorized("%s accepts only the temporary credentials of the identity itself (from GetCredentialsForIdentity), not developer credentials.", c.Op.Name)
	}
	// The pool's owner and the identity in one read.
	owner, i, err := tx.PeekPoolIdentity(poolID, id)
	if err != nil {
		return nil, err
	}
	if owner == nil || c.Caller.Developer() && !c.Caller.Owns(owner.Account, owner.Region) {
		return nil, notFound("IdentityPool '%s' not found.", poolID)
	}
	if i == nil || i.PoolID != poolID {
		return nil, notFound("Identity '%s' not found.", id)
	}
	if i.Disabled && !c.Caller.Developer() {
		return nil, notAuthorized("Access to Identity '%s' is forbidden.", id)
	}
	return i, nil
}

// modifiedBy is what LastModifiedBy records for the caller.
func modifiedBy(c *api.Call) string {
	if s := c.Caller.Session; s != nil {
		return s.IdentityID
	}
	return c.Caller.Account
}

// pageSize is a listing's MaxResults, or the default.
func (s *Service) pageSize(c *api.Call) int {
	n := int(c.In.Int("MaxResults", 0))
	if n <= 0 {
		return s.limits.MaxResults
	}
	return n
}

// sealPage / openPage make and check opaque NextTokens scoped to a listing.
func (s *Service) sealPage(scope, key string) string { return s.tok.SealPage(scope, key) }

func (s *Service) openPage(token, scope string) (string, error) {
	if token == "" {
		return "", nil
	}
	key, ok := s.tok.OpenPage(token, scope)
	if !ok {
		return "", invalidParam("The provided NextToken is not valid.")
	}
	return key, nil
}

func timePtr(t time.Time) *awsproto.Time { return awsproto.TimePtr(t) }

// nullIfZero gives nil for 0 so that the member encodes as null, as AWS
// answers for pools that never synced.
func nullIfZero(n int64) *int64 {
	if n == 0 {
		return nil
	}
	return &n
}
