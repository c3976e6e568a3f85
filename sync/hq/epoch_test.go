package hq

import (
	"context"
	"fmt"
	"testing"

	hqsync "anchang/sync"
)

// A device that starts a new install epoch (its store restored from an
// older backup) numbers its seqs from 1 again: HQ takes them as new, and
// each pulled change says the epoch of its origin seq, so a device tells
// its own change of this epoch from one of an earlier epoch with the same
// seq. A snapshot does not say it (0).
func TestPullSaysOriginEpoch(t *testing.T) {
	backends(t, func(t *testing.T, s *SQLStore) {
		ctx := context.Background()
		a := enrolled(t, s, "SH01", "dev-a", hqsync.RoleOffice)
		thing := func(seq int64, id string) hqsync.Mutation {
			return mut(seq, "t.thing", testPayload{ID: id, OfficeID: a.OfficeID})
		}
		if got := statuses(push(t, s, a, 1, thing(1, "t1"), thing(2, "t2"), thing(3, "t3"))); got != "1:applied 2:applied 3:applied last=3 resend=0" {
			t.Fatalf("epoch 1: %s", got)
		}
		if got := statuses(push(t, s, a, 5, thing(1, "t4"), thing(2, "t5"))); got != "1:applied 2:applied last=2 resend=0" {
			t.Fatalf("epoch 5: %s", got)
		}
		// The old epoch's seqs are still its own.
		if got := statuses(push(t, s, a, 1, thing(3, "t3"), thing(4, "t6"))); got != "3:duplicate 4:applied last=4 resend=0" {
			t.Fatalf("epoch 1 again: %s", got)
		}
		scope := hqsync.OfficeScope(a.OfficeID)
		pages, err := s.Pull(ctx, map[string]int64{scope: 0}, 100)
		if err != nil {
			t.Fatal(err)
		}
		var log []string
		for _, c := range pages[scope].Changes {
			log = append(log, fmt.Sprintf("%s:%d/%d", c.RecordID, c.OriginEpoch, c.OriginSeq))
		}
		if want := "[t1:1/1 t2:1/2 t3:1/3 t4:5/1 t5:5/2 t6:1/4]"; fmt.Sprint(log) != want {
			t.Errorf("log %v, want %s", log, want)
		}
		if _, err := s.Snapshot(ctx, scope, func(hqsync.SnapshotHeader) error { return nil }, func(c hqsync.Change) error {
			if c.OriginEpoch != 0 {
				t.Errorf("snapshot %s: origin epoch %d", c.RecordID, c.OriginEpoch)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	})
}
