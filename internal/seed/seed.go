// Package seed reads a seed file (--seed, YAML or JSON) and applies it at
// startup: accounts with their developer keys, identity pools with their
// roles and role mappings, and login provider settings. CI fixtures and local
// setups then start from a known state without scripting the API.
//
// Applying is idempotent: a pool is matched by its IdentityPoolId when the
// seed gives one (created with that ID, else updated in place), otherwise by
// (account, region, IdentityPoolName); a pool whose stored configuration
// already equals what the seed asks for is not written at all. Pools go
// through the identity service's own operations (CreateIdentityPool,
// UpdateIdentityPool, SetIdentityPoolRoles) after the same model validation
// the API pipeline runs, so a seed is refused with exactly the errors AWS's
// API would answer.
package seed

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/cognitod/cognitod/internal/auth"
	"github.com/cognitod/cognitod/internal/model"
	"github.com/cognitod/cognitod/internal/trust"
)

// File is a parsed and checked seed file.
type File struct {
	// Name is the file's path, used in error messages.
	Name     string
	Accounts []Account
	// Logins has the same structure as the --logins-config file; nil when
	// the seed names no login providers.
	Logins *trust.Config
}

// Account is one account of the seed.
type Account struct {
	ID    string
	Keys  []auth.Key
	Pools []Pool // in file order
}

// Pool is one identity pool entry of the seed.
type Pool struct {
	// Entry names the entry in error messages and logs, e.g.
	// `accounts[0].pools.us-east-1[1] "demo" (line 12)`.
	Entry   string
	Account string
	Region  string
	// ID is the fixed IdentityPoolId, "" to match by name.
	ID   string
	Name string
	// Pool is the CreateIdentityPool / UpdateIdentityPool input (without
	// IdentityPoolId), as decoded JSON: numbers as json.Number.
	Pool map[string]any
	// Roles is the SetIdentityPoolRoles input (Roles and RoleMappings,
	// without IdentityPoolId), nil when the entry names neither: the pool's
	// roles are then left as they are.
	Roles map[string]any
}

// file, account and key are the YAML layout; unknown keys are errors.
type file struct {
	Accounts []account `yaml:"accounts"`
	Logins   yaml.Node `yaml:"logins"`
}

type account struct {
	ID    string                 `yaml:"id"`
	Keys  []key                  `yaml:"keys"`
	Pools map[string][]yaml.Node `yaml:"pools"`
}

type key struct {
	AccessKeyID     string `yaml:"accessKeyId"`
	SecretAccessKey string `yaml:"secretAccessKey"`
}

// Load reads and checks a seed file.
func Load(path string) (*File, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("seed file: %w", err)
	}
	return Parse(b, path, filepath.Dir(path))
}

var (
	accountRE = regexp.MustCompile(`^[0-9]{12}$`)
	regionRE  = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`)
	uuidRE    = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
)

// Members a pool entry may hold beyond CreateIdentityPool's: the fixed ID,
// and SetIdentityPoolRoles' members.
var (
	createShape = model.CognitoIdentity.Shape(model.CognitoIdentity.Operations["CreateIdentityPool"].Input)
	rolesShape  = model.CognitoIdentity.Shape(model.CognitoIdentity.Operations["SetIdentityPoolRoles"].Input)
)

// Parse decodes and checks a seed file's content; name is used in error
// messages and dir resolves the relative certificate files of login
// providers. Parse checks the structure (unknown keys, account IDs, keys,
// regions, fixed pool IDs, duplicate entries); the pools' contents are
// validated when applied, by the model, as the API validates them.
func Parse(b []byte, name, dir string) (*File, error) {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("seed file %s: "+format, append([]any{name}, args...)...)
	}
	var raw file
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&raw); err != nil && !errors.Is(err, io.EOF) /* an empty file is an empty seed */ {
		return nil, fail("%v", err)
	}
	f := &File{Name: name}
	seenKeys := map[string]string{}
	seenAccounts := map[string]bool{}
	seenIDs := map[string]string{}
	for i, a := range raw.Accounts {
		where := fmt.Sprintf("accounts[%d]", i)
		if !accountRE.MatchString(a.ID) {
			return nil, fail("%s: id %q: want a 12-digit account ID", where, a.ID)
		}
		if seenAccounts[a.ID] {
			return nil, fail("%s: account %s is listed twice", where, a.ID)
		}
		seenAccounts[a.ID] = true
		acct := Account{ID: a.ID}
		for j, k := range a.Keys {
			kw := fmt.Sprintf("%s.keys[%d]", where, j)
			key := auth.Key{AccessKeyID: k.AccessKeyID, Secret: k.SecretAccessKey, Account: a.ID}
			if err := key.Check(); err != nil {
				return nil, fail("%s: %v", kw, err)
			}
			if prev, ok := seenKeys[key.AccessKeyID]; ok {
				return nil, fail("%s: access key ID %s is already given at %s", kw, key.AccessKeyID, prev)
			}
			seenKeys[key.AccessKeyID] = kw
			acct.Keys = append(acct.Keys, key)
		}
		regions := make([]string, 0, len(a.Pools))
		for r := range a.Pools {
			regions = append(regions, r)
		}
		sort.Strings(regions)
		names := map[string]string{}
		for _, region := range regions {
			if !regionRE.MatchString(region) {
				return nil, fail("%s.pools: %q is not a region name (e.g. us-east-1)", where, region)
			}
			for j := range a.Pools[region] {
				p, err := parsePool(&a.Pools[region][j], a.ID, region, fmt.Sprintf("%s.pools.%s[%d]", where, region, j))
				if err != nil {
					return nil, fail("%v", err)
				}
				if p.ID != "" {
					if prev, ok := seenIDs[p.ID]; ok {
						return nil, fail("%s: IdentityPoolId %s is already given at %s", p.Entry, p.ID, prev)
					}
					seenIDs[p.ID] = p.Entry
				} else if p.Name != "" {
					// Two entries matched by the same name would be one pool
					// updated twice: the second silently wins.
					k := region + "\x00" + p.Name
					if prev, ok := names[k]; ok {
						return nil, fail("%s: a pool named %q in %s is already given at %s; give each an IdentityPoolId to keep both", p.Entry, p.Name, region, prev)
					}
					names[k] = p.Entry
				}
				acct.Pools = append(acct.Pools, *p)
			}
		}
		f.Accounts = append(f.Accounts, acct)
	}
	if !raw.Logins.IsZero() {
		js, err := nodeJSON(&raw.Logins)
		if err != nil {
			return nil, fail("logins (line %d): %v", raw.Logins.Line, err)
		}
		c, err := trust.ParseConfig(js, dir)
		if err != nil {
			return nil, fail("logins (line %d): %v", raw.Logins.Line, err)
		}
		f.Logins = c
	}
	return f, nil
}

// parsePool checks one pool entry: its keys against the model (every
// member must be one of CreateIdentityPool's or SetIdentityPoolRoles', at
// every depth, so that a misspelt member is an error rather than silently
// ignored as the API would), and its fixed ID.
func parsePool(n *yaml.Node, acct, region, where string) (*Pool, error) {
	if n.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s (line %d): want a mapping of CreateIdentityPool members", where, n.Line)
	}
	if err := checkMembers(n, nil, where); err != nil {
		return nil, err
	}
	js, err := nodeJSON(n)
	if err != nil {
		return nil, fmt.Errorf("%s (line %d): %v", where, n.Line, err)
	}
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("%s (line %d): %v", where, n.Line, err)
	}
	p := &Pool{Account: acct, Region: region, Pool: map[string]any{}}
	p.Name, _ = m["IdentityPoolName"].(string)
	p.Entry = fmt.Sprintf("%s %q (line %d)", where, p.Name, n.Line)
	if p.Name == "" {
		p.Entry = fmt.Sprintf("%s (line %d)", where, n.Line)
	}
	for k, v := range m {
		switch {
		case k == "IdentityPoolId":
			id, ok := v.(string)
			if !ok {
				return nil, fmt.Errorf("%s: IdentityPoolId: want a string", p.Entry)
			}
			r, u, _ := strings.Cut(id, ":")
			if r != region || !uuidRE.MatchString(u) {
				return nil, fmt.Errorf("%s: IdentityPoolId %q: want %s:<uuid> (lower-case hex, the pool's region first)", p.Entry, id, region)
			}
			p.ID = id
		case rolesShape.Member(k) != nil:
			if p.Roles == nil {
				p.Roles = map[string]any{}
			}
			p.Roles[k] = v
		default:
			p.Pool[k] = v
		}
	}
	return p, nil
}

// checkMembers reports keys of a pool entry that are not members of the
// shapes they sit in. sh is nil at the entry's top level, which takes
// CreateIdentityPool's members, IdentityPoolId, Roles and RoleMappings.
func checkMembers(n *yaml.Node, sh *model.Shape, where string) error {
	svc := model.CognitoIdentity
	for n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	switch {
	case sh == nil:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			var ms *model.Shape
			switch {
			case k.Value == "IdentityPoolId":
				continue
			case createShape.Member(k.Value) != nil:
				ms = svc.Shape(createShape.Member(k.Value).Shape)
			case k.Value != "IdentityPoolId" && rolesShape.Member(k.Value) != nil:
				ms = svc.Shape(rolesShape.Member(k.Value).Shape)
			default:
				return fmt.Errorf("%s: unknown member %q (line %d); a pool takes CreateIdentityPool's members (%s), IdentityPoolId, Roles and RoleMappings", where, k.Value, k.Line, memberNames(createShape))
			}
			if err := checkMembers(v, ms, where+"."+k.Value); err != nil {
				return err
			}
		}
	case sh.Kind == model.Structure && n.Kind == yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			m := sh.Member(k.Value)
			if m == nil {
				return fmt.Errorf("%s: unknown member %q (line %d); %s takes %s", where, k.Value, k.Line, sh.Name, memberNames(sh))
			}
			if err := checkMembers(v, svc.Shape(m.Shape), where+"."+k.Value); err != nil {
				return err
			}
		}
	case sh.Kind == model.List && n.Kind == yaml.SequenceNode:
		for i, v := range n.Content {
			if err := checkMembers(v, svc.Shape(sh.ListMember), fmt.Sprintf("%s[%d]", where, i)); err != nil {
				return err
			}
		}
	case sh.Kind == model.Map && n.Kind == yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if err := checkMembers(n.Content[i+1], svc.Shape(sh.MapValue), where+"."+n.Content[i].Value); err != nil {
				return err
			}
		}
	}
	// Values of the wrong kind are left to the model's validation, which
	// words them as the API does.
	return nil
}

func memberNames(sh *model.Shape) string {
	names := make([]string, len(sh.Members))
	for i, m := range sh.Members {
		names[i] = m.Name
	}
	return strings.Join(names, ", ")
}

// nodeJSON converts a YAML value to JSON, so that the seed's pools and
// logins are read exactly as the API and --logins-config read theirs.
func nodeJSON(n *yaml.Node) ([]byte, error) {
	var v any
	if err := n.Decode(&v); err != nil {
		return nil, err
	}
	return json.Marshal(v)
}

// Keys returns the developer keys the seed's accounts hold.
func (f *File) Keys() []auth.Key {
	if f == nil {
		return nil
	}
	var out []auth.Key
	for _, a := range f.Accounts {
		out = append(out, a.Keys...)
	}
	return out
}

// LoginsConfig returns the seed's login providers (the --logins-config
// structure), nil when it names none or f is nil.
func (f *File) LoginsConfig() *trust.Config {
	if f == nil {
		return nil
	}
	return f.Logins
}
