package e2e

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	av1 "github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/aws/awserr"
	cs "github.com/aws/aws-sdk-go/service/cognitosync"
)

// TestSyncConcurrentUpdatesOneWinner: 16 clients, each with its own
// connection and session token, update the same key from the same SyncCount
// at once. Exactly one wins; the others get 409 and nothing of theirs is
// written; the dataset SyncCount rises by exactly one.
func TestSyncConcurrentUpdatesOneWinner(t *testing.T) {
	const n = 16
	e := newSyncEnv(t, "")
	f := newSyncFix(t, e)
	id, _ := f.guest()
	f.put(f.dev, id, "shared", "k", "initial")

	for round := 0; round < 3; round++ {
		before := f.list(f.dev, id, "shared", 0)
		cur := *recordMap(before.Records)["k"].SyncCount

		clients := make([]*cs.CognitoSync, n)
		tokens := make([]string, n)
		for i := range clients {
			clients[i] = e.syncClient(devKey, devSecret, "")
		}
		// Every client starts its sync session.
		var wg sync.WaitGroup
		for i := range clients {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				out, err := clients[i].ListRecords(&cs.ListRecordsInput{IdentityPoolId: &f.pool, IdentityId: &id, DatasetName: av1.String("shared")})
				if err != nil {
					t.Error(err)
					return
				}
				tokens[i] = *out.SyncSessionToken
				if got := *recordMap(out.Records)["k"].SyncCount; got != cur {
					t.Errorf("client %d saw SyncCount %d, want %d", i, got, cur)
				}
			}(i)
		}
		wg.Wait()
		if t.Failed() {
			t.FailNow()
		}

		start := make(chan struct{})
		errs := make([]error, n)
		for i := range clients {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				<-start
				_, errs[i] = f.update(clients[i], id, "shared", tokens[i], replace("k", fmt.Sprintf("r%d-c%d", round, i), cur))
			}(i)
		}
		close(start)
		wg.Wait()

		winner := -1
		conflicts := 0
		for i, err := range errs {
			if err == nil {
				if winner >= 0 {
					t.Fatalf("round %d: clients %d and %d both succeeded", round, winner, i)
				}
				winner = i
				continue
			}
			var rf awserr.RequestFailure
			if !errors.As(err, &rf) || rf.Code() != "ResourceConflictException" || rf.StatusCode() != 409 {
				t.Errorf("round %d, client %d: want ResourceConflictException (409), got %v", round, i, err)
				continue
			}
			if want := fmt.Sprintf("Current SyncCount for: k is: %d not: %d", cur+1, cur); rf.Message() != want {
				t.Errorf("round %d, client %d: message %q, want %q", round, i, rf.Message(), want)
			}
			conflicts++
		}
		if winner < 0 || conflicts != n-1 {
			t.Fatalf("round %d: winner %d, %d conflicts (want one winner and %d conflicts)", round, winner, conflicts, n-1)
		}
		after := f.list(f.dev, id, "shared", 0)
		r := recordMap(after.Records)["k"]
		if want := fmt.Sprintf("r%d-c%d", round, winner); sv(r.Value) != want || *r.SyncCount != cur+1 {
			t.Fatalf("round %d: record %v, want value %s at SyncCount %d", round, r, want, cur+1)
		}
		if i64(after.DatasetSyncCount) != i64(before.DatasetSyncCount)+1 {
			t.Fatalf("round %d: DatasetSyncCount %d -> %d, want +1", round, i64(before.DatasetSyncCount), i64(after.DatasetSyncCount))
		}
	}
}

// TestSyncConcurrentNewDatasets: concurrent first writes of distinct new
// datasets by one identity never let it exceed 20 datasets.
func TestSyncConcurrentNewDatasets(t *testing.T) {
	const n = 30
	e := newSyncEnv(t, "")
	f := newSyncFix(t, e)
	id, _ := f.guest()
	tokens := make([]string, n)
	for i := range tokens {
		tokens[i] = *f.list(f.dev, id, fmt.Sprintf("set%02d", i), 0).SyncSessionToken
	}
	var wg sync.WaitGroup
	errs := make([]error, n)
	start := make(chan struct{})
	clients := make([]*cs.CognitoSync, n) // sessions are made one at a time: NewSession is not safe for concurrent use
	for i := range clients {
		clients[i] = e.syncClient(devKey, devSecret, "")
	}
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			_, errs[i] = f.update(clients[i], id, fmt.Sprintf("set%02d", i), tokens[i], replace("k", "v", 0))
		}(i)
	}
	close(start)
	wg.Wait()
	succeeded := 0
	for i, err := range errs {
		if err == nil {
			succeeded++
			continue
		}
		var rf awserr.RequestFailure
		if !errors.As(err, &rf) || rf.Code() != "LimitExceededException" || rf.StatusCode() != 400 {
			t.Errorf("dataset %d: want LimitExceededException (400), got %v", i, err)
		}
	}
	u := f.identityUsage(f.dev, id)
	ds := ok[*cs.ListDatasetsOutput](t)(f.dev.ListDatasets(&cs.ListDatasetsInput{IdentityPoolId: &f.pool, IdentityId: &id}))
	if succeeded != 20 || i64(u.DatasetCount) != 20 || len(ds.Datasets) != 20 || i64(u.DataStorage) != 40 {
		t.Fatalf("%d succeeded, DatasetCount %d, %d datasets listed, DataStorage %d (want 20, 20, 20, 40)", succeeded, i64(u.DatasetCount), len(ds.Datasets), i64(u.DataStorage))
	}
}
