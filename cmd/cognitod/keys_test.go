package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	ci "github.com/aws/aws-sdk-go-v2/service/cognitoidentity"

	"github.com/cognitod/cognitod/internal/auth"
	"github.com/cognitod/cognitod/internal/server"
)

// TestKeysRotateCommand runs `cognitod keys rotate` and `keys list` against
// the SQLite file of a running server: the new key shows up in the server's
// JWKS at once, next to the retired one.
func TestKeysRotateCommand(t *testing.T) {
	dir := t.TempDir()
	storeURL := "sqlite:" + filepath.Join(dir, "cognitod.db")
	getenv := func(string) string { return "" }
	var out, errOut bytes.Buffer

	app, err := server.Open(context.Background(), &server.Options{Store: storeURL, Auth: auth.ModeAny, DataDir: dir, Addr: "127.0.0.1:9"},
		slog.New(slog.NewTextHandler(io.Discard, nil)), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(app.Handler())
	defer func() { srv.Close(); app.Close() }()

	// No key yet: nothing to rotate.
	if err := runKeys([]string{"rotate", "--store", storeURL}, getenv, &out, &errOut); err != nil {
		t.Fatal(err, errOut.String())
	}
	if !strings.Contains(out.String(), "no signing keys yet") {
		t.Errorf("rotate with no keys: %q", out.String())
	}

	// A developer token creates us-east-1's first key.
	ctx := context.Background()
	c := ci.New(ci.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("123456789012", "secret", ""), RetryMaxAttempts: 1})
	pool, err := c.CreateIdentityPool(ctx, &ci.CreateIdentityPoolInput{IdentityPoolName: aws.String("keys"), DeveloperProviderName: aws.String("login.keys")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetOpenIdTokenForDeveloperIdentity(ctx, &ci.GetOpenIdTokenForDeveloperIdentityInput{
		IdentityPoolId: pool.IdentityPoolId, Logins: map[string]string{"login.keys": "u1"}}); err != nil {
		t.Fatal(err)
	}

	out.Reset()
	if err := runKeys([]string{"rotate", "--store", storeURL, "--min-age", "1h"}, getenv, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got != "us-east-1: kept us-east-1-1 (younger than 1h0m0s)\n" {
		t.Errorf("rotate --min-age 1h: %q", got)
	}
	out.Reset()
	if err := runKeys([]string{"rotate", "--store", storeURL}, getenv, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got != "us-east-1: retired us-east-1-1, now signing with us-east-1-2\n" {
		t.Errorf("rotate: %q", got)
	}
	out.Reset()
	if err := runKeys([]string{"list", "--store", storeURL}, getenv, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[1], "us-east-1-1 ") || strings.Contains(lines[1], "current") ||
		!strings.HasPrefix(lines[2], "us-east-1-2 ") || !strings.Contains(lines[2], "current") {
		t.Errorf("list:\n%s", out.String())
	}

	resp, err := srv.Client().Get(srv.URL + "/.well-known/jwks_uri")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var set struct{ Keys []struct{ Kid string } }
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil {
		t.Fatal(err)
	}
	if len(set.Keys) != 2 || set.Keys[0].Kid != "us-east-1-1" || set.Keys[1].Kid != "us-east-1-2" {
		t.Errorf("server's JWKS after rotation: %+v", set.Keys)
	}

	// A region named by hand must have keys: a typo gets none.
	out.Reset()
	err = runKeys([]string{"rotate", "--store", storeURL, "--region", "us-east1"}, getenv, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), `"us-east1" has no signing key`) {
		t.Errorf("rotate --region us-east1: %v %q", err, out.String())
	}
	out.Reset()
	if err := runKeys([]string{"list", "--store", storeURL}, getenv, &out, &errOut); err != nil || strings.Contains(out.String(), "us-east1-") {
		t.Errorf("after the refused region: %v\n%s", err, out.String())
	}

	if err := runKeys([]string{"shuffle"}, getenv, &out, &errOut); err == nil {
		t.Error("keys shuffle accepted")
	}
}

func TestKeyRotationFlag(t *testing.T) {
	env := func(string) string { return "" }
	c, err := parseConfig([]string{"--key-rotation", "720h"}, env, io.Discard)
	if err != nil || c.KeyRotation != 720*time.Hour {
		t.Fatalf("--key-rotation 720h: %v, %v", c, err)
	}
	if c, _ := parseConfig(nil, env, io.Discard); c.KeyRotation != 0 {
		t.Errorf("key rotation on by default: %v", c.KeyRotation)
	}
	for _, bad := range []string{"30s", "soon", "-1h"} {
		if _, err := parseConfig([]string{"--key-rotation", bad}, env, io.Discard); err == nil {
			t.Errorf("--key-rotation %s accepted", bad)
		}
	}
}

// TestKeysNeedAStore: keys list and keys rotate on a path where there is no
// store refuse, rather than make an empty store there and report on it.
func TestKeysNeedAStore(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "typo.db")
	for _, cmd := range []string{"list", "rotate"} {
		var out, errOut bytes.Buffer
		err := runKeys([]string{cmd, "--store", "sqlite:" + missing}, func(string) string { return "" }, &out, &errOut)
		if err == nil {
			t.Errorf("keys %s on a missing store: no error (%q)", cmd, out.String())
		}
		if _, serr := os.Stat(missing); serr == nil {
			t.Fatalf("keys %s made %s", cmd, missing)
		}
	}
}

// TestSubcommandsFindTheServersStore: keys, export and import resolve
// their store as the server does (--store, COGNITOD_STORE, the config
// file's store:, the default), so that under a config file they work on
// the server's store, not on ./data/cognitod.db; and an export of a new
// process's memory store is refused.
func TestSubcommandsFindTheServersStore(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "server.db")
	cfg := writeFile(t, "cognitod.yaml", "store: sqlite:"+db+"\n")
	app, err := server.Open(context.Background(), &server.Options{Store: "sqlite:" + db, Auth: auth.ModeAny, DataDir: dir, Addr: "127.0.0.1:9230"},
		slog.New(slog.NewTextHandler(io.Discard, nil)), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	app.Close()
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	wd, _ := os.Getwd()
	if err := os.Chdir(dir); err != nil { // a ./data/cognitod.db made by mistake would land here
		t.Fatal(err)
	}
	defer os.Chdir(wd)
	for name, tc := range map[string]struct {
		args []string
		env  map[string]string
	}{
		"COGNITOD_CONFIG": {[]string{"list"}, map[string]string{"COGNITOD_CONFIG": cfg}},
		"--config":        {[]string{"list", "--config", cfg}, nil},
	} {
		var out, errOut bytes.Buffer
		if err := runKeys(tc.args, env(tc.env), &out, &errOut); err != nil {
			t.Errorf("%s: keys list: %v (%s)", name, err, errOut.String())
		}
		if _, serr := os.Stat(filepath.Join(dir, "data")); serr == nil {
			t.Fatalf("%s: keys list made ./data instead of reading %s", name, db)
		}
	}
	var out, errOut bytes.Buffer
	if err := runExport([]string{"--store", "memory"}, env(nil), nil, &out, &errOut); err == nil {
		t.Error("export of a memory store: no error")
	}
}
