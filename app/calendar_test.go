package app

import (
	"context"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"anchang/data"
)

// The top bar warns the admin, and only the admin, that next year's
// holiday schedule is missing from 1 November; not in October.
func TestCalendarWarningInTopBar(t *testing.T) {
	h := newHarness(t, true)
	warn := T("shell.calendar_missing", map[string]any{"Year": 2027})
	h.clk.t = time.Date(2026, 10, 31, 12, 0, 0, 0, officeZone)
	h.signInAs("管理员")
	h.hides(warn)
	h.clk.t = time.Date(2026, 12, 7, 10, 0, 0, 0, officeZone)
	h.u.shell.refresh()
	h.shows(warn)
	test.Tap(findButton(t, h, warn)) // opens the calendar, showing 2027's estimate
	h.shows(T("settings.holidays.next_missing", map[string]any{"Year": 2027}))
	h.signInAs("李静")
	h.hides(warn)
	// Once 2027 is imported the warning goes.
	if _, err := h.store.ImportHolidays(context.Background(), h.admin.ID, []byte(holiday2027)); err != nil {
		t.Fatal(err)
	}
	h.signInAs("管理员")
	h.hides(warn)
	SetLanguage("en")
	h.clk.t = time.Date(2028, 3, 1, 10, 0, 0, 0, officeZone) // all year while the current year has none
	h.signInAs("管理员")
	h.shows(T("shell.calendar_missing", map[string]any{"Year": 2028}))
}

// A complaint opened on 31 December 2026 shows that its deadlines are
// estimated on the statutory holidays.
func TestTicketDetailSaysDeadlinesEstimated(t *testing.T) {
	h := ticketDesk(t)
	h.clk.t = time.Date(2026, 12, 31, 16, 0, 0, 0, officeZone)
	tk := openTestTicket(t, h, data.TicketInput{Severity: data.SeverityMinor})
	if want := time.Date(2027, 1, 5, 16, 0, 0, 0, officeZone); !tk.Deadlines.Resolution.Equal(want) {
		t.Fatalf("resolution %s, want %s (元旦 2027 off)", tk.Deadlines.Resolution, want)
	}
	h.u.shell.refresh()
	h.openFirstTicket()
	h.shows("按法定节日估算，待导入官方安排（2027 年）")
	// The confirmation of a new ticket says so too.
	for h.u.shell.tickets.closeTop() {
	}
	h.hides("按法定节日估算，待导入官方安排（2027 年）")
	h.u.shell.tickets.showSaved(tk)
	h.shows(T("ticket.saved.title"), "按法定节日估算，待导入官方安排（2027 年）")
}

// The office's opening hours are a setting on the calendar screen: a bad
// time says what is wrong and stores nothing; a good one is stored.
func TestOfficeHoursSetting(t *testing.T) {
	h := newHarness(t, true)
	h.signInAs("管理员")
	h.openSettingsButton("settings.holidays.open")
	h.shows(T("settings.hours.title"), "周一", "周日")
	var open, close *widget.Entry
	for _, e := range overlayEntries(h) {
		switch e.PlaceHolder {
		case "09:00":
			open = e
		case "18:00":
			close = e
		}
	}
	if open == nil || close == nil || open.Text != "09:00" || close.Text != "18:00" {
		t.Fatalf("opening hours form: %v %v", open, close)
	}
	close.SetText("25:00")
	test.Tap(findButton(t, h, T("settings.hours.save")))
	h.shows(T("err.office_hours.time", map[string]any{"Value": "25:00"}))
	close.SetText("０８：００") // full-width, before opening
	test.Tap(findButton(t, h, T("settings.hours.save")))
	h.shows(T("err.office_hours.times"))
	if oh, _ := h.store.OfficeHours(context.Background()); oh != data.DefaultOfficeHours() {
		t.Fatalf("a refused form changed the hours: %+v", oh)
	}
	close.SetText("20:30")
	wed := findVisible(h, func(o fyne.CanvasObject) bool { c, ok := o.(*widget.Check); return ok && c.Text == "周三" })
	if wed == nil {
		t.Fatal("no 周三 check")
	}
	test.Tap(wed.(*widget.Check))
	test.Tap(findButton(t, h, T("settings.hours.save")))
	h.shows(T("settings.hours.saved"))
	oh, err := h.store.OfficeHours(context.Background())
	if err != nil || oh.Days[time.Wednesday] || !oh.Days[time.Thursday] || oh.Close != 20*time.Hour+30*time.Minute {
		t.Fatalf("stored %+v, %v", oh, err)
	}
}
