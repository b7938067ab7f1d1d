package identity

import (
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/cognitod/cognitod/internal/store"
)

// TestIdentitiesPageJSON: the page's own encoder writes, byte for byte,
// what encoding/json writes for the struct it stands for, whatever the
// identities, logins, timestamps and strings hold.
func TestIdentitiesPageJSON(t *testing.T) {
	at := time.Date(2026, 11, 23, 19, 0, 0, 123_000_000, time.UTC)
	login := func(p string) *store.Login { return &store.Login{Provider: p, Subject: "s"} }
	token := "tok+/=\"<&>\u2028"
	cases := []*identitiesPage{
		{IdentityPoolId: "us-east-1:p"},
		{IdentityPoolId: "us-east-1:p", NextToken: &token, Identities: []*store.Identity{
			{ID: "us-east-1:a", CreatedAt: at, ModifiedAt: at.Add(877 * time.Millisecond)},
			{ID: "us-east-1:b", CreatedAt: time.Unix(1795457043, 0), ModifiedAt: time.Unix(1795457043, 500_000_000),
				Logins: []*store.Login{login("graph.facebook.com"), login("accounts.google.com"), login("graph.facebook.com")}},
			{ID: "us-east-1:c"}, // zero times are left out
			{ID: "us-east-1:d", CreatedAt: time.Unix(-5, -250_000_000), ModifiedAt: at,
				Logins: []*store.Login{login("cognito-idp.us-east-1.amazonaws.com/us-east-1_Ab12"), login("x\x01\"\\é\xff")}},
		}},
	}
	for k, p := range cases {
		want := struct {
			IdentityPoolId string        `json:"IdentityPoolId"`
			Identities     []identityOut `json:"Identities"`
			NextToken      *string       `json:"NextToken"`
		}{IdentityPoolId: p.IdentityPoolId, Identities: []identityOut{}, NextToken: p.NextToken}
		for _, i := range p.Identities {
			want.Identities = append(want.Identities, describe(i))
		}
		wb, err := json.Marshal(want)
		if err != nil {
			t.Fatal(err)
		}
		if got := p.AppendJSON(nil); string(got) != string(wb) {
			t.Errorf("case %d:\n got %s\nwant %s", k, got, wb)
		}
	}
}

// TestPageAnswersBound: what is kept is counted by the buffers it holds,
// not the bytes written in them, so the bound holds in memory; past it,
// the kept answers start over.
func TestPageAnswersBound(t *testing.T) {
	pa := newPageAnswers()
	body := make(encoded, 10, 64<<10) // a short answer in a large buffer
	n := 0
	for k := range maxPageAnswerBytes / (64 << 10) * 2 {
		pa.put(1, pageKey{pool: "us-east-1:p", after: strconv.Itoa(k), limit: 60}, &pageAnswer{body: body})
		if pa.bytes > maxPageAnswerBytes {
			t.Fatalf("%d bytes kept, bound %d", pa.bytes, maxPageAnswerBytes)
		}
		n = len(pa.answers)
	}
	if n >= maxPageAnswerBytes/(64<<10) {
		t.Errorf("%d answers of a 64 KiB buffer each kept under a %d-byte bound", n, maxPageAnswerBytes)
	}
}
