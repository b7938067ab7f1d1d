package conformance

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cognitod/cognitod/internal/store"
)

// show prints a Sync record (or a slice of them) field by field, with times
// in UTC (the zero time as "zero", so that a backend returning 1970 for it
// fails), []byte as text (nil and empty alike) and *string as nil or its
// quoted value. Two records are the same when they show the same.
func show(v any) string {
	var b strings.Builder
	showValue(&b, reflect.ValueOf(v))
	return b.String()
}

var timeType = reflect.TypeOf(time.Time{})

func showValue(b *strings.Builder, v reflect.Value) {
	switch {
	case !v.IsValid():
		b.WriteString("<invalid>")
	case v.Type() == timeType:
		t := v.Interface().(time.Time)
		if t.IsZero() {
			b.WriteString("zero")
		} else {
			b.WriteString(t.UTC().Format(time.RFC3339Nano))
		}
	case v.Kind() == reflect.Pointer:
		if v.IsNil() {
			b.WriteString("nil")
			return
		}
		if v.Elem().Kind() == reflect.String {
			fmt.Fprintf(b, "&%q", v.Elem().String())
			return
		}
		showValue(b, v.Elem())
	case v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8:
		fmt.Fprintf(b, "%q", v.Bytes())
	case v.Kind() == reflect.Slice:
		b.WriteString("[")
		for k := 0; k < v.Len(); k++ {
			if k > 0 {
				b.WriteString("\n ")
			}
			showValue(b, v.Index(k))
		}
		b.WriteString("]")
	case v.Kind() == reflect.Struct:
		b.WriteString("{")
		for k := 0; k < v.NumField(); k++ {
			if k > 0 {
				b.WriteString(" ")
			}
			b.WriteString(v.Type().Field(k).Name + ":")
			showValue(b, v.Field(k))
		}
		b.WriteString("}")
	default:
		fmt.Fprintf(b, "%v", v.Interface())
	}
}

// same fails the test unless got and want show the same.
func same(t testing.TB, what string, got, want any) {
	t.Helper()
	if g, w := show(got), show(want); g != w {
		failf(t, "%s:\n got %s\nwant %s", what, g, w)
	}
}

// zeroTime is the zero time.Time, which must round-trip as zero.
var zeroTime time.Time

// str returns a pointer to a copy of s: a record's Value.
func str(s string) *string { return &s }

func newDataset(identity, pool, name string, n int) *store.Dataset {
	return &store.Dataset{
		IdentityID: identity, Name: name, PoolID: pool,
		CreatedAt: at(n), ModifiedAt: at(n + 1), LastModifiedBy: "123456789012",
		SyncCount: int64(n + 2), DataStorage: int64(10 * n), NumRecords: int64(n),
	}
}

func newRecord(identity, pool, dataset, key string, value *string, syncCount int64) *store.Record {
	return &store.Record{
		IdentityID: identity, Dataset: dataset, PoolID: pool, Key: key, Value: value, SyncCount: syncCount,
		ModifiedAt: at(int(syncCount)), LastModifiedBy: "123456789012", DeviceModifiedAt: at(int(syncCount) + 1),
	}
}

func newDevice(identity, pool, platform, token string, n int) *store.Device {
	return &store.Device{
		ID:         fmt.Sprintf("%08x-2222-4000-8000-%012x", n, n),
		IdentityID: identity, PoolID: pool, Platform: platform, Token: token, CreatedAt: at(n),
	}
}

// putRecords writes records in one Update.
func putRecords(t testing.TB, s store.Store, rs ...*store.Record) {
	t.Helper()
	update(t, s, func(tx store.Tx) error {
		for _, r := range rs {
			noErr(t, "PutRecord", tx.PutRecord(r))
		}
		return nil
	})
}

// syncData is one identity's Sync data of every kind, written by
// writeSyncData and checked by syncDataPresent.
type syncData struct {
	identity, pool string
	usage          *store.IdentityUsage
	datasets       []*store.Dataset
	records        []*store.Record
	devices        []*store.Device
	subs           []*store.Subscription
}

func newSyncData(identity, pool string, n int) *syncData {
	d := &syncData{identity: identity, pool: pool}
	d.usage = &store.IdentityUsage{IdentityID: identity, PoolID: pool, DatasetCount: 2, DataStorage: int64(100 * (n + 1)), LastModified: at(n)}
	for k, name := range []string{"game", "settings"} {
		ds := newDataset(identity, pool, name, n+k)
		d.datasets = append(d.datasets, ds)
		for r := 0; r < 3; r++ {
			d.records = append(d.records, newRecord(identity, pool, name, fmt.Sprint("key-", r), str(fmt.Sprint("value-", n, "-", r)), int64(r+1)))
		}
	}
	dev := newDevice(identity, pool, "GCM", fmt.Sprint("token-", n), n)
	d.devices = append(d.devices, dev)
	d.subs = append(d.subs, &store.Subscription{IdentityID: identity, Dataset: "game", DeviceID: dev.ID, CreatedAt: at(n)})
	return d
}

func writeSyncData(t testing.TB, tx store.Tx, d *syncData) {
	t.Helper()
	noErr(t, "PutIdentityUsage", tx.PutIdentityUsage(d.usage))
	for _, ds := range d.datasets {
		noErr(t, "PutDataset", tx.PutDataset(ds))
	}
	for _, r := range d.records {
		noErr(t, "PutRecord", tx.PutRecord(r))
	}
	for _, dev := range d.devices {
		noErr(t, "AddDevice", tx.AddDevice(dev))
	}
	for _, sub := range d.subs {
		noErr(t, "Subscribe", tx.Subscribe(sub))
	}
}

// checkSyncData checks that all of d is in the store (present) or none of
// it is.
func checkSyncData(t testing.TB, tx store.Tx, d *syncData, present bool) {
	t.Helper()
	what := func(m string) string { return fmt.Sprintf("%s of %s (present %v)", m, d.identity, present) }
	check := func(m string, err error) {
		t.Helper()
		if present {
			noErr(t, what(m), err)
		} else {
			wantErr(t, what(m), err, store.ErrNotFound)
		}
	}
	u, err := tx.GetIdentityUsage(d.identity)
	check("GetIdentityUsage", err)
	if present {
		same(t, what("GetIdentityUsage"), u, d.usage)
	}
	for _, ds := range d.datasets {
		got, err := tx.GetDataset(d.identity, ds.Name)
		check("GetDataset", err)
		if present {
			same(t, what("GetDataset"), got, ds)
		}
		recs, err := tx.ListRecords(d.identity, ds.Name, 0, "", 0)
		noErr(t, what("ListRecords"), err)
		var want []*store.Record
		if present {
			for _, r := range d.records {
				if r.Dataset == ds.Name {
					want = append(want, r)
				}
			}
		}
		same(t, what("ListRecords"), recs, want)
	}
	sets, err := tx.ListDatasets(d.identity, "", 0)
	noErr(t, what("ListDatasets"), err)
	if present {
		same(t, what("ListDatasets"), sets, d.datasets)
	} else {
		same(t, what("ListDatasets"), sets, []*store.Dataset(nil))
	}
	for _, r := range d.records {
		got, err := tx.GetRecord(d.identity, r.Dataset, r.Key)
		check("GetRecord", err)
		if present {
			same(t, what("GetRecord"), got, r)
		}
	}
	for _, dev := range d.devices {
		got, err := tx.GetDevice(dev.ID)
		check("GetDevice", err)
		if present {
			same(t, what("GetDevice"), got, dev)
		}
		got, err = tx.FindDevice(d.identity, dev.Platform, dev.Token)
		check("FindDevice", err)
		if present {
			same(t, what("FindDevice"), got, dev)
		}
	}
	for _, sub := range d.subs {
		got, err := tx.ListSubscriptions(d.identity, sub.Dataset)
		noErr(t, what("ListSubscriptions"), err)
		if present {
			same(t, what("ListSubscriptions"), got, []*store.Subscription{sub})
		} else {
			same(t, what("ListSubscriptions"), got, []*store.Subscription(nil))
		}
	}
}
