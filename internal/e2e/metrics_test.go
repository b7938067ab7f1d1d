package e2e

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ci "github.com/aws/aws-sdk-go-v2/service/cognitoidentity"

	"github.com/cognitod/cognitod/internal/auth"
)

func TestHealthAndMetrics(t *testing.T) {
	e := newEnv(t, auth.ModeSigV4)
	createPool(t, e.dev, &ci.CreateIdentityPoolInput{})
	_, err := e.dev.DescribeIdentityPool(ctx, &ci.DescribeIdentityPoolInput{IdentityPoolId: aws.String("us-east-1:00000000-0000-4000-8000-000000000000")})
	apiErr(t, err, "ResourceNotFoundException", "")
	get := func(path string) (int, string) {
		resp, err := http.Get(e.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for _, p := range []string{"/healthz", "/readyz"} {
		if st, body := get(p); st != 200 || strings.TrimSpace(body) != "ok" {
			t.Fatalf("%s: %d %q", p, st, body)
		}
	}
	st, body := get("/metrics")
	if st != 200 {
		t.Fatalf("/metrics: %d", st)
	}
	for _, want := range []string{
		`cognitod_requests_total{code="",operation="CreateIdentityPool",service="cognito-identity",status="200"} 1`,
		`cognitod_requests_total{code="ResourceNotFoundException",operation="DescribeIdentityPool",service="cognito-identity",status="400"} 1`,
		`cognitod_request_duration_seconds_bucket{operation="CreateIdentityPool",service="cognito-identity"`,
		`cognitod_store_transaction_duration_seconds_count{kind="update"}`,
		`go_goroutines`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}
