package dump

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cognitod/cognitod/internal/store"
	"github.com/cognitod/cognitod/internal/store/sqlite"
)

func memStore(t *testing.T) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), sqlite.Memory, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// fill writes a pool, an identity with a login, a secret of bytes that are
// not UTF-8 and a record whose value is.
func fill(t *testing.T, s store.Store) {
	t.Helper()
	now := time.Unix(1700000000, 123000).UTC()
	err := s.Update(context.Background(), func(tx store.Tx) error {
		p := &store.Pool{ID: "us-east-1:p1", Account: "123456789012", Region: "us-east-1", Name: "pöol", CreatedAt: now, UpdatedAt: now, Config: []byte(`{"a":"<&>"}`)}
		if err := tx.CreatePool(p); err != nil {
			return err
		}
		if err := tx.CreateIdentity(&store.Identity{ID: "us-east-1:i1", PoolID: p.ID, CreatedAt: now, ModifiedAt: now, Disabled: true}); err != nil {
			return err
		}
		if err := tx.AddLogin(&store.Login{PoolID: p.ID, Provider: "graph.facebook.com", Subject: "sübject", IdentityID: "us-east-1:i1", CreatedAt: now}); err != nil {
			return err
		}
		if err := tx.PutSecret("s", []byte{0xff, 0, 0xfe}); err != nil {
			return err
		}
		v := "välue"
		return tx.PutRecord(&store.Record{IdentityID: "us-east-1:i1", Dataset: "d", PoolID: p.ID, Key: "k", Value: &v, SyncCount: 1, ModifiedAt: now})
	})
	if err != nil {
		t.Fatal(err)
	}
}

func export(t *testing.T, s store.Dumper) []byte {
	t.Helper()
	var b bytes.Buffer
	if _, err := Export(context.Background(), s, &b, "memory", nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestRoundTrip(t *testing.T) {
	src := memStore(t)
	fill(t, src)
	one := export(t, src)
	if !bytes.Contains(one, []byte(`{"b64":"/wD+"}`)) || !bytes.Contains(one, []byte(`"välue"`)) || !bytes.Contains(one, []byte(`<&>`)) {
		t.Errorf("values not in their expected form:\n%s", one)
	}
	dst := memStore(t)
	var seen []string
	if _, err := Import(context.Background(), dst, bytes.NewReader(one), ImportOptions{Batch: 1, Progress: func(table string, done, total int64) {
		seen = append(seen, table)
	}}); err != nil {
		t.Fatal(err)
	}
	if len(seen) == 0 {
		t.Error("no progress reported")
	}
	two := export(t, dst)
	if afterHeader(one) != afterHeader(two) {
		t.Errorf("dumps differ:\n%s\n%s", one, two)
	}
	// Not twice: the target is no longer empty.
	_, err := Import(context.Background(), dst, bytes.NewReader(one), ImportOptions{})
	if !errors.Is(err, ErrNotEmpty) {
		t.Fatalf("second import: %v, want ErrNotEmpty", err)
	}
	// With --force it replaces what is there.
	if _, err := Import(context.Background(), dst, bytes.NewReader(one), ImportOptions{Force: true}); err != nil {
		t.Fatalf("import --force: %v", err)
	}
	if afterHeader(export(t, dst)) != afterHeader(one) {
		t.Error("import --force did not give the dump's state")
	}
}

func afterHeader(b []byte) string {
	_, rest, _ := bytes.Cut(b, []byte("\n"))
	return string(rest)
}

// TestRefused: damaged dumps are refused, and the target is left empty.
func TestRefused(t *testing.T) {
	src := memStore(t)
	fill(t, src)
	good := string(export(t, src))
	lines := strings.SplitAfter(good, "\n")
	last := len(lines) - 2 // the trailer ("" follows the final newline)
	var emptyTable string  // the line of a table with no rows
	var firstRow string
	for _, l := range lines {
		if strings.HasPrefix(l, `{"table":"bulk_publish"`) {
			emptyTable = l
		}
		if firstRow == "" && strings.HasPrefix(l, "[") {
			firstRow = l
		}
	}
	for _, tc := range []struct {
		name, dump, want string
	}{
		{"empty", "", "header"},
		{"not a dump", `{"hello":1}` + "\n", "header"},
		{"future version", strings.Replace(good, `"version":1`, `"version":9`, 1), "version 9"},
		{"truncated", strings.Join(lines[:last], ""), "truncated"},
		{"truncated mid-line", good[:len(good)-len(lines[last])-5], ""},
		{"a row lost", strings.Replace(good, firstRow, "", 1), "rows"},
		{"bad value", strings.Replace(good, `"välue"`, `{"x":1}`, 1), "b64"},
		{"bad base64", strings.Replace(good, `/wD+`, `!!`, 1), "b64"},
		{"trailer count", strings.Replace(good, `"pools":1`, `"pools":2`, 1), "pools"},
		{"a table lost", strings.Replace(good, emptyTable, "", 1), "missing"},
		{"after the trailer", good + `["x"]` + "\n", "after the trailer"},
		{"table unknown", strings.Replace(good, `"name":"pools"`, `"name":"poolz"`, 1), "tables"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dst := memStore(t)
			_, err := Import(context.Background(), dst, strings.NewReader(tc.dump), ImportOptions{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Import: %v, want an error with %q", err, tc.want)
			}
			tables, err := dst.Tables(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			used, err := nonEmpty(context.Background(), dst, tables)
			if err != nil || len(used) > 0 {
				t.Errorf("after a refused import the target holds %v (%v)", used, err)
			}
		})
	}
}

// TestForceChecksFirst: import --force reads the whole dump before it
// empties a target: a damaged dump leaves the target as it was.
func TestForceChecksFirst(t *testing.T) {
	src := memStore(t)
	fill(t, src)
	good := string(export(t, src))
	lines := strings.SplitAfter(good, "\n")
	truncated := strings.Join(lines[:len(lines)-2], "")
	for name, dump := range map[string]string{
		"truncated":   truncated,
		"a row lost":  strings.Replace(good, `"välue"`, `{"x":1}`, 1),
		"bad trailer": strings.Replace(good, `"pools":1`, `"pools":2`, 1),
	} {
		t.Run(name, func(t *testing.T) {
			dst := memStore(t)
			fill(t, dst)
			before := afterHeader(export(t, dst))
			_, err := Import(context.Background(), dst, strings.NewReader(dump), ImportOptions{Force: true})
			if err == nil || !strings.Contains(err.Error(), "left as it was") {
				t.Fatalf("Import --force of a damaged dump: %v", err)
			}
			if afterHeader(export(t, dst)) != before {
				t.Error("the target changed")
			}
		})
	}
}
