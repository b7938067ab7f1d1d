package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/cognitod/cognitod/internal/server"
	"github.com/cognitod/cognitod/internal/tokens"
)

const keysHelp = `Usage: cognitod keys list   [--store URL]
       cognitod keys rotate [--store URL] [--region R[,R...]] [--min-age DURATION]

Manages the RS512 keys that sign cognitod's OpenID tokens (kid "<region>-<n>"),
in the store a server uses: run it against the same --store (or COGNITOD_STORE).

list    shows every key: kid, region, created, retired, and until when a retired
        key's public half stays in /.well-known/jwks_uri (its last token's expiry).
rotate  retires the current key of each region (or of --region) and makes a new
        one current, in one transaction. Running servers sharing the store sign
        with the new key within a minute; tokens of the old one stay verifiable
        until they expire. --min-age skips keys younger than it.

Flags:
`

// runKeys runs `cognitod keys ...`.
func runKeys(args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cmd := ""
	if len(args) > 0 {
		cmd = args[0]
	}
	fs := flag.NewFlagSet("cognitod keys "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	store := storeFlag(fs, getenv, "storage `URL` of the server's keys")
	regions := fs.String("region", "", "`regions` to rotate, comma-separated (default: every region that has a key)")
	minAge := fs.Duration("min-age", 0, "leave keys younger than this `duration` alone (default: rotate them all)")
	fs.Usage = func() {
		fmt.Fprint(stderr, keysHelp)
		fs.PrintDefaults()
	}
	if cmd != "list" && cmd != "rotate" {
		fs.Usage()
		if cmd == "-h" || cmd == "--help" || cmd == "help" {
			return errHelp
		}
		return errors.New("cognitod keys: want list or rotate")
	}
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errHelp
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q (see cognitod keys -h)", fs.Arg(0))
	}
	// A mistyped path must not become a new, empty store that "has no
	// keys" or takes a rotation the real store never sees.
	storeURL, err := store.url()
	if err != nil {
		return err
	}
	if err := existingStore(storeURL); err != nil {
		return err
	}
	ctx := context.Background()
	if cmd == "list" {
		keys, err := server.ListKeys(ctx, storeURL)
		if err != nil {
			return err
		}
		printKeys(stdout, keys)
		return nil
	}
	var rs []string
	if *regions != "" {
		for _, r := range strings.Split(*regions, ",") {
			if r = strings.TrimSpace(r); r != "" {
				rs = append(rs, r)
			}
		}
	}
	done, err := server.RotateKeys(ctx, storeURL, rs, *minAge)
	for _, r := range done {
		switch {
		case r.Skipped:
			fmt.Fprintf(stdout, "%s: kept %s (younger than %v)\n", r.Region, r.Current, *minAge)
		case r.Retired == "":
			fmt.Fprintf(stdout, "%s: new key %s\n", r.Region, r.Current)
		default:
			fmt.Fprintf(stdout, "%s: retired %s, now signing with %s\n", r.Region, r.Retired, r.Current)
		}
	}
	if err == nil && len(done) == 0 {
		fmt.Fprintln(stdout, "no signing keys yet: a region gets its first key with its first token")
	}
	return err
}

func printKeys(w io.Writer, keys []tokens.KeyInfo) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KID\tREGION\tCREATED\tRETIRED\tIN JWKS UNTIL")
	ts := func(t time.Time, zero string) string {
		if t.IsZero() {
			return zero
		}
		return t.UTC().Format(time.RFC3339)
	}
	for _, k := range keys {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", k.KID, k.Region, ts(k.Created, "-"), ts(k.Retired, "current"), ts(k.PublishedUntil, "-"))
	}
	tw.Flush()
}
