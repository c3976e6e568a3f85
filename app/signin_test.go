package app

import (
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
)

func TestSignInWithPINAndLockOut(t *testing.T) {
	h := newHarness(t, true, "陈思远")
	h.shows("星河湾售楼处", "员工登录", "请选择您的姓名")
	s := h.u.signIn
	// Only staff with a PIN are offered; a consultant without one is not.
	for _, o := range s.who.Options {
		if o == "陈思远（置业顾问）" {
			t.Fatal("a consultant without a PIN is offered for sign-in")
		}
	}
	test.Tap(s.submit)
	h.shows("请先选择您的姓名。")

	selectOption(t, s.who, "李静")
	test.Type(s.pin, "9999")
	test.Tap(s.submit)
	h.shows("PIN 码错误，还可以再试 4 次。")
	if s.pin.Text != "" {
		t.Fatal("the wrong PIN stays in the field")
	}
	for range 4 {
		test.Type(s.pin, "9999")
		test.Tap(s.submit)
	}
	h.shows("PIN 码错误次数过多，已锁定，请 5 分钟后再试。")
	test.Type(s.pin, "1357")
	test.Tap(s.submit)
	h.shows("已锁定")
	if h.u.shell != nil {
		t.Fatal("signed in while locked")
	}

	h.clk.Advance(5 * time.Minute)
	test.Type(s.pin, "1357")
	test.Tap(s.submit)
	h.shows("当前登录：李静（前台客服）")

	// Signing out returns to the sign-in screen with nothing of the session.
	test.Tap(findButton(t, h, "退出登录"))
	h.shows("员工登录")
	h.hides("当前登录")
}
