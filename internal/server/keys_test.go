package server

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/cognitod/cognitod/internal/auth"
	"github.com/cognitod/cognitod/internal/store"
)

// TestScheduledRotation: with --key-rotation, a server finds a key older than
// the period at start and rotates it; a young key is left alone.
func TestScheduledRotation(t *testing.T) {
	ctx := context.Background()
	st, _, err := openStore(ctx, "memory", 0)
	if err != nil {
		t.Fatal(err)
	}
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(priv)
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	created := time.Now().Add(-48 * time.Hour)
	if err := st.Update(ctx, func(tx store.Tx) error {
		if err := tx.AddSigningKey(&store.SigningKey{KID: "us-east-1-1", Region: "us-east-1", Algorithm: "RS512", PrivatePEM: pemBytes, CreatedAt: created}); err != nil {
			return err
		}
		return tx.AddSigningKey(&store.SigningKey{KID: "eu-west-1-1", Region: "eu-west-1", Algorithm: "RS512", PrivatePEM: pemBytes, CreatedAt: time.Now()})
	}); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if _, err := wire(ctx, &Options{Addr: "127.0.0.1:9", KeyRotation: time.Second}, st, &auth.Keys{}, log, "127.0.0.1:9"); err == nil {
		t.Error("a one-second rotation period was accepted")
	}
	app, err := wire(ctx, &Options{Addr: "127.0.0.1:9", KeyRotation: 24 * time.Hour}, st, &auth.Keys{}, log, "127.0.0.1:9")
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()

	deadline := time.Now().Add(10 * time.Second)
	for {
		var keys []*store.SigningKey
		if err := st.View(ctx, func(tx store.Tx) (err error) { keys, err = tx.ListSigningKeys(); return err }); err != nil {
			t.Fatal(err)
		}
		state := map[string]bool{} // kid → retired
		for _, k := range keys {
			state[k.KID] = !k.RetiredAt.IsZero()
		}
		if len(keys) == 3 && state["us-east-1-1"] && !state["us-east-1-2"] && !state["eu-west-1-1"] {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("keys after the scheduled rotation: %v", state)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
