package app

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"anchang/data"
)

// fillCheckIn types a complete, valid registration.
func fillCheckIn(t *testing.T, c *checkInScreen, phone, name string) {
	t.Helper()
	test.Type(c.phone, phone)
	if c.name.Text == "" {
		test.Type(c.name, name)
	}
	selectOption(t, c.purpose, "看房")
	selectOption(t, c.source, "自然到访")
	if !c.consent.Checked {
		tapCheck(c.consent)
	}
}

func (h *harness) checkIn() *checkInScreen {
	h.t.Helper()
	if h.u.shell == nil || h.u.shell.checkin == nil {
		h.t.Fatal("check-in screen not shown")
	}
	return h.u.shell.checkin
}

func TestCheckInBadInputShowsMessagesAndSavesNothing(t *testing.T) {
	long := strings.Repeat("很长的备注", 2000) // a 10,000-character paste
	tests := []struct {
		name  string
		edit  func(c *checkInScreen, w fyne.Window)
		shows string
	}{
		{"empty form", func(c *checkInScreen, w fyne.Window) {}, "必填。"},
		{"emoji in name", func(c *checkInScreen, w fyne.Window) {
			fillCheckIn(t, c, "13812345678", "王😀")
		}, "姓名不能包含表情符号。"},
		{"sql-looking name", func(c *checkInScreen, w fyne.Window) {
			fillCheckIn(t, c, "13812345678", "Robert'); DROP TABLE visits;--")
		}, "不能包含“)”"},
		{"control character in name", func(c *checkInScreen, w fyne.Window) {
			fillCheckIn(t, c, "13812345678", "王\u202e芳")
		}, "包含不可见的控制字符"},
		{"short phone", func(c *checkInScreen, w fyne.Window) {
			fillCheckIn(t, c, "1381234567", "王芳")
		}, "这个号码有 10 位，不是有效的大陆手机号：手机号是 11 位、以 13–19 开头。"},
		{"letters in phone", func(c *checkInScreen, w fyne.Window) {
			fillCheckIn(t, c, "138abc", "王芳")
		}, "电话号码只能包含数字"},
		{"Hong Kong mobile without +852", func(c *checkInScreen, w fyne.Window) {
			fillCheckIn(t, c, "9123 4567", "王芳")
		}, "8 位号码缺少区号：大陆座机请加区号，如 021-66123456；香港、澳门、台湾的号码请以 +852、+853 或 +886 开头。"},
		{"Taiwan mobile without +886", func(c *checkInScreen, w fyne.Window) {
			fillCheckIn(t, c, "0912-345-678", "王芳")
		}, "大陆以外的号码请以 +852（香港）、+853（澳门）或 +886（台湾）开头"},
		{"Shenzhen landline a digit short", func(c *checkInScreen, w fyne.Window) {
			fillCheckIn(t, c, "0755-1234567", "王芳")
		}, "区号 0755 的座机号码是 8 位，这里是 7 位，请核对。"},
		{"party of zero", func(c *checkInScreen, w fyne.Window) {
			fillCheckIn(t, c, "13812345678", "王芳")
			c.party.SetText("0")
		}, "来访人数应为 1 到 50 之间的整数。"},
		{"10,000-character paste into notes", func(c *checkInScreen, w fyne.Window) {
			fillCheckIn(t, c, "13812345678", "王芳")
			clip := fyne.CurrentApp().Clipboard()
			clip.SetContent(long)
			w.Canvas().Focus(c.notes)
			c.notes.TypedShortcut(&fyne.ShortcutPaste{Clipboard: clip})
		}, "太长了：最多 500 个字，现在 10000 个。"},
		{"no consent", func(c *checkInScreen, w fyne.Window) {
			fillCheckIn(t, c, "13812345678", "王芳")
			tapCheck(c.consent)
		}, "请先确认客户已同意《个人信息告知书》。"},
		{"bare surname", func(c *checkInScreen, w fyne.Window) {
			fillCheckIn(t, c, "13812345678", "王")
		}, "只填了姓：请选择先生或女士，或填写全名。"},
		{"bare compound surname", func(c *checkInScreen, w fyne.Window) {
			fillCheckIn(t, c, "13812345678", "欧阳")
		}, "只填了姓：请选择先生或女士，或填写全名。"},
		{"no purpose", func(c *checkInScreen, w fyne.Window) {
			fillCheckIn(t, c, "13812345678", "王芳")
			c.purpose.ClearSelected()
		}, "请选择一项。"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, true, "陈思远")
			h.signInAs("李静")
			c := h.checkIn()
			tt.edit(c, h.win)
			test.Tap(c.submit)
			h.shows(tt.shows, "请根据提示修改标红的内容。")
			for _, table := range []string{"visits", "visitors"} {
				if n := h.count(table); n != 0 {
					t.Fatalf("%s has %d rows after a refused check-in", table, n)
				}
			}
		})
	}
}

func TestCheckInSQLTextInNotesIsStoredVerbatim(t *testing.T) {
	h := newHarness(t, true, "陈思远")
	h.signInAs("李静")
	c := h.checkIn()
	fillCheckIn(t, c, "13812345678", "王芳")
	note := "'); DROP TABLE visits; --"
	test.Type(c.notes, note)
	test.Tap(c.submit)
	h.shows("已登记：王芳（首访）")
	b, err := h.store.Board(context.Background(), h.store.Today(), data.BoardFilter{})
	if err != nil || len(b.Rows) != 1 {
		t.Fatalf("board %v %v", b.Rows, err)
	}
	v, err := h.store.VisitDetail(context.Background(), h.admin.ID, b.Rows[0].VisitID)
	if err != nil || v.Notes != note {
		t.Fatalf("notes = %q, %v", v.Notes, err)
	}
}

func TestCheckInAssignsInTurnAndRecognisesReturningVisitor(t *testing.T) {
	h := newHarness(t, true, "陈思远", "林晓雯", "王浩然")
	h.onDuty("陈思远", "林晓雯", "王浩然")
	h.signInAs("李静")
	c := h.checkIn()
	h.shows("下一位接待：陈思远")
	if !strings.Contains(c.consultant.Selected, "陈思远") {
		t.Fatalf("suggested %q, want 陈思远", c.consultant.Selected)
	}

	fillCheckIn(t, c, "138 1234 5678", "王")
	selectOption(t, c.source, "来电")
	c.title.SetSelected("先生")
	test.Tap(c.submit)
	h.shows("已登记：王先生（首访）→ 陈思远", "下一位接待：林晓雯")

	// The form is clear for the next visitor; the number is masked on the board.
	if c.phone.Text != "" || c.name.Text != "" {
		t.Fatalf("form not cleared: %q %q", c.phone.Text, c.name.Text)
	}
	h.selectTab("今日看板")
	h.shows("138****5678", "王先生")
	h.hides("13812345678", "138 1234 5678")
	h.selectTab("来访登记")

	// A second visitor takes the next turn.
	fillCheckIn(t, c, "13900001111", "赵雅琴")
	test.Tap(c.submit)
	h.shows("已登记：赵雅琴（首访）→ 林晓雯", "下一位接待：王浩然")

	// The first visitor leaves and comes back: recognised by phone typed
	// differently, offered to their own consultant, and no turn is used.
	// (Still in the office, they would be offered their open visit.)
	b, err := h.store.Board(context.Background(), h.store.Today(), data.BoardFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range b.Rows {
		if r.Name == "王" {
			if err := h.store.CheckOut(context.Background(), h.admin.ID, r.VisitID); err != nil {
				t.Fatal(err)
			}
		}
	}
	h.clk.Advance(3600e9)
	test.Type(c.phone, "+86 138-1234-5678")
	h.shows("复访客户：王先生，累计来访 1 次\n归属顾问：陈思远")
	if !strings.Contains(c.consultant.Selected, "陈思远") || !strings.Contains(c.consultant.Selected, "归属顾问") {
		t.Fatalf("suggested %q, want 陈思远 as own consultant", c.consultant.Selected)
	}
	if c.name.Text != "王" || c.title.Selected != "先生" {
		t.Fatalf("name not filled from the earlier visit: %q %q", c.name.Text, c.title.Selected)
	}
	if c.source.Selected != "来电" {
		t.Fatalf("source %q, want the first visit's 来电 preselected", c.source.Selected)
	}
	selectOption(t, c.purpose, "签约")
	tapCheck(c.consent)
	test.Tap(c.submit)
	h.shows("已登记：王先生（复访）→ 陈思远", "下一位接待：王浩然")
}

func TestConsultantCannotCheckIn(t *testing.T) {
	h := newHarness(t, true, "陈思远")
	h.signInAs("陈思远")
	if h.u.shell.checkin != nil {
		t.Fatal("a consultant got the check-in screen")
	}
	h.hides("来访登记", "自助登记模式")
	h.shows("今日看板")
}

// A landline caller checks in at the desk: with its area code and an
// extension, typed in full-width digits from a Chinese input method.
func TestCheckInAcceptsLandline(t *testing.T) {
	h := newHarness(t, true, "陈思远")
	h.signInAs("李静")
	c := h.checkIn()
	fillCheckIn(t, c, "０１０－１２３４５６７８ 转 801", "王芳")
	test.Tap(c.submit)
	h.shows("已登记：王芳（首访）")
	r, ok, err := h.store.LookupPhone(context.Background(), "+86 10 1234 5678 ext 801")
	if err != nil || !ok || r.Name != "王芳" {
		t.Fatalf("lookup %+v %v %v", r, ok, err)
	}
}

// Each message goes as its field becomes valid, without another submit;
// the others stay until fixed.
func TestCheckInErrorsClearAsFieldsAreFixed(t *testing.T) {
	h := newHarness(t, true, "陈思远")
	h.signInAs("李静")
	c := h.checkIn()
	test.Tap(c.submit)
	h.shows("请先确认客户已同意《个人信息告知书》。")
	test.Type(c.phone, "13812345678")
	test.Type(c.name, "王")
	h.shows("只填了姓：请选择先生或女士，或填写全名。", "请先确认客户已同意《个人信息告知书》。")
	c.title.SetSelected("女士")
	h.hides("只填了姓：请选择先生或女士，或填写全名。")
	tapCheck(c.consent)
	h.hides("请先确认客户已同意《个人信息告知书》。")
	h.shows("请选择一项。") // purpose and source still unchosen
	selectOption(t, c.purpose, "看房")
	selectOption(t, c.source, "自然到访")
	h.hides("请选择一项。")
	test.Tap(c.submit)
	h.shows("已登记：王女士（首访）")
}
