package app

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"anchang/data"
)

// settingsScreen: the language, the office's source channels, and what
// this device is.
type settingsScreen struct {
	u         *UI
	sources   *widget.Label
	newSource *widget.Entry
	addSource *widget.Button
	message   *statusLine
	hq        *hqSettings // admins, when the desk can reach HQ
}

func newSettingsScreen(u *UI) *settingsScreen { return &settingsScreen{u: u} }

func (s *settingsScreen) buildUI() fyne.CanvasObject {
	u := s.u
	s.sources = &widget.Label{Wrapping: fyne.TextWrapWord}
	s.newSource = &widget.Entry{PlaceHolder: T("settings.source.hint")}
	s.addSource = &widget.Button{Text: T("settings.source.add"), OnTapped: s.onAddSource}
	s.message = newStatusLine()
	canEdit := u.user.Role == data.RoleAdmin || u.user.Role == data.RoleSupervisor
	addRow := container.NewBorder(nil, nil, nil, s.addSource, s.newSource)
	if !canEdit {
		addRow.Hide()
	}
	info := widget.NewLabel(T("settings.device_info", map[string]any{
		"Office": u.office.Name, "Code": u.office.Code, "Device": u.device.Name, "TimeZone": u.office.TimeZone,
		"Version": u.fa.Metadata().Version,
	}))
	info.Wrapping = fyne.TextWrapWord
	box := container.NewVBox(
		section(T("settings.language"), "", languagePicker(u, func() {
			u.showShell()
			u.shell.tabs.SelectIndex(len(u.shell.tabs.Items) - 1)
		})),
		section(T("settings.sources"), T("settings.sources.sub"), container.NewVBox(s.sources, addRow, s.message)),
		section(T("settings.device"), "", info),
	)
	if canManageHQ(u.user.Role) && (u.hqEnabled() || u.syncIdentity().Enrolled) {
		s.hq = newHQSettings(u)
		box.Add(section(T("sync.settings.title"), T("sync.settings.sub"), s.hq.buildUI()))
	}
	if canEditTicketPolicy(u.user.Role) {
		box.Add(section(T("settings.tickets"), T("settings.tickets.sub"), container.NewHBox(
			&widget.Button{Text: T("settings.sla.open"), OnTapped: func() { u.showSLAPolicy() }},
			&widget.Button{Text: T("settings.holidays.open"), OnTapped: func() { u.showHolidays() }})))
	}
	s.reload()
	return container.NewVScroll(container.NewPadded(box))
}

func (s *settingsScreen) reload() {
	u := s.u
	load(u, func(ctx context.Context) ([]data.Source, error) {
		return u.store.Sources(ctx)
	}, func(srcs []data.Source, err error) {
		if err != nil {
			s.message.SetError(u.errText(err))
			return
		}
		var names []string
		for _, src := range srcs {
			names = append(names, sourceText(src))
		}
		s.sources.SetText(strings.Join(names, " · "))
	})
}

func (s *settingsScreen) onAddSource() {
	u := s.u
	name := s.newSource.Text
	load(u, func(ctx context.Context) (data.Source, error) {
		return u.store.AddSource(ctx, u.user.ID, name)
	}, func(_ data.Source, err error) {
		if err != nil {
			s.message.SetError(u.errText(err))
			return
		}
		s.message.SetSuccess(T("settings.source.added", map[string]any{"Name": strings.TrimSpace(name)}))
		s.newSource.SetText("")
		s.reload()
		if u.shell != nil {
			u.shell.refresh()
		}
	})
}
