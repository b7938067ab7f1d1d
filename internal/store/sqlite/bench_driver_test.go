package sqlite

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cognitod/cognitod/internal/store"
)

// The driver benchmarks compare the SQLite drivers compiled in on the
// store's own hot paths. Run both with
//
//	go test -tags mattn -run '^$' -bench Driver ./internal/store/sqlite/
//
// docs/STORAGE.md records the numbers behind DefaultDriver.

// driverPoolSize is the pool the read benchmarks use.
const driverPoolSize = 200_000

// BenchmarkDriverGetId is GetId for a new user: look the login up, create an
// identity and add its login in one durable Update, from 64 goroutines at
// once, so the writer commits them in groups. The file case is bound by
// fsync; the memory case, with no fsync, measures the write path's CPU.
func BenchmarkDriverGetId(b *testing.B) {
	for _, driver := range Drivers() {
		for _, where := range []string{"file", "memory"} {
			b.Run(driver+"/"+where, func(b *testing.B) {
				dsn := Memory
				if where == "file" {
					dsn = filepath.Join(b.TempDir(), "w.db")
				}
				benchGetId(b, open(b, dsn, Options{Driver: driver}))
			})
		}
	}
}

func benchGetId(b *testing.B, s *Store) {
	defer s.Close()
	pool := &store.Pool{ID: benchPool, Account: benchAccount, Region: benchRegion, Name: "p", CreatedAt: time.Now(), UpdatedAt: time.Now()}
	if err := s.Update(context.Background(), func(tx store.Tx) error { return tx.CreatePool(pool) }); err != nil {
		b.Fatal(err)
	}
	var seq atomic.Int64
	commits := s.commits.Load()
	b.SetParallelism(32)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			k := seq.Add(1)
			id := fmt.Sprintf("%s:%08x-0000-4000-8000-%012x", benchRegion, rand.Uint32(), k)
			subject := fmt.Sprint("user-", k)
			now := time.Now()
			err := s.Update(context.Background(), func(tx store.Tx) error {
				if _, err := tx.FindLogin(benchPool, "dev", subject); err == nil {
					return store.ErrExists
				}
				if err := tx.CreateIdentity(&store.Identity{ID: id, PoolID: benchPool, CreatedAt: now, ModifiedAt: now}); err != nil {
					return err
				}
				return tx.AddLogin(&store.Login{PoolID: benchPool, Provider: "dev", Subject: subject, IdentityID: id, CreatedAt: now})
			})
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	if c := s.commits.Load() - commits; c > 0 {
		b.ReportMetric(float64(b.N)/float64(c), "updates/commit")
	}
}

// BenchmarkDriverFindLogin is the point read every authenticated call makes,
// in its own View, from parallel goroutines.
func BenchmarkDriverFindLogin(b *testing.B) {
	for _, driver := range Drivers() {
		b.Run(driver, func(b *testing.B) {
			f := bigPool(b, driver, driverPoolSize)
			s := open(b, f.path, Options{Driver: driver})
			defer s.Close()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					subject := fmt.Sprint("user-", 1+rand.IntN(f.n))
					err := s.View(context.Background(), func(tx store.Tx) error {
						_, err := tx.FindLogin(benchPool, "dev", subject)
						return err
					})
					if err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

// BenchmarkDriverListPage is ListIdentities' page of 60 (AWS's largest)
// starting at a random point of the pool, logins included.
func BenchmarkDriverListPage(b *testing.B) {
	for _, driver := range Drivers() {
		b.Run(driver, func(b *testing.B) {
			f := bigPool(b, driver, driverPoolSize)
			s := open(b, f.path, Options{Driver: driver})
			defer s.Close()
			b.ResetTimer()
			for b.Loop() {
				after := f.ids[rand.IntN(f.n-60)]
				listPage(b, s, after, 60)
			}
		})
	}
}

// listPage reads one page and checks it is full, with its logins.
func listPage(b *testing.B, s *Store, after string, limit int) {
	err := s.View(context.Background(), func(tx store.Tx) error {
		is, err := tx.ListIdentities(benchPool, after, limit, false)
		if err != nil {
			return err
		}
		if len(is) != limit || len(is[limit-1].Logins) != 1 {
			return fmt.Errorf("page after %s: %d identities", after, len(is))
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}
