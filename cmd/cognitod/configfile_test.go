package main

import (
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cognitod/cognitod/internal/cogsync"
	"github.com/cognitod/cognitod/internal/identity"
)

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// TestConfigPrecedence: command-line flag > environment variable > config
// file > default, and the config file itself comes from --config or
// COGNITOD_CONFIG (the flag wins).
func TestConfigPrecedence(t *testing.T) {
	fileA := writeFile(t, "a.yaml", "listen: 127.0.0.1:1111\nshutdown-timeout: 5s\n")
	fileB := writeFile(t, "b.yaml", "listen: 127.0.0.1:2222\n")
	cases := []struct {
		name        string
		args        []string
		env         map[string]string
		wantListen  string
		wantTimeout time.Duration
	}{
		{"default", nil, nil, "127.0.0.1:9230", 30 * time.Second},
		{"file", []string{"--config", fileA}, nil, "127.0.0.1:1111", 5 * time.Second},
		{"file from env", nil, map[string]string{"COGNITOD_CONFIG": fileA}, "127.0.0.1:1111", 5 * time.Second},
		{"--config beats COGNITOD_CONFIG", []string{"--config", fileB}, map[string]string{"COGNITOD_CONFIG": fileA}, "127.0.0.1:2222", 30 * time.Second},
		{"env beats file", []string{"--config", fileA}, map[string]string{"COGNITOD_LISTEN": "127.0.0.1:3333"}, "127.0.0.1:3333", 5 * time.Second},
		{"flag beats env and file", []string{"--config", fileA, "--listen", "127.0.0.1:4444"}, map[string]string{"COGNITOD_LISTEN": "127.0.0.1:3333"}, "127.0.0.1:4444", 5 * time.Second},
		{"flag beats default", []string{"--listen", "127.0.0.1:5555"}, nil, "127.0.0.1:5555", 30 * time.Second},
		{"flag set to the default still beats env", []string{"--listen", "127.0.0.1:9230"}, map[string]string{"COGNITOD_LISTEN": "127.0.0.1:3333"}, "127.0.0.1:9230", 30 * time.Second},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := parseConfig(tc.args, envOf(tc.env), io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			if c.Listen != tc.wantListen || c.ShutdownTimeout != tc.wantTimeout {
				t.Fatalf("listen %s, shutdown-timeout %v; want %s, %v", c.Listen, c.ShutdownTimeout, tc.wantListen, tc.wantTimeout)
			}
		})
	}
}

// TestConfigFileErrors: strict decoding names the key and its line; values
// are checked as the flag checks them.
func TestConfigFileErrors(t *testing.T) {
	cases := []struct {
		name, content string
		want          []string // substrings of the error
	}{
		{"unknown key", "listen: 127.0.0.1:1\nlisen: x\n", []string{":2:", `unknown key "lisen"`, "listen, store"}},
		{"repeated key", "store: memory\nstore: memory\n", []string{":2:", `"store" is already set on line 1`}},
		{"list value", "listen:\n  - a\n  - b\n", []string{":2:", "listen: want a single value"}},
		{"mapping value", "throttle: {aws: true}\n", []string{":1:", "throttle: want a single value"}},
		{"not a mapping", "- listen\n", []string{":1:", "want a mapping"}},
		{"config key", "config: other.yaml\n", []string{":1:", "cannot name another config file"}},
		{"secret key", "auth: sigv4\nsecret-access-key: hunter2hunter2hunter2\n", []string{":2:", "secrets are not read from the config file", "COGNITOD_SECRET_ACCESS_KEY"}},
		{"secret key, env spelling", "COGNITOD_ACCESS_KEY_ID: AKIDAAAAAAAAAAAAAAAA\n", []string{":1:", "secrets are not read"}},
		{"bad YAML", "listen: [unclosed\n", []string{"a.yaml"}},
		{"bad auth", "auth: bogus\n", []string{`--auth "bogus"`}},
		{"bad duration", "shutdown-timeout: soon\n", []string{"--shutdown-timeout"}},
		{"bad key rotation", "key-rotation: 10s\n", []string{`--key-rotation "10s"`}},
		{"bad log level", "log-level: loud\n", []string{"--log-level"}},
		{"bad log format", "log-format: xml\n", []string{`--log-format "xml"`}},
		{"bad logins", "logins: sometimes\n", []string{`--logins "sometimes"`}},
		{"bad throttle", "throttle: /nonexistent/limits\n", []string{"--throttle"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := writeFile(t, "a.yaml", tc.content)
			_, err := parseConfig([]string{"--config", p}, envOf(nil), io.Discard)
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Fatalf("error %q does not say %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Fatalf("error %q repeats the secret", err)
			}
		})
	}
	if _, err := parseConfig([]string{"--config", filepath.Join(t.TempDir(), "missing.yaml")}, envOf(nil), io.Discard); err == nil || !strings.Contains(err.Error(), "--config") {
		t.Fatalf("missing file: %v", err)
	}
}

// TestConfigFileValues: scalars of every YAML kind are read as the flag
// would read their text; an empty file and "key:" with nothing are allowed.
func TestConfigFileValues(t *testing.T) {
	cases := []struct {
		name, content string
		check         func(*Config) bool
	}{
		{"empty file", "", func(c *Config) bool { return c.Listen == "127.0.0.1:9230" }},
		{"comments only", "# nothing\n", func(c *Config) bool { return c.Store == "sqlite:./data/cognitod.db" }},
		{"quoted", `listen: "127.0.0.1:7"`, func(c *Config) bool { return c.Listen == "127.0.0.1:7" }},
		{"null is empty", "public-url:\nstore: memory\n", func(c *Config) bool { return c.PublicURL == "" && c.Store == "memory" }},
		{"duration", "key-rotation: 720h\n", func(c *Config) bool { return c.KeyRotation == 720*time.Hour }},
		{"JSON is YAML", `{"log-format": "json", "auth": "any"}`, func(c *Config) bool { return c.LogFormat == "json" && c.Auth == "any" }},
		{"seed", "seed: fixtures/seed.yaml\n", func(c *Config) bool { return c.SeedFile == "fixtures/seed.yaml" }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := parseConfig(nil, envOf(map[string]string{"COGNITOD_CONFIG": writeFile(t, "c.yaml", tc.content)}), io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			if !tc.check(c) {
				t.Fatalf("unexpected config %+v", c)
			}
		})
	}
}

// TestEveryFlagIsAConfigKey: each flagSpec is accepted as a config key and
// its value reaches the flag, with no per-flag code.
func TestEveryFlagIsAConfigKey(t *testing.T) {
	for _, f := range flagSpecs {
		t.Run(f.name, func(t *testing.T) {
			want := "from-file-" + f.name
			vals, err := parseConfigFile([]byte(f.name+": "+want+"\n"), "c.yaml")
			if err != nil {
				t.Fatal(err)
			}
			if vals[f.name].value != want {
				t.Fatalf("%s: read %q", f.name, vals[f.name].value)
			}
			// Through the layering: the file's value lands in the flag
			// unless the environment or the command line sets it.
			p := writeFile(t, "c.yaml", f.name+": "+want+"\n")
			for _, layer := range []struct {
				name string
				args []string
				env  map[string]string
				want string
			}{
				{"file", nil, nil, want},
				{"env", nil, map[string]string{f.env: "from-env"}, "from-env"},
				{"flag", []string{"--" + f.name, "from-flag"}, map[string]string{f.env: "from-env"}, "from-flag"},
			} {
				fs := flag.NewFlagSet("t", flag.ContinueOnError)
				fs.SetOutput(io.Discard)
				v := map[string]*string{}
				for _, g := range flagSpecs {
					v[g.name] = fs.String(g.name, g.def, "")
				}
				if err := fs.Parse(layer.args); err != nil {
					t.Fatal(err)
				}
				env := map[string]string{configFlag.env: p}
				for k, x := range layer.env {
					env[k] = x
				}
				if err := layerSettings(fs, v, "", envOf(env)); err != nil {
					t.Fatal(err)
				}
				if *v[f.name] != layer.want {
					t.Fatalf("%s from %s: got %q, want %q", f.name, layer.name, *v[f.name], layer.want)
				}
			}
		})
	}
}

// TestHelpStatesPrecedence: --help documents the config file and the order.
func TestHelpStatesPrecedence(t *testing.T) {
	var b strings.Builder
	if _, err := parseConfig([]string{"--help"}, envOf(nil), &b); err != errHelp {
		t.Fatalf("--help: %v", err)
	}
	for _, w := range []string{"-config file", "COGNITOD_CONFIG", "command-line flag > environment variable > config file > default", "-seed file"} {
		if !strings.Contains(b.String(), w) {
			t.Fatalf("--help does not say %q:\n%s", w, b.String())
		}
	}
}

// TestGCPercent: 400 by default, any whole number from 1 by flag or
// environment, and nothing else.
func TestGCPercent(t *testing.T) {
	for _, tc := range []struct {
		args []string
		env  map[string]string
		want int // 0: an error
	}{
		{nil, nil, 400},
		{[]string{"--gc-percent", "100"}, nil, 100},
		{nil, map[string]string{"COGNITOD_GC_PERCENT": "800"}, 800},
		{[]string{"--gc-percent", "0"}, nil, 0},
		{[]string{"--gc-percent", "off"}, nil, 0},
		{nil, map[string]string{"COGNITOD_GC_PERCENT": "-1"}, 0},
	} {
		c, err := parseConfig(tc.args, envOf(tc.env), io.Discard)
		switch {
		case tc.want == 0 && err == nil:
			t.Errorf("%v %v: accepted (%d)", tc.args, tc.env, c.GCPercent)
		case tc.want == 0 && !strings.Contains(err.Error(), "--gc-percent"):
			t.Errorf("%v %v: %v, want a --gc-percent error", tc.args, tc.env, err)
		case tc.want != 0 && err != nil:
			t.Errorf("%v %v: %v", tc.args, tc.env, err)
		case tc.want != 0 && c.GCPercent != tc.want:
			t.Errorf("%v %v: %d, want %d", tc.args, tc.env, c.GCPercent, tc.want)
		}
	}
}

// TestCommitDelay: 100us by default, any duration from 0 (never wait) to
// 1s by flag or environment; anything else is refused.
func TestCommitDelay(t *testing.T) {
	for _, tc := range []struct {
		args []string
		env  map[string]string
		want time.Duration
		ok   bool
	}{
		{nil, nil, 100 * time.Microsecond, true},
		{[]string{"--commit-delay", "0"}, nil, 0, true},
		{[]string{"--commit-delay", "250us"}, nil, 250 * time.Microsecond, true},
		{nil, map[string]string{"COGNITOD_COMMIT_DELAY": "1ms"}, time.Millisecond, true},
		{[]string{"--commit-delay", "-1us"}, nil, 0, false},
		{[]string{"--commit-delay", "2s"}, nil, 0, false},
		{[]string{"--commit-delay", "soon"}, nil, 0, false},
	} {
		c, err := parseConfig(tc.args, envOf(tc.env), io.Discard)
		switch {
		case !tc.ok && err == nil:
			t.Errorf("%v %v: accepted (%v)", tc.args, tc.env, c.CommitDelay)
		case !tc.ok && !strings.Contains(err.Error(), "--commit-delay"):
			t.Errorf("%v %v: %v, want a --commit-delay error", tc.args, tc.env, err)
		case tc.ok && err != nil:
			t.Errorf("%v %v: %v", tc.args, tc.env, err)
		case tc.ok && c.CommitDelay != tc.want:
			t.Errorf("%v %v: %v, want %v", tc.args, tc.env, c.CommitDelay, tc.want)
		}
	}
}

// TestBooleanFlags: a boolean flag given alone means true (as the README
// writes --log-requests); its value may follow as "=false" or as the next
// argument ("--log-requests true", as it worked before it was boolean);
// any other next argument is not its value.
func TestBooleanFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		env  map[string]string
		want bool
	}{
		{[]string{"--log-requests"}, nil, true},
		{[]string{"--log-requests", "--listen", "127.0.0.1:1"}, nil, true},
		{[]string{"--log-requests", "true"}, nil, true},
		{[]string{"-log-requests", "false"}, map[string]string{"COGNITOD_LOG_REQUESTS": "true"}, false},
		{[]string{"--log-requests=false"}, map[string]string{"COGNITOD_LOG_REQUESTS": "true"}, false},
		{nil, map[string]string{"COGNITOD_LOG_REQUESTS": "true"}, true},
		{nil, nil, false},
	} {
		c, err := parseConfig(tc.args, envOf(tc.env), io.Discard)
		if err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		if c.LogRequests != tc.want {
			t.Errorf("%v with %v: log requests %v, want %v", tc.args, tc.env, c.LogRequests, tc.want)
		}
	}
}

// TestQuotas: AWS's quotas by default; each --quota-* flag (or its
// environment variable) sets its own quota; anything but a whole number
// from 1 is refused, naming the flag.
func TestQuotas(t *testing.T) {
	c, err := parseConfig(nil, envOf(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.IdentityQuotas != identity.DefaultLimits || c.SyncQuotas.WithDefaults() != cogsync.DefaultLimits {
		t.Errorf("defaults: %+v %+v", c.IdentityQuotas, c.SyncQuotas)
	}
	c, err = parseConfig([]string{"--quota-pools-per-account", "3", "--quota-dataset-bytes", "2048"},
		envOf(map[string]string{"COGNITOD_QUOTA_DATASETS_PER_IDENTITY": "5", "COGNITOD_QUOTA_LOGINS_PER_MERGE": "4"}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	wantID := identity.DefaultLimits
	wantID.PoolsPerAccount, wantID.LoginsPerMerge = 3, 4
	wantSync := cogsync.DefaultLimits
	wantSync.BytesPerDataset, wantSync.DatasetsPerIdentity = 2048, 5
	if c.IdentityQuotas != wantID || c.SyncQuotas.WithDefaults() != wantSync {
		t.Errorf("set: %+v %+v, want %+v %+v", c.IdentityQuotas, c.SyncQuotas.WithDefaults(), wantID, wantSync)
	}
	for _, bad := range []string{"0", "-1", "ten", "1.5", "2000000000"} {
		_, err := parseConfig([]string{"--quota-records-per-dataset", bad}, envOf(nil), io.Discard)
		if err == nil || !strings.Contains(err.Error(), "--quota-records-per-dataset") {
			t.Errorf("--quota-records-per-dataset %s: %v", bad, err)
		}
	}
}

// TestConfigRefusals: a second YAML document, an empty listen address (it
// would listen on every interface) and a negative shutdown timeout are
// refused, not read in part or taken as given.
func TestConfigRefusals(t *testing.T) {
	for name, tc := range map[string]struct {
		args []string
		want string
	}{
		"second document":  {[]string{"--config", writeFile(t, "two.yaml", "auth: any\n---\nauth: sigv4\n")}, "second YAML document"},
		"--listen=":        {[]string{"--listen="}, "--listen"},
		"listen: empty":    {[]string{"--config", writeFile(t, "listen.yaml", "listen:\n")}, "--listen"},
		"negative timeout": {[]string{"--shutdown-timeout", "-5s"}, "--shutdown-timeout"},
	} {
		_, err := parseConfig(tc.args, envOf(nil), io.Discard)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error naming %q", name, err, tc.want)
		}
	}
}
