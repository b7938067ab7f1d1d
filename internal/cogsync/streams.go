package cogsync

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	neturl "net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/cognitod/cognitod/internal/redact"
	"github.com/cognitod/cognitod/internal/store"
)

// Sink receives Cognito Streams records: what AWS would put on the pool's
// Kinesis stream. Each line is one JSON object.
type Sink interface {
	Publish(ctx context.Context, stream string, lines [][]byte) error
	String() string
}

// ParseSink returns the sink a --stream-sink URL names:
//
//	http://... or https://...  POST each batch as JSON lines (Content-Type
//	                           application/x-ndjson, header X-Cognito-Stream-Name)
//	file:PATH                  append JSON lines to a file
//
// "" means no sink: bulk publish then fails with a message saying so.
func ParseSink(url string) (Sink, error) {
	switch {
	case url == "":
		return nil, nil
	case strings.HasPrefix(url, "http://") || strings.HasPrefix(url, "https://"):
		return &httpSink{url: url, shown: redactSink(url), client: &http.Client{Timeout: 30 * time.Second}}, nil
	case strings.HasPrefix(url, "file:"):
		return &fileSink{path: strings.TrimPrefix(url, "file:")}, nil
	}
	return nil, fmt.Errorf("stream sink %q: want http(s)://URL or file:PATH", url)
}

type httpSink struct {
	url    string
	shown  string // url without its secrets, for logs and messages
	client *http.Client
}

func (h *httpSink) String() string { return h.shown }

// redactSink is a sink URL as logs may show it (redact.URL).
func redactSink(raw string) string {
	u, err := neturl.Parse(raw)
	if err != nil {
		return "(an unparsable URL)"
	}
	return redact.URL(u)
}

func (h *httpSink) Publish(ctx context.Context, stream string, lines [][]byte) error {
	var buf bytes.Buffer
	for _, l := range lines {
		buf.Write(l)
		buf.WriteByte('\n')
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.url, &buf)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-ndjson")
	req.Header.Set("X-Cognito-Stream-Name", stream)
	resp, err := h.client.Do(req)
	if err != nil {
		return fmt.Errorf("stream sink %s: %w", h.shown, redact.Err(err))
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("stream sink %s answered %s", h.shown, resp.Status)
	}
	return nil
}

type fileSink struct {
	mu   sync.Mutex
	path string
}

func (f *fileSink) String() string { return "file:" + f.path }

func (f *fileSink) Publish(ctx context.Context, stream string, lines [][]byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	fh, err := os.OpenFile(f.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(fh)
	for _, l := range lines {
		w.Write(l)
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		fh.Close()
		return err
	}
	return fh.Close()
}

// streamRecord is one record in Cognito Streams' format.
type streamRecord struct {
	Key                    string  `json:"key"`
	Value                  *string `json:"value"`
	SyncCount              int64   `json:"syncCount"`
	LastModifiedDate       int64   `json:"lastModifiedDate"`
	DeviceLastModifiedDate int64   `json:"deviceLastModifiedDate,omitempty"`
	Op                     string  `json:"op"`
}

// streamEvent is one message on the stream: one synchronization of one
// dataset, as AWS's developer guide describes them ("Each record sent to
// the stream represents a single synchronization"), with every record it
// changed in kinesisSyncRecords.
//
// The guide's example spells the dataset's field "dataSetName"; AWS's own
// stream connector sample (awslabs amazon-cognito-streams-sample, a
// case-sensitive Jackson bean) reads "datasetName", which is what a
// consumer written against the real stream expects, so that is the name.
type streamEvent struct {
	IdentityPoolID     string         `json:"identityPoolId"`
	IdentityID         string         `json:"identityId"`
	DatasetName        string         `json:"datasetName"`
	Operation          string         `json:"operation"`
	PayloadType        string         `json:"payloadType"`
	SyncCount          int64          `json:"syncCount"`
	LastModifiedDate   int64          `json:"lastModifiedDate"`
	KinesisSyncRecords []streamRecord `json:"kinesisSyncRecords"`
}

// streamLines encodes one synchronization of a dataset (the records one
// UpdateRecords wrote, or one dataset's records in a bulk publish) as
// stream messages: one for the records it replaced and one for those it
// removed, so that each message's operation is true of every record in it;
// a synchronization that only replaced (or only removed) is one message.
// A message's syncCount and lastModifiedDate are its records' latest.
func streamLines(poolID, identityID, dataset string, recs []*store.Record) [][]byte {
	var out [][]byte
	for _, op := range [...]string{"replace", "remove"} {
		ev := streamEvent{IdentityPoolID: poolID, IdentityID: identityID, DatasetName: dataset, Operation: op, PayloadType: "Inline"}
		for _, r := range recs {
			if (r.Value == nil) != (op == "remove") {
				continue
			}
			sr := streamRecord{Key: r.Key, Value: r.Value, SyncCount: r.SyncCount, LastModifiedDate: r.ModifiedAt.UnixMilli(), Op: op}
			if !r.DeviceModifiedAt.IsZero() {
				sr.DeviceLastModifiedDate = r.DeviceModifiedAt.UnixMilli()
			}
			ev.SyncCount = max(ev.SyncCount, sr.SyncCount)
			ev.LastModifiedDate = max(ev.LastModifiedDate, sr.LastModifiedDate)
			ev.KinesisSyncRecords = append(ev.KinesisSyncRecords, sr)
		}
		if len(ev.KinesisSyncRecords) > 0 {
			b, _ := json.Marshal(ev)
			out = append(out, b)
		}
	}
	return out
}

// streamer sends live record changes to the sink in the background, so that
// a slow sink never slows UpdateRecords. Delivery is at most once: changes
// queued when the process dies are lost (bulk publish re-sends everything).
type streamer struct {
	ctx  context.Context // canceled: drop what is queued
	sink Sink
	log  *slog.Logger
	ch   chan streamBatch
	done chan struct{}
	once sync.Once
}

type streamBatch struct {
	stream string
	lines  [][]byte
}

func newStreamer(ctx context.Context, sink Sink, log *slog.Logger) *streamer {
	s := &streamer{ctx: ctx, sink: sink, log: log, ch: make(chan streamBatch, 4096), done: make(chan struct{})}
	go s.run()
	return s
}

func (s *streamer) publish(stream string, lines [][]byte) {
	if s.sink == nil {
		return
	}
	select {
	case s.ch <- streamBatch{stream, lines}:
	default:
		s.log.Warn("stream queue full: dropping record changes", "stream", stream, "records", len(lines))
	}
}

func (s *streamer) run() {
	defer close(s.done)
	dropped := 0
	for b := range s.ch {
		if s.ctx.Err() != nil {
			dropped += len(b.lines)
			continue
		}
		ctx, cancel := context.WithTimeout(s.ctx, 30*time.Second)
		if err := s.sink.Publish(ctx, b.stream, b.lines); err != nil && s.ctx.Err() == nil {
			s.log.Warn("streaming record changes failed", "stream", b.stream, "sink", s.sink.String(), "err", err)
		}
		cancel()
	}
	if dropped > 0 {
		s.log.Warn("stream changes dropped at shutdown", "records", dropped)
	}
}

func (s *streamer) close() {
	s.once.Do(func() { close(s.ch) })
	<-s.done
}
