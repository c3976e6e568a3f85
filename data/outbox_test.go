package data

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"testing"
	"time"
)

// outboxReader checks outbox rows as they are appended.
type outboxReader struct {
	t    *testing.T
	s    *Store
	seen int64 // last seq checked
}

// next returns the rows appended since the last call, checking that their
// seq numbers follow on, the hash is the payload's sha256, the payload is
// JSON and the time is now. Each row is summarised as the mutation, plus
// ":kind" for visit events and ":action" for rotation actions.
func (r *outboxReader) next(now time.Time) ([]string, []OutboxEntry) {
	r.t.Helper()
	all, err := r.s.PendingOutbox(context.Background(), 1_000_000)
	if err != nil {
		r.t.Fatal(err)
	}
	var got []string
	var entries []OutboxEntry
	for _, e := range all {
		if e.Seq <= r.seen {
			continue
		}
		if e.Seq != r.seen+1 {
			r.t.Fatalf("outbox seq %d follows %d", e.Seq, r.seen)
		}
		r.seen = e.Seq
		sum := sha256.Sum256(e.Payload)
		if e.Hash != hex.EncodeToString(sum[:]) {
			r.t.Fatalf("seq %d: hash %s is not sha256 of the payload", e.Seq, e.Hash)
		}
		var p map[string]any
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			r.t.Fatalf("seq %d: payload %s: %v", e.Seq, e.Payload, err)
		}
		if e.Version != 1 || e.RecordID == "" || e.CreatedAt != ms(now) {
			r.t.Fatalf("seq %d: version %d record %q created %d, want now %d", e.Seq, e.Version, e.RecordID, e.CreatedAt, ms(now))
		}
		if id, ok := p["id"]; ok && id != e.RecordID {
			r.t.Fatalf("seq %d: payload id %v, record id %s", e.Seq, id, e.RecordID)
		}
		if _, ok := p["ID"]; ok && p["ID"] != e.RecordID { // staff.save
			r.t.Fatalf("seq %d: payload ID %v, record id %s", e.Seq, p["ID"], e.RecordID)
		}
		m := e.Mutation
		switch m {
		case MutVisitEvent:
			m += ":" + p["kind"].(string)
		case MutRotationAction:
			m += ":" + p["action"].(string)
		}
		got = append(got, m)
		entries = append(entries, e)
	}
	return got, entries
}

func TestOutboxEveryChange(t *testing.T) {
	t.Parallel()
	s, admin, clk := newTestStore(t)
	ctx := context.Background()
	ob := &outboxReader{t: t, s: s}
	_, office, _ := s.Device()

	got, entries := ob.next(clk.Now())
	want := []string{MutOfficeSetup, MutStaffSave}
	for range DefaultSourceCodes {
		want = append(want, MutSourceSave)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("setup outbox %v, want %v", got, want)
	}
	if entries[0].RecordID != office.ID || entries[1].RecordID != admin.ID {
		t.Fatalf("setup records %s %s", entries[0].RecordID, entries[1].RecordID)
	}
	srcs, _ := s.Sources(ctx)
	for i, src := range srcs {
		if entries[2+i].RecordID != src.ID {
			t.Fatalf("source %d record %s, want %s", i, entries[2+i].RecordID, src.ID)
		}
	}

	var a, b Staff
	var v1, v2 Visit
	steps := []struct {
		name string
		do   func() (record string)
		want []string
	}{
		{"create consultant", func() string { a = mustStaff(t, s, admin, "甲", RoleConsultant, ""); return a.ID }, []string{MutStaffSave}},
		{"create second consultant", func() string { b = mustStaff(t, s, admin, "乙", RoleConsultant, ""); return b.ID }, []string{MutStaffSave}},
		{"update staff", func() string {
			mustOK(t, s.UpdateStaff(ctx, admin.ID, b.ID, StaffInput{Name: "乙二", Role: RoleConsultant}, true))
			return b.ID
		}, []string{MutStaffSave}},
		{"add source", func() string {
			src, err := s.AddSource(ctx, admin.ID, "业主推荐")
			mustOK(t, err)
			return src.ID
		}, []string{MutSourceSave}},
		{"rotation join", func() string { mustOK(t, s.RotationAction(ctx, admin.ID, a.ID, RotJoin)); return "" }, []string{"rotation.action:join"}},
		{"check-in with consultant", func() string {
			in := desk(t, s, "王芳", "13812345678")
			in.ConsultantID = a.ID
			v1 = mustCheckIn(t, s, admin.ID, in)
			return v1.ID
		}, []string{MutVisitCheckIn, "visit.event:assign", "rotation.action:assign"}},
		{"kiosk check-in", func() string {
			var err error
			v2, err = s.CheckIn(ctx, "", CheckInInput{Name: "李", Title: TitleMr, Phone: "13900000001", Purpose: PurposeViewing, Consent: true, Via: ViaKiosk})
			mustOK(t, err)
			return v2.ID
		}, []string{MutVisitCheckIn}},
		{"assign", func() string { mustOK(t, s.Assign(ctx, admin.ID, v2.ID, b.ID)); return "" }, []string{"visit.event:assign", "rotation.action:assign"}},
		{"hand over", func() string { mustOK(t, s.HandOver(ctx, admin.ID, v1.ID, AreaSandTable)); return "" }, []string{"visit.event:handover"}},
		{"move area", func() string { mustOK(t, s.MoveArea(ctx, admin.ID, v1.ID, AreaShowUnit)); return "" }, []string{"visit.event:area"}},
		{"check out frees consultant", func() string { mustOK(t, s.CheckOut(ctx, admin.ID, v1.ID)); return "" }, []string{"visit.event:checkout", "rotation.action:available"}},
		{"check out, consultant not in queue", func() string { mustOK(t, s.CheckOut(ctx, admin.ID, v2.ID)); return "" }, []string{"visit.event:checkout"}},
		{"rotation skip", func() string { mustOK(t, s.RotationAction(ctx, admin.ID, a.ID, RotSkip)); return "" }, []string{"rotation.action:skip"}},
		{"rotation leave", func() string { mustOK(t, s.RotationAction(ctx, admin.ID, a.ID, RotLeave)); return "" }, []string{"rotation.action:leave"}},
		{"device settings are not synced", func() string { mustOK(t, s.SetSetting(ctx, "lang", "zh")); return "" }, nil},
		{"sign-in failures are not synced", func() string { s.SignIn(ctx, admin.ID, "135792"); return "" }, nil},
	}
	for _, st := range steps {
		clk.Advance(time.Minute)
		record := st.do()
		got, entries := ob.next(clk.Now())
		if !slices.Equal(got, st.want) {
			t.Fatalf("%s: outbox %v, want %v", st.name, got, st.want)
		}
		if record != "" && entries[0].RecordID != record {
			t.Fatalf("%s: record %s, want %s", st.name, entries[0].RecordID, record)
		}
	}

	// The check-in payload carries the visitor; the staff payload the hash, not the PIN.
	var p struct {
		Name    string
		Kind    string
		Visitor struct {
			ID, Phone string
			New       bool
		}
	}
	var payload string
	mustOK(t, s.db.QueryRow(`SELECT payload FROM outbox WHERE record_id = ?`, v1.ID).Scan(&payload))
	mustOK(t, json.Unmarshal([]byte(payload), &p))
	if p.Name != "王芳" || p.Kind != KindFirst || p.Visitor.ID != v1.VisitorID || p.Visitor.Phone != "+8613812345678" || !p.Visitor.New {
		t.Fatalf("check-in payload %s", payload)
	}

	// Acknowledged rows are no longer pending.
	_, err := s.db.Exec(`UPDATE outbox SET pushed_at = 1 WHERE seq <= 5`)
	mustOK(t, err)
	pending, err := s.PendingOutbox(ctx, 3)
	mustOK(t, err)
	if len(pending) != 3 || pending[0].Seq != 6 || pending[2].Seq != 8 {
		t.Fatalf("pending %+v", pending)
	}
}

// TestFailedChangeRollsBack: a change that fails anywhere leaves no visit,
// no visitor, no event and no outbox row, and the outbox keeps its sequence.
func TestFailedChangeRollsBack(t *testing.T) {
	t.Parallel()
	s, admin, clk := newTestStore(t)
	ctx := context.Background()
	a := mustStaff(t, s, admin, "甲", RoleConsultant, "")
	recep := mustStaff(t, s, admin, "李静", RoleReceptionist, "135792")
	gone := mustStaff(t, s, admin, "丙", RoleConsultant, "")
	mustOK(t, s.UpdateStaff(ctx, admin.ID, gone.ID, StaffInput{Name: "丙", Role: RoleConsultant}, false))
	mustOK(t, s.RotationAction(ctx, admin.ID, a.ID, RotJoin))
	waiting := mustCheckIn(t, s, admin.ID, desk(t, s, "张伟", "13900000009"))
	ob := &outboxReader{t: t, s: s}
	ob.next(clk.Now())

	withTrigger := func(sql string, fn func() error) func() error {
		return func() error {
			if _, err := s.db.Exec(sql); err != nil {
				t.Fatal(err)
			}
			defer s.db.Exec(`DROP TRIGGER boom`)
			return fn()
		}
	}
	checkIn := func(actor, consultant string, auto bool) func() error {
		return func() error {
			in := desk(t, s, "王芳", "13812345678")
			in.ConsultantID, in.AutoAssign = consultant, auto
			_, err := s.CheckIn(ctx, actor, in)
			return err
		}
	}
	tests := []struct {
		name string
		do   func() error
		code string
	}{
		{"check-in to a receptionist", checkIn(admin.ID, recep.ID, false), EINVALID},
		{"check-in to an admin", checkIn(admin.ID, admin.ID, false), EINVALID},
		{"check-in to an inactive consultant", checkIn(admin.ID, gone.ID, false), EINVALID},
		{"check-in to nobody known", checkIn(admin.ID, "no-such-staff", false), ENOTFOUND},
		{"check-in by a consultant", checkIn(a.ID, "", false), EFORBIDDEN},
		{"rotation event fails", withTrigger(`CREATE TRIGGER boom BEFORE INSERT ON rotation_events BEGIN SELECT RAISE(ABORT, 'boom'); END`,
			checkIn(admin.ID, a.ID, false)), EINTERNAL},
		{"last outbox row fails", withTrigger(`CREATE TRIGGER boom BEFORE INSERT ON outbox WHEN NEW.mutation = 'rotation.action' BEGIN SELECT RAISE(ABORT, 'boom'); END`,
			checkIn(admin.ID, "", true)), EINTERNAL},
		{"assign's rotation fails", withTrigger(`CREATE TRIGGER boom BEFORE INSERT ON rotation BEGIN SELECT RAISE(ABORT, 'boom'); END`,
			func() error { return s.Assign(ctx, admin.ID, waiting.ID, a.ID) }), EINTERNAL},
		{"assign to a receptionist", func() error { return s.Assign(ctx, admin.ID, waiting.ID, recep.ID) }, EINVALID},
		{"staff outbox fails", withTrigger(`CREATE TRIGGER boom BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'boom'); END`,
			func() error {
				_, err := s.CreateStaff(ctx, admin.ID, StaffInput{Name: "丁", Role: RoleConsultant})
				return err
			}), EINTERNAL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk.Advance(time.Minute)
			before := snapshotCounts(t, s)
			var rot []RotationEntry
			rot, _ = s.Rotation(ctx, s.Today())
			wantCode(t, tt.do(), tt.code)
			wantUnchanged(t, s, before)
			after, _ := s.Rotation(ctx, s.Today())
			if !slices.Equal(rot, after) {
				t.Fatalf("rotation changed: %v → %v", rot, after)
			}
			var owner any
			s.db.QueryRow(`SELECT consultant_id FROM visitors WHERE id = ?`, waiting.VisitorID).Scan(&owner)
			if owner != nil {
				t.Fatalf("visitor got consultant %v", owner)
			}
		})
	}
	// After all that, the next change continues the sequence without a gap.
	clk.Advance(time.Minute)
	in := desk(t, s, "王芳", "13812345678")
	in.AutoAssign = true
	v := mustCheckIn(t, s, admin.ID, in)
	got, entries := ob.next(clk.Now())
	if !slices.Equal(got, []string{MutVisitCheckIn, "visit.event:assign", "rotation.action:assign"}) || entries[0].RecordID != v.ID {
		t.Fatalf("outbox after failures %v", got)
	}
}
