package server

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/cognitod/cognitod/internal/auth"
)

// Reset empties the user state (pools, identities, logins, credentials,
// Cognito Sync data) in one store transaction, keeping the server's own
// signing keys and secrets, so that JWKS, issued OpenID tokens, sealed
// credentials and clients' key caches stay valid; then it re-applies the
// seed file, if one is configured. Test suites call it between tests
// (POST /_cognitod/reset under --auth any).
//
// Requests running meanwhile see the state before or after the reset,
// never part of it; a seeded pool is briefly absent between the two steps.
func (a *App) Reset(ctx context.Context) error {
	if a.dumper == nil {
		return errors.New("this store cannot be reset")
	}
	if err := a.dumper.Reset(ctx); err != nil {
		return err
	}
	if a.reseed != nil {
		return a.reseed(ctx)
	}
	return nil
}

// routeReset serves POST /_cognitod/reset, and moto's POST
// /moto-api/reset for suites moving from moto, under --auth any only:
// there anyone may call the API as anyone, and a reset is no more than
// deleting every pool. Under sigv4 the paths are not routed at all and
// answer as any unknown path does, saying nothing of their existence.
func routeReset(mux *http.ServeMux, mode auth.Mode, log *slog.Logger, app func() *App) {
	if mode != auth.ModeAny {
		return
	}
	h := func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		if err := app().Reset(r.Context()); err != nil {
			log.Error("reset failed", "path", r.URL.Path, "remote_addr", r.RemoteAddr, "err", err)
			http.Error(w, `{"status":"error","message":"reset failed"}`, http.StatusInternalServerError)
			return
		}
		log.Info("state reset", "path", r.URL.Path, "remote_addr", r.RemoteAddr, "duration_ms", float64(time.Since(start).Microseconds())/1000)
		w.Header().Set("Content-Type", "application/json")
		// moto answers {"status": "ok"}; clients that check it see the same.
		w.Write([]byte(`{"status":"ok"}` + "\n"))
	}
	mux.HandleFunc("POST /_cognitod/reset", h)
	mux.HandleFunc("POST /moto-api/reset", h)
}
