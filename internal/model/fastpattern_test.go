package model

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// patternShapes is every shape of both services with a pattern.
func patternShapes() []*Shape {
	var out []*Shape
	for _, svc := range []*Service{CognitoIdentity, CognitoSync} {
		for _, sh := range svc.Shapes {
			if sh.Pattern != "" {
				out = append(out, sh)
			}
		}
	}
	return out
}

// samples are strings near a pattern's edges: built from the characters the
// model patterns mention, plus whitespace, separators, non-ASCII letters,
// symbols and invalid UTF-8.
func samples(r *rand.Rand, n int) []string {
	alphabet := []string{"a", "Z", "0", "9", "_", "-", ":", ".", "/", ";", "@", "=", "+", ",", " ", "\t", "\n", "\x0b",
		"\x85", "é", "名", "€", "\u2028", "\xff", "f", "arn", "aws", "us-east-1", "un", "authenticated"}
	out := []string{"", "x", "us-east-1:0b6e5a3c-2f1d-4c8e-9a7b-1d2e3f4a5b6c", "authenticated", "unauthenticated"}
	for range n {
		var b strings.Builder
		for range r.IntN(12) {
			b.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		out = append(out, b.String())
	}
	return out
}

// TestMatchPattern: MatchPattern answers as the regexp does for every
// pattern of both models, whether or not it has a fast matcher; and the
// patterns of the IDs and tokens on every request do have one.
func TestMatchPattern(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	strs := samples(r, 20000)
	fast := map[string]bool{}
	for _, sh := range patternShapes() {
		sh.compile()
		fast[sh.Pattern] = sh.fast != nil
		for _, s := range strs {
			if got, want := sh.MatchPattern(s), sh.Regexp().MatchString(s); got != want {
				t.Errorf("pattern %q, %q: MatchPattern %v, regexp %v", sh.Pattern, s, got, want)
			}
		}
	}
	for _, p := range []string{`[\w-]+:[0-9a-f-]+`, `[\S]+`, `\d+`, `[\w._-]+`} {
		if !fast[p] {
			t.Errorf("pattern %q has no fast matcher", p)
		}
	}
	for _, p := range []string{`(un)?authenticated`, `arn:aws:iam::\d+:role/.*`} {
		if fast[p] {
			t.Errorf("pattern %q has a fast matcher; it needs the regexp", p)
		}
	}
}

// FuzzMatchPattern: for any string, MatchPattern and the regexp agree on
// every pattern of both models.
func FuzzMatchPattern(f *testing.F) {
	for _, s := range samples(rand.New(rand.NewPCG(3, 4)), 50) {
		f.Add(s)
	}
	shapes := patternShapes()
	f.Fuzz(func(t *testing.T, s string) {
		for _, sh := range shapes {
			if got, want := sh.MatchPattern(s), sh.Regexp().MatchString(s); got != want {
				t.Fatalf("pattern %q, %q: MatchPattern %v, regexp %v", sh.Pattern, s, got, want)
			}
		}
	})
}

func BenchmarkMatchPattern(b *testing.B) {
	token := strings.Repeat("AXs/6bu6sAgc0aoPQIyM+rJ7euMu", 7)
	for _, c := range []struct{ name, pattern, v string }{
		{"PoolId", `[\w-]+:[0-9a-f-]+`, "us-east-1:0b6e5a3c-2f1d-4c8e-9a7b-1d2e3f4a5b6c"},
		{"NextToken", `[\S]+`, token},
	} {
		sh := &Shape{Pattern: c.pattern}
		b.Run(c.name+"/fast", func(b *testing.B) {
			for b.Loop() {
				sh.MatchPattern(c.v)
			}
		})
		b.Run(c.name+"/regexp", func(b *testing.B) {
			for b.Loop() {
				sh.Regexp().MatchString(c.v)
			}
		})
	}
}
