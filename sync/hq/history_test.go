package hq

import (
	"context"
	"fmt"
	"testing"

	hqsync "anchang/sync"
)

// A standalone office's device brings its history at enrollment: its
// HQ-owned mutations up to history_upto (in that install epoch) go to its
// office's scope; later ones, another epoch's and another device's are
// refused as before; another office never sees them.
func TestStandaloneHistoryOfHQOwnedData(t *testing.T) {
	backends(t, func(t *testing.T, s *SQLStore) {
		ctx := context.Background()
		off, err := s.AddOffice(ctx, "SH01", "SH01 office", clock)
		if err != nil {
			t.Fatal(err)
		}
		enrol := func(id string, in EnrollInput) Device {
			t.Helper()
			codeHash := hashHex("code-" + id)
			if err := s.AddEnrollCode(ctx, codeHash, off.ID, hqsync.RoleOffice, clock, clock+3600_000); err != nil {
				t.Fatal(err)
			}
			in.CodeHash, in.DeviceID, in.InstallEpoch, in.SecretHash, in.Now = codeHash, id, 1, hashHex("secret"), clock
			d, _, err := s.Enroll(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			return d
		}
		a := enrol("dev-a", EnrollInput{Standalone: &hqsync.StandaloneOffice{OfficeID: "old", OfficeCode: "SH01", HasHistory: true}, HistoryUpto: 3})
		if a.HistoryEpoch != 1 || a.HistoryUpto != 3 {
			t.Fatalf("device a history %d/%d, want 1/3", a.HistoryEpoch, a.HistoryUpto)
		}
		// A device joining the office (not standalone) brings no history,
		// whatever it says.
		a2 := enrol("dev-a2", EnrollInput{HistoryUpto: 9})
		if a2.HistoryUpto != 0 {
			t.Fatalf("joining device got history %d", a2.HistoryUpto)
		}
		b := enrolled(t, s, "SH02", "dev-b", hqsync.RoleOffice)
		ref := func(seq int64, id string) hqsync.Mutation { return mut(seq, "t.ref", testPayload{ID: id}) }
		steps := []struct {
			name  string
			dev   Device
			epoch int64
			muts  []hqsync.Mutation
			want  string
		}{
			{"history up to 3 is the office's, after it refused", a, 1,
				[]hqsync.Mutation{ref(1, "r1"), mut(2, "t.thing", testPayload{ID: "t1", OfficeID: off.ID}), ref(3, "r3"), ref(4, "r4")},
				"1:applied 2:applied 3:applied 4:rejected (err.sync.hq_owned) last=4 resend=0"},
			{"another install epoch brings no history", a, 2, []hqsync.Mutation{ref(1, "e1")}, "1:rejected (err.sync.hq_owned) last=1 resend=0"},
			{"the office's other device has none", a2, 1, []hqsync.Mutation{ref(1, "x1")}, "1:rejected (err.sync.hq_owned) last=1 resend=0"},
			{"another office has none", b, 1, []hqsync.Mutation{ref(1, "y1")}, "1:rejected (err.sync.hq_owned) last=1 resend=0"},
		}
		for _, st := range steps {
			if got := statuses(push(t, s, st.dev, st.epoch, st.muts...)); got != st.want {
				t.Errorf("%s:\n got %s\nwant %s", st.name, got, st.want)
			}
		}
		pages, err := s.Pull(ctx, map[string]int64{hqsync.OfficeScope(off.ID): 0, hqsync.OfficeScope(b.OfficeID): 0, "global": 0}, 100)
		if err != nil {
			t.Fatal(err)
		}
		ids := func(scope string) string {
			var out []string
			for _, c := range pages[scope].Changes {
				out = append(out, c.RecordID)
			}
			return fmt.Sprint(out)
		}
		if got := ids(hqsync.OfficeScope(off.ID)); got != "[r1 t1 r3]" {
			t.Errorf("office scope %s, want [r1 t1 r3]", got)
		}
		if got := ids(hqsync.OfficeScope(b.OfficeID)); got != "[]" {
			t.Errorf("other office scope %s", got)
		}
		if got := ids("global"); got != "[]" {
			t.Errorf("global %s", got)
		}
		if !b.CanRead(hqsync.OfficeScope(b.OfficeID)) || b.CanRead(hqsync.OfficeScope(off.ID)) {
			t.Error("office b reads office a's scope")
		}
	})
}
