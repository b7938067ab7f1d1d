// Package dump writes and reads cognitod's whole-state dumps: what
// `cognitod export` writes and `cognitod import` reads, to back a
// deployment up or to move it from one store backend to another.
//
// A dump is JSON lines, streamed both ways so that memory stays flat
// whatever the store's size:
//
//	{"format":"cognitod-dump","version":1,"source":"sqlite","created":"...","tables":[{"name":"pools","rows":2},...]}
//	{"table":"pools","columns":["id","account",...],"rows":2}
//	["us-east-1:...","123456789012",...]
//	...
//	{"end":{"pools":2,...}}
//
// The header names the source and counts the rows of every table (one
// snapshot); each table's rows follow its own line, in primary-key order;
// the trailer repeats the counts, so that a truncated dump is refused
// rather than half-loaded. A value is null, an integer (times are unix
// nanoseconds, flags 0 or 1), a string (text or bytes that are valid
// UTF-8) or {"b64":"..."} for other bytes. The rows of a dump depend only
// on the state, not on the backend: an export of a PostgreSQL store that
// was imported from a SQLite one equals the SQLite one's but for the
// header's source and time.
package dump

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cognitod/cognitod/internal/store"
)

// Format and Version name the format in the header.
const (
	Format  = "cognitod-dump"
	Version = 1
)

// Header is a dump's first line.
type Header struct {
	Format  string       `json:"format"`
	Version int          `json:"version"`
	Source  string       `json:"source"` // the store kind: sqlite, memory, postgres
	Created time.Time    `json:"created"`
	Tables  []TableCount `json:"tables"`
}

// TableCount is a table's name and row count.
type TableCount struct {
	Name string `json:"name"`
	Rows int64  `json:"rows"`
}

// tableLine starts a table's rows.
type tableLine struct {
	Table   string   `json:"table"`
	Columns []string `json:"columns"`
	Rows    int64    `json:"rows"`
}

// trailer is the last line.
type trailer struct {
	End map[string]int64 `json:"end"`
}

// Progress is told how far a dump or load is: done rows of table, out of
// total. It is called at each table's start and end and every few
// thousand rows between.
type Progress func(table string, done, total int64)

const progressEvery = 4096

// Export writes a dump of d's whole state, read in one snapshot, to w.
// source names the store kind for the header.
func Export(ctx context.Context, d store.Dumper, w io.Writer, source string, progress Progress) (*Header, error) {
	if progress == nil {
		progress = func(string, int64, int64) {}
	}
	tables, err := d.Tables(ctx)
	if err != nil {
		return nil, err
	}
	bw := bufio.NewWriterSize(w, 256<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	h := &Header{Format: Format, Version: Version, Source: source, Created: time.Now().UTC()}
	err = d.Snapshot(ctx, func(sn store.Snapshot) error {
		for _, t := range tables {
			n, err := sn.Count(t.Name)
			if err != nil {
				return err
			}
			h.Tables = append(h.Tables, TableCount{t.Name, n})
		}
		if err := enc.Encode(h); err != nil {
			return err
		}
		end := map[string]int64{}
		out := []any{}
		for k, t := range tables {
			total := h.Tables[k].Rows
			if err := enc.Encode(tableLine{t.Name, t.Columns, total}); err != nil {
				return err
			}
			progress(t.Name, 0, total)
			var done int64
			err := sn.Rows(t.Name, func(row []any) error {
				out = out[:0]
				for i, v := range row {
					ev, err := encodeValue(v)
					if err != nil {
						return fmt.Errorf("dump: %s.%s: %w", t.Name, t.Columns[i], err)
					}
					out = append(out, ev)
				}
				if err := enc.Encode(out); err != nil {
					return err
				}
				done++
				if done%progressEvery == 0 {
					if err := ctx.Err(); err != nil {
						return err
					}
					progress(t.Name, done, total)
				}
				return nil
			})
			if err != nil {
				return err
			}
			if done != total {
				return fmt.Errorf("dump: table %s: counted %d rows, read %d in the same snapshot", t.Name, total, done)
			}
			progress(t.Name, done, total)
			end[t.Name] = done
		}
		return enc.Encode(trailer{end})
	})
	if err != nil {
		return nil, err
	}
	return h, bw.Flush()
}

// encodeValue turns a store value into its JSON form.
func encodeValue(v any) (any, error) {
	switch v := v.(type) {
	case nil, int64:
		return v, nil
	case []byte:
		if utf8.Valid(v) {
			return string(v), nil
		}
		return map[string]string{"b64": base64.StdEncoding.EncodeToString(v)}, nil
	}
	return nil, fmt.Errorf("a %T value", v)
}

// decodeValue turns a JSON value (decoded with UseNumber) back into a
// store value.
func decodeValue(v any) (any, error) {
	switch v := v.(type) {
	case nil:
		return nil, nil
	case json.Number:
		n, err := strconv.ParseInt(string(v), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%s is not a 64-bit integer", v)
		}
		return n, nil
	case string:
		return []byte(v), nil
	case map[string]any:
		s, ok := v["b64"].(string)
		if !ok || len(v) != 1 {
			return nil, errors.New(`an object other than {"b64":"..."}`)
		}
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return nil, fmt.Errorf("b64: %w", err)
		}
		return b, nil
	}
	return nil, fmt.Errorf("a JSON %T", v)
}

// ErrNotEmpty is returned by Import for a target store that holds rows.
var ErrNotEmpty = errors.New("the target store is not empty")

// ImportOptions tune Import.
type ImportOptions struct {
	// Force empties a target that is not empty first (every table, keys and
	// secrets included); without it such a target is refused.
	Force bool
	// Batch is how many rows go in one transaction (default 2000).
	Batch    int
	Progress Progress
	// CheckRow, when set, checks a row's values before it is loaded (the
	// services' own encodings: a signing key's PEM, a pool's settings),
	// so that a dump damaged inside a value is refused like one damaged
	// in its structure, instead of loading a store the server cannot use.
	CheckRow func(table string, columns []string, row []any) error
}

// Import loads a dump into d, which must be empty (or Force), a batch of
// rows per transaction, and checks every count against the dump's. If it
// fails after loading has begun, it empties d again, so that the import
// can simply be run again; the error says whether that worked.
func Import(ctx context.Context, d store.Dumper, r io.Reader, opts ImportOptions) (*Header, error) {
	if opts.Batch <= 0 {
		opts.Batch = 2000
	}
	if opts.Progress == nil {
		opts.Progress = func(string, int64, int64) {}
	}
	br := bufio.NewReaderSize(r, 256<<10)
	line, err := readLine(br)
	if err != nil {
		return nil, fmt.Errorf("dump: reading the header: %w", err)
	}
	var h Header
	if err := json.Unmarshal(line, &h); err != nil || h.Format != Format {
		return nil, fmt.Errorf("dump: the first line is not a %s header", Format)
	}
	if h.Version != Version {
		return nil, fmt.Errorf("dump: format version %d; this cognitod reads version %d", h.Version, Version)
	}
	tables, err := d.Tables(ctx)
	if err != nil {
		return nil, err
	}
	if err := sameTables(&h, tables); err != nil {
		return nil, err
	}
	used, err := nonEmpty(ctx, d, tables)
	if err != nil {
		return nil, err
	}
	if len(used) > 0 {
		if !opts.Force {
			return nil, fmt.Errorf("%w (%s): import loads into an empty store only; use a new database or file, or --force to delete everything in it first", ErrNotEmpty, strings.Join(used, ", "))
		}
		// The whole dump is read through once before the target is
		// emptied: a truncated or damaged backup must not cost the
		// store it was meant to replace.
		rs, ok := r.(io.ReadSeeker)
		if !ok {
			return nil, errors.New("dump: --force reads the dump twice (checked whole before the target is emptied): give it as a file")
		}
		if err := load(ctx, discard{}, br, &h, ImportOptions{Batch: opts.Batch, Progress: func(string, int64, int64) {}, CheckRow: opts.CheckRow}); err != nil {
			return nil, fmt.Errorf("%w; the target was left as it was", err)
		}
		if _, err := rs.Seek(0, io.SeekStart); err != nil {
			return nil, fmt.Errorf("dump: reading it again: %w", err)
		}
		br.Reset(rs)
		if _, err := readLine(br); err != nil { // the header, read above
			return nil, fmt.Errorf("dump: reading it again: %w", err)
		}
		if err := d.Wipe(ctx); err != nil {
			return nil, fmt.Errorf("emptying the target (--force): %w", err)
		}
	}
	if err := load(ctx, d, br, &h, opts); err != nil {
		if werr := d.Wipe(context.WithoutCancel(ctx)); werr != nil {
			return nil, fmt.Errorf("%w; emptying the target again failed too (%v): empty it by hand before running the import again", err, werr)
		}
		return nil, fmt.Errorf("%w; the target was emptied again", err)
	}
	return &h, nil
}

// discard is the Dumper a dump is checked against before --force empties
// a target: it takes every row and keeps none.
type discard struct{}

func (discard) Tables(context.Context) ([]store.Table, error)              { return nil, nil }
func (discard) Snapshot(context.Context, func(store.Snapshot) error) error { return nil }
func (discard) LoadRows(context.Context, string, []string, [][]any) error  { return nil }
func (discard) Wipe(context.Context) error                                 { return nil }
func (discard) Reset(context.Context) error                                { return nil }

// sameTables checks that the dump's tables are the target's: a dump of
// another schema version would load partly, or leave derived tables empty.
func sameTables(h *Header, tables []store.Table) error {
	var dump, target []string
	for _, t := range h.Tables {
		dump = append(dump, t.Name)
	}
	for _, t := range tables {
		target = append(target, t.Name)
	}
	slices.Sort(dump)
	slices.Sort(target)
	if !slices.Equal(dump, target) {
		return fmt.Errorf("dump: its tables %v are not the target's %v: export and import with the same cognitod version", dump, target)
	}
	return nil
}

// nonEmpty lists the tables of d that hold rows, with their counts.
func nonEmpty(ctx context.Context, d store.Dumper, tables []store.Table) ([]string, error) {
	var used []string
	err := d.Snapshot(ctx, func(sn store.Snapshot) error {
		for _, t := range tables {
			n, err := sn.Count(t.Name)
			if err != nil {
				return err
			}
			if n > 0 {
				used = append(used, fmt.Sprintf("%s: %d rows", t.Name, n))
			}
		}
		return nil
	})
	return used, err
}

// load reads the tables and the trailer.
func load(ctx context.Context, d store.Dumper, br *bufio.Reader, h *Header, opts ImportOptions) error {
	want := map[string]int64{}
	for _, t := range h.Tables {
		want[t.Name] = t.Rows
	}
	got := map[string]int64{}
	var cur *tableLine
	var batch [][]any
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := d.LoadRows(ctx, cur.Table, cur.Columns, batch); err != nil {
			return err
		}
		got[cur.Table] += int64(len(batch))
		opts.Progress(cur.Table, got[cur.Table], cur.Rows)
		batch = nil
		return nil
	}
	endTable := func() error {
		if cur == nil {
			return nil
		}
		if err := flush(); err != nil {
			return err
		}
		if got[cur.Table] != cur.Rows {
			return fmt.Errorf("dump: table %s: %d rows, its line says %d", cur.Table, got[cur.Table], cur.Rows)
		}
		cur = nil
		return nil
	}
	for n := 2; ; n++ {
		line, err := readLine(br)
		if err == io.EOF {
			return errors.New("dump: no trailer: the dump is truncated")
		}
		if err != nil {
			return fmt.Errorf("dump: line %d: %w", n, err)
		}
		if line[0] == '[' {
			if cur == nil {
				return fmt.Errorf("dump: line %d: a row before any table line", n)
			}
			row, err := decodeRow(line, len(cur.Columns))
			if err == nil && opts.CheckRow != nil {
				err = opts.CheckRow(cur.Table, cur.Columns, row)
			}
			if err != nil {
				return fmt.Errorf("dump: line %d (table %s): %w", n, cur.Table, err)
			}
			batch = append(batch, row)
			if len(batch) >= opts.Batch {
				if err := flush(); err != nil {
					return fmt.Errorf("dump: line %d: %w", n, err)
				}
			}
			continue
		}
		if err := endTable(); err != nil {
			return err
		}
		var probe map[string]json.RawMessage
		if err := json.Unmarshal(line, &probe); err != nil {
			return fmt.Errorf("dump: line %d: %w", n, err)
		}
		if _, ok := probe["end"]; ok {
			var tr trailer
			if err := json.Unmarshal(line, &tr); err != nil {
				return fmt.Errorf("dump: line %d: the trailer: %w", n, err)
			}
			for _, name := range slices.Sorted(maps.Keys(want)) {
				if _, seen := got[name]; !seen {
					return fmt.Errorf("dump: table %s is missing", name)
				}
				if tr.End[name] != want[name] || got[name] != want[name] {
					return fmt.Errorf("dump: table %s: the header counts %d rows, the trailer %d, the dump holds %d", name, want[name], tr.End[name], got[name])
				}
			}
			if len(tr.End) != len(want) {
				return fmt.Errorf("dump: the trailer counts %d tables, the header %d", len(tr.End), len(want))
			}
			if _, err := readLine(br); err != io.EOF {
				return fmt.Errorf("dump: line %d: more after the trailer", n+1)
			}
			return nil
		}
		var tl tableLine
		if err := json.Unmarshal(line, &tl); err != nil || tl.Table == "" {
			return fmt.Errorf("dump: line %d: neither a row, a table line nor the trailer", n)
		}
		if _, ok := want[tl.Table]; !ok {
			return fmt.Errorf("dump: line %d: table %s is not in the header", n, tl.Table)
		}
		if _, seen := got[tl.Table]; seen {
			return fmt.Errorf("dump: line %d: table %s a second time", n, tl.Table)
		}
		if tl.Rows != want[tl.Table] {
			return fmt.Errorf("dump: line %d: table %s has %d rows, the header says %d", n, tl.Table, tl.Rows, want[tl.Table])
		}
		got[tl.Table] = 0
		cur = &tl
		opts.Progress(cur.Table, 0, cur.Rows)
	}
}

// decodeRow decodes one row line.
func decodeRow(line []byte, columns int) ([]any, error) {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	var vals []any
	if err := dec.Decode(&vals); err != nil {
		return nil, err
	}
	if len(vals) != columns {
		return nil, fmt.Errorf("%d values for %d columns", len(vals), columns)
	}
	for i, v := range vals {
		dv, err := decodeValue(v)
		if err != nil {
			return nil, fmt.Errorf("value %d: %w", i+1, err)
		}
		vals[i] = dv
	}
	return vals, nil
}

// readLine returns the next non-empty line without its newline; io.EOF
// when there is none.
func readLine(br *bufio.Reader) ([]byte, error) {
	for {
		line, err := br.ReadBytes('\n')
		line = bytes.TrimRight(line, "\r\n")
		if len(line) > 0 {
			if err != nil && err != io.EOF {
				return nil, err
			}
			return line, nil
		}
		if err != nil {
			return nil, err
		}
	}
}
