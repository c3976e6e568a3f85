package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
)

// joinScreen is the first-run alternative to the standalone setup: this
// device joins an office HQ already has, and receives its staff and records.
type joinScreen struct {
	u    *UI
	form *enrolForm
}

func (u *UI) showJoin() {
	s := &joinScreen{u: u}
	u.join = s
	u.setTitle(T("sync.join.title"))
	u.win.SetContent(s.buildUI())
	u.win.Canvas().Focus(s.form.url)
}

func (s *joinScreen) buildUI() fyne.CanvasObject {
	s.form = newEnrolForm(s.u, false, s.u.showSetup, s.onJoined)
	body := container.NewVBox(
		heading(T("sync.join.title")),
		languagePicker(s.u, s.u.showJoin),
		s.form.buildUI(),
	)
	return container.NewCenter(withWidth(640, container.NewPadded(body)))
}

// withWidth lays content out at width w and the height it needs, which
// changes as the steps of a form show and hide.
func withWidth(w float32, content fyne.CanvasObject) *fyne.Container {
	return container.New(fixedWidth(w), content)
}

// onJoined: the office's staff are on this device; they sign in as usual.
func (s *joinScreen) onJoined() {
	u := s.u
	u.join = nil
	u.loadDevice()
	u.startSync(u.showSignIn)
}
