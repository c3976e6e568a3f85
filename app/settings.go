package app

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"anchang/data"
)

// settingsStore is what Settings needs from the store: the office's
// channels as an admin keeps them, and the office's name and code;
// *data.Store satisfies it.
type settingsStore interface {
	AddSource(ctx context.Context, actorID, name string) (data.Source, error)
	AllSources(ctx context.Context) ([]data.Source, error)
	RenameSource(ctx context.Context, actorID, id, name string) (data.Source, error)
	SetSourceActive(ctx context.Context, actorID, id string, active bool) error
	OrderSources(ctx context.Context, actorID string, ids []string) error
	EditOffice(ctx context.Context, actorID string, in data.OfficeEdit) (data.Device, data.Office, error)
}

var _ settingsStore = (*data.Store)(nil)

// settingsScreen: the language, the office's source channels, and what
// this device is.
type settingsScreen struct {
	u     *UI
	store settingsStore

	// The office and this device; admins edit them (officeForm).
	officeName, officeCode, deviceName *widget.Entry
	officeFields                       []*field
	saveOffice                         *widget.Button
	officeNote                         *widget.Label // on an enrolled office: HQ owns the name and code
	officeMsg                          *statusLine

	// The channels, one row each (sourceRows, in display order).
	sources    *fyne.Container
	sourceRows []*sourceRow
	srcs       []data.Source
	canEdit    bool
	newSource  *widget.Entry
	addSource  *widget.Button
	message    *statusLine
	// The open rename dialog's name and button.
	renameEntry *widget.Entry
	renameSave  *widget.Button
	hq          *hqSettings // admins, when the desk can reach HQ
}

// sourceRow is one channel in Settings with its actions.
type sourceRow struct {
	src                    data.Source
	label                  *widget.Label
	up, down, rename, hide *widget.Button
}

func newSettingsScreen(u *UI) *settingsScreen { return &settingsScreen{u: u, store: u.store} }

func (s *settingsScreen) buildUI() fyne.CanvasObject {
	u := s.u
	s.sources = container.NewVBox()
	s.newSource = &widget.Entry{PlaceHolder: T("settings.source.hint")}
	s.addSource = &widget.Button{Text: T("settings.source.add"), OnTapped: s.onAddSource}
	s.message = newStatusLine()
	s.canEdit = u.user.Role == data.RoleAdmin || u.user.Role == data.RoleSupervisor
	addRow := container.NewBorder(nil, nil, nil, s.addSource, s.newSource)
	if !s.canEdit {
		addRow.Hide()
	}
	sourcesSub := T("settings.sources.sub")
	if s.canEdit {
		sourcesSub = T("settings.sources.sub.edit")
	}
	box := container.NewVBox(
		section(T("settings.language"), "", languagePicker(u, func() {
			u.showShell()
			u.shell.tabs.SelectIndex(len(u.shell.tabs.Items) - 1)
		})),
		section(T("settings.device"), "", s.officeUI()),
		section(T("settings.sources"), sourcesSub, container.NewVBox(s.sources, addRow, s.message)),
	)
	if u.user.Role.CanManageStaff() {
		box.Add(u.pinKeySection())
	}
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

// officeUI is what this device is: a form for an admin, a summary for
// everyone else.
func (s *settingsScreen) officeUI() fyne.CanvasObject {
	u := s.u
	version := widget.NewLabel(T("settings.device_more", map[string]any{"TimeZone": u.office.TimeZone, "Version": u.fa.Metadata().Version}))
	if u.user.Role != data.RoleAdmin {
		info := widget.NewLabel(T("settings.device_info", map[string]any{
			"Office": u.office.Name, "Code": u.office.Code, "Device": u.device.Name, "TimeZone": u.office.TimeZone,
			"Version": u.fa.Metadata().Version,
		}))
		info.Wrapping = fyne.TextWrapWord
		return info
	}
	s.officeName = &widget.Entry{Text: u.office.Name}
	s.officeCode = &widget.Entry{Text: u.office.Code}
	s.deviceName = &widget.Entry{Text: u.device.Name}
	s.officeFields = []*field{
		newField("office_name", "setup.office_name", s.officeName),
		newField("office_code", "setup.office_code", s.officeCode),
		newField("device_name", "setup.device_name", s.deviceName),
	}
	s.saveOffice = &widget.Button{Text: T("settings.office.save"), Importance: widget.HighImportance, OnTapped: s.onSaveOffice}
	s.officeMsg = newStatusLine()
	s.officeNote = widget.NewLabel(T("settings.office.code_note"))
	s.officeNote.Wrapping = fyne.TextWrapWord
	if u.syncIdentity().Enrolled {
		// HQ owns the office's record once enrolled (docs/sync.md).
		s.officeName.Disable()
		s.officeCode.Disable()
		s.officeNote.SetText(T("settings.office.at_hq"))
	}
	return container.NewVBox(formGrid(s.officeFields...), s.officeNote,
		container.NewHBox(s.saveOffice), s.officeMsg, version)
}

func (s *settingsScreen) onSaveOffice() {
	u := s.u
	actor := u.user.ID
	in := data.OfficeEdit{OfficeName: s.officeName.Text, OfficeCode: s.officeCode.Text, DeviceName: s.deviceName.Text}
	es := s.store
	load(u, func(ctx context.Context) (data.Office, error) {
		_, off, err := es.EditOffice(ctx, actor, in)
		return off, err
	}, func(off data.Office, err error) {
		if err != nil {
			if fe := fieldErrorsOf(err); fe != nil {
				showFieldErrors(s.officeFields, fe, s.officeMsg.SetError)
				s.officeMsg.SetError(T("settings.office.not_saved"))
				return
			}
			s.officeMsg.SetError(u.errText(err))
			return
		}
		// The top bar, the window title and every screen show the new
		// names: rebuild the desk, back on Settings.
		u.loadDevice()
		u.showShell()
		u.shell.tabs.SelectIndex(len(u.shell.tabs.Items) - 1)
		if st := u.shell.settings; st.officeMsg != nil {
			st.officeMsg.SetSuccess(T("settings.office.saved", map[string]any{"Office": off.Name, "Code": off.Code}))
		}
	})
}

func (s *settingsScreen) reload() {
	u := s.u
	load(u, func(ctx context.Context) ([]data.Source, error) {
		return s.store.AllSources(ctx)
	}, func(srcs []data.Source, err error) {
		if err != nil {
			s.message.SetError(u.errText(err))
			return
		}
		s.setSources(srcs)
	})
}

// setSources draws one row per channel: everyone sees the offered ones;
// editors also see the hidden ones, greyed, and the actions.
func (s *settingsScreen) setSources(srcs []data.Source) {
	s.srcs = srcs
	s.sourceRows = nil
	var objs []fyne.CanvasObject
	var shown []data.Source
	for _, src := range srcs {
		if src.Active || s.canEdit {
			shown = append(shown, src)
		}
	}
	for i, src := range shown {
		r := &sourceRow{src: src, label: widget.NewLabel(sourceText(src))}
		if !src.Active {
			r.label.SetText(T("settings.source.hidden", map[string]any{"Name": sourceText(src)}))
			r.label.Importance = widget.LowImportance
		}
		s.sourceRows = append(s.sourceRows, r)
		if !s.canEdit {
			objs = append(objs, r.label)
			continue
		}
		id := src.ID
		r.up = &widget.Button{Icon: theme.MoveUpIcon(), OnTapped: func() { s.onMove(id, -1) }}
		r.down = &widget.Button{Icon: theme.MoveDownIcon(), OnTapped: func() { s.onMove(id, 1) }}
		if i == 0 {
			r.up.Disable()
		}
		if i == len(shown)-1 {
			r.down.Disable()
		}
		r.rename = &widget.Button{Text: T("settings.source.rename"), OnTapped: func() { s.onRename(r.src) }}
		hideText := T("settings.source.hide")
		if !src.Active {
			hideText = T("settings.source.show")
		}
		r.hide = &widget.Button{Text: hideText, OnTapped: func() { s.onSetActive(id, !src.Active) }}
		objs = append(objs, container.NewBorder(nil, nil, nil, container.NewHBox(r.up, r.down, r.rename, r.hide), r.label))
	}
	if !s.canEdit {
		// A read-only list reads better on one line.
		var names []string
		for _, r := range s.sourceRows {
			names = append(names, sourceText(r.src))
		}
		l := widget.NewLabel(strings.Join(names, " · "))
		l.Wrapping = fyne.TextWrapWord
		objs = []fyne.CanvasObject{l}
	}
	s.sources.Objects = objs
	s.sources.Refresh()
}

// row finds the row of a channel by the name it shows.
func (s *settingsScreen) row(name string) *sourceRow {
	for _, r := range s.sourceRows {
		if sourceText(r.src) == name {
			return r
		}
	}
	return nil
}

// changed reloads the list and the screens that offer the channels.
func (s *settingsScreen) changed(msg string) {
	s.message.SetSuccess(msg)
	s.reload() // the check-in form's channels follow the store's change (UI.storeChanged)
}

func (s *settingsScreen) onMove(id string, by int) {
	u := s.u
	actor := u.user.ID
	ids := make([]string, len(s.srcs))
	at := -1
	for i, src := range s.srcs {
		ids[i] = src.ID
		if src.ID == id {
			at = i
		}
	}
	// Move past the neighbours the list shows (a reader sees only the
	// offered ones; an editor sees all).
	to := at + by
	if at < 0 || to < 0 || to >= len(ids) {
		return
	}
	ids[at], ids[to] = ids[to], ids[at]
	do(u, func(ctx context.Context) error {
		return s.store.OrderSources(ctx, actor, ids)
	}, func(err error) {
		if err != nil {
			s.message.SetError(u.errText(err))
			s.reload()
			return
		}
		s.changed(T("settings.source.moved"))
	})
}

func (s *settingsScreen) onSetActive(id string, active bool) {
	u := s.u
	actor := u.user.ID
	do(u, func(ctx context.Context) error {
		return s.store.SetSourceActive(ctx, actor, id, active)
	}, func(err error) {
		if err != nil {
			s.message.SetError(u.errText(err))
			return
		}
		key := "settings.source.hidden_done"
		if active {
			key = "settings.source.shown_done"
		}
		s.changed(T(key))
	})
}

// onRename asks for the channel's new name; the dialog stays open, with
// the reason, while the name is refused.
func (s *settingsScreen) onRename(src data.Source) {
	u := s.u
	actor := u.user.ID
	entry := &widget.Entry{Text: sourceText(src)}
	f := newField("source_name", "settings.source.name", entry)
	var m *modal
	save := &widget.Button{Text: T("settings.source.rename.save"), Importance: widget.HighImportance}
	save.OnTapped = func() {
		name := entry.Text
		load(u, func(ctx context.Context) (data.Source, error) {
			return s.store.RenameSource(ctx, actor, src.ID, name)
		}, func(got data.Source, err error) {
			if err != nil {
				if fe := fieldErrorsOf(err); fe != nil {
					showFieldErrors([]*field{f}, fe, f.setError)
				} else {
					f.setError(u.errText(err))
				}
				return
			}
			m.Hide()
			s.changed(T("settings.source.renamed", map[string]any{"Name": got.Name}))
		})
	}
	entry.OnSubmitted = func(string) { save.OnTapped() }
	s.renameEntry, s.renameSave = entry, save
	hint := widget.NewLabel(T("settings.source.rename.hint"))
	hint.Wrapping = fyne.TextWrapWord
	body := container.NewVBox(formGrid(f), hint, container.NewHBox(layout.NewSpacer(), save))
	m = u.showModal(T("settings.source.rename.title", map[string]any{"Name": sourceText(src)}),
		container.NewGridWrap(fyne.NewSize(460, body.MinSize().Height+40), body), T("dialog.cancel"))
	u.win.Canvas().Focus(entry)
}

func (s *settingsScreen) onAddSource() {
	u := s.u
	actor := u.user.ID
	name := s.newSource.Text
	load(u, func(ctx context.Context) (data.Source, error) {
		return s.store.AddSource(ctx, actor, name)
	}, func(_ data.Source, err error) {
		if err != nil {
			s.message.SetError(u.errText(err))
			return
		}
		s.newSource.SetText("")
		s.changed(T("settings.source.added", map[string]any{"Name": strings.TrimSpace(name)}))
	})
}
