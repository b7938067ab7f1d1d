package e2e

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	ci "github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity/types"
	jose "github.com/go-jose/go-jose/v4"

	"github.com/cognitod/cognitod/internal/auth"
)

func createPool(t *testing.T, c *ci.Client, in *ci.CreateIdentityPoolInput) *ci.CreateIdentityPoolOutput {
	t.Helper()
	if in.IdentityPoolName == nil {
		in.IdentityPoolName = aws.String("pool")
	}
	return must[*ci.CreateIdentityPoolOutput](t)(c.CreateIdentityPool(ctx, in))
}

func TestPoolLifecycle(t *testing.T) {
	e := newEnv(t, auth.ModeSigV4)
	p := createPool(t, e.dev, &ci.CreateIdentityPoolInput{
		IdentityPoolName:               aws.String("My pool"),
		AllowUnauthenticatedIdentities: true,
		SupportedLoginProviders:        map[string]string{"graph.facebook.com": "123456789012345"},
		DeveloperProviderName:          aws.String("login.example.app"),
		OpenIdConnectProviderARNs:      []string{"arn:aws:iam::111122223333:oidc-provider/id.example.com"},
		CognitoIdentityProviders: []types.CognitoIdentityProvider{{
			ProviderName: aws.String("cognito-idp.us-east-1.amazonaws.com/us-east-1_abc"), ClientId: aws.String("client1"),
		}},
		IdentityPoolTags: map[string]string{"team": "a"},
	})
	if !strings.HasPrefix(*p.IdentityPoolId, "us-east-1:") || len(*p.IdentityPoolId) != 46 {
		t.Fatalf("pool ID %q", *p.IdentityPoolId)
	}
	d := must[*ci.DescribeIdentityPoolOutput](t)(e.dev.DescribeIdentityPool(ctx, &ci.DescribeIdentityPoolInput{IdentityPoolId: p.IdentityPoolId}))
	if *d.IdentityPoolName != "My pool" || !d.AllowUnauthenticatedIdentities || *d.DeveloperProviderName != "login.example.app" ||
		d.SupportedLoginProviders["graph.facebook.com"] != "123456789012345" || len(d.CognitoIdentityProviders) != 1 || d.IdentityPoolTags["team"] != "a" {
		t.Fatalf("describe: %+v", d)
	}
	// The developer provider name cannot change once set.
	_, err := e.dev.UpdateIdentityPool(ctx, &ci.UpdateIdentityPoolInput{
		IdentityPoolId: p.IdentityPoolId, IdentityPoolName: aws.String("x"), DeveloperProviderName: aws.String("other.provider"),
	})
	apiErr(t, err, "InvalidParameterException", "")
	u := must[*ci.UpdateIdentityPoolOutput](t)(e.dev.UpdateIdentityPool(ctx, &ci.UpdateIdentityPoolInput{
		IdentityPoolId: p.IdentityPoolId, IdentityPoolName: aws.String("Renamed"), AllowUnauthenticatedIdentities: false,
	}))
	if *u.IdentityPoolName != "Renamed" || u.AllowUnauthenticatedIdentities || *u.DeveloperProviderName != "login.example.app" || len(u.SupportedLoginProviders) != 0 {
		t.Fatalf("update: %+v", u)
	}
	must[*ci.DeleteIdentityPoolOutput](t)(e.dev.DeleteIdentityPool(ctx, &ci.DeleteIdentityPoolInput{IdentityPoolId: p.IdentityPoolId}))
	_, err = e.dev.DescribeIdentityPool(ctx, &ci.DescribeIdentityPoolInput{IdentityPoolId: p.IdentityPoolId})
	apiErr(t, err, "ResourceNotFoundException", fmt.Sprintf("IdentityPool '%s' not found.", *p.IdentityPoolId))
}

func TestListIdentityPoolsPaginatesAndIsolatesRegions(t *testing.T) {
	e := newEnv(t, auth.ModeSigV4)
	want := map[string]bool{}
	for i := 0; i < 7; i++ {
		want[*createPool(t, e.dev, &ci.CreateIdentityPoolInput{IdentityPoolName: aws.String(fmt.Sprint("p", i))}).IdentityPoolId] = true
	}
	other := e.client(devKey, devSecret, "", "eu-west-1")
	createPool(t, other, &ci.CreateIdentityPoolInput{})
	got := map[string]bool{}
	pg := ci.NewListIdentityPoolsPaginator(e.dev, &ci.ListIdentityPoolsInput{MaxResults: aws.Int32(3)})
	pages := 0
	for pg.HasMorePages() {
		out := must[*ci.ListIdentityPoolsOutput](t)(pg.NextPage(ctx))
		pages++
		for _, p := range out.IdentityPools {
			if got[*p.IdentityPoolId] {
				t.Fatalf("repeated %s", *p.IdentityPoolId)
			}
			got[*p.IdentityPoolId] = true
		}
	}
	if pages != 3 || len(got) != 7 {
		t.Fatalf("pages %d, pools %d", pages, len(got))
	}
	for id := range want {
		if !got[id] {
			t.Fatalf("missing %s", id)
		}
	}
	_, err := e.dev.ListIdentityPools(ctx, &ci.ListIdentityPoolsInput{MaxResults: aws.Int32(3), NextToken: aws.String("Zm9yZ2Vk")})
	apiErr(t, err, "InvalidParameterException", "")
}

func TestListIdentitiesPaging(t *testing.T) {
	e := newEnv(t, auth.ModeAny)
	p := createPool(t, e.dev, &ci.CreateIdentityPoolInput{AllowUnauthenticatedIdentities: true})
	created := map[string]bool{}
	for i := 0; i < 150; i++ {
		out := must[*ci.GetIdOutput](t)(e.anon().GetId(ctx, &ci.GetIdInput{IdentityPoolId: p.IdentityPoolId}))
		created[*out.IdentityId] = true
	}
	seen := map[string]bool{}
	var sizes []int
	var next *string
	for {
		out := must[*ci.ListIdentitiesOutput](t)(e.dev.ListIdentities(ctx, &ci.ListIdentitiesInput{IdentityPoolId: p.IdentityPoolId, MaxResults: aws.Int32(60), NextToken: next}))
		sizes = append(sizes, len(out.Identities))
		for _, i := range out.Identities {
			if seen[*i.IdentityId] || !created[*i.IdentityId] {
				t.Fatalf("repeat or unknown %s", *i.IdentityId)
			}
			seen[*i.IdentityId] = true
			if i.CreationDate == nil || i.LastModifiedDate == nil {
				t.Fatal("dates missing")
			}
		}
		if next = out.NextToken; next == nil {
			break
		}
	}
	if fmt.Sprint(sizes) != "[60 60 30]" || len(seen) != 150 {
		t.Fatalf("page sizes %v, %d seen", sizes, len(seen))
	}
	for _, n := range []int32{0, 61} {
		_, err := e.dev.ListIdentities(ctx, &ci.ListIdentitiesInput{IdentityPoolId: p.IdentityPoolId, MaxResults: aws.Int32(n)})
		op := "greater than or equal to 1"
		if n == 61 {
			op = "less than or equal to 60"
		}
		apiErr(t, err, "ValidationException", fmt.Sprintf("1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value %s", n, op))
	}
	_, err := e.dev.ListIdentities(ctx, &ci.ListIdentitiesInput{IdentityPoolId: aws.String("not a pool id"), MaxResults: aws.Int32(10)})
	apiErr(t, err, "ValidationException", "1 validation error detected: Value 'not a pool id' at 'identityPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w-]+:[0-9a-f-]+")
}

// TestSeedListIdentities sends the sample request of the ListIdentities API
// page as written there: long target form, Content-Type application/json.
func TestSeedListIdentities(t *testing.T) {
	e := newEnv(t, auth.ModeSigV4)
	p := createPool(t, e.dev, &ci.CreateIdentityPoolInput{AllowUnauthenticatedIdentities: true})
	for i := 0; i < 2; i++ {
		must[*ci.GetIdOutput](t)(e.anon().GetId(ctx, &ci.GetIdInput{IdentityPoolId: p.IdentityPoolId}))
	}
	body := fmt.Sprintf("{\n\"IdentityPoolId\": %q,\n\"MaxResults\": 10\n}", *p.IdentityPoolId)
	req, _ := http.NewRequest("POST", e.URL+"/", strings.NewReader(body))
	req.Header.Set("CONTENT-TYPE", "application/json")
	req.Header.Set("X-AMZ-TARGET", "com.amazonaws.cognito.identity.model.AWSCognitoIdentityService.ListIdentities")
	sign(t, req, body, "cognito-identity")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Header.Get("x-amzn-RequestId") == "" {
		t.Fatal("no x-amzn-RequestId")
	}
	status, b := httpStatus(t, resp)
	if status != 200 {
		t.Fatalf("%d %s", status, b)
	}
	var out struct {
		IdentityPoolId string
		Identities     []struct {
			IdentityId string
			Logins     []string
		}
		NextToken *string
	}
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	if out.IdentityPoolId != *p.IdentityPoolId || len(out.Identities) != 2 || out.NextToken != nil || !bytes.Contains(b, []byte(`"NextToken":null`)) {
		t.Fatalf("%s", b)
	}
}

func sign(t *testing.T, req *http.Request, body, service string) {
	t.Helper()
	sum := sha256.Sum256([]byte(body))
	err := v4.NewSigner().SignHTTP(ctx, aws.Credentials{AccessKeyID: devKey, SecretAccessKey: devSecret}, req, hex.EncodeToString(sum[:]), service, region, time.Now())
	if err != nil {
		t.Fatal(err)
	}
}

// TestTargetMustBeSigned: the operation a request runs is the one its
// signature covers. A request signed without its X-Amz-Target (or one given
// a target after signing) is refused, and runs nothing.
func TestTargetMustBeSigned(t *testing.T) {
	e := newEnv(t, auth.ModeSigV4)
	pool := *createPool(t, e.dev, &ci.CreateIdentityPoolInput{}).IdentityPoolId
	body := `{"IdentityPoolId":"` + pool + `"}`
	req, _ := http.NewRequest("POST", e.URL+"/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	sign(t, req, body, "cognito-identity") // over host, content-type, x-amz-date: no target
	req.Header.Set("X-Amz-Target", "AWSCognitoIdentityService.DeleteIdentityPool")
	st, b := httpStatus(t, must[*http.Response](t)(http.DefaultClient.Do(req)))
	if st != 400 || !strings.Contains(string(b), "IncompleteSignatureException") || !strings.Contains(string(b), "X-Amz-Target") {
		t.Fatalf("unsigned target: %d %s", st, b)
	}
	must[*ci.DescribeIdentityPoolOutput](t)(e.dev.DescribeIdentityPool(ctx, &ci.DescribeIdentityPoolInput{IdentityPoolId: &pool}))

	// Under --auth any no signature is verified, so none is required to
	// cover the target either: a load generator's fixed Authorization
	// header that names fewer headers still gets its answer.
	anyEnv := newEnv(t, auth.ModeAny)
	anyPool := *createPool(t, anyEnv.client("123456789012", "x", "", region), &ci.CreateIdentityPoolInput{}).IdentityPoolId
	body = `{"IdentityPoolId":"` + anyPool + `"}`
	req, _ = http.NewRequest("POST", anyEnv.URL+"/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Date", time.Now().UTC().Format("20060102T150405Z"))
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=123456789012/"+time.Now().UTC().Format("20060102")+"/us-east-1/cognito-identity/aws4_request, SignedHeaders=host;x-amz-date, Signature="+strings.Repeat("0", 64))
	req.Header.Set("X-Amz-Target", "AWSCognitoIdentityService.DescribeIdentityPool")
	if st, b := httpStatus(t, must[*http.Response](t)(http.DefaultClient.Do(req))); st != 200 {
		t.Fatalf("--auth any, target not among the signed headers: %d %s", st, b)
	}
}

func TestGetIdLoginsLinkingAndDisabling(t *testing.T) {
	e := newEnv(t, auth.ModeSigV4)
	p := createPool(t, e.dev, &ci.CreateIdentityPoolInput{
		AllowUnauthenticatedIdentities: false,
		SupportedLoginProviders:        map[string]string{"graph.facebook.com": "app1", "accounts.google.com": "app2"},
	})
	anon := e.anon()
	_, err := anon.GetId(ctx, &ci.GetIdInput{IdentityPoolId: p.IdentityPoolId})
	apiErr(t, err, "NotAuthorizedException", "Unauthenticated access is not supported for this identity pool.")
	_, err = anon.GetId(ctx, &ci.GetIdInput{IdentityPoolId: p.IdentityPoolId, Logins: map[string]string{"www.amazon.com": "tok"}})
	apiErr(t, err, "NotAuthorizedException", "Token is not from a supported provider of this identity pool.")

	fb := map[string]string{"graph.facebook.com": "fb-user-1"}
	id1 := *must[*ci.GetIdOutput](t)(anon.GetId(ctx, &ci.GetIdInput{IdentityPoolId: p.IdentityPoolId, Logins: fb})).IdentityId
	again := *must[*ci.GetIdOutput](t)(anon.GetId(ctx, &ci.GetIdInput{IdentityPoolId: p.IdentityPoolId, Logins: fb})).IdentityId
	if id1 != again {
		t.Fatalf("same login, two identities: %s %s", id1, again)
	}
	// Link Google to the same identity through GetOpenIdToken.
	both := map[string]string{"graph.facebook.com": "fb-user-1", "accounts.google.com": "g-user-1"}
	tok := must[*ci.GetOpenIdTokenOutput](t)(anon.GetOpenIdToken(ctx, &ci.GetOpenIdTokenInput{IdentityId: &id1, Logins: both}))
	if *tok.IdentityId != id1 || strings.Count(*tok.Token, ".") != 2 {
		t.Fatalf("token %+v", tok)
	}
	g := map[string]string{"accounts.google.com": "g-user-1"}
	if got := *must[*ci.GetIdOutput](t)(anon.GetId(ctx, &ci.GetIdInput{IdentityPoolId: p.IdentityPoolId, Logins: g})).IdentityId; got != id1 {
		t.Fatalf("linked login gave %s", got)
	}
	// Wrong logins for an authenticated identity.
	_, err = anon.GetOpenIdToken(ctx, &ci.GetOpenIdTokenInput{IdentityId: &id1})
	apiErr(t, err, "NotAuthorizedException", "Logins don't match. Please include at least one valid login for this identity or identity pool.")
	_, err = anon.GetOpenIdToken(ctx, &ci.GetOpenIdTokenInput{IdentityId: &id1, Logins: map[string]string{"graph.facebook.com": "someone-else"}})
	apiErr(t, err, "NotAuthorizedException", "Logins don't match. Please include at least one valid login for this identity or identity pool.")

	d := must[*ci.DescribeIdentityOutput](t)(e.dev.DescribeIdentity(ctx, &ci.DescribeIdentityInput{IdentityId: &id1}))
	if fmt.Sprint(d.Logins) != "[accounts.google.com graph.facebook.com]" {
		t.Fatalf("logins %v", d.Logins)
	}
	// Unlink both: the identity becomes disabled.
	must[*ci.UnlinkIdentityOutput](t)(anon.UnlinkIdentity(ctx, &ci.UnlinkIdentityInput{IdentityId: &id1, Logins: fb, LoginsToRemove: []string{"accounts.google.com"}}))
	must[*ci.UnlinkIdentityOutput](t)(anon.UnlinkIdentity(ctx, &ci.UnlinkIdentityInput{IdentityId: &id1, Logins: fb, LoginsToRemove: []string{"graph.facebook.com"}}))
	_, err = anon.GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: &id1, Logins: fb})
	apiErr(t, err, "NotAuthorizedException", fmt.Sprintf("Access to Identity '%s' is forbidden.", id1))
	// The old login now makes a new identity.
	id2 := *must[*ci.GetIdOutput](t)(anon.GetId(ctx, &ci.GetIdInput{IdentityPoolId: p.IdentityPoolId, Logins: fb})).IdentityId
	if id2 == id1 {
		t.Fatal("unlinked login still resolves to the disabled identity")
	}
	all := must[*ci.ListIdentitiesOutput](t)(e.dev.ListIdentities(ctx, &ci.ListIdentitiesInput{IdentityPoolId: p.IdentityPoolId, MaxResults: aws.Int32(60)}))
	hidden := must[*ci.ListIdentitiesOutput](t)(e.dev.ListIdentities(ctx, &ci.ListIdentitiesInput{IdentityPoolId: p.IdentityPoolId, MaxResults: aws.Int32(60), HideDisabled: true}))
	if len(all.Identities) != 2 || len(hidden.Identities) != 1 || *hidden.Identities[0].IdentityId != id2 {
		t.Fatalf("all %d hidden %d", len(all.Identities), len(hidden.Identities))
	}
	// Unknown identity.
	_, err = anon.GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: aws.String("us-east-1:00000000-0000-4000-8000-000000000000")})
	apiErr(t, err, "ResourceNotFoundException", "Identity 'us-east-1:00000000-0000-4000-8000-000000000000' not found.")
}

func TestUnauthToAuthMerge(t *testing.T) {
	e := newEnv(t, auth.ModeAny)
	p := createPool(t, e.dev, &ci.CreateIdentityPoolInput{AllowUnauthenticatedIdentities: true, SupportedLoginProviders: map[string]string{"graph.facebook.com": "app"}})
	must[*ci.SetIdentityPoolRolesOutput](t)(e.dev.SetIdentityPoolRoles(ctx, &ci.SetIdentityPoolRolesInput{IdentityPoolId: p.IdentityPoolId,
		Roles: map[string]string{"authenticated": "arn:aws:iam::111122223333:role/Auth", "unauthenticated": "arn:aws:iam::111122223333:role/Unauth"}}))
	anon := e.anon()
	fb := map[string]string{"graph.facebook.com": "user-a"}
	owner := *must[*ci.GetIdOutput](t)(anon.GetId(ctx, &ci.GetIdInput{IdentityPoolId: p.IdentityPoolId, Logins: fb})).IdentityId
	guest := *must[*ci.GetIdOutput](t)(anon.GetId(ctx, &ci.GetIdInput{IdentityPoolId: p.IdentityPoolId})).IdentityId
	cr := must[*ci.GetCredentialsForIdentityOutput](t)(anon.GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: &guest}))
	if !strings.HasPrefix(*cr.Credentials.AccessKeyId, "ASIA") || *cr.Credentials.SecretKey == "" || *cr.Credentials.SessionToken == "" ||
		cr.Credentials.Expiration.Before(time.Now().Add(55*time.Minute)) {
		t.Fatalf("credentials %+v", cr.Credentials)
	}
	// The guest logs in with a login that has an identity already: merged.
	cr = must[*ci.GetCredentialsForIdentityOutput](t)(anon.GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: &guest, Logins: fb}))
	if *cr.IdentityId != owner {
		t.Fatalf("survivor %s, want %s", *cr.IdentityId, owner)
	}
	_, err := anon.GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: &guest})
	apiErr(t, err, "NotAuthorizedException", fmt.Sprintf("Access to Identity '%s' is forbidden.", guest))
	// A new guest logging in with a new login keeps its ID.
	guest2 := *must[*ci.GetIdOutput](t)(anon.GetId(ctx, &ci.GetIdInput{IdentityPoolId: p.IdentityPoolId})).IdentityId
	cr = must[*ci.GetCredentialsForIdentityOutput](t)(anon.GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: &guest2, Logins: map[string]string{"graph.facebook.com": "user-b"}}))
	if *cr.IdentityId != guest2 {
		t.Fatalf("got %s", *cr.IdentityId)
	}
	// No unauthenticated credentials for an authenticated identity.
	_, err = anon.GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: &guest2})
	apiErr(t, err, "NotAuthorizedException", "Logins don't match. Please include at least one valid login for this identity or identity pool.")
	// A second Facebook login on one identity conflicts.
	_, err = anon.GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: &guest2, Logins: map[string]string{"graph.facebook.com": "user-b"}})
	if err != nil {
		t.Fatal(err)
	}
}

func TestCredentialsRoles(t *testing.T) {
	e := newEnv(t, auth.ModeAny)
	p := createPool(t, e.dev, &ci.CreateIdentityPoolInput{AllowUnauthenticatedIdentities: true,
		OpenIdConnectProviderARNs: []string{"arn:aws:iam::111122223333:oidc-provider/id.example.com"}})
	anon := e.anon()
	guest := *must[*ci.GetIdOutput](t)(anon.GetId(ctx, &ci.GetIdInput{IdentityPoolId: p.IdentityPoolId})).IdentityId
	_, err := anon.GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: &guest})
	apiErr(t, err, "InvalidIdentityPoolConfigurationException", "Invalid identity pool configuration. Check assigned IAM roles for this pool.")

	_, err = e.dev.SetIdentityPoolRoles(ctx, &ci.SetIdentityPoolRolesInput{IdentityPoolId: p.IdentityPoolId, Roles: map[string]string{"authenticated": "arn:aws:iam::111122223333:role/Auth"},
		RoleMappings: map[string]types.RoleMapping{"graph.facebook.com": {Type: types.RoleMappingTypeToken, AmbiguousRoleResolution: types.AmbiguousRoleResolutionTypeAuthenticatedRole}}})
	apiErr(t, err, "InvalidParameterException", "")
	must[*ci.SetIdentityPoolRolesOutput](t)(e.dev.SetIdentityPoolRoles(ctx, &ci.SetIdentityPoolRolesInput{IdentityPoolId: p.IdentityPoolId,
		Roles: map[string]string{"authenticated": "arn:aws:iam::111122223333:role/Auth"},
		RoleMappings: map[string]types.RoleMapping{"id.example.com": {Type: types.RoleMappingTypeRules, AmbiguousRoleResolution: types.AmbiguousRoleResolutionTypeAuthenticatedRole,
			RulesConfiguration: &types.RulesConfigurationType{Rules: []types.MappingRule{
				{Claim: aws.String("dept"), MatchType: types.MappingRuleMatchTypeEquals, Value: aws.String("eng"), RoleARN: aws.String("arn:aws:iam::111122223333:role/Eng")},
				{Claim: aws.String("email"), MatchType: types.MappingRuleMatchTypeContains, Value: aws.String("@ops."), RoleARN: aws.String("arn:aws:iam::111122223333:role/Ops")},
			}}}}}))
	roles := must[*ci.GetIdentityPoolRolesOutput](t)(e.dev.GetIdentityPoolRoles(ctx, &ci.GetIdentityPoolRolesInput{IdentityPoolId: p.IdentityPoolId}))
	if roles.Roles["authenticated"] == "" || len(roles.RoleMappings["id.example.com"].RulesConfiguration.Rules) != 2 {
		t.Fatalf("roles %+v", roles)
	}
	for _, tc := range []struct{ claims, role string }{
		{`{"sub":"u1","dept":"eng"}`, "Eng"},
		{`{"sub":"u2","email":"x@ops.example.com"}`, "Ops"},
		{`{"sub":"u3"}`, "Auth"},
	} {
		logins := map[string]string{"id.example.com": fakeJWT(tc.claims)}
		id := *must[*ci.GetIdOutput](t)(anon.GetId(ctx, &ci.GetIdInput{IdentityPoolId: p.IdentityPoolId, Logins: logins})).IdentityId
		cr := must[*ci.GetCredentialsForIdentityOutput](t)(anon.GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: &id, Logins: logins}))
		// The role chosen is sealed into the session (roles_test.go covers
		// every rule).
		if got := e.openSession(*cr.Credentials.SessionToken).RoleARN; got != "arn:aws:iam::111122223333:role/"+tc.role {
			t.Errorf("claims %s: role %s, want %s", tc.claims, got, tc.role)
		}
	}
	// Classic flow: allowed when never set, refused with role mappings.
	_, err = anon.GetOpenIdToken(ctx, &ci.GetOpenIdTokenInput{IdentityId: &guest})
	apiErr(t, err, "InvalidParameterException", "Basic (classic) flow is not supported with RoleMappings, please use enhanced flow.")
}

// fakeJWT builds an unsigned JWT-shaped token carrying claims (trusted as
// presented under --logins trust).
func fakeJWT(claims string) string {
	enc := func(s string) string { return strings.TrimRight(base64url(s), "=") }
	return enc(`{"alg":"RS256","kid":"k"}`) + "." + enc(claims) + ".c2ln"
}

func TestOpenIdTokenVerifiesWithJWKS(t *testing.T) {
	e := newEnv(t, auth.ModeSigV4)
	p := createPool(t, e.dev, &ci.CreateIdentityPoolInput{AllowUnauthenticatedIdentities: true, AllowClassicFlow: aws.Bool(true)})
	anon := e.anon()
	id := *must[*ci.GetIdOutput](t)(anon.GetId(ctx, &ci.GetIdInput{IdentityPoolId: p.IdentityPoolId})).IdentityId
	tok := must[*ci.GetOpenIdTokenOutput](t)(anon.GetOpenIdToken(ctx, &ci.GetOpenIdTokenInput{IdentityId: &id}))
	resp, err := http.Get(e.URL + "/.well-known/jwks_uri")
	if err != nil {
		t.Fatal(err)
	}
	_, b := httpStatus(t, resp)
	var jwks jose.JSONWebKeySet
	if err := json.Unmarshal(b, &jwks); err != nil {
		t.Fatal(err)
	}
	jws, err := jose.ParseSigned(*tok.Token, []jose.SignatureAlgorithm{jose.RS512})
	if err != nil {
		t.Fatal(err)
	}
	kid := jws.Signatures[0].Header.KeyID
	keys := jwks.Key(kid)
	if len(keys) != 1 || !strings.HasPrefix(kid, "us-east-1-") {
		t.Fatalf("kid %q not in JWKS", kid)
	}
	payload, err := jws.Verify(keys[0])
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	json.Unmarshal(payload, &claims)
	if claims["sub"] != id || claims["aud"] != *p.IdentityPoolId || claims["iss"] != e.URL || fmt.Sprint(claims["amr"]) != "[unauthenticated]" {
		t.Fatalf("claims %v", claims)
	}
	if exp := int64(claims["exp"].(float64)) - int64(claims["iat"].(float64)); exp != 600 {
		t.Fatalf("lifetime %d", exp)
	}
	// Classic flow switched off explicitly.
	must[*ci.UpdateIdentityPoolOutput](t)(e.dev.UpdateIdentityPool(ctx, &ci.UpdateIdentityPoolInput{IdentityPoolId: p.IdentityPoolId, IdentityPoolName: aws.String("pool"), AllowUnauthenticatedIdentities: true, AllowClassicFlow: aws.Bool(false)}))
	_, err = anon.GetOpenIdToken(ctx, &ci.GetOpenIdTokenInput{IdentityId: &id})
	apiErr(t, err, "InvalidParameterException", "Basic (classic) flow is not enabled, please use enhanced flow.")
}

func TestDeveloperIdentities(t *testing.T) {
	e := newEnv(t, auth.ModeSigV4)
	p := createPool(t, e.dev, &ci.CreateIdentityPoolInput{DeveloperProviderName: aws.String("login.example.app")})
	pid := p.IdentityPoolId
	dev := func(user string) map[string]string { return map[string]string{"login.example.app": user} }
	a := must[*ci.GetOpenIdTokenForDeveloperIdentityOutput](t)(e.dev.GetOpenIdTokenForDeveloperIdentity(ctx, &ci.GetOpenIdTokenForDeveloperIdentityInput{
		IdentityPoolId: pid, Logins: dev("alice"), TokenDuration: aws.Int64(3600), PrincipalTags: map[string]string{"dept": "eng"}}))
	a2 := must[*ci.GetOpenIdTokenForDeveloperIdentityOutput](t)(e.dev.GetOpenIdTokenForDeveloperIdentity(ctx, &ci.GetOpenIdTokenForDeveloperIdentityInput{IdentityPoolId: pid, Logins: dev("alice")}))
	if *a.IdentityId != *a2.IdentityId {
		t.Fatal("same developer user, two identities")
	}
	claims := parseClaims(t, *a.Token)
	if fmt.Sprint(claims["amr"]) != fmt.Sprintf("[authenticated login.example.app login.example.app:us-east-1:%s:alice]", *pid) ||
		int64(claims["exp"].(float64))-int64(claims["iat"].(float64)) != 3600 ||
		fmt.Sprint(claims["https://aws.amazon.com/tags"]) != "map[principal_tags:map[dept:[eng]]]" {
		t.Fatalf("claims %v", claims)
	}
	// The token logs the client in through cognito-identity.amazonaws.com.
	must[*ci.SetIdentityPoolRolesOutput](t)(e.dev.SetIdentityPoolRoles(ctx, &ci.SetIdentityPoolRolesInput{IdentityPoolId: pid, Roles: map[string]string{"authenticated": "arn:aws:iam::111122223333:role/Auth"}}))
	own := map[string]string{"cognito-identity.amazonaws.com": *a.Token}
	cr := must[*ci.GetCredentialsForIdentityOutput](t)(e.anon().GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: a.IdentityId, Logins: own}))
	if *cr.IdentityId != *a.IdentityId {
		t.Fatal("wrong identity")
	}
	_, err := e.anon().GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: a.IdentityId, Logins: map[string]string{"cognito-identity.amazonaws.com": *a.Token + "x"}})
	apiErr(t, err, "NotAuthorizedException", "")

	// A developer user identifier of the model's full length (1,024) is
	// answered, found and merged by its own text.
	long := strings.Repeat("u", 1024)
	lg := must[*ci.GetOpenIdTokenForDeveloperIdentityOutput](t)(e.dev.GetOpenIdTokenForDeveloperIdentity(ctx, &ci.GetOpenIdTokenForDeveloperIdentityInput{IdentityPoolId: pid, Logins: dev(long)}))
	if l := must[*ci.LookupDeveloperIdentityOutput](t)(e.dev.LookupDeveloperIdentity(ctx, &ci.LookupDeveloperIdentityInput{IdentityPoolId: pid, IdentityId: lg.IdentityId})); fmt.Sprint(l.DeveloperUserIdentifierList) != "["+long+"]" {
		t.Fatalf("the long user's identity lists %v", l.DeveloperUserIdentifierList)
	}
	if l := must[*ci.LookupDeveloperIdentityOutput](t)(e.dev.LookupDeveloperIdentity(ctx, &ci.LookupDeveloperIdentityInput{IdentityPoolId: pid, DeveloperUserIdentifier: &long})); *l.IdentityId != *lg.IdentityId {
		t.Fatalf("the long user found at %s, made at %s", *l.IdentityId, *lg.IdentityId)
	}
	must[*ci.UnlinkDeveloperIdentityOutput](t)(e.dev.UnlinkDeveloperIdentity(ctx, &ci.UnlinkDeveloperIdentityInput{IdentityPoolId: pid, IdentityId: lg.IdentityId,
		DeveloperProviderName: aws.String("login.example.app"), DeveloperUserIdentifier: &long}))
	// 1,024 characters of three bytes each: kept under their hash (no store
	// indexes 3 KB keys), found by their text all the same.
	wide := strings.Repeat("語", 1024)
	wg := must[*ci.GetOpenIdTokenForDeveloperIdentityOutput](t)(e.dev.GetOpenIdTokenForDeveloperIdentity(ctx, &ci.GetOpenIdTokenForDeveloperIdentityInput{IdentityPoolId: pid, Logins: dev(wide)}))
	if l := must[*ci.LookupDeveloperIdentityOutput](t)(e.dev.LookupDeveloperIdentity(ctx, &ci.LookupDeveloperIdentityInput{IdentityPoolId: pid, DeveloperUserIdentifier: &wide})); *l.IdentityId != *wg.IdentityId {
		t.Fatalf("the wide user found at %s, made at %s", *l.IdentityId, *wg.IdentityId)
	}
	if again := must[*ci.GetOpenIdTokenForDeveloperIdentityOutput](t)(e.dev.GetOpenIdTokenForDeveloperIdentity(ctx, &ci.GetOpenIdTokenForDeveloperIdentityInput{IdentityPoolId: pid, Logins: dev(wide)})); *again.IdentityId != *wg.IdentityId {
		t.Fatal("the wide user got a second identity")
	}
	// A user whose identifier is the text of the wide user's hashed form is
	// someone else.
	sum := sha256.Sum256([]byte(wide))
	lookalike := "sha256:" + hex.EncodeToString(sum[:])
	other := must[*ci.GetOpenIdTokenForDeveloperIdentityOutput](t)(e.dev.GetOpenIdTokenForDeveloperIdentity(ctx, &ci.GetOpenIdTokenForDeveloperIdentityInput{IdentityPoolId: pid, Logins: dev(lookalike)}))
	if *other.IdentityId == *wg.IdentityId {
		t.Fatalf("%q was given the wide user's identity", lookalike)
	}
	must[*ci.UnlinkDeveloperIdentityOutput](t)(e.dev.UnlinkDeveloperIdentity(ctx, &ci.UnlinkDeveloperIdentityInput{IdentityPoolId: pid, IdentityId: other.IdentityId,
		DeveloperProviderName: aws.String("login.example.app"), DeveloperUserIdentifier: &lookalike}))
	must[*ci.UnlinkDeveloperIdentityOutput](t)(e.dev.UnlinkDeveloperIdentity(ctx, &ci.UnlinkDeveloperIdentityInput{IdentityPoolId: pid, IdentityId: wg.IdentityId,
		DeveloperProviderName: aws.String("login.example.app"), DeveloperUserIdentifier: &wide}))
	// No login on a pool without guests: no identity is made (GetId's rule).
	_, err = e.dev.GetOpenIdTokenForDeveloperIdentity(ctx, &ci.GetOpenIdTokenForDeveloperIdentityInput{IdentityPoolId: pid, Logins: map[string]string{}})
	apiErr(t, err, "NotAuthorizedException", "Unauthenticated access is not supported for this identity pool.")
	b := must[*ci.GetOpenIdTokenForDeveloperIdentityOutput](t)(e.dev.GetOpenIdTokenForDeveloperIdentity(ctx, &ci.GetOpenIdTokenForDeveloperIdentityInput{IdentityPoolId: pid, Logins: dev("bob")}))
	// bob is registered to another identity.
	_, err = e.dev.GetOpenIdTokenForDeveloperIdentity(ctx, &ci.GetOpenIdTokenForDeveloperIdentityInput{IdentityPoolId: pid, IdentityId: a.IdentityId, Logins: dev("bob")})
	apiErr(t, err, "DeveloperUserAlreadyRegisteredException", "")
	// Lookups.
	l := must[*ci.LookupDeveloperIdentityOutput](t)(e.dev.LookupDeveloperIdentity(ctx, &ci.LookupDeveloperIdentityInput{IdentityPoolId: pid, DeveloperUserIdentifier: aws.String("alice")}))
	if *l.IdentityId != *a.IdentityId || fmt.Sprint(l.DeveloperUserIdentifierList) != "[alice]" {
		t.Fatalf("lookup %+v", l)
	}
	_, err = e.dev.LookupDeveloperIdentity(ctx, &ci.LookupDeveloperIdentityInput{IdentityPoolId: pid, IdentityId: b.IdentityId, DeveloperUserIdentifier: aws.String("alice")})
	apiErr(t, err, "ResourceConflictException", "")
	_, err = e.dev.LookupDeveloperIdentity(ctx, &ci.LookupDeveloperIdentityInput{IdentityPoolId: pid, DeveloperUserIdentifier: aws.String("nobody")})
	apiErr(t, err, "ResourceNotFoundException", "")
	// Merge bob into alice: alice's identity survives with both users.
	m := must[*ci.MergeDeveloperIdentitiesOutput](t)(e.dev.MergeDeveloperIdentities(ctx, &ci.MergeDeveloperIdentitiesInput{IdentityPoolId: pid,
		DeveloperProviderName: aws.String("login.example.app"), SourceUserIdentifier: aws.String("bob"), DestinationUserIdentifier: aws.String("alice")}))
	if *m.IdentityId != *a.IdentityId {
		t.Fatal("wrong survivor")
	}
	var users []string
	var next *string
	for {
		out := must[*ci.LookupDeveloperIdentityOutput](t)(e.dev.LookupDeveloperIdentity(ctx, &ci.LookupDeveloperIdentityInput{IdentityPoolId: pid, IdentityId: a.IdentityId, MaxResults: aws.Int32(1), NextToken: next}))
		users = append(users, out.DeveloperUserIdentifierList...)
		if next = out.NextToken; next == nil {
			break
		}
	}
	if fmt.Sprint(users) != "[alice bob]" {
		t.Fatalf("users %v", users)
	}
	// Both given: the pair verified is answered as asked (not every user of
	// the identity); a pair that does not match, an unknown user included,
	// is a ResourceConflictException.
	both := must[*ci.LookupDeveloperIdentityOutput](t)(e.dev.LookupDeveloperIdentity(ctx, &ci.LookupDeveloperIdentityInput{IdentityPoolId: pid, IdentityId: a.IdentityId, DeveloperUserIdentifier: aws.String("bob")}))
	if *both.IdentityId != *a.IdentityId || fmt.Sprint(both.DeveloperUserIdentifierList) != "[bob]" || both.NextToken != nil {
		t.Fatalf("lookup of both: %+v", both)
	}
	_, err = e.dev.LookupDeveloperIdentity(ctx, &ci.LookupDeveloperIdentityInput{IdentityPoolId: pid, IdentityId: a.IdentityId, DeveloperUserIdentifier: aws.String("nobody")})
	apiErr(t, err, "ResourceConflictException", "")
	// Unlink both: the identity is disabled.
	for _, u := range []string{"alice", "bob"} {
		must[*ci.UnlinkDeveloperIdentityOutput](t)(e.dev.UnlinkDeveloperIdentity(ctx, &ci.UnlinkDeveloperIdentityInput{IdentityPoolId: pid, IdentityId: a.IdentityId,
			DeveloperProviderName: aws.String("login.example.app"), DeveloperUserIdentifier: aws.String(u)}))
	}
	hidden := must[*ci.ListIdentitiesOutput](t)(e.dev.ListIdentities(ctx, &ci.ListIdentitiesInput{IdentityPoolId: pid, MaxResults: aws.Int32(60), HideDisabled: true}))
	if len(hidden.Identities) != 0 {
		t.Fatalf("%d enabled identities left", len(hidden.Identities))
	}
	n := must[*ci.GetOpenIdTokenForDeveloperIdentityOutput](t)(e.dev.GetOpenIdTokenForDeveloperIdentity(ctx, &ci.GetOpenIdTokenForDeveloperIdentityInput{IdentityPoolId: pid, Logins: dev("alice")}))
	if *n.IdentityId == *a.IdentityId {
		t.Fatal("unlinked user returned to its disabled identity")
	}
}

func parseClaims(t *testing.T, tok string) map[string]any {
	t.Helper()
	jws, err := jose.ParseSigned(tok, []jose.SignatureAlgorithm{jose.RS512})
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	if err := json.Unmarshal(jws.UnsafePayloadWithoutVerification(), &claims); err != nil {
		t.Fatal(err)
	}
	return claims
}

func TestDeleteIdentities(t *testing.T) {
	e := newEnv(t, auth.ModeAny)
	p := createPool(t, e.dev, &ci.CreateIdentityPoolInput{AllowUnauthenticatedIdentities: true})
	id := *must[*ci.GetIdOutput](t)(e.anon().GetId(ctx, &ci.GetIdInput{IdentityPoolId: p.IdentityPoolId})).IdentityId
	otherAcct := e.client("999988887777", "x", "", region)
	out := must[*ci.DeleteIdentitiesOutput](t)(otherAcct.DeleteIdentities(ctx, &ci.DeleteIdentitiesInput{IdentityIdsToDelete: []string{id}}))
	if len(out.UnprocessedIdentityIds) != 1 || out.UnprocessedIdentityIds[0].ErrorCode != types.ErrorCodeAccessDenied {
		t.Fatalf("%+v", out)
	}
	out = must[*ci.DeleteIdentitiesOutput](t)(e.dev.DeleteIdentities(ctx, &ci.DeleteIdentitiesInput{IdentityIdsToDelete: []string{id}}))
	if len(out.UnprocessedIdentityIds) != 0 {
		t.Fatalf("%+v", out)
	}
	_, err := e.dev.DescribeIdentity(ctx, &ci.DescribeIdentityInput{IdentityId: &id})
	apiErr(t, err, "ResourceNotFoundException", fmt.Sprintf("Identity '%s' not found.", id))
}

func TestTagsAndPrincipalTags(t *testing.T) {
	e := newEnv(t, auth.ModeSigV4)
	p := createPool(t, e.dev, &ci.CreateIdentityPoolInput{OpenIdConnectProviderARNs: []string{"arn:aws:iam::111122223333:oidc-provider/id.example.com"}})
	arn := aws.String("arn:aws:cognito-identity:us-east-1:" + devAcct + ":identitypool/" + *p.IdentityPoolId)
	must[*ci.TagResourceOutput](t)(e.dev.TagResource(ctx, &ci.TagResourceInput{ResourceArn: arn, Tags: map[string]string{"a": "1", "b": "2"}}))
	must[*ci.UntagResourceOutput](t)(e.dev.UntagResource(ctx, &ci.UntagResourceInput{ResourceArn: arn, TagKeys: []string{"a"}}))
	tags := must[*ci.ListTagsForResourceOutput](t)(e.dev.ListTagsForResource(ctx, &ci.ListTagsForResourceInput{ResourceArn: arn}))
	if fmt.Sprint(tags.Tags) != "map[b:2]" {
		t.Fatalf("tags %v", tags.Tags)
	}
	_, err := e.dev.TagResource(ctx, &ci.TagResourceInput{ResourceArn: aws.String("arn:aws:cognito-identity:us-east-1:444455556666:identitypool/" + *p.IdentityPoolId), Tags: map[string]string{"a": "1"}})
	apiErr(t, err, "ResourceNotFoundException", "")
	// The pool's ARN in another partition names nothing; a China region's
	// pools are aws-cn's.
	for _, partition := range []string{"aws-cn", "aws-us-gov", "xyz"} {
		_, err = e.dev.ListTagsForResource(ctx, &ci.ListTagsForResourceInput{ResourceArn: aws.String("arn:" + partition + ":cognito-identity:us-east-1:" + devAcct + ":identitypool/" + *p.IdentityPoolId)})
		apiErr(t, err, "ResourceNotFoundException", "")
	}
	cn := e.client(devKey, devSecret, "", "cn-north-1")
	cnPool := *createPool(t, cn, &ci.CreateIdentityPoolInput{}).IdentityPoolId
	must[*ci.TagResourceOutput](t)(cn.TagResource(ctx, &ci.TagResourceInput{ResourceArn: aws.String("arn:aws-cn:cognito-identity:cn-north-1:" + devAcct + ":identitypool/" + cnPool), Tags: map[string]string{"a": "1"}}))
	_, err = cn.TagResource(ctx, &ci.TagResourceInput{ResourceArn: aws.String("arn:aws:cognito-identity:cn-north-1:" + devAcct + ":identitypool/" + cnPool), Tags: map[string]string{"a": "1"}})
	apiErr(t, err, "ResourceNotFoundException", "")

	set := must[*ci.SetPrincipalTagAttributeMapOutput](t)(e.dev.SetPrincipalTagAttributeMap(ctx, &ci.SetPrincipalTagAttributeMapInput{IdentityPoolId: p.IdentityPoolId,
		IdentityProviderName: aws.String("id.example.com"), UseDefaults: aws.Bool(false), PrincipalTags: map[string]string{"dept": "department"}}))
	get := must[*ci.GetPrincipalTagAttributeMapOutput](t)(e.dev.GetPrincipalTagAttributeMap(ctx, &ci.GetPrincipalTagAttributeMapInput{IdentityPoolId: p.IdentityPoolId, IdentityProviderName: aws.String("id.example.com")}))
	if *get.UseDefaults || get.PrincipalTags["dept"] != "department" || *set.IdentityProviderName != "id.example.com" {
		t.Fatalf("%+v", get)
	}
	_, err = e.dev.SetPrincipalTagAttributeMap(ctx, &ci.SetPrincipalTagAttributeMapInput{IdentityPoolId: p.IdentityPoolId, IdentityProviderName: aws.String("unknown.example.com")})
	apiErr(t, err, "InvalidParameterException", "")
}

func TestAccountIsolationAndAuth(t *testing.T) {
	e := newEnv(t, auth.ModeSigV4)
	p := createPool(t, e.dev, &ci.CreateIdentityPoolInput{AllowUnauthenticatedIdentities: true})
	_, err := e.client("AKIDUNKNOWN000000000", devSecret, "", region).ListIdentityPools(ctx, &ci.ListIdentityPoolsInput{MaxResults: aws.Int32(10)})
	apiErr(t, err, "UnrecognizedClientException", "The security token included in the request is invalid.")
	_, err = e.client(devKey, "wrong-secret-000000000000", "", region).ListIdentityPools(ctx, &ci.ListIdentityPoolsInput{MaxResults: aws.Int32(10)})
	apiErr(t, err, "InvalidSignatureException", "")
	_, err = e.anon().ListIdentityPools(ctx, &ci.ListIdentityPoolsInput{MaxResults: aws.Int32(10)})
	apiErr(t, err, "MissingAuthenticationTokenException", "Missing Authentication Token")
	// Another region of the same account does not see the pool.
	_, err = e.client(devKey, devSecret, "", "eu-west-1").DescribeIdentityPool(ctx, &ci.DescribeIdentityPoolInput{IdentityPoolId: p.IdentityPoolId})
	apiErr(t, err, "ResourceNotFoundException", "")

	// Under --auth any, each 12-digit key is its own account.
	a := newEnv(t, auth.ModeAny)
	mine := a.client("123456789012", "x", "", region)
	theirs := a.client("210987654321", "x", "", region)
	pool := createPool(t, mine, &ci.CreateIdentityPoolInput{AllowUnauthenticatedIdentities: true})
	id := *must[*ci.GetIdOutput](t)(a.anon().GetId(ctx, &ci.GetIdInput{IdentityPoolId: pool.IdentityPoolId})).IdentityId
	list := must[*ci.ListIdentityPoolsOutput](t)(theirs.ListIdentityPools(ctx, &ci.ListIdentityPoolsInput{MaxResults: aws.Int32(60)}))
	if len(list.IdentityPools) != 0 {
		t.Fatal("other account sees pools")
	}
	_, err = theirs.DescribeIdentityPool(ctx, &ci.DescribeIdentityPoolInput{IdentityPoolId: pool.IdentityPoolId})
	apiErr(t, err, "ResourceNotFoundException", "")
	_, err = theirs.ListIdentities(ctx, &ci.ListIdentitiesInput{IdentityPoolId: pool.IdentityPoolId, MaxResults: aws.Int32(5)})
	apiErr(t, err, "ResourceNotFoundException", "")
	_, err = theirs.DescribeIdentity(ctx, &ci.DescribeIdentityInput{IdentityId: &id})
	apiErr(t, err, "ResourceNotFoundException", "")
	_, err = theirs.DeleteIdentityPool(ctx, &ci.DeleteIdentityPoolInput{IdentityPoolId: pool.IdentityPoolId})
	apiErr(t, err, "ResourceNotFoundException", "")
	// The GetId AccountId, when given, must be the pool's.
	_, err = a.anon().GetId(ctx, &ci.GetIdInput{IdentityPoolId: pool.IdentityPoolId, AccountId: aws.String("210987654321")})
	apiErr(t, err, "ResourceNotFoundException", "")
}

func TestWireErrors(t *testing.T) {
	e := newEnv(t, auth.ModeSigV4)
	post := func(target, body string) (int, map[string]string) {
		req, _ := http.NewRequest("POST", e.URL+"/", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		req.Header.Set("X-Amz-Target", target)
		sign(t, req, body, "cognito-identity")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		status, b := httpStatus(t, resp)
		var m map[string]string
		json.Unmarshal(b, &m)
		return status, m
	}
	for _, tc := range []struct {
		target, body, code string
		status             int
	}{
		{"AWSCognitoIdentityService.ListIdentityPools", `{"MaxResults":`, "SerializationException", 400},
		{"AWSCognitoIdentityService.ListIdentityPools", `[1,2]`, "SerializationException", 400},
		{"AWSCognitoIdentityService.ListIdentityPools", `{"MaxResults":"many"}`, "SerializationException", 400},
		{"AWSCognitoIdentityService.ListIdentityPools", `{"MaxResults":true}`, "SerializationException", 400},
		{"AWSCognitoIdentityService.NoSuchOperation", `{}`, "UnknownOperationException", 400},
		{"SomethingElse.ListIdentityPools", `{}`, "UnknownOperationException", 400},
		{"AWSCognitoIdentityService.ListIdentityPools", `{}`, "ValidationException", 400},
		{"AWSCognitoIdentityService.CreateIdentityPool", `{"IdentityPoolName":"pool#name","AllowUnauthenticatedIdentities":false}`, "ValidationException", 400},
		{"AWSCognitoIdentityService.ListIdentityPools", `{"MaxResults":5}`, "", 200},
	} {
		status, m := post(tc.target, tc.body)
		if status != tc.status || m["__type"] != tc.code {
			t.Errorf("%s %s: got %d %v", tc.target, tc.body, status, m)
		}
	}
	_, m := post("AWSCognitoIdentityService.CreateIdentityPool", `{"IdentityPoolName":"pool#name","AllowUnauthenticatedIdentities":false}`)
	if want := `1 validation error detected: Value 'pool#name' at 'identityPoolName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w\s+=,.@-]+`; m["message"] != want {
		t.Errorf("message %q", m["message"])
	}
	big := `{"IdentityPoolName":"` + strings.Repeat("a", 5<<20) + `"}`
	if status, _ := post("AWSCognitoIdentityService.CreateIdentityPool", big); status != 413 {
		t.Errorf("oversized body: %d", status)
	}
}
