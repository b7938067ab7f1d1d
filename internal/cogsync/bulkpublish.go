package cogsync

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/cognitod/cognitod/internal/api"
	"github.com/cognitod/cognitod/internal/awsproto"
	"github.com/cognitod/cognitod/internal/store"
)

// Bulk publish job states, as GetBulkPublishDetails reports them.
const (
	bpNotStarted = "NOT_STARTED"
	bpRunning    = "IN_PROGRESS"
	bpFailed     = "FAILED"
	bpSucceeded  = "SUCCEEDED"
)

const (
	// bulkPublishCooldown is how long after a success AWS refuses another.
	bulkPublishCooldown = 24 * time.Hour
	// jobStale is how long a running job may go without a heartbeat before
	// it is taken for dead (its process crashed) and may be started again.
	jobStale = 2 * time.Minute
	// bulkPage is how many records a job reads and publishes at a time.
	bulkPage = 500
)

// jobRunner tracks this process's running jobs so Close can wait for them.
type jobRunner struct {
	wg sync.WaitGroup
}

func (j *jobRunner) wait() { j.wg.Wait() }

// BulkPublish starts publishing every record of the pool to its Cognito
// Streams sink; GetBulkPublishDetails follows the job.
func (s *Service) BulkPublish(c *api.Call) (any, error) {
	var (
		stream string
		poolID = c.In.Str("IdentityPoolId")
	)
	err := s.st.Update(c, func(tx store.Tx) error {
		p, err := developerPool(tx, c, poolID)
		if err != nil {
			return err
		}
		sp, err := syncPool(tx, p.ID)
		if err != nil {
			return err
		}
		cfg, err := decodeSyncConfig(sp)
		if err != nil {
			return err
		}
		if cfg.CognitoStreams == nil || cfg.CognitoStreams.StreamName == "" {
			return invalidParam("Cognito Streams is not configured for identity pool %s: set a stream with SetIdentityPoolConfiguration first.", p.ID)
		}
		// "Bulk publish will also fail if StreamingStatus is DISABLED."
		if !cfg.streaming() {
			return invalidParam("Cognito Streams is disabled for identity pool %s: set its StreamingStatus to ENABLED with SetIdentityPoolConfiguration first.", p.ID)
		}
		stream = cfg.CognitoStreams.StreamName
		job, err := tx.GetBulkPublish(p.ID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if job != nil {
			switch {
			case job.Status == bpRunning && c.Now.Sub(job.HeartbeatAt) < jobStale:
				return awsproto.Errorf(awsproto.CodeDuplicateRequest, "A bulk publish operation is already in progress for identity pool %s.", p.ID)
			case job.Status == bpSucceeded && c.Now.Sub(job.CompletedAt) < bulkPublishCooldown:
				return awsproto.Errorf(awsproto.CodeAlreadyStreamed, "Identity pool %s was already bulk published within the last 24 hours.", p.ID)
			}
		}
		return tx.PutBulkPublish(&store.BulkPublish{PoolID: p.ID, Status: bpRunning, StartedAt: c.Now, Owner: s.node, HeartbeatAt: c.Now})
	})
	if err != nil {
		return nil, err
	}
	s.jobs.wg.Add(1)
	go func() {
		defer s.jobs.wg.Done()
		s.runBulkPublish(poolID, stream, c.Now)
	}()
	return struct {
		IdentityPoolId string `json:"IdentityPoolId"`
	}{poolID}, nil
}

// errNoSink fails a bulk publish on a server with no --stream-sink: the
// caller may read why.
var errNoSink = errors.New("no stream sink is configured on this cognitod (see --stream-sink)")

// runBulkPublish pages through the pool's records and publishes them,
// beating the job's heartbeat after each page, then records the outcome.
func (s *Service) runBulkPublish(poolID, stream string, started time.Time) {
	ctx := s.bg
	err := s.publishAll(ctx, poolID, stream, started)
	final := &store.BulkPublish{PoolID: poolID, Status: bpSucceeded, StartedAt: started, CompletedAt: time.Now(), Owner: s.node, HeartbeatAt: time.Now()}
	if err != nil {
		// The caller (any account) reads FailureMessage; what failed in
		// the server's own sink (its address, its answers) goes to the log.
		final.Status, final.FailureMessage = bpFailed, "Publishing the pool's records to the stream failed; the job can be started again."
		if errors.Is(err, errNoSink) {
			final.FailureMessage = err.Error()
		}
		s.log.Warn("bulk publish failed", "pool", poolID, "err", err)
	}
	// The outcome is recorded even when shutdown cut the job short.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := s.st.Update(rctx, func(tx store.Tx) error { return tx.PutBulkPublish(final) }); err != nil {
		s.log.Error("recording bulk publish outcome", "pool", poolID, "err", err)
	}
}

func (s *Service) publishAll(ctx context.Context, poolID, stream string, started time.Time) error {
	if s.sink == nil {
		return errNoSink
	}
	var after store.RecordPos
	for {
		var recs []*store.Record
		if err := s.st.View(ctx, func(tx store.Tx) (err error) {
			recs, err = tx.ListPoolRecords(poolID, after, bulkPage)
			return err
		}); err != nil {
			return fmt.Errorf("reading records: %w", err)
		}
		if len(recs) == 0 {
			return nil
		}
		// One message per dataset (a run of the page's records, which come
		// in identity, dataset, key order), as a synchronization of it
		// would be; a dataset the page boundary splits is two.
		var lines [][]byte
		for i := 0; i < len(recs); {
			j := i + 1
			for j < len(recs) && recs[j].IdentityID == recs[i].IdentityID && recs[j].Dataset == recs[i].Dataset {
				j++
			}
			lines = append(lines, streamLines(poolID, recs[i].IdentityID, recs[i].Dataset, recs[i:j])...)
			i = j
		}
		if err := s.sink.Publish(ctx, stream, lines); err != nil {
			return fmt.Errorf("publishing to the stream sink: %w", err)
		}
		last := recs[len(recs)-1]
		after = store.RecordPos{IdentityID: last.IdentityID, Dataset: last.Dataset, Key: last.Key}
		err := s.st.Update(ctx, func(tx store.Tx) error {
			return tx.PutBulkPublish(&store.BulkPublish{PoolID: poolID, Status: bpRunning, StartedAt: started, Owner: s.node, HeartbeatAt: time.Now()})
		})
		if err != nil {
			return err
		}
		if len(recs) < bulkPage {
			return nil
		}
	}
}

// GetBulkPublishDetails reports the pool's bulk publish job.
func (s *Service) GetBulkPublishDetails(c *api.Call) (any, error) {
	out := struct {
		IdentityPoolId          string         `json:"IdentityPoolId"`
		BulkPublishStartTime    *awsproto.Time `json:"BulkPublishStartTime,omitempty"`
		BulkPublishCompleteTime *awsproto.Time `json:"BulkPublishCompleteTime,omitempty"`
		BulkPublishStatus       string         `json:"BulkPublishStatus"`
		FailureMessage          string         `json:"FailureMessage,omitempty"`
	}{BulkPublishStatus: bpNotStarted}
	err := s.st.View(c, func(tx store.Tx) error {
		p, err := developerPool(tx, c, c.In.Str("IdentityPoolId"))
		if err != nil {
			return err
		}
		out.IdentityPoolId = p.ID
		job, err := tx.GetBulkPublish(p.ID)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		out.BulkPublishStatus = job.Status
		out.BulkPublishStartTime = timePtr(job.StartedAt)
		out.BulkPublishCompleteTime = timePtr(job.CompletedAt)
		out.FailureMessage = job.FailureMessage
		if job.Status == bpRunning && c.Now.Sub(job.HeartbeatAt) >= jobStale {
			out.BulkPublishStatus = bpFailed
			out.FailureMessage = "The bulk publish job was interrupted (its cognitod process stopped); start it again."
		}
		return nil
	})
	return out, err
}
