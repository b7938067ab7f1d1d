// Command identity is the Go quickstart for Cognito Identity on cognitod
// (docs/quickstart/go.md): aws-sdk-go-v2 pointed at cognitod through
// BaseEndpoint. It creates a pool with a developer provider, gets an
// unauthenticated identity, pages through ListIdentities, resolves a
// developer identity twice (same user, same IdentityId) and fetches
// temporary credentials.
//
//	AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... go run ./examples/go/identity -endpoint http://127.0.0.1:9230
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	"github.com/aws/smithy-go"
)

// Config is what the example needs to reach cognitod.
type Config struct {
	Endpoint, Region, AccessKeyID, SecretAccessKey, AccountID string
}

func main() {
	cfg := Config{AccessKeyID: os.Getenv("AWS_ACCESS_KEY_ID"), SecretAccessKey: os.Getenv("AWS_SECRET_ACCESS_KEY")}
	flag.StringVar(&cfg.Endpoint, "endpoint", "http://127.0.0.1:9230", "cognitod base URL")
	flag.StringVar(&cfg.Region, "region", "us-east-1", "region to sign for (the pool's region)")
	flag.StringVar(&cfg.AccountID, "account", "000000000000", "account of the developer key (for the role ARN)")
	flag.Parse()
	if err := run(context.Background(), os.Stdout, cfg); err != nil {
		log.Fatal(err)
	}
}

// newClient is the one cognitod-specific line: BaseEndpoint. In an
// application, config.LoadDefaultConfig(ctx) and
// cognitoidentity.NewFromConfig(cfg, func(o *cognitoidentity.Options) { o.BaseEndpoint = ... })
// do the same with credentials from the usual chain.
func newClient(cfg Config, creds aws.CredentialsProvider) *cognitoidentity.Client {
	return cognitoidentity.New(cognitoidentity.Options{
		Region:       cfg.Region,
		BaseEndpoint: aws.String(cfg.Endpoint),
		Credentials:  creds,
	})
}

func run(ctx context.Context, out io.Writer, cfg Config) error {
	dev := newClient(cfg, credentials.NewStaticCredentialsProvider(cfg.AccessKeyID, cfg.SecretAccessKey, ""))
	// GetId, GetOpenIdToken and GetCredentialsForIdentity are unsigned in
	// AWS's model: an app calls them with no credentials at all.
	anon := newClient(cfg, aws.AnonymousCredentials{})

	pool, err := dev.CreateIdentityPool(ctx, &cognitoidentity.CreateIdentityPoolInput{
		IdentityPoolName:               aws.String("go_quickstart"),
		AllowUnauthenticatedIdentities: true,
		DeveloperProviderName:          aws.String("login.example.app"),
	})
	if err != nil {
		return fmt.Errorf("CreateIdentityPool: %w", err)
	}
	poolID := aws.ToString(pool.IdentityPoolId)
	fmt.Fprintln(out, "pool:", poolID)

	// Three guests.
	var guest string
	for range 3 {
		id, err := anon.GetId(ctx, &cognitoidentity.GetIdInput{IdentityPoolId: &poolID})
		if err != nil {
			return fmt.Errorf("GetId: %w", err)
		}
		guest = aws.ToString(id.IdentityId)
	}
	fmt.Fprintln(out, "identity:", guest)

	// ListIdentities has no SDK paginator (AWS's model declares none):
	// loop on NextToken. MaxResults is required, 1..60.
	var pages, total int
	var next *string
	for {
		page, err := dev.ListIdentities(ctx, &cognitoidentity.ListIdentitiesInput{
			IdentityPoolId: &poolID, MaxResults: aws.Int32(2), NextToken: next,
		})
		if err != nil {
			return fmt.Errorf("ListIdentities: %w", err)
		}
		pages++
		total += len(page.Identities)
		if next = page.NextToken; next == nil {
			break
		}
	}
	fmt.Fprintf(out, "listed %d identities in %d pages\n", total, pages)

	// ListIdentityPools does have a paginator.
	pools := 0
	for p := cognitoidentity.NewListIdentityPoolsPaginator(dev, &cognitoidentity.ListIdentityPoolsInput{MaxResults: aws.Int32(60)}); p.HasMorePages(); {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("ListIdentityPools: %w", err)
		}
		pools += len(page.IdentityPools)
	}
	fmt.Fprintln(out, "pools in this account and region:", pools)

	// Developer identities: the same user ID always maps to the same identity.
	var devIDs [2]string
	for i := range devIDs {
		tok, err := dev.GetOpenIdTokenForDeveloperIdentity(ctx, &cognitoidentity.GetOpenIdTokenForDeveloperIdentityInput{
			IdentityPoolId: &poolID,
			Logins:         map[string]string{"login.example.app": "user-42"},
		})
		if err != nil {
			return fmt.Errorf("GetOpenIdTokenForDeveloperIdentity: %w", err)
		}
		devIDs[i] = aws.ToString(tok.IdentityId)
	}
	if devIDs[0] != devIDs[1] {
		return fmt.Errorf("developer user mapped to two identities: %v", devIDs)
	}
	look, err := dev.LookupDeveloperIdentity(ctx, &cognitoidentity.LookupDeveloperIdentityInput{
		IdentityPoolId: &poolID, DeveloperUserIdentifier: aws.String("user-42"), MaxResults: aws.Int32(10),
	})
	if err != nil {
		return fmt.Errorf("LookupDeveloperIdentity: %w", err)
	}
	fmt.Fprintln(out, "developer identity:", devIDs[0], "lookup:", aws.ToString(look.IdentityId))

	// Credentials need a role for the identity's kind.
	if _, err := anon.GetCredentialsForIdentity(ctx, &cognitoidentity.GetCredentialsForIdentityInput{IdentityId: &guest}); err != nil {
		var ae smithy.APIError
		if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidIdentityPoolConfigurationException" {
			return fmt.Errorf("GetCredentialsForIdentity without roles: want InvalidIdentityPoolConfigurationException, got %w", err)
		}
		fmt.Fprintln(out, "before SetIdentityPoolRoles:", ae.ErrorCode())
	} else {
		return errors.New("GetCredentialsForIdentity succeeded on a pool with no roles")
	}
	if _, err := dev.SetIdentityPoolRoles(ctx, &cognitoidentity.SetIdentityPoolRolesInput{
		IdentityPoolId: &poolID,
		Roles:          map[string]string{"unauthenticated": "arn:aws:iam::" + cfg.AccountID + ":role/Guest"},
	}); err != nil {
		return fmt.Errorf("SetIdentityPoolRoles: %w", err)
	}
	creds, err := anon.GetCredentialsForIdentity(ctx, &cognitoidentity.GetCredentialsForIdentityInput{IdentityId: &guest})
	if err != nil {
		return fmt.Errorf("GetCredentialsForIdentity: %w", err)
	}
	fmt.Fprintf(out, "credentials: %s... expiring %s\n", aws.ToString(creds.Credentials.AccessKeyId)[:4],
		aws.ToTime(creds.Credentials.Expiration).UTC().Format("15:04:05Z"))
	return nil
}
