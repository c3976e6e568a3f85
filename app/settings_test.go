package app

import (
	"context"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"anchang/data"
)

// TestSettingsEditOffice: an admin renames the office and the device and
// changes the code in Settings; the top bar shows the new name at once. A
// bad value says why under its field and changes nothing.
func TestSettingsEditOffice(t *testing.T) {
	h := newHarness(t, true)
	h.signInAs("管理员")
	h.selectTab("设置")
	s := h.u.shell.settings

	s.officeName.SetText("")
	s.officeCode.SetText("XH W")
	test.Tap(s.saveOffice)
	h.shows("必填。", "案场编号只能包含字母、数字、- 和 _。", "没有保存，请按红字修改。")
	if _, off, _ := h.store.Device(); off.Name != "星河湾售楼处" || off.Code != "XHW" {
		t.Fatalf("a refused edit changed the office: %+v", off)
	}

	s.officeName.SetText("星河湾二期售楼处")
	s.officeCode.SetText("xhw-2")
	s.deviceName.SetText("前台二号机")
	test.Tap(s.saveOffice)
	dev, off, _ := h.store.Device()
	if off.Name != "星河湾二期售楼处" || off.Code != "XHW-2" || dev.Name != "前台二号机" {
		t.Fatalf("after saving: %+v %+v", dev, off)
	}
	h.shows("已保存：星河湾二期售楼处（XHW-2）。")
	if h.u.shell.tabs.Items[h.u.shell.tabs.selected].Title != "设置" {
		t.Fatal("the desk did not come back to Settings")
	}
	// The top bar shows the new name (the first label of the bar).
	if !strings.Contains(h.screen(), "星河湾二期售楼处") || h.u.office.Name != "星河湾二期售楼处" {
		t.Fatal("the desk still shows the old office name")
	}

	// A supervisor sees the office, not the form.
	h.signInAs("管理员")
	sup, err := h.store.CreateStaff(context.Background(), h.admin.ID, data.StaffInput{Name: "赵主管", Role: data.RoleSupervisor, PIN: "369014"})
	mustOK(t, err)
	h.u.signedIn(sup)
	h.selectTab("设置")
	if h.u.shell.settings.saveOffice != nil {
		t.Fatal("a supervisor may edit the office")
	}
	h.shows("案场：星河湾二期售楼处（XHW-2）")
}

// TestSettingsEnrolledOffice: on an enrolled office the name and code are
// HQ's: their fields are read-only and the screen says so.
func TestSettingsEnrolledOffice(t *testing.T) {
	h := newHarness(t, true)
	h.u.sync.mu.Lock()
	h.u.sync.id.Enrolled = true
	h.u.sync.mu.Unlock()
	h.signInAs("管理员")
	h.selectTab("设置")
	s := h.u.shell.settings
	if !s.officeName.Disabled() || !s.officeCode.Disabled() || s.deviceName.Disabled() {
		t.Fatal("an enrolled office's name and code are editable")
	}
	h.shows("案场名称和编号由总部修改")
}

// TestSettingsSources: an admin hides, renames and reorders channels;
// check-in offers what Settings shows, in its order, and nothing hidden.
func TestSettingsSources(t *testing.T) {
	h := newHarness(t, true)
	h.signInAs("管理员")
	h.selectTab("设置")
	s := h.u.shell.settings
	offered := func() []string { return h.u.shell.checkin.source.Options }

	referral := s.row("老带新/朋友介绍")
	if referral == nil {
		t.Fatal("no row for 老带新/朋友介绍")
	}
	test.Tap(referral.hide)
	h.shows("老带新/朋友介绍（已停用）", "已停用：登记时不再提供这个渠道。")
	if slices.Contains(offered(), "老带新/朋友介绍") {
		t.Fatalf("check-in still offers a hidden channel: %v", offered())
	}

	// Rename: a refused name keeps the dialog open with the reason.
	test.Tap(s.row("网络推广").rename)
	if h.focusedEntry() != s.renameEntry {
		t.Fatal("the name is not focused")
	}
	s.renameEntry.SetText("")
	test.Tap(s.renameSave)
	h.shows("必填。")
	s.renameEntry.SetText("抖音直播")
	test.Tap(s.renameSave)
	h.shows("已改名为：抖音直播")
	h.hides("渠道改名")
	if !slices.Contains(offered(), "抖音直播") || slices.Contains(offered(), "网络推广") {
		t.Fatalf("check-in offers %v", offered())
	}

	// Move the renamed channel to the top.
	for i := 0; i < 2; i++ {
		test.Tap(s.row("抖音直播").up)
	}
	if got := offered(); got[0] != "抖音直播" {
		t.Fatalf("check-in order %v", got)
	}
	if s.row("抖音直播").up.Disabled() == false {
		t.Fatal("the first row can still move up")
	}
	all, err := h.store.AllSources(context.Background())
	mustOK(t, err)
	if all[0].Name != "抖音直播" {
		t.Fatalf("stored order %+v", all)
	}

	// Bring the hidden one back.
	test.Tap(s.row("老带新/朋友介绍").hide)
	if !slices.Contains(offered(), "老带新/朋友介绍") {
		t.Fatalf("check-in does not offer the channel brought back: %v", offered())
	}
}

func mustOK(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// focusedEntry is the entry that has the keyboard focus.
func (h *harness) focusedEntry() *widget.Entry {
	h.t.Helper()
	e, ok := h.win.Canvas().Focused().(*widget.Entry)
	if !ok {
		h.t.Fatalf("focused: %T", h.win.Canvas().Focused())
	}
	return e
}

// TestPulledOfficeRenameShows: when pulled records change the office's
// name (HQ renamed it), the top bar and the window title follow without
// signing in again.
func TestPulledOfficeRenameShows(t *testing.T) {
	h := newHarness(t, true)
	h.signInAs("李静")
	// The store's office changes underneath the desk, as a pull does; the
	// store tells the desk (data.Store.Subscribe), no screen does.
	if _, _, err := h.store.EditOffice(context.Background(), h.admin.ID, data.OfficeEdit{OfficeName: "星河湾二期", OfficeCode: "XHW", DeviceName: "前台一号机"}); err != nil {
		t.Fatal(err)
	}
	if got := h.u.shell.officeName.Text; got != "星河湾二期" {
		t.Fatalf("top bar shows %q", got)
	}
	if !strings.Contains(h.win.Title(), "星河湾二期") {
		t.Fatalf("window title %q", h.win.Title())
	}
}
