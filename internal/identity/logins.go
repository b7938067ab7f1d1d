package identity

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"sort"
	"strings"
	"time"

	"github.com/cognitod/cognitod/internal/awsproto"
	"github.com/cognitod/cognitod/internal/store"
	"github.com/cognitod/cognitod/internal/trust"
)

// loginRef is one entry of a request's Logins map, resolved to the subject
// the provider vouches for.
type loginRef struct {
	Provider string
	Subject  string
	Kind     providerKind
	// Claims of the token when it is a JWT (for role mapping and tags).
	Claims map[string]any
	// OwnIdentity is the identity a token cognitod issued names.
	OwnIdentity string
}

// maxSubjectLen bounds the subject kept per login from a token; longer
// subjects (opaque access tokens) are kept as their SHA-256 so that every
// store can index them (PostgreSQL refuses index rows past 2,704 bytes).
// A developer user identifier is kept whole up to maxDeveloperSubjectLen
// bytes (the model's 1,024 characters, when they are ASCII), so that
// LookupDeveloperIdentity answers it as given.
const (
	maxSubjectLen          = 512
	maxDeveloperSubjectLen = 1024
)

// storedSubject is the subject a login is kept (and looked up) under.
//
// A subject that itself begins with the hashed form's prefix is hashed too:
// kept as given, "sha256:<the hash of someone's long subject>" (a username,
// a SAML NameID, a developer user ID a user could choose) would be that
// someone's login, and its holder would get their identity.
func storedSubject(kind providerKind, subject string) string {
	limit := maxSubjectLen
	if kind == kindDeveloper {
		limit = maxDeveloperSubjectLen
	}
	if len(subject) <= limit && !strings.HasPrefix(subject, hashedPrefix) {
		return subject
	}
	return hashedSubject(subject)
}

const hashedPrefix = "sha256:"

func hashedSubject(subject string) string {
	sum := sha256.Sum256([]byte(subject))
	return hashedPrefix + hex.EncodeToString(sum[:])
}

// findDeveloperLogin finds developer user user's login, under the subject
// it is kept by; one kept by an earlier build, which hashed identifiers
// past 512 bytes, is found too.
func findDeveloperLogin(tx store.Tx, poolID, provider, user string) (*store.Login, error) {
	l, err := tx.FindLogin(poolID, provider, storedSubject(kindDeveloper, user))
	if errors.Is(err, store.ErrNotFound) && len(user) > maxSubjectLen && len(user) <= maxDeveloperSubjectLen {
		return tx.FindLogin(poolID, provider, hashedSubject(user))
	}
	return l, err
}

// resolveLogins checks every login against the pool's providers and works
// out its subject: tokens cognitod issued are checked against its keyring,
// every other provider's token by the verifier (internal/trust; under
// --logins trust it takes tokens as presented). It runs before the store
// transaction (verifying may fetch keys from an issuer), so a refused login
// fails the call before anything is created or linked. If any one login
// fails, the call fails: AWS never acts on part of a Logins map.
func (s *Service) resolveLogins(ctx context.Context, poolID string, cfg *poolConfig, logins map[string]string, allowDeveloper bool, now time.Time) ([]loginRef, error) {
	refs := make([]loginRef, 0, len(logins))
	for _, provider := range sortedKeys(logins) {
		token := logins[provider]
		kind := cfg.providerKindOf(provider)
		r := loginRef{Provider: provider, Kind: kind}
		switch kind {
		case kindNone:
			return nil, notAuthorized(msgUnsupportedLogin)
		case kindDeveloper:
			if !allowDeveloper {
				return nil, notAuthorized(msgUnsupportedLogin)
			}
			r.Subject = token
		case kindOwnToken:
			claims, err := s.keys.Verify(ctx, token, now)
			if err != nil {
				return nil, notAuthorized("Invalid login token. " + tokenProblem(err))
			}
			if aud, _ := claims["aud"].(string); aud != poolID {
				return nil, notAuthorized("Invalid login token. Token is not from this identity pool.")
			}
			sub, _ := claims["sub"].(string)
			if sub == "" {
				return nil, notAuthorized("Invalid login token. Missing a required claim: sub")
			}
			// Only a token issued to an authenticated identity is a login:
			// a guest's token proves nothing about who holds it (anyone
			// who knows a guest identity's ID may ask for one), so taking
			// it as a login would let it stand for the logins linked to
			// that identity later, and mint tokens that say authenticated.
			if !authenticatedAMR(claims["amr"]) {
				return nil, notAuthorized("Invalid login token. Token is not from an authenticated identity.")
			}
			r.Subject, r.OwnIdentity, r.Claims = sub, sub, claims
		default:
			res, err := s.verifier.Verify(ctx, cfg.trustLogin(provider, kind, token), now)
			if err != nil {
				return nil, loginRefused(err)
			}
			r.Subject, r.Claims = res.Subject, res.Claims
			if r.Subject == "" {
				return nil, notAuthorized("Invalid login token. Missing a required claim: sub")
			}
		}
		r.Subject = storedSubject(kind, r.Subject)
		refs = append(refs, r)
	}
	return refs, nil
}

// authenticatedAMR reports whether a token's amr claim says authenticated
// (cognitod writes ["authenticated", providers...] or ["unauthenticated"]).
func authenticatedAMR(amr any) bool {
	list, _ := amr.([]any)
	for _, v := range list {
		if v == "authenticated" {
			return true
		}
	}
	return false
}

func tokenProblem(err error) string {
	msg := err.Error()
	if strings.Contains(msg, "expired") {
		return "Token expired."
	}
	return "Token signature invalid."
}

// loginRefused answers a login the verifier refused: NotAuthorizedException,
// or ExternalServiceException when the provider could not be asked.
func loginRefused(err error) error {
	var te *trust.Error
	if errors.As(err, &te) {
		if te.Unavailable {
			return &awsproto.Error{Code: awsproto.CodeExternalService, Message: te.Message}
		}
		return notAuthorized(te.Message)
	}
	return err
}

// bind applies a request's logins to the identity they resolve to, inside tx:
// it finds the identity each login belongs to, creates one when none does
// (targetID == "" only), links logins not yet linked, and merges identities
// when the logins belong to several. targetID is the IdentityId the caller
// named, if any: when it already has logins, at least one of refs must be
// one of them. devStrict refuses a developer user registered to another
// identity instead of merging (GetOpenIdTokenForDeveloperIdentity).
func (s *Service) bind(tx store.Tx, poolID string, cfg *poolConfig, refs []loginRef, targetID string, now time.Time, devStrict bool) (*store.Identity, error) {
	var target *store.Identity
	if targetID != "" {
		t, err := tx.GetIdentity(targetID)
		if errors.Is(err, store.ErrNotFound) || (err == nil && t.PoolID != poolID) {
			return nil, errIdentityNotFound(targetID)
		}
		if err != nil {
			return nil, err
		}
		if t.Disabled {
			return nil, errForbidden(t.ID)
		}
		target = t
	}

	var owners []*store.Identity
	var unowned []loginRef
	matched := false
	for _, r := range refs {
		ownerID := r.OwnIdentity
		if r.Kind != kindOwnToken {
			l, err := tx.FindLogin(poolID, r.Provider, r.Subject)
			if errors.Is(err, store.ErrNotFound) {
				unowned = append(unowned, r)
				continue
			}
			if err != nil {
				return nil, err
			}
			ownerID = l.IdentityID
		}
		if target != nil && ownerID == target.ID {
			matched = true
			continue
		}
		if devStrict && target != nil && r.Kind == kindDeveloper {
			return nil, awsproto.Errorf(awsproto.CodeDeveloperUserAlreadyRegd, "The developer user identifier is already registered with a different identity ID.")
		}
		if containsIdentity(owners, ownerID) {
			continue
		}
		o, err := tx.GetIdentity(ownerID)
		if errors.Is(err, store.ErrNotFound) || (err == nil && o.PoolID != poolID) {
			return nil, errIdentityNotFound(ownerID)
		}
		if err != nil {
			return nil, err
		}
		if o.Disabled {
			return nil, errForbidden(o.ID)
		}
		owners = append(owners, o)
	}

	var survivor *store.Identity
	var absorbed []*store.Identity
	switch {
	case target != nil && len(target.Logins) > 0:
		if !matched {
			return nil, notAuthorized(msgLoginsDontMatch)
		}
		survivor, absorbed = target, owners
	case target != nil && len(owners) > 0:
		// An unauthenticated identity logging in with a login that already
		// has an identity: that identity survives, as on AWS.
		survivor, absorbed = owners[0], append([]*store.Identity{target}, owners[1:]...)
	case target != nil:
		survivor = target
	case len(owners) > 0:
		survivor, absorbed = owners[0], owners[1:]
	default:
		survivor = &store.Identity{ID: s.newIdentityID(regionOf(poolID)), PoolID: poolID, CreatedAt: now, ModifiedAt: now}
		if err := tx.CreateIdentity(survivor); err != nil {
			return nil, err
		}
	}

	changed := false
	for _, from := range absorbed {
		if err := s.merge(tx, cfg, from, survivor, now); err != nil {
			return nil, err
		}
		changed = true
	}
	for _, r := range unowned {
		if err := s.checkLinkable(cfg, survivor, r.Provider, r.Subject); err != nil {
			return nil, err
		}
		l := &store.Login{PoolID: poolID, Provider: r.Provider, Subject: r.Subject, IdentityID: survivor.ID, CreatedAt: now}
		if err := tx.AddLogin(l); err != nil {
			return nil, err
		}
		survivor.Logins = append(survivor.Logins, l)
		changed = true
	}
	if changed && survivor.CreatedAt != now {
		survivor.ModifiedAt = now
		if err := tx.UpdateIdentity(survivor); err != nil {
			return nil, err
		}
	}
	return survivor, nil
}

func containsIdentity(list []*store.Identity, id string) bool {
	for _, i := range list {
		if i.ID == id {
			return true
		}
	}
	return false
}

// checkLinkable refuses a second, different login from the same public
// provider on one identity (AWS: ResourceConflictException). Developer
// providers may hold several users per identity (merges).
func (s *Service) checkLinkable(cfg *poolConfig, to *store.Identity, provider, subject string) error {
	if cfg.providerKindOf(provider) == kindDeveloper {
		return nil
	}
	for _, l := range to.Logins {
		if l.Provider == provider && l.Subject != subject {
			return awsproto.Errorf(awsproto.CodeResourceConflict, "Identity '%s' is already linked to a different login from provider %s.", to.ID, provider)
		}
	}
	return nil
}

// merge moves every login of from onto to and disables from.
func (s *Service) merge(tx store.Tx, cfg *poolConfig, from, to *store.Identity, now time.Time) error {
	if len(from.Logins)+len(to.Logins) > s.limits.LoginsPerMerge {
		return awsproto.Errorf(awsproto.CodeResourceConflict, "Merged identities can hold at most %d logins together.", s.limits.LoginsPerMerge)
	}
	for _, l := range from.Logins {
		if err := s.checkLinkable(cfg, to, l.Provider, l.Subject); err != nil {
			return err
		}
	}
	if err := tx.MoveLogins(from.ID, to.ID); err != nil {
		return err
	}
	for _, l := range from.Logins {
		l.IdentityID = to.ID
		to.Logins = append(to.Logins, l)
	}
	from.Logins = nil
	from.Disabled = true
	from.ModifiedAt = now
	if err := tx.UpdateIdentity(from); err != nil {
		return err
	}
	if s.hooks.IdentitiesMerged != nil {
		return s.hooks.IdentitiesMerged(tx, from.ID, to.ID, now)
	}
	return nil
}

// providerNames lists the distinct providers of an identity's logins: what
// AWS shows in IdentityDescription.Logins (never tokens or user IDs).
func providerNames(ls []*store.Login) []string {
	if len(ls) == 0 {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	for _, l := range ls {
		if !seen[l.Provider] {
			seen[l.Provider] = true
			out = append(out, l.Provider)
		}
	}
	sort.Strings(out)
	return out
}
