package main

import (
	"os"
	"strings"
	"testing"
)

// TestConfigurationReference fails when the generated reference in
// docs/CONFIGURATION.md is out of date with flagSpecs. With
// COGNITOD_UPDATE_CONFIG_DOC=1 (go generate ./cmd/cognitod) it rewrites it.
func TestConfigurationReference(t *testing.T) {
	b, err := os.ReadFile(configDocPath)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	i := strings.Index(doc, configDocBegin)
	j := strings.Index(doc, configDocEnd)
	if i < 0 || j < i {
		t.Fatalf("%s: the markers %q and %q are missing", configDocPath, configDocBegin, configDocEnd)
	}
	head, body, tail := doc[:i+len(configDocBegin)], doc[i+len(configDocBegin):j], doc[j:]
	want := "\n" + configReference()
	if body == want {
		return
	}
	if os.Getenv("COGNITOD_UPDATE_CONFIG_DOC") == "1" {
		if err := os.WriteFile(configDocPath, []byte(head+want+tail), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("rewrote the reference in %s", configDocPath)
		return
	}
	t.Fatalf("%s is out of date with flagSpecs; run: go generate ./cmd/cognitod", configDocPath)
}

// TestConfigurationReferenceRows: every flag has its row, with its
// environment variable and config key.
func TestConfigurationReferenceRows(t *testing.T) {
	ref := configReference()
	for _, f := range flagSpecs {
		row := "| `--" + f.name + " "
		i := strings.Index(ref, row)
		if i < 0 {
			t.Fatalf("no row for --%s", f.name)
		}
		line := ref[i : i+strings.IndexByte(ref[i:], '\n')]
		if !strings.Contains(line, "`"+f.env+"`") || !strings.Contains(line, "| `"+f.name+"` |") {
			t.Fatalf("row of --%s lacks its environment variable or config key: %s", f.name, line)
		}
		if strings.Count(line, " | ") != 4 {
			t.Fatalf("row of --%s does not have 5 cells: %s", f.name, line)
		}
	}
}
