package app

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"anchang/data"
)

func (h *harness) kioskScreen() *kioskScreen {
	h.t.Helper()
	if h.u.kiosk == nil {
		h.t.Fatal("kiosk not shown")
	}
	return h.u.kiosk
}

// typePhone taps a number on the kiosk keypad.
func typePhone(t *testing.T, k *kioskScreen, digits string) {
	t.Helper()
	for _, d := range digits {
		b, ok := k.keys[string(d)]
		if !ok {
			t.Fatalf("no key %q", d)
		}
		test.Tap(b)
	}
}

func TestKioskSelfCheckInInThreeSteps(t *testing.T) {
	h := newHarness(t, true, "陈思远", "林晓雯")
	h.onDuty("林晓雯", "陈思远")
	h.signInAs("李静")
	test.Tap(findButton(t, h, "自助登记模式"))
	k := h.kioskScreen()
	h.shows("欢迎光临星河湾售楼处", "第 1 步，共 3 步", "请输入您的手机号")
	h.hides("当前登录", "今日看板") // no desk, no other visitor's data

	// Step 1: a bad number is refused in place.
	typePhone(t, k, "12345")
	test.Tap(k.next)
	h.shows("这个号码有 5 位，不是有效的大陆手机号：手机号是 11 位、以 13–19 开头。")
	if k.step != kioskPhone {
		t.Fatal("moved on with a bad number")
	}
	for range 5 {
		test.Tap(k.keys["⌫"])
	}
	typePhone(t, k, "13812345678")
	h.shows("138 1234 5678")
	test.Tap(k.next)

	// Step 2: name and purpose are required.
	h.shows("第 2 步，共 3 步", "请点选您的姓氏")
	test.Tap(k.next)
	h.shows("姓名：必填。 称呼：请选择一项。 来访目的：请选择一项。")
	test.Tap(k.surnameBtns["王"])
	test.Tap(k.titleBtns[data.TitleMr])
	h.shows("来访目的：请选择一项。") // each cleared as it is chosen
	h.hides("姓名：必填。", "称呼：")
	test.Tap(k.purposeBtns[data.PurposeViewing])
	test.Tap(k.next)

	// Step 3: consent and confirm.
	h.shows("第 3 步，共 3 步", "个人信息告知书", "同意并登记")
	test.Tap(k.confirm)
	h.shows("王先生，登记成功！", "您的置业顾问 林晓雯 马上就到", "请稍坐")

	// The visit is on disk, from the kiosk, with the consultant in turn.
	b, err := h.store.Board(context.Background(), h.store.Today(), data.BoardFilter{})
	if err != nil || len(b.Rows) != 1 {
		t.Fatalf("board %v %v", b, err)
	}
	if r := b.Rows[0]; r.Via != data.ViaKiosk || r.ConsultantName != "林晓雯" || r.Kind != data.KindFirst {
		t.Fatalf("row %+v", r)
	}

	// The done screen resets by itself; nothing of this visitor stays.
	h.clk.Advance(kioskDoneReset)
	k.tick()
	h.shows("请输入您的手机号")
	h.hides("王先生", "林晓雯", "138 1234 5678")
}

func TestKioskRevealsNothingAboutKnownNumbers(t *testing.T) {
	h := newHarness(t, true, "陈思远")
	h.onDuty("陈思远")
	if _, err := h.store.CheckIn(context.Background(), h.admin.ID, data.CheckInInput{Name: "赵雅琴", Phone: "13900001111",
		Purpose: data.PurposeViewing, SourceID: h.firstSource(), Consent: true, Via: data.ViaDesk}); err != nil {
		t.Fatal(err)
	}
	h.signInAs("李静")
	h.u.showKiosk()
	k := h.kioskScreen()
	typePhone(t, k, "13900001111")
	test.Tap(k.next)
	h.hides("赵雅琴", "复访", "陈思远")
	if k.surname != "" || k.title != "" {
		t.Fatalf("kiosk filled in a known visitor's name: %q %q", k.surname, k.title)
	}
}

func TestKioskResetsAfterIdleAndExitsOnlyWithPIN(t *testing.T) {
	h := newHarness(t, true, "陈思远")
	h.signInAs("李静")
	h.u.showKiosk()
	k := h.kioskScreen()
	typePhone(t, k, "13812345678")
	test.Tap(k.next)
	test.Tap(k.surnameBtns["王"])

	h.clk.Advance(kioskIdleReset - time.Second)
	k.tick()
	if k.step != kioskName {
		t.Fatal("reset before 60 s idle")
	}
	h.clk.Advance(time.Second)
	k.tick()
	if k.step != kioskPhone || k.phone != "" {
		t.Fatalf("not reset after 60 s idle: step %d phone %q", k.step, k.phone)
	}
	h.hides("138 1234 5678")

	// Leaving needs the PIN of the staff member who started the kiosk.
	test.Tap(k.staffExit)
	h.shows("请输入 李静 的 PIN 码")
	typePhone(t, k, "9999")
	test.Tap(k.confirm)
	h.shows("PIN 码错误，还可以再试 4 次。")
	if h.u.kiosk == nil {
		t.Fatal("left kiosk mode with a wrong PIN")
	}
	typePhone(t, k, "135792")
	test.Tap(k.confirm)
	if h.u.kiosk != nil {
		t.Fatal("still in kiosk mode after the right PIN")
	}
	h.shows("当前登录：李静（前台客服）")
}

func (h *harness) firstSource() string {
	h.t.Helper()
	srcs, err := h.store.Sources(context.Background())
	if err != nil || len(srcs) == 0 {
		h.t.Fatal(err)
	}
	return srcs[0].ID
}

// A Hong Kong, Macau or Taiwan number typed without its code is refused on
// the kiosk with a message, in the visitor's language, that says numbers
// outside the mainland start with +852 / +853 / +886; with its code, and
// a mainland landline with its area code, it is accepted.
func TestKioskPhoneOutsideMainland(t *testing.T) {
	for _, lang := range []string{"zh", "en"} {
		t.Run(lang, func(t *testing.T) {
			h := newHarness(t, true, "陈思远")
			SetLanguage(lang)
			h.signInAs("李静")
			test.Tap(findButton(t, h, T("shell.kiosk")))
			k := h.kioskScreen()
			clear := func() {
				for range 16 {
					test.Tap(k.keys["⌫"])
				}
			}
			for _, tt := range []struct{ number, shows string }{
				{"91234567", T("err.phone.local", map[string]any{"Len": 8})}, // Hong Kong mobile
				{"66123456", T("err.phone.local", map[string]any{"Len": 8})}, // Macau mobile
				{"0912345678", T("err.phone.outside_mainland")},              // Taiwan mobile
				{"07551234567", T("err.phone.cn_landline", map[string]any{"Area": "0755", "Want": "8", "Len": 7})},
			} {
				clear()
				typePhone(t, k, tt.number)
				test.Tap(k.next)
				h.shows(tt.shows)
				if !containsAll(tt.shows, "+852", "+853") && tt.number != "07551234567" {
					t.Fatalf("%q: %q does not name the codes", tt.number, tt.shows)
				}
				if k.step != kioskPhone {
					t.Fatalf("%s: moved on", tt.number)
				}
			}
			for _, ok := range []string{"+85291234567", "01012345678"} {
				clear()
				typePhone(t, k, ok)
				test.Tap(k.next)
				if k.step != kioskName {
					t.Fatalf("%s refused:\n%s", ok, h.screen())
				}
				k.show(kioskPhone)
			}
		})
	}
}

func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}
