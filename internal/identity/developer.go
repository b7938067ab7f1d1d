package identity

import (
	"errors"
	"time"

	"github.com/cognitod/cognitod/internal/api"
	"github.com/cognitod/cognitod/internal/awsproto"
	"github.com/cognitod/cognitod/internal/store"
)

// GetOpenIdTokenForDeveloperIdentity registers (or looks up) developer users
// and returns an OpenID token for their identity; the backend calls it with
// developer credentials and hands the token to its client.
func (s *Service) GetOpenIdTokenForDeveloperIdentity(c *api.Call) (any, error) {
	if err := developerOnly(c); err != nil {
		return nil, err
	}
	poolID := c.In.Str("IdentityPoolId")
	var (
		pool *store.Pool
		cfg  *poolConfig
	)
	if err := s.view(c, func(tx store.Tx) (err error) {
		pool, cfg, err = ownedPool(tx, c, poolID)
		return err
	}); err != nil {
		return nil, err
	}
	refs, err := s.resolveLogins(c, poolID, cfg, c.In.StrMap("Logins"), true, c.Now)
	if err != nil {
		return nil, err
	}
	target := c.In.Str("IdentityId")
	var ident *store.Identity
	err = s.update(c, func(tx store.Tx) error {
		_, cfg, err := ownedPool(tx, c, poolID)
		if err != nil {
			return err
		}
		// No login at all is a guest, whom only a pool that allows them
		// may have (GetId's rule).
		if len(refs) == 0 && !cfg.AllowUnauthenticatedIdentities {
			return notAuthorized(msgUnauthNotAllowed)
		}
		ident, err = s.bind(tx, poolID, cfg, refs, target, c.Now, true)
		return err
	})
	if err != nil {
		return nil, err
	}
	ttl := developerTokenTTL
	if c.In.Has("TokenDuration") {
		ttl = time.Duration(c.In.Int("TokenDuration", 900)) * time.Second
	}
	// PrincipalTags given here win over tags mapped from other logins of
	// the call.
	tags := mergeTags(principalTags(cfg, refs), c.In.StrMap("PrincipalTags"))
	tok, err := s.signToken(c, pool, cfg, ident.ID, refs, tags, ttl)
	if err != nil {
		return nil, err
	}
	return tokenOut{ident.ID, tok}, nil
}

// developerPool loads a pool and checks it has the named developer provider.
func developerPool(tx store.Tx, c *api.Call, poolID, provider string) (*poolConfig, error) {
	_, cfg, err := ownedPool(tx, c, poolID)
	if err != nil {
		return nil, err
	}
	if cfg.DeveloperProviderName == "" {
		return nil, invalidParam("Identity pool %s has no developer provider.", poolID)
	}
	if provider != "" && provider != cfg.DeveloperProviderName {
		return nil, invalidParam("Developer provider name %s does not match the identity pool's developer provider.", provider)
	}
	return cfg, nil
}

func errDevUserNotFound(user string) error {
	return awsproto.Errorf(awsproto.CodeResourceNotFound, "Developer user identifier '%s' not found.", user)
}

// LookupDeveloperIdentity returns an identity and its developer user
// identifiers, looked up by either.
func (s *Service) LookupDeveloperIdentity(c *api.Call) (any, error) {
	if err := developerOnly(c); err != nil {
		return nil, err
	}
	poolID := c.In.Str("IdentityPoolId")
	id, user := c.In.Str("IdentityId"), c.In.Str("DeveloperUserIdentifier")
	if id == "" && user == "" {
		return nil, invalidParam("Either IdentityId or DeveloperUserIdentifier must be provided.")
	}
	limit := int(c.In.Int("MaxResults", 60))
	out := struct {
		IdentityId                  string   `json:"IdentityId"`
		DeveloperUserIdentifierList []string `json:"DeveloperUserIdentifierList"`
		NextToken                   *string  `json:"NextToken"`
	}{DeveloperUserIdentifierList: []string{}}
	err := s.view(c, func(tx store.Tx) error {
		cfg, err := developerPool(tx, c, poolID, "")
		if err != nil {
			return err
		}
		if user != "" {
			l, err := findDeveloperLogin(tx, poolID, cfg.DeveloperProviderName, user)
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
			if id != "" {
				// Both given: "DeveloperUserIdentifier will be matched
				// against IdentityID. If the values are verified against
				// the database, the response returns both values and is
				// the same as the request. Otherwise a
				// ResourceConflictException is thrown."
				if l == nil || l.IdentityID != id {
					return awsproto.Errorf(awsproto.CodeResourceConflict, "Developer user identifier '%s' is not linked to identity '%s'.", user, id)
				}
				out.IdentityId, out.DeveloperUserIdentifierList = id, []string{user}
				return nil
			}
			if l == nil {
				return errDevUserNotFound(user)
			}
			id = l.IdentityID
		}
		i, err := tx.GetIdentity(id)
		if errors.Is(err, store.ErrNotFound) || (err == nil && i.PoolID != poolID) {
			return errIdentityNotFound(id)
		}
		if err != nil {
			return err
		}
		scope := "devusers\x00" + poolID + "\x00" + id
		after, err := s.openPage(c.In.Str("NextToken"), scope)
		if err != nil {
			return err
		}
		ls, err := tx.ListLogins(id, cfg.DeveloperProviderName, after, limit+1)
		if err != nil {
			return err
		}
		if len(ls) > limit {
			ls = ls[:limit]
			t := s.sealPage(scope, ls[len(ls)-1].Subject)
			out.NextToken = &t
		}
		out.IdentityId = id
		for _, l := range ls {
			out.DeveloperUserIdentifierList = append(out.DeveloperUserIdentifierList, l.Subject)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// MergeDeveloperIdentities merges the source user's identity into the
// destination user's identity; the destination survives.
func (s *Service) MergeDeveloperIdentities(c *api.Call) (any, error) {
	if err := developerOnly(c); err != nil {
		return nil, err
	}
	poolID := c.In.Str("IdentityPoolId")
	src, dst := c.In.Str("SourceUserIdentifier"), c.In.Str("DestinationUserIdentifier")
	var survivor string
	err := s.update(c, func(tx store.Tx) error {
		cfg, err := developerPool(tx, c, poolID, c.In.Str("DeveloperProviderName"))
		if err != nil {
			return err
		}
		dl, err := findDeveloperLogin(tx, poolID, cfg.DeveloperProviderName, dst)
		if errors.Is(err, store.ErrNotFound) {
			return errDevUserNotFound(dst)
		}
		if err != nil {
			return err
		}
		sl, err := findDeveloperLogin(tx, poolID, cfg.DeveloperProviderName, src)
		if errors.Is(err, store.ErrNotFound) {
			return errDevUserNotFound(src)
		}
		if err != nil {
			return err
		}
		survivor = dl.IdentityID
		if sl.IdentityID == dl.IdentityID {
			return nil
		}
		to, err := tx.GetIdentity(dl.IdentityID)
		if err != nil {
			return err
		}
		from, err := tx.GetIdentity(sl.IdentityID)
		if err != nil {
			return err
		}
		if err := s.merge(tx, cfg, from, to, c.Now); err != nil {
			return err
		}
		to.ModifiedAt = c.Now
		return tx.UpdateIdentity(to)
	})
	if err != nil {
		return nil, err
	}
	return getIDOut{survivor}, nil
}

// UnlinkDeveloperIdentity unlinks a developer user from its identity; an
// identity left without logins is disabled.
func (s *Service) UnlinkDeveloperIdentity(c *api.Call) (any, error) {
	if err := developerOnly(c); err != nil {
		return nil, err
	}
	poolID, id, user := c.In.Str("IdentityPoolId"), c.In.Str("IdentityId"), c.In.Str("DeveloperUserIdentifier")
	return nil, s.update(c, func(tx store.Tx) error {
		cfg, err := developerPool(tx, c, poolID, c.In.Str("DeveloperProviderName"))
		if err != nil {
			return err
		}
		l, err := findDeveloperLogin(tx, poolID, cfg.DeveloperProviderName, user)
		if errors.Is(err, store.ErrNotFound) {
			return errDevUserNotFound(user)
		}
		if err != nil {
			return err
		}
		if l.IdentityID != id {
			return awsproto.Errorf(awsproto.CodeResourceConflict, "Developer user identifier '%s' is not linked to identity '%s'.", user, id)
		}
		i, err := tx.GetIdentity(id)
		if err != nil {
			return err
		}
		if err := tx.RemoveLogin(poolID, cfg.DeveloperProviderName, l.Subject); err != nil {
			return err
		}
		i.ModifiedAt = c.Now
		i.Disabled = len(i.Logins) <= 1
		return tx.UpdateIdentity(i)
	})
}
