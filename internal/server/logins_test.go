package server

import (
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/cognitod/cognitod/internal/auth"
	"github.com/cognitod/cognitod/internal/trust"
)

func TestLoginVerifier(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"providers":{"x":{"isuer":"typo"}}}`), 0o600)
	good := filepath.Join(dir, "good.json")
	os.WriteFile(good, []byte(`{"providers":{"login.example.com":{"issuer":"https://login.example.com","clientIds":["a"]}}}`), 0o600)

	if _, err := loginVerifier(&Options{Auth: auth.ModeSigV4, LoginsConfig: bad}, log); err == nil {
		t.Error("a config file with an unknown field was accepted")
	}
	if _, err := loginVerifier(&Options{Auth: auth.ModeSigV4, LoginsConfig: filepath.Join(dir, "missing.json")}, log); err == nil {
		t.Error("a missing config file was accepted")
	}
	if v, err := loginVerifier(&Options{Auth: auth.ModeSigV4, LoginsConfig: good}, log); err != nil {
		t.Fatal(err)
	} else if _, ok := v.(*trust.Registry); !ok {
		t.Errorf("sigv4: %T, want *trust.Registry", v)
	}
	if v, err := loginVerifier(&Options{Auth: auth.ModeAny, LoginsConfig: bad}, log); err != nil {
		t.Fatal(err) // trust: the file is not used
	} else if _, ok := v.(trust.Trust); !ok {
		t.Errorf("any: %T, want trust.Trust", v)
	}
	if _, err := loginVerifier(&Options{Logins: "sometimes"}, log); err == nil {
		t.Error("--logins sometimes accepted")
	}
}
