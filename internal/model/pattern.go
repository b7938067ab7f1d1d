package model

import "strings"

// Java's predefined classes where they differ from RE2's: Java's \s also
// matches the vertical tab, and Java's '.' (without DOTALL) stops at every
// line terminator, not only '\n'.
const (
	javaSpace    = `\t\n\x0B\f\r `
	javaNotSpace = `[^` + javaSpace + `]`
	javaDot      = `[^\n\r\x{85}\x{2028}\x{2029}]`
)

// JavaPattern rewrites a model pattern, written for java.util.regex, into
// an RE2 (regexp package) pattern that matches the same strings: \s, \S and
// '.' are expanded to Java's definitions. Everything else the models use
// (\w, \d, \p{..}, classes, groups, quantifiers) means the same in both.
func JavaPattern(p string) string {
	if !strings.ContainsAny(p, `\.`) {
		return p
	}
	var b strings.Builder
	inClass := false
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '\\' && i+1 < len(p):
			n := p[i+1]
			i++
			switch {
			case n == 's' && inClass:
				b.WriteString(javaSpace)
			case n == 's':
				b.WriteString(`[` + javaSpace + `]`)
			case n == 'S' && !inClass:
				b.WriteString(javaNotSpace)
			default:
				// In a class, \S cannot be expanded (RE2 has no class
				// intersection); RE2's \S differs from Java's only on \x0B.
				b.WriteByte('\\')
				b.WriteByte(n)
			}
		case inClass:
			if c == ']' {
				inClass = false
			}
			b.WriteByte(c)
		case c == '[':
			// "[\S]", a class holding only \S, is Java's \S.
			if strings.HasPrefix(p[i:], `[\S]`) {
				b.WriteString(javaNotSpace)
				i += len(`[\S]`) - 1
				continue
			}
			inClass = true
			b.WriteByte(c)
			// A ']' first in a class (after an optional '^') is literal.
			if i+1 < len(p) && p[i+1] == '^' {
				b.WriteByte('^')
				i++
			}
			if i+1 < len(p) && p[i+1] == ']' {
				b.WriteByte(']')
				i++
			}
		case c == '.':
			b.WriteString(javaDot)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
