package identity

import (
	"encoding/json"
	"sort"
	"strings"

	"github.com/cognitod/cognitod/internal/awsproto"
	"github.com/cognitod/cognitod/internal/trust"
)

// poolConfig is the part of a pool the store keeps as one JSON document.
type poolConfig struct {
	AllowUnauthenticatedIdentities bool                       `json:"allowUnauth"`
	AllowClassicFlow               *bool                      `json:"allowClassic,omitempty"` // nil: never set (AWS then allows the basic flow)
	SupportedLoginProviders        map[string]string          `json:"loginProviders,omitempty"`
	DeveloperProviderName          string                     `json:"developerProvider,omitempty"`
	OpenIdConnectProviderARNs      []string                   `json:"oidc,omitempty"`
	CognitoIdentityProviders       []cognitoProvider          `json:"cognito,omitempty"`
	SamlProviderARNs               []string                   `json:"saml,omitempty"`
	Tags                           map[string]string          `json:"tags,omitempty"`
	Roles                          map[string]string          `json:"roles,omitempty"`
	RoleMappings                   map[string]roleMapping     `json:"roleMappings,omitempty"`
	PrincipalTags                  map[string]principalTagMap `json:"principalTags,omitempty"`
}

type cognitoProvider struct {
	ProviderName         string `json:"ProviderName,omitempty"`
	ClientId             string `json:"ClientId,omitempty"`
	ServerSideTokenCheck *bool  `json:"ServerSideTokenCheck,omitempty"`
}

type roleMapping struct {
	Type                    string              `json:"Type"`
	AmbiguousRoleResolution string              `json:"AmbiguousRoleResolution,omitempty"`
	RulesConfiguration      *rulesConfiguration `json:"RulesConfiguration,omitempty"`
}

type rulesConfiguration struct {
	Rules []mappingRule `json:"Rules"`
}

type mappingRule struct {
	Claim     string `json:"Claim"`
	MatchType string `json:"MatchType"`
	Value     string `json:"Value"`
	RoleARN   string `json:"RoleARN"`
}

type principalTagMap struct {
	UseDefaults bool              `json:"useDefaults"`
	Tags        map[string]string `json:"tags,omitempty"`
}

// CheckConfig reports whether b is a pool's settings as this service
// stores them (import checks each pool of a dump with it).
func CheckConfig(b []byte) error {
	_, err := decodeConfig(b)
	return err
}

func decodeConfig(b []byte) (*poolConfig, error) {
	c := &poolConfig{}
	if len(b) == 0 {
		return c, nil
	}
	if err := json.Unmarshal(b, c); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *poolConfig) encode() []byte {
	b, err := json.Marshal(c)
	if err != nil {
		panic(err) // only maps, slices and strings: cannot fail
	}
	return b
}

// identityPoolOut is the IdentityPool output shape.
type identityPoolOut struct {
	IdentityPoolId                 string             `json:"IdentityPoolId"`
	IdentityPoolName               string             `json:"IdentityPoolName"`
	AllowUnauthenticatedIdentities bool               `json:"AllowUnauthenticatedIdentities"`
	AllowClassicFlow               *bool              `json:"AllowClassicFlow,omitempty"`
	SupportedLoginProviders        *map[string]string `json:"SupportedLoginProviders,omitempty"`
	DeveloperProviderName          string             `json:"DeveloperProviderName,omitempty"`
	OpenIdConnectProviderARNs      []string           `json:"OpenIdConnectProviderARNs,omitempty"`
	CognitoIdentityProviders       []cognitoProvider  `json:"CognitoIdentityProviders,omitempty"`
	SamlProviderARNs               []string           `json:"SamlProviderARNs,omitempty"`
	IdentityPoolTags               map[string]string  `json:"IdentityPoolTags"`
}

func poolOut(id, name string, c *poolConfig) *identityPoolOut {
	tags := c.Tags
	if tags == nil {
		tags = map[string]string{}
	}
	var providers *map[string]string
	if c.SupportedLoginProviders != nil {
		providers = &c.SupportedLoginProviders
	}
	return &identityPoolOut{
		IdentityPoolId:                 id,
		IdentityPoolName:               name,
		AllowUnauthenticatedIdentities: c.AllowUnauthenticatedIdentities,
		AllowClassicFlow:               c.AllowClassicFlow,
		SupportedLoginProviders:        providers,
		DeveloperProviderName:          c.DeveloperProviderName,
		OpenIdConnectProviderARNs:      c.OpenIdConnectProviderARNs,
		CognitoIdentityProviders:       c.CognitoIdentityProviders,
		SamlProviderARNs:               c.SamlProviderARNs,
		IdentityPoolTags:               tags,
	}
}

// applyPoolInput sets c from a CreateIdentityPool or UpdateIdentityPool
// input (both replace the whole configuration) and checks what the model
// cannot express.
func (s *Service) applyPoolInput(c *poolConfig, in awsproto.Input, update bool) error {
	c.AllowUnauthenticatedIdentities, _ = in.Bool("AllowUnauthenticatedIdentities")
	// UpdateIdentityPool too: "If you don't provide a value for a
	// parameter, Amazon Cognito sets it to its default value" (unset).
	if v, ok := in.Bool("AllowClassicFlow"); ok {
		c.AllowClassicFlow = &v
	} else {
		c.AllowClassicFlow = nil
	}
	c.SupportedLoginProviders = in.StrMap("SupportedLoginProviders")
	for name := range c.SupportedLoginProviders {
		if name == developerTokenProvider {
			return invalidParam("%s is reserved and cannot be a supported login provider.", name)
		}
	}

	if dp := in.Str("DeveloperProviderName"); dp != "" || in.Has("DeveloperProviderName") {
		if update && c.DeveloperProviderName != "" && dp != c.DeveloperProviderName {
			return invalidParam("Developer provider name cannot be changed once it is set.")
		}
		if dp == developerTokenProvider || strings.HasPrefix(dp, "cognito-") {
			return invalidParam("Invalid developer provider name: %s", dp)
		}
		c.DeveloperProviderName = dp
	} else if !update {
		c.DeveloperProviderName = ""
	}
	// An update that leaves DeveloperProviderName out keeps it: it cannot be
	// unset once set.

	// AWS checks that OIDC and SAML providers exist in IAM, which has no
	// counterpart here; an ARN is all that can be asked for.
	c.OpenIdConnectProviderARNs = in.StrList("OpenIdConnectProviderARNs")
	for _, arn := range c.OpenIdConnectProviderARNs {
		if !strings.HasPrefix(arn, "arn:") {
			return invalidParam("Invalid OpenIdConnectProviderARN: %s", arn)
		}
	}
	c.SamlProviderARNs = in.StrList("SamlProviderARNs")
	for _, arn := range c.SamlProviderARNs {
		if !strings.HasPrefix(arn, "arn:") {
			return invalidParam("Invalid SamlProviderARN: %s", arn)
		}
	}
	c.CognitoIdentityProviders = nil
	seen := map[string]bool{}
	for _, v := range in.List("CognitoIdentityProviders") {
		p, _ := v.(map[string]any)
		pi := awsproto.Input(p)
		cp := cognitoProvider{ProviderName: pi.Str("ProviderName"), ClientId: pi.Str("ClientId")}
		if b, ok := pi.Bool("ServerSideTokenCheck"); ok {
			cp.ServerSideTokenCheck = &b
		} else {
			f := false
			cp.ServerSideTokenCheck = &f
		}
		if cp.ProviderName == "" || cp.ClientId == "" {
			return invalidParam("CognitoIdentityProvider requires both ProviderName and ClientId.")
		}
		key := cp.ProviderName + ":" + cp.ClientId
		if seen[key] {
			return invalidParam("Duplicate CognitoIdentityProvider: %s", key)
		}
		seen[key] = true
		c.CognitoIdentityProviders = append(c.CognitoIdentityProviders, cp)
	}
	if in.Has("IdentityPoolTags") || !update {
		tags := in.StrMap("IdentityPoolTags")
		if err := s.checkTags(tags); err != nil {
			return err
		}
		c.Tags = tags
	}
	// Role mappings name providers of the pool; drop those whose provider is gone.
	for name := range c.RoleMappings {
		if !c.hasProvider(name) {
			delete(c.RoleMappings, name)
		}
	}
	return nil
}

func (s *Service) checkTags(tags map[string]string) error {
	if len(tags) > s.limits.TagsPerPool {
		return invalidParam("Too many tags: an identity pool can have at most %d tags.", s.limits.TagsPerPool)
	}
	for k := range tags {
		if strings.HasPrefix(strings.ToLower(k), "aws:") {
			return invalidParam("Tag keys cannot start with the reserved prefix 'aws:'.")
		}
	}
	return nil
}

// oidcProviderName returns the login name of an IAM OIDC provider ARN
// (arn:aws:iam::123456789012:oidc-provider/example.com/path → example.com/path).
func oidcProviderName(arn string) (string, bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "iam" {
		return "", false
	}
	name, ok := strings.CutPrefix(parts[5], "oidc-provider/")
	if !ok || name == "" {
		return "", false
	}
	return name, true
}

// providerKind says how a login provider of the pool is identified.
type providerKind int

const (
	kindNone providerKind = iota
	kindPublic
	kindOIDC
	kindCognito
	kindSAML
	kindDeveloper
	kindOwnToken // cognito-identity.amazonaws.com: tokens we issued
)

// developerTokenProvider is the login name under which clients present
// OpenID tokens cognitod issued for developer-authenticated identities.
const developerTokenProvider = "cognito-identity.amazonaws.com"

// providerKindOf reports whether login name is a provider of the pool.
func (c *poolConfig) providerKindOf(name string) providerKind {
	if name == developerTokenProvider {
		return kindOwnToken
	}
	if c.DeveloperProviderName != "" && name == c.DeveloperProviderName {
		return kindDeveloper
	}
	if _, ok := c.SupportedLoginProviders[name]; ok {
		return kindPublic
	}
	for _, arn := range c.OpenIdConnectProviderARNs {
		if n, _ := oidcProviderName(arn); n == name {
			return kindOIDC
		}
	}
	for _, p := range c.CognitoIdentityProviders {
		if p.ProviderName == name {
			return kindCognito
		}
	}
	for _, arn := range c.SamlProviderARNs {
		if arn == name {
			return kindSAML
		}
	}
	return kindNone
}

// trustLogin describes a login of a public, OIDC, user-pool or SAML
// provider of the pool to the verifier: the provider ARN, and the client IDs
// its tokens must be issued to.
func (c *poolConfig) trustLogin(name string, kind providerKind, token string) *trust.Login {
	l := &trust.Login{Name: name, Token: token}
	switch kind {
	case kindPublic:
		l.Kind, l.Value = trust.Public, c.SupportedLoginProviders[name]
		l.ClientIDs = trust.SplitClientIDs(l.Value)
	case kindOIDC:
		l.Kind = trust.OIDC
		for _, arn := range c.OpenIdConnectProviderARNs {
			if n, _ := oidcProviderName(arn); n == name {
				l.ARN = arn
				break
			}
		}
	case kindCognito:
		l.Kind = trust.UserPool
		for _, p := range c.CognitoIdentityProviders {
			if p.ProviderName == name {
				l.ClientIDs = append(l.ClientIDs, p.ClientId)
			}
		}
	case kindSAML:
		l.Kind, l.ARN = trust.SAML, name
	}
	return l
}

// hasProvider reports whether a role-mapping or principal-tag key names a
// provider of the pool. Cognito user pools may be named with their app
// client: "cognito-idp.<region>.amazonaws.com/<pool>:<clientId>".
func (c *poolConfig) hasProvider(name string) bool {
	switch c.providerKindOf(name) {
	case kindPublic, kindOIDC, kindCognito, kindSAML:
		return true
	}
	for _, p := range c.CognitoIdentityProviders {
		if name == p.ProviderName+":"+p.ClientId {
			return true
		}
	}
	return false
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
