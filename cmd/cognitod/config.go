package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/cognitod/cognitod/internal/auth"
	"github.com/cognitod/cognitod/internal/cogsync"
	"github.com/cognitod/cognitod/internal/identity"
	"github.com/cognitod/cognitod/internal/throttle"
	"github.com/cognitod/cognitod/internal/trust"
)

// Config is the server's configuration: every field is a flag, and every
// flag has an environment variable and a config file key (precedence: flag,
// environment, config file, default; configfile.go).
type Config struct {
	Listen          string
	DebugListen     string
	Store           string
	Auth            auth.Mode
	DataDir         string
	KeysFile        string
	PublicURL       string
	LogFormat       string
	LogLevel        slog.Level
	LogRequests     bool
	ShutdownTimeout time.Duration
	StreamSink      string
	Logins          trust.Mode
	LoginsConfig    string
	KeyRotation     time.Duration
	Throttle        string
	SeedFile        string
	GCPercent       int
	CommitDelay     time.Duration
	IdentityQuotas  identity.Limits
	SyncQuotas      cogsync.Limits
	// From the environment only (secrets do not belong on command lines).
	AccessKeyID     string
	SecretAccessKey string
	AccountID       string
}

var errHelp = errors.New("help requested")

// flagSpec documents one flag and its environment variable.
type flagSpec struct {
	name, env, def, usage string
}

var flagSpecs = []flagSpec{
	{"listen", "COGNITOD_LISTEN", "127.0.0.1:9230", "`address` to listen on (host:port). Loopback by default: expose it deliberately."},
	{"store", "COGNITOD_STORE", "sqlite:./data/cognitod.db", "storage `URL`: sqlite:PATH (durable, embedded, one process), postgres://USER:PASSWORD@HOST:PORT/DB?sslmode=... (PostgreSQL, or CockroachDB/YugabyteDB, shared by any number of cognitod nodes; pool_max_conns, connect_timeout, statement_timeout and other settings go in the query, see docs/SCALING.md) or memory (nothing kept after exit)"},
	{"auth", "COGNITOD_AUTH", "sigv4", "request authentication `mode`: sigv4 (verify signatures against the developer keys) or any (accept any well-formed SigV4 request, as local emulators do: a configured key acts for its account, another 12-digit access key is the account ID, any other key means account 000000000000)"},
	{"data-dir", "COGNITOD_DATA_DIR", "./data", "`directory` for generated files (the developer key created on first start under sigv4 when none is configured)"},
	{"keys-file", "COGNITOD_KEYS_FILE", "", "`file` of developer keys, one per line: ACCESS_KEY_ID SECRET_ACCESS_KEY [ACCOUNT_ID] (# comments; account defaults to 000000000000)"},
	{"public-url", "COGNITOD_PUBLIC_URL", "", "external base `URL` of this server, the issuer of its OpenID tokens (default http://<listen address>)"},
	{"logins", "COGNITOD_LOGINS", "", "how upstream login tokens (user pools, OpenID Connect, Google, Apple, Facebook, Amazon, Twitter, SAML) are checked, a `mode`: verify (signature, issuer, audience, expiry; the default under --auth sigv4) or trust (taken as presented, as emulators do; the default under --auth any)"},
	{"logins-config", "COGNITOD_LOGINS_CONFIG", "", "JSON `file` mapping login providers to their real issuers, client IDs, token-check endpoints and SAML certificates (docs/LOGINS.md)"},
	{"log-format", "COGNITOD_LOG_FORMAT", "text", "log `format`: text or json"},
	{"log-level", "COGNITOD_LOG_LEVEL", "info", "log `level`: debug, info, warn or error"},
	{"log-requests", "COGNITOD_LOG_REQUESTS", "false", "log one line per API request (`bool`): request ID, service, operation, status, error code, duration, remote address, account; never credentials, tokens or bodies. Server failures (5xx, panics) are logged whatever this says"},
	{"stream-sink", "COGNITOD_STREAM_SINK", "", "`URL` where Cognito Streams records go (bulk publish and live changes of pools with streaming ENABLED): http(s)://URL (POSTed as JSON lines) or file:PATH (appended); none by default"},
	{"key-rotation", "COGNITOD_KEY_ROTATION", "", "rotate each region's OpenID signing key once it is this old (`duration`, e.g. 720h; at least 1m); retired public keys stay in the JWKS until their last token has expired. Off by default; 'cognitod keys rotate' rotates by hand"},
	{"throttle", "COGNITOD_THROTTLE", "off", "request rate limits per account, region and operation, answered with TooManyRequestsException: off, aws (AWS's default rates) or a limits `file` of SERVICE OPERATION RPS [BURST] lines or JSON (docs/THROTTLING.md); each node counts its own requests"},
	{"seed", "COGNITOD_SEED", "", "YAML or JSON `file` of accounts with developer keys, identity pools (fixed IDs if wanted), their roles and role mappings, and login providers, applied at every start, idempotently (docs/CONFIGURATION.md)"},
	{"debug-listen", "COGNITOD_DEBUG_LISTEN", "", "`address` (host:port) of a second listener serving Go's profiler at /debug/pprof/ (CPU, heap, goroutines; docs/PERFORMANCE.md). Off by default; it exposes internals, so keep it on loopback"},
	{"gc-percent", "COGNITOD_GC_PERCENT", "400", "garbage collector target `percent` (Go's GOGC): the heap may grow this much over the live data before a collection. A request allocates tens of KB while the live heap is a few MB, so Go's default of 100 collects many times a second; 400 gave ListIdentities 27% more requests per second for 13 MB more RSS (docs/PERFORMANCE.md). GOGC in the environment, when set, wins"},
	{"commit-delay", "COGNITOD_COMMIT_DELAY", "100us", "longest the SQLite store's writer waits, under concurrent writes, for more of them to share one commit and fsync (`duration`; 0 never waits). A lone client never waits; with 32 clients creating identities, 100us cut the CPU per GetId by 10-20% and raised the rate 9-21% (docs/PERFORMANCE.md)"},
	// The quotas' defaults are the services' (AWS's), written once there.
	{"quota-pools-per-account", "COGNITOD_QUOTA_POOLS_PER_ACCOUNT", strconv.Itoa(identity.DefaultLimits.PoolsPerAccount), "identity pools an account may have in a region (`count`; AWS's default quota); one more is LimitExceededException"},
	{"quota-tags-per-pool", "COGNITOD_QUOTA_TAGS_PER_POOL", strconv.Itoa(identity.DefaultLimits.TagsPerPool), "tags an identity pool may carry (`count`; AWS's quota)"},
	{"quota-rules-per-mapping", "COGNITOD_QUOTA_RULES_PER_MAPPING", strconv.Itoa(identity.DefaultLimits.RulesPerMapping), "rules a provider's Rules role mapping may hold (`count`; AWS's quota)"},
	{"quota-logins-per-merge", "COGNITOD_QUOTA_LOGINS_PER_MERGE", strconv.Itoa(identity.DefaultLimits.LoginsPerMerge), "logins two identities may hold together for a merge to be allowed (`count`; AWS's quota)"},
	{"quota-datasets-per-identity", "COGNITOD_QUOTA_DATASETS_PER_IDENTITY", strconv.Itoa(cogsync.DefaultLimits.DatasetsPerIdentity), "Cognito Sync datasets an identity may have (`count`; AWS's quota)"},
	{"quota-records-per-dataset", "COGNITOD_QUOTA_RECORDS_PER_DATASET", strconv.Itoa(cogsync.DefaultLimits.RecordsPerDataset), "records a Cognito Sync dataset may hold (`count`; AWS's quota)"},
	{"quota-dataset-bytes", "COGNITOD_QUOTA_DATASET_BYTES", strconv.Itoa(int(cogsync.DefaultLimits.BytesPerDataset)), "bytes of keys and values a Cognito Sync dataset may hold (`count`, UTF-8 bytes; AWS's quota is 1 MB); the largest request body accepted grows with it"},
	{"shutdown-timeout", "COGNITOD_SHUTDOWN_TIMEOUT", "30s", "how long to let in-flight requests finish on SIGINT/SIGTERM, and then background Sync work (live stream changes, bulk publish) (`duration`)"},
}

const helpIntro = `cognitod serves the Amazon Cognito Identity and Amazon Cognito Sync APIs on one
HTTP listener, so the AWS SDKs and CLI work against it unchanged
(aws --endpoint-url http://127.0.0.1:9230 cognito-identity ...).

Usage: cognitod [flags]
       cognitod keys list|rotate [flags]   (OpenID signing keys; cognitod keys -h)
       cognitod export [flags]             (a store's contents as a dump; cognitod export -h)
       cognitod import [flags]             (a dump into a store; cognitod import -h)

Every flag can also be set by the environment variable named in brackets,
or in a YAML config file (--config) under the flag's name. Precedence:
command-line flag > environment variable > config file > default
(docs/CONFIGURATION.md).

Flags:
`

const helpOutro = `
Developer keys (environment only, never on the command line):
  COGNITOD_ACCESS_KEY_ID, COGNITOD_SECRET_ACCESS_KEY   one developer key
  COGNITOD_ACCOUNT_ID                                   its account (default 000000000000)
Under --auth sigv4 with no key configured, the first start generates a key,
keeps it in <data-dir>/credentials (mode 0600) and prints it once.

Subcommands:
  cognitod keys list|rotate   list or rotate the OpenID signing keys
  cognitod export             write a store's contents as a dump
  cognitod import             load a dump into a store
  cognitod version            print the version and build information

Signals: SIGINT or SIGTERM drain in-flight requests, then close the store; a second
one ends the process at once.
`

// textFlag is a flag kept as text (parsed later with its environment
// variable and config file value); one whose default is true or false is a
// boolean flag, so that "--log-requests" alone means true.
type textFlag struct {
	val    string
	isBool bool
}

func (f *textFlag) String() string     { return f.val }
func (f *textFlag) Set(v string) error { f.val = v; return nil }
func (f *textFlag) IsBoolFlag() bool   { return f.isBool }

// joinBoolValues lets a boolean flag take its value as the next argument
// too ("--log-requests true", as "--log-requests=true"), which the flag
// package alone would read as a stray argument.
func joinBoolValues(args []string, bools map[string]bool) []string {
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return append(out, args[i:]...)
		}
		name := strings.TrimLeft(a, "-")
		if strings.HasPrefix(a, "-") && !strings.Contains(name, "=") && bools[name] && i+1 < len(args) {
			if v := args[i+1]; v == "true" || v == "false" {
				out = append(out, a+"="+v)
				i++
				continue
			}
		}
		out = append(out, a)
	}
	return out
}

func parseConfig(args []string, getenv func(string) string, out io.Writer) (*Config, error) {
	fs := flag.NewFlagSet("cognitod", flag.ContinueOnError)
	fs.SetOutput(out)
	vals := map[string]*string{}
	bools := map[string]bool{}
	for _, f := range flagSpecs {
		v := &textFlag{val: f.def, isBool: f.def == "false" || f.def == "true"}
		fs.Var(v, f.name, f.usage+" ["+f.env+"]")
		vals[f.name] = &v.val
		bools[f.name] = v.isBool
	}
	args = joinBoolValues(args, bools)
	configPath := fs.String(configFlag.name, configFlag.def, configFlag.usage+" ["+configFlag.env+"]")
	fs.Usage = func() {
		fmt.Fprint(out, helpIntro)
		fs.PrintDefaults()
		fmt.Fprint(out, helpOutro)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, errHelp
		}
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q (see cognitod --help)", fs.Arg(0))
	}
	if err := layerSettings(fs, vals, *configPath, getenv); err != nil {
		return nil, err
	}
	c := &Config{
		Listen:          *vals["listen"],
		DebugListen:     *vals["debug-listen"],
		Store:           *vals["store"],
		Auth:            auth.Mode(*vals["auth"]),
		DataDir:         *vals["data-dir"],
		KeysFile:        *vals["keys-file"],
		PublicURL:       strings.TrimRight(*vals["public-url"], "/"),
		LogFormat:       *vals["log-format"],
		StreamSink:      *vals["stream-sink"],
		Logins:          trust.Mode(*vals["logins"]),
		LoginsConfig:    *vals["logins-config"],
		Throttle:        *vals["throttle"],
		SeedFile:        *vals["seed"],
		AccessKeyID:     getenv("COGNITOD_ACCESS_KEY_ID"),
		SecretAccessKey: getenv("COGNITOD_SECRET_ACCESS_KEY"),
		AccountID:       getenv("COGNITOD_ACCOUNT_ID"),
	}
	if c.Listen == "" {
		// An empty address would listen on every interface, on a port
		// the kernel picks: never what "loopback by default" means.
		return nil, errors.New("--listen: want an address (host:port), e.g. 127.0.0.1:9230")
	}
	if c.Auth != auth.ModeSigV4 && c.Auth != auth.ModeAny {
		return nil, fmt.Errorf("--auth %q: want sigv4 or any", c.Auth)
	}
	if c.Logins != "" && c.Logins != trust.ModeVerify && c.Logins != trust.ModeTrust {
		return nil, fmt.Errorf("--logins %q: want verify or trust", c.Logins)
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return nil, fmt.Errorf("--log-format %q: want text or json", c.LogFormat)
	}
	logRequests, err := strconv.ParseBool(*vals["log-requests"])
	if err != nil {
		return nil, fmt.Errorf("--log-requests %q: want true or false", *vals["log-requests"])
	}
	c.LogRequests = logRequests
	if err := c.LogLevel.UnmarshalText([]byte(*vals["log-level"])); err != nil {
		return nil, fmt.Errorf("--log-level: %v", err)
	}
	d, err := time.ParseDuration(*vals["shutdown-timeout"])
	if err != nil || d < 0 {
		return nil, fmt.Errorf("--shutdown-timeout %q: want a duration of 0 or more", *vals["shutdown-timeout"])
	}
	c.ShutdownTimeout = d
	if c.GCPercent, err = strconv.Atoi(*vals["gc-percent"]); err != nil || c.GCPercent < 1 {
		return nil, fmt.Errorf("--gc-percent %q: want a whole number of at least 1", *vals["gc-percent"])
	}
	if c.CommitDelay, err = time.ParseDuration(*vals["commit-delay"]); err != nil || c.CommitDelay < 0 || c.CommitDelay > time.Second {
		return nil, fmt.Errorf("--commit-delay %q: want a duration from 0 to 1s", *vals["commit-delay"])
	}
	quotas := []struct {
		flag string
		dst  func(int)
	}{
		{"quota-pools-per-account", func(n int) { c.IdentityQuotas.PoolsPerAccount = n }},
		{"quota-tags-per-pool", func(n int) { c.IdentityQuotas.TagsPerPool = n }},
		{"quota-rules-per-mapping", func(n int) { c.IdentityQuotas.RulesPerMapping = n }},
		{"quota-logins-per-merge", func(n int) { c.IdentityQuotas.LoginsPerMerge = n }},
		{"quota-datasets-per-identity", func(n int) { c.SyncQuotas.DatasetsPerIdentity = n }},
		{"quota-records-per-dataset", func(n int) { c.SyncQuotas.RecordsPerDataset = n }},
		{"quota-dataset-bytes", func(n int) { c.SyncQuotas.BytesPerDataset = int64(n) }},
	}
	for _, q := range quotas {
		// At most 2^30: a quota is a count, and the dataset bytes one
		// sizes the request body bound (six times as large).
		n, err := strconv.Atoi(*vals[q.flag])
		if err != nil || n < 1 || n > 1<<30 {
			return nil, fmt.Errorf("--%s %q: want a whole number from 1 to %d", q.flag, *vals[q.flag], 1<<30)
		}
		q.dst(n)
	}
	if v := *vals["key-rotation"]; v != "" {
		if c.KeyRotation, err = time.ParseDuration(v); err != nil || c.KeyRotation < time.Minute {
			return nil, fmt.Errorf("--key-rotation %q: want a duration of at least 1m", v)
		}
	}
	if _, err := throttle.Load(c.Throttle); err != nil {
		return nil, fmt.Errorf("--throttle %q: %v", c.Throttle, err)
	}
	if (c.AccessKeyID == "") != (c.SecretAccessKey == "") {
		return nil, errors.New("COGNITOD_ACCESS_KEY_ID and COGNITOD_SECRET_ACCESS_KEY must be set together")
	}
	if c.AccountID == "" {
		c.AccountID = auth.DefaultAccount
	}
	return c, nil
}
