package validate

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// TestRenderBound: a quoted value is cut past maxRendered, on a character
// boundary, with "..." to say so; below it, it is quoted whole.
func TestRenderBound(t *testing.T) {
	v := &validator{}
	small := []any{"a", "b"}
	if got := v.render(nil, small); got != "[a, b]" {
		t.Errorf("render %v = %q", small, got)
	}
	long := strings.Repeat("é", maxRendered) // two bytes each
	for _, val := range []any{long, []any{long}, map[string]any{"k": long}} {
		got := v.render(nil, val)
		if len(got) > maxRendered+len("...") || !strings.HasSuffix(got, "...") || !utf8.ValidString(got) {
			t.Errorf("render of a %d-byte value: %d bytes, ends %q, valid UTF-8 %v", 2*maxRendered, len(got), got[len(got)-8:], utf8.ValidString(got))
		}
	}
	many := make([]any, maxRendered)
	for i := range many {
		many[i] = "x"
	}
	if got := v.render(nil, many); len(got) > maxRendered+len("...") {
		t.Errorf("render of %d elements: %d bytes", len(many), len(got))
	}
}
