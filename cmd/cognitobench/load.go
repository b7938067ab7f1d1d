package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/cognitod/cognitod/internal/identity"
	"github.com/cognitod/cognitod/internal/store"
	"github.com/cognitod/cognitod/internal/store/sqlite"
)

// loadCmd fills a new pool with N unauthenticated identities directly in a
// SQLite store (the API path would take hours for 10,000,000), in large
// transactions, and prints the pool ID. Stop cognitod first.
func loadCmd(args []string) error {
	fs := flag.NewFlagSet("load", flag.ExitOnError)
	url := fs.String("store", "sqlite:./data/cognitod.db", "store URL (sqlite:PATH)")
	n := fs.Int("identities", 1_000_000, "identities to create")
	account := fs.String("account", "123456789012", "account that owns the pool")
	region := fs.String("region", "us-east-1", "region of the pool")
	batch := fs.Int("batch", 20_000, "identities per transaction")
	fs.Parse(args)
	path, ok := strings.CutPrefix(*url, "sqlite:")
	if !ok {
		return fmt.Errorf("--store %q: load supports sqlite:PATH", *url)
	}
	ctx := context.Background()
	st, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		return err
	}
	defer st.Close()
	// IDs as cognitod makes them on this store (time-ordered on SQLite).
	ordered := store.PrefersOrderedIDs(st)
	now := time.Now()
	pool := &store.Pool{ID: identity.NewPoolID(*region), Account: *account, Region: *region, Name: "bench-loaded", CreatedAt: now, UpdatedAt: now,
		Config: []byte(`{"allowUnauth":true,"loginProviders":null}`)}
	if err := st.Update(ctx, func(tx store.Tx) error { return tx.CreatePool(pool) }); err != nil {
		return err
	}
	start := time.Now()
	for done := 0; done < *n; {
		k := min(*batch, *n-done)
		err := st.Update(ctx, func(tx store.Tx) error {
			for i := 0; i < k; i++ {
				if err := tx.CreateIdentity(&store.Identity{ID: identity.NewIdentityID(*region, ordered), PoolID: pool.ID, CreatedAt: now, ModifiedAt: now}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		done += k
		el := time.Since(start).Seconds()
		fmt.Fprintf(os.Stderr, "\rloaded %d/%d identities (%.0f/s, %.0fs left)   ", done, *n, float64(done)/el, float64(*n-done)/(float64(done)/el))
	}
	fmt.Fprintln(os.Stderr)
	fmt.Println(pool.ID)
	return nil
}
