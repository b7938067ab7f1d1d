package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/cognitod/cognitod/internal/auth"
	"github.com/cognitod/cognitod/internal/awsproto"
	"github.com/cognitod/cognitod/internal/model"
)

// identityOut mirrors what ListIdentities answers per identity.
type identityOut struct {
	IdentityId       string         `json:"IdentityId"`
	Logins           []string       `json:"Logins"`
	CreationDate     *awsproto.Time `json:"CreationDate,omitempty"`
	LastModifiedDate *awsproto.Time `json:"LastModifiedDate,omitempty"`
}

// BenchmarkPipeline measures the request pipeline around a handler that does
// no work: routing, body read, SigV4 check (under sigv4), decode, model
// validation and response encoding.
func BenchmarkPipeline(b *testing.B) {
	now := time.Now()
	page := make([]identityOut, 60)
	for i := range page {
		page[i] = identityOut{IdentityId: fmt.Sprintf("us-east-1:%08d-0000-4000-8000-000000000000", i), CreationDate: awsproto.TimePtr(now), LastModifiedDate: awsproto.TimePtr(now)}
	}
	svc := &Service{Model: model.CognitoIdentity, Handlers: map[string]Handler{
		"GetId": func(*Call) (any, error) {
			return struct{ IdentityId string }{"us-east-1:0b6e5a3c-2f1d-4c8e-9a7b-1d2e3f4a5b6c"}, nil
		},
		"ListIdentities": func(*Call) (any, error) {
			return struct {
				IdentityPoolId string
				Identities     []identityOut
				NextToken      *string
			}{"us-east-1:0b6e5a3c-2f1d-4c8e-9a7b-1d2e3f4a5b6c", page, nil}, nil
		},
	}}
	keys := &auth.Keys{}
	keys.Add(auth.Key{AccessKeyID: "AKIDBENCH00000000001", Secret: "bench-secret-000000000000000", Account: "123456789012"})
	srv := New(svc, nil, auth.New(auth.ModeSigV4, keys, nil), slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	cases := []struct {
		name, op, body string
		signed         bool
	}{
		{"GetId-unsigned", "GetId", `{"IdentityPoolId":"us-east-1:0b6e5a3c-2f1d-4c8e-9a7b-1d2e3f4a5b6c","Logins":{"graph.facebook.com":"user-1"}}`, false},
		{"ListIdentities-60-sigv4", "ListIdentities", `{"IdentityPoolId":"us-east-1:0b6e5a3c-2f1d-4c8e-9a7b-1d2e3f4a5b6c","MaxResults":60}`, true},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			body := []byte(tc.body)
			req, _ := http.NewRequest("POST", "http://127.0.0.1:9230/", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/x-amz-json-1.1")
			req.Header.Set("X-Amz-Target", "AWSCognitoIdentityService."+tc.op)
			if tc.signed {
				sum := sha256.Sum256(body)
				v4.NewSigner().SignHTTP(b.Context(), aws.Credentials{AccessKeyID: "AKIDBENCH00000000001", SecretAccessKey: "bench-secret-000000000000000"},
					req, hex.EncodeToString(sum[:]), "cognito-identity", "us-east-1", time.Now())
			}
			b.ReportAllocs()
			for b.Loop() {
				req.Body = io.NopCloser(bytes.NewReader(body))
				w := httptest.NewRecorder()
				srv.ServeHTTP(w, req)
				if w.Code != 200 {
					b.Fatalf("%d %s", w.Code, w.Body)
				}
			}
		})
	}
}
