package app

import (
	"testing"

	"fyne.io/fyne/v2/test"
)

func TestSetupRefusesBadInputThenSignsIn(t *testing.T) {
	h := newHarness(t, false)
	h.shows("首次设置", "案场名称", "完成设置")
	s := h.setupScreen()

	test.Tap(s.submit)
	h.shows("必填。")
	if h.store.IsSetUp() {
		t.Fatal("setup saved with empty fields")
	}

	test.Type(s.officeName, "星河湾售楼处")
	test.Type(s.officeCode, "XH W")
	test.Type(s.deviceName, "前台一号机")
	test.Type(s.adminName, "王芳")
	test.Type(s.pin, "111111")
	test.Type(s.pin2, "111111")
	test.Tap(s.submit)
	// Every error at once, as check-in shows them.
	h.shows("案场编号只能包含字母、数字、- 和 _。", "PIN 码太简单")
	h.hides("必填。")

	// A fixed field's message goes as it becomes valid, before any submit;
	// the others stay.
	s.officeCode.SetText("XHW-01")
	h.hides("案场编号只能包含字母、数字、- 和 _。")
	h.shows("PIN 码太简单")
	s.officeName.SetText("")
	h.hides("必填。") // not reported yet: no new message until the next submit
	s.officeName.SetText("星河湾售楼处")
	test.Tap(s.submit)
	h.shows("PIN 码太简单")

	s.pin.SetText("258014")
	s.pin2.SetText("2581")
	test.Tap(s.submit)
	h.shows("两次输入的 PIN 码不一致。")
	if h.store.IsSetUp() {
		t.Fatal("setup saved with mismatched PINs")
	}

	s.pin2.SetText("258014")
	test.Tap(s.submit)
	if !h.store.IsSetUp() {
		t.Fatal("setup not saved")
	}
	h.shows("当前登录：王芳（案场管理员）", "来访登记", "今日看板", "顾问轮排", "员工", "设置")
	if n := h.count("faq_entries"); n < 60 {
		t.Fatalf("the starter manual was not loaded at setup: %d entries", n)
	}
}

// setupScreen finds the setup screen's struct through its submit button.
func (h *harness) setupScreen() *setupScreen {
	h.t.Helper()
	if h.u.setup == nil {
		h.t.Fatal("setup screen not shown")
	}
	return h.u.setup
}
