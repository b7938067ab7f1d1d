package conformance

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/cognitod/cognitod/internal/store"
)

const (
	account = "123456789012"
	region  = "us-east-1"
)

// base is a fixed instant with sub-second digits, so a backend that drops
// them (seconds-only columns) fails. Microseconds are what every SQL backend
// keeps.
var base = time.Date(2024, 5, 17, 10, 20, 30, 123456000, time.UTC)

// at returns base plus n milliseconds and n microseconds.
func at(n int) time.Time {
	return base.Add(time.Duration(n) * (time.Millisecond + time.Microsecond))
}

// poolID returns the n-th pool ID of region, in AWS's form; IDs sort in n
// order.
func poolID(region string, n int) string {
	return fmt.Sprintf("%s:%08x-0000-4000-8000-%012x", region, n, n)
}

// identityID returns the n-th identity ID; IDs sort in n order, and tests
// give different pools interleaved n so their identities interleave too.
func identityID(n int) string {
	return fmt.Sprintf("%s:%08x-1111-4000-8000-%012x", region, n, n)
}

func newPool(acct, reg string, n int) *store.Pool {
	return &store.Pool{
		ID:        poolID(reg, n),
		Account:   acct,
		Region:    reg,
		Name:      fmt.Sprintf("pool_%d", n),
		CreatedAt: at(n),
		UpdatedAt: at(n + 1),
		Config:    []byte(fmt.Sprintf(`{"allowUnauth":true,"n":%d}`, n)),
	}
}

func newIdentity(pool string, n int) *store.Identity {
	return &store.Identity{ID: identityID(n), PoolID: pool, CreatedAt: at(n), ModifiedAt: at(n + 2)}
}

func newLogin(pool, provider, subject, identity string) *store.Login {
	return &store.Login{PoolID: pool, Provider: provider, Subject: subject, IdentityID: identity, CreatedAt: at(len(subject))}
}

// mustCreatePool creates pools in one Update.
func mustCreatePool(t testing.TB, s store.Store, ps ...*store.Pool) {
	t.Helper()
	update(t, s, func(tx store.Tx) error {
		for _, p := range ps {
			if err := tx.CreatePool(p); err != nil {
				return err
			}
		}
		return nil
	})
}

// mustCreateIdentity creates an identity and its logins in one Update.
func mustCreateIdentity(t testing.TB, s store.Store, i *store.Identity) {
	t.Helper()
	update(t, s, func(tx store.Tx) error {
		if err := tx.CreateIdentity(i); err != nil {
			return err
		}
		for _, l := range i.Logins {
			if err := tx.AddLogin(l); err != nil {
				return err
			}
		}
		return nil
	})
}

// wantErr fails the test unless errors.Is(err, want).
func wantErr(t testing.TB, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		failf(t, "%s: got error %v, want %v", what, err, want)
	}
}

func noErr(t testing.TB, what string, err error) {
	t.Helper()
	if err != nil {
		failf(t, "%s: %v", what, err)
	}
}

func samePool(t testing.TB, got, want *store.Pool) {
	t.Helper()
	if got.ID != want.ID || got.Account != want.Account || got.Region != want.Region || got.Name != want.Name ||
		!got.CreatedAt.Equal(want.CreatedAt) || !got.UpdatedAt.Equal(want.UpdatedAt) || !bytes.Equal(got.Config, want.Config) {
		failf(t, "pool:\n got %+v\nwant %+v", showPool(got), showPool(want))
	}
}

func showPool(p *store.Pool) string {
	return fmt.Sprintf("{ID:%s Account:%s Region:%s Name:%s CreatedAt:%s UpdatedAt:%s Config:%s}",
		p.ID, p.Account, p.Region, p.Name, p.CreatedAt.Format(time.RFC3339Nano), p.UpdatedAt.Format(time.RFC3339Nano), p.Config)
}

// sameIdentity compares identities with their logins, which must come in
// (provider, subject) order.
func sameIdentity(t testing.TB, got, want *store.Identity) {
	t.Helper()
	if got.ID != want.ID || got.PoolID != want.PoolID || got.Disabled != want.Disabled ||
		!got.CreatedAt.Equal(want.CreatedAt) || !got.ModifiedAt.Equal(want.ModifiedAt) {
		failf(t, "identity:\n got %s\nwant %s", showIdentity(got), showIdentity(want))
	}
	sameLogins(t, "logins of "+want.ID, got.Logins, want.Logins)
}

func showIdentity(i *store.Identity) string {
	return fmt.Sprintf("{ID:%s PoolID:%s CreatedAt:%s ModifiedAt:%s Disabled:%v Logins:%d}",
		i.ID, i.PoolID, i.CreatedAt.Format(time.RFC3339Nano), i.ModifiedAt.Format(time.RFC3339Nano), i.Disabled, len(i.Logins))
}

func sameLogins(t testing.TB, what string, got, want []*store.Login) {
	t.Helper()
	if len(got) != len(want) {
		failf(t, "%s: got %d logins %s, want %d %s", what, len(got), showLogins(got), len(want), showLogins(want))
	}
	for k := range want {
		g, w := got[k], want[k]
		if g.PoolID != w.PoolID || g.Provider != w.Provider || g.Subject != w.Subject || g.IdentityID != w.IdentityID || !g.CreatedAt.Equal(w.CreatedAt) {
			failf(t, "%s: login %d:\n got %s\nwant %s", what, k, showLogins(got[k:k+1]), showLogins(want[k:k+1]))
		}
	}
}

func showLogins(ls []*store.Login) string {
	var b bytes.Buffer
	for _, l := range ls {
		fmt.Fprintf(&b, "{%s %s %s -> %s at %s}", l.PoolID, l.Provider, l.Subject, l.IdentityID, l.CreatedAt.Format(time.RFC3339Nano))
	}
	return "[" + b.String() + "]"
}

func ids[T interface{ *store.Pool | *store.Identity }](xs []T) []string {
	out := make([]string, len(xs))
	for k, x := range xs {
		switch v := any(x).(type) {
		case *store.Pool:
			out[k] = v.ID
		case *store.Identity:
			out[k] = v.ID
		}
	}
	return out
}

func sameStrings(t testing.TB, what string, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		failf(t, "%s: got %d %q, want %d %q", what, len(got), got, len(want), want)
	}
	for k := range want {
		if got[k] != want[k] {
			failf(t, "%s: [%d] got %q, want %q (got %q)", what, k, got[k], want[k], got)
		}
	}
}
