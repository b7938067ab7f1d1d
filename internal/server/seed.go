package server

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/cognitod/cognitod/internal/auth"
	"github.com/cognitod/cognitod/internal/seed"
	"github.com/cognitod/cognitod/internal/trust"
)

// loadSeed reads the --seed file; nil without one. It is read before
// anything is wired: its keys join the developer keys (so no key is
// generated when the seed brings one) and its login providers join the
// --logins-config file's.
func loadSeed(o *Options) (*seed.File, error) {
	if o.SeedFile == "" {
		return nil, nil
	}
	return seed.Load(o.SeedFile)
}

// addSeedKeys adds the seed's developer keys to keys. A key the keys file or
// the environment already configures must agree with the seed, else which
// secret or account wins would depend on the order they are read in.
func addSeedKeys(keys *auth.Keys, sd *seed.File) error {
	for _, k := range sd.Keys() {
		if prev, ok := keys.Lookup(k.AccessKeyID); ok && prev != k {
			return fmt.Errorf("seed file %s: access key ID %s is also configured (keys file or environment) with another secret or account", sd.Name, k.AccessKeyID)
		}
		keys.Add(k)
	}
	return nil
}

// mergeLogins adds the seed's login providers to the --logins-config
// file's (either may be nil). A provider configured in both, or two
// different clock skews, is an error: neither silently overrides the other.
func mergeLogins(file, sd *trust.Config, seedName string) (*trust.Config, error) {
	if sd == nil {
		return file, nil
	}
	if file == nil {
		return sd, nil
	}
	out := &trust.Config{ClockSkew: file.ClockSkew, Providers: map[string]*trust.Provider{}}
	if sd.ClockSkew != 0 {
		if file.ClockSkew != 0 && file.ClockSkew != sd.ClockSkew {
			return nil, fmt.Errorf("seed file %s: logins.clockSkew differs from the --logins-config file's", seedName)
		}
		out.ClockSkew = sd.ClockSkew
	}
	for name, p := range file.Providers {
		out.Providers[name] = p
	}
	for name, p := range sd.Providers {
		if _, ok := out.Providers[name]; ok {
			return nil, fmt.Errorf("seed file %s: login provider %s is also in the --logins-config file", seedName, name)
		}
		out.Providers[name] = p
	}
	return out, nil
}

// applySeed applies the seed's pools now and arms App.reseed to apply them
// again after a reset.
func (a *App) applySeed(ctx context.Context, sd *seed.File, log *slog.Logger) error {
	if sd == nil {
		return nil
	}
	a.reseed = func(ctx context.Context) error {
		_, err := sd.Apply(ctx, a.Store, log)
		return err
	}
	return a.reseed(ctx)
}
