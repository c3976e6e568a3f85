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

func TestSLAPolicyEditorRejectsBadLimitAndSavesVersion(t *testing.T) {
	h := newHarness(t, true)
	h.signInAs("管理员")
	before := openTestTicket(t, h, data.TicketInput{})
	if before.Deadlines.PolicyVersion != 1 {
		t.Fatalf("first ticket under version %d", before.Deadlines.PolicyVersion)
	}

	h.openSettingsButton("settings.sla.open")
	h.shows(T("settings.sla.title"), T("settings.sla.legend"), T("settings.sla.info.default", map[string]any{"Version": 1}))
	entries := overlayEntries(h)
	if len(entries) != 4*len(data.TicketKinds)*len(data.Severities)+4 {
		t.Fatalf("%d entries in the editor", len(entries))
	}
	resp := entries[1] // complaint × major, first response
	if resp.Text != "2wd" {
		t.Fatalf("complaint/major response shows %q, want 2wd", resp.Text)
	}

	resp.SetText("2x")
	msg := T("err.sla.limit", map[string]any{"Value": "2x"})
	h.shows(T("settings.sla.cell_error", map[string]any{"Column": T("settings.sla.col.response"), "Message": msg}))
	test.Tap(findButton(t, h, T("settings.sla.save")))
	h.shows(T("settings.sla.fix_cells", map[string]any{"Count": 1}))
	if n := h.count("sla_policies"); n != 0 {
		t.Fatalf("%d policy versions stored after a bad limit", n)
	}

	// An unchanged policy is not saved as a new version.
	resp.SetText("2wd")
	h.hides(msg)
	test.Tap(findButton(t, h, T("settings.sla.save")))
	h.shows(T("settings.sla.unchanged"))
	if n := h.count("sla_policies"); n != 0 {
		t.Fatalf("%d policy versions stored for no change", n)
	}

	// A missing response limit is refused by the store, named in words.
	resp.SetText("")
	test.Tap(findButton(t, h, T("settings.sla.save")))
	h.shows(T("err.sla.missing", map[string]any{"Kind": T("ticket.kind.complaint"), "Severity": T("ticket.sev.major")}))
	if n := h.count("sla_policies"); n != 0 {
		t.Fatalf("%d policy versions stored without a response limit", n)
	}

	resp.SetText("1wd")
	h.clk.Advance(time.Minute)
	test.Tap(findButton(t, h, T("settings.sla.save")))
	h.shows(T("settings.sla.saved", map[string]any{"Version": 2, "At": h.u.dateTime(h.clk.Now())}),
		T("settings.sla.info", map[string]any{"Version": 2, "Name": "管理员", "At": h.u.dateTime(h.clk.Now())}))
	if n := h.count("sla_policies"); n != 1 {
		t.Fatalf("%d policy versions stored, want 1", n)
	}
	if got := overlayEntries(h)[1].Text; got != "1wd" {
		t.Fatalf("after saving the editor shows %q", got)
	}

	after := openTestTicket(t, h, data.TicketInput{})
	ctx := context.Background()
	a, err := h.store.Ticket(ctx, h.admin.ID, after.ID)
	if err != nil {
		t.Fatal(err)
	}
	b, err := h.store.Ticket(ctx, h.admin.ID, before.ID)
	if err != nil {
		t.Fatal(err)
	}
	if a.Deadlines.PolicyVersion != 2 || b.Deadlines.PolicyVersion != 1 {
		t.Fatalf("versions: after %d, before %d; want 2 and 1", a.Deadlines.PolicyVersion, b.Deadlines.PolicyVersion)
	}
	// Monday 10:01 + 1 working day = Tuesday 10:01; version 1 gave 2 days.
	if got := a.Deadlines.Response.In(h.u.location()).Format("01-02 15:04"); got != "11-24 10:01" {
		t.Fatalf("version 2 response due %s, want 11-24 10:01", got)
	}
	if got := b.Deadlines.Response.In(h.u.location()).Format("01-02 15:04"); got != "11-25 10:00" {
		t.Fatalf("version 1 response due %s, want 11-25 10:00", got)
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
	if _, err := h.store.CreateStaff(context.Background(), h.admin.ID, data.StaffInput{Name: "赵主管", Role: data.RoleSupervisor, PIN: "2468"}); err != nil {
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
