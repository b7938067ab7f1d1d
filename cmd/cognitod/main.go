// Command cognitod serves the Amazon Cognito Identity and Amazon Cognito Sync
// APIs on one HTTP listener, on an embedded SQLite store by default.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/cognitod/cognitod/internal/server"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, errHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "cognitod:", err)
		os.Exit(1)
	}
}

// run starts the server and blocks until SIGINT/SIGTERM, then drains
// in-flight requests and closes the store.
func run(args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "keys" {
		return runKeys(args[1:], os.Getenv, stdout, stderr)
	}
	if len(args) > 0 && args[0] == "export" {
		return runExport(args[1:], os.Getenv, os.Stdin, stdout, stderr)
	}
	if len(args) > 0 && args[0] == "import" {
		return runImport(args[1:], os.Getenv, os.Stdin, stdout, stderr)
	}
	if len(args) > 0 && (args[0] == "version" || args[0] == "--version") {
		return printVersion(stdout)
	}
	cfg, err := parseConfig(args, os.Getenv, stderr)
	if err != nil {
		return err
	}
	log := newLogger(cfg, stderr)
	// Packages that log without being handed a logger (the SQLite store's
	// schema upgrade) log in the same format, to the same place.
	slog.SetDefault(log)
	commitDelay := cfg.CommitDelay
	if commitDelay == 0 {
		commitDelay = -1 // --commit-delay 0: never wait (zero is the store's default)
	}
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(cfg.GCPercent)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return err
	}
	app, err := server.Open(ctx, &server.Options{
		Store: cfg.Store, Auth: cfg.Auth, DataDir: cfg.DataDir, KeysFile: cfg.KeysFile,
		AccessKeyID: cfg.AccessKeyID, SecretAccessKey: cfg.SecretAccessKey, AccountID: cfg.AccountID,
		PublicURL: cfg.PublicURL, Addr: ln.Addr().String(), StreamSink: cfg.StreamSink,
		Logins: cfg.Logins, LoginsConfig: cfg.LoginsConfig,
		KeyRotation: cfg.KeyRotation, Throttle: cfg.Throttle, SeedFile: cfg.SeedFile,
		LogRequests: cfg.LogRequests, CommitDelay: commitDelay,
		IdentityQuotas: cfg.IdentityQuotas, SyncQuotas: cfg.SyncQuotas,
	}, log, stdout)
	if err != nil {
		ln.Close()
		return err
	}
	srv := &http.Server{
		Handler:           app.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	if cfg.DebugListen != "" {
		dbg, err := serveDebug(cfg.DebugListen)
		if err != nil {
			srv.Close()
			app.Close()
			return fmt.Errorf("--debug-listen: %w", err)
		}
		defer dbg.Close()
		log.Info("profiler listening", "address", "http://"+dbg.Addr().String()+"/debug/pprof/")
	}
	log.Info("cognitod ready", "address", "http://"+ln.Addr().String(), "store", app.StoreDesc, "auth", string(cfg.Auth), "logins", string(server.LoginsMode(&server.Options{Auth: cfg.Auth, Logins: cfg.Logins})), "issuer", app.Issuer)

	select {
	case err := <-errc:
		app.Close()
		return err
	case <-ctx.Done():
	}
	// A second SIGINT or SIGTERM now ends the process at once.
	stop()
	log.Info("shutting down: draining in-flight requests", "timeout", cfg.ShutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	serr := srv.Shutdown(sctx)
	// Background work (live stream changes, bulk publish jobs) gets its
	// own --shutdown-timeout, then what remains is dropped.
	bctx, bcancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer bcancel()
	if err := app.Shutdown(bctx); err != nil {
		log.Error("closing store", "err", err)
		return err
	}
	log.Info("stopped")
	if serr != nil && !errors.Is(serr, http.ErrServerClosed) {
		return serr
	}
	return nil
}

func newLogger(cfg *Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
