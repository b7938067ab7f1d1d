package main

import (
	"io"
	"os"
	"path/filepath"
	"testing"
)

func TestThrottleFlag(t *testing.T) {
	env := func(string) string { return "" }
	c, err := parseConfig(nil, env, io.Discard)
	if err != nil || c.Throttle != "off" {
		t.Fatalf("default --throttle: %q, %v", c.Throttle, err)
	}
	if c, err := parseConfig(nil, func(k string) string {
		if k == "COGNITOD_THROTTLE" {
			return "aws"
		}
		return ""
	}, io.Discard); err != nil || c.Throttle != "aws" {
		t.Errorf("COGNITOD_THROTTLE=aws: %v, %v", c, err)
	}
	good := filepath.Join(t.TempDir(), "limits")
	os.WriteFile(good, []byte("cognito-identity GetId 5\n"), 0o600)
	if _, err := parseConfig([]string{"--throttle", good}, env, io.Discard); err != nil {
		t.Errorf("--throttle FILE: %v", err)
	}
	bad := filepath.Join(t.TempDir(), "bad")
	os.WriteFile(bad, []byte("cognito-identity NoSuchOp 5\n"), 0o600)
	for _, spec := range []string{bad, "azure", filepath.Join(t.TempDir(), "missing")} {
		if _, err := parseConfig([]string{"--throttle", spec}, env, io.Discard); err == nil {
			t.Errorf("--throttle %s accepted", spec)
		}
	}
}
