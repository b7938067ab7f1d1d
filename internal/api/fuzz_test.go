package api

import (
	"net/http"
	"strings"
	"testing"

	"github.com/cognitod/cognitod/internal/awsproto"
	"github.com/cognitod/cognitod/internal/model"
	"github.com/cognitod/cognitod/internal/validate"
)

// FuzzJSON11Decode feeds arbitrary bodies through the JSON 1.1 decoder and
// the validation of every operation of both services: whatever the bytes,
// the answer is an input or an *awsproto.Error / violations, never a panic.
func FuzzJSON11Decode(f *testing.F) {
	for _, s := range []string{`{}`, `{"MaxResults": "2"}`, `{"IdentityPoolId":"us-east-1:abc","MaxResults":10}`,
		`{"Logins":{"a":"b"}}`, `{"RecordPatches":[{"Op":"replace","Key":"k","SyncCount":1}]}`, `[`, `null`, `{"a":1e999}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		m, err := awsproto.DecodeBody(body)
		if err != nil {
			if _, ok := err.(*awsproto.Error); !ok {
				t.Fatalf("DecodeBody error %T is not an *awsproto.Error", err)
			}
			return
		}
		for _, svc := range []*model.Service{model.CognitoIdentity, model.CognitoSync} {
			for _, op := range svc.Operations {
				validate.Input(svc, op, m)
			}
		}
	})
}

// FuzzRestJSON feeds arbitrary rest-json requests (method, path, query,
// body) through routing, input assembly and validation.
func FuzzRestJSON(f *testing.F) {
	f.Add("GET", "/identitypools", "maxResults=2&nextToken=abc", "")
	f.Add("POST", "/identitypools/us-east-1%3Aabc/identities/us-east-1%3Adef/datasets/ds", "", `{"SyncSessionToken":"x","RecordPatches":[]}`)
	f.Add("GET", "/identitypools/x/identities/y/datasets/z/records", "lastSyncCount=-1&maxResults=abc", "")
	f.Add("DELETE", "/identitypools/%zz/identities/y/datasets/z/subscriptions/d", "", "")
	rt := newRestRouter(model.CognitoSync)
	f.Fuzz(func(t *testing.T, method, path, query, body string) {
		if !strings.HasPrefix(path, "/") || strings.ContainsAny(path, " ?#\r\n") || strings.ContainsAny(query, " #\r\n") {
			return
		}
		r, err := http.NewRequest(method, "http://x"+path+"?"+query, nil)
		if err != nil {
			return // not a request a client could send
		}
		op, labels := rt.match(r.Method, r.URL.EscapedPath())
		if op == nil {
			return
		}
		in, err := restInput(model.CognitoSync, op, r, []byte(body), labels)
		if err != nil {
			return
		}
		validate.Input(model.CognitoSync, op, in)
	})
}
