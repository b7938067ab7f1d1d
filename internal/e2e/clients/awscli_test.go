package clients

// The AWS CLI (v1) against cognitod: a realistic session through
// `aws cognito-identity` and `aws cognito-sync`, asserting on the JSON the CLI
// prints and, for failures, on its exit code and the AWS error code it names.

import (
	"encoding/json"
	"fmt"
	"math"
	"os/exec"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ci "github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
)

// cliServiceError is the exit code of CLI v1 when the service answered an
// error (v2 answers 254; the image ships v1, which funnels every botocore
// ClientError into 255).
const cliServiceError = 255

var idPattern = regexp.MustCompile(`^us-east-1:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// findAWS returns the path of the AWS CLI, or skips (fails under CI=true).
func findAWS(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("aws")
	if err != nil {
		needTool(t, "the AWS CLI (aws) is not on PATH")
	}
	return unshim(p, "aws")
}

// awsCLI runs `aws` against one server with one set of credentials.
type awsCLI struct {
	t   *testing.T
	bin string
	url string
	env []string
}

func (e *env) cli(t *testing.T, bin, ak, sk, token string) *awsCLI {
	return &awsCLI{t: t, bin: bin, url: e.URL, env: isolatedEnv(t, ak, sk, token)}
}

// raw runs one CLI command against the server, printing JSON.
func (c *awsCLI) raw(args ...string) (stdout, stderr []byte, code int) {
	c.t.Helper()
	args = append(args, "--endpoint-url", c.url, "--output", "json", "--cli-read-timeout", "120", "--cli-connect-timeout", "30")
	return run(c.t, c.env, c.bin, args...)
}

// ok runs a command that must succeed and decodes what it printed (commands
// whose output shape is empty print nothing: an empty map).
func (c *awsCLI) ok(args ...string) map[string]any {
	c.t.Helper()
	out, errOut, code := c.raw(args...)
	if code != 0 {
		c.t.Fatalf("aws %s: exit %d\nstderr: %s", strings.Join(args, " "), code, errOut)
	}
	m := map[string]any{}
	if len(strings.TrimSpace(string(out))) == 0 {
		return m
	}
	if err := json.Unmarshal(out, &m); err != nil {
		c.t.Fatalf("aws %s printed no JSON object: %v\n%s", strings.Join(args, " "), err, out)
	}
	return m
}

// fail runs a command that must fail with the service error code, raised by
// operation op, and (if msg != "") that message, exactly as the CLI words
// botocore's ClientError.
func (c *awsCLI) fail(code, op, msg string, args ...string) {
	c.t.Helper()
	out, errOut, rc := c.raw(args...)
	if rc != cliServiceError {
		c.t.Fatalf("aws %s: want exit %d with %s, got exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), cliServiceError, code, rc, out, errOut)
	}
	// The CLI names the code and operation, may add a note on retries
	// ("(reached max retries: 0)"), then prints the server's message.
	want := regexp.MustCompile(`An error occurred \(` + regexp.QuoteMeta(code) + `\) when calling the ` +
		regexp.QuoteMeta(op) + ` operation(?: \(reached max retries: \d+\))?: ` + regexp.QuoteMeta(msg))
	if !want.Match(errOut) {
		c.t.Fatalf("aws %s: stderr does not match %q:\n%s", strings.Join(args, " "), want, errOut)
	}
}

// get walks a decoded JSON document along path.
func get(t *testing.T, v any, path ...string) any {
	t.Helper()
	for i, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("%s: not an object in %v", strings.Join(path[:i+1], "."), v)
		}
		if v, ok = m[k]; !ok {
			t.Fatalf("%s missing from %v", strings.Join(path[:i+1], "."), m)
		}
	}
	return v
}

func str(t *testing.T, v any, path ...string) string {
	t.Helper()
	s, ok := get(t, v, path...).(string)
	if !ok {
		t.Fatalf("%s: not a string in %v", strings.Join(path, "."), v)
	}
	return s
}

func num(t *testing.T, v any, path ...string) float64 {
	t.Helper()
	n, ok := get(t, v, path...).(float64)
	if !ok {
		t.Fatalf("%s: not a number in %v", strings.Join(path, "."), v)
	}
	return n
}

func list(t *testing.T, v any, path ...string) []any {
	t.Helper()
	l, ok := get(t, v, path...).([]any)
	if !ok {
		t.Fatalf("%s: not a list in %v", strings.Join(path, "."), v)
	}
	return l
}

// absent asserts that key is missing or null in m (AWS omits empty members).
func absent(t *testing.T, m map[string]any, key string) {
	t.Helper()
	if v, ok := m[key]; ok && v != nil {
		t.Fatalf("%s: want absent, got %v", key, v)
	}
}

// timestamp reads a timestamp as the CLI prints it: v1 passes the service's
// epoch seconds through as a number, or an ISO 8601 string when
// cli_timestamp_format says so.
func timestamp(t *testing.T, v any, path ...string) time.Time {
	t.Helper()
	switch x := get(t, v, path...).(type) {
	case float64:
		sec, frac := math.Modf(x)
		return time.Unix(int64(sec), int64(frac*1e9))
	case string:
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999-07:00"} {
			if tm, err := time.Parse(layout, x); err == nil {
				return tm
			}
		}
		t.Fatalf("%s: unparsable timestamp %q", strings.Join(path, "."), x)
	default:
		t.Fatalf("%s: not a timestamp: %v", strings.Join(path, "."), x)
	}
	return time.Time{}
}

func sortedKeys(m map[string]any) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func TestAWSCLI(t *testing.T) {
	bin := findAWS(t)
	t.Parallel()
	// Each part starts its own server, so the parts share nothing and run in
	// parallel: the CLI spends most of each call starting Python.
	t.Run("IdentitySession", func(t *testing.T) { t.Parallel(); cliIdentitySession(t, bin) })
	t.Run("DeveloperIdentities", func(t *testing.T) { t.Parallel(); cliDeveloper(t, bin) })
	t.Run("ListIdentitiesPaging", func(t *testing.T) { t.Parallel(); cliListIdentities(t, bin) })
	t.Run("AutoPagination", func(t *testing.T) { t.Parallel(); cliAutoPagination(t, bin) })
	t.Run("Sync", func(t *testing.T) { t.Parallel(); cliSync(t, bin) })
	t.Run("Errors", func(t *testing.T) { t.Parallel(); cliErrors(t, bin) })
}

// cliIdentitySession: a pool's life from creation to deletion, with
// unauthenticated and Facebook identities, roles, tags and unlinking.
func cliIdentitySession(t *testing.T, bin string) {
	e := newEnv(t)
	c := e.cli(t, bin, devKey, devSecret, "")

	p := c.ok("cognito-identity", "create-identity-pool", "--identity-pool-name", "CLI pool",
		"--allow-unauthenticated-identities", "--developer-provider-name", devProv,
		"--supported-login-providers", fbProv+"=123456789012345", "--identity-pool-tags", "team=a")
	pool := str(t, p, "IdentityPoolId")
	if !idPattern.MatchString(pool) {
		t.Fatalf("pool ID %q", pool)
	}
	checkPool := func(what string, m map[string]any, name string) {
		t.Helper()
		if str(t, m, "IdentityPoolId") != pool || str(t, m, "IdentityPoolName") != name ||
			get(t, m, "AllowUnauthenticatedIdentities") != true || str(t, m, "DeveloperProviderName") != devProv ||
			str(t, m, "SupportedLoginProviders", fbProv) != "123456789012345" {
			t.Fatalf("%s: %v", what, m)
		}
	}
	checkPool("create", p, "CLI pool")
	if str(t, p, "IdentityPoolTags", "team") != "a" {
		t.Fatalf("create: tags %v", p["IdentityPoolTags"])
	}
	checkPool("describe", c.ok("cognito-identity", "describe-identity-pool", "--identity-pool-id", pool), "CLI pool")
	u := c.ok("cognito-identity", "update-identity-pool", "--identity-pool-id", pool, "--identity-pool-name", "Renamed",
		"--allow-unauthenticated-identities", "--developer-provider-name", devProv,
		"--supported-login-providers", fbProv+"=123456789012345")
	checkPool("update", u, "Renamed")
	checkPool("describe after update", c.ok("cognito-identity", "describe-identity-pool", "--identity-pool-id", pool), "Renamed")
	// The CLI pages ListIdentityPools itself (--max-results is the page size); one pool fits one page.
	l := c.ok("cognito-identity", "list-identity-pools", "--max-results", "10")
	if pools := list(t, l, "IdentityPools"); len(pools) != 1 || str(t, pools[0], "IdentityPoolId") != pool || str(t, pools[0], "IdentityPoolName") != "Renamed" {
		t.Fatalf("list-identity-pools: %v", l)
	}

	// Roles.
	if out := c.ok("cognito-identity", "set-identity-pool-roles", "--identity-pool-id", pool,
		"--roles", "authenticated="+authRole+",unauthenticated="+unauthRole); len(out) != 0 {
		t.Fatalf("set-identity-pool-roles printed %v", out)
	}
	r := c.ok("cognito-identity", "get-identity-pool-roles", "--identity-pool-id", pool)
	if str(t, r, "IdentityPoolId") != pool || str(t, r, "Roles", "authenticated") != authRole || str(t, r, "Roles", "unauthenticated") != unauthRole {
		t.Fatalf("get-identity-pool-roles: %v", r)
	}

	// An unauthenticated identity: ID, OpenID token, credentials.
	guest := str(t, c.ok("cognito-identity", "get-id", "--identity-pool-id", pool), "IdentityId")
	if !idPattern.MatchString(guest) {
		t.Fatalf("identity ID %q", guest)
	}
	tok := c.ok("cognito-identity", "get-open-id-token", "--identity-id", guest)
	if str(t, tok, "IdentityId") != guest {
		t.Fatalf("get-open-id-token: %v", tok)
	}
	claims := jwtClaims(t, str(t, tok, "Token"))
	if claims["sub"] != guest || claims["aud"] != pool || fmt.Sprint(claims["amr"]) != "[unauthenticated]" {
		t.Fatalf("OpenID token claims %v", claims)
	}
	cr := c.ok("cognito-identity", "get-credentials-for-identity", "--identity-id", guest)
	if str(t, cr, "IdentityId") != guest || !strings.HasPrefix(str(t, cr, "Credentials", "AccessKeyId"), "ASIA") ||
		str(t, cr, "Credentials", "SecretKey") == "" || str(t, cr, "Credentials", "SessionToken") == "" {
		t.Fatalf("get-credentials-for-identity: %v", cr)
	}
	if exp := timestamp(t, cr, "Credentials", "Expiration"); exp.Before(time.Now().Add(30*time.Minute)) || exp.After(time.Now().Add(2*time.Hour)) {
		t.Fatalf("credentials expire at %v; enhanced-flow credentials last an hour", exp)
	}

	// A Facebook identity: the same login resolves to the same identity.
	fb := fbProv + "=fb-user-1"
	fbID := str(t, c.ok("cognito-identity", "get-id", "--identity-pool-id", pool, "--logins", fb), "IdentityId")
	if again := str(t, c.ok("cognito-identity", "get-id", "--identity-pool-id", pool, "--logins", fb), "IdentityId"); again != fbID || fbID == guest {
		t.Fatalf("Facebook identity %s, again %s (guest %s)", fbID, again, guest)
	}
	claims = jwtClaims(t, str(t, c.ok("cognito-identity", "get-open-id-token", "--identity-id", fbID, "--logins", fb), "Token"))
	if amr := fmt.Sprint(claims["amr"]); !strings.Contains(amr, "authenticated") || !strings.Contains(amr, fbProv) || strings.Contains(amr, "unauthenticated") {
		t.Fatalf("authenticated token amr %v", claims["amr"])
	}
	c.ok("cognito-identity", "get-credentials-for-identity", "--identity-id", fbID, "--logins", fb)
	c.fail("NotAuthorizedException", "GetCredentialsForIdentity",
		"Logins don't match. Please include at least one valid login for this identity or identity pool.",
		"cognito-identity", "get-credentials-for-identity", "--identity-id", fbID)
	d := c.ok("cognito-identity", "describe-identity", "--identity-id", fbID)
	if str(t, d, "IdentityId") != fbID || fmt.Sprint(get(t, d, "Logins")) != "["+fbProv+"]" {
		t.Fatalf("describe-identity: %v", d)
	}
	timestamp(t, d, "CreationDate")
	// Unlinking the only login disables the identity.
	if out := c.ok("cognito-identity", "unlink-identity", "--identity-id", fbID, "--logins", fb, "--logins-to-remove", fbProv); len(out) != 0 {
		t.Fatalf("unlink-identity printed %v", out)
	}
	if d := c.ok("cognito-identity", "describe-identity", "--identity-id", fbID); d["Logins"] != nil && len(list(t, d, "Logins")) != 0 {
		t.Fatalf("after unlinking: %v", d)
	}
	ids := func(args ...string) []string {
		t.Helper()
		out := c.ok(append([]string{"cognito-identity", "list-identities", "--identity-pool-id", pool, "--max-results", "10"}, args...)...)
		var got []string
		for _, i := range list(t, out, "Identities") {
			got = append(got, str(t, i, "IdentityId"))
		}
		sort.Strings(got)
		return got
	}
	all := []string{guest, fbID}
	sort.Strings(all)
	if got := ids(); fmt.Sprint(got) != fmt.Sprint(all) {
		t.Fatalf("list-identities: %v, want %v", got, all)
	}
	if got := ids("--hide-disabled"); fmt.Sprint(got) != fmt.Sprint([]string{guest}) {
		t.Fatalf("list-identities --hide-disabled: %v, want only %s", got, guest)
	}

	// Tags, by the pool's ARN.
	arn := fmt.Sprintf("arn:aws:cognito-identity:%s:%s:identitypool/%s", region, devAcct, pool)
	c.ok("cognito-identity", "tag-resource", "--resource-arn", arn, "--tags", "stage=test,owner=cli")
	tags := func() string {
		t.Helper()
		m, _ := get(t, c.ok("cognito-identity", "list-tags-for-resource", "--resource-arn", arn), "Tags").(map[string]any)
		var kv []string
		for _, k := range sortedKeys(m) {
			kv = append(kv, k+"="+fmt.Sprint(m[k]))
		}
		return strings.Join(kv, ",")
	}
	if got := tags(); got != "owner=cli,stage=test,team=a" {
		t.Fatalf("tags after tagging: %s", got)
	}
	c.ok("cognito-identity", "untag-resource", "--resource-arn", arn, "--tag-keys", "owner", "team")
	if got := tags(); got != "stage=test" {
		t.Fatalf("tags after untagging: %s", got)
	}

	// Deleting identities, then the pool.
	del := c.ok("cognito-identity", "delete-identities", "--identity-ids-to-delete", guest)
	if un := list(t, del, "UnprocessedIdentityIds"); len(un) != 0 {
		t.Fatalf("delete-identities: %v", del)
	}
	c.fail("ResourceNotFoundException", "DescribeIdentity", fmt.Sprintf("Identity '%s' not found.", guest),
		"cognito-identity", "describe-identity", "--identity-id", guest)
	c.ok("cognito-identity", "delete-identity-pool", "--identity-pool-id", pool)
	c.fail("ResourceNotFoundException", "DescribeIdentityPool", fmt.Sprintf("IdentityPool '%s' not found.", pool),
		"cognito-identity", "describe-identity-pool", "--identity-pool-id", pool)
}

// cliDeveloper: developer-authenticated identities.
func cliDeveloper(t *testing.T, bin string) {
	e := newEnv(t)
	c := e.cli(t, bin, devKey, devSecret, "")
	pool := str(t, c.ok("cognito-identity", "create-identity-pool", "--identity-pool-name", "dev",
		"--no-allow-unauthenticated-identities", "--developer-provider-name", devProv), "IdentityPoolId")

	tok := c.ok("cognito-identity", "get-open-id-token-for-developer-identity", "--identity-pool-id", pool,
		"--logins", devProv+"=user-1", "--token-duration", "600")
	id := str(t, tok, "IdentityId")
	claims := jwtClaims(t, str(t, tok, "Token"))
	if claims["sub"] != id || claims["aud"] != pool || !strings.Contains(fmt.Sprint(claims["amr"]), devProv) {
		t.Fatalf("developer token claims %v", claims)
	}
	if life := num(t, claims, "exp") - num(t, claims, "iat"); life != 600 {
		t.Fatalf("--token-duration 600 gave a token living %vs", life)
	}
	// The same developer user maps to the same identity.
	if again := str(t, c.ok("cognito-identity", "get-open-id-token-for-developer-identity", "--identity-pool-id", pool,
		"--logins", devProv+"=user-1"), "IdentityId"); again != id {
		t.Fatalf("user-1 again: %s, first %s", again, id)
	}
	for _, args := range [][]string{
		{"--developer-user-identifier", "user-1"},
		{"--identity-id", id, "--max-results", "5"},
	} {
		l := c.ok(append([]string{"cognito-identity", "lookup-developer-identity", "--identity-pool-id", pool}, args...)...)
		if str(t, l, "IdentityId") != id || fmt.Sprint(get(t, l, "DeveloperUserIdentifierList")) != "[user-1]" {
			t.Fatalf("lookup-developer-identity %v: %v", args, l)
		}
	}
	c.fail("ResourceNotFoundException", "LookupDeveloperIdentity", "",
		"cognito-identity", "lookup-developer-identity", "--identity-pool-id", pool, "--developer-user-identifier", "nobody")
	// botocore checks no maximum, so the server's validation answers.
	c.fail("ValidationException", "GetOpenIdTokenForDeveloperIdentity",
		"1 validation error detected: Value '86401' at 'tokenDuration' failed to satisfy constraint: Member must have value less than or equal to 86400",
		"cognito-identity", "get-open-id-token-for-developer-identity", "--identity-pool-id", pool,
		"--logins", devProv+"=user-1", "--token-duration", "86401")
}

// cliListIdentities: ListIdentities pages by hand (botocore has no paginator
// for it, so the CLI exposes --max-results/--next-token) over more than one
// full page of 60.
func cliListIdentities(t *testing.T, bin string) {
	e := newEnv(t)
	c := e.cli(t, bin, devKey, devSecret, "")
	pool := str(t, c.ok("cognito-identity", "create-identity-pool", "--identity-pool-name", "many",
		"--allow-unauthenticated-identities"), "IdentityPoolId")
	created := e.newIdentities(t, pool, 65)

	seen := map[string]bool{}
	var sizes []int
	next := ""
	for page := 0; ; page++ {
		if page > 3 {
			t.Fatalf("still paging after %d pages (sizes %v)", page, sizes)
		}
		args := []string{"cognito-identity", "list-identities", "--identity-pool-id", pool, "--max-results", "60"}
		if next != "" {
			args = append(args, "--next-token", next)
		}
		out := c.ok(args...)
		if str(t, out, "IdentityPoolId") != pool {
			t.Fatalf("page %d: %v", page, out["IdentityPoolId"])
		}
		ids := list(t, out, "Identities")
		sizes = append(sizes, len(ids))
		for _, i := range ids {
			id := str(t, i, "IdentityId")
			if seen[id] || !created[id] {
				t.Fatalf("page %d: repeated or unknown identity %s", page, id)
			}
			seen[id] = true
			timestamp(t, i, "CreationDate")
			timestamp(t, i, "LastModifiedDate")
		}
		next, _ = out["NextToken"].(string)
		if next == "" {
			break
		}
	}
	if fmt.Sprint(sizes) != "[60 5]" || len(seen) != len(created) {
		t.Fatalf("page sizes %v, %d of %d identities", sizes, len(seen), len(created))
	}
	c.fail("ValidationException", "ListIdentities",
		"1 validation error detected: Value '61' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 60",
		"cognito-identity", "list-identities", "--identity-pool-id", pool, "--max-results", "61")
	c.fail("InvalidParameterException", "ListIdentities", "",
		"cognito-identity", "list-identities", "--identity-pool-id", pool, "--max-results", "60", "--next-token", "Zm9yZ2VkLXRva2Vu")
}

// cliAutoPagination: paging ListIdentityPools across more than 60 pools the
// way CLI v1 users must (see below), every pool seen once.
func cliAutoPagination(t *testing.T, bin string) {
	e := newEnv(t)
	c := e.cli(t, bin, devKey, devSecret, "")
	created := map[string]bool{}
	for i := 0; i < 65; i++ {
		out, err := e.dev.CreateIdentityPool(t.Context(), &ci.CreateIdentityPoolInput{IdentityPoolName: aws.String(fmt.Sprint("pool", i))})
		if err != nil {
			t.Fatal(err)
		}
		created[*out.IdentityPoolId] = true
	}
	collect := func(seen map[string]bool, out map[string]any) int {
		t.Helper()
		pools := list(t, out, "IdentityPools")
		for _, p := range pools {
			id := str(t, p, "IdentityPoolId")
			if seen[id] || !created[id] {
				t.Fatalf("repeated or unknown pool %s", id)
			}
			seen[id] = true
		}
		return len(pools)
	}
	// CLI v1 requires the model's --max-results on list-identity-pools and
	// turns its own pagination off when the limit is given, so a user pages
	// by hand: --next-token with each answer's NextToken until there is none.
	seen := map[string]bool{}
	pages, token := 0, ""
	for {
		args := []string{"cognito-identity", "list-identity-pools", "--max-results", "25"}
		if token != "" {
			args = append(args, "--next-token", token)
		}
		out := c.ok(args...)
		pages++
		if n := collect(seen, out); n == 0 && pages > 1 {
			t.Fatalf("page %d is empty", pages)
		}
		nt, ok := out["NextToken"].(string)
		if !ok || nt == "" {
			break
		}
		if pages > 10 {
			t.Fatalf("more than 10 pages of 25 for 65 pools")
		}
		token = nt
	}
	if len(seen) != 65 || pages != 3 {
		t.Fatalf("paged by hand: %d pools in %d pages, want 65 in 3", len(seen), pages)
	}
}

// cliSync: a client's Sync session with its temporary credentials, and the
// developer's view of usage, configuration and events.
func cliSync(t *testing.T, bin string) {
	e := newEnv(t)
	c := e.cli(t, bin, devKey, devSecret, "")
	pool := str(t, c.ok("cognito-identity", "create-identity-pool", "--identity-pool-name", "sync",
		"--allow-unauthenticated-identities"), "IdentityPoolId")
	c.ok("cognito-identity", "set-identity-pool-roles", "--identity-pool-id", pool, "--roles", "unauthenticated="+unauthRole)
	id := str(t, c.ok("cognito-identity", "get-id", "--identity-pool-id", pool), "IdentityId")
	cr := c.ok("cognito-identity", "get-credentials-for-identity", "--identity-id", id)
	u := e.cli(t, bin, str(t, cr, "Credentials", "AccessKeyId"), str(t, cr, "Credentials", "SecretKey"), str(t, cr, "Credentials", "SessionToken"))
	ds := []string{"--identity-pool-id", pool, "--identity-id", id, "--dataset-name", "prefs"}
	sync := func(cl *awsCLI, op string, args ...string) map[string]any {
		t.Helper()
		return cl.ok(append([]string{"cognito-sync", op}, args...)...)
	}

	// A fresh dataset: no records, a session token to write with.
	l := sync(u, "list-records", ds...)
	if get(t, l, "DatasetExists") != false || num(t, l, "Count") != 0 || num(t, l, "DatasetSyncCount") != 0 || len(list(t, l, "Records")) != 0 {
		t.Fatalf("fresh list-records: %v", l)
	}
	up := sync(u, "update-records", append(ds, "--sync-session-token", str(t, l, "SyncSessionToken"),
		"--record-patches", "Op=replace,Key=color,Value=blue,SyncCount=0", "Op=replace,Key=size,Value=L,SyncCount=0")...)
	recs := map[string]string{}
	for _, r := range list(t, up, "Records") {
		recs[str(t, r, "Key")] = fmt.Sprintf("%s@%v", str(t, r, "Value"), num(t, r, "SyncCount"))
	}
	if fmt.Sprint(recs) != "map[color:blue@1 size:L@1]" {
		t.Fatalf("update-records: %v", up)
	}
	// A stale SyncCount fails the whole update (HTTP 409), writing nothing.
	l = sync(u, "list-records", ds...)
	u.fail("ResourceConflictException", "UpdateRecords", "Current SyncCount for: color is: 1 not: 0",
		append([]string{"cognito-sync", "update-records"}, append(ds, "--sync-session-token", str(t, l, "SyncSessionToken"),
			"--record-patches", "Op=replace,Key=color,Value=red,SyncCount=0", "Op=replace,Key=shape,Value=round,SyncCount=0")...)...)
	// A session token of another dataset is refused.
	other := sync(u, "list-records", "--identity-pool-id", pool, "--identity-id", id, "--dataset-name", "other")
	u.fail("InvalidParameterException", "UpdateRecords", "SyncSessionToken not valid for these inputs",
		append([]string{"cognito-sync", "update-records"}, append(ds, "--sync-session-token", str(t, other, "SyncSessionToken"),
			"--record-patches", "Op=replace,Key=color,Value=red,SyncCount=1")...)...)
	// Removing a record, then reading the changes since the first write.
	sync(u, "update-records", append(ds, "--sync-session-token", str(t, l, "SyncSessionToken"),
		"--record-patches", "Op=remove,Key=size,SyncCount=1")...)
	l = sync(u, "list-records", append(ds, "--last-sync-count", "1")...)
	if get(t, l, "DatasetExists") != true || num(t, l, "DatasetSyncCount") != 2 {
		t.Fatalf("list-records after the removal: %v", l)
	}
	if rs := list(t, l, "Records"); len(rs) != 1 || str(t, rs[0], "Key") != "size" || rs[0].(map[string]any)["Value"] != nil || num(t, rs[0], "SyncCount") != 2 {
		t.Fatalf("changes since SyncCount 1: %v", rs)
	}

	// What the identity and the developer see of the dataset.
	dl := sync(u, "list-datasets", "--identity-pool-id", pool, "--identity-id", id)
	if dss := list(t, dl, "Datasets"); len(dss) != 1 || str(t, dss[0], "DatasetName") != "prefs" || num(t, dss[0], "NumRecords") != 1 ||
		num(t, dss[0], "DataStorage") <= 0 || num(t, dl, "Count") != 1 {
		t.Fatalf("list-datasets: %v", dl)
	}
	dd := sync(c, "describe-dataset", ds...)
	if str(t, dd, "Dataset", "DatasetName") != "prefs" || str(t, dd, "Dataset", "IdentityId") != id || num(t, dd, "Dataset", "NumRecords") != 1 {
		t.Fatalf("describe-dataset: %v", dd)
	}
	timestamp(t, dd, "Dataset", "CreationDate")
	iu := sync(c, "describe-identity-usage", "--identity-pool-id", pool, "--identity-id", id)
	if str(t, iu, "IdentityUsage", "IdentityId") != id || num(t, iu, "IdentityUsage", "DatasetCount") != 1 || num(t, iu, "IdentityUsage", "DataStorage") <= 0 {
		t.Fatalf("describe-identity-usage: %v", iu)
	}
	pu := sync(c, "describe-identity-pool-usage", "--identity-pool-id", pool)
	if str(t, pu, "IdentityPoolUsage", "IdentityPoolId") != pool || num(t, pu, "IdentityPoolUsage", "SyncSessionsCount") < 1 {
		t.Fatalf("describe-identity-pool-usage: %v", pu)
	}
	lu := sync(c, "list-identity-pool-usage", "--max-results", "10")
	if us := list(t, lu, "IdentityPoolUsages"); len(us) != 1 || str(t, us[0], "IdentityPoolId") != pool || num(t, lu, "Count") != 1 || num(t, lu, "MaxResults") != 10 {
		t.Fatalf("list-identity-pool-usage: %v", lu)
	}
	// Developer-only operations refuse the identity's credentials (HTTP 403).
	u.fail("NotAuthorizedException", "ListIdentityPoolUsage", "", "cognito-sync", "list-identity-pool-usage", "--max-results", "10")

	// Configuration and events.
	app := "arn:aws:sns:us-east-1:111122223333:app/GCM/MyApp"
	push := "arn:aws:iam::111122223333:role/PushRole"
	streamRole := "arn:aws:iam::111122223333:role/StreamRole"
	checkCfg := func(what string, m map[string]any) {
		t.Helper()
		if str(t, m, "IdentityPoolId") != pool || fmt.Sprint(get(t, m, "PushSync", "ApplicationArns")) != "["+app+"]" ||
			str(t, m, "PushSync", "RoleArn") != push || str(t, m, "CognitoStreams", "StreamName") != "stream" ||
			str(t, m, "CognitoStreams", "RoleArn") != streamRole || str(t, m, "CognitoStreams", "StreamingStatus") != "DISABLED" {
			t.Fatalf("%s: %v", what, m)
		}
	}
	checkCfg("set-identity-pool-configuration", sync(c, "set-identity-pool-configuration", "--identity-pool-id", pool,
		"--push-sync", fmt.Sprintf(`{"ApplicationArns":[%q],"RoleArn":%q}`, app, push),
		"--cognito-streams", fmt.Sprintf(`{"StreamName":"stream","RoleArn":%q,"StreamingStatus":"DISABLED"}`, streamRole)))
	checkCfg("get-identity-pool-configuration", sync(c, "get-identity-pool-configuration", "--identity-pool-id", pool))
	lambda := "arn:aws:lambda:us-east-1:111122223333:function:onSync"
	if out := sync(c, "set-cognito-events", "--identity-pool-id", pool, "--events", fmt.Sprintf(`{"SyncTrigger":%q}`, lambda)); len(out) != 0 {
		t.Fatalf("set-cognito-events printed %v", out)
	}
	if ev := sync(c, "get-cognito-events", "--identity-pool-id", pool); str(t, ev, "Events", "SyncTrigger") != lambda {
		t.Fatalf("get-cognito-events: %v", ev)
	}

	// Push sync: a device of the identity, subscribed to its dataset.
	dev := str(t, sync(u, "register-device", "--identity-pool-id", pool, "--identity-id", id, "--platform", "GCM", "--token", "push-token-1"), "DeviceId")
	if dev == "" {
		t.Fatal("register-device: empty DeviceId")
	}
	if out := sync(u, "subscribe-to-dataset", append(ds, "--device-id", dev)...); len(out) != 0 {
		t.Fatalf("subscribe-to-dataset printed %v", out)
	}
	c.fail("NotAuthorizedException", "RegisterDevice", "", "cognito-sync", "register-device",
		"--identity-pool-id", pool, "--identity-id", id, "--platform", "GCM", "--token", "push-token-2")

	// Deleting the dataset is final.
	del := sync(u, "delete-dataset", ds...)
	if str(t, del, "Dataset", "DatasetName") != "prefs" {
		t.Fatalf("delete-dataset: %v", del)
	}
	c.fail("ResourceNotFoundException", "DescribeDataset", "", append([]string{"cognito-sync", "describe-dataset"}, ds...)...)
}

// cliErrors: failures as the CLI reports them, one command each.
func cliErrors(t *testing.T, bin string) {
	e := newEnv(t)
	pool := ""
	{
		out, err := e.dev.CreateIdentityPool(t.Context(), &ci.CreateIdentityPoolInput{IdentityPoolName: aws.String("errors")})
		if err != nil {
			t.Fatal(err)
		}
		pool = *out.IdentityPoolId
	}
	for _, tc := range []struct {
		name     string
		secret   string
		key      string
		code, op string
		msg      string
		args     []string
	}{
		{name: "unknown pool", code: "ResourceNotFoundException", op: "DescribeIdentityPool",
			msg:  fmt.Sprintf("IdentityPool '%s' not found.", ghostPool),
			args: []string{"cognito-identity", "describe-identity-pool", "--identity-pool-id", ghostPool}},
		{name: "pool name pattern", code: "ValidationException", op: "CreateIdentityPool",
			msg:  `1 validation error detected: Value 'pool#name' at 'identityPoolName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w\s+=,.@-]+`,
			args: []string{"cognito-identity", "create-identity-pool", "--identity-pool-name", "pool#name", "--no-allow-unauthenticated-identities"}},
		{name: "unauthenticated access refused", code: "NotAuthorizedException", op: "GetId",
			msg:  "Unauthenticated access is not supported for this identity pool.",
			args: []string{"cognito-identity", "get-id", "--identity-pool-id", pool}},
		{name: "unknown identity", code: "ResourceNotFoundException", op: "GetCredentialsForIdentity",
			msg:  fmt.Sprintf("Identity '%s' not found.", ghostID),
			args: []string{"cognito-identity", "get-credentials-for-identity", "--identity-id", ghostID}},
		{name: "wrong secret", secret: "not-the-secret-key-0000000000000000000", code: "InvalidSignatureException", op: "ListIdentityPools",
			args: []string{"cognito-identity", "list-identity-pools", "--max-results", "10"}},
		{name: "wrong secret on Sync", secret: "not-the-secret-key-0000000000000000000", code: "InvalidSignatureException", op: "ListIdentityPoolUsage",
			args: []string{"cognito-sync", "list-identity-pool-usage"}},
		{name: "unknown key", key: "AKIDNOBODYKNOWS00001", code: "UnrecognizedClientException", op: "DescribeIdentityPool",
			args: []string{"cognito-identity", "describe-identity-pool", "--identity-pool-id", pool}},
		{name: "Sync pool unknown", code: "ResourceNotFoundException", op: "DescribeIdentityPoolUsage",
			args: []string{"cognito-sync", "describe-identity-pool-usage", "--identity-pool-id", ghostPool}},
		{name: "Sync events unknown", code: "InvalidParameterException", op: "SetCognitoEvents",
			args: []string{"cognito-sync", "set-cognito-events", "--identity-pool-id", pool, "--events", `{"PreSync":"arn:aws:lambda:us-east-1:111122223333:function:f"}`}},
	} {
		t.Run(strings.ReplaceAll(tc.name, " ", "_"), func(t *testing.T) {
			t.Parallel()
			key, secret := devKey, devSecret
			if tc.key != "" {
				key = tc.key
			}
			if tc.secret != "" {
				secret = tc.secret
			}
			e.cli(t, bin, key, secret, "").fail(tc.code, tc.op, tc.msg, tc.args...)
		})
	}
}
