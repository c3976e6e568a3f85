package app

import (
	"context"
	"fmt"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"anchang/data"
)

// growToContent does what the desktop driver does after every frame: a
// window smaller than its padded content's minimum size is enlarged to
// fit it.
func growToContent(w fyne.Window) {
	sz := w.Canvas().Size()
	m := w.Content().MinSize()
	if w.Padded() {
		m = m.AddWidthHeight(2*theme.Padding(), 2*theme.Padding())
	}
	if m.Width > sz.Width || m.Height > sz.Height {
		w.Resize(sz.Max(m))
	}
}

// Left alone for minutes, the kiosk keeps the size the screen gave it: its
// scale comes from the screen, its content never asks for more than the
// screen, and the keypad under a visitor's finger is never rebuilt or
// moved by the once-a-second tick, so no tap is lost.
func TestKioskHoldsItsSizeUnderTicks(t *testing.T) {
	for _, screen := range []fyne.Size{{Width: 1920, Height: 1080}, {Width: 1280, Height: 800}, {Width: 1024, Height: 768}} {
		t.Run(fmtSize(screen), func(t *testing.T) {
			h := newHarness(t, true, "陈思远")
			h.signInAs("李静")
			h.u.showKiosk()
			h.win.Resize(screen) // the window went full screen
			k := h.kioskScreen()
			k.tick()
			growToContent(h.win)
			scale, size := k.scale, h.win.Canvas().Size()
			if size != screen {
				t.Fatalf("the kiosk grew the %v screen to %v", screen, size)
			}
			test.Tap(k.staffExit)
			key := k.keys["1"]
			pos := key.Position()
			for i := range 300 { // five minutes of ticks
				h.clk.Advance(time.Second)
				if i%20 == 0 {
					test.Tap(k.keys["1"]) // a staff member typing the PIN slowly
					test.Tap(k.keys["⌫"])
				}
				k.tick()
				growToContent(h.win)
			}
			if got := h.win.Canvas().Size(); got != size || k.scale != scale {
				t.Fatalf("after 300 ticks the kiosk is %v at scale %v; it was %v at scale %v", got, k.scale, size, scale)
			}
			if k.keys["1"] != key || key.Position() != pos {
				t.Fatal("the tick rebuilt or moved the PIN pad")
			}
			if want := min(screen.Width/1024, screen.Height/768); k.scale != max(1, min(2, want)) {
				t.Fatalf("scale %v on a %v screen", k.scale, screen)
			}
		})
	}
}

func fmtSize(s fyne.Size) string { return fmt.Sprintf("%gx%g", s.Width, s.Height) }

// Leaving the kiosk gives the desk back exactly as it was: its theme, its
// window size, not full screen; the kiosk's tick, if it still fires, does
// nothing.
func TestKioskExitRestoresTheDesk(t *testing.T) {
	h := newHarness(t, true, "陈思远")
	h.signInAs("李静")
	fa := h.u.fa
	textSize := fa.Settings().Theme().Size(theme.SizeNameText)
	size := h.win.Canvas().Size()
	h.u.showKiosk()
	k := h.kioskScreen()
	h.win.Resize(fyne.NewSize(1920, 1080)) // full screen
	k.tick()
	growToContent(h.win)
	if fa.Settings().Theme().Size(theme.SizeNameText) == textSize {
		t.Fatal("the kiosk did not enlarge its text")
	}
	test.Tap(k.staffExit)
	typePhone(t, k, "135792")
	test.Tap(k.confirm)
	if h.u.kiosk != nil {
		t.Fatal("still in the kiosk")
	}
	check := func(when string) {
		t.Helper()
		if got := fa.Settings().Theme().Size(theme.SizeNameText); got != textSize {
			t.Fatalf("%s: desk text size %v, want %v", when, got, textSize)
		}
		if got := h.win.Canvas().Size(); got != size {
			t.Fatalf("%s: desk window %v, want %v", when, got, size)
		}
		if h.win.FullScreen() {
			t.Fatalf("%s: desk still full screen", when)
		}
		h.shows("当前登录：李静（前台客服）")
	}
	check("after leaving")
	h.win.Resize(fyne.NewSize(1920, 1080)) // a late tick after the screen changed
	k.tick()
	h.win.Resize(size)
	check("after a late kiosk tick")
}

// An error the visitor has fixed does not follow them to the next page.
func TestKioskFixedErrorDoesNotStay(t *testing.T) {
	h := newHarness(t, true, "陈思远")
	h.onDuty("陈思远")
	h.signInAs("李静")
	h.u.showKiosk()
	k := h.kioskScreen()
	typePhone(t, k, "13812345678")
	test.Tap(k.next)
	test.Tap(k.next)
	h.shows("姓名：必填。")
	test.Tap(k.surnameBtns["王"])
	test.Tap(k.titleBtns[data.TitleMr])
	test.Tap(k.purposeBtns[data.PurposeViewing])
	test.Tap(k.next)
	h.shows("个人信息告知书")
	h.hides("姓名：必填。", "必填")
	test.Tap(k.confirm)
	h.shows("请稍坐")
	h.hides("必填")
}

// A visitor gives their name by taps alone: a surname from the pages of
// common surnames, and 先生 or 女士.
func TestKioskNameByTouchAlone(t *testing.T) {
	h := newHarness(t, true, "陈思远")
	h.onDuty("陈思远")
	h.signInAs("李静")
	h.u.showKiosk()
	k := h.kioskScreen()
	typePhone(t, k, "13812345678")
	test.Tap(k.next)
	h.shows("请点选您的姓氏", "王", "更多姓氏（1/4）")
	h.hides("郑")
	test.Tap(k.moreSurnames)
	h.shows("郑", "更多姓氏（2/4）")
	h.hides("王")
	test.Tap(k.surnameBtns["郑"])
	test.Tap(k.next)
	h.shows("称呼：请选择一项。 来访目的：请选择一项。")
	h.hides("姓名：")
	for range 4 { // round all the pages and back: the choice stays
		test.Tap(k.moreSurnames)
	}
	if b := k.surnameBtns["郑"]; b == nil || b.Importance != widget.HighImportance {
		t.Fatal("the chosen surname is not marked after paging")
	}
	test.Tap(k.titleBtns[data.TitleMs])
	test.Tap(k.purposeBtns[data.PurposeViewing])
	h.hides("必填", "请选择")
	test.Tap(k.next)
	test.Tap(k.confirm)
	h.shows("郑女士，登记成功！")
	b, err := h.store.Board(context.Background(), h.store.Today(), data.BoardFilter{})
	if err != nil || len(b.Rows) != 1 || b.Rows[0].Name != "郑" || b.Rows[0].Title != data.TitleMs {
		t.Fatalf("board %+v %v", b.Rows, err)
	}
}

// Nothing moves when a line appears (digits, PIN dots, an error), and the
// step label is centred on the screen.
func TestKioskContentDoesNotJump(t *testing.T) {
	for _, screen := range []fyne.Size{{Width: 1920, Height: 1080}, {Width: 1024, Height: 768}} {
		t.Run(fmtSize(screen), func(t *testing.T) {
			h := newHarness(t, true, "陈思远")
			h.signInAs("李静")
			h.u.showKiosk()
			h.win.Resize(screen)
			k := h.kioskScreen()
			k.tick()
			h.win.Resize(screen) // the driver lays out again in the new theme
			abs := func(o fyne.CanvasObject) fyne.Position {
				return fyne.CurrentApp().Driver().AbsolutePositionForObject(o)
			}
			label := findText(t, h, "第 1 步，共 3 步")
			view := k.content.Objects[0]
			centre := abs(view).X + view.Size().Width/2
			if mid := abs(label).X + label.Size().Width/2; mid < centre-1 || mid > centre+1 {
				t.Fatalf("step label centred at x=%v, the screen at %v", mid, centre)
			}
			key := k.keys["5"]
			relayout(h.win)
			at := abs(key)
			test.Tap(k.next) // an error appears
			h.shows("必填")
			relayout(h.win) // as the driver does after a refresh
			if got := abs(key); got != at {
				t.Fatalf("the keypad moved from %v to %v when an error appeared", at, got)
			}
			test.Tap(k.staffExit)
			key = k.keys["5"]
			relayout(h.win)
			at = abs(key)
			test.Tap(key) // the first PIN dot
			relayout(h.win)
			if got := abs(key); got != at {
				t.Fatalf("the PIN pad moved from %v to %v when a dot appeared", at, got)
			}
		})
	}
}

// findText finds a visible canvas text by its text.
func findText(t *testing.T, h *harness, text string) *canvas.Text {
	t.Helper()
	o := findVisible(h, func(o fyne.CanvasObject) bool {
		c, ok := o.(*canvas.Text)
		return ok && c.Text == text
	})
	if o == nil {
		t.Fatalf("no text %q on screen:\n%s", text, h.screen())
	}
	return o.(*canvas.Text)
}

// relayout lays the whole window out again, as the desktop driver does
// after a refresh (a container resized to its own size does not).
func relayout(w fyne.Window) {
	sz := w.Canvas().Size()
	w.Resize(sz.AddWidthHeight(1, 1))
	w.Resize(sz)
}

// Digits typed on a hardware keypad after the kiosk stood idle for minutes
// (ticking every second on a fake clock) all arrive, on every step they
// can be typed on; a half-typed number the last visitor left is cleared
// after the idle reset, and typing re-arms it.
func TestKioskTypedDigitsSurviveIdle(t *testing.T) {
	h := newHarness(t, true, "陈思远")
	h.signInAs("李静")
	h.u.showKiosk()
	k := h.kioskScreen()
	c := h.win.Canvas()
	idle := func(d time.Duration) {
		for range int(d / time.Second) {
			h.clk.Advance(time.Second)
			k.tick()
		}
	}
	for _, wait := range []time.Duration{2 * time.Minute, 150 * time.Second, 3 * time.Minute} {
		idle(wait)
		test.TypeOnCanvas(c, "13812345678")
		if k.step != kioskPhone || k.phone != "13812345678" {
			t.Fatalf("after %v idle, typed 13812345678, got step %d phone %q", wait, k.step, k.phone)
		}
		h.shows("138 1234 5678")
		// Typing keeps the number: each digit postpones the reset.
		for range 3 {
			idle(kioskIdleReset - 2*time.Second)
			test.TypeOnCanvas(c, "0")
		}
		if k.phone != "13812345678000" {
			t.Fatalf("typing did not postpone the idle reset: %q", k.phone)
		}
		// Walked away half-way: the next visitor does not inherit it.
		idle(kioskIdleReset)
		if k.phone != "" {
			t.Fatalf("half a number left for the next visitor: %q", k.phone)
		}
		h.hides("138 1234 5678")
	}

	// Abandoned on the name step, reset at 60 s: the next number typed
	// arrives whole.
	test.TypeOnCanvas(c, "13812345678")
	test.Tap(k.next)
	if k.step != kioskName {
		t.Fatalf("step %d, want the name step", k.step)
	}
	idle(170 * time.Second)
	test.TypeOnCanvas(c, "13900001111")
	if k.step != kioskPhone || k.phone != "13900001111" {
		t.Fatalf("after the name step's reset: step %d phone %q", k.step, k.phone)
	}

	// The "please take a seat" screen: the next visitor's digits start a
	// new check-in instead of being dropped.
	k.phone, k.surname, k.title, k.purpose = "13900001111", "王", data.TitleMs, data.PurposeViewing
	k.show(kioskConsent)
	test.Tap(k.confirm)
	if k.step != kioskDone {
		t.Fatalf("step %d, want done", k.step)
	}
	idle(5 * time.Second)
	test.TypeOnCanvas(c, "137")
	if k.step != kioskPhone || k.phone != "137" {
		t.Fatalf("typed on the done screen: step %d phone %q", k.step, k.phone)
	}
}
