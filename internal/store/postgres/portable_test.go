package postgres

import (
	"go/scanner"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// unportable lists SQL that PostgreSQL 15 accepts and CockroachDB does not
// (or runs differently), with the reason. docs/SCALING.md lists what the
// store does use and why each construct is accepted by both.
var unportable = []struct {
	re, why string
}{
	{`(?i)\bpg_advisory`, "CockroachDB has no advisory locks: lock a row (see migrate)"},
	{`(?i)\bCOLLATE\b`, "CockroachDB's collated strings do not compare with plain strings: store BYTEA"},
	{`(?i)\bINCLUDE\s*\(`, "covering columns are STORING in CockroachDB: list them in the index"},
	{`(?i)\b(BIG|SMALL)?SERIAL\b|\bSEQUENCE\b|\bnextval\b`, "sequences are a contention point in CockroachDB; IDs are random"},
	{`(?i)\bLIMIT\s+(ALL|NULL)\b`, "say no limit with the largest BIGINT"},
	{`(?i)\bON\s+CONFLICT\s+ON\s+CONSTRAINT\b`, "name the conflict columns instead"},
	{`(?i)\bLOCK\s+TABLE\b`, "CockroachDB has no LOCK TABLE"},
	{`(?i)\bCREATE\s+(OR\s+REPLACE\s+)?(TRIGGER|FUNCTION|RULE)\b|\bCREATE\s+EXTENSION\b`, "no triggers, functions or extensions"},
	{`(?i)::\s*(regclass|oid|text\[\])|\bctid\b|\bxmin\b`, "PostgreSQL internals"},
	{`(?i)\bDEFERRABLE\b`, "CockroachDB does not defer constraints"},
	{`(?i)\bFOR\s+(NO\s+KEY\s+UPDATE|KEY\s+SHARE)\b|\bSKIP\s+LOCKED\b|\bNOWAIT\b`, "only plain FOR UPDATE is used"},
	{`(?i)\bTEXT\b|\bVARCHAR\b`, "strings are BYTEA (byte order without collations)"},
	{`(?i)\bTIMESTAMP(TZ)?\b|\bnow\(\)`, "times are BIGINT nanoseconds from the node's clock"},
}

// TestPortableSQL reads every string literal of the package's source and
// fails on SQL that CockroachDB would refuse or run differently. It is a
// lint, not a CockroachDB: docs/SCALING.md says how to run the suite on one.
func TestPortableSQL(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	sqlish := regexp.MustCompile(`(?i)\b(SELECT|INSERT|UPDATE|DELETE|CREATE|BEGIN|COMMIT|ROLLBACK)\b`)
	checked := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		fset := token.NewFileSet()
		var s scanner.Scanner
		s.Init(fset.AddFile(f, -1, len(src)), src, nil, 0)
		for {
			pos, tok, lit := s.Scan()
			if tok == token.EOF {
				break
			}
			if tok != token.STRING {
				continue
			}
			v, err := strconv.Unquote(lit)
			if err != nil || !sqlish.MatchString(v) {
				continue
			}
			// Comments in SQL are prose.
			var code []string
			for _, line := range strings.Split(v, "\n") {
				code = append(code, strings.SplitN(line, "--", 2)[0])
			}
			sql := strings.Join(code, "\n")
			checked++
			for _, u := range unportable {
				if m := regexp.MustCompile(u.re).FindString(sql); m != "" {
					t.Errorf("%s: %q: %s", fset.Position(pos), m, u.why)
				}
			}
		}
	}
	if checked < 50 {
		t.Fatalf("found only %d SQL strings", checked)
	}
}
