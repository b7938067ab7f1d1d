// Package validate checks a request's input against the service model and
// normalises it, answering with AWS's own (Coral) validation wording, so that
// clients see the ValidationException messages AWS would send.
//
// Input walks the input shape in the model's member order, depth first. For
// each member it reports, in this order:
//
//  1. a missing required member ("Member must not be null"), and nothing else
//     for that member;
//  2. the value's own constraints, one violation per constraint broken, in
//     the order length or value maximum, length or value minimum, pattern,
//     enum (AWS itself lists a value's violations in no stable order); for
//     lists and maps, length is the number of (non-null) entries;
//  3. for a list: one "Member must satisfy constraint: [...]" violation at
//     the list's path when any scalar element breaks its shape's constraints,
//     then each structure element's members, at '<list>.<i>.member.<field>'
//     (i is the element's position in the request, counted from 1);
//  4. for a map: one "Map keys must satisfy constraint: [...]" violation when
//     any key breaks its shape's constraints, one "Map value must satisfy
//     constraint: [...]" when any scalar value does, then each structure
//     value's members at '<map>.<key>.member.<field>'.
//
// The bracketed lists name every constraint of the element shape, whichever
// broke, as AWS does: length maximum, length minimum, pattern, enum.
//
// A *TypeError inside a list or map names the element as '<list>.<i>.member'
// or '<map>.<key>.member'.
//
// Values are quoted as Java's toString renders them, as AWS's messages do:
// strings as they are, numbers as digits, lists as [a, b], maps as {k=v, k2=v2}
// in java.util.HashMap iteration order (see javaMapOrder), structures as
// Java's default Object.toString, <model package>.<Shape>@<hash>.
package validate

import (
	"math"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/cognitod/cognitod/internal/model"
)

// Violation is one constraint failure.
type Violation struct {
	// Path is where it occurred, member names in lowerCamelCase joined by
	// '.', e.g. "recordPatches.1.member.op".
	Path string
	// Message is the full AWS sentence, e.g. "Value 'pool#name' at
	// 'identityPoolName' failed to satisfy constraint: Member must satisfy
	// regular expression pattern: [\w\s+=,.@-]+".
	Message string
}

// Message joins violations as AWS does: "1 validation error detected: <v1>"
// or "N validation errors detected: <v1>; <v2>; ...". It returns "" for none.
func Message(vs []Violation) string {
	switch len(vs) {
	case 0:
		return ""
	case 1:
		return "1 validation error detected: " + vs[0].Message
	}
	var b strings.Builder
	b.WriteString(strconv.Itoa(len(vs)))
	b.WriteString(" validation errors detected: ")
	for i, v := range vs {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(v.Message)
	}
	return b.String()
}

// Input validates and normalises the decoded JSON body of a request (decoded
// with json.Decoder.UseNumber, so numbers arrive as json.Number; a nil map is
// an empty body) against the input shape of op in svc.
//
// It returns the normalised value tree: structures as map[string]any holding
// only the members the model knows (AWS ignores unknown members), lists as
// []any, maps as map[string]any, strings as string, booleans as bool,
// integers and longs as int64, doubles as float64, timestamps as time.Time
// (UTC) and blobs as []byte. A JSON null, for a member, a list element or a
// map value, counts as absent and is left out.
//
// Lenient conversions, as AWS's deserialisers allow (and as rest-json
// requests need, whose URI labels, query parameters and headers the caller
// passes as strings, keyed by member name): integers and longs may be JSON
// strings holding a decimal integer, and JSON numbers with a fraction are
// truncated toward zero; booleans may be the strings "true" and "false";
// doubles may be numeric strings, "NaN", "Infinity" or "-Infinity";
// timestamps may be epoch seconds as a number or numeric string, or an
// ISO 8601 (RFC 3339) string; blobs are base64 strings.
//
// A value of the wrong JSON type for its shape is a *TypeError (the caller
// answers SerializationException); then no violations are returned. The
// returned violations, when any, are answered as a ValidationException whose
// message is Message(violations). The result is returned even then.
func Input(svc *model.Service, op *model.Operation, body map[string]any) (map[string]any, []Violation, error) {
	if op == nil || op.Input == "" {
		return map[string]any{}, nil, nil
	}
	sh := svc.Shapes[op.Input]
	if sh == nil || sh.Kind != model.Structure {
		return map[string]any{}, nil, nil
	}
	v := pool.Get().(*validator)
	v.svc = svc
	// A JSON 1.1 body (Cognito Identity) carries numbers as JSON numbers:
	// AWS refuses "5" for an integer there (STRING_VALUE can not be
	// converted to an Integer). Cognito Sync's members come from the query
	// string, path and headers as text, and its legacy X-Amz-Target form
	// sends them as strings in the body too ({"MaxResults": "2"} in AWS's
	// own sample), so for Sync a decimal string is a number.
	v.strictNumbers = svc.Protocol == "json"
	out, err := v.structure(sh, body)
	vs := v.vs
	clear(v.stack[:cap(v.stack)]) // drop references to the request's strings
	v.svc, v.vs, v.stack = nil, nil, v.stack[:0]
	pool.Put(v)
	if err != nil {
		return nil, nil, err
	}
	return out, vs, nil
}

// validators are pooled for their path stacks.
var pool = sync.Pool{New: func() any { return &validator{stack: make([]seg, 0, 8)} }}

type validator struct {
	svc           *model.Service
	vs            []Violation
	stack         []seg // the path from the input structure to the current value
	strictNumbers bool  // integers must be JSON numbers, not strings
}

// fail is a set of constraints a value breaks.
type fail uint8

const (
	failMax fail = 1 << iota
	failMin
	failPattern
	failEnum
)

// seg is one step of a path, only turned into text when something is wrong.
type seg struct {
	name  string // member name (pMember) or map key (pKey)
	index int    // 1-based list index (pIndex)
	kind  uint8
}

const (
	pMember uint8 = iota // <member in lowerCamelCase>
	pIndex               // <index>.member
	pKey                 // <key>.member
)

func (v *validator) push(s seg) { v.stack = append(v.stack, s) }
func (v *validator) pop()       { v.stack = v.stack[:len(v.stack)-1] }

// path renders the current path: "recordPatches.1.member.op".
func (v *validator) path() string {
	var b strings.Builder
	for i, s := range v.stack {
		if i > 0 {
			b.WriteByte('.')
		}
		switch s.kind {
		case pMember:
			b.WriteString(lowerCamel(s.name))
		case pIndex:
			b.WriteString(strconv.Itoa(s.index))
			b.WriteString(".member")
		case pKey:
			b.WriteString(s.name)
			b.WriteString(".member")
		}
	}
	return b.String()
}

// lowerCamel lower-cases a member name's first letter, as AWS names members
// in its messages (IdentityPoolId → identityPoolId).
func lowerCamel(s string) string {
	if s == "" {
		return s
	}
	r, size := utf8.DecodeRuneInString(s)
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			return string(rune(r+'a'-'A')) + s[size:]
		}
		return s
	}
	return strings.ToLower(s[:size]) + s[size:]
}

func (v *validator) add(value string, quoted bool, constraint string) {
	ps := v.path()
	var b strings.Builder
	b.Grow(len(value) + len(ps) + len(constraint) + 48)
	b.WriteString("Value ")
	if quoted {
		b.WriteByte('\'')
		b.WriteString(value)
		b.WriteString("' at '")
	} else {
		b.WriteString(value)
		b.WriteString(" at '")
	}
	b.WriteString(ps)
	b.WriteString("' failed to satisfy constraint: ")
	b.WriteString(constraint)
	v.vs = append(v.vs, Violation{Path: ps, Message: b.String()})
}

// structure validates the members of a structure value in model order.
func (v *validator) structure(sh *model.Shape, m map[string]any) (map[string]any, error) {
	n := len(m)
	if n > len(sh.Members) {
		n = len(sh.Members)
	}
	out := make(map[string]any, n)
	for i := range sh.Members {
		mem := &sh.Members[i]
		raw := m[mem.Name]
		if raw == nil {
			if sh.IsRequired(mem.Name) {
				v.push(seg{name: mem.Name, kind: pMember})
				v.add("null", false, "Member must not be null")
				v.pop()
			}
			continue
		}
		ms := v.svc.Shapes[mem.Shape]
		if ms == nil {
			continue
		}
		v.push(seg{name: mem.Name, kind: pMember})
		val, _, err := v.value(ms, raw, true)
		v.pop()
		if err != nil {
			return nil, err
		}
		out[mem.Name] = val
	}
	return out, nil
}

// own reports each of the value's own constraints in f.
func (v *validator) own(sh *model.Shape, val any, f fail) {
	text := v.render(sh, val)
	for _, c := range [...]fail{failMax, failMin, failPattern, failEnum} {
		if f&c != 0 {
			v.add(text, true, constraintText(sh, c))
		}
	}
}

// hoist moves the violations reported since mark ahead of those reported
// since start, so that a container's own violations, found after its
// contents', come first.
func (v *validator) hoist(start, mark int) {
	if start == mark || mark == len(v.vs) {
		return
	}
	moved := append([]Violation(nil), v.vs[mark:]...)
	copy(v.vs[start+len(moved):], v.vs[start:mark])
	copy(v.vs[start:], moved)
}

// value converts raw to sh's type and validates it. When report is set, the
// value is a structure member and its own constraint violations are
// reported at p; otherwise it is a list element or map value, and the
// constraints it breaks are only returned, for the caller to report once in
// brackets. Violations inside a container are always reported.
func (v *validator) value(sh *model.Shape, raw any, report bool) (val any, f fail, err error) {
	switch sh.Kind {
	case model.String:
		s, ok := raw.(string)
		if !ok {
			return nil, 0, v.typeError(sh, raw)
		}
		val, f = raw, stringFails(sh, s)
	case model.Integer, model.Long:
		if _, isText := raw.(string); isText && v.strictNumbers {
			return nil, 0, v.typeError(sh, raw)
		}
		// Read as a long first: an integer past Java's int that a bound
		// of the shape catches is that bound's violation (AWS answers
		// "less than or equal to 60" for 99999999999), not a type error.
		n, ok := toInt(raw, model.Long)
		if !ok {
			return nil, 0, v.typeError(sh, raw)
		}
		if sh.HasMax && n > sh.Max {
			f |= failMax
		}
		if sh.HasMin && n < sh.Min {
			f |= failMin
		}
		if sh.Kind == model.Integer && f == 0 && (n < math.MinInt32 || n > math.MaxInt32) {
			return nil, 0, v.typeError(sh, raw)
		}
		val = n
	case model.Double:
		x, ok := toFloat(raw)
		if !ok {
			return nil, 0, v.typeError(sh, raw)
		}
		if sh.HasMax && x > float64(sh.Max) {
			f |= failMax
		}
		if sh.HasMin && x < float64(sh.Min) {
			f |= failMin
		}
		val = x
	case model.Boolean:
		switch b := raw.(type) {
		case bool:
			val = raw
		case string:
			switch b {
			case "true":
				val = true
			case "false":
				val = false
			}
		}
		if val == nil {
			return nil, 0, v.typeError(sh, raw)
		}
	case model.Timestamp:
		t, ok := toTime(raw)
		if !ok {
			return nil, 0, v.typeError(sh, raw)
		}
		val = t
	case model.Blob:
		b, ok := toBlob(raw)
		if !ok {
			return nil, 0, v.typeError(sh, raw)
		}
		val, f = b, lengthFails(sh, int64(len(b)))
	case model.Structure:
		m, ok := raw.(map[string]any)
		if !ok {
			return nil, 0, v.typeError(sh, raw)
		}
		out, err := v.structure(sh, m)
		return out, 0, err
	case model.List:
		l, ok := raw.([]any)
		if !ok {
			return nil, 0, v.typeError(sh, raw)
		}
		return v.list(sh, l, report)
	case model.Map:
		m, ok := raw.(map[string]any)
		if !ok {
			return nil, 0, v.typeError(sh, raw)
		}
		return v.mapValue(sh, m, report)
	default:
		return raw, 0, nil
	}
	if report && f != 0 {
		v.own(sh, val, f)
		f = 0
	}
	return val, f, nil
}

// list validates a list and its elements.
func (v *validator) list(sh *model.Shape, l []any, report bool) (any, fail, error) {
	es := v.svc.Shapes[sh.ListMember]
	out := make([]any, 0, len(l))
	if es == nil {
		return out, 0, nil
	}
	start := len(v.vs)
	var elems fail
	for i, e := range l {
		if e == nil {
			continue
		}
		v.push(seg{index: i + 1, kind: pIndex})
		ev, f, err := v.value(es, e, false)
		v.pop()
		if err != nil {
			return nil, 0, err
		}
		elems |= f
		out = append(out, ev)
	}
	f := lengthFails(sh, int64(len(out)))
	if !report && elems == 0 {
		return out, f, nil
	}
	mark := len(v.vs)
	if report && f != 0 {
		v.own(sh, out, f)
		f = 0
	}
	if elems != 0 {
		v.add(v.render(sh, out), true, "Member must satisfy constraint: "+bracket(es))
	}
	v.hoist(start, mark)
	return out, f, nil
}

// mapValue validates a map, its keys and its values.
func (v *validator) mapValue(sh *model.Shape, m map[string]any, report bool) (any, fail, error) {
	ks, vs := v.svc.Shapes[sh.MapKey], v.svc.Shapes[sh.MapValue]
	out := make(map[string]any, len(m))
	if vs == nil {
		return out, 0, nil
	}
	start := len(v.vs)
	var keys, vals fail
	convert := func(k string, raw any) error {
		if raw == nil {
			return nil
		}
		v.push(seg{name: k, kind: pKey})
		val, f, err := v.value(vs, raw, false)
		v.pop()
		if err != nil {
			return err
		}
		vals |= f
		if ks != nil && ks.Kind == model.String {
			keys |= stringFails(ks, k)
		}
		out[k] = val
		return nil
	}
	if isScalar(vs) {
		// Scalar values report nothing themselves, so the order they are
		// visited in only matters for naming a value of the wrong type:
		// then look again in order, so that it is always the same one.
		for k, raw := range m {
			if err := convert(k, raw); err != nil {
				for _, k := range javaMapOrder(m) {
					if err := convert(k, m[k]); err != nil {
						return nil, 0, err
					}
				}
				return nil, 0, err
			}
		}
	} else {
		for _, k := range javaMapOrder(m) {
			if err := convert(k, m[k]); err != nil {
				return nil, 0, err
			}
		}
	}
	f := lengthFails(sh, int64(len(out)))
	if !report && keys == 0 && vals == 0 {
		return out, f, nil
	}
	mark := len(v.vs)
	if report && f != 0 {
		v.own(sh, out, f)
		f = 0
	}
	if keys != 0 || vals != 0 {
		text := v.render(sh, out)
		if keys != 0 {
			v.add(text, true, "Map keys must satisfy constraint: "+bracket(ks))
		}
		if vals != 0 {
			v.add(text, true, "Map value must satisfy constraint: "+bracket(vs))
		}
	}
	v.hoist(start, mark)
	return out, f, nil
}

func isScalar(sh *model.Shape) bool {
	switch sh.Kind {
	case model.Structure, model.List, model.Map:
		return false
	}
	return true
}

func stringFails(sh *model.Shape, s string) fail {
	var f fail
	if sh.HasMax || sh.HasMin {
		f = lengthFails(sh, int64(utf8.RuneCountInString(s)))
	}
	if !sh.MatchPattern(s) {
		f |= failPattern
	}
	if len(sh.Enum) > 0 {
		found := false
		for _, e := range sh.Enum {
			if e == s {
				found = true
				break
			}
		}
		if !found {
			f |= failEnum
		}
	}
	return f
}

func lengthFails(sh *model.Shape, n int64) fail {
	var f fail
	if sh.HasMax && n > sh.Max {
		f |= failMax
	}
	if sh.HasMin && n < sh.Min {
		f |= failMin
	}
	return f
}

// constraintText is AWS's wording of one constraint of sh.
func constraintText(sh *model.Shape, c fail) string {
	measure := "length"
	bound := func(n int64) string { return strconv.FormatInt(n, 10) }
	switch sh.Kind {
	case model.Integer, model.Long:
		measure = "value"
	case model.Double:
		measure = "value"
		bound = func(n int64) string { return javaDouble(float64(n)) }
	}
	switch c {
	case failMax:
		return "Member must have " + measure + " less than or equal to " + bound(sh.Max)
	case failMin:
		return "Member must have " + measure + " greater than or equal to " + bound(sh.Min)
	case failPattern:
		return "Member must satisfy regular expression pattern: " + sh.Pattern
	case failEnum:
		return "Member must satisfy enum value set: [" + strings.Join(sh.Enum, ", ") + "]"
	}
	return ""
}

// bracket lists every constraint of sh, as AWS does for the elements of
// lists and the keys and values of maps.
func bracket(sh *model.Shape) string {
	var b strings.Builder
	b.WriteByte('[')
	n := 0
	for _, c := range [...]fail{failMax, failMin, failPattern, failEnum} {
		has := false
		switch c {
		case failMax:
			has = sh.HasMax
		case failMin:
			has = sh.HasMin
		case failPattern:
			has = sh.Pattern != ""
		case failEnum:
			has = len(sh.Enum) > 0
		}
		if !has {
			continue
		}
		if n > 0 {
			b.WriteString(", ")
		}
		b.WriteString(constraintText(sh, c))
		n++
	}
	b.WriteByte(']')
	return b.String()
}
