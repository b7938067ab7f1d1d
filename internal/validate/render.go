package validate

import (
	"encoding/json"
	"hash/fnv"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/cognitod/cognitod/internal/model"
)

// render writes a value as AWS's messages quote it: Java's toString of the
// deserialised request object, cut at maxRendered bytes, a safety net: the
// body limits (awsproto) already keep a quote about the size of the body.
func (v *validator) render(sh *model.Shape, val any) string {
	var b strings.Builder
	v.renderTo(&b, sh, val, false)
	if b.Len() <= maxRendered {
		return b.String()
	}
	out := b.String()[:maxRendered]
	for len(out) > 0 && !utf8.RuneStart(out[len(out)-1]) {
		out = out[:len(out)-1] // not in the middle of a character
	}
	if len(out) > 0 && out[len(out)-1] >= utf8.RuneSelf {
		out = out[:len(out)-1]
	}
	return out + "..."
}

// maxRendered bounds a quoted value: above the largest value a model allows
// (a Sync record's 1 MB), so that every message quotes what AWS's does.
const maxRendered = 2 << 20

func (v *validator) renderTo(b *strings.Builder, sh *model.Shape, val any, content bool) {
	switch x := val.(type) {
	case nil:
		b.WriteString("null")
	case string:
		if room := maxRendered + 1 - b.Len(); len(x) > room {
			x = x[:max(room, 0)] // render cuts it (and any broken character)
		}
		b.WriteString(x)
	case json.Number:
		b.WriteString(string(x))
	case int64:
		b.WriteString(strconv.FormatInt(x, 10))
	case int:
		b.WriteString(strconv.Itoa(x))
	case float64:
		b.WriteString(javaDouble(x))
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case time.Time:
		// java.util.Date.toString in the UTC zone AWS's hosts run in.
		b.WriteString(x.UTC().Format("Mon Jan 02 15:04:05 UTC 2006"))
	case []byte:
		// java.nio.ByteBuffer.toString.
		n := strconv.Itoa(len(x))
		b.WriteString("java.nio.HeapByteBuffer[pos=0 lim=" + n + " cap=" + n + "]")
	case []any:
		var es *model.Shape
		if sh != nil && sh.Kind == model.List {
			es = v.svc.Shapes[sh.ListMember]
		}
		b.WriteByte('[')
		for i, e := range x {
			if b.Len() > maxRendered {
				break // render cuts it here
			}
			if i > 0 {
				b.WriteString(", ")
			}
			v.renderTo(b, es, e, content)
		}
		b.WriteByte(']')
	case map[string]any:
		if sh != nil && sh.Kind == model.Structure {
			v.renderStruct(b, sh, x, content)
			return
		}
		var vs *model.Shape
		if sh != nil && sh.Kind == model.Map {
			vs = v.svc.Shapes[sh.MapValue]
		}
		b.WriteByte('{')
		for i, k := range javaMapOrder(x) {
			if b.Len() > maxRendered {
				break // render cuts it here
			}
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(k)
			b.WriteByte('=')
			v.renderTo(b, vs, x[k], content)
		}
		b.WriteByte('}')
	default:
		b.WriteString("?")
	}
}

// renderStruct writes a structure as Java's default Object.toString does:
// the model class's name and an identity hash. Java's hash is arbitrary; a
// hash of the content stands for it, so that the message is deterministic.
// With content set it writes the members instead, which is what is hashed.
func (v *validator) renderStruct(b *strings.Builder, sh *model.Shape, m map[string]any, content bool) {
	if content {
		b.WriteByte('{')
		n := 0
		for _, mem := range sh.Members {
			val, ok := m[mem.Name]
			if !ok {
				continue
			}
			if n > 0 {
				b.WriteString(", ")
			}
			b.WriteString(mem.Name)
			b.WriteByte('=')
			v.renderTo(b, v.svc.Shapes[mem.Shape], val, true)
			n++
		}
		b.WriteByte('}')
		return
	}
	var c strings.Builder
	v.renderStruct(&c, sh, m, true)
	h := fnv.New32a()
	h.Write([]byte(sh.Name))
	h.Write([]byte(c.String()))
	b.WriteString(javaPackage(v.svc))
	b.WriteByte('.')
	b.WriteString(sh.Name)
	b.WriteByte('@')
	b.WriteString(strconv.FormatUint(uint64(h.Sum32()&0x7fffffff), 16))
}

// javaPackage is the Java package of a service's model classes, as the
// long form of its X-Amz-Target names it: com.amazonaws.cognito.identity.model.
func javaPackage(svc *model.Service) string {
	return "com.amazonaws." + strings.ReplaceAll(svc.Name, "-", ".") + ".model"
}

// javaMapOrder returns m's keys in the order a java.util.HashMap holding
// them iterates: by bucket, the bucket being the spread String.hashCode
// masked by the table size (16, doubled while more than 3/4 full). Keys
// sharing a bucket iterate in insertion order, which a Go map does not
// keep; they are sorted instead.
func javaMapOrder(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	if len(keys) < 2 {
		return keys
	}
	capacity := uint32(16)
	for uint64(len(keys)) > uint64(capacity)*3/4 && capacity < 1<<30 {
		capacity <<= 1
	}
	bucket := func(k string) uint32 {
		h := javaStringHash(k)
		return (h ^ h>>16) & (capacity - 1)
	}
	slices.SortFunc(keys, func(a, b string) int {
		ba, bb := bucket(a), bucket(b)
		switch {
		case ba < bb:
			return -1
		case ba > bb:
			return 1
		}
		return strings.Compare(a, b)
	})
	return keys
}

// javaStringHash is java.lang.String.hashCode: s[0]*31^(n-1) + ... over
// UTF-16 code units.
func javaStringHash(s string) uint32 {
	var h uint32
	for _, r := range s {
		if r >= 0x10000 {
			r1, r2 := utf16.EncodeRune(r)
			h = 31*h + uint32(r1)
			h = 31*h + uint32(r2)
			continue
		}
		h = 31*h + uint32(r)
	}
	return h
}

// javaDouble formats f as java.lang.Double.toString does.
func javaDouble(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == 0:
		if math.Signbit(f) {
			return "-0.0"
		}
		return "0.0"
	}
	if a := math.Abs(f); a >= 1e-3 && a < 1e7 {
		s := strconv.FormatFloat(f, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	s := strconv.FormatFloat(f, 'E', -1, 64) // e.g. 1.2345E+07
	mant, exp, _ := strings.Cut(s, "E")
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	sign := ""
	if exp[0] == '-' {
		sign = "-"
	}
	exp = strings.TrimLeft(exp[1:], "0")
	return mant + "E" + sign + exp
}
