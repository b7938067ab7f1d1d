// Package server wires cognitod together: it opens the store, loads keys,
// builds the services and the HTTP handler (API, well-known OpenID endpoints,
// health). cmd/cognitod and the end-to-end tests both start servers with it.
package server

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/cognitod/cognitod/internal/api"
	"github.com/cognitod/cognitod/internal/auth"
	"github.com/cognitod/cognitod/internal/cogsync"
	"github.com/cognitod/cognitod/internal/identity"
	"github.com/cognitod/cognitod/internal/metrics"
	"github.com/cognitod/cognitod/internal/seed"
	"github.com/cognitod/cognitod/internal/store"
	"github.com/cognitod/cognitod/internal/store/postgres"
	"github.com/cognitod/cognitod/internal/store/sqlite"
	"github.com/cognitod/cognitod/internal/throttle"
	"github.com/cognitod/cognitod/internal/tokens"
	"github.com/cognitod/cognitod/internal/trust"
)

// Options configures a server.
type Options struct {
	Store    string    // --store URL
	Auth     auth.Mode // --auth
	DataDir  string    // where a generated developer key is kept
	KeysFile string
	// One developer key from the environment.
	AccessKeyID, SecretAccessKey, AccountID string
	// PublicURL is the OpenID issuer; default http://<Addr>.
	PublicURL string
	// Addr is the address the server is reachable at (for the issuer and hints).
	Addr string
	// StreamSink receives Cognito Streams records: http(s)://URL or file:PATH.
	StreamSink string
	// Logins is --logins: verify checks every upstream login token, trust
	// takes them as presented; "" is verify under sigv4, trust under any.
	Logins trust.Mode
	// LoginsConfig is the --logins-config file (docs/LOGINS.md).
	LoginsConfig string
	// CommitDelay is --commit-delay: how long the SQLite store's writer may
	// wait for more Updates to share a commit (sqlite.Options.CommitDelay:
	// 0 is the default, negative never waits).
	CommitDelay time.Duration
	// KeyRotation rotates each region's OpenID signing key once it is this
	// old (0: never; see keys.go).
	KeyRotation time.Duration
	// Throttle is --throttle: "" or off (no rate limits), aws (AWS's default
	// rates) or a limits file (internal/throttle, docs/THROTTLING.md).
	Throttle string
	// SeedFile is --seed: accounts with developer keys, identity pools,
	// roles and login providers applied at startup, idempotently
	// (internal/seed, docs/CONFIGURATION.md).
	SeedFile string
	// LogRequests is --log-requests: one log line per API request
	// (internal/api/log.go); server failures are logged regardless.
	LogRequests bool
	// IdentityQuotas and SyncQuotas are the --quota-* flags: AWS's
	// defaults wherever a field is zero.
	IdentityQuotas identity.Limits
	SyncQuotas     cogsync.Limits

	// seed is SeedFile as read by Open, before anything is wired.
	seed *seed.File
}

// App is a wired server: store, services and HTTP handler.
type App struct {
	Store     store.Store
	StoreDesc string
	Issuer    string
	Sealer    *tokens.Sealer
	handler   http.Handler
	sync      *cogsync.Service
	rotation  *rotator
	// reseed re-applies the seed file after a reset; nil without one.
	reseed func(context.Context) error
	// dumper is the store's Dumper (Store wraps it for metrics), for
	// Reset; nil for a store without one.
	dumper store.Dumper
}

// openStore opens the store a --store URL names.
func openStore(ctx context.Context, url string, commitDelay time.Duration) (store.Store, storeKind, error) {
	opts := sqlite.Options{CommitDelay: commitDelay}
	switch {
	case url == "memory":
		st, err := sqlite.Open(ctx, ":memory:", opts)
		return st, storeKind{"memory", "memory (nothing is kept after exit)"}, err
	case strings.HasPrefix(url, "sqlite:"):
		path := strings.TrimPrefix(url, "sqlite:")
		if path == "" {
			return nil, storeKind{}, fmt.Errorf("--store %q: sqlite:PATH needs a path", url)
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, storeKind{}, err
		}
		// The database holds signing keys and token secrets: create it
		// private; SQLite gives its -wal and -shm files the same mode.
		if f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE, 0o600); err == nil {
			f.Close()
		}
		st, err := sqlite.Open(ctx, path, opts)
		return st, storeKind{"sqlite", "sqlite:" + path}, err
	case postgres.IsURL(url):
		// Shared by every node given the same URL (docs/SCALING.md).
		st, err := postgres.Open(ctx, url, postgres.Options{})
		if err != nil {
			return nil, storeKind{}, fmt.Errorf("--store %s: %w", postgres.Redact(url), err)
		}
		return st, storeKind{"postgres", postgres.Redact(url)}, nil
	}
	return nil, storeKind{}, fmt.Errorf("--store %q: want sqlite:PATH, postgres://URL or memory", url)
}

// storeKind is what openStore opened: the backend's name (sqlite, memory or
// postgres, as export headers record it) and a description for logs, with
// no password in it.
type storeKind struct {
	name, desc string
}

// loadKeys gathers the developer keys from the environment and the keys
// file; under sigv4 with none, it generates one in the data directory and
// prints it the first time.
func loadKeys(cfg *Options, log *slog.Logger, stdout io.Writer, addr string) (*auth.Keys, error) {
	keys := &auth.Keys{}
	if cfg.KeysFile != "" {
		ks, err := auth.LoadKeysFile(cfg.KeysFile)
		if err != nil {
			return nil, fmt.Errorf("--keys-file: %w", err)
		}
		for _, k := range ks.All() {
			keys.Add(k)
		}
	}
	if cfg.AccessKeyID != "" {
		k := auth.Key{AccessKeyID: cfg.AccessKeyID, Secret: cfg.SecretAccessKey, Account: cfg.AccountID}
		if err := k.Check(); err != nil {
			return nil, fmt.Errorf("COGNITOD_ACCESS_KEY_ID: %w", err)
		}
		keys.Add(k)
	}
	if err := addSeedKeys(keys, cfg.seed); err != nil {
		return nil, err
	}
	if keys.Len() > 0 || cfg.Auth != auth.ModeSigV4 {
		return keys, nil
	}
	k, created, err := auth.LoadOrCreateKey(cfg.DataDir)
	if err != nil {
		return nil, fmt.Errorf("generating a developer key in %s: %w", cfg.DataDir, err)
	}
	keys.Add(k)
	path := filepath.Join(cfg.DataDir, auth.GeneratedKeyFile)
	if created {
		fmt.Fprintf(stdout, `
No developer key was configured, so cognitod generated one and keeps it in %s.
It is printed this once. Configure a profile for it:

  aws configure set aws_access_key_id %s --profile cognitod
  aws configure set aws_secret_access_key %s --profile cognitod
  aws configure set region us-east-1 --profile cognitod
  aws --profile cognitod --endpoint-url http://%s cognito-identity list-identity-pools --max-results 10

`, path, k.AccessKeyID, k.Secret, addr)
	} else {
		log.Info("using the generated developer key", "access_key_id", k.AccessKeyID, "file", path)
	}
	return keys, nil
}

// Open opens the store and wires the server. stdout receives the one-time
// notice of a generated developer key.
func Open(ctx context.Context, cfg *Options, log *slog.Logger, stdout io.Writer) (*App, error) {
	addr := cfg.Addr
	sd, err := loadSeed(cfg)
	if err != nil {
		return nil, err
	}
	withSeed := *cfg
	withSeed.seed = sd
	cfg = &withSeed
	keys, err := loadKeys(cfg, log, stdout, addr)
	if err != nil {
		return nil, err
	}
	st, kind, err := openStore(ctx, cfg.Store, cfg.CommitDelay)
	if err != nil {
		return nil, err
	}
	app, err := wire(ctx, cfg, st, keys, log, addr)
	if err != nil {
		st.Close()
		return nil, err
	}
	app.StoreDesc = kind.desc
	if err := app.applySeed(ctx, sd, log); err != nil {
		app.Close()
		return nil, err
	}
	return app, nil
}

// wire builds the services on an open store.
func wire(ctx context.Context, cfg *Options, st store.Store, keys *auth.Keys, log *slog.Logger, addr string) (*App, error) {
	if cfg.KeyRotation > 0 && cfg.KeyRotation < MinKeyRotation {
		return nil, fmt.Errorf("--key-rotation %v: at least %v", cfg.KeyRotation, MinKeyRotation)
	}
	limits, err := throttle.Load(cfg.Throttle)
	if err != nil {
		return nil, fmt.Errorf("--throttle %q: %w", cfg.Throttle, err)
	}
	mets := metrics.New()
	dumper, _ := st.(store.Dumper)
	mets.Batching(st)
	st = mets.Store(st)
	mets.Inventory(st, metrics.InventoryOptions{})
	issuer := cfg.PublicURL
	if issuer == "" {
		issuer = "http://" + addr
	}
	keyring, err := tokens.NewKeyring(ctx, st, issuer)
	if err != nil {
		return nil, fmt.Errorf("loading signing keys: %w", err)
	}
	sealer, err := tokens.NewSealer(ctx, st)
	if err != nil {
		return nil, fmt.Errorf("loading the session token key: %w", err)
	}
	pages, err := tokens.NewBox(ctx, st, "next-token-key")
	if err != nil {
		return nil, fmt.Errorf("loading the NextToken key: %w", err)
	}
	sink, err := cogsync.ParseSink(cfg.StreamSink)
	if err != nil {
		return nil, err
	}
	syncsvc := cogsync.New(cogsync.Config{Store: st, Tokens: pages, Sink: sink, Node: nodeName(addr), Log: log, Limits: cfg.SyncQuotas})
	logins, err := loginVerifier(cfg, log)
	if err != nil {
		return nil, err
	}
	idsvc := identity.New(identity.Config{Logins: logins, Store: st, Keyring: keyring, Sealer: sealer, PageTokens: pages, Log: log,
		Hooks: identity.Hooks{IdentitiesMerged: syncsvc.IdentitiesMerged}, Limits: cfg.IdentityQuotas})
	if iq, sq := cfg.IdentityQuotas.WithDefaults(), cfg.SyncQuotas.WithDefaults(); iq != identity.DefaultLimits || sq != cogsync.DefaultLimits {
		log.Info("quotas differ from AWS's defaults (--quota-*)",
			"pools_per_account", iq.PoolsPerAccount, "tags_per_pool", iq.TagsPerPool, "rules_per_mapping", iq.RulesPerMapping,
			"logins_per_merge", iq.LoginsPerMerge, "datasets_per_identity", sq.DatasetsPerIdentity,
			"records_per_dataset", sq.RecordsPerDataset, "dataset_bytes", sq.BytesPerDataset)
	}
	authn := auth.New(cfg.Auth, keys, sealer)
	apiSrv := api.New(idsvc.API(), syncsvc.API(), authn, log, mets.Observe)
	apiSrv.LogRequests(cfg.LogRequests)
	if limits != nil {
		apiSrv.SetThrottle(throttle.New(limits), identity.NewAccountResolver(st).Scope)
		log.Info("request rate limits on (per node)", "throttle", cfg.Throttle)
	}

	mux := http.NewServeMux()
	mux.Handle("GET /metrics", mets.Handler())
	mux.HandleFunc("GET /.well-known/jwks_uri", func(w http.ResponseWriter, r *http.Request) {
		b, err := keyring.JWKS(r.Context())
		if err != nil {
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "public, max-age=3600")
		w.Write(b)
	})
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(keyring.Discovery())
	})
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if err := st.Ping(r.Context()); err != nil {
			http.Error(w, "store unreachable", http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte("ok\n"))
	})
	var app *App
	routeReset(mux, cfg.Auth, log, func() *App { return app })
	mux.Handle("/", apiSrv)
	rot := startKeyRotation(keyring, cfg.KeyRotation, log)
	// Cognito Sync's REST paths go to the API as sent: ServeMux cleans a
	// path before routing, and would answer a dataset named "." or ".."
	// (the model allows both) with a redirect to another route.
	top := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p := r.URL.Path; p == "/identitypools" || strings.HasPrefix(p, "/identitypools/") {
			apiSrv.ServeHTTP(w, r)
			return
		}
		mux.ServeHTTP(w, r)
	})
	app = &App{Store: st, Issuer: issuer, Sealer: sealer, handler: withCORS(top, nil), sync: syncsvc, rotation: rot, dumper: dumper}
	return app, nil
}

// nodeName names this process to others sharing the store.
func nodeName(addr string) string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s/%d/%s", host, os.Getpid(), addr)
}

// Handler returns the HTTP handler.
func (a *App) Handler() http.Handler { return a.handler }

// Close stops background work and closes the store.
func (a *App) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), DefaultDrain)
	defer cancel()
	return a.Shutdown(ctx)
}

// DefaultDrain is how long Close lets background work (live stream
// changes, bulk publish jobs) finish before it cancels the rest.
const DefaultDrain = 30 * time.Second

// Shutdown stops background work, letting it finish until ctx ends and
// cancelling what remains then, and closes the store.
func (a *App) Shutdown(ctx context.Context) error {
	a.rotation.Stop()
	a.sync.Close(ctx)
	return a.Store.Close()
}
