package server

import (
	"fmt"
	"log/slog"

	"github.com/cognitod/cognitod/internal/auth"
	"github.com/cognitod/cognitod/internal/trust"
)

// LoginsMode is the --logins mode in effect: the one configured, else
// verify under --auth sigv4 and trust under --auth any (emulator use).
func LoginsMode(o *Options) trust.Mode {
	if o.Logins != "" {
		return o.Logins
	}
	if o.Auth == auth.ModeAny {
		return trust.ModeTrust
	}
	return trust.ModeVerify
}

// loginVerifier builds the verifier of upstream login tokens that --logins
// and --logins-config ask for.
func loginVerifier(o *Options, log *slog.Logger) (trust.Verifier, error) {
	switch mode := LoginsMode(o); mode {
	case trust.ModeTrust:
		if o.LoginsConfig != "" {
			log.Warn("--logins trust: the --logins-config file is not used", "file", o.LoginsConfig)
		}
		if o.seed.LoginsConfig() != nil {
			log.Warn("--logins trust: the seed file's login providers are not used", "file", o.SeedFile)
		}
		return trust.Trust{}, nil
	case trust.ModeVerify:
		var cfg *trust.Config
		if o.LoginsConfig != "" {
			c, err := trust.LoadConfig(o.LoginsConfig)
			if err != nil {
				return nil, fmt.Errorf("--logins-config: %w", err)
			}
			cfg = c
		}
		cfg, err := mergeLogins(cfg, o.seed.LoginsConfig(), o.SeedFile)
		if err != nil {
			return nil, err
		}
		return trust.NewRegistry(cfg, nil, log), nil
	default:
		return nil, fmt.Errorf("--logins %q: want verify or trust", mode)
	}
}
