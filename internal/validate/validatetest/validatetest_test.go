package validatetest

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestJavaMapOrder checks the HashMap iteration order against a message AWS
// sent (EventBridge, keys sent as "Quem foi?", "o que?", "de onde?") and
// across a resize.
func TestJavaMapOrder(t *testing.T) {
	m := map[string]any{"Quem foi?": 1, "o que?": 2, "de onde?": 3}
	if got, want := javaMapOrder(m), []string{"de onde?", "Quem foi?", "o que?"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	big := map[string]any{}
	for _, k := range strings.Fields("a b c d e f g h i j k l m") {
		big[k] = nil
	}
	if got := strings.Join(javaMapOrder(big), ""); got != "abcdefghijklm" {
		t.Errorf("order %q", got)
	}
	big["p"], big["P"] = nil, nil // both in bucket 16 of 32
	if got := strings.Join(javaMapOrder(big), ""); got != "abcdefghijklmPp" {
		t.Errorf("order %q", got)
	}
}

func TestCases(t *testing.T) {
	for _, svc := range Services {
		m := Load(t, svc)
		cases := m.Cases(t)
		if len(cases) < 100 {
			t.Fatalf("%s: only %d cases", svc, len(cases))
		}
		seen := map[string]bool{}
		for _, c := range cases {
			id := c.Op.Name + "/" + c.Name
			if seen[id] {
				t.Errorf("%s: duplicate case %s", svc, id)
			}
			seen[id] = true
			if len(c.Want) == 0 || c.Body == nil || c.Kind == "" {
				t.Errorf("%s: incomplete case %+v", svc, c)
			}
			for _, w := range c.Want {
				regexp.MustCompile(w)
			}
			regexp.MustCompile(c.MessageRE())
		}
	}
	// The message joins sentences as AWS does.
	c := &Case{frags: []string{"a", "b"}}
	if c.MatchMessage("2 validation errors detected: a; b") != nil || c.MatchMessage("2 validation errors detected: a; bb") == nil {
		t.Error("MatchMessage with two sentences")
	}
	c = &Case{frags: []string{"a"}}
	if c.MatchMessage("1 validation error detected: a") != nil || c.MatchMessage("1 validation errors detected: a") == nil {
		t.Error("MatchMessage with one sentence")
	}
}
