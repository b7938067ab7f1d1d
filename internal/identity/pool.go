package identity

import (
	"strings"

	"github.com/cognitod/cognitod/internal/api"
	"github.com/cognitod/cognitod/internal/awsproto"
	"github.com/cognitod/cognitod/internal/store"
)

// CreateIdentityPool creates a pool in the caller's account and region.
func (s *Service) CreateIdentityPool(c *api.Call) (any, error) {
	if err := developerOnly(c); err != nil {
		return nil, err
	}
	cfg := &poolConfig{}
	if err := s.applyPoolInput(cfg, c.In, false); err != nil {
		return nil, err
	}
	p := &store.Pool{
		ID:        newID(c.Caller.Region),
		Account:   c.Caller.Account,
		Region:    c.Caller.Region,
		Name:      c.In.Str("IdentityPoolName"),
		CreatedAt: c.Now,
		UpdatedAt: c.Now,
		Config:    cfg.encode(),
	}
	err := s.update(c, func(tx store.Tx) error {
		n, err := tx.CountPools(p.Account, p.Region)
		if err != nil {
			return err
		}
		if n >= s.limits.PoolsPerAccount {
			return awsproto.Errorf(awsproto.CodeLimitExceeded, "The maximum number of identity pools (%d) for this account has been reached.", s.limits.PoolsPerAccount)
		}
		return tx.CreatePool(p)
	})
	if err != nil {
		return nil, err
	}
	return poolOut(p.ID, p.Name, cfg), nil
}

// DescribeIdentityPool returns a pool's configuration.
func (s *Service) DescribeIdentityPool(c *api.Call) (any, error) {
	if err := developerOnly(c); err != nil {
		return nil, err
	}
	var out *identityPoolOut
	err := s.view(c, func(tx store.Tx) error {
		p, cfg, err := ownedPool(tx, c, c.In.Str("IdentityPoolId"))
		if err != nil {
			return err
		}
		out = poolOut(p.ID, p.Name, cfg)
		return nil
	})
	return out, err
}

// UpdateIdentityPool replaces a pool's configuration.
func (s *Service) UpdateIdentityPool(c *api.Call) (any, error) {
	if err := developerOnly(c); err != nil {
		return nil, err
	}
	var out *identityPoolOut
	err := s.update(c, func(tx store.Tx) error {
		p, cfg, err := ownedPool(tx, c, c.In.Str("IdentityPoolId"))
		if err != nil {
			return err
		}
		if err := s.applyPoolInput(cfg, c.In, true); err != nil {
			return err
		}
		p.Name = c.In.Str("IdentityPoolName")
		p.UpdatedAt = c.Now
		p.Config = cfg.encode()
		if err := tx.UpdatePool(p); err != nil {
			return err
		}
		out = poolOut(p.ID, p.Name, cfg)
		return nil
	})
	return out, err
}

// DeleteIdentityPool deletes a pool with its identities and their data.
func (s *Service) DeleteIdentityPool(c *api.Call) (any, error) {
	if err := developerOnly(c); err != nil {
		return nil, err
	}
	return nil, s.update(c, func(tx store.Tx) error {
		p, _, err := ownedPool(tx, c, c.In.Str("IdentityPoolId"))
		if err != nil {
			return err
		}
		return tx.DeletePool(p.ID)
	})
}

type poolShort struct {
	IdentityPoolId   string `json:"IdentityPoolId"`
	IdentityPoolName string `json:"IdentityPoolName"`
}

// ListIdentityPools pages through the caller's pools in the caller's region.
func (s *Service) ListIdentityPools(c *api.Call) (any, error) {
	if err := developerOnly(c); err != nil {
		return nil, err
	}
	limit := int(c.In.Int("MaxResults", 60))
	scope := "pools\x00" + c.Caller.Account + "\x00" + c.Caller.Region
	after, err := s.openPage(c.In.Str("NextToken"), scope)
	if err != nil {
		return nil, err
	}
	var pools []*store.Pool
	err = s.view(c, func(tx store.Tx) error {
		pools, err = tx.ListPools(c.Caller.Account, c.Caller.Region, after, limit+1)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := struct {
		IdentityPools []poolShort `json:"IdentityPools"`
		NextToken     *string     `json:"NextToken"`
	}{IdentityPools: []poolShort{}}
	if len(pools) > limit {
		pools = pools[:limit]
		t := s.sealPage(scope, pools[len(pools)-1].ID)
		out.NextToken = &t
	}
	for _, p := range pools {
		out.IdentityPools = append(out.IdentityPools, poolShort{p.ID, p.Name})
	}
	return out, nil
}

// sealPage makes an opaque NextToken that resumes after key within scope.
func (s *Service) sealPage(scope, key string) string { return s.pages.SealPage(scope, key) }

// openPage returns the key a NextToken resumes after ("" for none); a token
// that was forged, altered or made for another listing is refused.
func (s *Service) openPage(token, scope string) (string, error) {
	if token == "" {
		return "", nil
	}
	key, ok := s.pages.OpenPage(token, scope)
	if !ok {
		return "", invalidParam(msgInvalidNextToken)
	}
	return key, nil
}

// SetIdentityPoolRoles sets the pool's roles and role mappings.
func (s *Service) SetIdentityPoolRoles(c *api.Call) (any, error) {
	if err := developerOnly(c); err != nil {
		return nil, err
	}
	return nil, s.update(c, func(tx store.Tx) error {
		p, cfg, err := ownedPool(tx, c, c.In.Str("IdentityPoolId"))
		if err != nil {
			return err
		}
		roles := c.In.StrMap("Roles")
		for k, arn := range roles {
			if !strings.HasPrefix(arn, "arn:") || !strings.Contains(arn, ":role/") {
				return invalidParam("Invalid role ARN for %s role: %s", k, arn)
			}
		}
		mappings, err := s.parseRoleMappings(cfg, c.In.Struct("RoleMappings"))
		if err != nil {
			return err
		}
		cfg.Roles, cfg.RoleMappings = roles, mappings
		p.Config, p.UpdatedAt = cfg.encode(), c.Now
		return tx.UpdatePool(p)
	})
}

func (s *Service) parseRoleMappings(cfg *poolConfig, in awsproto.Input) (map[string]roleMapping, error) {
	if len(in) == 0 {
		return nil, nil
	}
	out := make(map[string]roleMapping, len(in))
	for provider, v := range in {
		if !cfg.hasProvider(provider) {
			return nil, invalidParam("Role mapping provider %s is not configured on the identity pool.", provider)
		}
		m, _ := v.(map[string]any)
		mi := awsproto.Input(m)
		rm := roleMapping{Type: mi.Str("Type"), AmbiguousRoleResolution: mi.Str("AmbiguousRoleResolution")}
		if rm.AmbiguousRoleResolution == "" {
			return nil, invalidParam("AmbiguousRoleResolution must be specified for role mapping type %s (provider %s).", rm.Type, provider)
		}
		rc := mi.Struct("RulesConfiguration")
		switch rm.Type {
		case "Rules":
			if rc == nil {
				return nil, invalidParam("RulesConfiguration is required for role mapping type Rules (provider %s).", provider)
			}
			rules := rc.List("Rules")
			if len(rules) > s.limits.RulesPerMapping {
				return nil, invalidParam("A role mapping can have at most %d rules (provider %s).", s.limits.RulesPerMapping, provider)
			}
			rm.RulesConfiguration = &rulesConfiguration{}
			for _, r := range rules {
				rr, _ := r.(map[string]any)
				ri := awsproto.Input(rr)
				rule := mappingRule{Claim: ri.Str("Claim"), MatchType: ri.Str("MatchType"), Value: ri.Str("Value"), RoleARN: ri.Str("RoleARN")}
				if !strings.HasPrefix(rule.RoleARN, "arn:") || !strings.Contains(rule.RoleARN, ":role/") {
					return nil, invalidParam("Invalid role ARN in role mapping rule: %s", rule.RoleARN)
				}
				rm.RulesConfiguration.Rules = append(rm.RulesConfiguration.Rules, rule)
			}
		case "Token":
			if rc != nil {
				return nil, invalidParam("RulesConfiguration is not allowed for role mapping type Token (provider %s).", provider)
			}
		}
		out[provider] = rm
	}
	return out, nil
}

// GetIdentityPoolRoles returns the pool's roles and role mappings.
func (s *Service) GetIdentityPoolRoles(c *api.Call) (any, error) {
	if err := developerOnly(c); err != nil {
		return nil, err
	}
	out := struct {
		IdentityPoolId string                 `json:"IdentityPoolId"`
		Roles          map[string]string      `json:"Roles"`
		RoleMappings   map[string]roleMapping `json:"RoleMappings,omitempty"`
	}{}
	err := s.view(c, func(tx store.Tx) error {
		p, cfg, err := ownedPool(tx, c, c.In.Str("IdentityPoolId"))
		if err != nil {
			return err
		}
		out.IdentityPoolId, out.Roles, out.RoleMappings = p.ID, cfg.Roles, cfg.RoleMappings
		if out.Roles == nil {
			out.Roles = map[string]string{}
		}
		return nil
	})
	return out, err
}

type principalTagOut struct {
	IdentityPoolId       string            `json:"IdentityPoolId"`
	IdentityProviderName string            `json:"IdentityProviderName"`
	UseDefaults          bool              `json:"UseDefaults"`
	PrincipalTags        map[string]string `json:"PrincipalTags,omitempty"`
}

// SetPrincipalTagAttributeMap sets which token claims become principal tags
// for one provider of the pool.
func (s *Service) SetPrincipalTagAttributeMap(c *api.Call) (any, error) {
	if err := developerOnly(c); err != nil {
		return nil, err
	}
	provider := c.In.Str("IdentityProviderName")
	var out principalTagOut
	err := s.update(c, func(tx store.Tx) error {
		p, cfg, err := ownedPool(tx, c, c.In.Str("IdentityPoolId"))
		if err != nil {
			return err
		}
		if !cfg.hasProvider(provider) {
			return invalidParam("Identity provider %s is not configured on the identity pool.", provider)
		}
		m := principalTagMap{Tags: c.In.StrMap("PrincipalTags")}
		m.UseDefaults, _ = c.In.Bool("UseDefaults")
		if cfg.PrincipalTags == nil {
			cfg.PrincipalTags = map[string]principalTagMap{}
		}
		cfg.PrincipalTags[provider] = m
		p.Config, p.UpdatedAt = cfg.encode(), c.Now
		out = principalTagOut{p.ID, provider, m.UseDefaults, m.Tags}
		return tx.UpdatePool(p)
	})
	return out, err
}

// GetPrincipalTagAttributeMap returns the principal tag map of a provider.
func (s *Service) GetPrincipalTagAttributeMap(c *api.Call) (any, error) {
	if err := developerOnly(c); err != nil {
		return nil, err
	}
	provider := c.In.Str("IdentityProviderName")
	var out principalTagOut
	err := s.view(c, func(tx store.Tx) error {
		p, cfg, err := ownedPool(tx, c, c.In.Str("IdentityPoolId"))
		if err != nil {
			return err
		}
		if !cfg.hasProvider(provider) {
			return invalidParam("Identity provider %s is not configured on the identity pool.", provider)
		}
		m := cfg.PrincipalTags[provider]
		out = principalTagOut{p.ID, provider, m.UseDefaults, m.Tags}
		return nil
	})
	return out, err
}

// poolFromARN returns the pool ID an identity pool ARN names, if the ARN is
// the caller's account and region.
func poolFromARN(c *api.Call, arn string) (string, error) {
	// arn:PARTITION:cognito-identity:REGION:ACCOUNT:identitypool/POOL_ID
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "cognito-identity" || !strings.HasPrefix(parts[5], "identitypool/") {
		return "", invalidParam("Invalid ResourceArn: %s", arn)
	}
	id := strings.TrimPrefix(parts[5], "identitypool/")
	// Another partition's ARN names no pool here, as another account's or
	// region's names none of the caller's.
	if parts[1] != awsproto.Partition(parts[3]) || !c.Caller.Owns(parts[4], parts[3]) {
		return "", awsproto.Errorf(awsproto.CodeResourceNotFound, "Resource '%s' not found.", arn)
	}
	return id, nil
}

func (s *Service) withTaggedPool(c *api.Call, write bool, fn func(p *store.Pool, cfg *poolConfig) error) error {
	arn := c.In.Str("ResourceArn")
	id, err := poolFromARN(c, arn)
	if err != nil {
		return err
	}
	run := s.view
	if write {
		run = s.update
	}
	return run(c, func(tx store.Tx) error {
		p, cfg, err := ownedPool(tx, c, id)
		if err != nil {
			return awsproto.Errorf(awsproto.CodeResourceNotFound, "Resource '%s' not found.", arn)
		}
		if err := fn(p, cfg); err != nil {
			return err
		}
		if write {
			p.Config, p.UpdatedAt = cfg.encode(), c.Now
			return tx.UpdatePool(p)
		}
		return nil
	})
}

// TagResource adds or replaces tags of a pool.
func (s *Service) TagResource(c *api.Call) (any, error) {
	if err := developerOnly(c); err != nil {
		return nil, err
	}
	err := s.withTaggedPool(c, true, func(p *store.Pool, cfg *poolConfig) error {
		tags := map[string]string{}
		for k, v := range cfg.Tags {
			tags[k] = v
		}
		for k, v := range c.In.StrMap("Tags") {
			tags[k] = v
		}
		if err := s.checkTags(tags); err != nil {
			return err
		}
		cfg.Tags = tags
		return nil
	})
	return struct{}{}, err
}

// UntagResource removes tags of a pool.
func (s *Service) UntagResource(c *api.Call) (any, error) {
	if err := developerOnly(c); err != nil {
		return nil, err
	}
	err := s.withTaggedPool(c, true, func(p *store.Pool, cfg *poolConfig) error {
		for _, k := range c.In.StrList("TagKeys") {
			delete(cfg.Tags, k)
		}
		return nil
	})
	return struct{}{}, err
}

// ListTagsForResource returns a pool's tags.
func (s *Service) ListTagsForResource(c *api.Call) (any, error) {
	if err := developerOnly(c); err != nil {
		return nil, err
	}
	out := struct {
		Tags map[string]string `json:"Tags"`
	}{Tags: map[string]string{}}
	err := s.withTaggedPool(c, false, func(p *store.Pool, cfg *poolConfig) error {
		for k, v := range cfg.Tags {
			out.Tags[k] = v
		}
		return nil
	})
	return out, err
}
