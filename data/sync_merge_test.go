package data

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"anchang/assets"
)

// The merge rules of docs/sync.md (Merge rules): two devices of one office
// write offline at the same time, then sync; every device ends with the
// same records and the same derived state, whatever HQ's order and
// whatever order the changes arrive in.

// TestVisitorsOfOnePhoneMerge: the same phone checked in on two devices
// while both were offline makes two visitors; after sync every device sees
// one customer: the visitor first in HQ's order, with both visits, its
// name, and the consultant assigned first in HQ's order. A check-in after
// the sync is a return visit of that customer on every device.
func TestVisitorsOfOnePhoneMerge(t *testing.T) {
	t.Parallel()
	for _, aFirst := range []bool{true, false} {
		name := map[bool]string{true: "A_first_at_HQ", false: "B_first_at_HQ"}[aFirst]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			a, admin, clk := newTestStore(t)
			ca := mustStaff(t, a, admin, "甲", RoleConsultant, "")
			cb := mustStaff(t, a, admin, "乙", RoleConsultant, "")
			other := mustCheckIn(t, a, admin.ID, desk(t, a, "李雷", testPhone(7))) // a visitor both devices have
			setTag(t, a, "A")
			b := cloneDevice(t, a, "B")
			fresh := cloneDevice(t, a, "C")
			var hq evLog
			base := hq.push(t, a)

			clk.Advance(time.Hour)
			va := mustCheckIn(t, a, admin.ID, desk(t, a, "王芳", "13812345678"))
			mustOK(t, a.Assign(ctx, admin.ID, va.ID, ca.ID))
			clk.Advance(time.Minute)
			vb := mustCheckIn(t, b, admin.ID, desk(t, b, "王小芳", "138 1234 5678"))
			mustOK(t, b.Assign(ctx, admin.ID, vb.ID, cb.ID))
			if va.Kind != KindFirst || vb.Kind != KindFirst || va.VisitorID == vb.VisitorID {
				t.Fatalf("offline check-ins %+v %+v", va, vb)
			}
			// Before sync each device knows its own visitor only.
			for _, c := range []struct {
				s    *Store
				want string
			}{{a, va.VisitorID}, {b, vb.VisitorID}} {
				r, ok, err := c.s.LookupPhone(ctx, "13812345678")
				mustOK(t, err)
				if !ok || r.VisitorID != c.want || r.Visits != 1 {
					t.Fatalf("before sync %+v", r)
				}
			}

			var fromA, fromB []OutboxEntry
			if aFirst {
				fromA, fromB = hq.push(t, a), hq.push(t, b)
			} else {
				fromB, fromA = hq.push(t, b), hq.push(t, a)
			}
			hq.pull(t, a, append(slices.Clone(fromA), fromB...))
			hq.pull(t, b, append(slices.Clone(fromB), fromA...))
			hq.pull(t, fresh, base)
			hq.pull(t, fresh, append(slices.Clone(fromB), fromA...))

			want := Returning{VisitorID: va.VisitorID, Name: "王芳", ConsultantID: ca.ID, ConsultantName: "甲", Visits: 2}
			if !aFirst {
				want = Returning{VisitorID: vb.VisitorID, Name: "王小芳", ConsultantID: cb.ID, ConsultantName: "乙", Visits: 2}
			}
			want.SourceID = firstSource(t, a) // both check-ins came from it
			for i, s := range []*Store{a, b, fresh} {
				r, ok, err := s.LookupPhone(ctx, "+8613812345678")
				mustOK(t, err)
				r.Recent, r.Title = nil, ""
				if !ok || r.OpenVisitID == "" {
					t.Fatalf("device %d: lookup %+v ok=%v", i, r, ok)
				}
				r.OpenVisitID = ""
				if !reflect.DeepEqual(r, want) {
					t.Fatalf("device %d: customer %+v, want %+v", i, r, want)
				}
				// A new ticket for the phone names the same customer.
				pc, ok, err := s.CustomerByPhone(ctx, admin.ID, "13812345678")
				mustOK(t, err)
				if !ok || pc.Name != want.Name {
					t.Fatalf("device %d: ticket customer %q, want %q", i, pc.Name, want.Name)
				}
				// Both visits show the one customer on the board.
				for _, v := range []Visit{va, vb} {
					d, err := s.VisitDetail(ctx, admin.ID, v.ID)
					mustOK(t, err)
					if d.VisitorID != want.VisitorID {
						t.Fatalf("device %d: visit %s of visitor %s, want %s", i, v.Name, d.VisitorID, want.VisitorID)
					}
				}
				// The visitor nobody checked in twice is untouched.
				r, ok, err = s.LookupPhone(ctx, testPhone(7))
				mustOK(t, err)
				if !ok || r.VisitorID != other.VisitorID || r.Visits != 1 {
					t.Fatalf("device %d: other visitor %+v", i, r)
				}
			}
			// The next check-in of that phone, on either device, is a
			// return visit of the customer.
			clk.Advance(24 * time.Hour)
			for _, s := range []*Store{a, b} {
				v := mustCheckIn(t, s, admin.ID, desk(t, s, "王芳", "13812345678"))
				if v.Kind != KindReturn || v.VisitorID != want.VisitorID {
					t.Fatalf("after sync: %+v, want a return visit of %s", v, want.VisitorID)
				}
			}
			// The changes applied again (a re-delivery) change nothing.
			hq.pull(t, fresh, append(slices.Clone(fromA), fromB...))
			r, _, err := fresh.LookupPhone(ctx, "13812345678")
			mustOK(t, err)
			if r.VisitorID != want.VisitorID || r.Visits != 2 || r.ConsultantID != want.ConsultantID {
				t.Fatalf("after a re-delivery %+v", r)
			}
		})
	}
}

// TestHandoverCompletedOnTwoDevices: a handover completed on two devices
// offline schedules its move-in revisits once: both devices make the same
// revisit ids, and the schedule first in HQ's order is the one every
// device keeps. A result recorded on either device is the revisit's
// everywhere.
func TestHandoverCompletedOnTwoDevices(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a, admin, recep, clk := inspectionStore(t)
	ins := mustStart(t, a, recep.ID, handoverInput("1202"))
	answerAll(t, a, recep.ID, mustDetail(t, a, recep.ID, ins.ID), nil)
	var hq evLog
	hq.push(t, a)
	setTag(t, a, "A")
	b := cloneDevice(t, a, "B")

	// B completes it a day and a half after A (its windows start later).
	mustOK(t, a.CompleteInspection(ctx, recep.ID, ins.ID, CompleteInput{PaperSign: true}))
	clk.Advance(36 * time.Hour)
	mustOK(t, b.CompleteInspection(ctx, admin.ID, ins.ID, CompleteInput{PaperSign: true}))
	la, lb := careList(t, a, admin.ID, CareFilterAll, ""), careList(t, b, admin.ID, CareFilterAll, "")
	if len(la) != 2 || len(lb) != 2 || la[0].ID != lb[0].ID || la[0].From.Equal(lb[0].From) {
		t.Fatalf("before sync:\nA %+v\nB %+v", la, lb)
	}
	fromB := hq.push(t, b) // B's completion first at HQ
	fromA := hq.push(t, a)
	hq.pull(t, a, append(slices.Clone(fromA), fromB...))
	hq.pull(t, b, append(slices.Clone(fromB), fromA...))
	la, lb = careList(t, a, admin.ID, CareFilterAll, ""), careList(t, b, admin.ID, CareFilterAll, "")
	if !reflect.DeepEqual(la, lb) {
		t.Fatalf("revisits differ:\nA %+v\nB %+v", la, lb)
	}
	if len(la) != 2 {
		t.Fatalf("%d revisits, want 2 (3 months, 1 year): %+v", len(la), la)
	}
	for i, r := range la {
		if !r.From.Equal(lb[i].From) || r.CreatedBy != admin.ID {
			t.Fatalf("revisit %s is not B's (first at HQ): %+v", r.Kind, r)
		}
	}
	// A result recorded on A reaches B, on the same revisit.
	clk.Advance(100 * 24 * time.Hour)
	_, err := a.RecordCareRevisit(ctx, recep.ID, la[0].ID, CareResult{Method: "phone", Satisfaction: 5})
	mustOK(t, err)
	hq.pull(t, b, hq.push(t, a))
	r, err := b.CareRevisit(ctx, admin.ID, la[0].ID)
	mustOK(t, err)
	if r.Result == nil || r.Result.Satisfaction != 5 {
		t.Fatalf("result on B %+v", r)
	}
	if n := countRows(t, b, "care_revisits"); n != 2 {
		t.Fatalf("%d care revisits on B, want 2", n)
	}
}

// fixtureV9 is a database from before the merge rules (schema 9): a care
// revisit scheduled on this device (waiting in the outbox) and the
// office's opening hours kept as the device's own setting. After
// migrating: the revisit has its outbox row's place; the hours are the
// office's record, waiting to be pushed, and read as before.
func fixtureV9(t *testing.T, db *sql.DB) func(*testing.T, *Store) {
	const (
		at    = int64(1_795_399_200_000) // 2026-11-23 10:00 Shanghai
		dev   = "01a25147-eb88-7d7f-a310-6b45785b4953"
		off   = "01a25147-eb88-7d84-8153-97d95138ae1d"
		admin = "01a25147-eb8b-7a96-a2cf-ac14c6c70760"
		care  = "01a25147-ec00-7000-8000-000000000009"
		care2 = "01a25147-ec00-7000-8000-00000000000a"
	)
	hash, err := hashPIN("258014")
	mustOK(t, err)
	for _, st := range []struct {
		q    string
		args []any
	}{
		{`INSERT INTO device (id, office_id, device_id, created_at, name, install_epoch) VALUES (?, ?, ?, ?, '前台', 7)`, []any{dev, off, dev, at}},
		{`INSERT INTO office (id, office_id, device_id, created_at, created_by, code, name) VALUES (?, ?, ?, ?, ?, 'SH01', '上海一号案场')`, []any{off, off, dev, at, admin}},
		{`INSERT INTO staff (id, office_id, device_id, created_at, name, role, pin_hash, active, updated_at) VALUES (?, ?, ?, ?, '管理员', 'admin', ?, 1, ?)`, []any{admin, off, dev, at, hash, at}},
		{`INSERT INTO care_revisits (id, office_id, device_id, created_at, created_by, kind, customer_name, phone, due_from, due_to)
		  VALUES (?, ?, ?, ?, ?, 'special', '赵敏', '+8613900001111', ?, ?)`, []any{care, off, dev, at, admin, at, at + 86_400_000}},
		{`INSERT INTO care_revisits (id, office_id, device_id, created_at, created_by, kind, customer_name, phone, due_from, due_to)
		  VALUES (?, ?, ?, ?, ?, 'special', '钱多', '+8613900002222', ?, ?)`, []any{care2, off, dev, at, admin, at, at + 86_400_000}},
		{`INSERT INTO outbox (mutation, version, record_id, payload, hash, created_at, format) VALUES ('staff.save', 1, ?, '{}', 'h', ?, 1)`, []any{admin, at}},
		{`INSERT INTO outbox (mutation, version, record_id, payload, hash, created_at, format) VALUES ('care_revisit.schedule', 1, ?, '{}', 'h', ?, 1)`, []any{care2, at}},
		{`INSERT INTO settings (key, value) VALUES ('office.opening_hours', '{"days":"12345","open":"08:30","close":"17:30"}')`, nil},
	} {
		if _, err := db.Exec(st.q, st.args...); err != nil {
			t.Fatalf("%s: %v", st.q, err)
		}
	}
	return func(t *testing.T, s *Store) {
		ctx := context.Background()
		var ord1, ord2 int64
		mustOK(t, s.db.QueryRow(`SELECT sync_ord FROM care_revisits WHERE id = ?`, care).Scan(&ord1))
		mustOK(t, s.db.QueryRow(`SELECT sync_ord FROM care_revisits WHERE id = ?`, care2).Scan(&ord2))
		if ord1 != 1 || ord2 != pendingOrd+2 {
			t.Fatalf("care revisit places %d %d, want 1 (rowid) and pending+2", ord1, ord2)
		}
		h, err := s.OfficeHours(ctx)
		mustOK(t, err)
		if h.Open != 8*time.Hour+30*time.Minute || h.Close != 17*time.Hour+30*time.Minute || !h.Days[time.Monday] || h.Days[time.Saturday] {
			t.Fatalf("office hours after the move %+v", h)
		}
		if v, err := s.Setting(ctx, settingOfficeHours, ""); err != nil || v != "" {
			t.Fatalf("setting left: %q %v", v, err)
		}
		pending, err := s.PendingOutbox(ctx, 10)
		mustOK(t, err)
		last := pending[len(pending)-1]
		if last.Mutation != MutOfficeHours || last.RecordID != officeHoursID(off) {
			t.Fatalf("outbox %+v", last)
		}
		if _, err := DescribeMutation(last.Mutation, last.Version, last.Payload); err != nil {
			t.Fatalf("describe %s: %v", last.Payload, err)
		}
	}
}

// TestOfficeHoursAreTheOffices: opening hours set on one device are the
// office's: they reach every device of the office; when two admins set
// them offline, the later in HQ's order wins everywhere; a device's own
// change not yet pushed stays until HQ orders it.
func TestOfficeHoursAreTheOffices(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a, p, clk := newTicketStore(t)
	_, office, _ := a.Device()
	log := &hqLog{scope: "office:" + office.ID}
	log.push(t, a)
	b := joinStore(t, office, "B", clk)
	log.pull(t, b, 50)
	weekdays := OfficeHours{Days: [7]bool{false, true, true, true, true, true, false}, Open: 9 * time.Hour, Close: 17 * time.Hour}
	late := OfficeHours{Days: [7]bool{true, true, true, true, true, true, true}, Open: 10 * time.Hour, Close: 21 * time.Hour}
	mustOK(t, a.SetOfficeHours(ctx, p.admin.ID, weekdays))
	mustOK(t, b.SetOfficeHours(ctx, p.admin.ID, late))
	log.push(t, a)
	log.pull(t, b, 50) // A's change, ordered first, does not undo B's pending one
	if h, _ := b.OfficeHours(ctx); h != late {
		t.Fatalf("B with its change pending: %+v", h)
	}
	log.push(t, b) // B's is later in HQ's order: it wins
	fresh := joinStore(t, office, "C", clk)
	for _, s := range []*Store{a, b, fresh} {
		log.pull(t, s, 3)
	}
	for i, s := range []*Store{a, b, fresh} {
		if h, err := s.OfficeHours(ctx); err != nil || h != late {
			t.Fatalf("device %d: %+v %v, want %+v", i, h, err, late)
		}
		cal, err := s.Calendar(ctx)
		mustOK(t, err)
		if cal.OfficeHours() != late {
			t.Fatalf("device %d: calendar %+v", i, cal.OfficeHours())
		}
		if n := countRows(t, s, "office_hours"); n != 1 {
			t.Fatalf("device %d: %d office hours records", i, n)
		}
	}
	// Hours that do not validate are refused by the registry (at HQ, and
	// on a device pulling them).
	last := log.changes[len(log.changes)-1]
	if last.Name != MutOfficeHours {
		t.Fatalf("last change %s", last.Name)
	}
	bad := strings.Replace(string(last.Payload), `"close":"21:00"`, `"close":"08:00"`, 1)
	if _, err := DescribeMutation(last.Name, last.Version, []byte(bad)); ErrorCode(err) != EINVALID || bad == string(last.Payload) {
		t.Fatalf("bad hours described: %v", err)
	}
}

// TestReferenceVersionsDoNotClash: a standalone office numbered its own
// SLA policy and checklist template versions 2, 3, …; HQ publishes its
// versions from HQVersionBase + 1, so when the office enrolls and pulls
// them neither is lost: HQ's is current, the office's own stays for the
// tickets and inspections made under it.
func TestReferenceVersionsDoNotClash(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a, p, clk := newTicketStore(t)
	_, err := a.EnsureInspectionTemplate(ctx, assets.HandoverTemplate)
	mustOK(t, err)
	pol, err := a.SLAPolicy(ctx)
	mustOK(t, err)
	own := slices.Clone(pol.Rules)
	own[0].Response = mustLimit("1h")
	ownPol, err := a.SaveSLAPolicy(ctx, p.admin.ID, own, pol.Urgent)
	mustOK(t, err)
	ownTpl, err := a.ImportInspectionTemplate(ctx, p.admin.ID, assets.HandoverTemplate)
	mustOK(t, err)
	if ownPol.Version != 2 || ownTpl.Version != 2 {
		t.Fatalf("office versions %d %d, want 2", ownPol.Version, ownTpl.Version)
	}

	// An HQ device (enrolled with an HQ code) and an admin of its own.
	h, err := Open(ctx, t.TempDir())
	mustOK(t, err)
	t.Cleanup(func() { h.Close() })
	h.Now = clk.Now
	id, err := h.SyncIdentity(ctx)
	mustOK(t, err)
	mustOK(t, h.Enroll(ctx, Enrollment{HQURL: "https://hq.example:8443", HQID: "hq-1", DeviceID: id.DeviceID, Role: SyncRoleHQ,
		Scopes: []string{"global"}, Secret: "s3cret", DeviceName: "总部"}))
	_, hqOffice, err := h.Device()
	mustOK(t, err)
	pinHash, err := hashPIN("258014")
	mustOK(t, err)
	hqAdmin := newID()
	_, err = h.db.Exec(`INSERT INTO staff (id, office_id, device_id, created_at, name, role, pin_hash, active, updated_at) VALUES (?, ?, ?, 1, '总部管理员', 'admin', ?, 1, 1)`,
		hqAdmin, hqOffice.ID, id.DeviceID, pinHash)
	mustOK(t, err)
	_, err = h.EnsureInspectionTemplate(ctx, assets.HandoverTemplate)
	mustOK(t, err)
	hqRules := slices.Clone(pol.Rules)
	hqRules[0].Response = mustLimit("3h")
	hqPol, err := h.SaveSLAPolicy(ctx, hqAdmin, hqRules, pol.Urgent)
	mustOK(t, err)
	hqTpl, err := h.ImportInspectionTemplate(ctx, hqAdmin, assets.HandoverTemplate)
	mustOK(t, err)
	if hqPol.Version != HQVersionBase+1 || hqTpl.Version != HQVersionBase+1 {
		t.Fatalf("HQ versions %d %d, want %d", hqPol.Version, hqTpl.Version, HQVersionBase+1)
	}

	// The office pulls HQ's global changes.
	var hq evLog
	hq.pull(t, a, hq.push(t, h))
	cur, err := a.SLAPolicy(ctx)
	mustOK(t, err)
	if cur.Version != hqPol.Version || cur.Rules[0].Response != hqRules[0].Response {
		t.Fatalf("current policy v%d %+v, want HQ's", cur.Version, cur.Rules[0])
	}
	old, err := a.SLAPolicyVersion(ctx, 2)
	mustOK(t, err)
	if old.Rules[0].Response != own[0].Response {
		t.Fatalf("the office's own v2 is gone: %+v", old.Rules[0])
	}
	vs, err := a.InspectionTemplateVersions(ctx, ownTpl.Code)
	mustOK(t, err)
	var got []string
	for _, v := range vs {
		got = append(got, fmt.Sprint(v.Version, " ", v.ID == ownTpl.ID || v.ID == hqTpl.ID))
	}
	if want := []string{"1001 true", "2 true", "1 false"}; !slices.Equal(got, want) {
		t.Fatalf("template versions %v, want %v", got, want)
	}
	// Another office version after leaving HQ comes after HQ's.
	if v, err := a.SaveSLAPolicy(ctx, p.admin.ID, own, pol.Urgent); err != nil || v.Version != HQVersionBase+2 {
		t.Fatalf("next office version %+v %v", v.Version, err)
	}
}
