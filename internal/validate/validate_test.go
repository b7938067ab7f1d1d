package validate

import (
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cognitod/cognitod/internal/model"
)

// decode parses a request body as awsproto.DecodeBody does.
func decode(t testing.TB, body string) map[string]any {
	t.Helper()
	if body == "" {
		return nil
	}
	dec := json.NewDecoder(strings.NewReader(body))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	return m
}

func identityOp(name string) *model.Operation { return model.CognitoIdentity.Operations[name] }
func syncOp(name string) *model.Operation     { return model.CognitoSync.Operations[name] }

func TestExactMessages(t *testing.T) {
	long := func(n int) string { return strings.Repeat("a", n) }
	tests := []struct {
		name string
		svc  *model.Service
		op   string
		body string
		want string
	}{
		{
			"pattern", model.CognitoIdentity, "CreateIdentityPool",
			`{"IdentityPoolName":"pool#name","AllowUnauthenticatedIdentities":true}`,
			`1 validation error detected: Value 'pool#name' at 'identityPoolName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w\s+=,.@-]+`,
		},
		{
			"integer minimum", model.CognitoIdentity, "ListIdentities",
			`{"IdentityPoolId":"us-east-1:0123","MaxResults":0}`,
			`1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1`,
		},
		{
			"integer maximum", model.CognitoIdentity, "ListIdentityPools",
			`{"MaxResults":61}`,
			`1 validation error detected: Value '61' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 60`,
		},
		{
			"long maximum", model.CognitoIdentity, "GetOpenIdTokenForDeveloperIdentity",
			`{"IdentityPoolId":"us-east-1:0123","Logins":{"login.example":"u"},"TokenDuration":86401}`,
			`1 validation error detected: Value '86401' at 'tokenDuration' failed to satisfy constraint: Member must have value less than or equal to 86400`,
		},
		{
			"required", model.CognitoIdentity, "DescribeIdentityPool", `{}`,
			`1 validation error detected: Value null at 'identityPoolId' failed to satisfy constraint: Member must not be null`,
		},
		{
			"empty body", model.CognitoIdentity, "DescribeIdentityPool", ``,
			`1 validation error detected: Value null at 'identityPoolId' failed to satisfy constraint: Member must not be null`,
		},
		{
			"null is absent", model.CognitoIdentity, "DescribeIdentityPool", `{"IdentityPoolId":null}`,
			`1 validation error detected: Value null at 'identityPoolId' failed to satisfy constraint: Member must not be null`,
		},
		{
			"required members in model order", model.CognitoIdentity, "UnlinkDeveloperIdentity", `{}`,
			`4 validation errors detected: ` +
				`Value null at 'identityId' failed to satisfy constraint: Member must not be null; ` +
				`Value null at 'identityPoolId' failed to satisfy constraint: Member must not be null; ` +
				`Value null at 'developerProviderName' failed to satisfy constraint: Member must not be null; ` +
				`Value null at 'developerUserIdentifier' failed to satisfy constraint: Member must not be null`,
		},
		{
			"length maximum", model.CognitoIdentity, "DescribeIdentity",
			`{"IdentityId":"us-east-1:` + strings.Repeat("0", 46) + `"}`,
			`1 validation error detected: Value 'us-east-1:` + strings.Repeat("0", 46) + `' at 'identityId' failed to satisfy constraint: Member must have length less than or equal to 55`,
		},
		{
			"length in code points", model.CognitoIdentity, "LookupDeveloperIdentity",
			`{"IdentityPoolId":"us-east-1:0123","DeveloperUserIdentifier":"` + strings.Repeat("é😀", 512) + `"}`,
			``,
		},
		{
			"length in code points, too long", model.CognitoIdentity, "LookupDeveloperIdentity",
			`{"IdentityPoolId":"us-east-1:0123","DeveloperUserIdentifier":"` + strings.Repeat("é😀", 512) + `x"}`,
			`1 validation error detected: Value '` + strings.Repeat("é😀", 512) + `x' at 'developerUserIdentifier' failed to satisfy constraint: Member must have length less than or equal to 1024`,
		},
		{
			"one value, two constraints", model.CognitoIdentity, "GetId", `{"IdentityPoolId":""}`,
			`2 validation errors detected: ` +
				`Value '' at 'identityPoolId' failed to satisfy constraint: Member must have length greater than or equal to 1; ` +
				`Value '' at 'identityPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w-]+:[0-9a-f-]+`,
		},
		{
			"map keys", model.CognitoIdentity, "GetId",
			`{"IdentityPoolId":"us-east-1:0123","Logins":{"":"token"}}`,
			`1 validation error detected: Value '{=token}' at 'logins' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1]`,
		},
		{
			"map values", model.CognitoIdentity, "GetId",
			`{"IdentityPoolId":"us-east-1:0123","Logins":{"graph.facebook.com":""}}`,
			`1 validation error detected: Value '{graph.facebook.com=}' at 'logins' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 50000, Member must have length greater than or equal to 1]`,
		},
		{
			"map keys and values", model.CognitoIdentity, "GetCredentialsForIdentity",
			`{"IdentityId":"us-east-1:0123","Logins":{"` + long(129) + `":""}}`,
			`2 validation errors detected: ` +
				`Value '{` + long(129) + `=}' at 'logins' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1]; ` +
				`Value '{` + long(129) + `=}' at 'logins' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 50000, Member must have length greater than or equal to 1]`,
		},
		{
			"map with pattern and enum-less key", model.CognitoIdentity, "SetIdentityPoolRoles",
			`{"IdentityPoolId":"us-east-1:0123","Roles":{"guest":"arn:aws:iam::123456789012:role/Guest"}}`,
			`1 validation error detected: Value '{guest=arn:aws:iam::123456789012:role/Guest}' at 'roles' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: (un)?authenticated]`,
		},
		{
			"list elements", model.CognitoIdentity, "DeleteIdentities",
			`{"IdentityIdsToDelete":["us-east-1:0123","nope"]}`,
			`1 validation error detected: Value '[us-east-1:0123, nope]' at 'identityIdsToDelete' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 55, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [\w-]+:[0-9a-f-]+]`,
		},
		{
			"list size", model.CognitoIdentity, "DeleteIdentities", `{"IdentityIdsToDelete":[]}`,
			`1 validation error detected: Value '[]' at 'identityIdsToDelete' failed to satisfy constraint: Member must have length greater than or equal to 1`,
		},
		{
			"map size", model.CognitoSync, "SetCognitoEvents",
			`{"IdentityPoolId":"us-east-1:0123","Events":{"SyncTrigger":"arn:a","Other":"arn:b"}}`,
			`1 validation error detected: Value '{SyncTrigger=arn:a, Other=arn:b}' at 'events' failed to satisfy constraint: Member must have length less than or equal to 1`,
		},
		{
			"enum", model.CognitoSync, "RegisterDevice",
			`{"IdentityPoolId":"us-east-1:0123","IdentityId":"us-east-1:0456","Platform":"WINDOWS","Token":"t"}`,
			`1 validation error detected: Value 'WINDOWS' at 'platform' failed to satisfy constraint: Member must satisfy enum value set: [APNS, APNS_SANDBOX, GCM, ADM]`,
		},
		{
			"structures in a list", model.CognitoSync, "UpdateRecords",
			`{"IdentityPoolId":"us-east-1:0123","IdentityId":"us-east-1:0456","DatasetName":"d","SyncSessionToken":"s",
			  "RecordPatches":[{"Op":"replace","Key":"k","SyncCount":0},{"Op":"upsert","Key":"","SyncCount":1},{}]}`,
			`5 validation errors detected: ` +
				`Value 'upsert' at 'recordPatches.2.member.op' failed to satisfy constraint: Member must satisfy enum value set: [replace, remove]; ` +
				`Value '' at 'recordPatches.2.member.key' failed to satisfy constraint: Member must have length greater than or equal to 1; ` +
				`Value null at 'recordPatches.3.member.op' failed to satisfy constraint: Member must not be null; ` +
				`Value null at 'recordPatches.3.member.key' failed to satisfy constraint: Member must not be null; ` +
				`Value null at 'recordPatches.3.member.syncCount' failed to satisfy constraint: Member must not be null`,
		},
		{
			"structures in a map", model.CognitoIdentity, "SetIdentityPoolRoles",
			`{"IdentityPoolId":"us-east-1:0123","Roles":{"authenticated":"arn:aws:iam::123456789012:role/Auth"},
			  "RoleMappings":{"graph.facebook.com":{"Type":"Bad"},"accounts.google.com":{"Type":"Rules","RulesConfiguration":{"Rules":[]}}}}`,
			`2 validation errors detected: ` +
				`Value '[]' at 'roleMappings.accounts.google.com.member.rulesConfiguration.rules' failed to satisfy constraint: Member must have length greater than or equal to 1; ` +
				`Value 'Bad' at 'roleMappings.graph.facebook.com.member.type' failed to satisfy constraint: Member must satisfy enum value set: [Token, Rules]`,
		},
		{
			"structure in a structure", model.CognitoSync, "SetIdentityPoolConfiguration",
			`{"IdentityPoolId":"us-east-1:0123","PushSync":{"RoleArn":"arn:aws:iam::123:user/x","ApplicationArns":["arn:aws:sns:us-east-1:123:app/GCM/a","x"]},
			  "CognitoStreams":{"StreamingStatus":"ON"}}`,
			`3 validation errors detected: ` +
				`Value '[arn:aws:sns:us-east-1:123:app/GCM/a, x]' at 'pushSync.applicationArns' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy regular expression pattern: arn:aws:sns:[-0-9a-z]+:\d+:app/[A-Z_]+/[a-zA-Z0-9_.-]+]; ` +
				`Value 'arn:aws:iam::123:user/x' at 'pushSync.roleArn' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:aws:iam::\d+:role/.*; ` +
				`Value 'ON' at 'cognitoStreams.streamingStatus' failed to satisfy constraint: Member must satisfy enum value set: [ENABLED, DISABLED]`,
		},
		{
			"list of structures rendered as Java objects", model.CognitoIdentity, "SetIdentityPoolRoles",
			`{"IdentityPoolId":"us-east-1:0123","Roles":{},"RoleMappings":{"x":{"Type":"Rules","RulesConfiguration":{"Rules":[` +
				strings.TrimSuffix(strings.Repeat(`{"Claim":"c","MatchType":"Equals","Value":"v","RoleARN":"arn:aws:iam::123456789012:role/R"},`, 401), ",") + `]}}}}`,
			`1 validation error detected: Value '[` +
				strings.TrimSuffix(strings.Repeat(`com.amazonaws.cognito.identity.model.MappingRule@HASH, `, 401), ", ") +
				`]' at 'roleMappings.x.member.rulesConfiguration.rules' failed to satisfy constraint: Member must have length less than or equal to 400`,
		},
		{
			"rest-json strings", model.CognitoSync, "ListRecords",
			`{"IdentityPoolId":"us-east-1:0123","IdentityId":"us-east-1:0456","DatasetName":"my dataset","MaxResults":"2","LastSyncCount":"-1"}`,
			`1 validation error detected: Value 'my dataset' at 'datasetName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.:-]+`,
		},
		{
			"unknown members are ignored", model.CognitoIdentity, "DescribeIdentityPool",
			`{"IdentityPoolId":"us-east-1:0123","identityPoolId":5,"Bogus":{"a":[1]}}`,
			``,
		},
		{
			"no input shape members", model.CognitoSync, "ListIdentityPoolUsage", `{"Anything":1}`, ``,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			op := tt.svc.Operations[tt.op]
			if op == nil {
				t.Fatalf("no operation %s", tt.op)
			}
			_, vs, err := Input(tt.svc, op, decode(t, tt.body))
			if err != nil {
				t.Fatalf("error: %v", err)
			}
			got := Message(vs)
			if strings.Contains(tt.want, "@HASH") {
				got = javaObjectRE.ReplaceAllString(got, "@HASH")
			}
			if got != tt.want {
				t.Errorf("message\n got: %s\nwant: %s", got, tt.want)
			}
			for _, v := range vs {
				if !strings.Contains(v.Message, " at '"+v.Path+"' failed") {
					t.Errorf("path %q not in %q", v.Path, v.Message)
				}
			}
		})
	}
}

var javaObjectRE = regexp.MustCompile(`@[0-9a-f]+\b`)

func TestMessage(t *testing.T) {
	if got := Message(nil); got != "" {
		t.Errorf("Message(nil) = %q", got)
	}
	vs := []Violation{{"a", "A"}, {"b", "B"}, {"c", "C"}}
	if got, want := Message(vs[:1]), "1 validation error detected: A"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got, want := Message(vs), "3 validation errors detected: A; B; C"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestNormalisation(t *testing.T) {
	in, vs, err := Input(model.CognitoSync, syncOp("UpdateRecords"), decode(t, `{
		"IdentityPoolId":"us-east-1:0123","IdentityId":"us-east-1:0456","DatasetName":"d","SyncSessionToken":"s",
		"ClientContext":"ctx","DeviceId":null,"Unknown":true,
		"RecordPatches":[
			{"Op":"replace","Key":"k","Value":"v","SyncCount":3,"DeviceLastModifiedDate":1.413836234607E9,"Extra":1},
			null,
			{"Op":"remove","Key":"k2","SyncCount":"4","DeviceLastModifiedDate":"2014-10-20T20:17:14.607Z"},
			{"Op":"remove","Key":"k3","SyncCount":5.9,"DeviceLastModifiedDate":"1413836234"}
		]}`))
	if err != nil || len(vs) != 0 {
		t.Fatalf("err %v, violations %s", err, Message(vs))
	}
	ts := time.Date(2014, 10, 20, 20, 17, 14, 607e6, time.UTC)
	want := map[string]any{
		"IdentityPoolId": "us-east-1:0123", "IdentityId": "us-east-1:0456", "DatasetName": "d", "SyncSessionToken": "s",
		"ClientContext": "ctx",
		"RecordPatches": []any{
			map[string]any{"Op": "replace", "Key": "k", "Value": "v", "SyncCount": int64(3), "DeviceLastModifiedDate": ts},
			map[string]any{"Op": "remove", "Key": "k2", "SyncCount": int64(4), "DeviceLastModifiedDate": ts},
			map[string]any{"Op": "remove", "Key": "k3", "SyncCount": int64(5), "DeviceLastModifiedDate": ts.Truncate(time.Second)},
		},
	}
	if !reflect.DeepEqual(in, want) {
		t.Errorf("got  %#v\nwant %#v", in, want)
	}

	in, vs, err = Input(model.CognitoIdentity, identityOp("ListIdentities"), decode(t,
		`{"IdentityPoolId":"us-east-1:0123","MaxResults":2,"HideDisabled":"true","NextToken":"n"}`))
	if err != nil || len(vs) != 0 {
		t.Fatalf("err %v, violations %s", err, Message(vs))
	}
	if want := (map[string]any{"IdentityPoolId": "us-east-1:0123", "MaxResults": int64(2), "HideDisabled": true, "NextToken": "n"}); !reflect.DeepEqual(in, want) {
		t.Errorf("got %#v, want %#v", in, want)
	}

	in, _, _ = Input(model.CognitoIdentity, identityOp("GetId"), decode(t,
		`{"IdentityPoolId":"us-east-1:0123","Logins":{"a":"x","b":null}}`))
	if want := (map[string]any{"IdentityPoolId": "us-east-1:0123", "Logins": map[string]any{"a": "x"}}); !reflect.DeepEqual(in, want) {
		t.Errorf("got %#v, want %#v", in, want)
	}

	// The body is left as it was.
	body := decode(t, `{"IdentityPoolId":"us-east-1:0123","MaxResults":5,"Extra":1}`)
	Input(model.CognitoIdentity, identityOp("ListIdentities"), body)
	if want := decode(t, `{"IdentityPoolId":"us-east-1:0123","MaxResults":5,"Extra":1}`); !reflect.DeepEqual(body, want) {
		t.Errorf("body modified: %#v", body)
	}

	// An empty body is an empty structure.
	in, vs, err = Input(model.CognitoSync, syncOp("ListIdentityPoolUsage"), nil)
	if err != nil || len(vs) != 0 || in == nil || len(in) != 0 {
		t.Errorf("empty body: %#v %v %v", in, vs, err)
	}
}

func TestTypeErrors(t *testing.T) {
	tests := []struct {
		name     string
		svc      *model.Service
		op       string
		body     string
		path     string
		expected string
	}{
		{"number for string", model.CognitoIdentity, "DescribeIdentityPool", `{"IdentityPoolId":5}`, "identityPoolId", "string"},
		{"bool for string", model.CognitoIdentity, "DescribeIdentityPool", `{"IdentityPoolId":true}`, "identityPoolId", "string"},
		{"object for string", model.CognitoIdentity, "DescribeIdentityPool", `{"IdentityPoolId":{}}`, "identityPoolId", "string"},
		{"string for integer", model.CognitoIdentity, "ListIdentityPools", `{"MaxResults":"two"}`, "maxResults", "integer"},
		{"fraction string for integer", model.CognitoIdentity, "ListIdentityPools", `{"MaxResults":"2.5"}`, "maxResults", "integer"},
		{"integer beyond int32", model.CognitoSync, "ListDatasets", `{"IdentityPoolId":"a:0","IdentityId":"a:0","MaxResults":2147483648}`, "maxResults", "integer"},
		{"string for integer in JSON 1.1", model.CognitoIdentity, "ListIdentityPools", `{"MaxResults":"2"}`, "maxResults", "integer"},
		{"long beyond int64", model.CognitoIdentity, "GetOpenIdTokenForDeveloperIdentity", `{"IdentityPoolId":"a:0","Logins":{},"TokenDuration":1e40}`, "tokenDuration", "long"},
		{"bool for integer", model.CognitoIdentity, "ListIdentityPools", `{"MaxResults":true}`, "maxResults", "integer"},
		{"bad boolean string", model.CognitoIdentity, "ListIdentities", `{"IdentityPoolId":"a:0","MaxResults":1,"HideDisabled":"yes"}`, "hideDisabled", "boolean"},
		{"number for boolean", model.CognitoIdentity, "ListIdentities", `{"IdentityPoolId":"a:0","MaxResults":1,"HideDisabled":1}`, "hideDisabled", "boolean"},
		{"string for map", model.CognitoIdentity, "GetId", `{"IdentityPoolId":"a:0","Logins":"x"}`, "logins", "map"},
		{"array for map", model.CognitoIdentity, "GetId", `{"IdentityPoolId":"a:0","Logins":[]}`, "logins", "map"},
		{"map value", model.CognitoIdentity, "GetId", `{"IdentityPoolId":"a:0","Logins":{"a":"x","b":1,"c":2}}`, "logins.b.member", "string"},
		{"object for list", model.CognitoIdentity, "DeleteIdentities", `{"IdentityIdsToDelete":{}}`, "identityIdsToDelete", "list"},
		{"list element", model.CognitoIdentity, "DeleteIdentities", `{"IdentityIdsToDelete":["a:0",7]}`, "identityIdsToDelete.2.member", "string"},
		{"string for structure", model.CognitoSync, "SetIdentityPoolConfiguration", `{"IdentityPoolId":"a:0","PushSync":"x"}`, "pushSync", "structure"},
		{"nested member", model.CognitoSync, "UpdateRecords", `{"IdentityPoolId":"a:0","IdentityId":"a:0","DatasetName":"d","SyncSessionToken":"s","RecordPatches":[{"Op":"replace","Key":"k","SyncCount":"x"}]}`, "recordPatches.1.member.syncCount", "long"},
		{"bad timestamp", model.CognitoSync, "UpdateRecords", `{"IdentityPoolId":"a:0","IdentityId":"a:0","DatasetName":"d","SyncSessionToken":"s","RecordPatches":[{"Op":"replace","Key":"k","SyncCount":1,"DeviceLastModifiedDate":"yesterday"}]}`, "recordPatches.1.member.deviceLastModifiedDate", "timestamp"},
		{"query integer", model.CognitoSync, "ListDatasets", `{"IdentityPoolId":"a:0","IdentityId":"a:0","MaxResults":"ten"}`, "maxResults", "integer"},
		// A type error wins over (and hides) validation errors.
		{"type error first", model.CognitoIdentity, "ListIdentities", `{"IdentityPoolId":"bad","MaxResults":"x"}`, "maxResults", "integer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, vs, err := Input(tt.svc, tt.svc.Operations[tt.op], decode(t, tt.body))
			var te *TypeError
			if !errors.As(err, &te) {
				t.Fatalf("err = %v, want a *TypeError", err)
			}
			if te.Path != tt.path || te.Expected != tt.expected {
				t.Errorf("TypeError{Path: %q, Expected: %q}, want {%q, %q}", te.Path, te.Expected, tt.path, tt.expected)
			}
			if out != nil || vs != nil {
				t.Errorf("result %v, violations %v alongside an error", out, vs)
			}
			if msg := te.Error(); !strings.Contains(msg, "'"+tt.path+"'") || !strings.Contains(msg, tt.expected) {
				t.Errorf("Error() = %q names neither path nor type", msg)
			}
		})
	}
	_, _, err := Input(model.CognitoIdentity, identityOp("DescribeIdentityPool"), decode(t, `{"IdentityPoolId":5}`))
	if got, want := err.Error(), "Unexpected value at 'identityPoolId': expected string, got number 5"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

// TestAWSTypeMessages: the SerializationException messages AWS's JSON
// front end gives for values of the wrong type (users' pastes of Lambda's,
// Athena's measured), which name no member.
func TestAWSTypeMessages(t *testing.T) {
	for _, tt := range []struct{ body, want string }{
		{`{"MaxResults":"2"}`, "STRING_VALUE can not be converted to an Integer"},
		{`{"MaxResults":true}`, "TRUE_VALUE can not be converted to an Integer"},
		{`{"MaxResults":[1]}`, "Start of list found where not expected"},
		{`{"MaxResults":{"a":1}}`, "Start of structure or map found where not expected."},
		{`{"MaxResults":5,"NextToken":1}`, "NUMBER_VALUE can not be converted to a String"},
	} {
		_, _, err := Input(model.CognitoIdentity, identityOp("ListIdentityPools"), decode(t, tt.body))
		var te *TypeError
		if !errors.As(err, &te) || te.AWSMessage() != tt.want {
			t.Errorf("%s: %v, want %q", tt.body, err, tt.want)
		}
	}
	for _, tt := range []struct {
		op, body, want string
	}{
		{"CreateIdentityPool", `{"IdentityPoolName":"p","AllowUnauthenticatedIdentities":true,"CognitoIdentityProviders":"x"}`, "Expected list or null"},
		{"CreateIdentityPool", `{"IdentityPoolName":"p","AllowUnauthenticatedIdentities":true,"CognitoIdentityProviders":[1]}`, "Expected null"},
	} {
		_, _, err := Input(model.CognitoIdentity, identityOp(tt.op), decode(t, tt.body))
		var te *TypeError
		if !errors.As(err, &te) || te.AWSMessage() != tt.want {
			t.Errorf("%s: %v, want %q", tt.body, err, tt.want)
		}
	}
	// Past Java's int but caught by the shape's bound: that bound's
	// violation, as AWS answers.
	_, vs, err := Input(model.CognitoIdentity, identityOp("ListIdentityPools"), decode(t, `{"MaxResults":99999999999}`))
	if err != nil || !strings.Contains(Message(vs), "at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 60") {
		t.Errorf("MaxResults 99999999999: %v %s", err, Message(vs))
	}
}

// TestJavaMapOrder checks the HashMap iteration order against a message
// AWS sent (EventBridge, keys sent as "Quem foi?", "o que?", "de onde?").
func TestJavaMapOrder(t *testing.T) {
	m := map[string]any{"Quem foi?": 1, "o que?": 2, "de onde?": 3}
	if got, want := javaMapOrder(m), []string{"de onde?", "Quem foi?", "o que?"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := javaStringHash("hello"); got != 99162322 {
		t.Errorf("hash(hello) = %d", got)
	}
	if got := int32(javaStringHash("\U0001F600x")); got != 54959989 {
		t.Errorf("hash(surrogates) = %d", got)
	}
	// 13 keys resize the table to 32 buckets.
	big := map[string]any{}
	for _, k := range strings.Fields("a b c d e f g h i j k l m") {
		big[k] = nil
	}
	if got := strings.Join(javaMapOrder(big), ""); got != "abcdefghijklm" {
		t.Errorf("order %q", got)
	}
	big["p"], big["P"] = nil, nil // 'P' = 80 → bucket 16 of 32; 'p' = 112 → bucket 16
	if got := strings.Join(javaMapOrder(big), ""); got != "abcdefghijklmPp" {
		t.Errorf("order %q", got)
	}
}

func TestJavaDouble(t *testing.T) {
	for f, want := range map[float64]string{
		1: "1.0", 0.5: "0.5", -2.25: "-2.25", 1e7: "1.0E7", 1.5e10: "1.5E10", 0.0001: "1.0E-4",
		1234567.0: "1234567.0", 0: "0.0", math.Inf(1): "Infinity", 1e-3: "0.001",
	} {
		if got := javaDouble(f); got != want {
			t.Errorf("javaDouble(%v) = %q, want %q", f, got, want)
		}
	}
}

func TestEpochSeconds(t *testing.T) {
	for s, want := range map[string]time.Time{
		"1413836234.607":   time.Unix(1413836234, 607e6),
		"1.413836234607E9": time.Unix(1413836234, 607e6),
		"1413836234":       time.Unix(1413836234, 0),
		"0.000000001":      time.Unix(0, 1),
		"1e3":              time.Unix(1000, 0),
		"-1.5":             time.Unix(-1, -5e8),
		"2E-1":             time.Unix(0, 2e8),
	} {
		got, ok := epochSeconds(s)
		if !ok || !got.Equal(want) {
			t.Errorf("epochSeconds(%s) = %v %v, want %v", s, got, ok, want)
		}
	}
	for _, s := range []string{"", ".", "1.2.3", "abc", "1e", "1e999", "99999999999999999999", "0x10"} {
		if _, ok := epochSeconds(s); ok {
			t.Errorf("epochSeconds(%q) accepted", s)
		}
	}
}

func TestLowerCamel(t *testing.T) {
	for in, want := range map[string]string{"IdentityPoolId": "identityPoolId", "RoleARN": "roleARN", "message": "message", "": "", "Éa": "éa"} {
		if got := lowerCamel(in); got != want {
			t.Errorf("lowerCamel(%q) = %q, want %q", in, got, want)
		}
	}
}
