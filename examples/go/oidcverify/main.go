// Command oidcverify is the Go quickstart for checking cognitod's OpenID
// tokens (docs/quickstart/go.md): it gets a token with GetOpenIdToken and
// verifies it with coreos/go-oidc against the keys at
// <endpoint>/.well-known/jwks_uri, as a backend that trusts cognitod as an
// issuer would.
//
//	AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... go run ./examples/go/oidcverify -endpoint http://127.0.0.1:9230
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	"github.com/coreos/go-oidc/v3/oidc"
)

// Config is what the example needs to reach cognitod. Issuer is cognitod's
// --public-url (default http://<listen address>): the token's iss.
type Config struct {
	Endpoint, Issuer, Region, AccessKeyID, SecretAccessKey string
}

func main() {
	cfg := Config{AccessKeyID: os.Getenv("AWS_ACCESS_KEY_ID"), SecretAccessKey: os.Getenv("AWS_SECRET_ACCESS_KEY")}
	flag.StringVar(&cfg.Endpoint, "endpoint", "http://127.0.0.1:9230", "cognitod base URL")
	flag.StringVar(&cfg.Issuer, "issuer", "", "expected iss: cognitod's --public-url (default: the endpoint)")
	flag.StringVar(&cfg.Region, "region", "us-east-1", "region to sign for (the pool's region)")
	flag.Parse()
	if cfg.Issuer == "" {
		cfg.Issuer = cfg.Endpoint
	}
	if err := run(context.Background(), os.Stdout, cfg); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, out io.Writer, cfg Config) error {
	dev := cognitoidentity.New(cognitoidentity.Options{
		Region: cfg.Region, BaseEndpoint: aws.String(cfg.Endpoint),
		Credentials: credentials.NewStaticCredentialsProvider(cfg.AccessKeyID, cfg.SecretAccessKey, ""),
	})
	pool, err := dev.CreateIdentityPool(ctx, &cognitoidentity.CreateIdentityPoolInput{
		IdentityPoolName: aws.String("go_oidc_quickstart"), AllowUnauthenticatedIdentities: true,
	})
	if err != nil {
		return fmt.Errorf("CreateIdentityPool: %w", err)
	}
	poolID := aws.ToString(pool.IdentityPoolId)
	anon := cognitoidentity.New(cognitoidentity.Options{
		Region: cfg.Region, BaseEndpoint: aws.String(cfg.Endpoint), Credentials: aws.AnonymousCredentials{},
	})
	id, err := anon.GetId(ctx, &cognitoidentity.GetIdInput{IdentityPoolId: &poolID})
	if err != nil {
		return fmt.Errorf("GetId: %w", err)
	}
	tok, err := anon.GetOpenIdToken(ctx, &cognitoidentity.GetOpenIdTokenInput{IdentityId: id.IdentityId})
	if err != nil {
		return fmt.Errorf("GetOpenIdToken: %w", err)
	}

	// The verifier: keys from the JWKS, iss = cognitod's public URL, aud =
	// the pool ID. go-oidc accepts RS256 only unless told; cognitod, like
	// AWS, signs RS512. (oidc.NewProvider(ctx, issuer) finds the same
	// jwks_uri through /.well-known/openid-configuration.)
	keys := oidc.NewRemoteKeySet(ctx, cfg.Endpoint+"/.well-known/jwks_uri")
	verifier := oidc.NewVerifier(cfg.Issuer, keys, &oidc.Config{
		ClientID:             poolID,
		SupportedSigningAlgs: []string{oidc.RS512},
	})
	idt, err := verifier.Verify(ctx, aws.ToString(tok.Token))
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	var claims struct {
		Amr []string `json:"amr"`
	}
	if err := idt.Claims(&claims); err != nil {
		return err
	}
	if idt.Subject != aws.ToString(id.IdentityId) {
		return fmt.Errorf("sub %q, want %q", idt.Subject, aws.ToString(id.IdentityId))
	}
	fmt.Fprintf(out, "verified: sub=%s aud=%s amr=%v lifetime=%s\n", idt.Subject, idt.Audience[0], claims.Amr, idt.Expiry.Sub(idt.IssuedAt))

	// A verifier for another pool refuses the same token.
	other := oidc.NewVerifier(cfg.Issuer, keys, &oidc.Config{
		ClientID: cfg.Region + ":00000000-0000-4000-8000-000000000000", SupportedSigningAlgs: []string{oidc.RS512},
	})
	if _, err := other.Verify(ctx, aws.ToString(tok.Token)); err == nil {
		return fmt.Errorf("a verifier for another pool accepted the token")
	} else {
		fmt.Fprintln(out, "another pool's verifier:", err)
	}
	return nil
}
