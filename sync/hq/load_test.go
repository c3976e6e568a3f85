package hq

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"anchang/data"
	hqsync "anchang/sync"
)

// Several devices of one office push at once: on PostgreSQL the pushes run
// on several pooled connections, each preparing the hot statements
// (sqlstore_stmts.go) for itself; every mutation is applied once and the
// office's log is dense.
func TestConcurrentPushesOnPreparedStatements(t *testing.T) {
	backends(t, func(t *testing.T, s *SQLStore) {
		const devices, pushes, batch = 6, 5, 20
		devs := make([]Device, devices)
		for i := range devs {
			devs[i] = enrolled(t, s, "SH01", fmt.Sprintf("dev-%d", i), hqsync.RoleOffice)
		}
		office := devs[0].OfficeID
		var wg sync.WaitGroup
		errs := make(chan error, devices)
		for i, d := range devs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				seq := int64(0)
				for p := 0; p < pushes; p++ {
					var ms []hqsync.Mutation
					for j := 0; j < batch; j++ {
						seq++
						ms = append(ms, mut(seq, "t.thing", testPayload{ID: fmt.Sprintf("d%d-%d", i, seq), OfficeID: office}))
					}
					out, err := s.Push(context.Background(), d, &hqsync.PushRequest{DeviceID: d.ID, InstallEpoch: 1, Mutations: ms}, testDescribe, clock)
					if err != nil {
						errs <- err
						return
					}
					if out.Applied != batch || out.Response.LastSeq != seq {
						errs <- fmt.Errorf("device %d push %d: %s", i, p, statuses(out.Response))
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		cur := int64(0)
		for {
			pages, err := s.Pull(context.Background(), map[string]int64{hqsync.OfficeScope(office): cur}, 1000)
			if err != nil {
				t.Fatal(err)
			}
			p := pages[hqsync.OfficeScope(office)]
			for _, c := range p.Changes {
				if c.Seq != cur+1 || seen[c.RecordID] {
					t.Fatalf("seq %d after %d, record %s seen %v", c.Seq, cur, c.RecordID, seen[c.RecordID])
				}
				seen[c.RecordID] = true
				cur = c.Seq
			}
			if !p.More {
				break
			}
		}
		if len(seen) != devices*pushes*batch {
			t.Fatalf("%d changes, want %d", len(seen), devices*pushes*batch)
		}
	})
}

func TestInsertBaseline(t *testing.T) {
	backends(t, func(t *testing.T, s *SQLStore) {
		ctx := context.Background()
		rows := make([]BaselineRow, 250)
		for i := range rows {
			rows[i] = BaselineRow{Scope: "office:x", Seq: int64(i + 1), Entity: "visit", RecordID: fmt.Sprintf("r%d", i), Name: "visit.checkin",
				Version: 1, Rank: 30, Payload: []byte(`{"id":"r"}`), Device: "d", Epoch: 1, OriginSeq: int64(i + 1), Hash: "h", At: clock}
		}
		d, err := s.InsertBaseline(ctx, rows, 100, 3)
		if err != nil || d <= 0 {
			t.Fatalf("baseline: %v, %v", d, err)
		}
		// The scratch tables are gone, HQ's own are untouched.
		var n int
		if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM hq_bl_changes`).Scan(&n); err == nil {
			t.Errorf("hq_bl_changes left behind with %d rows", n)
		}
		if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM hq_changes`).Scan(&n); err != nil || n != 0 {
			t.Errorf("hq_changes: %d rows, %v", n, err)
		}
		// A row twice breaks the primary key: an error, not a figure.
		rows[200] = rows[3]
		if _, err := s.InsertBaseline(ctx, rows, 100, 2); err == nil || !strings.Contains(err.Error(), "baseline") {
			t.Errorf("a duplicate row: %v", err)
		}
		if _, err := s.InsertBaseline(ctx, rows, 0, 1); err == nil {
			t.Error("batch 0 accepted")
		}
	})
}

// A push's change and receipt rows are written together after the batch
// (rows, sqlstore_stmts.go); a seq repeated inside one batch must still
// find its receipt: the same payload is a duplicate, another an integrity
// error that stops the batch. A batch over maxRowsPerInsert is split.
func TestPushRepeatsInsideOneBatch(t *testing.T) {
	backends(t, func(t *testing.T, s *SQLStore) {
		d := enrolled(t, s, "SH01", "dev-a", hqsync.RoleOffice)
		th := func(seq int64, id, note string) hqsync.Mutation {
			return mut(seq, "t.thing", testPayload{ID: id, OfficeID: d.OfficeID, Note: note})
		}
		got := statuses(push(t, s, d, 1, th(1, "a", ""), th(2, "b", ""), th(2, "b", ""), th(3, "c", "")))
		if want := "1:applied 2:applied 2:duplicate 3:applied last=3 resend=0"; got != want {
			t.Errorf("repeat with the same hash:\n got %s\nwant %s", got, want)
		}
		got = statuses(push(t, s, d, 1, th(4, "d", ""), th(4, "d", "other"), th(5, "e", "")))
		if want := "4:applied 4:integrity (err.sync.integrity) last=4 resend=0"; got != want {
			t.Errorf("repeat with another hash:\n got %s\nwant %s", got, want)
		}
		var big []hqsync.Mutation
		for i := int64(5); i < 5+maxRowsPerInsert+20; i++ {
			big = append(big, th(i, fmt.Sprintf("big-%d", i), ""))
		}
		out, err := s.Push(context.Background(), d, &hqsync.PushRequest{DeviceID: d.ID, InstallEpoch: 1, Mutations: big}, testDescribe, clock)
		if err != nil || out.Applied != len(big) {
			t.Fatalf("a batch of %d: applied %d, %v", len(big), out.Applied, err)
		}
		// Every change is in the log once, densely, and every receipt is there.
		pages, err := s.Pull(context.Background(), map[string]int64{hqsync.OfficeScope(d.OfficeID): 0}, 1000)
		if err != nil {
			t.Fatal(err)
		}
		p := pages[hqsync.OfficeScope(d.OfficeID)]
		if len(p.Changes) != 4+len(big) || p.Head != int64(4+len(big)) {
			t.Errorf("%d changes, head %d, want %d", len(p.Changes), p.Head, 4+len(big))
		}
		got = statuses(push(t, s, d, 1, big[len(big)-1]))
		if want := fmt.Sprintf("%d:duplicate last=%d resend=0", big[len(big)-1].Seq, big[len(big)-1].Seq); got != want {
			t.Errorf("retry of the last: %s, want %s", got, want)
		}
	})
}

// The read path's prepared statements (readCache): many requests at once
// read the right rows, the cache holds only the fixed reads, and a query
// that cannot be prepared runs unprepared (its error is the caller's).
func TestReadCache(t *testing.T) {
	backends(t, func(t *testing.T, s *SQLStore) {
		ctx := context.Background()
		devs := []Device{enrolled(t, s, "SH01", "dev-a", hqsync.RoleOffice), enrolled(t, s, "SH02", "dev-b", hqsync.RoleOffice)}
		push(t, s, devs[0], 1, mut(1, "t.thing", testPayload{ID: "x1", OfficeID: devs[0].OfficeID}))
		var wg sync.WaitGroup
		errs := make(chan error, 40)
		for i := 0; i < 40; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				d := devs[i%2]
				got, err := s.Device(ctx, d.ID)
				if err != nil || got.ID != d.ID || got.OfficeID != d.OfficeID {
					errs <- fmt.Errorf("device %s: %+v, %v", d.ID, got, err)
					return
				}
				scope := hqsync.OfficeScope(d.OfficeID)
				pages, err := s.Pull(ctx, map[string]int64{scope: 0}, 100)
				if err != nil {
					errs <- err
					return
				}
				want := 0
				if i%2 == 0 {
					want = 1
				}
				if n := len(pages[scope].Changes); n != want {
					errs <- fmt.Errorf("device %d pulled %d changes, want %d", i%2, n, want)
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		if _, err := s.Device(ctx, "nobody"); data.ErrorCode(err) != data.ENOTFOUND {
			t.Errorf("unknown device: %v", err)
		}
		s.reads.mu.Lock()
		n := len(s.reads.m)
		s.reads.mu.Unlock()
		if n == 0 || n > 5 {
			t.Errorf("%d statements cached, want the few fixed reads", n)
		}
		var x int
		if err := s.reads.QueryRowContext(ctx, `SELECT nope FROM nowhere`).Scan(&x); err == nil {
			t.Error("a bad query answered")
		}
		if _, ok := s.reads.m[`SELECT nope FROM nowhere`]; ok {
			t.Error("a query that failed to prepare was cached")
		}
	})
}
