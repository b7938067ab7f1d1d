package main

import (
	"context"
	"flag"
	"fmt"
)

// tokenCmd walks a pool's ListIdentities pages and prints the NextToken
// that asks for page N, so that another load generator (wrk, in
// cmd/cognitobench/wrk) can request that deep page directly.
func tokenCmd(args []string) error {
	fs := flag.NewFlagSet("token", flag.ExitOnError)
	endpoint := fs.String("endpoint", "http://127.0.0.1:9230", "endpoint URL")
	pool := fs.String("pool", "", "identity pool ID")
	page := fs.Int("page", 10_000, "page (of MaxResults 60) the token asks for; 2 or more")
	ak := fs.String("access-key", "123456789012", "access key ID to sign with")
	sk := fs.String("secret-key", "bench-secret", "secret access key")
	region := fs.String("region", "us-east-1", "region to sign for")
	fs.Parse(args)
	if *pool == "" || *page < 2 {
		return fmt.Errorf("token: --pool and a --page of 2 or more are required")
	}
	s := &listIdentities{}
	err := s.setup(context.Background(), newClient(*endpoint, *ak, *sk, *region, 1), &runOpts{pool: *pool, page: *page})
	if err != nil {
		return err
	}
	fmt.Println(s.token)
	return nil
}
