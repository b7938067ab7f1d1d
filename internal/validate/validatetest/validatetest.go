// Package validatetest derives, from the official api-2.json models
// themselves, one violating request for every constraint of every input
// member of every operation of a service (top level and nested: required,
// length and value bounds, patterns, enums, list elements, map keys and
// values, structures inside structures, lists and maps), together with the
// ValidationException sentences AWS answers for it.
//
// The models are read from the github.com/aws/aws-sdk-go module cache at
// test time, never from package model's generated tables, so that tests
// built on these cases check the generator and the validator independently.
// It is meant for tests only: problems with the model or the module cache
// fail the test through testing.TB.
package validatetest

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"regexp/syntax"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode/utf16"
	"unicode/utf8"
)

// Services are the services whose models this package reads, by their
// directory under models/apis in the aws-sdk-go module.
var Services = []string{"cognito-identity", "cognito-sync"}

// Model is one service's api-2.json, as far as input validation and HTTP
// bindings go.
type Model struct {
	// Service is the model's directory name, e.g. "cognito-sync".
	Service string
	// Protocol is the model's protocol: "json" or "rest-json".
	Protocol string
	// TargetPrefix is the X-Amz-Target prefix of JSON protocol models
	// ("AWSCognitoIdentityService"), "" for rest-json.
	TargetPrefix string
	// Operations by name.
	Operations map[string]*Operation

	shapes map[string]*rawShape
}

// Operation is one operation of a model.
type Operation struct {
	Name string
	// Method and RequestURI are the operation's HTTP binding (RequestURI as
	// the model writes it, e.g. "/identitypools/{IdentityPoolId}").
	Method     string
	RequestURI string
	// Input is the input shape's name, "" when the operation has none.
	Input string
	// Members are the input structure's members, sorted by name.
	Members []Member
}

// Member is one member of an operation's input.
type Member struct {
	Name string
	// Location is "uri", "querystring", "header" or "" (the JSON body), and
	// LocationName the label, parameter or header name it is bound to.
	Location     string
	LocationName string
	Required     bool
}

// Member returns the input member called name, or nil.
func (o *Operation) Member(name string) *Member {
	for i := range o.Members {
		if o.Members[i].Name == name {
			return &o.Members[i]
		}
	}
	return nil
}

// Case is one violating request.
type Case struct {
	Op *Operation
	// Name says what is broken: the member's path and the constraint, e.g.
	// "roleMappings.k.member.type/required" or "logins/key-pattern".
	Name string
	// Kind classifies the case by where the constraint sits and which it is,
	// e.g. "top/max", "struct-in-list/required", "map-key/pattern".
	Kind string
	// Body is the request, members named as in the model. Numbers are
	// json.Number. Members the model binds to the URI, the query string or a
	// header are strings, as a rest-json server reads them.
	Body map[string]any
	// Want holds, in the order AWS lists them, a regular expression
	// (anchored at both ends) for each expected violation sentence.
	// Structures are quoted as Java's Object.toString renders them,
	// <package>.<Shape>@<hash>, the hash being any hex number.
	Want []string

	frags []string // Want, unanchored
}

// MatchViolations reports whether msgs are, in order, the sentences the case
// expects.
func (c *Case) MatchViolations(msgs []string) error {
	if len(msgs) != len(c.Want) {
		return fmt.Errorf("got %d violations, want %d:\n got: %q\nwant: %q", len(msgs), len(c.Want), msgs, c.Want)
	}
	for i, m := range msgs {
		if !regexp.MustCompile(c.Want[i]).MatchString(m) {
			return fmt.Errorf("violation %d:\n got: %s\nwant: %s", i, m, c.Want[i])
		}
	}
	return nil
}

// MessageRE returns the regular expression a ValidationException's whole
// message must match: "1 validation error detected: <v1>" or "N validation
// errors detected: <v1>; <v2>; ...".
func (c *Case) MessageRE() string {
	if len(c.frags) == 1 {
		return "^" + regexp.QuoteMeta("1 validation error detected: ") + c.frags[0] + "$"
	}
	return "^" + regexp.QuoteMeta(strconv.Itoa(len(c.frags))+" validation errors detected: ") +
		strings.Join(c.frags, regexp.QuoteMeta("; ")) + "$"
}

// MatchMessage reports whether msg is the ValidationException message the
// case expects.
func (c *Case) MatchMessage(msg string) error {
	re := c.MessageRE()
	if !regexp.MustCompile(re).MatchString(msg) {
		return fmt.Errorf("message:\n got: %s\nwant: %s", msg, re)
	}
	return nil
}

// Cases loads service's model and returns its cases, operations in name
// order.
func Cases(t testing.TB, service string) []Case {
	t.Helper()
	return Load(t, service).Cases(t)
}

// Cases returns every case of the model, operations in name order.
func (m *Model) Cases(t testing.TB) []Case {
	t.Helper()
	g := &gen{t: t, m: m, pkg: "com.amazonaws." + strings.ReplaceAll(m.Service, "-", ".") + ".model"}
	var out []Case
	for _, name := range slices.Sorted(maps.Keys(m.Operations)) {
		op := m.Operations[name]
		if op.Input == "" {
			continue
		}
		g.structCases(g.shape(op.Input), "", func(b map[string]any) map[string]any { return b }, "top", func(c Case) {
			c.Op = op
			c.Want = make([]string, len(c.frags))
			for i, f := range c.frags {
				c.Want[i] = "^" + f + "$"
			}
			out = append(out, c)
		}, 0)
	}
	return out
}

// Valid returns a request for op that breaks no constraint: every required
// member, with the shortest valid value the generator finds. Located
// members are strings, as in Case.Body.
func (m *Model) Valid(t testing.TB, op *Operation) map[string]any {
	t.Helper()
	if op.Input == "" {
		return map[string]any{}
	}
	g := &gen{t: t, m: m}
	return g.validStruct(g.shape(op.Input))
}

var sdk struct {
	once sync.Once
	dir  string
	err  error
}

// SDKDir returns the github.com/aws/aws-sdk-go module's directory in the
// module cache.
func SDKDir(t testing.TB) string {
	t.Helper()
	sdk.once.Do(func() {
		out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/aws/aws-sdk-go").Output()
		if err != nil {
			sdk.err = fmt.Errorf("go list -m github.com/aws/aws-sdk-go: %v", err)
			return
		}
		if sdk.dir = strings.TrimSpace(string(out)); sdk.dir == "" {
			sdk.err = fmt.Errorf("github.com/aws/aws-sdk-go is not in the module cache")
		}
	})
	if sdk.err != nil {
		t.Fatal(sdk.err)
	}
	return sdk.dir
}

type rawRef struct {
	Shape        string `json:"shape"`
	Location     string `json:"location"`
	LocationName string `json:"locationName"`
}

type rawShape struct {
	name     string
	Type     string            `json:"type"`
	Min      *json.Number      `json:"min"`
	Max      *json.Number      `json:"max"`
	Pattern  string            `json:"pattern"`
	Enum     []string          `json:"enum"`
	Members  map[string]rawRef `json:"members"`
	Required []string          `json:"required"`
	Member   *rawRef           `json:"member"`
	Key      *rawRef           `json:"key"`
	Value    *rawRef           `json:"value"`

	re *regexp.Regexp
}

func (s *rawShape) bound(n *json.Number) (int64, bool) {
	if n == nil {
		return 0, false
	}
	i, err := n.Int64()
	if err != nil {
		panic(fmt.Sprintf("shape %s: bound %s: %v", s.name, *n, err))
	}
	return i, true
}

func (s *rawShape) min() (int64, bool) { return s.bound(s.Min) }
func (s *rawShape) max() (int64, bool) { return s.bound(s.Max) }

type rawModel struct {
	Metadata struct {
		Protocol     string `json:"protocol"`
		TargetPrefix string `json:"targetPrefix"`
	} `json:"metadata"`
	Operations map[string]struct {
		HTTP struct {
			Method     string `json:"method"`
			RequestURI string `json:"requestUri"`
		} `json:"http"`
		Input *rawRef `json:"input"`
	} `json:"operations"`
	Shapes map[string]*rawShape `json:"shapes"`
}

// Load reads service's api-2.json ("cognito-identity" or "cognito-sync",
// API version 2014-06-30) from the module cache.
func Load(t testing.TB, service string) *Model {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(SDKDir(t), "models", "apis", service, "2014-06-30", "api-2.json"))
	if err != nil {
		t.Fatal(err)
	}
	var raw rawModel
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatalf("%s: %v", service, err)
	}
	for name, s := range raw.Shapes {
		s.name = name
		if s.Pattern != "" {
			if s.re, err = regexp.Compile(`^(?:` + s.Pattern + `)$`); err != nil {
				t.Fatalf("%s: shape %s: %v", service, name, err)
			}
		}
	}
	m := &Model{
		Service:      service,
		Protocol:     raw.Metadata.Protocol,
		TargetPrefix: raw.Metadata.TargetPrefix,
		Operations:   map[string]*Operation{},
		shapes:       raw.Shapes,
	}
	for name, o := range raw.Operations {
		op := &Operation{Name: name, Method: o.HTTP.Method, RequestURI: o.HTTP.RequestURI}
		if o.Input != nil {
			op.Input = o.Input.Shape
			in := raw.Shapes[op.Input]
			if in == nil || in.Type != "structure" {
				t.Fatalf("%s %s: input shape %q is not a structure", service, name, op.Input)
			}
			for _, mn := range slices.Sorted(maps.Keys(in.Members)) {
				r := in.Members[mn]
				op.Members = append(op.Members, Member{Name: mn, Location: r.Location, LocationName: r.LocationName, Required: slices.Contains(in.Required, mn)})
			}
		}
		m.Operations[name] = op
	}
	return m
}

// knownGood holds sample values for shapes whose pattern the small
// generator below cannot satisfy (none today; kept for future models).
var knownGood = map[string]string{
	"AssumeRoleArn":  "arn:aws:iam::123456789012:role/CognitoStreams",
	"ApplicationArn": "arn:aws:sns:us-east-1:123456789012:app/GCM/MyApp",
	"IdentityPoolId": "us-east-1:0123abcd-0123-abcd-0123-0123abcd0123",
}

// genPattern produces a short string matching a (simple) regular
// expression: the first alternative, one repetition of '+', none of '*'
// and '?', and extra more repetitions of the first unbounded repeat.
func genPattern(pattern string, extra int) (string, bool) {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return "", false
	}
	var b strings.Builder
	ok := genNode(&b, re.Simplify(), &extra)
	return b.String(), ok
}

func genNode(b *strings.Builder, re *syntax.Regexp, extra *int) bool {
	switch re.Op {
	case syntax.OpLiteral:
		b.WriteString(string(re.Rune))
	case syntax.OpCharClass:
		r, ok := pickRune(re.Rune)
		if !ok {
			return false
		}
		b.WriteRune(r)
	case syntax.OpAnyCharNotNL, syntax.OpAnyChar:
		b.WriteByte('a')
	case syntax.OpCapture:
		return genNode(b, re.Sub[0], extra)
	case syntax.OpConcat:
		for _, s := range re.Sub {
			if !genNode(b, s, extra) {
				return false
			}
		}
	case syntax.OpAlternate:
		return genNode(b, re.Sub[0], extra)
	case syntax.OpQuest:
	case syntax.OpStar, syntax.OpPlus:
		n := 0
		if re.Op == syntax.OpPlus {
			n = 1
		}
		n += *extra
		*extra = 0
		for range n {
			if !genNode(b, re.Sub[0], extra) {
				return false
			}
		}
	case syntax.OpRepeat:
		n := re.Min
		if re.Max == -1 {
			n += *extra
			*extra = 0
		}
		for range n {
			if !genNode(b, re.Sub[0], extra) {
				return false
			}
		}
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText:
	default:
		return false
	}
	return true
}

func pickRune(ranges []rune) (rune, bool) {
	in := func(r rune) bool {
		for i := 0; i+1 < len(ranges); i += 2 {
			if ranges[i] <= r && r <= ranges[i+1] {
				return true
			}
		}
		return false
	}
	for _, r := range "aA0_-" {
		if in(r) {
			return r, true
		}
	}
	for i := 0; i+1 < len(ranges); i += 2 {
		for r := max(ranges[i], '!'); r <= ranges[i+1] && r < utf8.MaxRune; r++ {
			if r != 0x7f {
				return r, true
			}
		}
	}
	return 0, false
}

type gen struct {
	t   testing.TB
	m   *Model
	pkg string // the Java package of the model classes
}

func (g *gen) shape(name string) *rawShape {
	s := g.m.shapes[name]
	if s == nil {
		g.t.Fatalf("%s: no shape %q", g.m.Service, name)
	}
	return s
}

// stringFailures lists, in the documented order, the constraints of s that
// str breaks.
func stringFailures(s *rawShape, str string) []string {
	var out []string
	n := int64(utf8.RuneCountInString(str))
	if mx, ok := s.max(); ok && n > mx {
		out = append(out, fmt.Sprintf("Member must have length less than or equal to %d", mx))
	}
	if mn, ok := s.min(); ok && n < mn {
		out = append(out, fmt.Sprintf("Member must have length greater than or equal to %d", mn))
	}
	if s.re != nil && !s.re.MatchString(str) {
		out = append(out, "Member must satisfy regular expression pattern: "+s.Pattern)
	}
	if len(s.Enum) > 0 && !slices.Contains(s.Enum, str) {
		out = append(out, "Member must satisfy enum value set: ["+strings.Join(s.Enum, ", ")+"]")
	}
	return out
}

// descriptions lists every constraint of s, as AWS's bracketed lists do.
func descriptions(s *rawShape) string {
	var out []string
	measure := "length"
	if s.Type == "integer" || s.Type == "long" {
		measure = "value"
	}
	if mx, ok := s.max(); ok {
		out = append(out, fmt.Sprintf("Member must have %s less than or equal to %d", measure, mx))
	}
	if mn, ok := s.min(); ok {
		out = append(out, fmt.Sprintf("Member must have %s greater than or equal to %d", measure, mn))
	}
	if s.Pattern != "" {
		out = append(out, "Member must satisfy regular expression pattern: "+s.Pattern)
	}
	if len(s.Enum) > 0 {
		out = append(out, "Member must satisfy enum value set: ["+strings.Join(s.Enum, ", ")+"]")
	}
	return "[" + strings.Join(out, ", ") + "]"
}

// stringOfLen returns a string of n code points satisfying s's pattern when
// the generator manages, else n 'a's (which may break the pattern; the
// expectations are computed from the string actually used).
func (g *gen) stringOfLen(s *rawShape, n int) string {
	if n <= 0 {
		return ""
	}
	if len(s.Enum) > 0 {
		for _, e := range s.Enum {
			if utf8.RuneCountInString(e) == n {
				return e
			}
		}
	}
	if s.Pattern != "" {
		if base, ok := genPattern(s.Pattern, 0); ok && len(base) <= n {
			if str, ok := genPattern(s.Pattern, n-len(base)); ok && utf8.RuneCountInString(str) == n && s.re.MatchString(str) {
				return str
			}
		}
		if kg, ok := knownGood[s.name]; ok && utf8.RuneCountInString(kg) == n {
			return kg
		}
	}
	return strings.Repeat("a", n)
}

// validString returns a short string satisfying every constraint of s.
func (g *gen) validString(s *rawShape) string {
	if len(s.Enum) > 0 {
		return s.Enum[0]
	}
	n := 1
	if mn, ok := s.min(); ok {
		n = max(n, int(mn))
	}
	if s.Pattern != "" {
		if base, ok := genPattern(s.Pattern, 0); ok {
			n = max(n, utf8.RuneCountInString(base))
		}
	}
	str := g.stringOfLen(s, n)
	if len(stringFailures(s, str)) > 0 {
		if kg, ok := knownGood[s.name]; ok && len(stringFailures(s, kg)) == 0 {
			return kg
		}
		g.t.Fatalf("cannot make a valid value for shape %s (pattern %q); add one to knownGood", s.name, s.Pattern)
	}
	return str
}

// valid returns a valid value for s, as the request would carry it; asString
// gives rest-json URI/query/header members, which arrive as strings.
func (g *gen) valid(s *rawShape, asString bool) any {
	num := func(n int64) any {
		if asString {
			return strconv.FormatInt(n, 10)
		}
		return json.Number(strconv.FormatInt(n, 10))
	}
	switch s.Type {
	case "string":
		return g.validString(s)
	case "integer", "long":
		if mn, ok := s.min(); ok {
			return num(mn)
		}
		return num(1)
	case "double":
		return json.Number("1.5")
	case "boolean":
		if asString {
			return "true"
		}
		return true
	case "timestamp":
		return json.Number("1413836234.607")
	case "blob":
		return "AAAA"
	case "structure":
		return g.validStruct(s)
	case "list":
		n := int64(1)
		if mn, ok := s.min(); ok && mn > n {
			n = mn
		}
		l := make([]any, n)
		for i := range l {
			l[i] = g.valid(g.shape(s.Member.Shape), false)
		}
		return l
	case "map":
		return map[string]any{g.validString(g.shape(s.Key.Shape)): g.valid(g.shape(s.Value.Shape), false)}
	}
	g.t.Fatalf("shape %s: type %s", s.name, s.Type)
	return nil
}

func (g *gen) validStruct(s *rawShape) map[string]any {
	m := map[string]any{}
	for _, r := range s.Required {
		ref := s.Members[r]
		m[r] = g.valid(g.shape(ref.Shape), ref.Location != "")
	}
	return m
}

// render returns the regular expression matching how AWS quotes v.
func (g *gen) render(s *rawShape, v any) string {
	switch x := v.(type) {
	case string:
		return regexp.QuoteMeta(x)
	case json.Number:
		return regexp.QuoteMeta(string(x))
	case bool:
		return strconv.FormatBool(x)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = g.render(g.shape(s.Member.Shape), e)
		}
		return `\[` + strings.Join(parts, ", ") + `\]`
	case map[string]any:
		if s.Type == "structure" {
			return regexp.QuoteMeta(g.pkg+"."+s.name) + "@[0-9a-f]+"
		}
		var parts []string
		for _, k := range javaMapOrder(x) {
			parts = append(parts, regexp.QuoteMeta(k)+"="+g.render(g.shape(s.Value.Shape), x[k]))
		}
		return `\{` + strings.Join(parts, ", ") + `\}`
	}
	g.t.Fatalf("render %T", v)
	return ""
}

// sentence returns the (unanchored) regular expression of one violation.
func sentence(path, renderedRE, constraint string) string {
	return regexp.QuoteMeta("Value '") + renderedRE + regexp.QuoteMeta("' at '"+path+"' failed to satisfy constraint: "+constraint)
}

// violation is a bad value for a shape and what AWS says of it.
type violation struct {
	label string
	value any
	want  func(path string) []string // expected sentences (regular expressions)
}

// violations derives one bad value per constraint of s itself.
func (g *gen) violations(s *rawShape, asString bool) []violation {
	var out []violation
	str := func(label, v string, must string) {
		fails := stringFailures(s, v)
		if !slices.Contains(fails, must) {
			g.t.Fatalf("shape %s: %q does not break %q", s.name, v, must)
		}
		out = append(out, violation{label, v, func(p string) []string {
			var w []string
			for _, f := range fails {
				w = append(w, sentence(p, regexp.QuoteMeta(v), f))
			}
			return w
		}})
	}
	mn, hasMin := s.min()
	mx, hasMax := s.max()
	switch s.Type {
	case "string":
		if hasMax {
			str("max", g.stringOfLen(s, int(mx)+1), fmt.Sprintf("Member must have length less than or equal to %d", mx))
		}
		if hasMin && mn > 0 {
			str("min", g.stringOfLen(s, int(mn)-1), fmt.Sprintf("Member must have length greater than or equal to %d", mn))
		}
		if s.Pattern != "" {
			found := false
			for _, c := range []string{"#", " ", "\x00", "!", "a b", "é", "\u2028"} {
				v := c
				for hasMin && int64(utf8.RuneCountInString(v)) < mn {
					v += c
				}
				if hasMax && int64(utf8.RuneCountInString(v)) > mx || s.re.MatchString(v) {
					continue
				}
				str("pattern", v, "Member must satisfy regular expression pattern: "+s.Pattern)
				found = true
				break
			}
			if !found {
				g.t.Fatalf("shape %s: no string breaking pattern %q", s.name, s.Pattern)
			}
		}
		if len(s.Enum) > 0 {
			str("enum", "NotAnEnumValue", "Member must satisfy enum value set: ["+strings.Join(s.Enum, ", ")+"]")
		}
	case "integer", "long":
		num := func(label string, n int64, c string) {
			var v any = json.Number(strconv.FormatInt(n, 10))
			if asString {
				v = strconv.FormatInt(n, 10)
			}
			out = append(out, violation{label, v, func(p string) []string {
				return []string{sentence(p, strconv.FormatInt(n, 10), c)}
			}})
		}
		if hasMax {
			num("max", mx+1, fmt.Sprintf("Member must have value less than or equal to %d", mx))
		}
		if hasMin {
			num("min", mn-1, fmt.Sprintf("Member must have value greater than or equal to %d", mn))
		}
	case "list":
		es := g.shape(s.Member.Shape)
		if hasMin && mn > 0 {
			l := []any{}
			out = append(out, violation{"min", l, func(p string) []string {
				return []string{sentence(p, `\[\]`, fmt.Sprintf("Member must have length greater than or equal to %d", mn))}
			}})
		}
		if hasMax {
			l := make([]any, mx+1)
			for i := range l {
				l[i] = g.valid(es, false)
			}
			out = append(out, violation{"max", l, func(p string) []string {
				return []string{sentence(p, g.render(s, l), fmt.Sprintf("Member must have length less than or equal to %d", mx))}
			}})
		}
	case "map":
		ks, vs := g.shape(s.Key.Shape), g.shape(s.Value.Shape)
		if hasMin && mn > 0 {
			m := map[string]any{}
			out = append(out, violation{"min", m, func(p string) []string {
				return []string{sentence(p, `\{\}`, fmt.Sprintf("Member must have length greater than or equal to %d", mn))}
			}})
		}
		if hasMax {
			m := map[string]any{}
			base := int64(1)
			if kmn, ok := ks.min(); ok && kmn > base {
				base = kmn
			}
			keysOK := true
			for i := int64(0); i <= mx; i++ {
				k := g.stringOfLen(ks, int(base+i))
				if _, dup := m[k]; dup {
					g.t.Fatalf("shape %s: duplicate key %q", s.name, k)
				}
				keysOK = keysOK && len(stringFailures(ks, k)) == 0
				m[k] = g.valid(vs, false)
			}
			out = append(out, violation{"max", m, func(p string) []string {
				w := []string{sentence(p, g.render(s, m), fmt.Sprintf("Member must have length less than or equal to %d", mx))}
				if !keysOK {
					w = append(w, sentence(p, g.render(s, m), "Map keys must satisfy constraint: "+descriptions(ks)))
				}
				return w
			}})
		}
	}
	return out
}

func with(m map[string]any, k string, v any) map[string]any {
	c := maps.Clone(m)
	c[k] = v
	return c
}

func without(m map[string]any, k string) map[string]any {
	c := maps.Clone(m)
	delete(c, k)
	return c
}

// structCases derives the cases for every member of structure s found at
// prefix; wrap embeds a value of s in a whole, otherwise valid, request.
func (g *gen) structCases(s *rawShape, prefix string, wrap func(map[string]any) map[string]any, kind string, emit func(Case), depth int) {
	if depth > 8 {
		g.t.Fatalf("%s: model nests too deep", prefix)
	}
	base := g.validStruct(s)
	for _, name := range slices.Sorted(maps.Keys(s.Members)) {
		ref := s.Members[name]
		ms := g.shape(ref.Shape)
		p := lowerCamel(name)
		if prefix != "" {
			p = prefix + "." + p
		}
		if slices.Contains(s.Required, name) {
			emit(Case{Name: p + "/required", Kind: kind + "/required", Body: wrap(without(base, name)), frags: []string{
				regexp.QuoteMeta("Value null at '" + p + "' failed to satisfy constraint: Member must not be null")}})
		}
		for _, v := range g.violations(ms, ref.Location != "") {
			emit(Case{Name: p + "/" + v.label, Kind: kind + "/" + v.label, Body: wrap(with(base, name, v.value)), frags: v.want(p)})
		}
		put := func(x any) map[string]any { return wrap(with(base, name, x)) }
		switch ms.Type {
		case "structure":
			g.structCases(ms, p, func(x map[string]any) map[string]any { return put(x) }, "struct-in-struct", emit, depth+1)
		case "list":
			es := g.shape(ms.Member.Shape)
			pad := func(x any) []any {
				l := []any{x}
				if mn, ok := ms.min(); ok {
					for int64(len(l)) < mn {
						l = append(l, g.valid(es, false))
					}
				}
				return l
			}
			switch es.Type {
			case "structure":
				g.structCases(es, p+".1.member", func(x map[string]any) map[string]any { return put(pad(x)) }, "struct-in-list", emit, depth+1)
			case "list", "map":
				g.t.Fatalf("%s: nested collections are not covered", p)
			default:
				for _, v := range g.violations(es, false) {
					l := pad(v.value)
					emit(Case{Name: p + "/element-" + v.label, Kind: "list-element/" + v.label, Body: put(l), frags: []string{
						sentence(p, g.render(ms, l), "Member must satisfy constraint: "+descriptions(es))}})
				}
			}
		case "map":
			ks, vs := g.shape(ms.Key.Shape), g.shape(ms.Value.Shape)
			goodKey := g.validString(ks)
			for _, v := range g.violations(ks, false) {
				m := map[string]any{v.value.(string): g.valid(vs, false)}
				emit(Case{Name: p + "/key-" + v.label, Kind: "map-key/" + v.label, Body: put(m), frags: []string{
					sentence(p, g.render(ms, m), "Map keys must satisfy constraint: "+descriptions(ks))}})
			}
			switch vs.Type {
			case "structure":
				g.structCases(vs, p+"."+goodKey+".member", func(x map[string]any) map[string]any {
					return put(map[string]any{goodKey: x})
				}, "struct-in-map", emit, depth+1)
			case "list", "map":
				g.t.Fatalf("%s: nested collections are not covered", p)
			default:
				for _, v := range g.violations(vs, false) {
					m := map[string]any{goodKey: v.value}
					emit(Case{Name: p + "/value-" + v.label, Kind: "map-value/" + v.label, Body: put(m), frags: []string{
						sentence(p, g.render(ms, m), "Map value must satisfy constraint: "+descriptions(vs))}})
				}
			}
		}
	}
}

// lowerCamel lower-cases a member name's first letter, as AWS names members
// in its messages.
func lowerCamel(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	if size == 0 {
		return s
	}
	return strings.ToLower(string(r)) + s[size:]
}

// javaMapOrder returns m's keys in the order a java.util.HashMap holding
// them iterates: by bucket (the spread String.hashCode masked by the table
// size, 16 doubled while more than 3/4 full), keys sharing a bucket sorted
// (their insertion order, which Java keeps, is not known here).
func javaMapOrder(m map[string]any) []string {
	keys := slices.Sorted(maps.Keys(m))
	capacity := uint32(16)
	for uint64(len(keys)) > uint64(capacity)*3/4 && capacity < 1<<30 {
		capacity <<= 1
	}
	bucket := func(k string) uint32 {
		var h uint32
		for _, u := range utf16.Encode([]rune(k)) {
			h = 31*h + uint32(u)
		}
		return (h ^ h>>16) & (capacity - 1)
	}
	slices.SortStableFunc(keys, func(a, b string) int { return int(bucket(a)) - int(bucket(b)) })
	return keys
}
