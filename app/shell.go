package app

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"anchang/data"
)

// shell is the signed-in desk: a top bar and one tab per screen.
type shell struct {
	u          *UI
	content    fyne.CanvasObject // what the window shows while the desk is open
	tabs       *tabs
	clock      *widget.Label
	syncBar    *syncBar       // the sync indicator (enrolled offices)
	checkin    *checkInScreen // nil for roles that do not register visitors
	board      *boardScreen
	rotation   *rotationScreen
	faq        *faqScreen
	tickets    *ticketsScreen // the ticket desk and its count in the top bar
	faqAdmin   *faqAdmin      // admins only: the manual's editor, report and files
	staff      *staffScreen   // admins only
	settings   *settingsScreen
	inspection *inspectionScreen // the handover inspections (not for consultants)
	// calendarWarn (admins only) says a year's official holiday schedule
	// is missing, so its deadlines are estimated; it opens the calendar.
	calendarWarn *widget.Button
	officeName   *widget.Label // the office's name in the top bar
	// The tabs the first steps' cards go to (app/first_steps.go).
	staffTab, rotationTab, faqTab *tab
}

// signedIn shows the desk for st.
func (u *UI) signedIn(st data.Staff) {
	u.user = st
	u.showShell()
}

// showShell (re)builds the desk, e.g. after the language changed; the
// previous desk's timers stop.
func (u *UI) showShell() {
	u.Stop()
	sh := &shell{u: u}
	u.shell = sh
	u.setTitle("")
	sh.content = sh.buildUI()
	u.win.SetContent(sh.content)
	u.win.SetMainMenu(sh.menu())
	u.win.Canvas().SetOnTypedRune(nil)
	u.win.Canvas().SetOnTypedKey(func(ev *fyne.KeyEvent) {
		if ev.Name == fyne.KeyEscape && sh.faq.closeCustomer() {
			return
		}
		if ev.Name == fyne.KeyEscape && u.closePrinting() {
			return
		}
		if ev.Name == fyne.KeyEscape && sh.tickets.closeTop() {
			return
		}
		if ev.Name == fyne.KeyEscape && sh.board.dialog != nil {
			sh.board.dialog.Hide()
		}
	})
	u.every(time.Second, sh.tick)
	u.every(15*time.Second, sh.refresh)
	u.watchStore()
	sh.refresh()
}

func (sh *shell) buildUI() fyne.CanvasObject {
	u := sh.u
	sh.clock = widget.NewLabel("")
	sh.tick()
	who := widget.NewLabel(T("shell.signed_in", map[string]any{"Name": u.user.Name, "Role": T("role." + string(u.user.Role))}))
	office := widget.NewLabel(u.office.Name)
	office.Importance = widget.HighImportance
	sh.officeName = office
	var right []fyne.CanvasObject
	sh.tickets = newTicketsScreen(u)
	right = append(right, sh.tickets.glanceButton(), sh.clock)
	if u.user.Role.CanCheckIn() {
		right = append(right, &widget.Button{Text: T("shell.kiosk"), Icon: nil, OnTapped: u.showKiosk})
	}
	right = append(right, &widget.Button{Text: T("shell.sign_out"), OnTapped: u.showSignIn})
	top := container.NewBorder(nil, nil,
		container.NewHBox(&widget.Icon{Resource: logoResource}, office, widget.NewSeparator(), who),
		container.NewHBox(right...))

	sh.board = newBoardScreen(u)
	sh.rotation = newRotationScreen(u)
	sh.faq = newFAQScreen(u)
	sh.settings = newSettingsScreen(u)
	var items []*tab
	if u.user.Role.CanCheckIn() {
		sh.checkin = newCheckInScreen(u)
		items = append(items, newTab(T("tab.checkin"), sh.checkin.buildUI()))
	}
	faqUI := sh.faq.buildUI()
	if u.user.Role.CanEditFAQ() {
		sh.faqAdmin = newFAQAdmin(u, sh.faq)
		faqUI = sh.faqAdmin.buildUI(faqUI)
	}
	faqTab := newTab(T("tab.faq"), faqUI)
	sh.faqTab = faqTab
	sh.rotationTab = newTab(T("tab.rotation"), sh.rotation.buildUI())
	items = append(items,
		newTab(T("tab.board"), sh.board.buildUI()),
		sh.rotationTab,
		faqTab, sh.tickets.newTab())
	if u.user.Role.CanManageStaff() {
		sh.staff = newStaffScreen(u)
		sh.staffTab = newTab(T("tab.staff"), sh.staff.buildUI())
		items = append(items, sh.staffTab)
	}
	items = append(items, sh.inspectionTabs()...)
	items = append(items, newTab(T("tab.settings"), sh.settings.buildUI()))
	sh.tabs = newTabs(items...)
	sh.tabs.OnSelected = func(t *tab) {
		sh.refresh()
		if t == faqTab && (sh.faqAdmin == nil || sh.faqAdmin.pages.selected == 0) {
			u.win.Canvas().Focus(sh.faq.search) // the question is typed at once
		}
	}
	sh.syncBar = newSyncBar(u) // at the tab row's right end: the top bar is full at 1024 px
	head := container.NewVBox(container.NewPadded(top))
	if b := u.demoBanner(false); b != nil {
		head = container.NewVBox(b, container.NewPadded(top))
	}
	if canEditTicketPolicy(u.user.Role) {
		// A strip under the bar, not in it: the bar is full at 1024 pixels.
		sh.calendarWarn = &widget.Button{Icon: theme.WarningIcon(), Importance: widget.WarningImportance, Alignment: widget.ButtonAlignLeading,
			OnTapped: func() { u.showHolidays() }}
		sh.calendarWarn.Hide()
		head.Add(container.NewPadded(sh.calendarWarn))
	}
	head.Add(widget.NewSeparator())
	return container.NewBorder(head, nil, nil, nil, sh.tabs.object(sh.syncBar.buildUI()))
}

func (sh *shell) menu() *fyne.MainMenu {
	u := sh.u
	var tools []*fyne.MenuItem
	if u.user.Role.CanCheckIn() {
		tools = append(tools, fyne.NewMenuItem(T("shell.kiosk"), u.showKiosk))
	}
	tools = append(tools, fyne.NewMenuItem(T("menu.blank_forms"), u.showBlankForms))
	if u.canOpenDemo() { // a window of its own: nothing goes into this office
		tools = append(tools, fyne.NewMenuItem(T("menu.demo_office"), u.onOpenDemo))
	}
	if u.isDemo() && u.leaveDemo != nil {
		tools = append(tools, fyne.NewMenuItem(T("demo.leave"), u.leaveDemo))
	}
	if canSeeLedger(u.user.Role) { // also on the tickets tab
		tools = append(tools, fyne.NewMenuItem(T("ledger.title"), func() { u.showTicketLedger() }))
	}
	tools = append(tools, fyne.NewMenuItemSeparator(), fyne.NewMenuItem(T("shell.sign_out"), u.showSignIn))
	help := fyne.NewMenu(T("menu.help"),
		fyne.NewMenuItem(T("help.steps.title"), func() { u.showGuide(0) }),
		fyne.NewMenuItem(T("help.guide"), func() { u.showGuide(1) }),
		fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem(T("menu.about"), sh.onAbout))
	return fyne.NewMainMenu(fyne.NewMenu(T("menu.tools"), tools...), help)
}

// tick updates the clock and the waiting times.
func (sh *shell) tick() {
	sh.clock.SetText(sh.u.now().In(sh.u.location()).Format("2006-01-02 15:04:05"))
	if sh.syncBar != nil {
		sh.syncBar.update()
	}
}

// refresh reloads what the screens show from the store.
func (sh *shell) refresh() {
	if sh.checkin != nil {
		sh.checkin.reloadSide()
	}
	sh.board.reload()
	sh.rotation.reload()
	sh.faq.reload()
	sh.tickets.reload()
	sh.inspectionReload()
	if sh.staff != nil {
		sh.staff.reload()
	}
	sh.reloadCalendarWarning()
}

// reloadCalendarWarning shows the admin which year's official holiday
// schedule to import: the current year all year, the next from 1 November
// (data.Calendar.MissingSchedule).
func (sh *shell) reloadCalendarWarning() {
	u := sh.u
	if sh.calendarWarn == nil {
		return
	}
	load(u, func(ctx context.Context) (int, error) {
		cal, err := u.store.Calendar(ctx)
		if err != nil {
			return 0, err
		}
		y, _ := cal.MissingSchedule(u.now())
		return y, nil
	}, func(year int, err error) {
		if err != nil || year == 0 {
			sh.calendarWarn.Hide()
			return
		}
		sh.calendarWarn.SetText(T("shell.calendar_missing", map[string]any{"Year": year}))
		sh.calendarWarn.Show()
	})
}

func (sh *shell) onAbout() {
	u := sh.u
	meta := u.fa.Metadata()
	text := widget.NewLabel(T("about.text", map[string]any{"Version": meta.Version, "Device": u.device.Name, "Office": u.office.Code}))
	text.Wrapping = fyne.TextWrapWord
	u.showModal(T("menu.about"), container.NewGridWrap(fyne.NewSize(420, 140), text), T("dialog.ok"))
}
