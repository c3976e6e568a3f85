package data

import (
	"context"
	"slices"
	"testing"
	"time"
)

// hqStore opens a fresh store enrolled as an HQ device of HQ "hq-1".
func hqStore(t testing.TB) *Store {
	t.Helper()
	ctx := context.Background()
	s, err := Open(ctx, t.TempDir())
	mustOK(t, err)
	t.Cleanup(func() { s.Close() })
	clk := &testClock{t: time.Date(2026, 11, 23, 10, 0, 0, 0, shanghai)}
	s.Now = clk.Now
	id, err := s.SyncIdentity(ctx)
	mustOK(t, err)
	mustOK(t, s.Enroll(ctx, Enrollment{HQURL: "https://hq.example:8443", HQID: "hq-1", DeviceID: id.DeviceID, Role: SyncRoleHQ,
		Scopes: []string{"global", "hq"}, Secret: "s3cret", DeviceName: "总部一号机"}))
	return s
}

func errKeyOf(err error) string {
	if e, ok := AsError(err); ok {
		return e.Key
	}
	return ""
}

func TestFirstAdminOfHQDevice(t *testing.T) {
	ctx := context.Background()
	s := hqStore(t)
	if !s.IsSetUp() {
		t.Fatal("an enrolled HQ device is set up")
	}
	if need, err := s.NeedsFirstAdmin(ctx); err != nil || !need {
		t.Fatalf("needs first admin: %v, %v", need, err)
	}
	if _, err := s.Setup(ctx, SetupInput{OfficeName: "总部", OfficeCode: "HQ", DeviceName: "x", AdminName: "管理员", AdminPIN: "258014"}); errKeyOf(err) != "err.setup.done" {
		t.Fatalf("setup on an enrolled HQ device: %v", err)
	}
	// Bad input: a clear error, nothing written.
	for _, in := range []FirstAdminInput{
		{Name: "", PIN: "258014"},
		{Name: "总部管理员", PIN: ""},
		{Name: "总部管理员", PIN: "12"},
		{Name: "总部管理员", PIN: "abcd"},
		{Name: "王\u202e五", PIN: "258014"},
	} {
		_, err := s.CreateFirstAdmin(ctx, in)
		if e, ok := AsError(err); !ok || e.Code != EINVALID || e.Field == "" {
			t.Errorf("%+v: %v, want an invalid field", in, err)
		}
	}
	if st, _ := s.ListStaff(ctx, true); len(st) != 0 {
		t.Fatalf("bad input wrote %d staff", len(st))
	}
	admin, err := s.CreateFirstAdmin(ctx, FirstAdminInput{Name: " 总部管理员 ", PIN: "２５８０１４"}) // full-width digits from an IME
	mustOK(t, err)
	if admin.Role != RoleAdmin || admin.Name != "总部管理员" || admin.OfficeID != HQLocalOfficeID("hq-1") {
		t.Fatalf("first admin %+v", admin)
	}
	if _, err := s.SignIn(ctx, admin.ID, "258014"); err != nil {
		t.Fatalf("sign in: %v", err)
	}
	if need, err := s.NeedsFirstAdmin(ctx); err != nil || need {
		t.Fatalf("needs first admin after one: %v, %v", need, err)
	}
	if _, err := s.CreateFirstAdmin(ctx, FirstAdminInput{Name: "第二个", PIN: "135792"}); errKeyOf(err) != "err.first_admin.exists" {
		t.Fatalf("second first admin: %v", err)
	}
	// The admin goes to HQ as a staff.save of the local office (HQ's scope "hq").
	pending, err := s.PendingOutbox(ctx, 100)
	mustOK(t, err)
	if len(pending) != 1 || pending[0].Mutation != MutStaffSave {
		t.Fatalf("outbox %+v", pending)
	}
	d, err := DescribeMutation(pending[0].Mutation, pending[0].Version, pending[0].Payload)
	mustOK(t, err)
	if d.OfficeID != HQLocalOfficeID("hq-1") {
		t.Errorf("staff.save office %q", d.OfficeID)
	}

	// Anywhere else there is no first admin to make.
	office, _, _ := newTestStore(t)
	if _, err := office.CreateFirstAdmin(ctx, FirstAdminInput{Name: "张三", PIN: "258014"}); errKeyOf(err) != "err.first_admin.not_hq" {
		t.Errorf("standalone office: %v", err)
	}
	if need, err := office.NeedsFirstAdmin(ctx); err != nil || need {
		t.Errorf("standalone office needs a first admin: %v, %v", need, err)
	}
	o := Office{ID: "0193a2b4-0000-7000-8000-0000000000aa", Code: "SH01", Name: "上海一号案场"}
	joined := joinStore(t, o, "B", &testClock{t: time.Date(2026, 11, 23, 10, 0, 0, 0, shanghai)})
	if _, err := joined.CreateFirstAdmin(ctx, FirstAdminInput{Name: "张三", PIN: "258014"}); errKeyOf(err) != "err.first_admin.not_hq" {
		t.Errorf("office device: %v", err)
	}
}

// A second HQ device gets the first one's admin from HQ's scope and needs
// none of its own.
func TestSecondHQDeviceHasTheAdmin(t *testing.T) {
	ctx := context.Background()
	first, second := hqStore(t), hqStore(t)
	admin, err := first.CreateFirstAdmin(ctx, FirstAdminInput{Name: "总部管理员", PIN: "258014"})
	mustOK(t, err)
	log := &hqLog{scope: "hq"}
	log.push(t, first)
	log.pull(t, second, 10)
	if need, err := second.NeedsFirstAdmin(ctx); err != nil || need {
		t.Fatalf("second HQ device needs a first admin: %v, %v", need, err)
	}
	// HQ's devices share a PIN key as an office's do: typed from the first.
	_, err = second.SignIn(ctx, admin.ID, "258014")
	wantKey(t, err, EFORBIDDEN, "err.pinkey.needed")
	code, err := first.PINKeyCode(ctx, admin.ID)
	mustOK(t, err)
	mustOK(t, second.SetPINKey(ctx, code))
	if _, err := second.SignIn(ctx, admin.ID, "258014"); err != nil {
		t.Fatalf("sign in on the second HQ device: %v", err)
	}
}

// An office drafts and submits; the draft reaches the HQ device (HQ's
// review queue); approving it there publishes a version of HQ's own in
// global, which an office that never saw the draft receives whole.
func TestHQApprovesAnOfficeDraft(t *testing.T) {
	ctx := context.Background()
	hqS := hqStore(t)
	hqAdmin, err := hqS.CreateFirstAdmin(ctx, FirstAdminInput{Name: "总部管理员", PIN: "258014"})
	mustOK(t, err)
	(&hqLog{scope: "hq"}).push(t, hqS) // the admin: HQ's own scope
	mustOK(t, hqS.AddFAQCategory(ctx, hqAdmin.ID, FAQCategory{Code: "showroom", NameZH: "样板间"}))
	global := &hqLog{scope: "global"}
	global.push(t, hqS)

	offA, adminA, _ := newTestStore(t)
	idA, err := offA.SyncIdentity(ctx)
	mustOK(t, err)
	const officeA = "0193a2b4-0000-7000-8000-0000000000aa"
	mustOK(t, offA.Enroll(ctx, Enrollment{HQURL: "https://hq.example", HQID: "hq-1", DeviceID: idA.DeviceID, OfficeID: officeA, OfficeCode: "SH01",
		OfficeName: "上海一号案场", Role: SyncRoleOffice, Tag: "A", Scopes: []string{"office:" + officeA, "global"}, Secret: "x"}))
	global.pull(t, offA, 50)
	before, err := offA.PendingOutbox(ctx, 100000)
	mustOK(t, err)
	v, err := offA.SaveFAQ(ctx, adminA.ID, "", FAQInput{Category: "showroom", Question: "样板间几点开放？", Answer: "每天上午九点到下午六点开放。"})
	mustOK(t, err)
	mustOK(t, offA.SetFAQStatus(ctx, adminA.ID, v.EntryID, FAQReview, ""))
	if err := offA.SetFAQStatus(ctx, adminA.ID, v.EntryID, FAQApproved, ""); errKeyOf(err) != "err.sync.approved_at_hq" {
		t.Fatalf("office approves: %v", err)
	}
	if err := offA.SetVagueWords(ctx, adminA.ID, []string{"大概"}); errKeyOf(err) != "err.sync.approved_at_hq" {
		t.Fatalf("office edits the vague words: %v", err)
	}
	mustOK(t, hqS.SetVagueWords(ctx, hqAdmin.ID, []string{"大概", "可能"}))
	after, err := offA.PendingOutbox(ctx, 100000)
	mustOK(t, err)
	// HQ's review queue: the office's draft rows only.
	review := &hqLog{scope: "hq"}
	for _, e := range after[len(before):] {
		review.changes = append(review.changes, PulledChange{Seq: int64(len(review.changes) + 1), Name: e.Mutation, Version: e.Version,
			RecordID: e.RecordID, Payload: e.Payload, OriginDevice: idA.DeviceID, OriginSeq: e.Seq})
	}
	if len(review.changes) != 2 {
		t.Fatalf("office draft rows %d, want 2 (save, review)", len(review.changes))
	}
	review.pull(t, hqS, 10)
	got, err := hqS.FAQVersionOf(ctx, v.EntryID, 0)
	mustOK(t, err)
	if got.Status != FAQReview || got.Question != "样板间几点开放？" {
		t.Fatalf("at HQ: %+v", got)
	}
	mustOK(t, hqS.SetFAQStatus(ctx, hqAdmin.ID, v.EntryID, FAQApproved, ""))
	live, err := hqS.LiveFAQ(ctx, v.EntryID)
	mustOK(t, err)
	if live.Version != 2 || live.Question != v.Question {
		t.Fatalf("HQ's live version %+v", live)
	}
	// HQ's publication: a version of its own and the approval, for global.
	n := len(global.changes)
	global.push(t, hqS)
	var names []string
	for _, c := range global.changes[n:] {
		d, err := DescribeMutation(c.Name, c.Version, c.Payload)
		mustOK(t, err)
		if d.OfficeID != "" || d.Spec.Owner != OwnerHQ {
			t.Errorf("%s: office %q owner %s", c.Name, d.OfficeID, d.Spec.Owner)
		}
		names = append(names, c.Name)
	}
	// The vague words HQ approves against go to every office too.
	if len(names) != 3 || names[0] != MutFAQVagueWords || names[1] != MutFAQSave || names[2] != MutFAQStatus {
		t.Fatalf("published %v", names)
	}
	// Another office, which never saw the draft, and office A itself.
	offB := joinStore(t, Office{ID: "0193a2b4-0000-7000-8000-0000000000bb", Code: "BJ01", Name: "北京一号案场"}, "A",
		&testClock{t: time.Date(2026, 11, 23, 11, 0, 0, 0, shanghai)})
	for name, s := range map[string]*Store{"office B": offB, "office A": offA} {
		global.pull(t, s, 50)
		live, err := s.LiveFAQ(ctx, v.EntryID)
		if err != nil || live.Question != v.Question || live.Answer != v.Answer {
			t.Errorf("%s: live %+v, %v", name, live, err)
		}
		if words, err := s.VagueWords(ctx); err != nil || !slices.Equal(words, []string{"大概", "可能"}) {
			t.Errorf("%s: vague words %q, %v", name, words, err)
		}
	}
}
