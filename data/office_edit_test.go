package data

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestEditOffice: an admin renames the office and the device and changes
// the code of a standalone office; the change is one office.setup version
// HQ can read, the device name stays local, and tickets numbered before
// keep their code while the next one takes the new code and goes on with
// the day's counter.
func TestEditOffice(t *testing.T) {
	ctx := context.Background()
	s, admin, _ := newTestStore(t)
	first, err := s.OpenTicket(ctx, admin.ID, complaint(1))
	mustOK(t, err)
	outbox := countRows(t, s, "outbox")

	dev, off, err := s.EditOffice(ctx, admin.ID, OfficeEdit{OfficeName: " 星河湾二期售楼处 ", OfficeCode: "xhw-02", DeviceName: "前台二号机"})
	mustOK(t, err)
	if off.Name != "星河湾二期售楼处" || off.Code != "XHW-02" || dev.Name != "前台二号机" {
		t.Fatalf("after the edit: %+v %+v", dev, off)
	}
	if got := countRows(t, s, "outbox"); got != outbox+1 {
		t.Fatalf("outbox rows %d → %d, want one office.setup", outbox, got)
	}
	pending, err := s.PendingOutbox(ctx, 1000)
	mustOK(t, err)
	last := pending[len(pending)-1]
	if last.Mutation != MutOfficeSetup {
		t.Fatalf("last mutation %s", last.Mutation)
	}
	d, err := DescribeMutation(last.Mutation, last.Version, last.Payload)
	mustOK(t, err)
	if d.RecordID != off.ID || !strings.Contains(string(last.Payload), `"XHW-02"`) || strings.Contains(string(last.Payload), "前台二号机") {
		t.Fatalf("office.setup %s: %s", d.RecordID, last.Payload)
	}

	tk, err := s.OpenTicket(ctx, admin.ID, complaint(2))
	mustOK(t, err)
	old, err := s.Ticket(ctx, admin.ID, first.ID)
	mustOK(t, err)
	if !strings.HasPrefix(old.Number, "XHW-01-") || !strings.HasPrefix(tk.Number, "XHW-02-") {
		t.Fatalf("numbers %s then %s", old.Number, tk.Number)
	}
	if old.Number[len(old.Number)-3:] != "001" || tk.Number[len(tk.Number)-3:] != "002" {
		t.Fatalf("the day's counter restarted: %s then %s", old.Number, tk.Number)
	}

	// Only the device name changes: no office.setup.
	outbox = countRows(t, s, "outbox")
	_, _, err = s.EditOffice(ctx, admin.ID, OfficeEdit{OfficeName: off.Name, OfficeCode: off.Code, DeviceName: "前台三号机"})
	mustOK(t, err)
	if got := countRows(t, s, "outbox"); got != outbox {
		t.Fatal("a device rename wrote an office change")
	}
}

// TestEditOfficeRefused: bad input and the wrong people change nothing,
// each with its field's message.
func TestEditOfficeRefused(t *testing.T) {
	ctx := context.Background()
	s, admin, _ := newTestStore(t)
	sup := mustStaff(t, s, admin, "主管", RoleSupervisor, "135792")
	good := OfficeEdit{OfficeName: "星河湾", OfficeCode: "XHW-09", DeviceName: "前台"}
	cases := []struct {
		name    string
		actor   string
		in      func(e *OfficeEdit)
		field   string
		wantKey string
	}{
		{"empty name", admin.ID, func(e *OfficeEdit) { e.OfficeName = "  " }, "office_name", "err.field.required"},
		{"overlong name", admin.ID, func(e *OfficeEdit) { e.OfficeName = strings.Repeat("星", MaxOfficeLen+1) }, "office_name", "err.field.too_long"},
		{"control char", admin.ID, func(e *OfficeEdit) { e.OfficeName = "星河\u202e湾" }, "office_name", "err.field.control"},
		{"bad utf8", admin.ID, func(e *OfficeEdit) { e.DeviceName = "前台\xff" }, "device_name", "err.field.encoding"},
		{"hostile code", admin.ID, func(e *OfficeEdit) { e.OfficeCode = "X';DROP--" }, "office_code", "err.office_code.chars"},
		{"code with space", admin.ID, func(e *OfficeEdit) { e.OfficeCode = "XH W" }, "office_code", "err.office_code.chars"},
		{"overlong code", admin.ID, func(e *OfficeEdit) { e.OfficeCode = strings.Repeat("X", MaxCodeLen+1) }, "office_code", "err.field.too_long"},
		{"empty device", admin.ID, func(e *OfficeEdit) { e.DeviceName = "" }, "device_name", "err.field.required"},
		{"supervisor", sup.ID, func(e *OfficeEdit) {}, "", "err.forbidden"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			outbox := countRows(t, s, "outbox")
			in := good
			tc.in(&in)
			_, _, err := s.EditOffice(ctx, tc.actor, in)
			if tc.field != "" {
				fe, ok := err.(FieldErrors)
				if !ok || fe[tc.field] == nil || fe[tc.field].Key != tc.wantKey {
					t.Fatalf("error %v, want %s on %s", err, tc.wantKey, tc.field)
				}
			} else if e, ok := AsError(err); !ok || e.Key != tc.wantKey {
				t.Fatalf("error %v, want %s", err, tc.wantKey)
			}
			dev, off, _ := s.Device()
			if off.Code != "XHW-01" || off.Name != "星河湾售楼处" || dev.Name != "前台" || countRows(t, s, "outbox") != outbox {
				t.Fatalf("a refused edit changed something: %+v %+v", dev, off)
			}
		})
	}
}

// TestEditOfficeEnrolled: once enrolled, HQ owns the office's name and
// code; the device name still changes.
func TestEditOfficeEnrolled(t *testing.T) {
	ctx := context.Background()
	s, admin, _ := newTestStore(t)
	_, err := s.db.ExecContext(ctx, `UPDATE sync_state SET enrolled = 1, role = ?`, SyncRoleOffice)
	mustOK(t, err)
	ok, err := s.OfficeEditable(ctx)
	mustOK(t, err)
	if ok {
		t.Fatal("an enrolled office reports its name editable")
	}
	outbox := countRows(t, s, "outbox")
	_, _, err = s.EditOffice(ctx, admin.ID, OfficeEdit{OfficeName: "别的名字", OfficeCode: "XHW-01", DeviceName: "前台"})
	if fe, ok := err.(FieldErrors); !ok || fe["office_name"] == nil || fe["office_name"].Key != "err.office.at_hq" {
		t.Fatalf("rename of an enrolled office: %v", err)
	}
	dev, off, err := s.EditOffice(ctx, admin.ID, OfficeEdit{OfficeName: "星河湾售楼处", OfficeCode: "XHW-01", DeviceName: "前台九号"})
	mustOK(t, err)
	if dev.Name != "前台九号" || off.Name != "星河湾售楼处" || countRows(t, s, "outbox") != outbox {
		t.Fatalf("device rename on an enrolled office: %+v %+v", dev, off)
	}
}

// TestEditOfficeCodeScopedFAQ: entries limited to the office's code keep
// it from changing (they would drop out of the office's answers).
func TestEditOfficeCodeScopedFAQ(t *testing.T) {
	ctx := context.Background()
	s, admin, clk := newTestStore(t)
	_, err := s.SaveFAQ(ctx, admin.ID, "", FAQInput{Category: "loans", Scope: "XHW-01", Question: "首付比例是多少？", Answer: "本案场首付为两成。",
		EffectiveOn: clk.Now().Format(time.DateOnly)})
	mustOK(t, err)
	_, _, err = s.EditOffice(ctx, admin.ID, OfficeEdit{OfficeName: "星河湾售楼处", OfficeCode: "XHW-02", DeviceName: "前台"})
	if fe, ok := err.(FieldErrors); !ok || fe["office_code"] == nil || fe["office_code"].Key != "err.office.code_scoped" {
		t.Fatalf("code change with scoped entries: %v", err)
	}
	// The name alone still changes.
	_, off, err := s.EditOffice(ctx, admin.ID, OfficeEdit{OfficeName: "星河湾一期", OfficeCode: "xhw-01", DeviceName: "前台"})
	mustOK(t, err)
	if off.Name != "星河湾一期" {
		t.Fatalf("office %+v", off)
	}
}

// TestOfficeEditTravels: another device of the office gets the new name
// and code through HQ's log.
func TestOfficeEditTravels(t *testing.T) {
	ctx := context.Background()
	a, admin, clk := newTestStore(t)
	_, office, _ := a.Device()
	_, _, err := a.EditOffice(ctx, admin.ID, OfficeEdit{OfficeName: "星河湾二期", OfficeCode: "XHW-02", DeviceName: "前台"})
	mustOK(t, err)
	log := &hqLog{scope: "office:" + office.ID}
	log.push(t, a)
	b := joinStore(t, office, "B", clk)
	log.pull(t, b, 50)
	_, got, err := b.Device()
	mustOK(t, err)
	if got.Name != "星河湾二期" || got.Code != "XHW-02" {
		t.Fatalf("device b sees %+v", got)
	}
}
