package data

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// hqLog plays HQ's part for the data layer: the changes of one scope in the
// order HQ gave them (seq 1, 2, …), made of real outbox rows of real stores.
type hqLog struct {
	scope   string
	changes []PulledChange
}

// push takes every pending outbox row of s, in order, into the log, and
// acknowledges them in s as HQ would.
func (l *hqLog) push(t testing.TB, s *Store) {
	t.Helper()
	ctx := context.Background()
	id, err := s.SyncIdentity(ctx)
	mustOK(t, err)
	pending, err := s.PendingOutbox(ctx, 1_000_000)
	mustOK(t, err)
	var outs []PushOutcome
	for _, e := range pending {
		seq := int64(len(l.changes) + 1)
		l.changes = append(l.changes, PulledChange{Seq: seq, Name: e.Mutation, Version: e.Version, RecordID: e.RecordID,
			Payload: e.Payload, OriginDevice: id.DeviceID, OriginSeq: e.Seq})
		outs = append(outs, PushOutcome{Seq: e.Seq, Status: PushApplied, Scope: l.scope, ScopeSeq: seq})
	}
	mustOK(t, s.AckPushed(ctx, outs))
}

// pull applies to s what it has not had of the log, in pages of page.
func (l *hqLog) pull(t testing.TB, s *Store, page int) {
	t.Helper()
	ctx := context.Background()
	cur, err := s.Cursors(ctx)
	mustOK(t, err)
	from := cur[l.scope]
	for from < int64(len(l.changes)) {
		end := min(from+int64(page), int64(len(l.changes)))
		mustOK(t, s.ApplyPulled(ctx, l.scope, l.changes[from:end], end, ""))
		from = end
	}
}

// joinStore opens a fresh store enrolled into office's office, at clk.
func joinStore(t testing.TB, office Office, tag string, clk *testClock) *Store {
	t.Helper()
	return joinStoreIn(t, t.TempDir(), office, tag, clk)
}

// joinStoreIn is joinStore with the store in dir (a test that restarts it).
func joinStoreIn(t testing.TB, dir string, office Office, tag string, clk *testClock) *Store {
	t.Helper()
	ctx := context.Background()
	s, err := Open(ctx, dir)
	mustOK(t, err)
	t.Cleanup(func() { s.Close() })
	s.Now = clk.Now
	id, err := s.SyncIdentity(ctx)
	mustOK(t, err)
	mustOK(t, s.Enroll(ctx, Enrollment{HQURL: "https://hq.example:8443", HQID: "hq-1", DeviceID: id.DeviceID, OfficeID: office.ID,
		OfficeCode: office.Code, OfficeName: office.Name, Role: SyncRoleOffice, Tag: tag, Scopes: []string{"office:" + office.ID, "global"},
		Secret: "s3cret-" + tag, DeviceName: "设备" + tag}))
	return s
}

// pushedLog is a new HQ log of a's office scope holding everything a has
// written so far (pushed and acknowledged).
func pushedLog(t testing.TB, a *Store) (Office, *hqLog) {
	t.Helper()
	_, office, err := a.Device()
	mustOK(t, err)
	log := &hqLog{scope: "office:" + office.ID}
	log.push(t, a)
	return office, log
}

// syncDump is every synced record and the state derived from them, one
// line per row, in a fixed order: two stores with the same records and the
// same derived state have the same dump.
func syncDump(t testing.TB, s *Store) string {
	t.Helper()
	queries := []string{
		`SELECT id, code, name, time_zone FROM office ORDER BY id`,
		`SELECT id, office_id, name, role, pin_hash, active, updated_at FROM staff ORDER BY id`,
		`SELECT id, code, name, sort, active FROM sources ORDER BY id`,
		`SELECT id, name, title, phone, COALESCE(consultant_id, '') FROM visitors ORDER BY id`,
		`SELECT id, visitor_id, name, day, kind, via, purpose, COALESCE(consultant_id, ''), COALESCE(assigned_at, 0), COALESCE(handed_over_at, 0), area, COALESCE(left_at, 0) FROM visits ORDER BY id`,
		`SELECT id, visit_id, kind, COALESCE(consultant_id, ''), area, sync_ord FROM visit_events ORDER BY id`,
		`SELECT id, day, consultant_id, action, COALESCE(visit_id, ''), sync_ord FROM rotation_events ORDER BY id`,
		`SELECT day, consultant_id, turn, status, makeup, served FROM rotation ORDER BY day, consultant_id`,
		`SELECT id, code, name_zh, name_en, sort, active FROM faq_categories ORDER BY id`,
		`SELECT id, latest_version, latest_status, COALESCE(live_version, 0) FROM faq_entries ORDER BY id`,
		`SELECT id, entry_id, version, question, answer, alternatives, tags, sync_ord FROM faq_versions ORDER BY id`,
		`SELECT id, entry_id, version, status, note, sync_ord FROM faq_status_events ORDER BY id`,
		`SELECT id, COALESCE(visit_id, ''), entry_id, entry_version, query FROM consult_log ORDER BY id`,
		`SELECT id, question, to_role, COALESCE(to_staff_id, ''), due_at, COALESCE(done_at, 0), COALESCE(done_by, ''), done_note FROM consult_handoffs ORDER BY id`,
		`SELECT id, handoff_id, note, sync_ord FROM consult_handoff_events ORDER BY id`,
		`SELECT id, query, norm FROM faq_misses ORDER BY id`,
	}
	var b strings.Builder
	for _, q := range queries {
		rows, err := s.db.Query(q)
		mustOK(t, err)
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			mustOK(t, rows.Scan(ptrs...))
			fmt.Fprintln(&b, q[7:30], vals)
		}
		mustOK(t, rows.Err())
		rows.Close()
	}
	return b.String()
}

// readAll is what the desk shows, read through the public API.
func readAll(t testing.TB, s *Store, actor string) string {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	add := func(name string, v any, err error) {
		t.Helper()
		mustOK(t, err)
		j, _ := json.Marshal(v)
		fmt.Fprintf(&b, "%s %s\n", name, j)
	}
	staff, err := s.ListStaff(ctx, true)
	add("staff", staff, err)
	src, err := s.Sources(ctx)
	add("sources", src, err)
	rot, err := s.Rotation(ctx, s.Today())
	add("rotation", rot, err)
	log, err := s.RotationLog(ctx, s.Today(), 100)
	add("rotation log", log, err)
	board, err := s.Board(ctx, s.Today(), BoardFilter{})
	add("board", board, err)
	for _, r := range board.Rows {
		v, err := s.VisitDetail(ctx, actor, r.VisitID)
		add("visit", v, err)
		c, err := s.VisitConsultations(ctx, r.VisitID)
		add("consultations", c, err)
	}
	cats, err := s.FAQCategories(ctx)
	add("categories", cats, err)
	ed, err := s.ListFAQ(ctx, FAQFilter{Editing: true})
	add("faq editing", ed, err)
	live, err := s.ListFAQ(ctx, FAQFilter{})
	add("faq live", live, err)
	for _, e := range ed {
		h, err := s.FAQHistory(ctx, e.ID)
		add("faq history", h, err)
		ev, err := s.FAQStatusEvents(ctx, e.ID)
		add("faq events", ev, err)
	}
	ho, err := s.OpenHandoffs(ctx)
	add("handoffs", ho, err)
	miss, err := s.TopFAQMisses(ctx, time.Time{}, 10)
	add("misses", miss, err)
	return b.String()
}

// officeWork does, at s, one of everything this part of the registry
// records, and returns the staff it made.
func officeWork(t testing.TB, s *Store, admin Staff, clk *testClock) (cons []Staff) {
	t.Helper()
	ctx := context.Background()
	tick := func() { clk.Advance(time.Minute) }
	for _, n := range []string{"甲", "乙", "丙"} {
		cons = append(cons, mustStaff(t, s, admin, n, RoleConsultant, ""))
		tick()
	}
	recep := mustStaff(t, s, admin, "前台", RoleReceptionist, "135792")
	tick()
	mustOK(t, s.UpdateStaff(ctx, admin.ID, cons[1].ID, StaffInput{Name: "乙二", Role: RoleConsultant}, true))
	mustOK(t, s.UpdateStaff(ctx, admin.ID, recep.ID, StaffInput{Name: "前台", Role: RoleReceptionist, PIN: "246813"}, true))
	_, err := s.AddSource(ctx, admin.ID, "业主推荐")
	mustOK(t, err)
	for _, c := range cons {
		tick()
		mustOK(t, s.RotationAction(ctx, admin.ID, c.ID, RotJoin))
	}
	mustOK(t, s.RotationAction(ctx, admin.ID, cons[0].ID, RotSkip))
	mustOK(t, s.RotationAction(ctx, admin.ID, cons[2].ID, RotMakeup))
	tick()
	in := desk(t, s, "王芳", "13812345678")
	in.AutoAssign = true
	v1 := mustCheckIn(t, s, admin.ID, in)
	tick()
	v2, err := s.CheckIn(ctx, "", CheckInInput{Name: "李", Title: TitleMr, Phone: "13900000001", Purpose: PurposeViewing, Consent: true, Via: ViaKiosk})
	mustOK(t, err)
	tick()
	mustOK(t, s.Assign(ctx, admin.ID, v2.ID, cons[1].ID))
	mustOK(t, s.HandOver(ctx, admin.ID, v1.ID, AreaSandTable))
	tick()
	mustOK(t, s.MoveArea(ctx, admin.ID, v1.ID, AreaShowUnit))
	tick()
	mustOK(t, s.CheckOut(ctx, admin.ID, v1.ID))
	// A return visit of the same phone: the visitor's own consultant.
	tick()
	in = desk(t, s, "王芳", "13812345678")
	in.AutoAssign = true
	mustCheckIn(t, s, recep.ID, in)

	mustOK(t, s.AddFAQCategory(ctx, admin.ID, FAQCategory{Code: "decor", NameZH: "装修", NameEN: "Decoration"}))
	f1, err := s.SaveFAQ(ctx, admin.ID, "", FAQInput{Category: "loans", Question: "首付比例是多少？", Answer: "首套房首付比例为百分之二十。", Alternatives: []string{"首付多少"}, Tags: []string{"首付"}})
	mustOK(t, err)
	tick()
	mustOK(t, s.SetFAQStatus(ctx, admin.ID, f1.EntryID, FAQReview, ""))
	mustOK(t, s.SetFAQStatus(ctx, admin.ID, f1.EntryID, FAQApproved, ""))
	tick()
	_, err = s.SaveFAQ(ctx, admin.ID, f1.EntryID, FAQInput{Category: "loans", Question: "首付比例是多少？", Answer: "首套房首付比例为百分之二十五。"})
	mustOK(t, err)
	mustOK(t, s.SetFAQStatus(ctx, admin.ID, f1.EntryID, FAQReview, ""))
	mustOK(t, s.SetFAQStatus(ctx, admin.ID, f1.EntryID, FAQDraft, "再核实"))
	f2, err := s.SaveFAQ(ctx, admin.ID, "", FAQInput{Category: "decor", Question: "交付是精装吗？", Answer: "交付标准为精装修。"})
	mustOK(t, err)
	mustOK(t, s.SetFAQStatus(ctx, admin.ID, f2.EntryID, FAQReview, ""))
	mustOK(t, s.SetFAQStatus(ctx, admin.ID, f2.EntryID, FAQApproved, ""))
	mustOK(t, s.SetFAQStatus(ctx, admin.ID, f2.EntryID, FAQRetired, ""))
	tick()
	mustOK(t, s.LogConsultation(ctx, admin.ID, v2.ID, f1.EntryID, "首付"))
	h, err := s.HandOffQuestion(ctx, admin.ID, HandoffInput{VisitID: v2.ID, Question: "公积金能贷多少？", ToRole: HandoffLoan, ToStaffID: cons[0].ID})
	mustOK(t, err)
	_, err = s.HandOffQuestion(ctx, admin.ID, HandoffInput{Question: "车位何时开售？", ToRole: HandoffSalesManager})
	mustOK(t, err)
	tick()
	mustOK(t, s.FinishHandoff(ctx, admin.ID, h.ID, "已回电"))
	mustOK(t, s.RecordFAQMiss(ctx, admin.ID, "学区划分"))
	mustOK(t, s.RecordFAQMiss(ctx, "", "学区 划分"))
	return cons
}

// ourMutations are the mutations this test file covers.
var ourMutations = []string{MutOfficeSetup, MutStaffSave, MutSourceSave, MutVisitCheckIn, MutVisitEvent, MutRotationAction,
	MutFAQCategory, MutFAQSave, MutFAQStatus, MutConsultLog, MutConsultHandoff, MutHandoffDone, MutFAQMiss}

// Every mutation recorded at one device, taken from its outbox and applied
// at another device of the office, reads the same there; and coming back
// to the device that made it (HQ's echo) changes nothing but its order.
func TestSyncEveryMutation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a, admin, clk := newTestStore(t)
	officeWork(t, a, admin, clk)
	pending, err := a.PendingOutbox(ctx, 100000)
	mustOK(t, err)
	seen := map[string]bool{}
	for _, e := range pending {
		seen[e.Mutation] = true
		d, err := DescribeMutation(e.Mutation, e.Version, e.Payload)
		if err != nil {
			t.Fatalf("outbox %d %s: %v\n%s", e.Seq, e.Mutation, err, e.Payload)
		}
		if d.RecordID != e.RecordID {
			t.Fatalf("outbox %d %s: record %s, described %s", e.Seq, e.Mutation, e.RecordID, d.RecordID)
		}
	}
	for _, m := range ourMutations {
		if !seen[m] {
			t.Errorf("no %s in the outbox", m)
		}
	}
	office, log := pushedLog(t, a)
	b := joinStore(t, office, "B", clk)
	log.pull(t, b, 7)

	wantDump, wantRead := syncDump(t, a), readAll(t, a, admin.ID)
	// Before the echo a's events still have their pending order; compare
	// what the desk shows, then the dumps after the echo.
	if got := readAll(t, b, admin.ID); got != wantRead {
		t.Fatalf("device b reads differently:\n%s\n---- want\n%s", got, wantRead)
	}
	before := map[string]int{}
	for _, tb := range []string{"visits", "visit_events", "rotation_events", "faq_versions", "faq_status_events", "staff", "sources", "consult_log"} {
		before[tb] = countRows(t, a, tb)
	}
	log.pull(t, a, 5) // the echo
	for tb, n := range before {
		if got := countRows(t, a, tb); got != n {
			t.Errorf("echo: %s has %d rows, had %d", tb, got, n)
		}
	}
	if got := readAll(t, a, admin.ID); got != wantRead {
		t.Fatalf("echo changed what a reads:\n%s\n---- want\n%s", got, wantRead)
	}
	if a, b := syncDump(t, a), syncDump(t, b); a != b {
		t.Fatalf("after the echo the stores differ:\n%s\n---- b\n%s", a, b)
	}
	_ = wantDump
	var ord int64
	mustOK(t, a.db.QueryRow(`SELECT max(sync_ord) FROM visit_events`).Scan(&ord))
	if ord >= pendingOrd {
		t.Fatalf("echoed events keep pending ords (%d)", ord)
	}
	// Staff sign in at b with the PIN set at a: the sealed hash travelled,
	// and b checks it once it has the office's PIN key, typed from a.
	_, err = b.SignIn(ctx, admin.ID, "258014")
	wantKey(t, err, EFORBIDDEN, "err.pinkey.needed")
	code, err := a.PINKeyCode(ctx, admin.ID)
	mustOK(t, err)
	mustOK(t, b.SetPINKey(ctx, code))
	staff, err := b.ListStaff(ctx, false)
	mustOK(t, err)
	for _, st := range staff {
		if st.Name == "前台" {
			if _, err := b.SignIn(ctx, st.ID, "246813"); err != nil {
				t.Fatalf("sign in at b: %v", err)
			}
		}
	}
	if _, err := b.SignIn(ctx, admin.ID, "258014"); err != nil {
		t.Fatalf("admin sign in at b: %v", err)
	}
	// b's id is not a's, and b numbers as B.
	if b.deviceTag() != "B" || a.deviceTag() != "" {
		t.Fatalf("tags a=%q b=%q", a.deviceTag(), b.deviceTag())
	}
}

// The same changes give the same state on every device, whatever order
// they arrive in: two devices work offline at once (both put the same
// consultant on duty, check visitors in, hand a question over and both
// mark it done), HQ orders their changes, and a device that pulls the log
// page by page, one that gets it as a shuffled snapshot, and both devices
// that made the changes all end with the same records and derived state.
func TestSyncArrivalOrderIndependent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a, admin, clk := newTestStore(t)
	_, office, _ := a.Device()
	log := &hqLog{scope: "office:" + office.ID}
	var cons []Staff
	for _, n := range []string{"甲", "乙", "丙", "丁"} {
		cons = append(cons, mustStaff(t, a, admin, n, RoleConsultant, ""))
	}
	h, err := a.HandOffQuestion(ctx, admin.ID, HandoffInput{Question: "公积金能贷多少？", ToRole: HandoffLoan})
	mustOK(t, err)
	log.push(t, a)
	b := joinStore(t, office, "B", clk)
	log.pull(t, b, 100)

	// Offline, at the same time.
	clk.Advance(time.Minute)
	for _, c := range cons[:3] {
		mustOK(t, a.RotationAction(ctx, admin.ID, c.ID, RotJoin))
	}
	for _, c := range []Staff{cons[3], cons[1], cons[0]} {
		mustOK(t, b.RotationAction(ctx, admin.ID, c.ID, RotJoin))
	}
	mustOK(t, b.RotationAction(ctx, admin.ID, cons[3].ID, RotMakeup))
	in := desk(t, a, "王芳", "13812345678")
	in.AutoAssign = true
	va := mustCheckIn(t, a, admin.ID, in)
	inB := CheckInInput{Name: "李雷", Phone: "13900000002", Purpose: PurposeViewing, Consent: true, Via: ViaKiosk, AutoAssign: true}
	vb, err := b.CheckIn(ctx, "", inB)
	mustOK(t, err)
	mustOK(t, a.HandOver(ctx, admin.ID, va.ID, AreaNegotiation))
	mustOK(t, b.RotationAction(ctx, admin.ID, cons[1].ID, RotBusy))
	clk.Advance(time.Minute)
	mustOK(t, b.FinishHandoff(ctx, admin.ID, h.ID, "b 已回电"))
	mustOK(t, a.FinishHandoff(ctx, admin.ID, h.ID, "a 已回电"))
	mustOK(t, a.CheckOut(ctx, admin.ID, va.ID))
	mustOK(t, b.MoveArea(ctx, admin.ID, vb.ID, AreaShowUnit))

	// HQ receives b's batch, then a's.
	log.push(t, b)
	log.push(t, a)

	c := joinStore(t, office, "C", clk)
	log.pull(t, c, 3)
	want := syncDump(t, c)
	for i, seed := range []uint64{1, 2} {
		d := joinStore(t, office, string(rune('D'+i)), clk)
		snap := shuffledSnapshot(log.changes, seed)
		k := 0
		mustOK(t, d.ApplySnapshot(ctx, log.scope, int64(len(log.changes)), "", func() (PulledChange, bool, error) {
			if k == len(snap) {
				return PulledChange{}, false, nil
			}
			k++
			return snap[k-1], true, nil
		}))
		if got := syncDump(t, d); got != want {
			t.Fatalf("snapshot in order %d differs:\n%s\n---- want\n%s", seed, got, want)
		}
	}
	log.pull(t, a, 4)
	log.pull(t, b, 50)
	for name, s := range map[string]*Store{"a": a, "b": b} {
		if got := syncDump(t, s); got != want {
			t.Fatalf("device %s differs after pulling:\n%s\n---- want\n%s", name, got, want)
		}
	}
	// The merged rotation: the joins each device made of the same
	// consultant count once; the handoff is done by b (first in HQ order).
	rot, err := c.Rotation(ctx, c.Today())
	mustOK(t, err)
	if len(rot) != 4 {
		t.Fatalf("merged rotation %+v", rot)
	}
	var doneBy, note string
	mustOK(t, c.db.QueryRow(`SELECT done_by, done_note FROM consult_handoffs WHERE id = ?`, h.ID).Scan(&doneBy, &note))
	if note != "b 已回电" {
		t.Fatalf("handoff done %q", note)
	}
}

// shuffledSnapshot is the log as HQ's snapshot gives it (by rank), with the
// changes of each rank in a random order.
func shuffledSnapshot(changes []PulledChange, seed uint64) []PulledChange {
	out := slices.Clone(changes)
	rank := func(c PulledChange) int { return mutationSpecs[mutationKey{c.Name, c.Version}].Rank }
	rng := rand.New(rand.NewPCG(seed, seed*7+1))
	rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	sort.SliceStable(out, func(i, j int) bool { return rank(out[i]) < rank(out[j]) })
	return out
}

// tableCounts counts the rows of every table of the main schema.
func tableCounts(t testing.TB, s *Store) map[string]int {
	t.Helper()
	rows, err := s.db.Query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)
	mustOK(t, err)
	var names []string
	for rows.Next() {
		var n string
		mustOK(t, rows.Scan(&n))
		names = append(names, n)
	}
	rows.Close()
	out := map[string]int{}
	for _, n := range names {
		out[n] = countRows(t, s, `"`+n+`"`)
	}
	return out
}

func TestEnrollFreshDevice(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, dir)
	mustOK(t, err)
	id1, err := s.SyncIdentity(ctx)
	mustOK(t, err)
	if id1.DeviceID == "" || id1.InstallEpoch == 0 || id1.OfficeID != "" || id1.HasHistory || id1.Enrolled {
		t.Fatalf("new device identity %+v", id1)
	}
	s.Close()
	s, err = Open(ctx, dir)
	mustOK(t, err)
	defer s.Close()
	id2, err := s.SyncIdentity(ctx)
	mustOK(t, err)
	if id2.DeviceID != id1.DeviceID || id2.InstallEpoch != id1.InstallEpoch {
		t.Fatalf("identity not kept: %+v then %+v", id1, id2)
	}
	const office = "0193a2b4-0000-7000-8000-000000000001"
	e := Enrollment{HQURL: "https://hq.example", Fingerprint: strings.Repeat("AB", 32), HQID: "hq", DeviceID: id1.DeviceID,
		OfficeID: office, OfficeCode: "sh01", OfficeName: "上海一号案场", Role: SyncRoleOffice, Tag: "B",
		Scopes: []string{"office:" + office, "global"}, Secret: "top-secret", DeviceName: "平板"}
	bad := e
	bad.DeviceID = "0193a2b4-0000-7000-8000-00000000dead"
	wantKey(t, s.Enroll(ctx, bad), ECONFLICT, "err.sync.device_mismatch")
	bad = e
	bad.Fingerprint = "zz"
	wantKey(t, s.Enroll(ctx, bad), EINVALID, "err.sync.enrollment")
	if s.IsSetUp() {
		t.Fatal("a refused enrollment set the device up")
	}
	mustOK(t, s.Enroll(ctx, e))
	d, o, err := s.Device()
	mustOK(t, err)
	if d.ID != id1.DeviceID || d.OfficeID != office || o.Code != "SH01" || o.Name != "上海一号案场" || d.Tag != "B" || d.Name != "平板" {
		t.Fatalf("enrolled device %+v office %+v", d, o)
	}
	id, err := s.SyncIdentity(ctx)
	mustOK(t, err)
	want := SyncIdentity{DeviceID: d.ID, DeviceName: "平板", InstallEpoch: id1.InstallEpoch, OfficeID: office, OfficeCode: "SH01", OfficeName: "上海一号案场",
		Enrolled: true, HQURL: "https://hq.example", Fingerprint: strings.Repeat("ab", 32), Role: SyncRoleOffice, Tag: "B", Scopes: e.Scopes}
	if !reflect.DeepEqual(id, want) {
		t.Fatalf("identity %+v\nwant %+v", id, want)
	}
	secret, err := s.DeviceSecret(ctx)
	if err != nil || secret != "top-secret" {
		t.Fatalf("secret %q %v", secret, err)
	}
	if n := countRows(t, s, "outbox"); n != 0 {
		t.Fatalf("a joining device wrote %d outbox rows", n)
	}
	st, err := s.SyncStatus(ctx)
	mustOK(t, err)
	if !st.Enrolled || st.Pending != 0 {
		t.Fatalf("status %+v", st)
	}
}

// A standalone office that worked for a while adopts HQ's office id: every
// row and every pending payload, nothing lost, the seqs dense.
func TestEnrollStandaloneAdoptsOffice(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, admin, clk := newTestStore(t)
	officeWork(t, s, admin, clk)
	_, old, _ := s.Device()
	dumpBefore := syncDump(t, s)
	readBefore := readAll(t, s, admin.ID)
	countsBefore := tableCounts(t, s)
	pendingBefore, err := s.PendingOutbox(ctx, 100000)
	mustOK(t, err)
	id, err := s.SyncIdentity(ctx)
	mustOK(t, err)
	if !id.HasHistory || id.OfficeID != old.ID || id.Enrolled {
		t.Fatalf("standalone identity %+v", id)
	}

	const hqOffice = "0193a2b4-0000-7000-8000-0000000000aa"
	mustOK(t, s.Enroll(ctx, Enrollment{HQURL: "https://hq.example", DeviceID: id.DeviceID, OfficeID: hqOffice, OfficeCode: "SH01",
		OfficeName: "上海一号案场", Role: SyncRoleOffice, Tag: "A", Scopes: []string{"office:" + hqOffice}, Secret: "x"}))

	_, o, err := s.Device()
	mustOK(t, err)
	if o.ID != hqOffice || o.Code != "SH01" {
		t.Fatalf("office after enrollment %+v", o)
	}
	after := tableCounts(t, s)
	for tb, n := range countsBefore {
		want := n
		switch tb {
		case "outbox":
			want = n - 1 // the office.setup
		case "sync_secret":
			want = 1
		}
		if after[tb] != want {
			t.Errorf("%s: %d rows after enrollment, want %d", tb, after[tb], want)
		}
	}
	tables, err := func() ([]string, error) {
		var out []string
		err := s.tx(ctx, func(tx *txn) (err error) { out, err = tablesWithColumn(ctx, tx, "office_id"); return })
		return out, err
	}()
	mustOK(t, err)
	if len(tables) < 15 {
		t.Fatalf("only %d tables with office_id: %v", len(tables), tables)
	}
	for _, tb := range tables {
		var n int
		mustOK(t, s.db.QueryRow(`SELECT count(*) FROM "`+tb+`" WHERE office_id = ?`, old.ID).Scan(&n))
		if n > 0 {
			t.Errorf("%s: %d rows keep the old office id", tb, n)
		}
	}
	pending, err := s.PendingOutbox(ctx, 100000)
	mustOK(t, err)
	if len(pending) != len(pendingBefore)-1 {
		t.Fatalf("%d pending after enrollment, %d before", len(pending), len(pendingBefore))
	}
	for i, e := range pending {
		if e.Seq != int64(i+1) {
			t.Fatalf("outbox seq %d at %d: not dense", e.Seq, i)
		}
		if e.Mutation == MutOfficeSetup {
			t.Fatal("office.setup still pending")
		}
		if strings.Contains(string(e.Payload), old.ID) {
			t.Fatalf("payload %d keeps the old office: %s", e.Seq, e.Payload)
		}
		if e.Hash != sha256Hex(e.Payload) {
			t.Fatalf("payload %d: stale hash", e.Seq)
		}
		d, err := DescribeMutation(e.Mutation, e.Version, e.Payload)
		mustOK(t, err)
		if d.OfficeID != hqOffice && d.OfficeID != "" {
			t.Fatalf("payload %d office %s", e.Seq, d.OfficeID)
		}
		// The row it wrote keeps its order, now under its new seq.
		prev := pendingBefore[i+1]
		if prev.RecordID != e.RecordID || prev.Mutation != e.Mutation {
			t.Fatalf("outbox %d was %s %s, now %s %s", e.Seq, prev.Mutation, prev.RecordID, e.Mutation, e.RecordID)
		}
		if e.Mutation == MutVisitEvent {
			var ord int64
			mustOK(t, s.db.QueryRow(`SELECT sync_ord FROM visit_events WHERE id = ?`, e.RecordID).Scan(&ord))
			if ord != pendingOrd+e.Seq {
				t.Fatalf("visit event ord %d, want pending + %d", ord, e.Seq)
			}
		}
	}
	if got := syncDump(t, s); got != strings.ReplaceAll(dumpBefore, old.ID, hqOffice) {
		// The dump has no office ids but the office row's and sync_ords moved by one.
		if strings.Count(got, "\n") != strings.Count(dumpBefore, "\n") {
			t.Fatalf("records changed in enrollment")
		}
	}
	readBefore = strings.ReplaceAll(readBefore, old.ID, hqOffice) // staff carry their office
	if got := readAll(t, s, admin.ID); got != readBefore {
		t.Fatalf("the desk reads differently after enrollment:\n%s\n---- before\n%s", got, readBefore)
	}

	// Leaving HQ keeps everything but the enrollment.
	countsEnrolled := tableCounts(t, s)
	mustOK(t, s.LeaveHQ(ctx))
	left := tableCounts(t, s)
	for tb, n := range countsEnrolled {
		want := n
		if tb == "sync_secret" {
			want = 0
		}
		if left[tb] != want {
			t.Errorf("leave: %s has %d rows, want %d", tb, left[tb], want)
		}
	}
	if _, err := s.DeviceSecret(ctx); ErrorCode(err) != ENOTFOUND {
		t.Fatalf("secret after leaving: %v", err)
	}
	id, err = s.SyncIdentity(ctx)
	mustOK(t, err)
	if id.Enrolled || id.Tag != "" || id.HQURL != "" || id.OfficeID != hqOffice || !id.HasHistory {
		t.Fatalf("identity after leaving %+v", id)
	}
	if got := readAll(t, s, admin.ID); got != readBefore {
		t.Fatal("the desk reads differently after leaving HQ")
	}
}

func TestAckRequeueRejections(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, admin, clk := newTestStore(t)
	mustStaff(t, s, admin, "甲", RoleConsultant, "")
	all, err := s.PendingOutbox(ctx, 1000)
	mustOK(t, err)
	n := len(all)
	if n < 5 {
		t.Fatalf("%d outbox rows", n)
	}
	mustOK(t, s.AckPushed(ctx, []PushOutcome{
		{Seq: 1, Status: PushApplied, Scope: "office:x", ScopeSeq: 10},
		{Seq: 2, Status: PushDuplicate},
		{Seq: 3, Status: PushRejected, Code: EFORBIDDEN, Key: "err.sync.other_office", Args: map[string]any{"Office": "SH02"}},
	}))
	if err := s.AckPushed(ctx, []PushOutcome{{Seq: 4, Status: "maybe"}}); err == nil {
		t.Fatal("unknown status accepted")
	}
	pending, err := s.PendingOutbox(ctx, 1000)
	mustOK(t, err)
	if len(pending) != n-3 || pending[0].Seq != 4 {
		t.Fatalf("pending after ack: %d from %d", len(pending), pending[0].Seq)
	}
	last, err := s.LastAcked(ctx)
	mustOK(t, err)
	if last != 3 {
		t.Fatalf("last acked %d", last)
	}
	rej, err := s.Rejections(ctx)
	mustOK(t, err)
	if len(rej) != 1 || rej[0].Seq != 3 || rej[0].Mutation != all[2].Mutation || rej[0].RecordID != all[2].RecordID ||
		rej[0].Key != "err.sync.other_office" || rej[0].Args["Office"] != "SH02" || !rej[0].At.Equal(fromMS(ms(clk.Now()))) {
		t.Fatalf("rejections %+v", rej)
	}
	st, err := s.SyncStatus(ctx)
	mustOK(t, err)
	if st.Pending != n-3 || st.Rejections != 1 || st.Enrolled {
		t.Fatalf("status %+v", st)
	}
	mustOK(t, s.NoteSyncResult(ctx, clk.Now(), "err.sync.unreachable"))
	clk.Advance(time.Minute)
	mustOK(t, s.NoteSyncResult(ctx, clk.Now(), ""))
	clk.Advance(time.Minute)
	mustOK(t, s.NoteSyncResult(ctx, clk.Now(), "err.sync.unreachable"))
	st, err = s.SyncStatus(ctx)
	mustOK(t, err)
	if st.LastErrorKey != "err.sync.unreachable" || !st.LastAttempt.Equal(fromMS(ms(clk.Now()))) || !st.LastSuccess.Equal(fromMS(ms(clk.Now().Add(-time.Minute)))) {
		t.Fatalf("status after results %+v", st)
	}

	// HQ restored from a backup lost everything from seq 2.
	mustOK(t, s.Requeue(ctx, 2))
	pending, err = s.PendingOutbox(ctx, 1000)
	mustOK(t, err)
	if len(pending) != n-1 || pending[0].Seq != 2 {
		t.Fatalf("pending after requeue: %d from %d", len(pending), pending[0].Seq)
	}
	if last, _ := s.LastAcked(ctx); last != 1 {
		t.Fatalf("last acked after requeue %d", last)
	}
	if rej, _ := s.Rejections(ctx); len(rej) != 0 {
		t.Fatalf("rejections after requeue %+v", rej)
	}
	// Pruning keeps what is recent and what is pending, and the last acked.
	clk.Advance(time.Hour)
	pruned, err := s.PruneAcked(ctx, clk.Now().Add(-2*time.Hour))
	mustOK(t, err)
	if pruned != 0 {
		t.Fatalf("pruned %d recent rows", pruned)
	}
	pruned, err = s.PruneAcked(ctx, clk.Now())
	mustOK(t, err)
	if pruned != 1 || countRows(t, s, "outbox") != n-1 {
		t.Fatalf("pruned %d, %d rows left", pruned, countRows(t, s, "outbox"))
	}
	if last, _ := s.LastAcked(ctx); last != 1 {
		t.Fatalf("last acked after prune %d", last)
	}
	if id, _ := s.SyncIdentity(ctx); !id.HasHistory {
		t.Fatal("pruned office has no history")
	}
}

func TestApplyPulledGapsAndBadChanges(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a, admin, clk := newTestStore(t)
	mustStaff(t, a, admin, "甲", RoleConsultant, "")
	office, log := pushedLog(t, a)
	b := joinStore(t, office, "B", clk)
	var notified atomic.Int32
	cancel := b.OnChange(func() { notified.Add(1) })
	defer cancel()

	before := tableCounts(t, b)
	for _, tc := range []struct {
		name    string
		changes []PulledChange
		next    int64
	}{
		{"gap at the start", log.changes[1:3], 3},
		{"gap inside", []PulledChange{log.changes[0], log.changes[2]}, 3},
		{"next beyond the page", log.changes[0:2], 3},
	} {
		err := b.ApplyPulled(ctx, log.scope, tc.changes, tc.next, "")
		wantKey(t, err, ECONFLICT, "err.sync.gap")
		if got := tableCounts(t, b); !reflect.DeepEqual(got, before) {
			t.Fatalf("%s: something was written", tc.name)
		}
	}
	if cur, _ := b.Cursors(ctx); cur[log.scope] != 0 {
		t.Fatalf("cursor moved: %v", cur)
	}
	mustOK(t, b.ApplyPulled(ctx, log.scope, log.changes[0:2], 2, ""))
	wantKey(t, b.ApplyPulled(ctx, log.scope, log.changes[1:3], 3, ""), ECONFLICT, "err.sync.gap") // overlap

	// A page with changes that cannot be applied: each skipped, the rest applied.
	other := `{"id":"0193a2b4-0000-7000-8000-0000000000c1","office_id":"0193a2b4-0000-7000-8000-0000000000ff","device_id":"0193a2b4-0000-7000-8000-0000000000d1",` +
		`"created_at":1,"created_by":"","code":"","name":"别家渠道","sort":10,"active":true}`
	mine := strings.Replace(strings.Replace(other, "0193a2b4-0000-7000-8000-0000000000ff", office.ID, 1), "别家渠道", "本家渠道", 1)
	mine = strings.Replace(mine, "0000000000c1", "0000000000c2", 1)
	rest := log.changes[2:]
	page := append([]PulledChange{}, rest...)
	n := int64(len(log.changes))
	for i, c := range []PulledChange{
		{Name: MutSourceSave, Version: 1, Payload: json.RawMessage(`{"id":`)},
		{Name: "visit.teleport", Version: 1, Payload: json.RawMessage(`{}`)},
		{Name: MutSourceSave, Version: 9, Payload: json.RawMessage(mine)},
		{Name: MutSourceSave, Version: 1, Payload: json.RawMessage(strings.Replace(mine, `"sort":10`, `"sort":10,"extra":1`, 1))},
		{Name: MutSourceSave, Version: 1, Payload: json.RawMessage(other)},
		{Name: MutSourceSave, Version: 1, Payload: json.RawMessage(mine)},
	} {
		c.Seq = n + int64(i) + 1
		page = append(page, c)
	}
	mustOK(t, b.ApplyPulled(ctx, log.scope, page, n+6, ""))
	srcs, err := b.Sources(ctx)
	mustOK(t, err)
	var names []string
	for _, s := range srcs {
		names = append(names, s.Name)
	}
	if !slices.Contains(names, "本家渠道") || slices.Contains(names, "别家渠道") {
		t.Fatalf("sources %v", names)
	}
	st, err := b.SyncStatus(ctx)
	mustOK(t, err)
	if st.Skipped != 5 {
		t.Fatalf("skipped %d, want 5", st.Skipped)
	}
	if cur, _ := b.Cursors(ctx); cur[log.scope] != n+6 {
		t.Fatalf("cursor %v", cur)
	}
	deadline := time.Now().Add(5 * time.Second)
	for notified.Load() < 2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if notified.Load() != 2 {
		t.Fatalf("OnChange ran %d times, want 2", notified.Load())
	}
	cancel()
	mustOK(t, b.ApplyPulled(ctx, log.scope, nil, n+6, "")) // an empty page changes nothing, tells no one
}

// A replaced record changed here and not yet pushed keeps the local
// version against an older one pulled; once pushed and echoed, the next
// change from elsewhere wins.
func TestPulledReplaceKeepsLocalPending(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a, admin, clk := newTestStore(t)
	c := mustStaff(t, a, admin, "甲", RoleConsultant, "")
	office, log := pushedLog(t, a)
	b := joinStore(t, office, "B", clk)
	log.pull(t, b, 100)
	log.pull(t, a, 100)

	mustOK(t, a.UpdateStaff(ctx, admin.ID, c.ID, StaffInput{Name: "甲在A", Role: RoleConsultant}, true))
	mustOK(t, b.UpdateStaff(ctx, admin.ID, c.ID, StaffInput{Name: "甲在B", Role: RoleConsultant}, true))
	log.push(t, a)      // HQ: a's first, then b's
	log.pull(t, b, 100) // b still has its own pending change
	if st, _ := b.StaffByID(ctx, c.ID); st.Name != "甲在B" {
		t.Fatalf("b's pending change lost: %q", st.Name)
	}
	log.push(t, b)
	log.pull(t, a, 100)
	log.pull(t, b, 100)
	for name, s := range map[string]*Store{"a": a, "b": b} {
		if st, _ := s.StaffByID(ctx, c.ID); st.Name != "甲在B" {
			t.Fatalf("%s: staff %q, want the last in HQ order", name, st.Name)
		}
	}

	// A local change HQ refuses stays here, shown, until HQ's next version.
	mustOK(t, b.UpdateStaff(ctx, admin.ID, c.ID, StaffInput{Name: "甲被拒", Role: RoleConsultant}, true))
	pending, err := b.PendingOutbox(ctx, 10)
	mustOK(t, err)
	mustOK(t, b.AckPushed(ctx, []PushOutcome{{Seq: pending[0].Seq, Status: PushRejected, Code: EFORBIDDEN, Key: "err.forbidden"}}))
	if st, _ := b.StaffByID(ctx, c.ID); st.Name != "甲被拒" {
		t.Fatalf("refused change lost at once: %q", st.Name)
	}
	mustOK(t, a.UpdateStaff(ctx, admin.ID, c.ID, StaffInput{Name: "甲终", Role: RoleConsultant}, true))
	log.push(t, a)
	log.pull(t, b, 100)
	if st, _ := b.StaffByID(ctx, c.ID); st.Name != "甲终" {
		t.Fatalf("after a refused change, HQ's next version did not replace it: %q", st.Name)
	}
}

// docs/data.md lists every registered mutation.
func TestDocsListEveryMutation(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../docs/data.md")
	mustOK(t, err)
	for _, m := range Mutations() {
		if !strings.Contains(string(b), fmt.Sprintf("`%s` v%d", m.Name, m.Version)) {
			t.Errorf("docs/data.md does not list `%s` v%d", m.Name, m.Version)
		}
	}
}

// FuzzDescribeMutation: no payload makes the registry panic, and a payload
// it accepts describes a record and encodes back to JSON it accepts again.
func FuzzDescribeMutation(f *testing.F) {
	s, admin, clk := newTestStore(f)
	officeWork(f, s, admin, clk)
	pending, err := s.PendingOutbox(context.Background(), 100000)
	mustOK(f, err)
	seen := map[string]bool{}
	for _, e := range pending {
		if !seen[e.Mutation] {
			seen[e.Mutation] = true
			f.Add(e.Mutation, e.Version, []byte(e.Payload))
		}
	}
	f.Add("visit.checkin", 1, []byte(`{"id":null}`))
	f.Add("staff.save", 2, []byte(`{}`))
	f.Fuzz(func(t *testing.T, name string, version int, raw []byte) {
		d, err := DescribeMutation(name, version, raw)
		if err != nil {
			if _, ok := AsError(err); !ok {
				t.Fatalf("not a coded error: %v", err)
			}
			return
		}
		if d.RecordID == "" || d.Spec.Name != name || d.Spec.Version != version {
			t.Fatalf("described %+v", d)
		}
		_, p, err := decodeMutation(name, version, raw)
		mustOK(t, err)
		b, _, err := encodePayload(p)
		mustOK(t, err)
		if _, err := DescribeMutation(name, version, b); err != nil {
			t.Fatalf("re-encoded payload refused: %v\n%s", err, b)
		}
	})
}

// The re-encoders rebuild exactly what record writes: a store's outbox,
// turned back into rows of before the registry (format 0, payloads of
// another shape, faq.save's record the entry), re-encodes on the next Open
// to the same bytes, hash and record id — for a replaced record, the bytes
// of its last save.
func TestReencodeRebuildsPayloads(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	s, admin, clk := newTestStoreIn(t, dir)
	officeWork(t, s, admin, clk)
	want, err := s.PendingOutbox(ctx, 100000)
	mustOK(t, err)
	last := map[string]OutboxEntry{} // record id → its last row
	for _, e := range want {
		last[e.RecordID] = e
	}
	var ords []int64
	rows, err := s.db.Query(`SELECT sync_ord FROM visit_events ORDER BY id`)
	mustOK(t, err)
	for rows.Next() {
		var o int64
		mustOK(t, rows.Scan(&o))
		ords = append(ords, o)
	}
	rows.Close()
	for _, e := range want {
		old := `{"ID":"` + e.RecordID + `","Old":true}`
		rec := e.RecordID
		if e.Mutation == MutFAQSave {
			var p faqSave
			mustOK(t, json.Unmarshal(e.Payload, &p))
			old = fmt.Sprintf(`{"entry_id":%q,"version_id":%q,"version":%d}`, p.EntryID, p.ID, p.Version)
			rec = p.EntryID
		}
		_, err := s.db.Exec(`UPDATE outbox SET format = 0, payload = ?, hash = 'old', record_id = ? WHERE seq = ?`, old, rec, e.Seq)
		mustOK(t, err)
	}
	s.Close()
	s2, err := Open(ctx, dir)
	mustOK(t, err)
	defer s2.Close()
	got, err := s2.PendingOutbox(ctx, 100000)
	mustOK(t, err)
	if len(got) != len(want) {
		t.Fatalf("%d rows after re-encoding, %d before", len(got), len(want))
	}
	for i, e := range got {
		w := want[i]
		spec := mutationSpecs[mutationKey{w.Mutation, w.Version}]
		if spec.Replace {
			w = last[w.RecordID]
		}
		if e.Seq != want[i].Seq || e.Mutation != w.Mutation || e.RecordID != w.RecordID || string(e.Payload) != string(w.Payload) || e.Hash != w.Hash {
			t.Fatalf("outbox %d re-encoded as\n%s %s %s\nwant\n%s %s %s", e.Seq, e.Mutation, e.RecordID, e.Payload, w.Mutation, w.RecordID, w.Payload)
		}
	}
	var n int
	mustOK(t, s2.db.QueryRow(`SELECT count(*) FROM outbox WHERE format = 0`).Scan(&n))
	if n != 0 {
		t.Fatalf("%d rows left at format 0", n)
	}
	rows, err = s2.db.Query(`SELECT sync_ord FROM visit_events ORDER BY id`)
	mustOK(t, err)
	var after []int64
	for rows.Next() {
		var o int64
		mustOK(t, rows.Scan(&o))
		after = append(after, o)
	}
	rows.Close()
	if !slices.Equal(after, ords) {
		t.Fatal("re-encoding moved events")
	}
}

// OnLocalWrite fires after a commit that appended to the outbox (a
// check-in), not after pulled changes, and not once cancelled.
func TestOnLocalWrite(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a, admin, clk := newTestStore(t)
	_, office, _ := a.Device()
	log := &hqLog{scope: "office:" + office.ID}
	b := joinStore(t, office, "B", clk)
	fired := make(chan struct{}, 8)
	cancel := b.OnLocalWrite(func() { fired <- struct{}{} })
	wait := func() bool {
		select {
		case <-fired:
			return true
		case <-time.After(500 * time.Millisecond):
			return false
		}
	}
	mustCheckIn(t, a, admin.ID, desk(t, a, "王芳", "13812345678"))
	log.push(t, a)
	log.pull(t, b, 100)
	if wait() {
		t.Error("pulled changes told the local-write listeners")
	}
	_, err := b.CheckIn(ctx, "", CheckInInput{Name: "李雷", Phone: "13900000002", Purpose: PurposeViewing, Consent: true, Via: ViaKiosk})
	mustOK(t, err)
	if !wait() {
		t.Error("a check-in did not tell the local-write listeners")
	}
	cancel()
	_, err = b.CheckIn(ctx, "", CheckInInput{Name: "韩梅", Phone: "13900000003", Purpose: PurposeViewing, Consent: true, Via: ViaKiosk})
	mustOK(t, err)
	if wait() {
		t.Error("a cancelled listener was told")
	}
}
