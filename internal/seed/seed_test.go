package seed_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/cognitod/cognitod/internal/seed"
	"github.com/cognitod/cognitod/internal/store"
	"github.com/cognitod/cognitod/internal/store/sqlite"
)

var ctx = context.Background()

const fixedID = "us-east-1:4f3c2b1a-0d9e-4c8b-9a7f-6e5d4c3b2a10"

func parse(t *testing.T, y string) *seed.File {
	t.Helper()
	f, err := seed.Parse([]byte(y), "seed.yaml", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func memStore(t *testing.T) store.Store {
	t.Helper()
	st, err := sqlite.Open(ctx, ":memory:", sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// TestParseErrors: the seed's structure is checked before anything is
// applied, and each error names the entry (and line).
func TestParseErrors(t *testing.T) {
	cases := []struct {
		name, seed string
		want       []string
	}{
		{"unknown top-level key", "acounts: []\n", []string{"line 1", "acounts"}},
		{"unknown account key", "accounts:\n  - id: \"111122223333\"\n    pool: {}\n", []string{"line 3", "pool"}},
		{"bad account", "accounts:\n  - id: \"1234\"\n", []string{"accounts[0]", `"1234"`}},
		{"account twice", "accounts:\n  - id: \"111122223333\"\n  - id: \"111122223333\"\n", []string{"accounts[1]", "twice"}},
		{"bad key", "accounts:\n  - id: \"111122223333\"\n    keys:\n      - {accessKeyId: lower, secretAccessKey: short}\n", []string{"accounts[0].keys[0]", "access key ID"}},
		{"key twice", "accounts:\n  - id: \"111122223333\"\n    keys:\n      - {accessKeyId: AKIDSEED000000000001, secretAccessKey: secret-secret-secret-1}\n  - id: \"444455556666\"\n    keys:\n      - {accessKeyId: AKIDSEED000000000001, secretAccessKey: secret-secret-secret-2}\n", []string{"accounts[1].keys[0]", "already given at accounts[0].keys[0]"}},
		{"bad region", "accounts:\n  - id: \"111122223333\"\n    pools:\n      useast1: []\n", []string{"useast1", "region"}},
		{"unknown pool member", "accounts:\n  - id: \"111122223333\"\n    pools:\n      us-east-1:\n        - IdentityPoolName: a\n          AllowUnauthenticatedIdentities: true\n          AllowUnauthenticated: true\n", []string{"accounts[0].pools.us-east-1[0]", `unknown member "AllowUnauthenticated"`, "line 7"}},
		{"unknown nested member", "accounts:\n  - id: \"111122223333\"\n    pools:\n      us-east-1:\n        - IdentityPoolName: a\n          AllowUnauthenticatedIdentities: true\n          CognitoIdentityProviders:\n            - {ProviderName: p, ClientID: c}\n", []string{"CognitoIdentityProviders[0]", `unknown member "ClientID"`, "ClientId"}},
		{"unknown role mapping member", "accounts:\n  - id: \"111122223333\"\n    pools:\n      us-east-1:\n        - IdentityPoolName: a\n          AllowUnauthenticatedIdentities: true\n          RoleMappings:\n            p: {Type: Token, Ambiguous: Deny}\n", []string{"RoleMappings.p", `unknown member "Ambiguous"`}},
		{"ID of another region", "accounts:\n  - id: \"111122223333\"\n    pools:\n      eu-west-1:\n        - {IdentityPoolId: \"" + fixedID + "\", IdentityPoolName: a, AllowUnauthenticatedIdentities: true}\n", []string{`accounts[0].pools.eu-west-1[0] "a"`, "want eu-west-1:<uuid>"}},
		{"ID not a uuid", "accounts:\n  - id: \"111122223333\"\n    pools:\n      us-east-1:\n        - {IdentityPoolId: \"us-east-1:pool-1\", IdentityPoolName: a, AllowUnauthenticatedIdentities: true}\n", []string{"us-east-1:<uuid>"}},
		{"ID twice", "accounts:\n  - id: \"111122223333\"\n    pools:\n      us-east-1:\n        - {IdentityPoolId: \"" + fixedID + "\", IdentityPoolName: a, AllowUnauthenticatedIdentities: true}\n        - {IdentityPoolId: \"" + fixedID + "\", IdentityPoolName: b, AllowUnauthenticatedIdentities: true}\n", []string{`us-east-1[1] "b"`, "already given"}},
		{"name twice", "accounts:\n  - id: \"111122223333\"\n    pools:\n      us-east-1:\n        - {IdentityPoolName: a, AllowUnauthenticatedIdentities: true}\n        - {IdentityPoolName: a, AllowUnauthenticatedIdentities: false}\n", []string{`us-east-1[1] "a"`, "already given at accounts[0].pools.us-east-1[0]"}},
		{"bad logins", "logins:\n  providers:\n    login.example.com: {issuer: ftp://x}\n", []string{"logins (line 2)", "http(s) URL"}},
		{"unknown logins key", "logins:\n  provider: {}\n", []string{"logins", "provider"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := seed.Parse([]byte(tc.seed), "seed.yaml", t.TempDir())
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range append(tc.want, "seed.yaml") {
				if !strings.Contains(err.Error(), w) {
					t.Fatalf("error %q does not say %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "secret-secret") {
				t.Fatalf("error %q repeats a secret", err)
			}
		})
	}
}

const seedV1 = `
accounts:
  - id: "111122223333"
    keys:
      - accessKeyId: AKIDSEED000000000001
        secretAccessKey: seed-secret-000000000000000001
    pools:
      us-east-1:
        - IdentityPoolId: "` + fixedID + `"
          IdentityPoolName: fixed
          AllowUnauthenticatedIdentities: true
          SupportedLoginProviders: {login.example.com: app}
          IdentityPoolTags: {team: a}
          Roles:
            authenticated: arn:aws:iam::111122223333:role/Auth
            unauthenticated: arn:aws:iam::111122223333:role/Guest
          RoleMappings:
            login.example.com: {Type: Token, AmbiguousRoleResolution: AuthenticatedRole}
        - IdentityPoolName: named
          AllowUnauthenticatedIdentities: false
`

// seedV2 changes the named pool and leaves the fixed one as it was.
var seedV2 = strings.Replace(seedV1, "AllowUnauthenticatedIdentities: false", "AllowUnauthenticatedIdentities: true", 1)

func actions(rs []seed.Result) string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Name+"="+r.Action)
	}
	return strings.Join(out, " ")
}

func pools(t *testing.T, st store.Store) map[string]store.Pool {
	t.Helper()
	out := map[string]store.Pool{}
	err := st.View(ctx, func(tx store.Tx) error {
		ps, err := tx.ListPools("111122223333", "us-east-1", "", 100)
		for _, p := range ps {
			out[p.ID] = *p
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestApplyIdempotent: the first apply creates, the same seed again changes
// nothing (not even update times), a changed seed updates what it names.
func TestApplyIdempotent(t *testing.T) {
	st := memStore(t)
	steps := []struct {
		seed, want string
	}{
		{seedV1, "fixed=created named=created"},
		{seedV1, "fixed=unchanged named=unchanged"},
		{seedV2, "fixed=unchanged named=updated"},
		{seedV2, "fixed=unchanged named=unchanged"},
	}
	var before map[string]store.Pool
	for i, s := range steps {
		rs, err := parse(t, s.seed).Apply(ctx, st, quiet)
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if got := actions(rs); got != s.want {
			t.Fatalf("step %d: %s, want %s", i, got, s.want)
		}
		after := pools(t, st)
		if len(after) != 2 {
			t.Fatalf("step %d: %d pools, want 2", i, len(after))
		}
		if _, ok := after[fixedID]; !ok {
			t.Fatalf("step %d: no pool %s in %v", i, fixedID, after)
		}
		for id, p := range after {
			b, ok := before[id]
			changed := !ok || b.UpdatedAt != p.UpdatedAt || string(b.Config) != string(p.Config)
			wantChanged := strings.Contains(s.want, p.Name+"=created") || strings.Contains(s.want, p.Name+"=updated")
			if changed != wantChanged {
				t.Fatalf("step %d: pool %s changed=%v, want %v", i, p.Name, changed, wantChanged)
			}
		}
		before = after
	}
}

// TestApplyErrors: pools are refused with the errors the API answers,
// prefixed with the entry; a failing seed leaves nothing behind.
func TestApplyErrors(t *testing.T) {
	pool := func(body string) string {
		return "accounts:\n  - id: \"111122223333\"\n    pools:\n      us-east-1:\n        - {IdentityPoolName: first, AllowUnauthenticatedIdentities: true}\n        - " + body + "\n"
	}
	cases := []struct {
		name, seed, want string
	}{
		{"model pattern", pool("{IdentityPoolName: 'bad name!', AllowUnauthenticatedIdentities: true}"),
			`seed file seed.yaml: accounts[0].pools.us-east-1[1] "bad name!" (line 6): ValidationException: 1 validation error detected: Value 'bad name!' at 'identityPoolName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w\s+=,.@-]+`},
		{"required member", pool("{IdentityPoolName: second}"),
			`accounts[0].pools.us-east-1[1] "second" (line 6): ValidationException: 1 validation error detected: Value null at 'allowUnauthenticatedIdentities' failed to satisfy constraint: Member must not be null`},
		{"wrong type", pool("{IdentityPoolName: second, AllowUnauthenticatedIdentities: [yes]}"),
			`SerializationException: Unexpected value at 'allowUnauthenticatedIdentities'`},
		{"role ARN", pool("{IdentityPoolName: second, AllowUnauthenticatedIdentities: true, Roles: {authenticated: not-an-arn-but-long-enough}}"),
			`"second" (line 6): InvalidParameterException: Invalid role ARN for authenticated role: not-an-arn-but-long-enough`},
		{"role mapping provider", pool("{IdentityPoolName: second, AllowUnauthenticatedIdentities: true, Roles: {}, RoleMappings: {login.example.com: {Type: Token, AmbiguousRoleResolution: Deny}}}"),
			`InvalidParameterException: Role mapping provider login.example.com is not configured on the identity pool.`},
		{"reserved tag", pool("{IdentityPoolName: second, AllowUnauthenticatedIdentities: true, IdentityPoolTags: {'aws:x': y}}"),
			`InvalidParameterException: Tag keys cannot start with the reserved prefix 'aws:'.`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st := memStore(t)
			_, err := parse(t, tc.seed).Apply(ctx, st, quiet)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
			if n := len(pools(t, st)); n != 0 {
				t.Fatalf("%d pools left behind by a failed seed", n)
			}
		})
	}
}

// TestApplyForeignID: a fixed ID held by another account is refused.
func TestApplyForeignID(t *testing.T) {
	st := memStore(t)
	other := strings.ReplaceAll(seedV1, "111122223333", "444455556666")
	if _, err := parse(t, other).Apply(ctx, st, quiet); err != nil {
		t.Fatal(err)
	}
	_, err := parse(t, seedV1).Apply(ctx, st, quiet)
	if err == nil || !strings.Contains(err.Error(), "IdentityPoolId "+fixedID+" is a pool of another account") {
		t.Fatalf("got %v", err)
	}
}

// TestApplyAmbiguousName: a name several stored pools share is refused.
func TestApplyAmbiguousName(t *testing.T) {
	st := memStore(t)
	two := "accounts:\n  - id: \"111122223333\"\n    pools:\n      us-east-1:\n" +
		"        - {IdentityPoolId: \"us-east-1:00000000-0000-4000-8000-000000000001\", IdentityPoolName: dup, AllowUnauthenticatedIdentities: true}\n" +
		"        - {IdentityPoolId: \"us-east-1:00000000-0000-4000-8000-000000000002\", IdentityPoolName: dup, AllowUnauthenticatedIdentities: true}\n"
	if _, err := parse(t, two).Apply(ctx, st, quiet); err != nil {
		t.Fatal(err)
	}
	byName := "accounts:\n  - id: \"111122223333\"\n    pools:\n      us-east-1:\n        - {IdentityPoolName: dup, AllowUnauthenticatedIdentities: true}\n"
	_, err := parse(t, byName).Apply(ctx, st, quiet)
	if err == nil || !strings.Contains(err.Error(), `2 pools are named "dup"`) {
		t.Fatalf("got %v", err)
	}
}
