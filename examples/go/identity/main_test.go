package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/cognitod/cognitod/examples/go/internal/exampletest"
)

// TestRun runs the quickstart against an in-process cognitod and checks the
// lines docs/quickstart/go.md shows.
func TestRun(t *testing.T) {
	url := exampletest.Start(t)
	var out bytes.Buffer
	err := run(context.Background(), &out, Config{Endpoint: url, Region: "us-east-1",
		AccessKeyID: exampletest.AccessKeyID, SecretAccessKey: exampletest.SecretAccessKey, AccountID: exampletest.AccountID})
	if err != nil {
		t.Fatalf("%v\noutput so far:\n%s", err, out.String())
	}
	for _, want := range []string{
		"listed 3 identities in 2 pages",
		"pools in this account and region: 1",
		"before SetIdentityPoolRoles: InvalidIdentityPoolConfigurationException",
		"credentials: ASIA...",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
