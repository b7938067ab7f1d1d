package trust_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/cognitod/cognitod/internal/trust"
	"github.com/cognitod/cognitod/internal/trust/trusttest"
)

// TestIssuerCacheKeepsRefetchBudget: junk tokens under 10,000 made-up
// user pool names (anyone who can name pools on a pool can send them) must
// not take the issuer cache from a real issuer: forged tokens for it (the
// right iss, a key it does not have) still get at most its refetch budget
// of JWKS fetches, a burst of 3.
func TestIssuerCacheKeepsRefetchBudget(t *testing.T) {
	is := trusttest.NewIssuer(t, "/us-east-1_Victim")
	const victim = "cognito-idp.us-east-1.amazonaws.com/us-east-1_Victim"
	cfg := mustConfig(t, `{"providers":{"`+victim+`":{"issuer":"`+is.URL+`"}}}`)
	r := trust.NewRegistry(cfg, nil, quiet)
	ctx := context.Background()
	now := time.Now()

	junk := trusttest.Unsigned("", map[string]any{"iss": "x"})
	for i := 0; i < 10000; i++ {
		name := fmt.Sprintf("cognito-idp.us-east-1.amazonaws.com/us-east-1_Fill%d", i)
		_, err := r.Verify(ctx, &trust.Login{Name: name, Kind: trust.UserPool, ClientIDs: []string{"c"}, Token: junk}, now)
		wantRefused(t, err, trust.MsgIssuerMismatch)
	}
	forger := trusttest.NewRSAKey()
	for i := 0; i < 30; i++ {
		tok := trusttest.SignRS256(forger, fmt.Sprintf("forged-%d", i), is.Claims("alice", "app1"))
		_, err := r.Verify(ctx, &trust.Login{Name: victim, Kind: trust.UserPool, ClientIDs: []string{"app1"}, Token: tok}, now)
		wantRefused(t, err, trust.MsgBadSignature)
	}
	if n := is.JWKSFetches.Load(); n > 3 {
		t.Fatalf("30 forged tokens made %d JWKS fetches (the budget is a burst of 3, then one per 10 s)", n)
	}
}
