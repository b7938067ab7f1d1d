package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/cognitod/cognitod/internal/server"
	"github.com/cognitod/cognitod/internal/store/dump"
)

const exportHelp = `Usage: cognitod export [--store URL] [--output FILE|-]

Writes the whole state of a store (pools, identities, logins, credentials,
OpenID signing keys and server secrets, every Cognito Sync table) as JSON
lines, read in one consistent snapshot: a server may keep running. The dump
holds the signing keys and secrets: keep it as private as the store. Load it
with cognitod import, into the same or another backend (docs/STORAGE.md).

Flags:
`

// storeFlag is --store with COGNITOD_STORE as its default, as the server
// takes it.
func storeFlag(fs *flag.FlagSet, getenv func(string) string, usage string) *subStore {
	s := &subStore{getenv: getenv}
	s.store = fs.String("store", "", usage+" (default: $COGNITOD_STORE, else the config file's store, else "+defaultStore+") [COGNITOD_STORE]")
	s.config = fs.String("config", "", "YAML config `file` of the server, whose store: is used when neither --store nor COGNITOD_STORE is given [COGNITOD_CONFIG]")
	return s
}

const defaultStore = "sqlite:./data/cognitod.db"

// subStore is a subcommand's --store, resolved as the server resolves its
// own: the flag, else COGNITOD_STORE, else the config file's store: (from
// --config or COGNITOD_CONFIG), else the default. A subcommand that read
// the flag and the environment only would, under a config file, quietly
// work on ./data/cognitod.db instead of the server's store.
type subStore struct {
	store, config *string
	getenv        func(string) string
}

func (s *subStore) url() (string, error) {
	if *s.store != "" {
		return *s.store, nil
	}
	if v := s.getenv("COGNITOD_STORE"); v != "" {
		return v, nil
	}
	path := *s.config
	if path == "" {
		path = s.getenv("COGNITOD_CONFIG")
	}
	if path != "" {
		vals, err := loadConfigFile(path)
		if err != nil {
			return "", err
		}
		if v := vals["store"].value; v != "" {
			return v, nil
		}
	}
	return defaultStore, nil
}

// parseSub parses a subcommand's flags: no arguments allowed.
func parseSub(fs *flag.FlagSet, help string, args []string, stderr io.Writer) error {
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, help)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errHelp
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q (see %s -h)", fs.Arg(0), fs.Name())
	}
	return nil
}

// existingStore refuses a sqlite:PATH that does not exist, which opening
// would create empty, and the memory store, which is empty in a new
// process: an export of nothing is a mistake, not a backup.
func existingStore(url string) error {
	if url == "memory" {
		return errors.New("--store memory: a new process's memory store is empty; name the server's store")
	}
	if path, ok := strings.CutPrefix(url, "sqlite:"); ok {
		if _, err := os.Stat(path); err != nil {
			return fmt.Errorf("--store %s: %w", url, err)
		}
	}
	return nil
}

// runExport runs `cognitod export`.
func runExport(args []string, getenv func(string) string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("cognitod export", flag.ContinueOnError)
	store := storeFlag(fs, getenv, "storage `URL` to export")
	output := fs.String("output", "-", "`file` to write the dump to, - for standard output")
	if err := parseSub(fs, exportHelp, args, stderr); err != nil {
		return err
	}
	storeURL, err := store.url()
	if err != nil {
		return err
	}
	if err := existingStore(storeURL); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	d, kind, desc, closeStore, err := server.OpenDumper(ctx, storeURL)
	if err != nil {
		return err
	}
	defer closeStore()

	w := stdout
	var tmp *os.File
	if *output != "-" {
		// A temporary file renamed at the end: a failed export leaves no
		// file that looks like a dump. Private: it holds keys and secrets.
		tmp, err = os.CreateTemp(filepath.Dir(*output), filepath.Base(*output)+".tmp*")
		if err != nil {
			return err
		}
		defer os.Remove(tmp.Name())
		defer tmp.Close()
		if err := tmp.Chmod(0o600); err != nil {
			return err
		}
		w = tmp
	}
	p := newProgress(stderr, "export")
	h, err := dump.Export(ctx, d, w, kind, p.update)
	p.finish()
	if err != nil {
		return fmt.Errorf("export of %s: %w", desc, err)
	}
	if tmp != nil {
		if err := tmp.Sync(); err != nil {
			return err
		}
		if err := tmp.Close(); err != nil {
			return err
		}
		if err := os.Rename(tmp.Name(), *output); err != nil {
			return err
		}
	}
	var rows int64
	for _, t := range h.Tables {
		rows += t.Rows
	}
	fmt.Fprintf(stderr, "exported %d rows of %d tables from %s\n", rows, len(h.Tables), desc)
	return nil
}
