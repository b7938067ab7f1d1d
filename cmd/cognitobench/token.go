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
	client := clientFlags(fs)
	pool := fs.String("pool", "", "identity pool ID")
	page := fs.Int("page", 10_000, "page (of MaxResults 60) the token asks for; 2 or more")
	fs.Parse(args)
	if *pool == "" || *page < 2 {
		return fmt.Errorf("token: --pool and a --page of 2 or more are required")
	}
	s := &listIdentities{}
	err := s.setup(context.Background(), client(1), &runOpts{pool: *pool, page: *page})
	if err != nil {
		return err
	}
	fmt.Println(s.token)
	return nil
}

// clientFlags adds to fs the flags that say where to send requests and how
// to sign them; the function it returns makes the client once fs is parsed.
func clientFlags(fs *flag.FlagSet) func(conns int) *client {
	endpoint := fs.String("endpoint", "http://127.0.0.1:9230", "endpoint URL")
	ak := fs.String("access-key", "123456789012", "access key ID to sign with")
	sk := fs.String("secret-key", "bench-secret", "secret access key")
	region := fs.String("region", "us-east-1", "region to sign for")
	return func(conns int) *client { return newClient(*endpoint, *ak, *sk, *region, conns) }
}
