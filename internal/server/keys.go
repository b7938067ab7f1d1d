package server

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/cognitod/cognitod/internal/tokens"
)

// MinKeyRotation is the shortest --key-rotation period accepted. Each
// rotation leaves a retired key in the JWKS for tokens.RetiredKeyLifetime
// (about a day), so a short period publishes many keys.
const MinKeyRotation = time.Minute

// rotator rotates the OpenID signing keys on a schedule.
type rotator struct {
	cancel context.CancelFunc
	done   chan struct{}
}

// startKeyRotation rotates every region's signing key once it is older than
// every (0: never, and nil is returned). It checks at start and then every
// tenth of the period (at most every ten minutes). Several processes sharing
// a store may all run it: a key younger than the period is left alone, so
// each key is rotated once.
func startKeyRotation(k *tokens.Keyring, every time.Duration, log *slog.Logger) *rotator {
	if every <= 0 {
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &rotator{cancel: cancel, done: make(chan struct{})}
	check := min(max(every/10, time.Second), 10*time.Minute)
	go func() {
		defer close(r.done)
		t := time.NewTicker(check)
		defer t.Stop()
		for {
			rs, err := k.Rotate(ctx, nil, every)
			if err != nil && ctx.Err() == nil {
				log.Error("rotating signing keys", "err", err)
			}
			for _, x := range rs {
				if !x.Skipped {
					log.Info("rotated signing key", "region", x.Region, "retired", x.Retired, "current", x.Current)
				}
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return r
}

// Stop ends the schedule and waits for a rotation under way. A nil rotator
// is fine.
func (r *rotator) Stop() {
	if r == nil {
		return
	}
	r.cancel()
	<-r.done
}

// keyringFor opens the store a --store URL names and its keyring, for the
// `cognitod keys` commands. The issuer does not matter to them.
func keyringFor(ctx context.Context, storeURL string) (*tokens.Keyring, func() error, error) {
	st, _, err := openStore(ctx, storeURL, 0)
	if err != nil {
		return nil, nil, err
	}
	k, err := tokens.NewKeyring(ctx, st, "urn:cognitod:keys")
	if err != nil {
		st.Close()
		return nil, nil, fmt.Errorf("loading signing keys: %w", err)
	}
	return k, st.Close, nil
}

// RotateKeys rotates the signing keys of regions (nil: every region that has
// one) in the store storeURL names, skipping keys younger than minAge (0:
// rotate them all). Running servers sharing the store switch to the new keys
// within tokens.ReloadInterval.
func RotateKeys(ctx context.Context, storeURL string, regions []string, minAge time.Duration) ([]tokens.Rotation, error) {
	k, closeStore, err := keyringFor(ctx, storeURL)
	if err != nil {
		return nil, err
	}
	defer closeStore()
	if regions != nil {
		// A region named by hand must be one that has keys: a typo
		// ("us-east1") would otherwise get a key of its own, current
		// for good, in every JWKS.
		have, err := k.Regions(ctx)
		if err != nil {
			return nil, err
		}
		for _, r := range regions {
			if !slices.Contains(have, r) {
				return nil, fmt.Errorf("region %q has no signing key to rotate (a region gets its first key when cognitod first signs a token for it); regions with keys: %s", r, strings.Join(have, ", "))
			}
		}
	}
	return k.Rotate(ctx, regions, minAge)
}

// ListKeys lists the signing keys in the store storeURL names.
func ListKeys(ctx context.Context, storeURL string) ([]tokens.KeyInfo, error) {
	k, closeStore, err := keyringFor(ctx, storeURL)
	if err != nil {
		return nil, err
	}
	defer closeStore()
	return k.Keys(ctx)
}
