// Command sync is the Go quickstart for Cognito Sync on cognitod
// (docs/quickstart/go.md). aws-sdk-go-v2 has no Cognito Sync client, so the
// Sync calls use aws-sdk-go v1 (github.com/aws/aws-sdk-go/service/cognitosync),
// signed with the temporary credentials an identity gets from
// GetCredentialsForIdentity: the flow a mobile or browser app runs.
//
//	AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... go run ./examples/go/sync -endpoint http://127.0.0.1:9230
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"

	awsv1 "github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/aws/awserr"
	credv1 "github.com/aws/aws-sdk-go/aws/credentials"
	"github.com/aws/aws-sdk-go/aws/session"
	"github.com/aws/aws-sdk-go/service/cognitosync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
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

// syncClient builds a v1 Cognito Sync client for cognitod: Endpoint is the
// only cognitod-specific setting.
func syncClient(cfg Config, creds *credv1.Credentials) (*cognitosync.CognitoSync, error) {
	sess, err := session.NewSession(&awsv1.Config{
		Endpoint:    awsv1.String(cfg.Endpoint),
		Region:      awsv1.String(cfg.Region),
		Credentials: creds,
	})
	if err != nil {
		return nil, err
	}
	return cognitosync.New(sess), nil
}

func run(ctx context.Context, out io.Writer, cfg Config) error {
	// Developer side (once): a pool whose guests get a role.
	dev := cognitoidentity.New(cognitoidentity.Options{
		Region: cfg.Region, BaseEndpoint: aws.String(cfg.Endpoint),
		Credentials: credentials.NewStaticCredentialsProvider(cfg.AccessKeyID, cfg.SecretAccessKey, ""),
	})
	pool, err := dev.CreateIdentityPool(ctx, &cognitoidentity.CreateIdentityPoolInput{
		IdentityPoolName: aws.String("go_sync_quickstart"), AllowUnauthenticatedIdentities: true,
	})
	if err != nil {
		return fmt.Errorf("CreateIdentityPool: %w", err)
	}
	poolID := aws.ToString(pool.IdentityPoolId)
	if _, err := dev.SetIdentityPoolRoles(ctx, &cognitoidentity.SetIdentityPoolRolesInput{
		IdentityPoolId: &poolID,
		Roles:          map[string]string{"unauthenticated": "arn:aws:iam::" + cfg.AccountID + ":role/Guest"},
	}); err != nil {
		return fmt.Errorf("SetIdentityPoolRoles: %w", err)
	}

	// App side: an identity and its temporary credentials (unsigned calls).
	app := cognitoidentity.New(cognitoidentity.Options{
		Region: cfg.Region, BaseEndpoint: aws.String(cfg.Endpoint), Credentials: aws.AnonymousCredentials{},
	})
	id, err := app.GetId(ctx, &cognitoidentity.GetIdInput{IdentityPoolId: &poolID})
	if err != nil {
		return fmt.Errorf("GetId: %w", err)
	}
	identityID := aws.ToString(id.IdentityId)
	got, err := app.GetCredentialsForIdentity(ctx, &cognitoidentity.GetCredentialsForIdentityInput{IdentityId: &identityID})
	if err != nil {
		return fmt.Errorf("GetCredentialsForIdentity: %w", err)
	}
	c := got.Credentials
	sync, err := syncClient(cfg, credv1.NewStaticCredentials(aws.ToString(c.AccessKeyId), aws.ToString(c.SecretKey), aws.ToString(c.SessionToken)))
	if err != nil {
		return err
	}

	// The Sync round trip: ListRecords hands out the session token that
	// UpdateRecords must present; each patch carries the SyncCount last seen
	// (0 for a new record).
	list := &cognitosync.ListRecordsInput{
		IdentityPoolId: &poolID, IdentityId: &identityID, DatasetName: awsv1.String("settings"),
	}
	first, err := sync.ListRecordsWithContext(ctx, list)
	if err != nil {
		return fmt.Errorf("ListRecords: %w", err)
	}
	fmt.Fprintf(out, "dataset exists: %v, records: %d\n", awsv1.BoolValue(first.DatasetExists), len(first.Records))
	upd, err := sync.UpdateRecordsWithContext(ctx, &cognitosync.UpdateRecordsInput{
		IdentityPoolId: &poolID, IdentityId: &identityID, DatasetName: awsv1.String("settings"),
		SyncSessionToken: first.SyncSessionToken,
		RecordPatches: []*cognitosync.RecordPatch{{
			Op: awsv1.String(cognitosync.OperationReplace), Key: awsv1.String("theme"),
			Value: awsv1.String("dark"), SyncCount: awsv1.Int64(0),
		}},
	})
	if err != nil {
		return fmt.Errorf("UpdateRecords: %w", err)
	}
	fmt.Fprintf(out, "wrote %s=%s, record SyncCount %d\n", awsv1.StringValue(upd.Records[0].Key),
		awsv1.StringValue(upd.Records[0].Value), awsv1.Int64Value(upd.Records[0].SyncCount))
	second, err := sync.ListRecordsWithContext(ctx, list)
	if err != nil {
		return fmt.Errorf("ListRecords: %w", err)
	}
	if len(second.Records) != 1 || awsv1.StringValue(second.Records[0].Value) != "dark" {
		return fmt.Errorf("read back %v, want theme=dark", second.Records)
	}
	fmt.Fprintf(out, "read back theme=%s, dataset SyncCount %d\n", awsv1.StringValue(second.Records[0].Value),
		awsv1.Int64Value(second.DatasetSyncCount))

	// A second writer still holding SyncCount 0 loses: 409, nothing written.
	_, err = sync.UpdateRecordsWithContext(ctx, &cognitosync.UpdateRecordsInput{
		IdentityPoolId: &poolID, IdentityId: &identityID, DatasetName: awsv1.String("settings"),
		SyncSessionToken: second.SyncSessionToken,
		RecordPatches: []*cognitosync.RecordPatch{{
			Op: awsv1.String(cognitosync.OperationReplace), Key: awsv1.String("theme"),
			Value: awsv1.String("light"), SyncCount: awsv1.Int64(0),
		}},
	})
	var rf awserr.RequestFailure
	if !errors.As(err, &rf) || rf.Code() != cognitosync.ErrCodeResourceConflictException || rf.StatusCode() != http.StatusConflict {
		return fmt.Errorf("stale SyncCount: want ResourceConflictException (409), got %v", err)
	}
	fmt.Fprintf(out, "stale write: %s (%d): %s\n", rf.Code(), rf.StatusCode(), rf.Message())
	return nil
}
