package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
)

// sessionsCmd prepares UpdateRecords for another load generator (wrk, in
// cmd/cognitobench/wrk/updaterecords.lua), which cannot open sync sessions
// itself: it creates a pool and N identities, opens a sync session on
// each one's "bench" dataset (ListRecords), and prints one line per
// identity: pool ID, identity ID and SyncSessionToken, tab-separated.
func sessionsCmd(args []string) error {
	fs := flag.NewFlagSet("sessions", flag.ExitOnError)
	client := clientFlags(fs)
	n := fs.Int("identities", 2000, "identities (one sync session each)")
	fs.Parse(args)
	if *n < 1 {
		return fmt.Errorf("sessions: --identities must be 1 or more")
	}
	return writeSessions(context.Background(), client(16), *n, os.Stdout)
}

// writeSessions makes n identities with a sync session each and writes
// their lines to out.
func writeSessions(ctx context.Context, c *client, n int, out io.Writer) error {
	s := &updateRecords{}
	if err := s.setup(ctx, c, &runOpts{setupSize: n, workers: 1}); err != nil {
		return err
	}
	w := bufio.NewWriter(out)
	for i, id := range s.ids {
		fmt.Fprintf(w, "%s\t%s\t%s\n", s.pool, id, s.tokens[i])
	}
	return w.Flush()
}
