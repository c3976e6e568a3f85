package app

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// After the form was scrolled, the errors of a refused check-in never put
// 登记/清空 over the consultant row; after a check-in the form is back at
// the top with the phone focused, ready for the next visitor.
func TestCheckInScrolledFormErrorsAndReset(t *testing.T) {
	h := newHarness(t, true, "陈思远")
	h.onDuty("陈思远")
	h.signInAs("李静")
	c := h.checkIn()
	h.win.Resize(fyne.NewSize(1024, 480)) // a form taller than its pane
	abs := func(o fyne.CanvasObject) fyne.Position {
		return fyne.CurrentApp().Driver().AbsolutePositionForObject(o)
	}
	c.formScroll.ScrollToBottom()
	if c.formScroll.Offset.Y == 0 {
		t.Fatalf("the form does not scroll: content %v in %v", c.formScroll.Content.MinSize(), c.formScroll.Size())
	}
	test.Tap(c.submit) // everything missing
	h.shows("必填")
	if btn, row := abs(c.submit).Y, abs(c.consultant).Y+c.consultant.Size().Height; btn < row {
		t.Fatalf("登记 at y=%v overlaps the consultant row ending at y=%v", btn, row)
	}
	fillCheckIn(t, c, "13812345678", "王芳")
	c.formScroll.ScrollToBottom()
	test.Tap(c.submit)
	h.shows("已登记：王芳")
	if off := c.formScroll.Offset.Y; off != 0 {
		t.Fatalf("the form stays scrolled at %v after a check-in", off)
	}
	if h.win.Canvas().Focused() != c.phone {
		t.Fatal("the phone is not focused after a check-in")
	}
}

// The same visitor checked in again while still in the office is offered
// their open visit instead of a second one; checking in again stays a
// deliberate choice.
func TestCheckInVisitorAlreadyInOffice(t *testing.T) {
	h := newHarness(t, true, "陈思远")
	h.onDuty("陈思远")
	h.signInAs("李静")
	c := h.checkIn()
	fillCheckIn(t, c, "13812345678", "王芳")
	test.Tap(c.submit)
	h.shows("已登记：王芳")
	fillCheckIn(t, c, "13812345678", "王芳")
	test.Tap(c.submit)
	h.shows("客户已在案场", "王芳 今天已登记，尚未离开。")
	if n := h.count("visits"); n != 1 {
		t.Fatalf("%d visits after the offer", n)
	}
	test.Tap(findButton(t, h, "打开这次来访"))
	if h.u.shell.board.dialog == nil || h.u.shell.board.selectedInfo == nil || h.u.shell.board.selectedInfo.Name != "王芳" {
		t.Fatal("their visit was not opened")
	}
	h.u.shell.board.dialog.Hide()
	test.Tap(c.submit)
	test.Tap(findButton(t, h, "仍然再登记"))
	if n := h.count("visits"); n != 2 {
		t.Fatalf("%d visits after checking in again", n)
	}
}
