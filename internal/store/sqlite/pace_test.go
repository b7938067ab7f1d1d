package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/cognitod/cognitod/internal/store"
)

// TestBatchPace: the writer waits only after a batch of several callers,
// for as many as the recent peak, and stops waiting as the peak decays.
func TestBatchPace(t *testing.T) {
	const delay = 100 * time.Microsecond
	var p batchPace
	steps := []struct {
		batch int // recorded before asking
		want  int // target afterwards
	}{
		{1, 0},   // a lone caller: no wait
		{3, 0},   // fewer than siblings: no wait
		{24, 24}, // concurrency: wait for the peak
		{10, 23}, // the peak decays by a hundredth a batch
		{30, 30},
		{1, 0}, // the load has gone: no wait, whatever the peak
	}
	for k, s := range steps {
		p.record(s.batch)
		if got := p.target(delay, 256); got != s.want {
			t.Errorf("step %d (batch %d): target %d, want %d", k, s.batch, got, s.want)
		}
	}
	p.record(30)
	if got := p.target(delay, 16); got != 16 {
		t.Errorf("target with MaxBatch 16 = %d, want 16", got)
	}
	if got := p.target(0, 256); got != 0 {
		t.Errorf("target with no delay = %d, want 0", got)
	}
	if got := p.target(-1, 256); got != 0 {
		t.Errorf("target with a negative delay = %d, want 0", got)
	}
}

// TestLoneCallerDoesNotWait: with an hour's commit delay, a client that
// writes one Update at a time is answered at once, each in its own commit.
// (Were it made to wait, its context would end first and Update fail.)
func TestLoneCallerDoesNotWait(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "lone.db"), Options{CommitDelay: time.Hour})
	defer s.Close()
	before := s.commits.Load()
	for k := range 20 {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		err := s.Update(ctx, func(tx store.Tx) error { return tx.CreatePool(newPool(fmt.Sprint("us-east-1:", k))) })
		cancel()
		if err != nil {
			t.Fatalf("Update %d: %v", k, err)
		}
	}
	if c := s.commits.Load() - before; c != 20 {
		t.Errorf("20 Updates one after another took %d commits, want 20", c)
	}
}

// TestCommitDelayWaits: after a batch of 8, a lone Update waits (an hour's
// delay here) until 7 more have joined it, then the 8 share one commit.
func TestCommitDelayWaits(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "wait.db"), Options{CommitDelay: time.Hour})
	defer s.Close()
	create := func(id string) error {
		return s.Update(context.Background(), func(tx store.Tx) error { return tx.CreatePool(newPool(id)) })
	}
	// A batch of 8: queued behind a blocked writer, then let go together.
	release, blocked := blockWriter(t, s)
	var wg sync.WaitGroup
	start := func(n int, prefix string) {
		for k := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := create(fmt.Sprint("us-east-1:", prefix, k)); err != nil {
					t.Error(err)
				}
			}()
		}
	}
	start(8, "a")
	time.Sleep(200 * time.Millisecond) // let all 8 queue behind the blocker
	release()
	if err := <-blocked; err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	before := s.commits.Load()

	first := make(chan error, 1)
	go func() { first <- create("us-east-1:lone") }()
	select {
	case err := <-first:
		t.Fatalf("a lone Update after a batch of 8 was answered (%v) before others joined it", err)
	case <-time.After(300 * time.Millisecond):
	}
	start(7, "b")
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if c := s.commits.Load() - before; c != 1 {
		t.Errorf("the waiting Update and the 7 that joined it took %d commits, want 1", c)
	}
}
