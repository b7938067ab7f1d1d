package identity

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cognitod/cognitod/internal/api"
	"github.com/cognitod/cognitod/internal/awsproto"
	"github.com/cognitod/cognitod/internal/store"
	"github.com/cognitod/cognitod/internal/tokens"
	"github.com/cognitod/cognitod/internal/trust"
)

// Token and credential lifetimes, as AWS issues them.
const (
	openIDTokenTTL       = 10 * time.Minute
	developerTokenTTL    = 15 * time.Minute
	credentialsTTL       = time.Hour
	poolARNClaim         = "https://cognito-identity.amazonaws.com/identity-pool-arn"
	principalTagsClaim   = "https://aws.amazon.com/tags"
	claimCognitoRoles    = "cognito:roles"
	claimCognitoPrefRole = "cognito:preferred_role"
)

// identityContext is what the token operations learn about an identity
// before their transaction.
type identityContext struct {
	pool *store.Pool
	cfg  *poolConfig
}

func (s *Service) loadIdentityPool(c *api.Call, id string) (*identityContext, error) {
	var ic identityContext
	err := s.view(c, func(tx store.Tx) error {
		i, err := tx.PeekIdentity(id)
		if errors.Is(err, store.ErrNotFound) {
			return errIdentityNotFound(id)
		}
		if err != nil {
			return err
		}
		ic.pool, ic.cfg, err = anyPool(tx, i.PoolID)
		return err
	})
	return &ic, err
}

// authorize links the call's logins to the identity (or the identity they
// lead to) and checks that the caller may act for it.
func (s *Service) authorize(c *api.Call, ic *identityContext, id string, refs []loginRef) (*store.Identity, error) {
	var ident *store.Identity
	err := s.update(c, func(tx store.Tx) error {
		_, cfg, err := anyPool(tx, ic.pool.ID)
		if err != nil {
			return err
		}
		ident, err = s.bind(tx, ic.pool.ID, cfg, refs, id, c.Now, false)
		if err != nil {
			return err
		}
		if len(ident.Logins) == 0 && !cfg.AllowUnauthenticatedIdentities {
			return notAuthorized(msgUnauthNotAllowed)
		}
		ic.cfg = cfg
		return nil
	})
	return ident, err
}

// GetOpenIdToken returns an OpenID token for an identity (the basic flow).
func (s *Service) GetOpenIdToken(c *api.Call) (any, error) {
	id := c.In.Str("IdentityId")
	ic, err := s.loadIdentityPool(c, id)
	if err != nil {
		return nil, err
	}
	if ic.cfg.AllowClassicFlow != nil && !*ic.cfg.AllowClassicFlow {
		return nil, invalidParam(msgClassicDisabled)
	}
	if len(ic.cfg.RoleMappings) > 0 {
		return nil, invalidParam(msgClassicWithRoleMp)
	}
	refs, err := s.resolveLogins(c, ic.pool.ID, ic.cfg, c.In.StrMap("Logins"), false, c.Now)
	if err != nil {
		return nil, err
	}
	ident, err := s.authorize(c, ic, id, refs)
	if err != nil {
		return nil, err
	}
	tok, err := s.signToken(c, ic.pool, ic.cfg, ident.ID, refs, principalTags(ic.cfg, refs), openIDTokenTTL)
	if err != nil {
		return nil, err
	}
	return tokenOut{ident.ID, tok}, nil
}

type tokenOut struct {
	IdentityId string `json:"IdentityId"`
	Token      string `json:"Token"`
}

// signToken issues an OpenID token for identity id.
func (s *Service) signToken(c *api.Call, pool *store.Pool, cfg *poolConfig, id string, refs []loginRef, tags map[string]string, ttl time.Duration) (string, error) {
	now := c.Now.Truncate(time.Second)
	claims := map[string]any{
		"iss":        s.keys.Issuer(),
		"aud":        pool.ID,
		"sub":        id,
		"iat":        now.Unix(),
		"exp":        now.Add(ttl).Unix(),
		"amr":        amr(pool, cfg, refs),
		poolARNClaim: poolARN(pool),
	}
	if len(tags) > 0 {
		pt := make(map[string][]string, len(tags))
		for k, v := range tags {
			pt[k] = []string{v}
		}
		claims[principalTagsClaim] = map[string]any{"principal_tags": pt}
	}
	return s.keys.Sign(c, pool.Region, claims)
}

func poolARN(p *store.Pool) string {
	return fmt.Sprintf("arn:%s:cognito-identity:%s:%s:identitypool/%s", awsproto.Partition(p.Region), p.Region, p.Account, p.ID)
}

// appID is the application a public provider's amr entry names: the
// pool's value for the provider, but for Twitter only its consumer key.
// Twitter's value is "consumerKey;consumerSecret" (docs/LOGINS.md), and a
// token is handed to the app's users and to whoever verifies it: the
// secret stays on the server.
func appID(provider, configured string) string {
	if provider == trust.Twitter {
		key, _, _ := strings.Cut(configured, ";")
		return key
	}
	return configured
}

// amr builds the token's authentication methods as AWS fills them.
func amr(pool *store.Pool, cfg *poolConfig, refs []loginRef) []string {
	if len(refs) == 0 {
		return []string{"unauthenticated"}
	}
	out := []string{"authenticated"}
	for _, r := range refs {
		switch r.Kind {
		case kindOwnToken:
			if prev, ok := r.Claims["amr"].([]any); ok {
				for _, v := range prev {
					if s, _ := v.(string); s != "" && s != "authenticated" && s != "unauthenticated" {
						out = append(out, s)
					}
				}
			}
		case kindDeveloper:
			out = append(out, r.Provider, fmt.Sprintf("%s:%s:%s:%s", r.Provider, pool.Region, pool.ID, r.Subject))
		case kindOIDC:
			out = append(out, r.Provider, fmt.Sprintf("arn:%s:iam::%s:oidc-provider/%s:OIDC:%s", awsproto.Partition(pool.Region), pool.Account, r.Provider, r.Subject))
		case kindCognito:
			out = append(out, r.Provider, r.Provider+":CognitoSignIn:"+r.Subject)
		case kindSAML:
			out = append(out, r.Provider, r.Provider+":SAML:"+r.Subject)
		default:
			out = append(out, r.Provider, r.Provider+":"+appID(r.Provider, cfg.SupportedLoginProviders[r.Provider])+":"+r.Subject)
		}
	}
	return out
}

type credentialsOut struct {
	AccessKeyId  string        `json:"AccessKeyId"`
	SecretKey    string        `json:"SecretKey"`
	SessionToken string        `json:"SessionToken"`
	Expiration   awsproto.Time `json:"Expiration"`
}

// GetCredentialsForIdentity returns temporary credentials for an identity
// (the enhanced flow), for the role the pool's configuration selects.
func (s *Service) GetCredentialsForIdentity(c *api.Call) (any, error) {
	id := c.In.Str("IdentityId")
	ic, err := s.loadIdentityPool(c, id)
	if err != nil {
		return nil, err
	}
	refs, err := s.resolveLogins(c, ic.pool.ID, ic.cfg, c.In.StrMap("Logins"), false, c.Now)
	if err != nil {
		return nil, err
	}
	custom := c.In.Str("CustomRoleArn")
	var out struct {
		IdentityId  string         `json:"IdentityId"`
		Credentials credentialsOut `json:"Credentials"`
	}
	err = s.update(c, func(tx store.Tx) error {
		_, cfg, err := anyPool(tx, ic.pool.ID)
		if err != nil {
			return err
		}
		ident, err := s.bind(tx, ic.pool.ID, cfg, refs, id, c.Now, false)
		if err != nil {
			return err
		}
		authenticated := len(ident.Logins) > 0
		if !authenticated && !cfg.AllowUnauthenticatedIdentities {
			return notAuthorized(msgUnauthNotAllowed)
		}
		role, err := chooseRole(cfg, refs, authenticated, custom)
		if err != nil {
			return err
		}
		sess, token, err := s.sealer.MintSession(&tokens.Session{
			IdentityID: ident.ID, PoolID: ic.pool.ID, Account: ic.pool.Account, Region: ic.pool.Region, RoleARN: role,
			Tags: principalTags(cfg, refs),
		}, credentialsTTL, c.Now)
		if err != nil {
			return err
		}
		if err := tx.RecordCredentials(&store.Credentials{
			AccessKeyID: sess.AccessKeyID, IdentityID: ident.ID, PoolID: ic.pool.ID,
			RoleARN: role, IssuedAt: c.Now, Expiration: sess.Expiration,
		}); err != nil {
			return err
		}
		out.IdentityId = ident.ID
		out.Credentials = credentialsOut{sess.AccessKeyID, sess.SecretKey, token, awsproto.Time(sess.Expiration)}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// chooseRole picks the IAM role for credentials as AWS does: the
// unauthenticated role, or for an authenticated identity the role mapping of
// the first login provider (in name order) that has one (Token: the token's
// cognito:preferred_role / cognito:roles, or CustomRoleArn if it is among
// them; Rules: the first matching rule). When the mapping selects nothing,
// AmbiguousRoleResolution decides: AuthenticatedRole falls back to the
// pool's authenticated role, Deny refuses (NotAuthorizedException, as AWS
// words it). Identities with no mapping get the authenticated role. No role
// to give: InvalidIdentityPoolConfigurationException.
func chooseRole(cfg *poolConfig, refs []loginRef, authenticated bool, custom string) (string, error) {
	noRole := &awsproto.Error{Code: awsproto.CodeInvalidIdentityPoolConfig, Message: msgNoRole}
	if !authenticated {
		if r := cfg.Roles["unauthenticated"]; r != "" {
			return r, nil
		}
		return "", noRole
	}
	for _, r := range refs {
		key, rm, ok := mappingFor(cfg, r)
		if !ok {
			continue
		}
		role, err := applyMapping(rm, r.Claims, custom)
		if err != nil {
			return "", err
		}
		if role != "" {
			return role, nil
		}
		if rm.AmbiguousRoleResolution == "Deny" {
			return "", notAuthorized("The ambiguous role mapping rules for: " + key + " denied this request.")
		}
		break
	}
	// A SAML assertion may name the roles itself ("You do not need to
	// specify an authenticated or unauthenticated role for the identity
	// pool to use a SAML-based identity provider"): its Role attribute's
	// "role ARN,provider ARN" pairs for this provider; CustomRoleArn picks
	// among several.
	for _, r := range refs {
		if r.Kind != kindSAML {
			continue
		}
		roles := samlRoles(r.Claims, r.Provider)
		switch {
		case custom != "" && contains(roles, custom):
			return custom, nil
		case custom == "" && len(roles) == 1:
			return roles[0], nil
		}
	}
	if r := cfg.Roles["authenticated"]; r != "" {
		return r, nil
	}
	return "", noRole
}

// samlRoleAttribute is the SAML attribute that names roles.
const samlRoleAttribute = "https://aws.amazon.com/SAML/Attributes/Role"

// samlRoles reads the role ARNs a SAML assertion's Role attribute pairs
// with provider, in either order within a pair, as AWS accepts them.
func samlRoles(claims map[string]any, provider string) []string {
	var out []string
	for _, pair := range claimStrings(claims, samlRoleAttribute) {
		a, b, ok := strings.Cut(pair, ",")
		if !ok {
			continue
		}
		a, b = strings.TrimSpace(a), strings.TrimSpace(b)
		switch {
		case b == provider && strings.Contains(a, ":role/"):
			out = append(out, a)
		case a == provider && strings.Contains(b, ":role/"):
			out = append(out, b)
		}
	}
	return out
}

// mappingFor finds the role mapping of a login's provider and its key;
// Cognito user pool mappings may be keyed "<provider>:<app client id>".
func mappingFor(cfg *poolConfig, r loginRef) (string, roleMapping, bool) {
	if rm, ok := cfg.RoleMappings[r.Provider]; ok {
		return r.Provider, rm, true
	}
	if r.Kind == kindCognito {
		for _, claim := range []string{"aud", "client_id"} {
			if id := claimString(r.Claims, claim); id != "" {
				key := r.Provider + ":" + id
				if rm, ok := cfg.RoleMappings[key]; ok {
					return key, rm, true
				}
			}
		}
	}
	return "", roleMapping{}, false
}

// applyMapping returns the role a mapping selects, "" when it selects none.
func applyMapping(rm roleMapping, claims map[string]any, custom string) (string, error) {
	switch rm.Type {
	case "Token":
		roles := roleList(claimStrings(claims, claimCognitoRoles))
		if custom != "" {
			if contains(roles, custom) {
				return custom, nil
			}
			return "", invalidParam("CustomRoleArn is not among the roles in the token's cognito:roles claim.")
		}
		if pref := claimString(claims, claimCognitoPrefRole); pref != "" {
			return pref, nil
		}
		if len(roles) == 1 {
			return roles[0], nil
		}
	case "Rules":
		if rm.RulesConfiguration == nil {
			return "", nil
		}
		// "Rules are evaluated in order, and the IAM role for the first
		// matching rule is used, unless CustomRoleArn is specified to
		// override the order": a matching rule naming it wins.
		first := ""
		for _, rule := range rm.RulesConfiguration.Rules {
			if !ruleMatches(rule, claims) {
				continue
			}
			if custom == "" || rule.RoleARN == custom {
				return rule.RoleARN, nil
			}
			if first == "" {
				first = rule.RoleARN
			}
		}
		return first, nil
	}
	return "", nil
}

func ruleMatches(rule mappingRule, claims map[string]any) bool {
	vals := claimStrings(claims, rule.Claim)
	if len(vals) == 0 {
		return false
	}
	for _, v := range vals {
		switch rule.MatchType {
		case "Equals":
			if v == rule.Value {
				return true
			}
		case "Contains":
			if strings.Contains(v, rule.Value) {
				return true
			}
		case "StartsWith":
			if strings.HasPrefix(v, rule.Value) {
				return true
			}
		case "NotEqual":
			if v != rule.Value {
				return true
			}
		}
	}
	return false
}

func claimString(claims map[string]any, k string) string {
	s, _ := claims[k].(string)
	return s
}

// claimStrings reads a claim that may be a value or a list of them, each
// as text (claimText: a whole number without exponent, 12345678 and not
// 1.2345678e+07).
func claimStrings(claims map[string]any, k string) []string {
	switch v := claims[k].(type) {
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			if s, ok := claimText(e); ok {
				out = append(out, s)
			}
		}
		return out
	case nil:
		return nil
	default:
		if s, ok := claimText(v); ok {
			return []string{s}
		}
	}
	return nil
}

// roleList reads cognito:roles, which user pools write as a list or as "a
// comma-separated string containing a set of allowed role ARNs".
func roleList(vals []string) []string {
	var out []string
	for _, v := range vals {
		for _, r := range strings.Split(v, ",") {
			if r = strings.TrimSpace(r); r != "" {
				out = append(out, r)
			}
		}
	}
	return out
}
