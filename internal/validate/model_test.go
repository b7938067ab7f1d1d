package validate

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
	"testing"
	"unicode/utf8"

	"github.com/cognitod/cognitod/internal/model"
)

// This file derives, from the official api-2.json models themselves (read
// from the module cache, independently of package model's generated
// tables), one violating request for every constraint of every input member
// of every operation, top level and nested, and checks that Input reports
// exactly AWS's sentences for it.

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
		panic(err)
	}
	return i, true
}

func (s *rawShape) min() (int64, bool) { return s.bound(s.Min) }
func (s *rawShape) max() (int64, bool) { return s.bound(s.Max) }

type rawModel struct {
	Operations map[string]struct {
		Input *rawRef `json:"input"`
	} `json:"operations"`
	Shapes map[string]*rawShape `json:"shapes"`
}

func sdkDir(t testing.TB) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/aws/aws-sdk-go").Output()
	if err != nil {
		t.Fatalf("go list -m github.com/aws/aws-sdk-go: %v", err)
	}
	dir := strings.TrimSpace(string(out))
	if dir == "" {
		t.Fatal("github.com/aws/aws-sdk-go is not in the module cache")
	}
	return dir
}

func loadRawModel(t testing.TB, dir, service string) *rawModel {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "models", "apis", service, "2014-06-30", "api-2.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m rawModel
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for name, s := range m.Shapes {
		s.name = name
		if s.Pattern != "" {
			s.re = regexp.MustCompile(`^(?:` + s.Pattern + `)$`)
		}
	}
	return &m
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
	t      testing.TB
	m      *rawModel
	svc    *model.Service
	pkg    string
	stats  map[string]int
	nCases int
}

func (g *gen) shape(name string) *rawShape {
	s := g.m.Shapes[name]
	if s == nil {
		g.t.Fatalf("no shape %q", name)
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

// render returns the regular expression matching how Input quotes v.
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

func sentence(path, renderedRE, constraint string) string {
	return "^" + regexp.QuoteMeta("Value '") + renderedRE + regexp.QuoteMeta("' at '"+path+"' failed to satisfy constraint: "+constraint) + "$"
}

// violation is a bad value for a shape and what AWS says of it.
type violation struct {
	label string
	value any
	want  func(path string) []string // expected messages (regular expressions)
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

type testCase struct {
	name string
	body map[string]any
	want []string
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
func (g *gen) structCases(s *rawShape, prefix string, wrap func(map[string]any) map[string]any, kind string, emit func(testCase), depth int) {
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
			g.stats[kind+"/required"]++
			emit(testCase{p + "/required", wrap(without(base, name)), []string{
				"^" + regexp.QuoteMeta("Value null at '"+p+"' failed to satisfy constraint: Member must not be null") + "$"}})
		}
		for _, v := range g.violations(ms, ref.Location != "") {
			g.stats[kind+"/"+v.label]++
			emit(testCase{p + "/" + v.label, wrap(with(base, name, v.value)), v.want(p)})
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
					g.stats["list-element/"+v.label]++
					emit(testCase{p + "/element-" + v.label, put(l), []string{
						sentence(p, g.render(ms, l), "Member must satisfy constraint: "+descriptions(es))}})
				}
			}
		case "map":
			ks, vs := g.shape(ms.Key.Shape), g.shape(ms.Value.Shape)
			goodKey := g.validString(ks)
			for _, v := range g.violations(ks, false) {
				m := map[string]any{v.value.(string): g.valid(vs, false)}
				g.stats["map-key/"+v.label]++
				emit(testCase{p + "/key-" + v.label, put(m), []string{
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
					g.stats["map-value/"+v.label]++
					emit(testCase{p + "/value-" + v.label, put(m), []string{
						sentence(p, g.render(ms, m), "Map value must satisfy constraint: "+descriptions(vs))}})
				}
			}
		}
	}
}

func TestModelDerivedViolations(t *testing.T) {
	dir := sdkDir(t)
	total := 0
	stats := map[string]int{}
	for _, svcCase := range []struct {
		dir string
		svc *model.Service
		ops int
	}{
		{"cognito-identity", model.CognitoIdentity, 23},
		{"cognito-sync", model.CognitoSync, 17},
	} {
		raw := loadRawModel(t, dir, svcCase.dir)
		if len(raw.Operations) != svcCase.ops {
			t.Fatalf("%s: %d operations in the model, want %d", svcCase.dir, len(raw.Operations), svcCase.ops)
		}
		g := &gen{t: t, m: raw, svc: svcCase.svc, pkg: javaPackage(svcCase.svc), stats: stats}
		for _, opName := range slices.Sorted(maps.Keys(raw.Operations)) {
			op := svcCase.svc.Operations[opName]
			if op == nil {
				t.Fatalf("%s: operation %s missing from the tables", svcCase.dir, opName)
			}
			in := g.shape(raw.Operations[opName].Input.Shape)

			// The synthesised valid request passes.
			good := g.validStruct(in)
			if _, vs, err := Input(svcCase.svc, op, good); err != nil || len(vs) != 0 {
				t.Fatalf("%s %s: valid request %v: err %v, violations %q", svcCase.dir, opName, good, err, Message(vs))
			}

			g.structCases(in, "", func(m map[string]any) map[string]any { return m }, "top", func(c testCase) {
				total++
				t.Run(svcCase.dir+"/"+opName+"/"+c.name, func(t *testing.T) {
					_, vs, err := Input(svcCase.svc, op, c.body)
					if err != nil {
						t.Fatalf("error %v", err)
					}
					if len(vs) != len(c.want) {
						t.Fatalf("got %d violations, want %d:\n got: %s\nwant: %q", len(vs), len(c.want), Message(vs), c.want)
					}
					for i, v := range vs {
						if !regexp.MustCompile(c.want[i]).MatchString(v.Message) {
							t.Errorf("violation %d:\n got: %s\nwant: %s", i, v.Message, c.want[i])
						}
					}
				})
			}, 0)
		}
	}
	t.Logf("%d model-derived cases: %v", total, stats)
	// Every kind of nesting the models have is covered.
	for _, k := range []string{
		"top/required", "top/max", "top/min", "top/pattern", "top/enum",
		"struct-in-struct/pattern", "struct-in-struct/max", "struct-in-struct/enum",
		"struct-in-list/required", "struct-in-list/enum", "struct-in-list/max",
		"struct-in-map/required", "struct-in-map/enum",
		"list-element/pattern", "list-element/max", "list-element/min",
		"map-key/max", "map-key/min", "map-key/pattern",
		"map-value/max", "map-value/min", "map-value/pattern",
	} {
		if stats[k] == 0 {
			t.Errorf("no case for %s", k)
		}
	}
}
