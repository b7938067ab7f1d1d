package model

import (
	"bytes"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/cognitod/cognitod/internal/model/internal/codegen"
)

// TestGeneratedFilesUpToDate regenerates the tables from the api-2.json
// models in the module cache and compares them with the checked-in files, so
// that the tables cannot drift from the official model (run go generate).
func TestGeneratedFilesUpToDate(t *testing.T) {
	dir, version, err := codegen.LocateSDK()
	if err != nil {
		t.Fatal(err)
	}
	files, err := codegen.Generate(dir, version)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 2 {
		t.Fatalf("generated %d files, want 2", len(files))
	}
	for name, want := range files {
		got, err := os.ReadFile(name)
		if err != nil {
			t.Fatalf("%s: %v (run go generate ./internal/model)", name, err)
		}
		if !bytes.Equal(got, want) {
			gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
			for i := 0; i < len(gl) || i < len(wl); i++ {
				var g, w string
				if i < len(gl) {
					g = gl[i]
				}
				if i < len(wl) {
					w = wl[i]
				}
				if g != w {
					t.Fatalf("%s is stale (run go generate ./internal/model); first difference at line %d:\n have: %s\n want: %s", name, i+1, g, w)
				}
			}
		}
		if !bytes.HasPrefix(got, []byte(codegen.Header)) {
			t.Errorf("%s lacks the generated-code header", name)
		}
	}
	// Generation is deterministic.
	again, err := codegen.Generate(dir, version)
	if err != nil {
		t.Fatal(err)
	}
	for name := range files {
		if !bytes.Equal(files[name], again[name]) {
			t.Errorf("%s: two generations differ", name)
		}
	}
}

func TestOperationCounts(t *testing.T) {
	for _, c := range []struct {
		svc  *Service
		want int
	}{{CognitoIdentity, 23}, {CognitoSync, 17}} {
		if got := len(c.svc.Operations); got != c.want {
			t.Errorf("%s: %d operations, want %d", c.svc.Name, got, c.want)
		}
	}
}

func TestServiceMetadata(t *testing.T) {
	ci, cs := CognitoIdentity, CognitoSync
	for _, c := range [][2]string{
		{ci.Name, "cognito-identity"}, {ci.Protocol, "json"}, {ci.TargetPrefix, "AWSCognitoIdentityService"},
		{ci.SigningName, "cognito-identity"}, {ci.APIVersion, "2014-06-30"},
		{cs.Name, "cognito-sync"}, {cs.Protocol, "rest-json"}, {cs.TargetPrefix, ""},
		{cs.SigningName, "cognito-sync"}, {cs.APIVersion, "2014-06-30"},
	} {
		if c[0] != c[1] {
			t.Errorf("got %q, want %q", c[0], c[1])
		}
	}
}

// TestReferencesResolve checks that every name in the tables names a shape.
func TestReferencesResolve(t *testing.T) {
	for _, svc := range []*Service{CognitoIdentity, CognitoSync} {
		for name, op := range svc.Operations {
			if op.Name != name || op.Method == "" || op.RequestURI == "" {
				t.Errorf("%s %s: bad operation %+v", svc.Name, name, op)
			}
			if op.InputShape(svc) == nil {
				t.Errorf("%s %s: input %q missing", svc.Name, name, op.Input)
			}
			if op.Output != "" && op.OutputShape(svc) == nil {
				t.Errorf("%s %s: output %q missing", svc.Name, name, op.Output)
			}
			for _, e := range op.Errors {
				if sh := svc.Shape(e); sh == nil || !sh.Exception {
					t.Errorf("%s %s: error %q is not an exception shape", svc.Name, name, e)
				}
			}
		}
		for name, sh := range svc.Shapes {
			if sh.Name != name || sh.Kind == 0 {
				t.Errorf("%s %s: bad shape", svc.Name, name)
			}
			refs := []string{sh.ListMember, sh.MapKey, sh.MapValue}
			for _, m := range sh.Members {
				refs = append(refs, m.Shape)
			}
			for _, r := range refs {
				if r != "" && svc.Shape(r) == nil {
					t.Errorf("%s %s: reference %q missing", svc.Name, name, r)
				}
			}
			for _, r := range sh.Required {
				if sh.Member(r) == nil || !sh.IsRequired(r) {
					t.Errorf("%s %s: required %q is no member", svc.Name, name, r)
				}
			}
			if sh.Pattern != "" && sh.Regexp() == nil {
				t.Errorf("%s %s: pattern did not compile", svc.Name, name)
			}
		}
	}
}

func TestModelDetails(t *testing.T) {
	// Structure members keep the api-2.json order (not sorted).
	var names []string
	for _, m := range CognitoIdentity.Shape("GetIdInput").Members {
		names = append(names, m.Name)
	}
	if want := []string{"AccountId", "IdentityPoolId", "Logins"}; !slices.Equal(names, want) {
		t.Errorf("GetIdInput members %v, want %v", names, want)
	}
	names = names[:0]
	for _, m := range CognitoSync.Shape("UpdateRecordsRequest").Members {
		names = append(names, m.Name)
	}
	if want := []string{"IdentityPoolId", "IdentityId", "DatasetName", "DeviceId", "RecordPatches", "SyncSessionToken", "ClientContext"}; !slices.Equal(names, want) {
		t.Errorf("UpdateRecordsRequest members %v, want %v", names, want)
	}
	if m := CognitoSync.Shape("UpdateRecordsRequest").Member("ClientContext"); m == nil || m.Location != "header" || m.LocationName != "x-amz-Client-Context" {
		t.Errorf("ClientContext member %+v", m)
	}
	if m := CognitoSync.Shape("ListRecordsRequest").Member("MaxResults"); m == nil || m.Location != "querystring" || m.LocationName != "maxResults" {
		t.Errorf("MaxResults member %+v", m)
	}

	var unsigned []string
	for name, op := range CognitoIdentity.Operations {
		if op.Unsigned {
			unsigned = append(unsigned, name)
		}
	}
	slices.Sort(unsigned)
	if want := []string{"GetCredentialsForIdentity", "GetId", "GetOpenIdToken", "UnlinkIdentity"}; !slices.Equal(unsigned, want) {
		t.Errorf("unsigned operations %v, want %v", unsigned, want)
	}
	for _, op := range CognitoSync.Operations {
		if op.Unsigned {
			t.Errorf("sync %s is unsigned", op.Name)
		}
	}

	op := CognitoSync.Operations["UpdateRecords"]
	if op.Method != "POST" || op.RequestURI != "/identitypools/{IdentityPoolId}/identities/{IdentityId}/datasets/{DatasetName}" {
		t.Errorf("UpdateRecords binding %s %s", op.Method, op.RequestURI)
	}
	if op := CognitoIdentity.Operations["UpdateIdentityPool"]; op.Input != "IdentityPool" || op.Output != "IdentityPool" {
		t.Errorf("UpdateIdentityPool shapes %q %q", op.Input, op.Output)
	}

	sh := CognitoIdentity.Shape("IdentityPoolId")
	if sh.Kind != String || !sh.HasMin || sh.Min != 1 || !sh.HasMax || sh.Max != 55 || sh.Pattern != `[\w-]+:[0-9a-f-]+` {
		t.Errorf("IdentityPoolId %+v", sh)
	}
	if sh := CognitoIdentity.Shape("TagValueType"); !sh.HasMin || sh.Min != 0 {
		t.Errorf("TagValueType min %v %d", sh.HasMin, sh.Min)
	}
	if sh := CognitoIdentity.Shape("QueryLimit"); sh.Kind != Integer || sh.Min != 1 || sh.Max != 60 {
		t.Errorf("QueryLimit %+v", sh)
	}
	if sh := CognitoIdentity.Shape("TokenDuration"); sh.Kind != Long || sh.Min != 1 || sh.Max != 86400 {
		t.Errorf("TokenDuration %+v", sh)
	}
	if sh := CognitoIdentity.Shape("RoleMappingType"); !slices.Equal(sh.Enum, []string{"Token", "Rules"}) {
		t.Errorf("RoleMappingType enum %v", sh.Enum)
	}
	if sh := CognitoIdentity.Shape("LoginsMap"); sh.Kind != Map || sh.MapKey != "IdentityProviderName" || sh.MapValue != "IdentityProviderToken" || sh.Max != 10 || sh.HasMin {
		t.Errorf("LoginsMap %+v", sh)
	}
	if sh := CognitoIdentity.Shape("IdentityIdList"); sh.Kind != List || sh.ListMember != "IdentityId" || sh.Min != 1 || sh.Max != 60 {
		t.Errorf("IdentityIdList %+v", sh)
	}
	if sh := CognitoIdentity.Shape("InternalErrorException"); !sh.Exception || !sh.Fault || sh.HTTPStatus != 0 {
		t.Errorf("identity InternalErrorException %+v", sh)
	}
	for name, status := range map[string]int{
		"ResourceNotFoundException": 404, "NotAuthorizedException": 403, "ResourceConflictException": 409,
		"LambdaThrottledException": 429, "InternalErrorException": 500, "InvalidParameterException": 400,
	} {
		if sh := CognitoSync.Shape(name); sh == nil || !sh.Exception || sh.HTTPStatus != status {
			t.Errorf("sync %s: %+v, want status %d", name, sh, status)
		}
	}
	if sh := CognitoSync.Shape("TagResourceResponse"); sh != nil {
		t.Errorf("sync has no TagResourceResponse")
	}
	if sh := CognitoIdentity.Shape("TagResourceResponse"); sh.Kind != Structure || sh.Members == nil || len(sh.Members) != 0 {
		t.Errorf("empty structure %+v", sh)
	}
}

func TestJavaPattern(t *testing.T) {
	for _, c := range []struct {
		shape *Shape
		in    string
		match bool
	}{
		{CognitoIdentity.Shape("IdentityPoolName"), "my pool", true},
		{CognitoIdentity.Shape("IdentityPoolName"), "my\x0Bpool", true}, // Java's \s has \x0B
		{CognitoIdentity.Shape("IdentityPoolName"), "pool#name", false},
		{CognitoIdentity.Shape("IdentityPoolName"), "pool\n", true},
		{CognitoIdentity.Shape("PaginationKey"), "abc", true},
		{CognitoIdentity.Shape("PaginationKey"), "a\x0Bc", false}, // Java's \S excludes \x0B
		{CognitoIdentity.Shape("PaginationKey"), "a c", false},
		{CognitoIdentity.Shape("RoleType"), "authenticated", true},
		{CognitoIdentity.Shape("RoleType"), "unauthenticated", true},
		{CognitoIdentity.Shape("RoleType"), "xauthenticated", false},
		{CognitoIdentity.Shape("RoleType"), "authenticated\n", false}, // whole-value match, $ is \z
		{CognitoIdentity.Shape("IdentityPoolId"), "us-east-1:0123-abcd", true},
		{CognitoIdentity.Shape("IdentityPoolId"), "us-east-1:XYZ", false},
		{CognitoIdentity.Shape("ClaimName"), "é#", true},
		{CognitoIdentity.Shape("ClaimName"), "a b", false},
		{CognitoSync.Shape("AssumeRoleArn"), "arn:aws:iam::123:role/x y", true},
		{CognitoSync.Shape("AssumeRoleArn"), "arn:aws:iam::123:role/x\ry", false}, // Java's . stops at \r
		{CognitoSync.Shape("AssumeRoleArn"), "arn:aws:iam::123:role/x\u2028", false},
		{CognitoSync.Shape("ApplicationArn"), "arn:aws:sns:us-east-1:123:app/GCM/my.app", true},
	} {
		if got := c.shape.Regexp().MatchString(c.in); got != c.match {
			t.Errorf("%s %q: match %v, want %v (regexp %s)", c.shape.Name, c.in, got, c.match, c.shape.Regexp())
		}
	}
	for in, want := range map[string]string{
		`[\w-]+`:     `[\w-]+`,
		`[\w\s+=]+`:  `[\w\t\n\x0B\f\r +=]+`,
		`\s*`:        `[\t\n\x0B\f\r ]*`,
		`[\S]+`:      `[^\t\n\x0B\f\r ]+`,
		`\S`:         `[^\t\n\x0B\f\r ]`,
		`a.b[.]`:     `a[^\n\r\x{85}\x{2028}\x{2029}]b[.]`,
		`\.\\.`:      `\.\\[^\n\r\x{85}\x{2028}\x{2029}]`,
		`[^]a.]`:     `[^]a.]`,
		`\p{L}+`:     `\p{L}+`,
		`(un)?auth`:  `(un)?auth`,
		`x\d+:role/`: `x\d+:role/`,
	} {
		if got := JavaPattern(in); got != want {
			t.Errorf("JavaPattern(%s) = %s, want %s", in, got, want)
		}
	}
}
