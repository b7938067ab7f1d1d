package cogsync

import (
	"context"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync/atomic"
	"testing"
)

// TestSinkSecretsStayHidden: a sink URL's password and query (API keys)
// appear neither in its String (logged) nor in a failed Publish's error
// (logged, and once returned to bulk publish callers).
func TestSinkSecretsStayHidden(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // connections refused
	sink, err := ParseSink("http://user:SINKPASSWORD@" + addr + "/ingest?api_key=SINKAPIKEY")
	if err != nil {
		t.Fatal(err)
	}
	perr := sink.Publish(context.Background(), "s", [][]byte{[]byte("{}")})
	if perr == nil {
		t.Fatal("publishing to a closed port succeeded")
	}
	for _, text := range []string{sink.String(), perr.Error()} {
		if strings.Contains(text, "SINKPASSWORD") || strings.Contains(text, "SINKAPIKEY") {
			t.Errorf("secret shown: %s", text)
		}
		if !strings.Contains(text, addr) {
			t.Errorf("the sink is not named: %s", text)
		}
	}
}

// blockingSink answers no Publish until its context ends, and counts them.
type blockingSink struct {
	calls   atomic.Int32
	entered chan struct{}
}

func (b *blockingSink) String() string { return "blocking" }

func (b *blockingSink) Publish(ctx context.Context, stream string, lines [][]byte) error {
	if b.calls.Add(1) == 1 {
		close(b.entered)
	}
	<-ctx.Done()
	return ctx.Err()
}

// TestCloseBoundsTheStreamer: Close lets queued live changes go until its
// context ends, then cancels the one in flight and drops the rest, instead
// of sending each in turn with a timeout of its own (a sink that does not
// answer held a shutdown for 30 s a change).
func TestCloseBoundsTheStreamer(t *testing.T) {
	sink := &blockingSink{entered: make(chan struct{})}
	s := New(Config{Sink: sink, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	for range 5 {
		s.stream.publish("s", [][]byte{[]byte("{}")})
	}
	<-sink.entered // the first change is being sent
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	s.Close(ctx)
	if n := sink.calls.Load(); n != 1 {
		t.Fatalf("%d changes sent after shutdown's time was up, want only the one in flight", n)
	}
}
