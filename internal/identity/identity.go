package identity

import (
	"errors"

	"github.com/cognitod/cognitod/internal/api"
	"github.com/cognitod/cognitod/internal/awsproto"
	"github.com/cognitod/cognitod/internal/store"
)

// GetId returns the identity of the logins given, creating it when the
// logins are new, or a new unauthenticated identity when there are none.
func (s *Service) GetId(c *api.Call) (any, error) {
	poolID := c.In.Str("IdentityPoolId")
	logins := c.In.StrMap("Logins")
	if len(logins) == 0 {
		return s.getIDUnauthenticated(c, poolID)
	}
	var (
		pool *store.Pool
		cfg  *poolConfig
	)
	if err := s.view(c, func(tx store.Tx) (err error) {
		pool, cfg, err = anyPool(tx, poolID)
		return err
	}); err != nil {
		return nil, err
	}
	if err := checkAccountID(c, pool); err != nil {
		return nil, err
	}
	refs, err := s.resolveLogins(c, poolID, cfg, logins, false, c.Now)
	if err != nil {
		return nil, err
	}

	// Returning logins are the common case: answer them from a read
	// transaction without taking the writer.
	if id, ok, err := s.knownIdentity(c, poolID, refs); err != nil {
		return nil, err
	} else if ok {
		return getIDOut{id}, nil
	}

	var ident *store.Identity
	err = s.update(c, func(tx store.Tx) error {
		_, cfg, err := anyPool(tx, poolID)
		if err != nil {
			return err
		}
		ident, err = s.bind(tx, poolID, cfg, refs, "", c.Now, false)
		return err
	})
	if err != nil {
		return nil, err
	}
	return getIDOut{ident.ID}, nil
}

// getIDUnauthenticated creates a new unauthenticated identity: one write
// transaction that reads the pool and inserts the identity, with no read
// transaction before it (a View cost as much CPU as the pool read itself).
// A refusal (no such pool, another account, guests not allowed) returns
// from the closure before anything is written.
func (s *Service) getIDUnauthenticated(c *api.Call, poolID string) (any, error) {
	var ident *store.Identity
	err := s.update(c, func(tx store.Tx) error {
		pool, cfg, err := anyPool(tx, poolID)
		if err != nil {
			return err
		}
		if err := checkAccountID(c, pool); err != nil {
			return err
		}
		if !cfg.AllowUnauthenticatedIdentities {
			return notAuthorized(msgUnauthNotAllowed)
		}
		ident = &store.Identity{ID: s.newIdentityID(regionOf(poolID)), PoolID: poolID, CreatedAt: c.Now, ModifiedAt: c.Now}
		return tx.CreateIdentity(ident)
	})
	if err != nil {
		return nil, err
	}
	return getIDOut{ident.ID}, nil
}

// checkAccountID applies GetId's AccountId: when given, it must be the
// pool's account, else the pool does not exist as far as the caller can tell.
func checkAccountID(c *api.Call, pool *store.Pool) error {
	if acct := c.In.Str("AccountId"); acct != "" && acct != pool.Account {
		return errPoolNotFound(pool.ID)
	}
	return nil
}

type getIDOut struct {
	IdentityId string `json:"IdentityId"`
}

// knownIdentity reports the identity all refs already belong to, if they
// belong to one enabled identity and nothing needs linking.
func (s *Service) knownIdentity(c *api.Call, poolID string, refs []loginRef) (string, bool, error) {
	if len(refs) == 0 {
		return "", false, nil
	}
	var id string
	ok := true
	err := s.view(c, func(tx store.Tx) error {
		for _, r := range refs {
			owner := r.OwnIdentity
			if r.Kind != kindOwnToken {
				l, err := tx.FindLogin(poolID, r.Provider, r.Subject)
				if errors.Is(err, store.ErrNotFound) {
					ok = false
					return nil
				}
				if err != nil {
					return err
				}
				owner = l.IdentityID
			}
			if id != "" && owner != id {
				ok = false
				return nil
			}
			id = owner
		}
		ident, err := tx.GetIdentity(id)
		if errors.Is(err, store.ErrNotFound) {
			ok = false
			return nil
		}
		if err != nil {
			return err
		}
		if ident.Disabled {
			return errForbidden(id)
		}
		return nil
	})
	return id, ok && err == nil, err
}

// identitiesPage is ListIdentities' answer. It encodes itself (see
// awsproto.Appender): a page of 60 identities is the largest response
// served hot. Its JSON is what encoding/json writes for a struct of
// IdentityPoolId, Identities ([]identityOut) and NextToken (*string); a
// test holds the two equal.
type identitiesPage struct {
	IdentityPoolId string
	Identities     []*store.Identity
	NextToken      *string
}

func (p *identitiesPage) AppendJSON(b []byte) []byte {
	b = append(b, `{"IdentityPoolId":`...)
	b = awsproto.AppendString(b, p.IdentityPoolId)
	b = append(b, `,"Identities":[`...)
	for k, i := range p.Identities {
		if k > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"IdentityId":`...)
		b = awsproto.AppendString(b, i.ID)
		b = append(b, `,"Logins":`...)
		if names := providerNames(i.Logins); names == nil {
			b = append(b, "null"...)
		} else {
			b = append(b, '[')
			for n, name := range names {
				if n > 0 {
					b = append(b, ',')
				}
				b = awsproto.AppendString(b, name)
			}
			b = append(b, ']')
		}
		if !i.CreatedAt.IsZero() {
			b = append(b, `,"CreationDate":`...)
			b = awsproto.Time(i.CreatedAt).AppendJSON(b)
		}
		if !i.ModifiedAt.IsZero() {
			b = append(b, `,"LastModifiedDate":`...)
			b = awsproto.Time(i.ModifiedAt).AppendJSON(b)
		}
		b = append(b, '}')
	}
	b = append(b, `],"NextToken":`...)
	if p.NextToken == nil {
		b = append(b, "null"...)
	} else {
		b = awsproto.AppendString(b, *p.NextToken)
	}
	return append(b, '}')
}

type identityOut struct {
	IdentityId       string         `json:"IdentityId"`
	Logins           []string       `json:"Logins"`
	CreationDate     *awsproto.Time `json:"CreationDate,omitempty"`
	LastModifiedDate *awsproto.Time `json:"LastModifiedDate,omitempty"`
}

func describe(i *store.Identity) identityOut {
	return identityOut{
		IdentityId:       i.ID,
		Logins:           providerNames(i.Logins),
		CreationDate:     awsproto.TimePtr(i.CreatedAt),
		LastModifiedDate: awsproto.TimePtr(i.ModifiedAt),
	}
}

// ownedIdentity loads an identity for a developer call; identities of other
// accounts or regions do not exist for the caller.
func ownedIdentity(tx store.Tx, c *api.Call, id string) (*store.Identity, *store.Pool, *poolConfig, error) {
	i, err := tx.GetIdentity(id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, nil, errIdentityNotFound(id)
	}
	if err != nil {
		return nil, nil, nil, err
	}
	p, cfg, err := ownedPool(tx, c, i.PoolID)
	if err != nil {
		return nil, nil, nil, errIdentityNotFound(id)
	}
	return i, p, cfg, nil
}

// DescribeIdentity returns an identity's metadata.
func (s *Service) DescribeIdentity(c *api.Call) (any, error) {
	if err := developerOnly(c); err != nil {
		return nil, err
	}
	var out identityOut
	err := s.view(c, func(tx store.Tx) error {
		i, _, _, err := ownedIdentity(tx, c, c.In.Str("IdentityId"))
		if err != nil {
			return err
		}
		out = describe(i)
		return nil
	})
	return out, err
}

// ListIdentities pages through a pool's identities in ID order (keyset
// pagination: every page costs the same however deep it is).
func (s *Service) ListIdentities(c *api.Call) (any, error) {
	if err := developerOnly(c); err != nil {
		return nil, err
	}
	poolID := c.In.Str("IdentityPoolId")
	limit := int(c.In.Int("MaxResults", 60))
	hide, _ := c.In.Bool("HideDisabled")
	scope := "identities\x00" + poolID
	if hide {
		scope += "\x00hide"
	}
	after, err := s.openPage(c.In.Str("NextToken"), scope)
	if err != nil {
		return nil, err
	}
	// The answer kept from an earlier call if nothing was committed since
	// (pages.go); read, and kept, otherwise.
	key := pageKey{pool: poolID, after: after, limit: limit, hide: hide}
	gen, keep, err := store.Generation(c, s.st)
	if err != nil {
		return nil, err
	}
	var a *pageAnswer
	if keep {
		a = s.pageAnswers.get(gen, key)
	}
	read := a == nil
	if read {
		if a, err = s.readPage(c, key, scope); err != nil {
			return nil, err
		}
	}
	// The page is shown only to the pool's owner, and kept only for them:
	// another account's calls cannot churn what is kept.
	if !c.Caller.Owns(a.owner.Account, a.owner.Region) {
		return nil, errPoolNotFound(poolID)
	}
	if read && keep {
		s.pageAnswers.put(gen, key, a)
	}
	return a.body, nil
}

// readPage reads a page of identities and the pool's owner in one read,
// and encodes the answer.
func (s *Service) readPage(c *api.Call, k pageKey, scope string) (*pageAnswer, error) {
	out := &identitiesPage{IdentityPoolId: k.pool}
	var owner store.PoolOwner
	err := s.view(c, func(tx store.Tx) error {
		page, err := tx.ListPoolIdentities(k.pool, k.after, k.limit+1, k.hide)
		if errors.Is(err, store.ErrNotFound) {
			return errPoolNotFound(k.pool)
		}
		if err != nil {
			return err
		}
		owner = page.PoolOwner
		list := page.Identities
		if len(list) > k.limit {
			list = list[:k.limit]
			t := s.sealPage(scope, list[len(list)-1].ID)
			out.NextToken = &t
		}
		out.Identities = list
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &pageAnswer{owner: owner, body: out.AppendJSON(nil)}, nil
}

type unprocessed struct {
	IdentityId string `json:"IdentityId"`
	ErrorCode  string `json:"ErrorCode"`
}

// DeleteIdentities deletes up to 60 identities. Identities that do not exist
// are already gone; those of another account are reported unprocessed.
func (s *Service) DeleteIdentities(c *api.Call) (any, error) {
	if err := developerOnly(c); err != nil {
		return nil, err
	}
	out := struct {
		UnprocessedIdentityIds []unprocessed `json:"UnprocessedIdentityIds"`
	}{UnprocessedIdentityIds: []unprocessed{}}
	err := s.update(c, func(tx store.Tx) error {
		out.UnprocessedIdentityIds = out.UnprocessedIdentityIds[:0]
		for _, id := range c.In.StrList("IdentityIdsToDelete") {
			i, err := tx.GetIdentity(id)
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			if _, _, err := ownedPool(tx, c, i.PoolID); err != nil {
				out.UnprocessedIdentityIds = append(out.UnprocessedIdentityIds, unprocessed{id, "AccessDenied"})
				continue
			}
			if err := tx.DeleteIdentity(id); err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
		}
		return nil
	})
	return out, err
}

// UnlinkIdentity removes logins from an identity; the caller proves it holds
// the identity with Logins. An identity left without logins is disabled.
func (s *Service) UnlinkIdentity(c *api.Call) (any, error) {
	id := c.In.Str("IdentityId")
	var (
		poolID string
		cfg    *poolConfig
	)
	if err := s.view(c, func(tx store.Tx) error {
		i, err := tx.GetIdentity(id)
		if errors.Is(err, store.ErrNotFound) {
			return errIdentityNotFound(id)
		}
		if err != nil {
			return err
		}
		poolID = i.PoolID
		_, cfg, err = anyPool(tx, poolID)
		return err
	}); err != nil {
		return nil, err
	}
	refs, err := s.resolveLogins(c, poolID, cfg, c.In.StrMap("Logins"), false, c.Now)
	if err != nil {
		return nil, err
	}
	remove := c.In.StrList("LoginsToRemove")
	return nil, s.update(c, func(tx store.Tx) error {
		i, err := tx.GetIdentity(id)
		if errors.Is(err, store.ErrNotFound) {
			return errIdentityNotFound(id)
		}
		if err != nil {
			return err
		}
		if i.Disabled {
			return errForbidden(id)
		}
		if !holds(i, refs) {
			return notAuthorized(msgLoginsDontMatch)
		}
		removed := false
		kept := i.Logins[:0]
		for _, l := range i.Logins {
			if contains(remove, l.Provider) {
				if err := tx.RemoveLogin(l.PoolID, l.Provider, l.Subject); err != nil {
					return err
				}
				removed = true
				continue
			}
			kept = append(kept, l)
		}
		if !removed {
			return nil
		}
		i.Logins = kept
		i.ModifiedAt = c.Now
		i.Disabled = len(kept) == 0
		return tx.UpdateIdentity(i)
	})
}

// holds reports whether refs include at least one login of i.
func holds(i *store.Identity, refs []loginRef) bool {
	for _, r := range refs {
		if r.Kind == kindOwnToken && r.OwnIdentity == i.ID {
			return true
		}
		for _, l := range i.Logins {
			if l.Provider == r.Provider && l.Subject == r.Subject {
				return true
			}
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
