package conformance

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/cognitod/cognitod/internal/store"
)

// dumpTests check store.Dumper, which backends implement for cognitod
// export/import and the reset endpoint: the tables and their order, a
// round trip of every row (Snapshot, Wipe, LoadRows) that gives the Tx
// methods back exactly what they wrote, and Reset.
var dumpTests = []test{
	{"DumpTables", testDumpTables},
	{"DumpRoundTrip", testDumpRoundTrip},
	{"DumpLoadRefused", testDumpLoadRefused},
	{"Reset", testReset},
	{"ResetAtomic", testResetAtomic},
}

// knownTables are the tables of the two migrations every backend has;
// later migrations may add more, which the tests take as they come.
var knownTables = []string{"pools", "identities", "logins", "secrets", "signing_keys", "credentials",
	"sync_pools", "identity_usage", "datasets", "records", "devices", "subscriptions", "bulk_publish"}

func dumper(t *testing.T, s store.Store) store.Dumper {
	t.Helper()
	d, ok := s.(store.Dumper)
	if !ok {
		t.Skipf("%T does not implement store.Dumper: no export, import or reset for it", s)
	}
	return d
}

// dumpState is a store with one row at least in every known table, with
// values that a careless dump would mangle: non-ASCII text, bytes that are
// not UTF-8 (NUL included), an empty blob apart from a NULL one, removed
// records (NULL values), flags both ways and zero times.
type dumpState struct {
	pool     *store.Pool
	idents   []*store.Identity
	sync     []*syncData
	secret   []byte
	key      *store.SigningKey
	creds    *store.Credentials
	syncPool *store.SyncPool
	bulk     *store.BulkPublish
}

func fillDumpState(t *testing.T, s store.Store) *dumpState {
	st := &dumpState{
		pool:   newPool(account, region, 1),
		secret: []byte{0, 1, 2, 0xff, 0xfe, 'x', 0x80},
	}
	st.pool.Name = "pöol_日本"
	st.pool.Config = []byte{}
	for n := 1; n <= 3; n++ {
		i := newIdentity(st.pool.ID, 10*n)
		i.Disabled = n == 2
		i.Logins = []*store.Login{newLogin(st.pool.ID, "accounts.google.com", fmt.Sprintf("sübject-%d-✓", n), i.ID)}
		st.idents = append(st.idents, i)
		d := newSyncData(i.ID, st.pool.ID, n)
		d.records[0].Value = str("välue \x00 with NUL and 😀")
		d.records[1].Value = nil // removed
		st.sync = append(st.sync, d)
	}
	st.key = &store.SigningKey{KID: "us-east-1-1", Region: region, Algorithm: "RS512",
		PrivatePEM: []byte("-----BEGIN PRIVATE KEY-----\nnot a real key\n-----END PRIVATE KEY-----\n"), CreatedAt: at(1)}
	st.creds = &store.Credentials{AccessKeyID: "ASIAEXAMPLE0000001", IdentityID: st.idents[0].ID, PoolID: st.pool.ID,
		RoleARN: "arn:aws:iam::123456789012:role/Ünauth", IssuedAt: at(2), Expiration: at(3600000)}
	st.syncPool = &store.SyncPool{PoolID: st.pool.ID, Config: nil, SyncSessions: 5, DataStorage: 600, LastModified: at(9)}
	st.bulk = &store.BulkPublish{PoolID: st.pool.ID, Status: "IN_PROGRESS", StartedAt: at(4), Owner: "node-α"}
	update(t, s, func(tx store.Tx) error {
		noErr(t, "CreatePool", tx.CreatePool(st.pool))
		for _, i := range st.idents {
			noErr(t, "CreateIdentity", tx.CreateIdentity(i))
			for _, l := range i.Logins {
				noErr(t, "AddLogin", tx.AddLogin(l))
			}
		}
		for _, d := range st.sync {
			writeSyncData(t, tx, d)
		}
		noErr(t, "PutSecret", tx.PutSecret("next-token-key", st.secret))
		noErr(t, "AddSigningKey", tx.AddSigningKey(st.key))
		noErr(t, "RecordCredentials", tx.RecordCredentials(st.creds))
		noErr(t, "PutSyncPool", tx.PutSyncPool(st.syncPool))
		noErr(t, "PutBulkPublish", tx.PutBulkPublish(st.bulk))
		return nil
	})
	return st
}

// check reads everything back through the Tx methods.
func (st *dumpState) check(t *testing.T, s store.Store) {
	view(t, s, func(tx store.Tx) error {
		p, err := tx.GetPool(st.pool.ID)
		noErr(t, "GetPool", err)
		samePool(t, p, st.pool)
		for _, want := range st.idents {
			got, err := tx.GetIdentity(want.ID)
			noErr(t, "GetIdentity", err)
			sameIdentity(t, got, want)
			l, err := tx.FindLogin(st.pool.ID, want.Logins[0].Provider, want.Logins[0].Subject)
			noErr(t, "FindLogin", err)
			if l.IdentityID != want.ID {
				failf(t, "FindLogin: identity %s, want %s", l.IdentityID, want.ID)
			}
		}
		for _, d := range st.sync {
			checkSyncData(t, tx, d, true)
		}
		sec, err := tx.GetSecret("next-token-key")
		noErr(t, "GetSecret", err)
		if !bytes.Equal(sec, st.secret) {
			failf(t, "GetSecret: %x, want %x", sec, st.secret)
		}
		keys, err := tx.ListSigningKeys()
		noErr(t, "ListSigningKeys", err)
		same(t, "ListSigningKeys", keys, []*store.SigningKey{st.key})
		sp, err := tx.GetSyncPool(st.pool.ID)
		noErr(t, "GetSyncPool", err)
		same(t, "GetSyncPool", sp, st.syncPool)
		b, err := tx.GetBulkPublish(st.pool.ID)
		noErr(t, "GetBulkPublish", err)
		same(t, "GetBulkPublish", b, st.bulk)
		return nil
	})
	// A reused access key is refused: the credentials row is there.
	update(t, s, func(tx store.Tx) error {
		wantErr(t, "RecordCredentials again", tx.RecordCredentials(st.creds), store.ErrExists)
		return nil
	})
}

// dumpAll reads every table's rows (copied) in one snapshot.
func dumpAll(t *testing.T, d store.Dumper) map[string][][]any {
	t.Helper()
	tables, err := d.Tables(context.Background())
	noErr(t, "Tables", err)
	out := map[string][][]any{}
	err = d.Snapshot(context.Background(), func(sn store.Snapshot) error {
		for _, tb := range tables {
			n, err := sn.Count(tb.Name)
			if err != nil {
				return err
			}
			var rows [][]any
			err = sn.Rows(tb.Name, func(row []any) error {
				cp := make([]any, len(row))
				for i, v := range row {
					switch v := v.(type) {
					case []byte:
						cp[i] = bytes.Clone(v)
						if v != nil && cp[i].([]byte) == nil {
							cp[i] = []byte{}
						}
					case nil, int64:
						cp[i] = v
					default:
						return fmt.Errorf("%s.%s: value of type %T, want nil, int64 or []byte", tb.Name, tb.Columns[i], v)
					}
				}
				rows = append(rows, cp)
				return nil
			})
			if err != nil {
				return err
			}
			if int64(len(rows)) != n {
				return fmt.Errorf("%s: Count %d, Rows gave %d", tb.Name, n, len(rows))
			}
			out[tb.Name] = rows
		}
		return nil
	})
	noErr(t, "Snapshot", err)
	return out
}

func testDumpTables(t *testing.T, s store.Store) {
	d := dumper(t, s)
	tables, err := d.Tables(context.Background())
	noErr(t, "Tables", err)
	pos := map[string]int{}
	for i, tb := range tables {
		if tb.Name == "schema_migrations" {
			failf(t, "Tables lists schema_migrations, which is not state")
		}
		if len(tb.Columns) == 0 || len(tb.Key) == 0 {
			failf(t, "table %s: columns %v, key %v", tb.Name, tb.Columns, tb.Key)
		}
		for _, k := range tb.Key {
			if !slices.Contains(tb.Columns, k) {
				failf(t, "table %s: key column %s is not a column (%v)", tb.Name, k, tb.Columns)
			}
		}
		pos[tb.Name] = i
	}
	for _, name := range knownTables {
		if _, ok := pos[name]; !ok {
			failf(t, "Tables: no %s in %v", name, pos)
		}
	}
	for _, tb := range tables {
		for _, r := range tb.References {
			if r != tb.Name && pos[r] > pos[tb.Name] {
				failf(t, "Tables: %s comes before %s, which it references", tb.Name, r)
			}
		}
	}
	for _, pair := range [][2]string{{"pools", "identities"}, {"identities", "logins"}, {"identities", "records"}, {"pools", "sync_pools"}} {
		if pos[pair[0]] > pos[pair[1]] {
			failf(t, "Tables: %s after %s", pair[0], pair[1])
		}
	}
	// The order is the names' whenever references allow: it does not
	// depend on the catalog, so every backend lists the same.
	sorted, err := store.SortTables(tables)
	noErr(t, "SortTables", err)
	for i := range tables {
		if sorted[i].Name != tables[i].Name {
			failf(t, "Tables: order %v is not SortTables' (%s at %d, want %s)", pos, tables[i].Name, i, sorted[i].Name)
		}
	}
}

func testDumpRoundTrip(t *testing.T, s store.Store) {
	d := dumper(t, s)
	ctx := context.Background()
	st := fillDumpState(t, s)
	before := dumpAll(t, d)
	for _, name := range knownTables {
		if len(before[name]) == 0 {
			failf(t, "table %s: no row dumped, but the fixture writes some", name)
		}
	}
	noErr(t, "Wipe", d.Wipe(ctx))
	for name, rows := range dumpAll(t, d) {
		if len(rows) != 0 {
			failf(t, "after Wipe, table %s has %d rows", name, len(rows))
		}
	}
	view(t, s, func(tx store.Tx) error {
		_, err := tx.GetPool(st.pool.ID)
		wantErr(t, "GetPool after Wipe", err, store.ErrNotFound)
		_, err = tx.GetSecret("next-token-key")
		wantErr(t, "GetSecret after Wipe", err, store.ErrNotFound)
		return nil
	})
	tables, err := d.Tables(ctx)
	noErr(t, "Tables", err)
	for _, tb := range tables {
		// In two batches, as an import loads them.
		rows := before[tb.Name]
		half := len(rows) / 2
		noErr(t, "LoadRows "+tb.Name, d.LoadRows(ctx, tb.Name, tb.Columns, rows[:half]))
		noErr(t, "LoadRows "+tb.Name, d.LoadRows(ctx, tb.Name, tb.Columns, rows[half:]))
	}
	after := dumpAll(t, d)
	sameDump(t, "dump after a round trip", after, before)
	st.check(t, s)
	// The loaded rows are what the Tx methods write: they go on working
	// on them (keyset pages compare loaded keys with new arguments).
	view(t, s, func(tx store.Tx) error {
		ids, err := tx.ListIdentities(st.pool.ID, st.idents[0].ID, 0, true)
		noErr(t, "ListIdentities", err)
		if len(ids) != 1 || ids[0].ID != st.idents[2].ID {
			failf(t, "ListIdentities after the first, enabled only: %v, want [%s]", showIdentitiesIDs(ids), st.idents[2].ID)
		}
		// Listed logins come from the loaded logins, however a backend
		// lists them (SQLite's copy in the identity row is not dumped).
		all, err := tx.ListIdentities(st.pool.ID, "", 0, false)
		noErr(t, "ListIdentities", err)
		withLogins := 0
		for _, i := range all {
			ls, err := tx.ListLogins(i.ID, "", "", 0)
			noErr(t, "ListLogins", err)
			sameLogins(t, "listed logins of loaded identity "+i.ID, i.Logins, ls)
			withLogins += min(len(ls), 1)
		}
		if withLogins == 0 {
			failf(t, "after the round trip no identity is listed with logins; the fixture links some")
		}
		recs, err := tx.ListRecords(st.idents[0].ID, "game", 0, "key-0", 0)
		noErr(t, "ListRecords", err)
		if len(recs) != 2 {
			failf(t, "ListRecords after key-0: %d records, want 2", len(recs))
		}
		return nil
	})
	update(t, s, func(tx store.Tx) error {
		noErr(t, "DeletePool", tx.DeletePool(st.pool.ID))
		return nil
	})
	for _, name := range []string{"pools", "identities", "logins", "records", "credentials"} {
		if n := len(dumpAll(t, d)[name]); n != 0 {
			failf(t, "after DeletePool of the loaded pool, %s has %d rows: loaded rows do not cascade", name, n)
		}
	}
}

func showIdentitiesIDs(is []*store.Identity) []string {
	out := make([]string, len(is))
	for i, x := range is {
		out[i] = x.ID
	}
	return out
}

// testDumpLoadRefused: LoadRows is all or nothing, and refuses rows that do
// not fit.
func testDumpLoadRefused(t *testing.T, s store.Store) {
	d := dumper(t, s)
	ctx := context.Background()
	fillDumpState(t, s)
	before := dumpAll(t, d)
	tables, err := d.Tables(ctx)
	noErr(t, "Tables", err)
	cols := map[string][]string{}
	for _, tb := range tables {
		cols[tb.Name] = tb.Columns
	}
	fresh := slices.Clone(before["pools"][0])
	fresh[slices.Index(cols["pools"], "id")] = []byte("us-east-1:ffffffff-0000-4000-8000-000000000000")
	orphan := slices.Clone(before["identities"][0])
	orphan[slices.Index(cols["identities"], "id")] = []byte("us-east-1:ffffffff-1111-4000-8000-000000000000")
	orphan[slices.Index(cols["identities"], "pool_id")] = []byte("us-east-1:no-such-pool")
	for _, tc := range []struct {
		name, table string
		columns     []string
		rows        [][]any
	}{
		{"duplicate key after a new row", "pools", cols["pools"], [][]any{fresh, before["pools"][0]}},
		{"missing parent", "identities", cols["identities"], [][]any{orphan}},
		{"unknown table", "no_such_table", []string{"a"}, [][]any{{int64(1)}}},
		{"unknown column", "pools", append(slices.Clone(cols["pools"][1:]), "nope"), [][]any{fresh}},
		{"missing column", "pools", cols["pools"][1:], [][]any{fresh[1:]}},
		{"short row", "pools", cols["pools"], [][]any{fresh[1:]}},
		{"bytes for an integer", "pools", cols["pools"], [][]any{replaced(fresh, slices.Index(cols["pools"], "created"), []byte("x"))}},
	} {
		if err := d.LoadRows(ctx, tc.table, tc.columns, tc.rows); err == nil {
			failf(t, "%s: LoadRows succeeded", tc.name)
		}
	}
	sameDump(t, "dump after refused loads", dumpAll(t, d), before)
}

func replaced(row []any, i int, v any) []any {
	out := slices.Clone(row)
	out[i] = v
	return out
}

func testReset(t *testing.T, s store.Store) {
	d := dumper(t, s)
	st := fillDumpState(t, s)
	before := dumpAll(t, d)
	noErr(t, "Reset", d.Reset(context.Background()))
	after := dumpAll(t, d)
	for name, rows := range after {
		if slices.Contains(store.ServerTables, name) {
			sameDump(t, "Reset kept "+name, map[string][][]any{name: rows}, map[string][][]any{name: before[name]})
		} else if len(rows) != 0 {
			failf(t, "after Reset, table %s has %d rows", name, len(rows))
		}
	}
	view(t, s, func(tx store.Tx) error {
		_, err := tx.GetPool(st.pool.ID)
		wantErr(t, "GetPool after Reset", err, store.ErrNotFound)
		for _, d := range st.sync {
			checkSyncData(t, tx, d, false)
		}
		return nil
	})
	// The store is as usable as a new one, the same IDs included.
	fresh := *st.pool
	mustCreatePool(t, s, &fresh)
}

// testResetAtomic: readers running while Reset runs see the whole state or
// none of it, never a pool without its identities or the reverse.
func testResetAtomic(t *testing.T, s store.Store) {
	d := dumper(t, s)
	st := fillDumpState(t, s)
	var stop atomic.Bool
	var wg sync.WaitGroup
	var mu sync.Mutex
	var bad []string
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				err := s.View(context.Background(), func(tx store.Tx) error {
					_, perr := tx.GetPool(st.pool.ID)
					ids, err := tx.ListIdentities(st.pool.ID, "", 0, false)
					if err != nil {
						return err
					}
					_, rerr := tx.GetRecord(st.idents[2].ID, "game", "key-2")
					switch {
					case perr == nil && len(ids) == len(st.idents) && rerr == nil:
					case perr != nil && len(ids) == 0 && rerr != nil:
					default:
						mu.Lock()
						bad = append(bad, fmt.Sprintf("pool err %v, %d identities, record err %v", perr, len(ids), rerr))
						mu.Unlock()
					}
					return nil
				})
				if err != nil {
					mu.Lock()
					bad = append(bad, "View: "+err.Error())
					mu.Unlock()
					return
				}
			}
		}()
	}
	noErr(t, "Reset", d.Reset(context.Background()))
	view(t, s, func(tx store.Tx) error {
		_, err := tx.GetPool(st.pool.ID)
		wantErr(t, "GetPool after Reset", err, store.ErrNotFound)
		return nil
	})
	stop.Store(true)
	wg.Wait()
	if len(bad) > 0 {
		failf(t, "readers saw a partial reset: %v", bad)
	}
}

// sameDump compares two dumps value by value: NULL, an empty blob and an
// integer are all told apart.
func sameDump(t *testing.T, what string, got, want map[string][][]any) {
	t.Helper()
	if g, w := showDump(got), showDump(want); g != w {
		failf(t, "%s:\n got %s\nwant %s", what, g, w)
	}
}

func showDump(d map[string][][]any) string {
	var b strings.Builder
	names := slices.Sorted(maps.Keys(d))
	for _, name := range names {
		fmt.Fprintf(&b, "%s:\n", name)
		for _, row := range d[name] {
			b.WriteString("  ")
			for _, v := range row {
				switch v := v.(type) {
				case nil:
					b.WriteString("NULL ")
				case []byte:
					fmt.Fprintf(&b, "%q ", v)
				default:
					fmt.Fprintf(&b, "%T(%v) ", v, v)
				}
			}
			b.WriteString("\n")
		}
	}
	return b.String()
}
