package tokens

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

func jwksKIDs(t *testing.T, k *Keyring) []string {
	t.Helper()
	raw, err := k.JWKS(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(raw, &set); err != nil {
		t.Fatal(err)
	}
	kids := []string{}
	for _, key := range set.Keys {
		kids = append(kids, key.KeyID)
	}
	return kids
}

func TestRotate(t *testing.T) {
	st := newFakeStore()
	k := newKeyring(t, st)
	clock := testNow
	k.now = func() time.Time { return clock }
	ctx := context.Background()

	claims := testClaims(clock)
	claims["exp"] = clock.Add(MaxTokenLifetime).Unix()
	old := sign(t, k, "us-east-1", claims)
	sign(t, k, "eu-west-1", testClaims(clock))

	// Every region with a key rotates; the retired key keeps verifying.
	clock = clock.Add(time.Minute)
	rotatedAt := clock
	got, err := k.Rotate(ctx, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []Rotation{{Region: "eu-west-1", Retired: "eu-west-1-1", Current: "eu-west-1-2"}, {Region: "us-east-1", Retired: "us-east-1-1", Current: "us-east-1-2"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Rotate = %+v, want %+v", got, want)
	}
	if kid := kidOf(t, sign(t, k, "us-east-1", testClaims(clock))); kid != "us-east-1-2" {
		t.Errorf("after rotation signs with %s", kid)
	}
	if _, err := k.Verify(ctx, old, clock.Add(time.Hour)); err != nil {
		t.Errorf("token of the retired key: %v", err)
	}
	if kids := jwksKIDs(t, k); !reflect.DeepEqual(kids, []string{"eu-west-1-1", "eu-west-1-2", "us-east-1-1", "us-east-1-2"}) {
		t.Errorf("JWKS after rotation: %v", kids)
	}

	// A young key is left alone by a scheduled rotation; an old one is not.
	got, err = k.Rotate(ctx, []string{"us-east-1"}, time.Hour)
	if err != nil || len(got) != 1 || !got[0].Skipped || got[0].Current != "us-east-1-2" || got[0].Retired != "" {
		t.Fatalf("Rotate(young key) = %+v, %v", got, err)
	}
	clock = clock.Add(2 * time.Hour)
	got, err = k.Rotate(ctx, []string{"us-east-1"}, time.Hour)
	if err != nil || len(got) != 1 || got[0].Skipped || got[0].Retired != "us-east-1-2" || got[0].Current != "us-east-1-3" {
		t.Fatalf("Rotate(old key) = %+v, %v", got, err)
	}

	// A region with no key gets its first.
	got, err = k.Rotate(ctx, []string{"ap-south-1"}, time.Hour)
	if err != nil || len(got) != 1 || got[0].Retired != "" || got[0].Current != "ap-south-1-1" {
		t.Fatalf("Rotate(new region) = %+v, %v", got, err)
	}
	if _, err := k.Rotate(ctx, []string{"Not A Region"}, 0); err == nil {
		t.Error("bad region rotated")
	}

	infos, err := k.Keys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var first KeyInfo
	for _, ki := range infos {
		if ki.KID == "us-east-1-1" {
			first = ki
		}
	}
	if !first.Retired.Equal(rotatedAt) || !first.PublishedUntil.Equal(rotatedAt.Add(RetiredKeyLifetime)) {
		t.Errorf("Keys: us-east-1-1 = %+v", first)
	}
	if len(infos) != 6 || infos[0].Region != "ap-south-1" || !infos[len(infos)-1].Retired.IsZero() {
		t.Errorf("Keys = %+v", infos)
	}

	// Once its last token has expired, the retired key is gone from the
	// JWKS and refused.
	clock = rotatedAt.Add(RetiredKeyLifetime)
	if _, err := k.Verify(ctx, old, clock); !errors.Is(err, ErrTokenInvalid) && !errors.Is(err, ErrTokenExpired) {
		t.Errorf("retired key's token after RetiredKeyLifetime: %v", err)
	}
	for _, kid := range jwksKIDs(t, k) {
		if kid == "us-east-1-1" || kid == "eu-west-1-1" {
			t.Errorf("JWKS still has %s", kid)
		}
	}
}

// TestRotateSeenByOtherProcess: a process that did not rotate switches to
// the new key within ReloadInterval, and a token it signed with the retired
// key just before still verifies for its whole life.
func TestRotateSeenByOtherProcess(t *testing.T) {
	st := newFakeStore()
	clock := testNow
	a, b := newKeyring(t, st), newKeyring(t, st)
	a.now = func() time.Time { return clock }
	b.now = func() time.Time { return clock }
	ctx := context.Background()
	sign(t, a, "us-east-1", testClaims(clock))
	sign(t, b, "us-east-1", testClaims(clock)) // b now caches us-east-1-1

	if _, err := a.Rotate(ctx, nil, 0); err != nil {
		t.Fatal(err)
	}
	retired := clock
	// Within ReloadInterval b may still sign with the retired key...
	clock = clock.Add(ReloadInterval / 2)
	claims := testClaims(clock)
	claims["exp"] = clock.Add(MaxTokenLifetime).Unix()
	late := sign(t, b, "us-east-1", claims)
	if kid := kidOf(t, late); kid != "us-east-1-1" {
		t.Fatalf("b signed with %s before reloading", kid)
	}
	// ...and that token verifies, on a, until it expires.
	if _, err := a.Verify(ctx, late, clock.Add(MaxTokenLifetime)); err != nil {
		t.Errorf("late token of the retired key at its expiry: %v", err)
	}
	if !retired.Add(RetiredKeyLifetime).After(clock.Add(MaxTokenLifetime + clockSkew)) {
		t.Error("RetiredKeyLifetime does not cover a token signed before the reload")
	}
	// After ReloadInterval b rereads the keys and signs with the new one.
	clock = retired.Add(ReloadInterval + time.Second)
	if kid := kidOf(t, sign(t, b, "us-east-1", testClaims(clock))); kid != "us-east-1-2" {
		t.Errorf("b signs with %s after ReloadInterval", kid)
	}
}

func TestDiscovery(t *testing.T) {
	k := newKeyring(t, newFakeStore())
	var doc map[string]any
	if err := json.Unmarshal(k.Discovery(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc["issuer"] != testIssuer || doc["jwks_uri"] != testIssuer+"/.well-known/jwks_uri" ||
		!reflect.DeepEqual(doc["id_token_signing_alg_values_supported"], []any{"RS512"}) {
		t.Errorf("discovery document %v", doc)
	}
}
