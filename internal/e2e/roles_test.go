package e2e

// Role selection of GetCredentialsForIdentity as AWS does it, checked on the
// role sealed into the returned session token (opened with the server's own
// sealer): authenticated / unauthenticated roles, Rules mappings with every
// MatchType, Token mappings with cognito:preferred_role, cognito:roles and
// CustomRoleArn, AmbiguousRoleResolution, and the errors where no role
// applies.

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ci "github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity/types"

	"github.com/cognitod/cognitod/internal/auth"
	"github.com/cognitod/cognitod/internal/tokens"
)

const (
	rsOIDC     = "id.example.com"
	rsUserPool = "cognito-idp.us-east-1.amazonaws.com/us-east-1_RoleSel"
	rsClient   = "roleselclient1"
	rsFacebook = "graph.facebook.com"
)

func rsRole(name string) string { return "arn:aws:iam::" + devAcct + ":role/" + name }

// rsJWT is fakeJWT of a claims object.
func rsJWT(t *testing.T, claims map[string]any) string {
	t.Helper()
	b, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	return fakeJWT(string(b))
}

// openSession opens a session token with the server's sealer: what any node
// recovers from the credentials without a lookup.
func (e *env) openSession(token string) *tokens.Session {
	e.t.Helper()
	sess, err := e.app.Sealer.Open(token, time.Now())
	if err != nil {
		e.t.Fatalf("opening the session token: %v", err)
	}
	return sess
}

// rsCreds gets an identity for logins and credentials for it.
func (e *env) rsCreds(pool string, logins map[string]string, custom string) (*ci.GetCredentialsForIdentityOutput, error) {
	e.t.Helper()
	id, err := e.anon().GetId(ctx, &ci.GetIdInput{IdentityPoolId: &pool, Logins: logins})
	if err != nil {
		return nil, err
	}
	in := &ci.GetCredentialsForIdentityInput{IdentityId: id.IdentityId, Logins: logins}
	if custom != "" {
		in.CustomRoleArn = aws.String(custom)
	}
	return e.anon().GetCredentialsForIdentity(ctx, in)
}

// rsLogins returns makers of Logins maps for the OIDC provider and the
// user pool app client: each call a token of a new user with the claims
// given.
func rsLogins(t *testing.T) (oidc, userPool func(claims map[string]any) map[string]string) {
	n := 0
	oidc = func(claims map[string]any) map[string]string {
		n++
		claims["sub"] = fmt.Sprintf("oidc-user-%d", n)
		return map[string]string{rsOIDC: rsJWT(t, claims)}
	}
	userPool = func(claims map[string]any) map[string]string {
		n++
		claims["sub"], claims["aud"] = fmt.Sprintf("pool-user-%d", n), rsClient
		return map[string]string{rsUserPool: rsJWT(t, claims)}
	}
	return oidc, userPool
}

// rsRoleOf returns the role of the credentials for logins.
func (e *env) rsRoleOf(pool string, logins map[string]string, custom string) string {
	e.t.Helper()
	out, err := e.rsCreds(pool, logins, custom)
	if err != nil {
		e.t.Fatalf("credentials for %v: %v", logins, err)
	}
	sess := e.openSession(*out.Credentials.SessionToken)
	if sess.IdentityID != *out.IdentityId || sess.AccessKeyID != *out.Credentials.AccessKeyId || sess.SecretKey != *out.Credentials.SecretKey {
		e.t.Fatalf("sealed session %+v does not match the credentials %+v", sess, out.Credentials)
	}
	return strings.TrimPrefix(sess.RoleARN, "arn:aws:iam::"+devAcct+":role/")
}

func TestRoleSelection(t *testing.T) {
	e := newEnv(t, auth.ModeSigV4)
	p := createPool(t, e.dev, &ci.CreateIdentityPoolInput{
		AllowUnauthenticatedIdentities: true,
		SupportedLoginProviders:        map[string]string{rsFacebook: "fb-app"},
		OpenIdConnectProviderARNs:      []string{"arn:aws:iam::" + devAcct + ":oidc-provider/" + rsOIDC},
		CognitoIdentityProviders:       []types.CognitoIdentityProvider{{ProviderName: aws.String(rsUserPool), ClientId: aws.String(rsClient)}},
	})
	pool := *p.IdentityPoolId
	rules := []types.MappingRule{
		{Claim: aws.String("dept"), MatchType: types.MappingRuleMatchTypeEquals, Value: aws.String("eng"), RoleARN: aws.String(rsRole("Eng"))},
		{Claim: aws.String("email"), MatchType: types.MappingRuleMatchTypeContains, Value: aws.String("@ops."), RoleARN: aws.String(rsRole("Ops"))},
		{Claim: aws.String("group"), MatchType: types.MappingRuleMatchTypeStartsWith, Value: aws.String("admin-"), RoleARN: aws.String(rsRole("Admin"))},
		{Claim: aws.String("tier"), MatchType: types.MappingRuleMatchTypeNotEqual, Value: aws.String("free"), RoleARN: aws.String(rsRole("Paid"))},
	}
	setRoles := func(roles map[string]string, ambiguous types.AmbiguousRoleResolutionType) {
		t.Helper()
		must[*ci.SetIdentityPoolRolesOutput](t)(e.dev.SetIdentityPoolRoles(ctx, &ci.SetIdentityPoolRolesInput{IdentityPoolId: &pool, Roles: roles,
			RoleMappings: map[string]types.RoleMapping{
				rsOIDC:                      {Type: types.RoleMappingTypeRules, AmbiguousRoleResolution: ambiguous, RulesConfiguration: &types.RulesConfigurationType{Rules: rules}},
				rsUserPool + ":" + rsClient: {Type: types.RoleMappingTypeToken, AmbiguousRoleResolution: ambiguous},
			}}))
	}
	both := map[string]string{"authenticated": rsRole("Auth"), "unauthenticated": rsRole("Unauth")}
	setRoles(both, types.AmbiguousRoleResolutionTypeAuthenticatedRole)

	oidc, userPool := rsLogins(t)

	// Unauthenticated and unmapped authenticated identities.
	if got := e.rsRoleOf(pool, nil, ""); got != "Unauth" {
		t.Errorf("guest: role %s", got)
	}
	fb := map[string]string{rsFacebook: rsJWT(t, map[string]any{"sub": "fb-1", "aud": "fb-app"})}
	if got := e.rsRoleOf(pool, fb, ""); got != "Auth" {
		t.Errorf("login without a role mapping: role %s", got)
	}

	// Rules: every MatchType, the first matching rule wins, multi-valued
	// claims match on any value, no match falls back to the authenticated
	// role.
	for _, tc := range []struct {
		name   string
		claims map[string]any
		want   string
	}{
		{"Equals", map[string]any{"dept": "eng"}, "Eng"},
		{"Equals is exact", map[string]any{"dept": "engineering"}, "Auth"},
		{"Contains", map[string]any{"email": "kim@ops.example.com"}, "Ops"},
		{"Contains is case-sensitive", map[string]any{"email": "kim@OPS.example.com"}, "Auth"},
		{"StartsWith", map[string]any{"group": "admin-eu"}, "Admin"},
		{"StartsWith not at the start", map[string]any{"group": "eu-admin-"}, "Auth"},
		{"StartsWith on a list claim", map[string]any{"group": []any{"staff", "admin-us"}}, "Admin"},
		{"NotEqual", map[string]any{"tier": "gold"}, "Paid"},
		{"NotEqual on the value itself", map[string]any{"tier": "free"}, "Auth"},
		{"NotEqual with the claim absent", map[string]any{}, "Auth"},
		{"first matching rule wins", map[string]any{"dept": "eng", "email": "kim@ops.example.com", "tier": "gold"}, "Eng"},
		{"later rule when earlier ones fail", map[string]any{"dept": "sales", "tier": "gold"}, "Paid"},
	} {
		if got := e.rsRoleOf(pool, oidc(tc.claims), ""); got != tc.want {
			t.Errorf("Rules %s: role %s, want %s", tc.name, got, tc.want)
		}
	}

	// Token: cognito:preferred_role, a single cognito:roles, CustomRoleArn
	// among the roles; several roles and no preference is ambiguous.
	rA, rB, rC := rsRole("GroupA"), rsRole("GroupB"), rsRole("GroupC")
	for _, tc := range []struct {
		name   string
		claims map[string]any
		custom string
		want   string
	}{
		{"preferred_role", map[string]any{"cognito:roles": []any{rA, rB}, "cognito:preferred_role": rB}, "", "GroupB"},
		{"one role", map[string]any{"cognito:roles": []any{rA}}, "", "GroupA"},
		{"CustomRoleArn among the roles", map[string]any{"cognito:roles": []any{rA, rB}}, rA, "GroupA"},
		{"CustomRoleArn over preferred_role", map[string]any{"cognito:roles": []any{rA, rB}, "cognito:preferred_role": rB}, rA, "GroupA"},
		{"several roles, no preference: ambiguous", map[string]any{"cognito:roles": []any{rA, rB}}, "", "Auth"},
		{"no roles claim: ambiguous", map[string]any{}, "", "Auth"},
	} {
		if got := e.rsRoleOf(pool, userPool(tc.claims), tc.custom); got != tc.want {
			t.Errorf("Token %s: role %s, want %s", tc.name, got, tc.want)
		}
	}
	_, err := e.rsCreds(pool, userPool(map[string]any{"cognito:roles": []any{rA, rB}}), rC)
	apiErr(t, err, "InvalidParameterException", "")

	// Deny: the ambiguous cases are refused, the decided ones still pass.
	setRoles(both, types.AmbiguousRoleResolutionTypeDeny)
	_, err = e.rsCreds(pool, oidc(map[string]any{"tier": "free"}), "")
	apiErr(t, err, "NotAuthorizedException", "The ambiguous role mapping rules for: id.example.com denied this request.")
	_, err = e.rsCreds(pool, userPool(map[string]any{"cognito:roles": []any{rA, rB}}), "")
	apiErr(t, err, "NotAuthorizedException", "The ambiguous role mapping rules for: "+rsUserPool+":"+rsClient+" denied this request.")
	if got := e.rsRoleOf(pool, oidc(map[string]any{"dept": "eng"}), ""); got != "Eng" {
		t.Errorf("Deny, matching rule: role %s", got)
	}
	if got := e.rsRoleOf(pool, userPool(map[string]any{"cognito:roles": []any{rA, rB}}), rB); got != "GroupB" {
		t.Errorf("Deny, CustomRoleArn: role %s", got)
	}

	// No role applies: InvalidIdentityPoolConfigurationException.
	setRoles(map[string]string{"unauthenticated": rsRole("Unauth")}, types.AmbiguousRoleResolutionTypeAuthenticatedRole)
	const noRole = "Invalid identity pool configuration. Check assigned IAM roles for this pool."
	_, err = e.rsCreds(pool, oidc(map[string]any{"tier": "free"}), "")
	apiErr(t, err, "InvalidIdentityPoolConfigurationException", noRole)
	_, err = e.rsCreds(pool, fb, "")
	apiErr(t, err, "InvalidIdentityPoolConfigurationException", noRole)
	if got := e.rsRoleOf(pool, oidc(map[string]any{"dept": "eng"}), ""); got != "Eng" {
		t.Errorf("no authenticated role, matching rule: role %s", got)
	}
	setRoles(map[string]string{"authenticated": rsRole("Auth")}, types.AmbiguousRoleResolutionTypeAuthenticatedRole)
	_, err = e.rsCreds(pool, nil, "")
	apiErr(t, err, "InvalidIdentityPoolConfigurationException", noRole)
}

// TestClassicFlow: AllowClassicFlow governs GetOpenIdToken (the first step of
// the basic flow). Never set, it allows it, as AWS does (aws/aws-cli#7652);
// false refuses it; role mappings refuse it whatever the setting; the
// enhanced flow is unaffected.
func TestClassicFlow(t *testing.T) {
	e := newEnv(t, auth.ModeSigV4)
	anon := e.anon()
	for _, tc := range []struct {
		name    string
		classic *bool
		mapped  bool
		want    string
	}{
		{"never set", nil, false, ""},
		{"true", aws.Bool(true), false, ""},
		{"false", aws.Bool(false), false, "Basic (classic) flow is not enabled, please use enhanced flow."},
		{"true, with role mappings", aws.Bool(true), true, "Basic (classic) flow is not supported with RoleMappings, please use enhanced flow."},
	} {
		p := createPool(t, e.dev, &ci.CreateIdentityPoolInput{AllowUnauthenticatedIdentities: true, AllowClassicFlow: tc.classic,
			OpenIdConnectProviderARNs: []string{"arn:aws:iam::" + devAcct + ":oidc-provider/" + rsOIDC}})
		in := &ci.SetIdentityPoolRolesInput{IdentityPoolId: p.IdentityPoolId, Roles: map[string]string{"unauthenticated": rsRole("Unauth")}}
		if tc.mapped {
			in.RoleMappings = map[string]types.RoleMapping{rsOIDC: {Type: types.RoleMappingTypeToken, AmbiguousRoleResolution: types.AmbiguousRoleResolutionTypeAuthenticatedRole}}
		}
		must[*ci.SetIdentityPoolRolesOutput](t)(e.dev.SetIdentityPoolRoles(ctx, in))
		id := must[*ci.GetIdOutput](t)(anon.GetId(ctx, &ci.GetIdInput{IdentityPoolId: p.IdentityPoolId})).IdentityId
		_, err := anon.GetOpenIdToken(ctx, &ci.GetOpenIdTokenInput{IdentityId: id})
		if tc.want == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
		} else {
			apiErr(t, err, "InvalidParameterException", tc.want)
		}
		if _, err := anon.GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: id}); err != nil {
			t.Errorf("%s: enhanced flow: %v", tc.name, err)
		}
	}
}

// TestUpdateResetsClassicFlow: UpdateIdentityPool sets what it is not
// given to its default ("If you don't provide a value for a parameter,
// Amazon Cognito sets it to its default value"): AllowClassicFlow left out
// is unset again, and the basic flow allowed.
func TestUpdateResetsClassicFlow(t *testing.T) {
	e := newEnv(t, auth.ModeSigV4)
	anon := e.anon()
	p := createPool(t, e.dev, &ci.CreateIdentityPoolInput{AllowUnauthenticatedIdentities: true, AllowClassicFlow: aws.Bool(false)})
	must[*ci.SetIdentityPoolRolesOutput](t)(e.dev.SetIdentityPoolRoles(ctx, &ci.SetIdentityPoolRolesInput{IdentityPoolId: p.IdentityPoolId, Roles: map[string]string{"unauthenticated": rsRole("Unauth")}}))
	id := must[*ci.GetIdOutput](t)(anon.GetId(ctx, &ci.GetIdInput{IdentityPoolId: p.IdentityPoolId})).IdentityId
	_, err := anon.GetOpenIdToken(ctx, &ci.GetOpenIdTokenInput{IdentityId: id})
	apiErr(t, err, "InvalidParameterException", "Basic (classic) flow is not enabled, please use enhanced flow.")
	up := must[*ci.UpdateIdentityPoolOutput](t)(e.dev.UpdateIdentityPool(ctx, &ci.UpdateIdentityPoolInput{IdentityPoolId: p.IdentityPoolId,
		IdentityPoolName: p.IdentityPoolName, AllowUnauthenticatedIdentities: true}))
	if up.AllowClassicFlow != nil {
		t.Fatalf("AllowClassicFlow after an update without it: %v", *up.AllowClassicFlow)
	}
	if _, err := anon.GetOpenIdToken(ctx, &ci.GetOpenIdTokenInput{IdentityId: id}); err != nil {
		t.Fatalf("basic flow after the update: %v", err)
	}
}

// TestRoleClaimsAsAWSReadsThem: rules are evaluated in order "unless
// CustomRoleArn is specified to override the order" (a matching rule naming
// it wins); a numeric claim matches the number's text; cognito:roles may
// be "a comma-separated string" of role ARNs (two of them, no preference:
// ambiguous, not one role named "A,B").
func TestRoleClaimsAsAWSReadsThem(t *testing.T) {
	e := newEnv(t, auth.ModeSigV4)
	p := createPool(t, e.dev, &ci.CreateIdentityPoolInput{
		AllowUnauthenticatedIdentities: true,
		OpenIdConnectProviderARNs:      []string{"arn:aws:iam::" + devAcct + ":oidc-provider/" + rsOIDC},
		CognitoIdentityProviders:       []types.CognitoIdentityProvider{{ProviderName: aws.String(rsUserPool), ClientId: aws.String(rsClient)}},
	})
	pool := *p.IdentityPoolId
	rules := []types.MappingRule{
		{Claim: aws.String("dept"), MatchType: types.MappingRuleMatchTypeEquals, Value: aws.String("eng"), RoleARN: aws.String(rsRole("Eng"))},
		{Claim: aws.String("tier"), MatchType: types.MappingRuleMatchTypeEquals, Value: aws.String("gold"), RoleARN: aws.String(rsRole("Paid"))},
		{Claim: aws.String("emp"), MatchType: types.MappingRuleMatchTypeEquals, Value: aws.String("12345678"), RoleARN: aws.String(rsRole("Emp"))},
	}
	must[*ci.SetIdentityPoolRolesOutput](t)(e.dev.SetIdentityPoolRoles(ctx, &ci.SetIdentityPoolRolesInput{IdentityPoolId: &pool,
		Roles: map[string]string{"authenticated": rsRole("Auth"), "unauthenticated": rsRole("Unauth")},
		RoleMappings: map[string]types.RoleMapping{
			rsOIDC:                      {Type: types.RoleMappingTypeRules, AmbiguousRoleResolution: types.AmbiguousRoleResolutionTypeAuthenticatedRole, RulesConfiguration: &types.RulesConfigurationType{Rules: rules}},
			rsUserPool + ":" + rsClient: {Type: types.RoleMappingTypeToken, AmbiguousRoleResolution: types.AmbiguousRoleResolutionTypeAuthenticatedRole},
		}}))
	oidc, up := rsLogins(t)
	for _, tc := range []struct {
		name   string
		logins map[string]string
		custom string
		want   string
	}{
		{"first matching rule", oidc(map[string]any{"dept": "eng", "tier": "gold"}), "", "Eng"},
		{"CustomRoleArn names a later matching rule", oidc(map[string]any{"dept": "eng", "tier": "gold"}), rsRole("Paid"), "Paid"},
		{"CustomRoleArn names no matching rule", oidc(map[string]any{"dept": "eng"}), rsRole("Paid"), "Eng"},
		{"numeric claim", oidc(map[string]any{"emp": 12345678}), "", "Emp"},
		{"comma-separated cognito:roles, no preference", up(map[string]any{"cognito:roles": rsRole("A") + "," + rsRole("B")}), "", "Auth"},
		{"comma-separated cognito:roles, one chosen", up(map[string]any{"cognito:roles": rsRole("A") + ", " + rsRole("B")}), rsRole("B"), "B"},
	} {
		if got := e.rsRoleOf(pool, tc.logins, tc.custom); got != tc.want {
			t.Errorf("%s: role %s, want %s", tc.name, got, tc.want)
		}
	}
}
