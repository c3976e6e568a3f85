package app

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"anchang/data"
)

// overlayEntries are the entries of the open modal, in layout order.
func overlayEntries(h *harness) []*widget.Entry {
	var out []*widget.Entry
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if o == nil || !o.Visible() {
			return
		}
		switch w := o.(type) {
		case *widget.Entry:
			out = append(out, w)
		case *fyne.Container:
			for _, c := range w.Objects {
				walk(c)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(w).Objects() {
				walk(c)
			}
		}
	}
	for _, o := range h.win.Canvas().Overlays().List() {
		walk(o)
	}
	return out
}

func (h *harness) openSettingsButton(key string) {
	h.t.Helper()
	h.selectTab(T("tab.settings"))
	test.Tap(findButton(h.t, h, T(key)))
}

// A complaint/major ticket opened now by the admin.
func openTestTicket(t *testing.T, h *harness, in data.TicketInput) data.Ticket {
	t.Helper()
	if in.Kind == "" {
		in.Kind = data.TicketComplaint
	}
	if in.Category == "" {
		in.Category = data.CatService
	}
	if in.Severity == "" {
		in.Severity = data.SeverityMajor
	}
	if in.Description == "" {
		in.Description = "销售承诺的车位没有兑现"
	}
	if in.CustomerName == "" {
		in.CustomerName = "王伟"
	}
	if in.Phone == "" {
		in.Phone = "13800138000"
	}
	tk, err := h.store.OpenTicket(context.Background(), h.admin.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

// TestSLAPolicyEditorPicksNumberAndUnit: limits are picked as a number
// and a unit, not typed in the policy's notation. A bad number is refused
// with a message and nothing is saved; "2" + 工作日 is saved as a new
// version, shows the same when the editor is opened again, and applies to
// tickets opened from then on. The service figures are edited in the same
// screen.
func TestSLAPolicyEditorPicksNumberAndUnit(t *testing.T) {
	h := newHarness(t, true)
	h.signInAs("管理员")
	before := openTestTicket(t, h, data.TicketInput{Severity: data.SeverityGeneral})
	if before.Deadlines.PolicyVersion != 1 {
		t.Fatalf("first ticket under version %d", before.Deadlines.PolicyVersion)
	}

	h.selectTab(T("tab.settings"))
	p := h.u.showSLAPolicy()
	h.shows(T("settings.sla.title"), T("settings.sla.legend"), T("settings.sla.info.default", map[string]any{"Version": 1}))
	if len(p.rows) != len(data.TicketKinds)*len(data.Severities) || len(p.rows[0].pickers) != len(limitNames) {
		t.Fatalf("%d rules of %d limits", len(p.rows), len(p.rows[0].pickers))
	}
	resp := p.rows[0].pickers[2] // complaint × major, first response: 2 working days
	if p.rows[0].kind != data.TicketComplaint || p.rows[0].severity != data.SeverityMajor || resp.n.Text != "2" || resp.unit.Selected != T("settings.sla.unit.wd") {
		t.Fatalf("complaint/major response shows %q %q, want 2 %s", resp.n.Text, resp.unit.Selected, T("settings.sla.unit.wd"))
	}
	if ack := p.rows[0].pickers[1]; ack.n.Text != "24" || ack.unit.Selected != T("settings.sla.unit.h") {
		t.Fatalf("complaint/major acknowledgement shows %q %q, want 24 hours", ack.n.Text, ack.unit.Selected)
	}

	// A bad number: refused with a message, nothing saved.
	for _, bad := range []string{"2x", "0", "1000", "-1"} {
		resp.n.SetText(bad)
		h.shows(T("settings.sla.cell_error", map[string]any{"Column": T("ticket.sev.major") + " · " + T("settings.sla.col.response"),
			"Message": T("settings.sla.n_invalid")}))
		test.Tap(findButton(t, h, T("settings.sla.save")))
		h.shows(T("settings.sla.fix_cells", map[string]any{"Count": 1}))
		if n := h.count("sla_policies"); n != 0 {
			t.Fatalf("%d policy versions stored after %q", n, bad)
		}
	}
	// Back to 2: the message goes; an unchanged policy is not saved.
	resp.n.SetText("２") // a full-width digit from an input method
	h.hides(T("settings.sla.n_invalid"))
	test.Tap(findButton(t, h, T("settings.sla.save")))
	h.shows(T("settings.sla.unchanged"))

	// No response limit: refused by the store, named in words.
	resp.unit.SetSelected(T("settings.sla.unit.none"))
	if !resp.n.Disabled() || resp.n.Text != "" {
		t.Fatalf("no limit: number %q, disabled %v", resp.n.Text, resp.n.Disabled())
	}
	test.Tap(findButton(t, h, T("settings.sla.save")))
	h.shows(T("err.sla.missing", map[string]any{"Kind": T("ticket.kind.complaint"), "Severity": T("ticket.sev.major")}))
	if n := h.count("sla_policies"); n != 0 {
		t.Fatalf("%d policy versions stored without a response limit", n)
	}
	resp.unit.SetSelected(T("settings.sla.unit.wd"))
	resp.n.SetText("2")

	// Complaint × general resolution: same day → 2 working days.
	res := p.rows[2].pickers[4]
	if p.rows[2].severity != data.SeverityGeneral || res.unit.Selected != T("settings.sla.unit.sameday") || !res.n.Disabled() {
		t.Fatalf("complaint/general resolution shows %q %q", res.n.Text, res.unit.Selected)
	}
	res.unit.SetSelected(T("settings.sla.unit.wd"))
	res.n.SetText("2")

	// The service tab: a bad figure is refused by name; then 8% is saved.
	p.repeatRate.SetText("五")
	test.Tap(findButton(t, h, T("settings.sla.save")))
	h.shows(T("settings.sla.num_invalid", map[string]any{"Field": T("settings.sla.repeat_rate")}))
	if n := h.count("sla_policies"); n != 0 {
		t.Fatalf("%d policy versions stored after a bad rate", n)
	}
	p.repeatRate.SetText("8")
	// A late revisit goes to the supervisor after 1 to 90 days: 0 is refused.
	p.supervisorDays.SetText("0")
	test.Tap(findButton(t, h, T("settings.sla.save")))
	h.shows(T("err.sla.supervisor_days", map[string]any{"Max": data.MaxSupervisorDays}))
	if n := h.count("sla_policies"); n != 0 {
		t.Fatalf("%d policy versions stored after 0 supervisor days", n)
	}
	p.supervisorDays.SetText("５") // full-width, as an IME types it
	p.windows[0].toD.SetText("5") // complaints revisited within 5 days
	h.clk.Advance(time.Minute)
	test.Tap(findButton(t, h, T("settings.sla.save")))
	h.shows(T("settings.sla.saved", map[string]any{"Version": 2, "At": h.u.dateTime(h.clk.Now())}))
	if n := h.count("sla_policies"); n != 1 {
		t.Fatalf("%d policy versions stored, want 1", n)
	}
	pol, err := h.store.SLAPolicy(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if pol.Service.RepeatRate != 0.08 || pol.Service.SupervisorDays != 5 || pol.Service.Revisits[data.TicketComplaint].To != (data.Offset{Days: 5}) || pol.Rules[2].Resolution != (data.Limit{N: 2, Unit: data.UnitWorkingDays}) {
		t.Fatalf("saved %+v, resolution %v", pol.Service, pol.Rules[2].Resolution)
	}

	// Opened again, the editor shows what was saved.
	p.modal.Hide()
	p2 := h.u.showSLAPolicy()
	h.shows(T("settings.sla.info", map[string]any{"Version": 2, "Name": "管理员", "At": h.u.dateTime(h.clk.Now())}))
	if r := p2.rows[2].pickers[4]; r.n.Text != "2" || r.unit.Selected != T("settings.sla.unit.wd") || p2.repeatRate.Text != "8" || p2.windows[0].toD.Text != "5" || p2.supervisorDays.Text != "5" {
		t.Fatalf("reopened: resolution %q %q, repeat rate %q, complaint window to %q", r.n.Text, r.unit.Selected, p2.repeatRate.Text, p2.windows[0].toD.Text)
	}

	after := openTestTicket(t, h, data.TicketInput{Severity: data.SeverityGeneral})
	if after.Deadlines.PolicyVersion != 2 {
		t.Fatalf("after saving: version %d", after.Deadlines.PolicyVersion)
	}
	// Monday 10:01 + 2 working days = Wednesday 10:01; version 1 closed it the same day.
	if got := after.Deadlines.Resolution.In(h.u.location()).Format("01-02 15:04"); got != "11-25 10:01" {
		t.Fatalf("version 2 resolution due %s, want 11-25 10:01", got)
	}
	if got := before.Deadlines.Resolution.In(h.u.location()).Format("01-02 15:04"); got != "11-23 18:00" {
		t.Fatalf("version 1 resolution due %s, want 11-23 18:00", got)
	}
}

const holiday2027 = `{
  "year": 2027,
  "papers": [],
  "days": [
    {"name": "元旦", "date": "2027-01-01", "isOffDay": true},
    {"name": "春节", "date": "2027-02-06", "isOffDay": true},
    {"name": "春节", "date": "2027-02-07", "isOffDay": true},
    {"name": "春节", "date": "2027-02-08", "isOffDay": true},
    {"name": "春节", "date": "2027-02-20", "isOffDay": false}
  ]
}`

func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestHolidayImport(t *testing.T) {
	h := newHarness(t, true)
	h.signInAs("管理员")
	h.openSettingsButton("settings.holidays.open")
	h.shows(T("settings.holidays.title"),
		T("settings.holidays.hours", map[string]any{"Start": "09:00", "End": "18:00", "TimeZone": "Asia/Shanghai"}),
		T("settings.holidays.year_source", map[string]any{"Year": 2026, "Source": T("settings.holidays.embedded")}),
		T("settings.holidays.next_missing", map[string]any{"Year": 2027}))
	// 2026 is shown: National Day, 10/1–10/7 (7 days) plus make-up days.
	h.shows("国庆节")
	path := func() *widget.Entry {
		for _, e := range overlayEntries(h) {
			if e.PlaceHolder == T("settings.holidays.import.path") {
				return e
			}
		}
		t.Fatal("no path entry")
		return nil
	}
	imp := func(p string) {
		path().SetText(p)
		test.Tap(findButton(t, h, T("settings.holidays.import")))
	}

	bad := writeFile(t, "2027.json", `{"year": 2027, "days": [{"name": "元旦", "date": "2027-13-01", "isOffDay": true}]}`)
	imp(bad)
	h.shows(T("settings.holidays.err.file", map[string]any{"File": "2027.json",
		"Message": T("err.holiday.date", map[string]any{"Date": "2027-13-01", "Year": 2027})}))
	imp(writeFile(t, "broken.json", `{"year": 2027, "days": [`))
	h.shows(T("settings.holidays.err.file", map[string]any{"File": "broken.json", "Message": T("err.holiday.format")}))
	missing := filepath.Join(t.TempDir(), "missing.json")
	imp(missing)
	h.shows(T("settings.holidays.err.not_found", map[string]any{"Path": missing}))
	dir := t.TempDir()
	imp(dir)
	h.shows(T("settings.holidays.err.dir", map[string]any{"Path": dir}))
	imp(writeFile(t, "2150.json", strings.ReplaceAll(holiday2027, "2027", "2150")))
	h.shows(T("settings.holidays.err.file", map[string]any{"File": "2150.json", "Message": T("err.holiday.year", map[string]any{"Year": 2150})}))
	imp(writeFile(t, "big.json", strings.Repeat(" ", maxHolidayFile+10)))
	h.shows(T("err.holiday.too_big"))
	if n := h.count("holiday_imports"); n != 0 {
		t.Fatalf("%d imports after bad files", n)
	}

	good := writeFile(t, "2027.json", holiday2027)
	imp(good)
	h.shows(T("settings.holidays.imported_ok", map[string]any{"Year": 2027, "Off": 4, "Work": 1}),
		T("settings.holidays.year_source", map[string]any{"Year": 2027, "Source": T("settings.holidays.imported", map[string]any{"Name": "管理员", "At": h.u.dateTime(h.clk.Now())})}),
		"春节："+shortDate(mustDate("2027-02-06"))+"–"+shortDate(mustDate("2027-02-08")))
	h.hides(T("settings.holidays.next_missing", map[string]any{"Year": 2027}))
	if n := h.count("holiday_imports"); n != 1 {
		t.Fatalf("%d imports, want 1", n)
	}
	years, err := h.store.HolidayYears(context.Background())
	if err != nil || years[len(years)-1] != 2027 {
		t.Fatalf("years %v, %v", years, err)
	}

	// The same year again asks first; cancel keeps one import, replace adds one.
	imp(good)
	h.shows(T("settings.holidays.present", map[string]any{"Year": 2027}))
	test.Tap(findButton(t, h, T("dialog.cancel")))
	h.hides(T("settings.holidays.present", map[string]any{"Year": 2027}))
	if n := h.count("holiday_imports"); n != 1 {
		t.Fatalf("%d imports after cancel", n)
	}
	imp(good)
	test.Tap(findButton(t, h, T("settings.holidays.replace")))
	if n := h.count("holiday_imports"); n != 2 {
		t.Fatalf("%d imports after replace", n)
	}
}

func mustDate(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestTicketPolicyScreensAdminOnly(t *testing.T) {
	h := newHarness(t, true, "张伟")
	if _, err := h.store.CreateStaff(context.Background(), h.admin.ID, data.StaffInput{Name: "赵主管", Role: data.RoleSupervisor, PIN: "246813"}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"李静", "赵主管", "张伟"} {
		h.signInAs(name)
		h.selectTab(T("tab.settings"))
		h.hides(T("settings.sla.open"), T("settings.holidays.open"), T("settings.tickets"))
	}
	h.signInAs("管理员")
	h.selectTab(T("tab.settings"))
	h.shows(T("settings.sla.open"), T("settings.holidays.open"))
	// The store refuses the others too.
	if _, err := h.store.ImportHolidays(context.Background(), h.staffID("李静"), []byte(holiday2027)); err == nil {
		t.Fatal("a receptionist imported holidays")
	}
}

// TestNewTicketRequestedDeadline: the owner's requested deadline on the
// new-ticket form — a time in the past and one that does not read are
// refused under the field and nothing is saved; a day alone means 18:00
// that day and, being sooner than the policy's, becomes the resolution
// deadline.
func TestNewTicketRequestedDeadline(t *testing.T) {
	for _, lang := range []string{"zh", "en"} {
		t.Run(lang, func(t *testing.T) {
			h := newHarness(t, true)
			h.signInAs("管理员")
			h.selectTab(T("tab.tickets"))
			SetLanguage(lang) // the form is built in it
			t.Cleanup(func() { SetLanguage("zh") })
			f := h.u.shell.tickets.openForm(data.TicketInput{Kind: data.TicketComplaint, Category: data.CatService, Severity: data.SeverityMinor,
				CustomerName: "李娜", Phone: "13812345678", Description: "样板间空调不制冷"}, nil)
			now := h.clk.Now().In(h.u.location())
			for _, c := range []struct{ text, msg string }{
				{now.Add(-time.Hour).Format("2006-01-02 15:04"), T("err.ticket.requested_past")},
				{"下周一", T("ticket.err.requested_time")},
			} {
				f.requestedBy.SetText(c.text)
				test.Tap(f.submit)
				h.shows(c.msg)
				if n := h.count("tickets"); n != 0 {
					t.Fatalf("%q: %d tickets saved", c.text, n)
				}
			}
			tomorrow := now.AddDate(0, 0, 1).Format("2006-01-02")
			f.requestedBy.SetText(tomorrow)
			test.Tap(f.submit)
			if n := h.count("tickets"); n != 1 {
				t.Fatalf("%d tickets saved", n)
			}
			rows, err := h.store.TicketList(context.Background(), data.TicketFilter{})
			if err != nil {
				t.Fatal(err)
			}
			tk, err := h.store.Ticket(context.Background(), h.admin.ID, rows[0].ID)
			if err != nil {
				t.Fatal(err)
			}
			want := tomorrow + " 18:00"
			if got := tk.Deadlines.Requested.In(h.u.location()).Format("2006-01-02 15:04"); got != want || !tk.Deadlines.Resolution.Equal(tk.Deadlines.Requested) {
				t.Fatalf("requested %s resolution %v, want %s for both", got, tk.Deadlines.Resolution, want)
			}
			h.shows(T("ticket.dl.line", map[string]any{"Name": T("ticket.deadline.requested"), "Time": h.u.dateTime(tk.Deadlines.Requested)}))
		})
	}
}
