package validate

import (
	"bytes"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/cognitod/cognitod/internal/model"
)

// FuzzInput feeds arbitrary JSON, decoded as awsproto.DecodeBody decodes
// it, through Input for every operation of both services: Input must never
// panic, and its results must be consistent.
func FuzzInput(f *testing.F) {
	for _, seed := range []string{
		`{}`,
		`null`,
		`[1,2]`,
		`{"IdentityPoolName":"pool#name","AllowUnauthenticatedIdentities":true}`,
		`{"IdentityPoolId":"us-east-1:0123","MaxResults":"2","NextToken":"x","HideDisabled":"true"}`,
		`{"IdentityPoolId":"","Logins":{"":"","graph.facebook.com":null,"x":5}}`,
		`{"IdentityIdsToDelete":["a:0",null,7,{"a":1}]}`,
		`{"IdentityPoolId":"a:0","Roles":{"authenticated":"arn"},"RoleMappings":{"k":{"Type":"Rules","RulesConfiguration":{"Rules":[{"Claim":"c","MatchType":"Equals","Value":"v","RoleARN":"arn:aws:iam::1:role/r"},{}]}}}}`,
		`{"IdentityPoolId":"a:0","IdentityId":"a:0","DatasetName":"d","SyncSessionToken":"s","RecordPatches":[{"Op":"replace","Key":"k","SyncCount":1.5,"DeviceLastModifiedDate":"2014-10-20T20:17:14Z"},{"DeviceLastModifiedDate":1e300}]}`,
		`{"IdentityPoolId":"a:0","PushSync":{"ApplicationArns":["arn:aws:sns:us-east-1:1:app/GCM/a"],"RoleArn":"arn:aws:iam::1:role/x"},"CognitoStreams":{"StreamingStatus":"ENABLED"}}`,
		`{"TokenDuration":-1e400,"MaxResults":1e19,"LastSyncCount":"-9223372036854775809"}`,
		`{"IdentityPoolTags":{"k":""},"Tags":{"":"v"},"TagKeys":[""],"PrincipalTags":{"a":"b"}}`,
	} {
		f.Add([]byte(seed))
	}
	services := []*model.Service{model.CognitoIdentity, model.CognitoSync}
	f.Fuzz(func(t *testing.T, data []byte) {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		var v any
		if dec.Decode(&v) != nil {
			return
		}
		body, _ := v.(map[string]any)
		for _, svc := range services {
			for _, name := range slices.Sorted(maps.Keys(svc.Operations)) {
				op := svc.Operations[name]
				out, vs, err := Input(svc, op, body)
				if err != nil {
					var te *TypeError
					if !errors.As(err, &te) || out != nil || vs != nil {
						t.Fatalf("%s: err %v with result %v, %v", name, err, out, vs)
					}
					continue
				}
				if out == nil {
					t.Fatalf("%s: nil result without an error", name)
				}
				sh := op.InputShape(svc)
				for k := range out {
					if sh.Member(k) == nil {
						t.Fatalf("%s: unknown member %q kept", name, k)
					}
				}
				msg := Message(vs)
				if (len(vs) == 0) != (msg == "") || len(vs) > 0 && !strings.Contains(msg, "validation error") {
					t.Fatalf("%s: message %q for %d violations", name, msg, len(vs))
				}
			}
		}
	})
}
