package awsproto

import "time"

// Input is a request's members after model validation and normalisation
// (see internal/validate): strings, int64, float64, bool, time.Time, []byte,
// []any, map[string]any. Accessors return zero values for absent members, so
// handlers only ask whether a member was sent when the answer matters.
type Input map[string]any

// Has reports whether member k was sent.
func (in Input) Has(k string) bool { _, ok := in[k]; return ok }

// Str returns string member k.
func (in Input) Str(k string) string { s, _ := in[k].(string); return s }

// Int returns integer member k, or def when absent.
func (in Input) Int(k string, def int64) int64 {
	if v, ok := in[k].(int64); ok {
		return v
	}
	return def
}

// Bool returns boolean member k and whether it was sent.
func (in Input) Bool(k string) (v, ok bool) { v, ok = in[k].(bool); return }

// Time returns timestamp member k.
func (in Input) Time(k string) time.Time { t, _ := in[k].(time.Time); return t }

// Struct returns structure member k (nil when absent).
func (in Input) Struct(k string) Input {
	m, _ := in[k].(map[string]any)
	return m
}

// List returns list member k.
func (in Input) List(k string) []any { l, _ := in[k].([]any); return l }

// StrList returns a list of strings member k (nil when absent).
func (in Input) StrList(k string) []string {
	l := in.List(k)
	if l == nil {
		return nil
	}
	out := make([]string, 0, len(l))
	for _, v := range l {
		s, _ := v.(string)
		out = append(out, s)
	}
	return out
}

// StrMap returns a map of strings member k (nil when absent).
func (in Input) StrMap(k string) map[string]string {
	m, ok := in[k].(map[string]any)
	if !ok {
		return nil
	}
	out := make(map[string]string, len(m))
	for key, v := range m {
		s, _ := v.(string)
		out[key] = s
	}
	return out
}
