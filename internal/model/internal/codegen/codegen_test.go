package codegen

import (
	"strings"
	"testing"
)

const tiny = `{
  "metadata": {"apiVersion": "2020-01-01", "endpointPrefix": "tiny", "protocol": "json", "serviceFullName": "Tiny", "targetPrefix": "Tiny"},
  "operations": {
    "Zed": {"name": "Zed", "http": {"method": "POST", "requestUri": "/"}, "input": {"shape": "ZedInput"}, "errors": [{"shape": "Oops"}, {"shape": "Ack"}], "authtype": "none"},
    "Alpha": {"name": "Alpha", "http": {"method": "GET", "requestUri": "/a/{Id}"}, "input": {"shape": "ZedInput"}, "output": {"shape": "ZedInput"}}
  },
  "shapes": {
    "ZedInput": {"type": "structure", "required": ["Zulu", "Id"], "members": {
      "Zulu": {"shape": "Str"}, "Alpha": {"shape": "Num"}, "Id": {"shape": "Str", "location": "uri", "locationName": "Id"}, "Mid": {"shape": "L"}
    }},
    "Str": {"type": "string", "min": 1, "max": 1.0E1, "pattern": "[\\w-]+"},
    "Num": {"type": "long", "min": -5, "max": 5},
    "L": {"type": "list", "member": {"shape": "M"}, "max": 3},
    "M": {"type": "map", "key": {"shape": "Str"}, "value": {"shape": "Str"}},
    "Oops": {"type": "structure", "members": {}, "exception": true, "fault": true, "error": {"httpStatusCode": 503}},
    "Ack": {"type": "structure", "members": {"message": {"shape": "Str"}}, "exception": true},
    "E": {"type": "string", "enum": ["b", "a"]}
  }
}`

func TestGenerateOne(t *testing.T) {
	out, err := GenerateOne(Source{File: "tiny_gen.go", Var: "Tiny"}, "v0", []byte(tiny))
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	if !strings.HasPrefix(s, Header) {
		t.Error("missing header")
	}
	inOrder := func(what string, parts ...string) {
		t.Helper()
		at := 0
		for _, p := range parts {
			i := strings.Index(s[at:], p)
			if i < 0 {
				t.Fatalf("%s: %q missing or out of order in:\n%s", what, p, s)
			}
			at += i + len(p)
		}
	}
	inOrder("operations sorted", `"Alpha": {`, `"Zed": {`)
	inOrder("shapes sorted", `"Ack": {`, `"E": {`, `"L": {`, `"M": {`, `"Num": {`, `"Oops": {`, `"Str": {`, `"ZedInput": {`)
	inOrder("members in model order", `{Name: "Zulu"`, `{Name: "Alpha"`, `{Name: "Id", Shape: "Str", Location: "uri", LocationName: "Id"}`, `{Name: "Mid"`)
	inOrder("required in model order", `Required: []string{"Zulu", "Id"}`)
	inOrder("enum in model order", `Enum: []string{"b", "a"}`)
	inOrder("errors in model order", `"Oops",`, `"Ack",`)
	inOrder("unsigned", `Unsigned: true`)
	inOrder("string constraints", `"Str": {`, "Kind:", "String,", "HasMin:", "true,", "Min:", "1,", "HasMax:", "true,", "Max:", "10,", "Pattern:", "`[\\w-]+`")
	inOrder("long range", `"Num": {`, "Kind:", "Long,", "HasMin:", "true,", "Min:", "-5,", "Max:", "5,")
	inOrder("fault", `"Oops": {`, "Exception:", "true,", "Fault:", "true,", "HTTPStatus:", "503,")
	inOrder("list", `"L": {`, "ListMember:", `"M",`)
	inOrder("map", `"M": {`, "MapKey:", `"Str",`, "MapValue:", `"Str",`)
	if strings.Contains(s, "SigningName: \"\"") {
		t.Error("signing name should default to the endpoint prefix")
	}
}

func TestGenerateRejectsDanglingReferences(t *testing.T) {
	bad := strings.Replace(tiny, `"member": {"shape": "M"}`, `"member": {"shape": "Nope"}`, 1)
	if _, err := GenerateOne(Source{Var: "Tiny"}, "v0", []byte(bad)); err == nil || !strings.Contains(err.Error(), "Nope") {
		t.Errorf("err = %v", err)
	}
	bad = strings.Replace(tiny, `"type": "long"`, `"type": "bigdecimal"`, 1)
	if _, err := GenerateOne(Source{Var: "Tiny"}, "v0", []byte(bad)); err == nil {
		t.Error("unsupported type accepted")
	}
	bad = strings.Replace(tiny, `"max": 5}`, `"max": 5.5}`, 1)
	if _, err := GenerateOne(Source{Var: "Tiny"}, "v0", []byte(bad)); err == nil {
		t.Error("fractional max accepted")
	}
}
