package app

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
)

// TestPhoneNeverLogged runs check-ins, a failing check-in and a kiosk
// failure with a logger that records everything, and looks for the number.
func TestPhoneNeverLogged(t *testing.T) {
	var logs bytes.Buffer
	h := newHarness(t, true, "陈思远")
	h.u.log = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h.onDuty("陈思远")
	h.signInAs("李静")
	c := h.checkIn()
	fillCheckIn(t, c, "13812345678", "王芳")
	test.Tap(c.submit)
	h.shows("已登记")

	// Make every store call fail, then try again at the desk and the kiosk.
	h.store.Close()
	fillCheckIn(t, c, "13812345678", "王芳")
	test.Tap(c.submit)
	h.shows("操作没有完成，请重试")
	h.u.showKiosk()
	k := h.kioskScreen()
	typePhone(t, k, "13812345678")
	test.Tap(k.next)
	test.Tap(k.surnameBtns["王"])
	test.Tap(k.titleBtns["mr"])
	test.Tap(k.purposeBtns["viewing"])
	test.Tap(k.next)
	test.Tap(k.confirm)
	h.shows("登记没有成功，请联系前台工作人员。")

	if logs.Len() == 0 {
		t.Fatal("nothing was logged: the failures should have been")
	}
	for _, pii := range []string{"13812345678", "138 1234 5678", "王芳"} {
		if strings.Contains(logs.String(), pii) {
			t.Fatalf("the log contains %q:\n%s", pii, logs.String())
		}
	}
}
