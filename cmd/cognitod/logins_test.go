package main

import (
	"io"
	"testing"

	"github.com/cognitod/cognitod/internal/server"
	"github.com/cognitod/cognitod/internal/trust"
)

func TestLoginsFlags(t *testing.T) {
	env := func(vars map[string]string) func(string) string {
		return func(k string) string { return vars[k] }
	}
	for _, tc := range []struct {
		args []string
		vars map[string]string
		want trust.Mode
	}{
		{nil, nil, trust.ModeVerify},
		{[]string{"--auth", "any"}, nil, trust.ModeTrust},
		{[]string{"--auth", "any", "--logins", "verify"}, nil, trust.ModeVerify},
		{nil, map[string]string{"COGNITOD_LOGINS": "trust"}, trust.ModeTrust},
		{[]string{"--logins", "verify"}, map[string]string{"COGNITOD_LOGINS": "trust"}, trust.ModeVerify},
	} {
		c, err := parseConfig(tc.args, env(tc.vars), io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		if got := server.LoginsMode(&server.Options{Auth: c.Auth, Logins: c.Logins}); got != tc.want {
			t.Errorf("%v %v: logins %s, want %s", tc.args, tc.vars, got, tc.want)
		}
	}
	c, err := parseConfig(nil, env(map[string]string{"COGNITOD_LOGINS_CONFIG": "/etc/cognitod/logins.json"}), io.Discard)
	if err != nil || c.LoginsConfig != "/etc/cognitod/logins.json" {
		t.Fatalf("COGNITOD_LOGINS_CONFIG: %v %v", c, err)
	}
	if _, err := parseConfig([]string{"--logins", "maybe"}, env(nil), io.Discard); err == nil {
		t.Error("--logins maybe accepted")
	}
}
