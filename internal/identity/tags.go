package identity

import (
	"math"
	"strconv"
)

// Principal tags ("attributes for access control"): SetPrincipalTagAttributeMap
// names, per provider of the pool, which claims of that provider's tokens
// become principal tags. cognitod puts them in the OpenID token's
// "https://aws.amazon.com/tags" claim (GetOpenIdToken and
// GetOpenIdTokenForDeveloperIdentity) and seals them into the session of the
// credentials GetCredentialsForIdentity hands out, where STS would attach
// them as session tags.

const (
	maxPrincipalTags   = 50  // STS session tags per session
	maxPrincipalTagVal = 256 // STS session tag value length
)

// defaultTagClaims is AWS's default mapping (UseDefaults: "username and
// clientID") for a provider: tag key → the claims that hold it, first
// present wins. AWS's table of default provider mappings: user pools, OIDC
// providers, Google and Apple map aud (the client ID) and sub (the user);
// Facebook app_id and user_id, which its tokens carry as aud and sub once
// verified; Login with Amazon aud and user_id. SAML assertions carry the
// name identifier; cognitod maps it to username.
func defaultTagClaims(r loginRef) map[string][]string {
	switch {
	case r.Kind == kindSAML:
		return map[string][]string{
			"username": {"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier", "sub"},
		}
	case r.Kind == kindPublic && r.Provider == "www.amazon.com":
		return map[string][]string{"client": {"aud", "app_id"}, "username": {"user_id", "sub"}}
	case r.Kind == kindPublic, r.Kind == kindOIDC, r.Kind == kindCognito:
		// Cognito access tokens carry the app client as client_id, not aud.
		return map[string][]string{"client": {"aud", "client_id", "app_id"}, "username": {"sub", "user_id"}}
	}
	return nil
}

// tagMapFor finds the principal tag map of a login's provider; a Cognito
// user pool's may be keyed "<provider>:<app client id>", like role mappings.
func tagMapFor(cfg *poolConfig, r loginRef) (principalTagMap, bool) {
	if m, ok := cfg.PrincipalTags[r.Provider]; ok {
		return m, true
	}
	if r.Kind == kindCognito {
		for _, claim := range []string{"aud", "client_id"} {
			if id := claimString(r.Claims, claim); id != "" {
				if m, ok := cfg.PrincipalTags[r.Provider+":"+id]; ok {
					return m, true
				}
			}
		}
	}
	return principalTagMap{}, false
}

// principalTags applies the pool's principal tag maps to the claims of the
// request's logins (refs, in provider order; a later provider's tag of the
// same key wins). A token cognitod issued (logins key
// cognito-identity.amazonaws.com) brings the tags it carries, so a
// developer-authenticated client's credentials get the tags its backend
// asked for. Claims that are absent, not scalar or longer than STS allows
// make no tag; at most 50 tags are kept, in key order.
func principalTags(cfg *poolConfig, refs []loginRef) map[string]string {
	tags := map[string]string{}
	for _, r := range refs {
		if r.Kind == kindOwnToken {
			for k, v := range tokenTags(r.Claims) {
				tags[k] = v
			}
			continue
		}
		m, ok := tagMapFor(cfg, r)
		if !ok || r.Claims == nil {
			continue
		}
		if m.UseDefaults {
			for tag, claims := range defaultTagClaims(r) {
				for _, claim := range claims {
					if v, ok := tagValue(r.Claims[claim]); ok {
						tags[tag] = v
						break
					}
				}
			}
		}
		for tag, claim := range m.Tags {
			if v, ok := tagValue(r.Claims[claim]); ok {
				tags[tag] = v
			}
		}
	}
	return capTags(tags)
}

// tokenTags reads the principal tags of one of our OpenID tokens.
func tokenTags(claims map[string]any) map[string]string {
	outer, _ := claims[principalTagsClaim].(map[string]any)
	pt, _ := outer["principal_tags"].(map[string]any)
	out := map[string]string{}
	for k, v := range pt {
		switch vv := v.(type) {
		case []any:
			if len(vv) > 0 {
				if s, ok := tagValue(vv[0]); ok {
					out[k] = s
				}
			}
		default:
			if s, ok := tagValue(vv); ok {
				out[k] = s
			}
		}
	}
	return out
}

// tagValue renders a scalar claim as a tag value.
func tagValue(v any) (string, bool) {
	s, ok := claimText(v)
	if !ok || s == "" || len(s) > maxPrincipalTagVal {
		return "", false
	}
	return s, true
}

// claimText renders a scalar claim as text: a string as it is, a boolean,
// a number as JSON would write it (a whole number without exponent).
func claimText(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case bool:
		return strconv.FormatBool(x), true
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1e15 {
			return strconv.FormatInt(int64(x), 10), true
		}
		return strconv.FormatFloat(x, 'g', -1, 64), true
	}
	return "", false
}

// capTags keeps the first maxPrincipalTags tags in key order; nil when there
// are none.
func capTags(tags map[string]string) map[string]string {
	if len(tags) == 0 {
		return nil
	}
	if len(tags) > maxPrincipalTags {
		for i, k := range sortedKeys(tags) {
			if i >= maxPrincipalTags {
				delete(tags, k)
			}
		}
	}
	return tags
}

// mergeTags returns base with over's entries on top (over wins), capped.
func mergeTags(base, over map[string]string) map[string]string {
	out := make(map[string]string, len(base)+len(over))
	for k, v := range base {
		out[k] = v
	}
	for k, v := range over {
		out[k] = v
	}
	return capTags(out)
}
