package hq

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	hqsync "anchang/sync"
)

// cursorSystem is a log read by a cursor: the harness below writes to it
// from many goroutines (transactions that sleep and sometimes roll back)
// while one reader follows it by cursor, as a device pulls.
type cursorSystem struct {
	write func(ctx context.Context, w int, rng *rand.Rand) error // one transaction
	read  func(ctx context.Context, cursor int64) ([]int64, error)
	all   func(ctx context.Context) ([]int64, error)
}

type harnessResult struct {
	committed, seen, missing, twice int
}

func runHarness(t *testing.T, sys cursorSystem, writers int, dur time.Duration) harnessResult {
	t.Helper()
	ctx := context.Background()
	var stop atomic.Bool
	var wg sync.WaitGroup
	errc := make(chan error, writers)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 7))
			for !stop.Load() {
				if err := sys.write(ctx, w, rng); err != nil {
					errc <- err
					return
				}
			}
		}(w)
	}
	seen := map[int64]int{}
	cursor := int64(0)
	readOnce := func() int {
		ids, err := sys.read(ctx, cursor)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range ids {
			seen[id]++
			cursor = max(cursor, id)
		}
		return len(ids)
	}
	deadline := time.Now().Add(dur)
	for time.Now().Before(deadline) {
		if readOnce() == 0 {
			time.Sleep(200 * time.Microsecond)
		}
	}
	stop.Store(true)
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatal(err)
	}
	for readOnce() > 0 {
	}
	all, err := sys.all(ctx)
	if err != nil {
		t.Fatal(err)
	}
	r := harnessResult{committed: len(all), seen: len(seen)}
	for _, id := range all {
		if seen[id] == 0 {
			r.missing++
		}
	}
	for _, n := range seen {
		if n > 1 {
			r.twice++
		}
	}
	return r
}

var errRollback = errors.New("rolled back on purpose")

// TestCursorNeverSkips: many devices push into one office scope, each push
// transaction sleeping a random while holding its locks and one in five
// rolled back, while a reader pulls by cursor: every committed change is
// read exactly once. The control run, a plain BIGSERIAL cursor through the
// same harness, is caught skipping rows.
func TestCursorNeverSkips(t *testing.T) {
	const writers = 6
	dur := 1500 * time.Millisecond
	backends(t, func(t *testing.T, s *SQLStore) {
		devs := make([]Device, writers)
		seqs := make([]int64, writers)
		var attempts atomic.Int64
		for i := range devs {
			devs[i] = enrolled(t, s, "SH01", fmt.Sprintf("w%d", i), hqsync.RoleOffice)
		}
		scope := hqsync.OfficeScope(devs[0].OfficeID)
		var rbMu sync.Mutex
		rollback := map[int]bool{}
		s.beforeCommit = func(ctx context.Context) error {
			w, _ := ctx.Value(writerKey{}).(int)
			time.Sleep(time.Duration(rand.IntN(3000)) * time.Microsecond)
			rbMu.Lock()
			defer rbMu.Unlock()
			if rollback[w] {
				return errRollback
			}
			return nil
		}
		sys := cursorSystem{
			write: func(ctx context.Context, w int, rng *rand.Rand) error {
				attempts.Add(1)
				n := 1 + rng.IntN(3)
				var ms []hqsync.Mutation
				for i := 1; i <= n; i++ {
					ms = append(ms, mut(seqs[w]+int64(i), "t.thing", testPayload{ID: fmt.Sprintf("w%d-%d", w, seqs[w]+int64(i)), OfficeID: devs[w].OfficeID}))
				}
				rb := rng.IntN(5) == 0
				rbMu.Lock()
				rollback[w] = rb
				rbMu.Unlock()
				_, err := s.Push(context.WithValue(ctx, writerKey{}, w), devs[w], &hqsync.PushRequest{DeviceID: devs[w].ID, InstallEpoch: 1, Mutations: ms}, testDescribe, clock)
				if rb {
					if !errors.Is(err, errRollback) {
						return fmt.Errorf("want a rollback, got %v", err)
					}
					return nil
				}
				if err != nil {
					return err
				}
				seqs[w] += int64(n)
				return nil
			},
			read: func(ctx context.Context, cursor int64) ([]int64, error) {
				p, err := s.Pull(ctx, map[string]int64{scope: cursor}, 50)
				if err != nil {
					return nil, err
				}
				var ids []int64
				for _, c := range p[scope].Changes {
					ids = append(ids, c.Seq)
				}
				return ids, nil
			},
			all: func(ctx context.Context) ([]int64, error) {
				return ids(ctx, s.rdb, s.q(`SELECT seq FROM hq_changes WHERE scope = ?`), scope)
			},
		}
		t0 := time.Now()
		r := runHarness(t, sys, writers, dur)
		t.Logf("attempts %d in %v", attempts.Load(), time.Since(t0))
		t.Logf("%s: %d committed, %d read, %d skipped, %d twice", s.backend, r.committed, r.seen, r.missing, r.twice)
		if r.missing != 0 || r.twice != 0 || r.committed < 10 {
			t.Fatalf("per-scope counter: %+v", r)
		}
		var head int64
		s.rdb.QueryRow(s.q(`SELECT head FROM hq_scopes WHERE scope = ?`), scope).Scan(&head)
		if head != int64(r.committed) {
			t.Fatalf("head %d, %d changes: not dense", head, r.committed)
		}

		if s.backend != Postgres {
			return
		}
		// The control: a BIGSERIAL id assigned at insert, committed later.
		if _, err := s.db.Exec(`CREATE TABLE ctl (id BIGSERIAL PRIMARY KEY, note TEXT NOT NULL)`); err != nil {
			t.Fatal(err)
		}
		ctl := cursorSystem{
			write: func(ctx context.Context, w int, rng *rand.Rand) error {
				tx, err := s.db.BeginTx(ctx, nil)
				if err != nil {
					return err
				}
				if _, err := tx.ExecContext(ctx, `INSERT INTO ctl (note) VALUES ('x')`); err != nil {
					tx.Rollback()
					return err
				}
				time.Sleep(time.Duration(rng.IntN(3000)) * time.Microsecond)
				if rng.IntN(5) == 0 {
					return tx.Rollback()
				}
				return tx.Commit()
			},
			read: func(ctx context.Context, cursor int64) ([]int64, error) {
				return ids(ctx, s.db, `SELECT id FROM ctl WHERE id > $1 ORDER BY id LIMIT 50`, cursor)
			},
			all: func(ctx context.Context) ([]int64, error) { return ids(ctx, s.db, `SELECT id FROM ctl`) },
		}
		c := runHarness(t, ctl, writers, dur)
		t.Logf("control BIGSERIAL: %d committed, %d read, %d skipped", c.committed, c.seen, c.missing)
		if c.missing == 0 {
			t.Fatalf("the harness did not catch a serial cursor skipping: %+v", c)
		}
	})
}

type writerKey struct{}

func ids(ctx context.Context, db *sql.DB, q string, args ...any) ([]int64, error) {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
