package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestVersion(t *testing.T) {
	var out bytes.Buffer
	if err := run([]string{"version"}, &out, &out); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	if !strings.HasPrefix(s, "cognitod ") || !strings.Contains(s, "go1.") || !strings.Contains(s, "github.com/cognitod/cognitod") {
		t.Fatalf("version output:\n%s", s)
	}
}
