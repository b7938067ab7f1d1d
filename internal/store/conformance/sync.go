package conformance

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/cognitod/cognitod/internal/store"
)

var syncTests = []test{
	{"SyncPool", testSyncPool},
	{"IdentityUsage", testIdentityUsage},
	{"AddUsage", testAddUsage},
	{"Datasets", testDatasets},
	{"ListDatasets", testListDatasets},
	{"Records", testRecords},
	{"ListRecords", testListRecords},
	{"DeleteRecordsAndDropDataset", testDropDataset},
	{"ListPoolRecords", testListPoolRecords},
	{"Devices", testDevices},
	{"Subscriptions", testSubscriptions},
	{"BulkPublish", testBulkPublish},
	{"SyncDeleteIdentityCascades", testSyncDeleteIdentity},
	{"SyncDeletePoolCascades", testSyncDeletePool},
	{"ListPoolUsage", testListPoolUsage},
	{"ConcurrentRecordCompareAndSet", testRecordCompareAndSet},
}

func testSyncPool(t *testing.T, s store.Store) {
	p, other := newPool(account, region, 1), newPool(account, region, 2)
	mustCreatePool(t, s, p, other)
	view(t, s, func(tx store.Tx) error {
		_, err := tx.GetSyncPool(p.ID)
		wantErr(t, "GetSyncPool(never written)", err, store.ErrNotFound)
		return nil
	})
	sp := &store.SyncPool{PoolID: p.ID, Config: []byte(`{"PushSync":{"ApplicationArns":["arn:a"]}}`), SyncSessions: 3, DataStorage: 1234, LastModified: at(5)}
	update(t, s, func(tx store.Tx) error {
		noErr(t, "PutSyncPool", tx.PutSyncPool(sp))
		missing := *sp
		missing.PoolID = poolID(region, 9)
		wantErr(t, "PutSyncPool(missing pool)", tx.PutSyncPool(&missing), store.ErrNotFound)
		return nil
	})
	view(t, s, func(tx store.Tx) error {
		got, err := tx.GetSyncPool(p.ID)
		noErr(t, "GetSyncPool", err)
		same(t, "GetSyncPool", got, sp)
		_, err = tx.GetSyncPool(other.ID)
		wantErr(t, "GetSyncPool(other pool)", err, store.ErrNotFound)
		_, err = tx.GetSyncPool(poolID(region, 9))
		wantErr(t, "GetSyncPool(missing pool)", err, store.ErrNotFound)
		return nil
	})
	// A second Put replaces every field; zero values round-trip.
	replaced := &store.SyncPool{PoolID: p.ID, SyncSessions: 4}
	update(t, s, func(tx store.Tx) error { return tx.PutSyncPool(replaced) })
	view(t, s, func(tx store.Tx) error {
		got, err := tx.GetSyncPool(p.ID)
		noErr(t, "GetSyncPool after replace", err)
		same(t, "GetSyncPool after replace", got, replaced)
		return nil
	})
}

func testIdentityUsage(t *testing.T, s store.Store) {
	p := newPool(account, region, 1)
	mustCreatePool(t, s, p)
	i, other := newIdentity(p.ID, 1), newIdentity(p.ID, 2)
	mustCreateIdentity(t, s, i)
	mustCreateIdentity(t, s, other)
	view(t, s, func(tx store.Tx) error {
		_, err := tx.GetIdentityUsage(i.ID)
		wantErr(t, "GetIdentityUsage(never written)", err, store.ErrNotFound)
		return nil
	})
	u := &store.IdentityUsage{IdentityID: i.ID, PoolID: p.ID, DatasetCount: 2, DataStorage: 4096, LastModified: at(7)}
	update(t, s, func(tx store.Tx) error {
		noErr(t, "PutIdentityUsage", tx.PutIdentityUsage(u))
		wantErr(t, "PutIdentityUsage(missing identity)",
			tx.PutIdentityUsage(&store.IdentityUsage{IdentityID: identityID(9), PoolID: p.ID}), store.ErrNotFound)
		return nil
	})
	view(t, s, func(tx store.Tx) error {
		got, err := tx.GetIdentityUsage(i.ID)
		noErr(t, "GetIdentityUsage", err)
		same(t, "GetIdentityUsage", got, u)
		_, err = tx.GetIdentityUsage(other.ID)
		wantErr(t, "GetIdentityUsage(other identity)", err, store.ErrNotFound)
		return nil
	})
	changed := &store.IdentityUsage{IdentityID: i.ID, PoolID: p.ID, DatasetCount: 1, DataStorage: 0, LastModified: at(8)}
	update(t, s, func(tx store.Tx) error { return tx.PutIdentityUsage(changed) })
	view(t, s, func(tx store.Tx) error {
		got, err := tx.GetIdentityUsage(i.ID)
		noErr(t, "GetIdentityUsage after replace", err)
		same(t, "GetIdentityUsage after replace", got, changed)
		return nil
	})
}

// testAddUsage: the one-statement counter updates start from zero when
// there is no row, add to the counters of an existing one without touching
// the rest (a pool's configuration, an identity's pool), and fail on a
// missing parent, changing nothing.
func testAddUsage(t *testing.T, s store.Store) {
	p, fresh := newPool(account, region, 1), newPool(account, region, 2)
	mustCreatePool(t, s, p, fresh)
	i := newIdentity(p.ID, 1)
	mustCreateIdentity(t, s, i)
	cfg := []byte(`{"CognitoStreams":{"StreamingStatus":"DISABLED"}}`)
	update(t, s, func(tx store.Tx) error {
		return tx.PutSyncPool(&store.SyncPool{PoolID: p.ID, Config: cfg, SyncSessions: 3, DataStorage: 100, LastModified: at(1)})
	})
	update(t, s, func(tx store.Tx) error {
		got, err := tx.AddSyncPoolUsage(p.ID, 50, 1, at(2))
		noErr(t, "AddSyncPoolUsage", err)
		same(t, "AddSyncPoolUsage's row", got, &store.SyncPool{PoolID: p.ID, Config: cfg, SyncSessions: 4, DataStorage: 150, LastModified: at(2)})
		got, err = tx.AddSyncPoolUsage(p.ID, -30, 0, at(3))
		noErr(t, "AddSyncPoolUsage(negative bytes)", err)
		same(t, "AddSyncPoolUsage's row", got, &store.SyncPool{PoolID: p.ID, Config: cfg, SyncSessions: 4, DataStorage: 120, LastModified: at(3)})
		got, err = tx.AddSyncPoolUsage(fresh.ID, 7, 1, at(4))
		noErr(t, "AddSyncPoolUsage(no row yet)", err)
		same(t, "AddSyncPoolUsage's new row", got, &store.SyncPool{PoolID: fresh.ID, SyncSessions: 1, DataStorage: 7, LastModified: at(4)})
		_, err = tx.AddSyncPoolUsage(poolID(region, 9), 1, 1, at(4))
		wantErr(t, "AddSyncPoolUsage(missing pool)", err, store.ErrNotFound)

		noErr(t, "AddIdentityUsage(no row yet)", tx.AddIdentityUsage(i.ID, p.ID, 40, 1, at(5)))
		noErr(t, "AddIdentityUsage", tx.AddIdentityUsage(i.ID, p.ID, -10, 2, at(6)))
		wantErr(t, "AddIdentityUsage(missing identity)", tx.AddIdentityUsage(identityID(9), p.ID, 1, 1, at(6)), store.ErrNotFound)
		return nil
	})
	view(t, s, func(tx store.Tx) error {
		got, err := tx.GetSyncPool(p.ID)
		noErr(t, "GetSyncPool", err)
		same(t, "GetSyncPool after AddSyncPoolUsage", got, &store.SyncPool{PoolID: p.ID, Config: cfg, SyncSessions: 4, DataStorage: 120, LastModified: at(3)})
		u, err := tx.GetIdentityUsage(i.ID)
		noErr(t, "GetIdentityUsage", err)
		same(t, "GetIdentityUsage after AddIdentityUsage", u, &store.IdentityUsage{IdentityID: i.ID, PoolID: p.ID, DatasetCount: 3, DataStorage: 30, LastModified: at(6)})
		_, err = tx.GetIdentityUsage(identityID(9))
		wantErr(t, "GetIdentityUsage(missing identity)", err, store.ErrNotFound)
		return nil
	})
}

func testDatasets(t *testing.T, s store.Store) {
	p := newPool(account, region, 1)
	mustCreatePool(t, s, p)
	i, other := newIdentity(p.ID, 1), newIdentity(p.ID, 2)
	mustCreateIdentity(t, s, i)
	mustCreateIdentity(t, s, other)
	d := newDataset(i.ID, p.ID, "game_state", 3)
	update(t, s, func(tx store.Tx) error {
		_, err := tx.GetDataset(i.ID, d.Name)
		wantErr(t, "GetDataset(missing)", err, store.ErrNotFound)
		noErr(t, "PutDataset", tx.PutDataset(d))
		wantErr(t, "PutDataset(missing identity)", tx.PutDataset(newDataset(identityID(9), p.ID, "x", 1)), store.ErrNotFound)
		// The same name under another identity is another dataset.
		noErr(t, "PutDataset(other identity)", tx.PutDataset(newDataset(other.ID, p.ID, d.Name, 9)))
		return nil
	})
	view(t, s, func(tx store.Tx) error {
		got, err := tx.GetDataset(i.ID, d.Name)
		noErr(t, "GetDataset", err)
		same(t, "GetDataset", got, d)
		got, err = tx.GetDataset(other.ID, d.Name)
		noErr(t, "GetDataset(other identity)", err)
		same(t, "GetDataset(other identity)", got, newDataset(other.ID, p.ID, d.Name, 9))
		_, err = tx.GetDataset(i.ID, "game_stat")
		wantErr(t, "GetDataset(other name)", err, store.ErrNotFound)
		return nil
	})

	// A Put replaces every field: here it makes a tombstone, which
	// GetDataset still returns.
	tomb := *d
	tomb.Deleted, tomb.DeletedSyncCount = true, d.SyncCount
	tomb.DataStorage, tomb.NumRecords = 0, 0
	tomb.ModifiedAt, tomb.LastModifiedBy = at(50), "someone-else"
	update(t, s, func(tx store.Tx) error { return tx.PutDataset(&tomb) })
	view(t, s, func(tx store.Tx) error {
		got, err := tx.GetDataset(i.ID, d.Name)
		noErr(t, "GetDataset(tombstone)", err)
		same(t, "GetDataset(tombstone)", got, &tomb)
		return nil
	})
	// Reviving it, and a merged dataset, round-trip too.
	revived := tomb
	revived.Deleted, revived.CreatedAt, revived.SyncCount = false, at(60), tomb.SyncCount+1
	merged := newDataset(i.ID, p.ID, "game_state."+other.ID, 4)
	merged.MergedFrom = other.ID
	update(t, s, func(tx store.Tx) error {
		noErr(t, "PutDataset(revive)", tx.PutDataset(&revived))
		return tx.PutDataset(merged)
	})
	view(t, s, func(tx store.Tx) error {
		got, err := tx.GetDataset(i.ID, d.Name)
		noErr(t, "GetDataset(revived)", err)
		same(t, "GetDataset(revived)", got, &revived)
		got, err = tx.GetDataset(i.ID, merged.Name)
		noErr(t, "GetDataset(merged)", err)
		same(t, "GetDataset(merged)", got, merged)
		return nil
	})
}

func testListDatasets(t *testing.T, s store.Store) {
	p := newPool(account, region, 1)
	mustCreatePool(t, s, p)
	i, other := newIdentity(p.ID, 1), newIdentity(p.ID, 2)
	mustCreateIdentity(t, s, i)
	mustCreateIdentity(t, s, other)
	// Names compare byte-wise: upper case before lower, ASCII before UTF-8.
	names := []string{"settings", "Zeta", "a", "game.state", "game", "game-2", "ünïcode", "b_1", "tomb-1", "m", "tomb-2", "zz"}
	var live []*store.Dataset
	update(t, s, func(tx store.Tx) error {
		for n, name := range names {
			d := newDataset(i.ID, p.ID, name, n)
			if strings.HasPrefix(name, "tomb") {
				d.Deleted, d.DeletedSyncCount = true, 5
			} else {
				live = append(live, d)
			}
			noErr(t, "PutDataset", tx.PutDataset(d))
			// The other identity has datasets of the same and nearby names.
			noErr(t, "PutDataset(other)", tx.PutDataset(newDataset(other.ID, p.ID, name, n+100)))
			noErr(t, "PutDataset(other)", tx.PutDataset(newDataset(other.ID, p.ID, name+"0", n+200)))
		}
		return nil
	})
	sort.Slice(live, func(a, b int) bool { return live[a].Name < live[b].Name })
	names = names[:0]
	for _, d := range live {
		names = append(names, d.Name)
	}

	view(t, s, func(tx store.Tx) error {
		for _, limit := range []int{1, 3, len(live), 100} {
			var got []*store.Dataset
			after := ""
			for pages := 0; ; pages++ {
				if pages > len(live)+1 {
					failf(t, "ListDatasets(limit %d) does not end", limit)
				}
				ds, err := tx.ListDatasets(i.ID, after, limit)
				noErr(t, "ListDatasets", err)
				if len(ds) > limit {
					failf(t, "ListDatasets(limit %d) returned %d", limit, len(ds))
				}
				got = append(got, ds...)
				if len(ds) < limit {
					break
				}
				after = ds[len(ds)-1].Name
			}
			same(t, fmt.Sprintf("ListDatasets(limit %d) pages", limit), got, live)
		}
		for _, c := range []struct {
			after string
			limit int
			want  []*store.Dataset
		}{
			{"", 0, live},
			{"", -1, live},
			{"", 2, live[:2]},
			{names[2], 2, live[3:5]},
			{names[2] + "!", 0, live[3:]},     // after need not exist
			{"tomb-1", 0, live[len(live)-2:]}, // "zz", "ünïcode"
			{names[len(names)-1], 0, nil},
		} {
			got, err := tx.ListDatasets(i.ID, c.after, c.limit)
			noErr(t, "ListDatasets", err)
			same(t, fmt.Sprintf("ListDatasets(after %q, limit %d)", c.after, c.limit), got, c.want)
		}
		got, err := tx.ListDatasets(identityID(9), "", 0)
		noErr(t, "ListDatasets(missing identity)", err)
		same(t, "ListDatasets(missing identity)", got, []*store.Dataset(nil))
		return nil
	})
}

func testRecords(t *testing.T, s store.Store) {
	p := newPool(account, region, 1)
	mustCreatePool(t, s, p)
	i, other := newIdentity(p.ID, 1), newIdentity(p.ID, 2)
	mustCreateIdentity(t, s, i)
	mustCreateIdentity(t, s, other)
	r := newRecord(i.ID, p.ID, "game", "high-score", str("1200"), 3)
	empty := newRecord(i.ID, p.ID, "game", "empty", str(""), 4)
	removed := newRecord(i.ID, p.ID, "game", "gone", nil, 5)
	removed.DeviceModifiedAt = at(0).AddDate(-1, 0, 0)
	unicode := newRecord(i.ID, p.ID, "game", "ключ", str("значение 🎲"), 6)
	unicode.DeviceModifiedAt = zeroTime
	update(t, s, func(tx store.Tx) error {
		_, err := tx.GetRecord(i.ID, "game", r.Key)
		wantErr(t, "GetRecord(missing)", err, store.ErrNotFound)
		for _, rec := range []*store.Record{r, empty, removed, unicode} {
			noErr(t, "PutRecord", tx.PutRecord(rec))
		}
		wantErr(t, "PutRecord(missing identity)", tx.PutRecord(newRecord(identityID(9), p.ID, "game", "k", str("v"), 1)), store.ErrNotFound)
		// The same key in another dataset or identity is another record;
		// a record needs no dataset row.
		noErr(t, "PutRecord(other dataset)", tx.PutRecord(newRecord(i.ID, p.ID, "game2", r.Key, str("other"), 1)))
		noErr(t, "PutRecord(other identity)", tx.PutRecord(newRecord(other.ID, p.ID, "game", r.Key, str("other"), 1)))
		return nil
	})
	view(t, s, func(tx store.Tx) error {
		for _, want := range []*store.Record{r, empty, removed, unicode} {
			got, err := tx.GetRecord(i.ID, "game", want.Key)
			noErr(t, "GetRecord", err)
			same(t, "GetRecord("+want.Key+")", got, want)
		}
		got, err := tx.GetRecord(i.ID, "game", "empty")
		noErr(t, "GetRecord(empty value)", err)
		if got.Value == nil {
			failf(t, "GetRecord: an empty Value came back nil (removed)")
		}
		_, err = tx.GetRecord(i.ID, "gam", r.Key)
		wantErr(t, "GetRecord(other dataset)", err, store.ErrNotFound)
		_, err = tx.GetRecord(i.ID, "game", "high-scor")
		wantErr(t, "GetRecord(other key)", err, store.ErrNotFound)
		return nil
	})
	// A Put replaces every field: removing a record, and bringing a
	// removed one back.
	rm := *r
	rm.Value, rm.SyncCount, rm.ModifiedAt, rm.LastModifiedBy, rm.DeviceModifiedAt = nil, 7, at(70), "other-caller", zeroTime
	back := *removed
	back.Value, back.SyncCount, back.ModifiedAt = str("back"), 7, at(71)
	putRecords(t, s, &rm, &back)
	view(t, s, func(tx store.Tx) error {
		for _, want := range []*store.Record{&rm, &back} {
			got, err := tx.GetRecord(i.ID, "game", want.Key)
			noErr(t, "GetRecord after replace", err)
			same(t, "GetRecord after replace", got, want)
		}
		got, err := tx.GetRecord(other.ID, "game", r.Key)
		noErr(t, "GetRecord(other identity)", err)
		same(t, "GetRecord(other identity)", got, newRecord(other.ID, p.ID, "game", r.Key, str("other"), 1))
		return nil
	})
}

func testListRecords(t *testing.T, s store.Store) {
	p := newPool(account, region, 1)
	mustCreatePool(t, s, p)
	i, other := newIdentity(p.ID, 1), newIdentity(p.ID, 2)
	mustCreateIdentity(t, s, i)
	mustCreateIdentity(t, s, other)
	// Keys compare byte-wise; sync counts do not follow key order; every
	// fourth record is removed.
	keys := []string{"k07", "B", "k00", "k10", "a", "k03", "é", "k05", "k05-", "k11", "k01", "Z", "k02", "k08", "k04", "k09", "k06"}
	var all []*store.Record
	var decoys []*store.Record
	for n, key := range keys {
		var v *string
		if n%4 != 3 {
			v = str(fmt.Sprint("value-", n))
		}
		all = append(all, newRecord(i.ID, p.ID, "game", key, v, int64(n*7%10+1)))
		decoys = append(decoys,
			newRecord(i.ID, p.ID, "game0", key, str("decoy"), 20),
			newRecord(i.ID, p.ID, "gam", key, str("decoy"), 20),
			newRecord(other.ID, p.ID, "game", key, str("decoy"), 20))
	}
	putRecords(t, s, append(decoys, all...)...)
	sort.Slice(all, func(a, b int) bool { return all[a].Key < all[b].Key })

	filter := func(afterSync int64, afterKey string, limit int) []*store.Record {
		var out []*store.Record
		for _, r := range all {
			if r.SyncCount > afterSync && r.Key > afterKey && (limit <= 0 || len(out) < limit) {
				out = append(out, r)
			}
		}
		return out
	}
	view(t, s, func(tx store.Tx) error {
		for _, afterSync := range []int64{0, 1, 4, 9, 10, 100} {
			for _, afterKey := range []string{"", "B", "k05", "k05!", "k055", "k11", "é"} {
				for _, limit := range []int{0, -1, 1, 4, 100} {
					got, err := tx.ListRecords(i.ID, "game", afterSync, afterKey, limit)
					noErr(t, "ListRecords", err)
					same(t, fmt.Sprintf("ListRecords(afterSyncCount %d, afterKey %q, limit %d)", afterSync, afterKey, limit),
						got, filter(afterSync, afterKey, limit))
				}
			}
			// Paging by key with a sync count filter visits every match once.
			for _, limit := range []int{1, 3} {
				var got []*store.Record
				after := ""
				for pages := 0; ; pages++ {
					if pages > len(all)+1 {
						failf(t, "ListRecords(limit %d) does not end", limit)
					}
					rs, err := tx.ListRecords(i.ID, "game", afterSync, after, limit)
					noErr(t, "ListRecords", err)
					got = append(got, rs...)
					if len(rs) < limit {
						break
					}
					after = rs[len(rs)-1].Key
				}
				same(t, fmt.Sprintf("ListRecords(afterSyncCount %d, limit %d) pages", afterSync, limit), got, filter(afterSync, "", 0))
			}
		}
		got, err := tx.ListRecords(i.ID, "missing", 0, "", 0)
		noErr(t, "ListRecords(missing dataset)", err)
		same(t, "ListRecords(missing dataset)", got, []*store.Record(nil))
		return nil
	})
}

func testDropDataset(t *testing.T, s store.Store) {
	p := newPool(account, region, 1)
	mustCreatePool(t, s, p)
	i := newIdentity(p.ID, 1)
	mustCreateIdentity(t, s, i)
	var game, settings []*store.Record
	for k := 0; k < 5; k++ {
		game = append(game, newRecord(i.ID, p.ID, "game", fmt.Sprint("k", k), str("v"), int64(k+1)))
		settings = append(settings, newRecord(i.ID, p.ID, "settings", fmt.Sprint("k", k), str("v"), int64(k+1)))
	}
	update(t, s, func(tx store.Tx) error {
		for _, name := range []string{"game", "settings", "tomb"} {
			d := newDataset(i.ID, p.ID, name, 1)
			d.Deleted = name == "tomb"
			noErr(t, "PutDataset", tx.PutDataset(d))
		}
		for _, r := range append(game, settings...) {
			noErr(t, "PutRecord", tx.PutRecord(r))
		}
		// Records of a dataset that has no row.
		noErr(t, "PutRecord(no dataset row)", tx.PutRecord(newRecord(i.ID, p.ID, "stray", "k", str("v"), 1)))
		return nil
	})
	listed := func(tx store.Tx, name string) []*store.Record {
		rs, err := tx.ListRecords(i.ID, name, 0, "", 0)
		noErr(t, "ListRecords", err)
		return rs
	}

	// DeleteRecords empties a dataset and keeps its row.
	update(t, s, func(tx store.Tx) error {
		noErr(t, "DeleteRecords", tx.DeleteRecords(i.ID, "game"))
		noErr(t, "DeleteRecords(no records)", tx.DeleteRecords(i.ID, "game"))
		noErr(t, "DeleteRecords(missing dataset)", tx.DeleteRecords(i.ID, "missing"))
		return nil
	})
	view(t, s, func(tx store.Tx) error {
		same(t, "records after DeleteRecords", listed(tx, "game"), []*store.Record(nil))
		_, err := tx.GetRecord(i.ID, "game", "k0")
		wantErr(t, "GetRecord after DeleteRecords", err, store.ErrNotFound)
		_, err = tx.GetDataset(i.ID, "game")
		noErr(t, "GetDataset after DeleteRecords", err)
		same(t, "other dataset's records", listed(tx, "settings"), settings)
		return nil
	})

	// DropDataset removes the row and the records; a tombstone too.
	update(t, s, func(tx store.Tx) error {
		noErr(t, "DropDataset", tx.DropDataset(i.ID, "settings"))
		noErr(t, "DropDataset(tombstone)", tx.DropDataset(i.ID, "tomb"))
		wantErr(t, "DropDataset(again)", tx.DropDataset(i.ID, "settings"), store.ErrNotFound)
		// No dataset row: ErrNotFound, and its records stay.
		wantErr(t, "DropDataset(no row)", tx.DropDataset(i.ID, "stray"), store.ErrNotFound)
		return nil
	})
	view(t, s, func(tx store.Tx) error {
		for _, name := range []string{"settings", "tomb"} {
			_, err := tx.GetDataset(i.ID, name)
			wantErr(t, "GetDataset after DropDataset", err, store.ErrNotFound)
		}
		same(t, "records after DropDataset", listed(tx, "settings"), []*store.Record(nil))
		_, err := tx.GetRecord(i.ID, "settings", "k0")
		wantErr(t, "GetRecord after DropDataset", err, store.ErrNotFound)
		same(t, "records of a failed DropDataset", listed(tx, "stray"), []*store.Record{newRecord(i.ID, p.ID, "stray", "k", str("v"), 1)})
		ds, err := tx.ListDatasets(i.ID, "", 0)
		noErr(t, "ListDatasets", err)
		if len(ds) != 1 || ds[0].Name != "game" {
			failf(t, "ListDatasets after DropDataset: %s", show(ds))
		}
		rs, err := tx.ListPoolRecords(p.ID, store.RecordPos{}, 0)
		noErr(t, "ListPoolRecords", err)
		same(t, "ListPoolRecords after DropDataset", rs, []*store.Record{newRecord(i.ID, p.ID, "stray", "k", str("v"), 1)})
		return nil
	})
	// The name can be used again, and starts empty.
	update(t, s, func(tx store.Tx) error { return tx.PutDataset(newDataset(i.ID, p.ID, "settings", 9)) })
	view(t, s, func(tx store.Tx) error {
		same(t, "records of a recreated dataset", listed(tx, "settings"), []*store.Record(nil))
		return nil
	})
}

func testListPoolRecords(t *testing.T, s store.Store) {
	a, b := newPool(account, region, 1), newPool(account, region, 2)
	mustCreatePool(t, s, a, b)
	var want []*store.Record // a's live records
	var all []*store.Record
	// Identities of both pools interleave in ID order; identity 6 has no
	// records; datasets and keys are shared between identities and pools.
	for n := 0; n < 12; n++ {
		p := a
		if n%3 == 1 {
			p = b
		}
		i := newIdentity(p.ID, n)
		mustCreateIdentity(t, s, i)
		if n == 6 {
			continue
		}
		for _, ds := range []string{"b", "a", "a.b", "B"}[:1+n%4] {
			for k := 0; k < 1+(n+len(ds))%4; k++ {
				var v *string
				if (n+k)%5 != 4 {
					v = str(fmt.Sprint(n, ds, k))
				}
				r := newRecord(i.ID, p.ID, ds, fmt.Sprint("key-", k), v, int64(n+k+1))
				all = append(all, r)
				if p == a && v != nil {
					want = append(want, r)
				}
			}
		}
	}
	putRecords(t, s, all...)
	sort.Slice(want, func(x, y int) bool {
		rx, ry := want[x], want[y]
		if rx.IdentityID != ry.IdentityID {
			return rx.IdentityID < ry.IdentityID
		}
		if rx.Dataset != ry.Dataset {
			return rx.Dataset < ry.Dataset
		}
		return rx.Key < ry.Key
	})
	if len(want) < 20 {
		failf(t, "fixture has only %d records", len(want))
	}
	pos := func(r *store.Record) store.RecordPos {
		return store.RecordPos{IdentityID: r.IdentityID, Dataset: r.Dataset, Key: r.Key}
	}

	view(t, s, func(tx store.Tx) error {
		for _, limit := range []int{1, 2, 5, 7, len(want), 1000} {
			var got []*store.Record
			var after store.RecordPos
			for pages := 0; ; pages++ {
				if pages > len(want)+1 {
					failf(t, "ListPoolRecords(limit %d) does not end", limit)
				}
				rs, err := tx.ListPoolRecords(a.ID, after, limit)
				noErr(t, "ListPoolRecords", err)
				if len(rs) > limit {
					failf(t, "ListPoolRecords(limit %d) returned %d", limit, len(rs))
				}
				got = append(got, rs...)
				if len(rs) < limit {
					break
				}
				after = pos(rs[len(rs)-1])
			}
			same(t, fmt.Sprintf("ListPoolRecords(limit %d) pages", limit), got, want)
		}
		got, err := tx.ListPoolRecords(a.ID, store.RecordPos{}, 0)
		noErr(t, "ListPoolRecords(no limit)", err)
		same(t, "ListPoolRecords(no limit)", got, want)

		// The position is exclusive and need not be a record of the pool.
		k := len(want) / 2
		got, err = tx.ListPoolRecords(a.ID, pos(want[k]), 3)
		noErr(t, "ListPoolRecords(after)", err)
		same(t, "ListPoolRecords(after)", got, want[k+1:k+4])
		mid := pos(want[k])
		mid.Key += "!"
		got, err = tx.ListPoolRecords(a.ID, mid, 3)
		noErr(t, "ListPoolRecords(after a missing key)", err)
		same(t, "ListPoolRecords(after a missing key)", got, want[k+1:k+4])
		// After the last dataset of an identity: the next identity's first.
		for k = 1; want[k].IdentityID == want[0].IdentityID; k++ {
		}
		got, err = tx.ListPoolRecords(a.ID, store.RecordPos{IdentityID: want[0].IdentityID, Dataset: "zzz"}, 2)
		noErr(t, "ListPoolRecords(after an identity)", err)
		same(t, "ListPoolRecords(after an identity)", got, want[k:k+2])
		// After an identity of the other pool.
		other := identityID(4)
		for k = 0; want[k].IdentityID < other; k++ {
		}
		got, err = tx.ListPoolRecords(a.ID, store.RecordPos{IdentityID: other}, 2)
		noErr(t, "ListPoolRecords(after other pool's identity)", err)
		same(t, "ListPoolRecords(after other pool's identity)", got, want[k:k+2])
		got, err = tx.ListPoolRecords(a.ID, pos(want[len(want)-1]), 10)
		noErr(t, "ListPoolRecords(after last)", err)
		same(t, "ListPoolRecords(after last)", got, []*store.Record(nil))

		got, err = tx.ListPoolRecords(b.ID, store.RecordPos{}, 0)
		noErr(t, "ListPoolRecords(other pool)", err)
		for _, r := range got {
			if r.PoolID != b.ID || r.Value == nil {
				failf(t, "ListPoolRecords(other pool) returned %s", show(r))
			}
		}
		got, err = tx.ListPoolRecords(poolID(region, 9), store.RecordPos{}, 0)
		noErr(t, "ListPoolRecords(missing pool)", err)
		same(t, "ListPoolRecords(missing pool)", got, []*store.Record(nil))
		return nil
	})

	// A record removed later leaves the listing; one brought back returns.
	gone := *want[3]
	gone.Value, gone.SyncCount = nil, 99
	var back store.Record
	for _, r := range all {
		if r.PoolID == a.ID && r.Value == nil {
			back = *r
			break
		}
	}
	if back.IdentityID == "" {
		failf(t, "fixture has no removed record in the pool")
	}
	back.Value, back.SyncCount = str("back"), 99
	putRecords(t, s, &gone, &back)
	var want2 []*store.Record
	for _, r := range want {
		if pos(r) != pos(&gone) {
			want2 = append(want2, r)
		}
	}
	want2 = append(want2, &back)
	sort.SliceStable(want2, func(x, y int) bool {
		px, py := pos(want2[x]), pos(want2[y])
		return px.IdentityID < py.IdentityID || px.IdentityID == py.IdentityID &&
			(px.Dataset < py.Dataset || px.Dataset == py.Dataset && px.Key < py.Key)
	})
	view(t, s, func(tx store.Tx) error {
		got, err := tx.ListPoolRecords(a.ID, store.RecordPos{}, 0)
		noErr(t, "ListPoolRecords after changes", err)
		same(t, "ListPoolRecords after changes", got, want2)
		return nil
	})
}

func testDevices(t *testing.T, s store.Store) {
	p := newPool(account, region, 1)
	mustCreatePool(t, s, p)
	i, other := newIdentity(p.ID, 1), newIdentity(p.ID, 2)
	mustCreateIdentity(t, s, i)
	mustCreateIdentity(t, s, other)
	d := newDevice(i.ID, p.ID, "GCM", "token-1", 1)
	update(t, s, func(tx store.Tx) error {
		_, err := tx.GetDevice(d.ID)
		wantErr(t, "GetDevice(missing)", err, store.ErrNotFound)
		noErr(t, "AddDevice", tx.AddDevice(d))
		// (identity, platform, token) is unique, whatever the ID.
		dup := newDevice(i.ID, p.ID, "GCM", "token-1", 2)
		wantErr(t, "AddDevice(same identity, platform, token)", tx.AddDevice(dup), store.ErrExists)
		// So is the ID.
		wantErr(t, "AddDevice(same ID)", tx.AddDevice(newDevice(i.ID, p.ID, "APNS", "token-9", 1)), store.ErrExists)
		wantErr(t, "AddDevice(missing identity)", tx.AddDevice(newDevice(identityID(9), p.ID, "GCM", "token-1", 9)), store.ErrNotFound)
		// Any one of the three differing makes another device; the Tx is
		// still usable after the failures.
		noErr(t, "AddDevice(other platform)", tx.AddDevice(newDevice(i.ID, p.ID, "APNS", "token-1", 3)))
		noErr(t, "AddDevice(other token)", tx.AddDevice(newDevice(i.ID, p.ID, "GCM", "token-2", 4)))
		noErr(t, "AddDevice(other identity)", tx.AddDevice(newDevice(other.ID, p.ID, "GCM", "token-1", 5)))
		return nil
	})
	view(t, s, func(tx store.Tx) error {
		got, err := tx.GetDevice(d.ID)
		noErr(t, "GetDevice", err)
		same(t, "GetDevice", got, d)
		got, err = tx.FindDevice(i.ID, "GCM", "token-1")
		noErr(t, "FindDevice", err)
		same(t, "FindDevice", got, d)
		for _, c := range []struct {
			identity, platform, token string
			n                         int
		}{{i.ID, "APNS", "token-1", 3}, {i.ID, "GCM", "token-2", 4}, {other.ID, "GCM", "token-1", 5}} {
			got, err := tx.FindDevice(c.identity, c.platform, c.token)
			noErr(t, "FindDevice", err)
			same(t, "FindDevice", got, newDevice(c.identity, p.ID, c.platform, c.token, c.n))
		}
		for _, k := range [][3]string{{i.ID, "GCM", "token-3"}, {i.ID, "ADM", "token-1"}, {identityID(9), "GCM", "token-1"}} {
			_, err := tx.FindDevice(k[0], k[1], k[2])
			wantErr(t, "FindDevice(missing)", err, store.ErrNotFound)
		}
		_, err = tx.GetDevice(newDevice(i.ID, p.ID, "GCM", "token-1", 2).ID)
		wantErr(t, "GetDevice(rejected duplicate)", err, store.ErrNotFound)
		return nil
	})
}

func testSubscriptions(t *testing.T, s store.Store) {
	p := newPool(account, region, 1)
	mustCreatePool(t, s, p)
	i, other := newIdentity(p.ID, 1), newIdentity(p.ID, 2)
	mustCreateIdentity(t, s, i)
	mustCreateIdentity(t, s, other)
	var devs []*store.Device
	update(t, s, func(tx store.Tx) error {
		for n := 0; n < 3; n++ {
			d := newDevice(i.ID, p.ID, "GCM", fmt.Sprint("token-", n), 3-n) // IDs sort in reverse
			devs = append(devs, d)
			noErr(t, "AddDevice", tx.AddDevice(d))
		}
		return nil
	})
	sub := func(dataset string, d *store.Device, n int) *store.Subscription {
		return &store.Subscription{IdentityID: i.ID, Dataset: dataset, DeviceID: d.ID, CreatedAt: at(n)}
	}
	update(t, s, func(tx store.Tx) error {
		noErr(t, "Subscribe", tx.Subscribe(sub("game", devs[0], 1)))
		// Again: no error, and the first subscription stays as it was.
		noErr(t, "Subscribe(again)", tx.Subscribe(sub("game", devs[0], 2)))
		noErr(t, "Subscribe(second device)", tx.Subscribe(sub("game", devs[1], 3)))
		noErr(t, "Subscribe(other dataset)", tx.Subscribe(sub("settings", devs[2], 4)))
		noErr(t, "Subscribe(other identity)", tx.Subscribe(&store.Subscription{IdentityID: other.ID, Dataset: "game", DeviceID: devs[2].ID, CreatedAt: at(5)}))
		wantErr(t, "Subscribe(missing identity)", tx.Subscribe(&store.Subscription{IdentityID: identityID(9), Dataset: "game", DeviceID: devs[0].ID}), store.ErrNotFound)
		return nil
	})
	view(t, s, func(tx store.Tx) error {
		got, err := tx.ListSubscriptions(i.ID, "game")
		noErr(t, "ListSubscriptions", err)
		same(t, "ListSubscriptions", got, []*store.Subscription{sub("game", devs[1], 3), sub("game", devs[0], 1)})
		got, err = tx.ListSubscriptions(i.ID, "settings")
		noErr(t, "ListSubscriptions(other dataset)", err)
		same(t, "ListSubscriptions(other dataset)", got, []*store.Subscription{sub("settings", devs[2], 4)})
		got, err = tx.ListSubscriptions(i.ID, "gam")
		noErr(t, "ListSubscriptions(none)", err)
		same(t, "ListSubscriptions(none)", got, []*store.Subscription(nil))
		return nil
	})
	update(t, s, func(tx store.Tx) error {
		noErr(t, "Unsubscribe", tx.Unsubscribe(i.ID, "game", devs[0].ID))
		wantErr(t, "Unsubscribe(again)", tx.Unsubscribe(i.ID, "game", devs[0].ID), store.ErrNotFound)
		wantErr(t, "Unsubscribe(never subscribed)", tx.Unsubscribe(i.ID, "settings", devs[0].ID), store.ErrNotFound)
		wantErr(t, "Unsubscribe(other identity's)", tx.Unsubscribe(i.ID, "game", devs[2].ID), store.ErrNotFound)
		return nil
	})
	view(t, s, func(tx store.Tx) error {
		got, err := tx.ListSubscriptions(i.ID, "game")
		noErr(t, "ListSubscriptions after Unsubscribe", err)
		same(t, "ListSubscriptions after Unsubscribe", got, []*store.Subscription{sub("game", devs[1], 3)})
		got, err = tx.ListSubscriptions(other.ID, "game")
		noErr(t, "ListSubscriptions(other identity)", err)
		same(t, "ListSubscriptions(other identity)", got,
			[]*store.Subscription{{IdentityID: other.ID, Dataset: "game", DeviceID: devs[2].ID, CreatedAt: at(5)}})
		return nil
	})
	// Subscribing again after Unsubscribe makes a new subscription.
	update(t, s, func(tx store.Tx) error { return tx.Subscribe(sub("game", devs[0], 6)) })
	view(t, s, func(tx store.Tx) error {
		got, err := tx.ListSubscriptions(i.ID, "game")
		noErr(t, "ListSubscriptions after resubscribing", err)
		same(t, "ListSubscriptions after resubscribing", got, []*store.Subscription{sub("game", devs[1], 3), sub("game", devs[0], 6)})
		return nil
	})
}

func testBulkPublish(t *testing.T, s store.Store) {
	p, other := newPool(account, region, 1), newPool(account, region, 2)
	mustCreatePool(t, s, p, other)
	running := &store.BulkPublish{PoolID: p.ID, Status: "IN_PROGRESS", StartedAt: at(1), Owner: "node-a", HeartbeatAt: at(2)}
	update(t, s, func(tx store.Tx) error {
		_, err := tx.GetBulkPublish(p.ID)
		wantErr(t, "GetBulkPublish(never started)", err, store.ErrNotFound)
		noErr(t, "PutBulkPublish", tx.PutBulkPublish(running))
		wantErr(t, "PutBulkPublish(missing pool)", tx.PutBulkPublish(&store.BulkPublish{PoolID: poolID(region, 9), Status: "IN_PROGRESS"}), store.ErrNotFound)
		return nil
	})
	view(t, s, func(tx store.Tx) error {
		got, err := tx.GetBulkPublish(p.ID)
		noErr(t, "GetBulkPublish", err)
		same(t, "GetBulkPublish", got, running)
		_, err = tx.GetBulkPublish(other.ID)
		wantErr(t, "GetBulkPublish(other pool)", err, store.ErrNotFound)
		return nil
	})
	failed := &store.BulkPublish{PoolID: p.ID, Status: "FAILED", StartedAt: at(1), CompletedAt: at(9),
		FailureMessage: "publishing to stream: connection refused", Owner: "node-b", HeartbeatAt: at(9)}
	update(t, s, func(tx store.Tx) error { return tx.PutBulkPublish(failed) })
	view(t, s, func(tx store.Tx) error {
		got, err := tx.GetBulkPublish(p.ID)
		noErr(t, "GetBulkPublish after replace", err)
		same(t, "GetBulkPublish after replace", got, failed)
		return nil
	})
	// Every field is replaced, back to zero ones too.
	restarted := &store.BulkPublish{PoolID: p.ID, Status: "IN_PROGRESS", StartedAt: at(20)}
	update(t, s, func(tx store.Tx) error { return tx.PutBulkPublish(restarted) })
	view(t, s, func(tx store.Tx) error {
		got, err := tx.GetBulkPublish(p.ID)
		noErr(t, "GetBulkPublish after restart", err)
		same(t, "GetBulkPublish after restart", got, restarted)
		return nil
	})
}

// testSyncDeleteIdentity checks that DeleteIdentity takes the identity's
// Sync data with it and takes its stored bytes off its pool's usage.
func testSyncDeleteIdentity(t *testing.T, s store.Store) {
	p, q := newPool(account, region, 1), newPool(account, region, 2)
	mustCreatePool(t, s, p, q)
	var data []*syncData
	for n := 0; n < 4; n++ {
		pool := p
		if n == 3 {
			pool = q
		}
		i := newIdentity(pool.ID, n)
		mustCreateIdentity(t, s, i)
		data = append(data, newSyncData(i.ID, pool.ID, n))
	}
	gone, kept, idle, otherPool := data[0], data[1], data[2], data[3]
	idle.usage = nil // never wrote: no usage row
	// The pool's usage is the sum of its identities'.
	sp := &store.SyncPool{PoolID: p.ID, Config: []byte(`{"x":1}`), SyncSessions: 17,
		DataStorage: gone.usage.DataStorage + kept.usage.DataStorage, LastModified: at(30)}
	spq := &store.SyncPool{PoolID: q.ID, SyncSessions: 2, DataStorage: otherPool.usage.DataStorage, LastModified: at(31)}
	update(t, s, func(tx store.Tx) error {
		for _, d := range []*syncData{gone, kept, otherPool} {
			writeSyncData(t, tx, d)
		}
		noErr(t, "PutSyncPool", tx.PutSyncPool(sp))
		return tx.PutSyncPool(spq)
	})
	poolUsage := func(tx store.Tx, id string) *store.SyncPool {
		got, err := tx.GetSyncPool(id)
		noErr(t, "GetSyncPool", err)
		return got
	}

	// A failed or rolled-back DeleteIdentity changes nothing.
	sentinel := errors.New("rolled back")
	err := s.Update(context.Background(), func(tx store.Tx) error {
		wantErr(t, "DeleteIdentity(missing)", tx.DeleteIdentity(identityID(9)), store.ErrNotFound)
		same(t, "pool usage after a failed DeleteIdentity", poolUsage(tx, p.ID), sp)
		noErr(t, "DeleteIdentity", tx.DeleteIdentity(gone.identity))
		return sentinel
	})
	if err != sentinel {
		failf(t, "Update returned %v, want %v", err, sentinel)
	}
	view(t, s, func(tx store.Tx) error {
		same(t, "pool usage after a rolled-back DeleteIdentity", poolUsage(tx, p.ID), sp)
		checkSyncData(t, tx, gone, true)
		return nil
	})

	update(t, s, func(tx store.Tx) error {
		noErr(t, "DeleteIdentity", tx.DeleteIdentity(gone.identity))
		// Within the transaction already.
		if got := poolUsage(tx, p.ID).DataStorage; got != kept.usage.DataStorage {
			failf(t, "pool DataStorage in the deleting transaction = %d, want %d", got, kept.usage.DataStorage)
		}
		noErr(t, "DeleteIdentity(no usage)", tx.DeleteIdentity(idle.identity))
		return nil
	})
	view(t, s, func(tx store.Tx) error {
		checkSyncData(t, tx, gone, false)
		checkSyncData(t, tx, kept, true)
		checkSyncData(t, tx, otherPool, true)
		// Only DataStorage changed: by the deleted identity's.
		want := *sp
		want.DataStorage = kept.usage.DataStorage
		same(t, "pool usage after DeleteIdentity", poolUsage(tx, p.ID), &want)
		same(t, "other pool's usage", poolUsage(tx, q.ID), spq)
		rs, err := tx.ListPoolRecords(p.ID, store.RecordPos{}, 0)
		noErr(t, "ListPoolRecords", err)
		same(t, "ListPoolRecords after DeleteIdentity", rs, kept.records)
		return nil
	})

	// An identity of a pool without a SyncPool row: nothing to adjust, and
	// no row appears.
	r := newPool(account, region, 3)
	mustCreatePool(t, s, r)
	lone := newIdentity(r.ID, 10)
	mustCreateIdentity(t, s, lone)
	ld := newSyncData(lone.ID, r.ID, 10)
	update(t, s, func(tx store.Tx) error { writeSyncData(t, tx, ld); return nil })
	update(t, s, func(tx store.Tx) error { return tx.DeleteIdentity(lone.ID) })
	view(t, s, func(tx store.Tx) error {
		checkSyncData(t, tx, ld, false)
		_, err := tx.GetSyncPool(r.ID)
		wantErr(t, "GetSyncPool of a pool without one", err, store.ErrNotFound)
		return nil
	})

	// The deleted identity's device and subscription keys are free again.
	update(t, s, func(tx store.Tx) error {
		i := newIdentity(p.ID, 0)
		noErr(t, "CreateIdentity(same ID)", tx.CreateIdentity(i))
		writeSyncData(t, tx, gone)
		return nil
	})
}

// testSyncDeletePool checks that DeletePool takes every piece of Sync data
// of the pool with it, and nothing of another pool's.
func testSyncDeletePool(t *testing.T, s store.Store) {
	a, b := newPool(account, region, 1), newPool(account, region, 2)
	mustCreatePool(t, s, a, b)
	var of = map[string][]*syncData{}
	for n := 0; n < 6; n++ {
		p := a
		if n%2 == 1 {
			p = b
		}
		i := newIdentity(p.ID, n)
		mustCreateIdentity(t, s, i)
		d := newSyncData(i.ID, p.ID, n)
		update(t, s, func(tx store.Tx) error { writeSyncData(t, tx, d); return nil })
		of[p.ID] = append(of[p.ID], d)
	}
	spb := &store.SyncPool{PoolID: b.ID, SyncSessions: 9, DataStorage: 900, LastModified: at(9)}
	bpb := &store.BulkPublish{PoolID: b.ID, Status: "SUCCEEDED", StartedAt: at(1), CompletedAt: at(2)}
	update(t, s, func(tx store.Tx) error {
		noErr(t, "PutSyncPool", tx.PutSyncPool(&store.SyncPool{PoolID: a.ID, SyncSessions: 1, DataStorage: 600, LastModified: at(8)}))
		noErr(t, "PutSyncPool", tx.PutSyncPool(spb))
		noErr(t, "PutBulkPublish", tx.PutBulkPublish(&store.BulkPublish{PoolID: a.ID, Status: "IN_PROGRESS", StartedAt: at(1)}))
		noErr(t, "PutBulkPublish", tx.PutBulkPublish(bpb))
		return tx.DeletePool(a.ID)
	})
	view(t, s, func(tx store.Tx) error {
		_, err := tx.GetSyncPool(a.ID)
		wantErr(t, "GetSyncPool of deleted pool", err, store.ErrNotFound)
		_, err = tx.GetBulkPublish(a.ID)
		wantErr(t, "GetBulkPublish of deleted pool", err, store.ErrNotFound)
		for _, d := range of[a.ID] {
			checkSyncData(t, tx, d, false)
		}
		rs, err := tx.ListPoolRecords(a.ID, store.RecordPos{}, 0)
		noErr(t, "ListPoolRecords of deleted pool", err)
		same(t, "ListPoolRecords of deleted pool", rs, []*store.Record(nil))

		got, err := tx.GetSyncPool(b.ID)
		noErr(t, "GetSyncPool(other pool)", err)
		same(t, "GetSyncPool(other pool)", got, spb)
		bp, err := tx.GetBulkPublish(b.ID)
		noErr(t, "GetBulkPublish(other pool)", err)
		same(t, "GetBulkPublish(other pool)", bp, bpb)
		for _, d := range of[b.ID] {
			checkSyncData(t, tx, d, true)
		}
		return nil
	})
	// A pool recreated with the same ID starts with no Sync data, and its
	// identities can write the same keys again.
	mustCreatePool(t, s, a)
	view(t, s, func(tx store.Tx) error {
		_, err := tx.GetSyncPool(a.ID)
		wantErr(t, "GetSyncPool of recreated pool", err, store.ErrNotFound)
		_, err = tx.GetBulkPublish(a.ID)
		wantErr(t, "GetBulkPublish of recreated pool", err, store.ErrNotFound)
		return nil
	})
	d := of[a.ID][0]
	mustCreateIdentity(t, s, newIdentity(a.ID, 0))
	update(t, s, func(tx store.Tx) error { writeSyncData(t, tx, d); return nil })
	view(t, s, func(tx store.Tx) error { checkSyncData(t, tx, d, true); return nil })
}

func testListPoolUsage(t *testing.T, s store.Store) {
	var want []*store.PoolUsage
	var pools []*store.Pool
	var syncs []*store.SyncPool
	// Pools of the account in the region, two of three with a SyncPool,
	// and decoys (with SyncPools) in another account and another region,
	// created out of ID order.
	for _, n := range []int{17, 3, 11, 0, 25, 8, 14, 1, 22, 6, 19, 9, 4, 12, 24, 2, 15, 7, 20, 10, 5, 13, 23, 16, 18, 21} {
		var decoy *store.Pool
		switch n % 3 {
		case 0:
			decoy = newPool("210987654321", region, n)
		case 1:
			decoy = newPool(account, "eu-west-1", n)
		}
		if decoy != nil {
			pools = append(pools, decoy)
			syncs = append(syncs, &store.SyncPool{PoolID: decoy.ID, DataStorage: 1, LastModified: at(n)})
		}
		p := newPool(account, region, 100+n)
		pools = append(pools, p)
		u := &store.PoolUsage{Pool: p}
		if n%3 != 2 {
			u.Sync = &store.SyncPool{PoolID: p.ID, Config: []byte(fmt.Sprintf(`{"n":%d}`, n)), SyncSessions: int64(n),
				DataStorage: int64(1000 * n), LastModified: at(n)}
			syncs = append(syncs, u.Sync)
		}
		want = append(want, u)
	}
	mustCreatePool(t, s, pools...)
	update(t, s, func(tx store.Tx) error {
		for _, sp := range syncs {
			noErr(t, "PutSyncPool", tx.PutSyncPool(sp))
		}
		return nil
	})
	sort.Slice(want, func(a, b int) bool { return want[a].Pool.ID < want[b].Pool.ID })

	view(t, s, func(tx store.Tx) error {
		for _, limit := range []int{1, 7, 26, 100} {
			var got []*store.PoolUsage
			after := ""
			for pages := 0; ; pages++ {
				if pages > len(want)+1 {
					failf(t, "ListPoolUsage(limit %d) does not end", limit)
				}
				us, err := tx.ListPoolUsage(account, region, after, limit)
				noErr(t, "ListPoolUsage", err)
				if len(us) > limit {
					failf(t, "ListPoolUsage(limit %d) returned %d", limit, len(us))
				}
				got = append(got, us...)
				if len(us) < limit {
					break
				}
				after = us[len(us)-1].Pool.ID
			}
			if len(got) != len(want) {
				failf(t, "ListPoolUsage(limit %d) pages: %d pools, want %d", limit, len(got), len(want))
			}
			for k := range want {
				samePool(t, got[k].Pool, want[k].Pool)
				same(t, fmt.Sprintf("ListPoolUsage(limit %d)[%d].Sync", limit, k), got[k].Sync, want[k].Sync)
			}
		}
		nils := 0
		for _, u := range want {
			if u.Sync == nil {
				nils++
			}
		}
		if nils == 0 || nils == len(want) {
			failf(t, "fixture: %d of %d pools without a SyncPool", nils, len(want))
		}

		poolIDs := func(us []*store.PoolUsage) []string {
			var out []string
			for _, u := range us {
				out = append(out, u.Pool.ID)
			}
			return out
		}
		for _, c := range []struct {
			after string
			limit int
			want  []*store.PoolUsage
		}{
			{"", 0, want},
			{"", -1, want},
			{want[4].Pool.ID, 3, want[5:8]},
			{want[4].Pool.ID + "0", 3, want[5:8]}, // after need not exist
			{want[len(want)-1].Pool.ID, 3, nil},
		} {
			us, err := tx.ListPoolUsage(account, region, c.after, c.limit)
			noErr(t, "ListPoolUsage", err)
			sameStrings(t, fmt.Sprintf("ListPoolUsage(after %q, limit %d)", c.after, c.limit), poolIDs(us), poolIDs(c.want))
		}
		for _, c := range []struct {
			account, region string
			want            int
		}{{"210987654321", region, 9}, {account, "eu-west-1", 9}, {account, "ap-south-1", 0}, {"999999999999", region, 0}} {
			us, err := tx.ListPoolUsage(c.account, c.region, "", 0)
			noErr(t, "ListPoolUsage", err)
			if len(us) != c.want {
				failf(t, "ListPoolUsage(%s, %s) returned %d pools, want %d", c.account, c.region, len(us), c.want)
			}
			for _, u := range us {
				if u.Pool.Account != c.account || u.Pool.Region != c.region || u.Sync == nil || u.Sync.PoolID != u.Pool.ID || u.Sync.DataStorage != 1 {
					failf(t, "ListPoolUsage(%s, %s) returned %s / %s", c.account, c.region, showPool(u.Pool), show(u.Sync))
				}
			}
		}
		return nil
	})
}

// errConflict is a compare-and-set's loss: the record changed since read.
var errConflict = errors.New("sync count changed")

// testRecordCompareAndSet is UpdateRecords' race: every round, 16
// goroutines that all read the same SyncCount each try, in an Update, to
// write the record back with SyncCount + 1 only if it is still the count
// they read. Exactly one per round may win; the dataset's count, written
// in the same Update, moves with it.
func testRecordCompareAndSet(t *testing.T, s store.Store) {
	p := newPool(account, region, 1)
	mustCreatePool(t, s, p)
	i := newIdentity(p.ID, 1)
	mustCreateIdentity(t, s, i)
	update(t, s, func(tx store.Tx) error {
		noErr(t, "PutDataset", tx.PutDataset(&store.Dataset{IdentityID: i.ID, Name: "game", PoolID: p.ID, SyncCount: 1}))
		return tx.PutRecord(newRecord(i.ID, p.ID, "game", "score", str("start"), 1))
	})
	const workers, rounds = 16, 20
	ctx := context.Background()
	for round := 0; round < rounds; round++ {
		var seen int64
		view(t, s, func(tx store.Tx) error {
			r, err := tx.GetRecord(i.ID, "game", "score")
			noErr(t, "GetRecord", err)
			seen = r.SyncCount
			return nil
		})
		errs := parallel(workers, func(w int) error {
			return s.Update(ctx, func(tx store.Tx) error {
				r, err := tx.GetRecord(i.ID, "game", "score")
				if err != nil {
					return err
				}
				if r.SyncCount != seen {
					return errConflict
				}
				d, err := tx.GetDataset(i.ID, "game")
				if err != nil {
					return err
				}
				r.SyncCount++
				r.Value = str(fmt.Sprint("worker-", w))
				d.SyncCount = r.SyncCount
				if err := tx.PutRecord(r); err != nil {
					return err
				}
				return tx.PutDataset(d)
			})
		})
		winner := -1
		for w, err := range errs {
			switch {
			case err == nil && winner >= 0:
				failf(t, "round %d: workers %d and %d both won", round, winner, w)
			case err == nil:
				winner = w
			case !errors.Is(err, errConflict):
				failf(t, "round %d: worker %d: %v", round, w, err)
			}
		}
		if winner < 0 {
			failf(t, "round %d: no worker won", round)
		}
		view(t, s, func(tx store.Tx) error {
			r, err := tx.GetRecord(i.ID, "game", "score")
			noErr(t, "GetRecord", err)
			d, err := tx.GetDataset(i.ID, "game")
			noErr(t, "GetDataset", err)
			if r.SyncCount != seen+1 || r.Value == nil || *r.Value != fmt.Sprint("worker-", winner) || d.SyncCount != r.SyncCount {
				failf(t, "round %d: record %s, dataset SyncCount %d; want SyncCount %d written by worker %d",
					round, show(r), d.SyncCount, seen+1, winner)
			}
			return nil
		})
	}
	view(t, s, func(tx store.Tx) error {
		r, err := tx.GetRecord(i.ID, "game", "score")
		noErr(t, "GetRecord", err)
		if r.SyncCount != 1+rounds {
			failf(t, "after %d rounds SyncCount is %d, want %d", rounds, r.SyncCount, 1+rounds)
		}
		return nil
	})
}
