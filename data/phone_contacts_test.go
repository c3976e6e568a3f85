package data

import (
	"context"
	"testing"

	"anchang/assets"
)

// A landline caller's contact is recorded wherever a phone is a contact:
// a visit, a complaint, a handover inspection, a special care revisit; it
// is stored in E.164 (the extension after ";ext="), found again however it
// is typed, masked with its area code in lists.
func TestLandlineContacts(t *testing.T) {
	s, p, _ := newTicketStore(t)
	ctx := context.Background()
	const beijingExt = "+861012345678;ext=801"

	v := mustCheckIn(t, s, p.admin.ID, desk(t, s, "王芳", "010-12345678 转 801"))
	if v.Phone != beijingExt && v.Phone != MaskPhone(beijingExt) {
		t.Errorf("visit phone %q", v.Phone)
	}
	r, ok, err := s.LookupPhone(ctx, "０１０－１２３４５６７８－８０１") // full-width, the dash form of the extension
	if err != nil || !ok || r.Name != "王芳" {
		t.Errorf("LookupPhone of the same number: %+v, %v, %v", r, ok, err)
	}
	// The board finds the number without its extension, masked with its area code.
	for _, q := range []string{"010-12345678", "12345678", "010 1234 5678 转 801"} {
		b, err := s.Board(ctx, s.Today(), BoardFilter{Query: q})
		if err != nil || len(b.Rows) != 1 || b.Rows[0].PhoneMasked != "010 ****5678" {
			t.Errorf("board search %q: %+v, %v", q, b.Rows, err)
		}
	}

	in := complaint(1)
	in.Phone = "(0755) 8234 5678"
	tk := mustOpen(t, s, p.recep.ID, in)
	full, err := s.Ticket(ctx, p.admin.ID, tk.ID)
	mustOK(t, err)
	if full.Phone != "+8675582345678" {
		t.Errorf("ticket phone %q", full.Phone)
	}

	if _, err := s.EnsureInspectionTemplate(ctx, assets.HandoverTemplate); err != nil {
		t.Fatal(err)
	}
	ins, err := s.StartInspection(ctx, p.admin.ID, InspectionInput{Kind: InspectionHandover, Project: "星河湾二期", Building: "3号楼", Unit: "1502",
		Owners: []string{"王秀英"}, Phone: "+86 21 6612 3456"})
	mustOK(t, err)
	if ins.Phone != "+862166123456" && ins.Phone != MaskPhone("+862166123456") {
		t.Errorf("inspection phone %q", ins.Phone)
	}

	sp, err := s.ScheduleSpecialRevisit(ctx, p.admin.ID, SpecialRevisitInput{CustomerName: "赵敏", Phone: "0991-1234567", Place: "5号楼801"})
	mustOK(t, err)
	if sp.Phone != "+869911234567" {
		t.Errorf("revisit phone %q", sp.Phone)
	}
	// An SMS cannot reach a landline: the one place a number must be a mobile.
	before := snapshotCounts(t, s)
	_, err = s.RecordCareRevisit(ctx, p.admin.ID, sp.ID, CareResult{Method: "sms", Satisfaction: 5})
	var fe FieldErrors
	if !asFieldErrors(err, &fe) || fe["method"] == nil || fe["method"].Key != "err.revisit.sms_landline" {
		t.Errorf("SMS revisit of a landline: %v", err)
	}
	_, err = s.AddTicketEvent(ctx, p.recep.ID, tk.ID, TicketEvent{Kind: EvRevisited, Satisfaction: 5, Revisit: RevisitNotes{Method: "sms"}})
	wantKey(t, err, EINVALID, "err.revisit.sms_landline")
	wantUnchanged(t, s, before)
	if _, err := s.RecordCareRevisit(ctx, p.admin.ID, sp.ID, CareResult{Method: "phone", Satisfaction: 5}); err != nil {
		t.Errorf("a phone revisit of a landline: %v", err)
	}
}

func asFieldErrors(err error, fe *FieldErrors) bool {
	if err == nil {
		return false
	}
	f, ok := err.(FieldErrors)
	if ok {
		*fe = f
	}
	return ok
}

func TestMaskAndFormatLandlines(t *testing.T) {
	for _, tt := range []struct{ stored, mask, format string }{
		{"+861012345678", "010 ****5678", "010 1234 5678"},
		{"+861012345678;ext=801", "010 ****5678", "010 1234 5678 ext. 801"},
		{"+8675582345678", "0755 ****5678", "0755 8234 5678"},
		{"+869911234567", "0991 ****4567", "0991 123 4567"},
		{"+8613812345678;ext=12", "138****5678", "138 1234 5678 ext. 12"},
		{"+85366123456", "+853 ****3456", "+853 6612 3456"},
	} {
		if got := MaskPhone(tt.stored); got != tt.mask {
			t.Errorf("MaskPhone(%q) = %q, want %q", tt.stored, got, tt.mask)
		}
		if got := FormatPhone(tt.stored); got != tt.format {
			t.Errorf("FormatPhone(%q) = %q, want %q", tt.stored, got, tt.format)
		}
	}
	for stored, mobile := range map[string]bool{"+8613812345678": true, "+861012345678": false, "+861012345678;ext=801": false, "+447911123456": true, "+85291234567": true} {
		if IsMobile(stored) != mobile {
			t.Errorf("IsMobile(%q) = %v", stored, !mobile)
		}
	}
}

// FoldInput reaches every validator: a party size, a PIN typed in
// full-width digits signs in, a ticket's numbers.
func TestFoldInputEverywhere(t *testing.T) {
	s, admin, _ := newTestStore(t)
	ctx := context.Background()
	if got := FoldInput("１３８\u3000１２３４\u00a0５６７８\u202f"); got != "138 1234 5678 " {
		t.Errorf("FoldInput = %q", got)
	}
	if got := FoldInput("一楼（东侧），３号"); got != "一楼（东侧），3号" {
		t.Errorf("FoldInput changed Chinese punctuation: %q", got)
	}
	in := desk(t, s, "李雷", "１３９ ００００ ０００１")
	in.PartySize = "３"
	v := mustCheckIn(t, s, admin.ID, in)
	if v.PartySize != 3 {
		t.Errorf("party size %d", v.PartySize)
	}
	st, err := s.CreateStaff(ctx, admin.ID, StaffInput{Name: "陈\u3000静", Role: RoleReceptionist, PIN: "１３５７９２"})
	mustOK(t, err)
	if st.Name != "陈 静" {
		t.Errorf("name %q", st.Name)
	}
	if _, err := s.SignIn(ctx, st.ID, "135792"); err != nil {
		t.Errorf("sign in with the ASCII PIN of a full-width one: %v", err)
	}
	if _, err := s.SignIn(ctx, st.ID, "１３５７９２"); err != nil {
		t.Errorf("sign in with full-width digits: %v", err)
	}
	if l, err := ParseLimit("２ｗｄ"); err == nil {
		t.Errorf("full-width letters are not folded, yet %v", l)
	}
	if l, err := ParseLimit("２wd"); err != nil || l != (Limit{2, UnitWorkingDays}) {
		t.Errorf("ParseLimit(２wd) = %v, %v", l, err)
	}
}
