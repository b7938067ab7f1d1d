package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/cognitod/cognitod/internal/store"
)

// TestLoginsBackfill writes identities and logins into a database at the
// schema before identities.logins, as the cognitod of that version did,
// then opens it: the migration must copy every identity's logins, and
// pages must list them.
func TestLoginsBackfill(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	db, exec := openBefore(t, path, loginsMigration)
	ctx := context.Background()
	const pool = "us-east-1:00000000-0000-4000-8000-000000000000"
	exec("INSERT INTO pools (id, account, region, name, created, updated) VALUES (?, 'a', 'us-east-1', 'p', 1, 1)", pool)
	// Identity k has k%3 logins; every fourth is disabled.
	const n = 40
	for k := range n {
		id := fmt.Sprintf("us-east-1:00000000-0000-4000-8000-%012d", k)
		exec("INSERT INTO identities (id, pool_id, created, modified, disabled) VALUES (?, ?, ?, ?, ?)", id, pool, k, k, k%4 == 0)
		for j := range k % 3 {
			exec("INSERT INTO logins (pool_id, provider, subject, identity_id, created) VALUES (?, ?, ?, ?, ?)",
				pool, fmt.Sprintf("provider%d.example.com", 2-j), fmt.Sprintf("subject \"%d\"\n%d", k, j), id, 1000*k+j)
		}
	}
	db.Close()

	s := open(t, path, Options{})
	defer s.Close()
	err := s.View(ctx, func(tx store.Tx) error {
		for _, hide := range []bool{false, true} {
			is, err := tx.ListIdentities(pool, "", 0, hide)
			if err != nil {
				return err
			}
			if want := n - n/4*btoi(hide); len(is) != want {
				t.Errorf("hideDisabled %v: %d identities, want %d", hide, len(is), want)
			}
			withLogins := 0
			for _, i := range is {
				want, err := tx.ListLogins(i.ID, "", "", 0)
				if err != nil {
					return err
				}
				if fmt.Sprint(showAll(i.Logins)) != fmt.Sprint(showAll(want)) {
					t.Errorf("%s: listed logins %v, want %v", i.ID, showAll(i.Logins), showAll(want))
				}
				if len(i.Logins) > 0 {
					withLogins++
				}
			}
			if withLogins == 0 {
				t.Errorf("hideDisabled %v: no identity listed with logins", hide)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// openBefore creates a database at path with the schema as the cognitod
// before migration m left it: every migration up to m applied and
// recorded. It returns the database and a helper that runs a statement on
// it or fails the test.
func openBefore(t *testing.T, path, m string) (*sql.DB, func(q string, args ...any)) {
	t.Helper()
	v := slices.Index(migrations, m)
	if v < 0 {
		t.Fatal("openBefore: not one of the migrations")
	}
	db, err := sql.Open(DefaultDriver, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.ExecContext(context.Background(), q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec("PRAGMA foreign_keys = ON")
	exec("CREATE TABLE schema_migrations (version INTEGER NOT NULL PRIMARY KEY, applied INTEGER NOT NULL)")
	for k, q := range migrations[:v] {
		exec(q)
		exec("INSERT INTO schema_migrations (version, applied) VALUES (?, ?)", k+1, time.Now().UnixNano())
	}
	return db, exec
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func showAll(ls []*store.Login) []string {
	var out []string
	for _, l := range ls {
		out = append(out, fmt.Sprintf("%s|%s|%s|%s|%d", l.PoolID, l.IdentityID, l.Provider, l.Subject, l.CreatedAt.UnixNano()))
	}
	return out
}

// FuzzDecodeLogins: whatever the column holds, decodeLogins returns logins
// or an error, never a panic; and the logins the triggers' format encodes
// come back as they went in, whatever bytes their strings hold.
func FuzzDecodeLogins(f *testing.F) {
	f.Add("graph.facebook.com", "12345", int64(1700000000000000000), "")
	f.Add("p", "a:1;2", int64(0), "3:abc1:x5")
	f.Add("名前", "\x00;:", int64(-1), "9:x")
	f.Fuzz(func(t *testing.T, provider, subject string, created int64, raw string) {
		i := &store.Identity{ID: "us-east-1:i", PoolID: "us-east-1:p"}
		decodeLogins(i, raw) // must not panic
		// The triggers' format, for two logins.
		enc := func(p, s string, c int64) string {
			return fmt.Sprintf("%d:%s%d:%s%d", len(p), p, len(s), s, c)
		}
		text := enc(provider, subject, created) + ";" + enc(subject, provider, created/2)
		if err := decodeLogins(i, text); err != nil {
			t.Fatalf("decodeLogins(%q): %v", text, err)
		}
		want := showAll([]*store.Login{
			{PoolID: i.PoolID, IdentityID: i.ID, Provider: provider, Subject: subject, CreatedAt: fromNanos(created)},
			{PoolID: i.PoolID, IdentityID: i.ID, Provider: subject, Subject: provider, CreatedAt: fromNanos(created / 2)},
		})
		if got := showAll(i.Logins); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("decodeLogins(%q) = %q, want %q", text, got, want)
		}
	})
}
