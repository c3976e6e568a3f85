package app

import (
	"context"
	"errors"
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"anchang/data"
)

// The demo office is a data directory of its own (data.CreateDemo): a real
// office opens it in a window of its own (Options.OpenDemo) and never
// loads demo data into its own records. A desk on a demo office says so
// in its title and in a banner on every screen, and leaving it goes back
// to the real office (Options.LeaveDemo).

// ErrDemoOpen is what Options.OpenDemo returns while the demo office's
// window is open already.
var ErrDemoOpen = errors.New("the demo office is open already")

// demoBannerColor is the banner's background: the theme's warning orange,
// darkened so white text on it reads at a glance.
var demoBannerColor = color.NRGBA{R: 0xB4, G: 0x4A, B: 0x00, A: 0xFF}

// isDemo: this desk runs on a demo office's database.
func (u *UI) isDemo() bool { return u.store.IsDemo() }

// demoBanner is the strip across the top of a demo office's screens: what
// it is, the demo PINs on the sign-in screen, and the way back to the real
// office. nil for a real office.
func (u *UI) demoBanner(pins bool) fyne.CanvasObject {
	if !u.isDemo() {
		return nil
	}
	text := canvas.NewText(T("demo.banner"), color.White)
	text.TextSize = 1.15 * theme.TextSize()
	lines := container.NewVBox(text)
	if pins {
		hint := canvas.NewText(T("demo.signin_hint", map[string]any{"Admin": data.DemoAdminPIN, "Staff": data.DemoStaffPIN}), color.White)
		hint.TextSize = theme.TextSize()
		lines.Add(hint)
	}
	row := container.NewHBox(lines, layout.NewSpacer())
	if u.leaveDemo != nil {
		row.Add(container.NewCenter(&widget.Button{Text: T("demo.leave"), OnTapped: u.leaveDemo}))
	}
	bg := canvas.NewRectangle(demoBannerColor)
	return container.NewStack(bg, container.NewPadded(row))
}

// withDemoBanner puts the demo banner above content on a demo office.
func (u *UI) withDemoBanner(content fyne.CanvasObject, pins bool) fyne.CanvasObject {
	b := u.demoBanner(pins)
	if b == nil {
		return content
	}
	return container.NewBorder(b, nil, nil, nil, content)
}

// canOpenDemo: this desk can open the demo office (a real office's desk
// whose main program offers it).
func (u *UI) canOpenDemo() bool { return u.openDemo != nil && !u.isDemo() }

// onOpenDemo opens the demo office in a window of its own; this office's
// records are not touched.
func (u *UI) onOpenDemo() {
	open := u.openDemo
	do(u, func(ctx context.Context) error { return open() }, func(err error) {
		msg := T("demo.opening")
		switch {
		case errors.Is(err, ErrDemoOpen):
			msg = T("demo.already_open")
		case err != nil:
			msg = T("err.demo.open", map[string]any{"Err": u.errText(err)})
		}
		label := widget.NewLabel(msg)
		label.Wrapping = fyne.TextWrapWord
		u.showModal(T("menu.demo_office"), container.NewGridWrap(fyne.NewSize(460, 100), label), T("dialog.ok"))
	})
}

// demoOffer is the first-run screen's way to try the product first; nil
// where the demo office cannot be opened.
func (u *UI) demoOffer() fyne.CanvasObject {
	if !u.canOpenDemo() {
		return nil
	}
	return container.NewHBox(widget.NewLabel(T("demo.offer")), &widget.Button{Text: T("menu.demo_office"), OnTapped: u.onOpenDemo})
}
