package validate

import (
	"encoding/json"
	"testing"

	"github.com/cognitod/cognitod/internal/model"
)

func benchmarkInput(b *testing.B, svc *model.Service, op string, body map[string]any) {
	o := svc.Operations[op]
	if _, vs, err := Input(svc, o, body); err != nil || len(vs) != 0 {
		b.Fatalf("err %v, violations %s", err, Message(vs))
	}
	b.ReportAllocs()
	for b.Loop() {
		Input(svc, o, body)
	}
}

func BenchmarkInputGetId(b *testing.B) {
	benchmarkInput(b, model.CognitoIdentity, "GetId", map[string]any{
		"AccountId":      "123456789012",
		"IdentityPoolId": "us-east-1:0123abcd-0123-abcd-0123-0123abcd0123",
		"Logins":         map[string]any{"graph.facebook.com": "EAAGm0PX4ZCpsBAKZCsgB9ZCZCZ0"},
	})
}

func BenchmarkInputListIdentities(b *testing.B) {
	benchmarkInput(b, model.CognitoIdentity, "ListIdentities", map[string]any{
		"IdentityPoolId": "us-east-1:0123abcd-0123-abcd-0123-0123abcd0123",
		"MaxResults":     json.Number("60"),
		"NextToken":      "eyJhIjoxfQ",
		"HideDisabled":   true,
	})
}

func BenchmarkInputUpdateRecords(b *testing.B) {
	patches := make([]any, 10)
	for i := range patches {
		patches[i] = map[string]any{"Op": "replace", "Key": "key", "Value": "value", "SyncCount": json.Number("3"), "DeviceLastModifiedDate": json.Number("1413836234.607")}
	}
	benchmarkInput(b, model.CognitoSync, "UpdateRecords", map[string]any{
		"IdentityPoolId": "us-east-1:0123abcd-0123-abcd-0123-0123abcd0123", "IdentityId": "us-east-1:0123abcd-0123-abcd-0123-0123abcd0456",
		"DatasetName": "settings", "SyncSessionToken": "token", "DeviceId": "device", "RecordPatches": patches,
	})
}

func BenchmarkInputViolations(b *testing.B) {
	benchmarkInput2(b, model.CognitoIdentity, "CreateIdentityPool", map[string]any{"IdentityPoolName": "pool#name"})
}

func benchmarkInput2(b *testing.B, svc *model.Service, op string, body map[string]any) {
	o := svc.Operations[op]
	b.ReportAllocs()
	for b.Loop() {
		_, vs, _ := Input(svc, o, body)
		_ = Message(vs)
	}
}
