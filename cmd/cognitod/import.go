package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/cognitod/cognitod/internal/server"
	"github.com/cognitod/cognitod/internal/store/dump"
)

const importHelp = `Usage: cognitod import [--store URL] [--input FILE|-] [--force]

Loads a dump written by cognitod export into a store, which may be of
another backend than the dump's source (e.g. SQLite to PostgreSQL). The
target must be empty: import refuses a store holding any row, unless --force,
which deletes everything in it first (signing keys and secrets included:
they are replaced by the dump's), once the whole dump has been read through
and found sound: a damaged dump leaves the target as it was. Rows go in a few thousand per transaction
and every table's count is checked against the dump; if the import fails
part-way, the target is emptied again so that it can be run again. Stop the
servers using the target while it runs (docs/STORAGE.md).

Flags:
`

// runImport runs `cognitod import`.
func runImport(args []string, getenv func(string) string, stdin io.Reader, _, stderr io.Writer) error {
	fs := flag.NewFlagSet("cognitod import", flag.ContinueOnError)
	store := storeFlag(fs, getenv, "storage `URL` to load the dump into")
	input := fs.String("input", "-", "`file` to read the dump from, - for standard input")
	force := fs.Bool("force", false, "delete everything in a target that is not empty before loading")
	batch := fs.Int("batch", 2000, "`rows` per transaction")
	if err := parseSub(fs, importHelp, args, stderr); err != nil {
		return err
	}
	storeURL, err := store.url()
	if err != nil {
		return err
	}
	r := stdin
	if *input != "-" {
		f, err := os.Open(*input)
		if err != nil {
			return err
		}
		defer f.Close()
		r = f
	} else if *force {
		// --force checks the whole dump before emptying the target, so it
		// reads the dump twice: standard input is kept in a temporary file.
		f, err := os.CreateTemp("", "cognitod-import-*.jsonl")
		if err != nil {
			return err
		}
		defer os.Remove(f.Name())
		defer f.Close()
		if _, err := io.Copy(f, stdin); err != nil {
			return fmt.Errorf("keeping standard input for --force: %w", err)
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return err
		}
		r = f
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	d, _, desc, closeStore, err := server.OpenDumper(ctx, storeURL)
	if err != nil {
		return err
	}
	defer closeStore()
	p := newProgress(stderr, "import")
	h, err := dump.Import(ctx, d, r, dump.ImportOptions{Force: *force, Batch: *batch, Progress: p.update, CheckRow: server.CheckDumpRow})
	p.finish()
	if err != nil {
		return fmt.Errorf("import into %s: %w", desc, err)
	}
	var rows int64
	for _, t := range h.Tables {
		rows += t.Rows
	}
	fmt.Fprintf(stderr, "imported %d rows of %d tables into %s (dumped from %s at %s)\n",
		rows, len(h.Tables), desc, h.Source, h.Created.Format("2006-01-02T15:04:05Z"))
	return nil
}
