package hq

import (
	"context"
	"fmt"
	"testing"

	"anchang/data"
	hqsync "anchang/sync"
)

// HQ's own scope "hq": the HQ devices' staff (records of the local office
// every HQ device keeps) and the review queue (a copy of every office's
// draft), read by HQ devices only.
func TestHQScopeAndReviewQueue(t *testing.T) {
	backends(t, func(t *testing.T, s *SQLStore) {
		ctx := context.Background()
		a := enrolled(t, s, "SH01", "dev-a", hqsync.RoleOffice)
		b := enrolled(t, s, "SH02", "dev-b", hqsync.RoleOffice)
		hqDev := enrolled(t, s, "", "dev-hq", hqsync.RoleHQ)
		hqID, err := s.HQID(ctx)
		if err != nil {
			t.Fatal(err)
		}
		local := data.HQLocalOfficeID(hqID)
		steps := []struct {
			name string
			dev  Device
			muts []hqsync.Mutation
			want string
		}{
			{"an office's draft: its scope, and the review queue", a, []hqsync.Mutation{mut(1, "t.draft", testPayload{ID: "d1"})}, "1:applied last=1 resend=0"},
			{"an HQ device's staff: the hq scope", hqDev, []hqsync.Mutation{mut(1, "t.staff", testPayload{ID: "s1", OfficeID: local})}, "1:applied last=1 resend=0"},
			{"an HQ device's record of a real office: refused", hqDev, []hqsync.Mutation{mut(2, "t.staff", testPayload{ID: "s2", OfficeID: a.OfficeID})}, "2:rejected (err.sync.office_owned) last=2 resend=0"},
			{"an office's record naming HQ's local office: refused", b, []hqsync.Mutation{mut(1, "t.staff", testPayload{ID: "s3", OfficeID: local})}, "1:rejected (err.sync.other_office) last=1 resend=0"},
			{"HQ publishes to global", hqDev, []hqsync.Mutation{mut(3, "t.draft", testPayload{ID: "d2"})}, "3:applied last=3 resend=0"},
		}
		for _, st := range steps {
			if got := statuses(push(t, s, st.dev, 1, st.muts...)); got != st.want {
				t.Errorf("%s:\n got %s\nwant %s", st.name, got, st.want)
			}
		}
		pages, err := s.Pull(ctx, map[string]int64{hqsync.ScopeHQ: 0, hqsync.OfficeScope(a.OfficeID): 0, hqsync.ScopeGlobal: 0}, 100)
		if err != nil {
			t.Fatal(err)
		}
		ids := func(scope string) string {
			var out []string
			for _, c := range pages[scope].Changes {
				out = append(out, fmt.Sprintf("%s/%s@%d", c.RecordID, c.OriginDevice, c.Seq))
			}
			return fmt.Sprint(out)
		}
		if got := ids(hqsync.ScopeHQ); got != "[d1/dev-a@1 s1/dev-hq@2]" {
			t.Errorf("hq scope %s", got)
		}
		if got := ids(hqsync.OfficeScope(a.OfficeID)); got != "[d1/dev-a@1]" {
			t.Errorf("office A %s", got)
		}
		if got := ids(hqsync.ScopeGlobal); got != "[d2/dev-hq@1]" {
			t.Errorf("global %s", got)
		}
		// A new HQ device's snapshot of the scope has both.
		var snap []string
		if _, err := s.Snapshot(ctx, hqsync.ScopeHQ, func(hqsync.SnapshotHeader) error { return nil }, func(c hqsync.Change) error {
			snap = append(snap, c.RecordID)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(snap) != "[d1 s1]" && fmt.Sprint(snap) != "[s1 d1]" {
			t.Errorf("hq snapshot %v", snap)
		}
		for _, c := range []struct {
			dev  Device
			want bool
		}{{a, false}, {b, false}, {hqDev, true}} {
			if got := c.dev.CanRead(hqsync.ScopeHQ); got != c.want {
				t.Errorf("%s reads hq: %v", c.dev.ID, got)
			}
		}
	})
}
