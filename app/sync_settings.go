package app

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"anchang/data"
	hqsync "anchang/sync"
)

// hqSettingsStore is what Settings' HQ section needs from the store;
// *data.Store satisfies it.
type hqSettingsStore interface {
	LeaveHQ(ctx context.Context) error
}

var _ hqSettingsStore = (*data.Store)(nil)

// hqSettings is Settings' 总部同步 section (admins): the HQ address and the
// state of sync; a standalone office enrols here, an enrolled one can leave.
type hqSettings struct {
	u       *UI
	store   hqSettingsStore
	info    *widget.Label
	enrol   *widget.Button
	leave   *widget.Button
	syncNow *widget.Button
	message *statusLine
	form    *enrolForm // the open enrolment, if any
}

// canManageHQ: who may enrol the office or leave HQ.
func canManageHQ(r data.Role) bool { return r == data.RoleAdmin }

func newHQSettings(u *UI) *hqSettings { return &hqSettings{u: u, store: u.store} }

func (s *hqSettings) buildUI() fyne.CanvasObject {
	s.info = &widget.Label{Wrapping: fyne.TextWrapWord}
	s.enrol = &widget.Button{Text: T("sync.settings.enrol"), Importance: widget.HighImportance, OnTapped: s.onEnrol}
	s.leave = &widget.Button{Text: T("sync.settings.leave"), OnTapped: s.onLeave}
	s.syncNow = &widget.Button{Text: T("sync.now"), OnTapped: func() {
		if l := s.u.syncLoop(); l != nil {
			l.SyncNow()
		}
		s.update()
	}}
	s.message = newStatusLine()
	s.update()
	return container.NewVBox(s.info, container.NewHBox(s.enrol, s.syncNow, s.leave), s.message)
}

// update shows the enrolment as last read.
func (s *hqSettings) update() {
	u := s.u
	id := u.syncIdentity()
	if !id.Enrolled {
		s.info.SetText(T("sync.settings.standalone"))
		s.enrol.Show()
		s.leave.Hide()
		s.syncNow.Hide()
		return
	}
	st := u.syncStatus()
	s.info.SetText(T("sync.settings.enrolled", map[string]any{
		"URL": id.HQURL, "State": u.syncShort(st), "Tag": id.Tag, "Scopes": u.scopesText(id),
	}))
	s.enrol.Hide()
	s.leave.Show()
	s.syncNow.Show()
}

// scopesText names what the device reads and writes, in words.
func (u *UI) scopesText(id data.SyncIdentity) string {
	var out []string
	for _, sc := range id.Scopes {
		switch {
		case sc == "global":
			out = append(out, T("sync.scope.global"))
		case strings.HasPrefix(sc, "office:"):
			name := id.OfficeName
			if name == "" {
				name = u.office.Name
			}
			out = append(out, T("sync.scope.office", map[string]any{"Office": name}))
		default:
			out = append(out, sc)
		}
	}
	if id.Role == hqsync.RoleHQ {
		out = append(out, T("sync.scope.hq"))
	}
	return strings.Join(out, T("sync.scope.sep"))
}

// onEnrol enrols this standalone office: the same steps as a new device,
// in a modal that says where the office's records will go.
func (s *hqSettings) onEnrol() {
	u := s.u
	var m *modal
	f := newEnrolForm(u, true, func() { m.Hide() }, func() {
		m.Hide()
		s.form = nil
		u.loadDevice()
		u.startSync(func() {
			u.showShell()
			u.shell.tabs.SelectIndex(len(u.shell.tabs.Items) - 1)
			u.shell.settings.hq.message.SetSuccess(T("sync.settings.enrolled_now"))
		})
	})
	s.form = f
	m = u.showModal(T("sync.settings.enrol"), withWidth(600, f.buildUI()), "")
	m.onClosed = func() { s.form = nil }
	u.win.Canvas().Focus(f.url)
}

// onLeave asks first; leaving keeps every record on this device.
func (s *hqSettings) onLeave() {
	u := s.u
	text := &widget.Label{Text: T("sync.settings.leave.confirm"), Wrapping: fyne.TextWrapWord}
	u.showModal(T("sync.settings.leave"), withWidth(480, text), T("dialog.cancel"),
		&widget.Button{Text: T("sync.settings.leave.do"), Importance: widget.DangerImportance, OnTapped: s.doLeave})
}

func (s *hqSettings) doLeave() {
	u := s.u
	// The loop stops first (off the UI goroutine: it may be inside a
	// request), so nothing is pushed while the enrolment ends.
	u.sync.mu.Lock()
	loop := u.sync.loop
	u.sync.loop = nil
	u.sync.mu.Unlock()
	do(u, func(ctx context.Context) error {
		if loop != nil {
			loop.Stop()
		}
		return s.store.LeaveHQ(ctx)
	}, func(err error) {
		if err != nil {
			s.message.SetError(u.errText(err))
			u.startSync(func() {}) // still enrolled: the loop runs again
			return
		}
		u.sync.mu.Lock()
		u.sync.id = data.SyncIdentity{}
		u.sync.mu.Unlock()
		s.update()
		if u.shell != nil {
			u.shell.syncBar.update()
		}
		s.message.SetSuccess(T("sync.settings.left"))
	})
}
