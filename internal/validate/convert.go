package validate

import (
	"encoding/base64"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/cognitod/cognitod/internal/model"
)

// TypeError is returned when a value has the wrong JSON type for its shape
// (the caller answers SerializationException).
type TypeError struct {
	Path     string // where, as in Violation.Path
	Expected string // the shape's type: "string", "integer", "structure", ...
	Got      any    // the value received
}

func (e *TypeError) Error() string {
	return "Unexpected value at '" + e.Path + "': expected " + e.Expected + ", got " + describe(e.Got)
}

// AWSMessage is the SerializationException message AWS's JSON front end
// gives for this error, which names no member: a JSON token that cannot
// become the member's type ("STRING_VALUE can not be converted to an
// Integer"), or a container where none was expected. The wording is the
// one AWS answers (pasted by users of Lambda, measured on Athena, which
// share the front end); Error keeps the member's path for cognitod's own
// messages (seed files).
func (e *TypeError) AWSMessage() string {
	switch x := e.Got.(type) {
	case map[string]any:
		return "Start of structure or map found where not expected."
	case []any:
		return "Start of list found where not expected"
	case bool:
		if x {
			return "TRUE_VALUE can not be converted to " + javaType(e.Expected)
		}
		return "FALSE_VALUE can not be converted to " + javaType(e.Expected)
	}
	switch e.Expected {
	case "list":
		return "Expected list or null"
	case "structure", "map":
		return "Expected null"
	}
	switch e.Got.(type) {
	case string:
		return "STRING_VALUE can not be converted to " + javaType(e.Expected)
	case json.Number, float64, int64, int:
		return "NUMBER_VALUE can not be converted to " + javaType(e.Expected)
	}
	return e.Error()
}

// javaType names a shape type as AWS's messages do, with its article.
func javaType(kind string) string {
	switch kind {
	case "string":
		return "a String"
	case "integer":
		return "an Integer"
	case "long":
		return "a Long"
	case "double":
		return "a Double"
	case "boolean":
		return "a Boolean"
	case "timestamp":
		return "a Date"
	case "blob":
		return "a ByteBuffer"
	}
	return "a " + kind
}

// kindNames names shape kinds in TypeError.Expected.
var kindNames = [...]string{
	model.String:    "string",
	model.Integer:   "integer",
	model.Long:      "long",
	model.Boolean:   "boolean",
	model.Timestamp: "timestamp",
	model.Structure: "structure",
	model.List:      "list",
	model.Map:       "map",
	model.Blob:      "blob",
	model.Double:    "double",
}

func (v *validator) typeError(sh *model.Shape, got any) error {
	exp := "value"
	if int(sh.Kind) < len(kindNames) && kindNames[sh.Kind] != "" {
		exp = kindNames[sh.Kind]
	}
	return &TypeError{Path: v.path(), Expected: exp, Got: got}
}

// describe names a decoded JSON value's type, with short scalars quoted.
func describe(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		if len(x) > 40 {
			return "a string"
		}
		return "string " + strconv.Quote(x)
	case json.Number:
		if len(x) > 40 {
			return "a number"
		}
		return "number " + string(x)
	case float64, int64, int:
		return "a number"
	case bool:
		return "boolean " + strconv.FormatBool(x)
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	}
	return "an unexpected value"
}

// toInt converts a JSON number (json.Number; a fraction is truncated toward
// zero, as AWS's TruncatingBigNumber does), a string holding a decimal
// integer, or a Go integer to int64, within the range of Java's int
// (Integer) or long (Long).
func toInt(raw any, kind model.Kind) (int64, bool) {
	var n int64
	switch x := raw.(type) {
	case json.Number:
		i, err := strconv.ParseInt(string(x), 10, 64)
		if err != nil {
			f, ferr := strconv.ParseFloat(string(x), 64)
			if ferr != nil || !(f > -1<<63 && f < 1<<63) {
				return 0, false
			}
			i = int64(f) // truncates toward zero
		}
		n = i
	case string:
		i, err := strconv.ParseInt(x, 10, 64)
		if err != nil {
			return 0, false
		}
		n = i
	case int64:
		n = x
	case int:
		n = int64(x)
	case float64:
		if !(x > -1<<63 && x < 1<<63) {
			return 0, false
		}
		n = int64(x)
	default:
		return 0, false
	}
	if kind == model.Integer && (n < math.MinInt32 || n > math.MaxInt32) {
		return 0, false
	}
	return n, true
}

// toFloat converts a JSON number, a numeric string (or "NaN", "Infinity",
// "-Infinity", as AWS's JSON protocols write them) or a Go number.
func toFloat(raw any) (float64, bool) {
	switch x := raw.(type) {
	case json.Number:
		f, err := strconv.ParseFloat(string(x), 64)
		return f, err == nil
	case string:
		switch x {
		case "NaN":
			return math.NaN(), true
		case "Infinity":
			return math.Inf(1), true
		case "-Infinity":
			return math.Inf(-1), true
		}
		if strings.ContainsAny(x, "nN") { // no "nan", "inf" spellings
			return 0, false
		}
		f, err := strconv.ParseFloat(x, 64)
		return f, err == nil
	case float64:
		return x, true
	case int64:
		return float64(x), true
	case int:
		return float64(x), true
	}
	return 0, false
}

// toTime converts epoch seconds (a JSON number or numeric string, with an
// optional fraction or exponent, e.g. 1.413836234607E9) or an ISO 8601
// string to a UTC time.
func toTime(raw any) (time.Time, bool) {
	var s string
	switch x := raw.(type) {
	case json.Number:
		s = string(x)
	case string:
		s = x
	case time.Time:
		return x.UTC(), true
	case float64:
		s = strconv.FormatFloat(x, 'f', -1, 64)
	case int64:
		return time.Unix(x, 0).UTC(), true
	case int:
		return time.Unix(int64(x), 0).UTC(), true
	default:
		return time.Time{}, false
	}
	if t, ok := epochSeconds(s); ok {
		return t, true
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999Z0700"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// epochSeconds parses a decimal number of seconds exactly, to the
// nanosecond (digits beyond are truncated).
func epochSeconds(s string) (time.Time, bool) {
	neg := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	mant, exp := s, 0
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		e, err := strconv.Atoi(s[i+1:])
		if err != nil || e > 40 || e < -40 {
			return time.Time{}, false
		}
		mant, exp = s[:i], e
	}
	intPart, frac, _ := strings.Cut(mant, ".")
	if intPart == "" && frac == "" {
		return time.Time{}, false
	}
	digits := intPart + frac
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return time.Time{}, false
		}
	}
	point := len(intPart) + exp // digits before the decimal point
	var whole, fracDigits string
	switch {
	case point <= 0:
		whole, fracDigits = "0", strings.Repeat("0", -point)+digits
	case point >= len(digits):
		whole, fracDigits = digits+strings.Repeat("0", point-len(digits)), ""
	default:
		whole, fracDigits = digits[:point], digits[point:]
	}
	whole = strings.TrimLeft(whole, "0")
	if whole == "" {
		whole = "0"
	}
	if len(whole) > 12 { // beyond year 30000: not a timestamp
		return time.Time{}, false
	}
	sec, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	if len(fracDigits) > 9 {
		fracDigits = fracDigits[:9]
	}
	var nsec int64
	if fracDigits != "" {
		n, _ := strconv.ParseInt(fracDigits, 10, 64)
		for i := len(fracDigits); i < 9; i++ {
			n *= 10
		}
		nsec = n
	}
	if neg {
		sec, nsec = -sec, -nsec
	}
	return time.Unix(sec, nsec).UTC(), true
}

// toBlob decodes a base64 string.
func toBlob(raw any) ([]byte, bool) {
	switch x := raw.(type) {
	case string:
		if b, err := base64.StdEncoding.DecodeString(x); err == nil {
			return b, true
		}
		b, err := base64.RawStdEncoding.DecodeString(x)
		return b, err == nil
	case []byte:
		return x, true
	}
	return nil, false
}
