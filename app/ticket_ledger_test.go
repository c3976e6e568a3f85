package app

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/xuri/excelize/v2"

	"anchang/data"
	"anchang/data/sheet"
)

// ledgerTickets opens five tickets in November 2026 through the store, at
// the times given, and leaves the clock at Monday 23 November 10:00:
//
//	A complaint 工程质量 unit 3栋-1201, 11-02 10:00: answered 11:00, resolved 15:00 (both by the
//	  same-day 18:00 limit), revisited 11-03, score 5.
//	B complaint 工程质量 same unit, 11-09, the same customer (A's phone) after A was answered: a repeat of A;
//	  answered and resolved the same day, revisited 11-10, score 3.
//	C repair 物业管理 unit 5栋-0802, 11-16: nothing done; answer due in 24 h, resolution in 3 working
//	  days (11-19 10:00): both late now.
//	D complaint 销售管理 minor, 11-17: answered and resolved by noon; the 3-day revisit window ended
//	  11-20 12:00 without a revisit.
//	E complaint 客户服务, 11-23 09:30: nothing done, nothing due yet.
//
// Figures on paper: repeats 1 of 5 complaints and repairs = 20.0% (target ≤ 5%: missed);
// satisfaction (5+3)/2 = 4.00 (target 4.5: missed); answers on time A B D of A B C D = 75.0%;
// resolutions on time likewise 75.0%; complaint revisits A B of A B D = 66.7% (target 100%:
// missed); repair revisits none due.
func ledgerTickets(t *testing.T, h *harness) map[string]data.Ticket {
	t.Helper()
	ctx := context.Background()
	loc := h.u.location()
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	out := map[string]data.Ticket{}
	open := func(name, when string, in data.TicketInput) {
		h.clk.t = at(when)
		in.OpenedAt = h.clk.t
		in.CustomerName = "客户" + name
		out[name] = openTestTicket(t, h, in)
	}
	ev := func(name, when string, e data.TicketEvent) {
		h.clk.t = at(when)
		if _, err := h.store.AddTicketEvent(ctx, h.admin.ID, out[name].ID, e); err != nil {
			t.Fatalf("%s %s: %v", name, e.Kind, err)
		}
	}
	open("A", "2026-11-02 10:00", data.TicketInput{Category: data.CatEngineering, Severity: data.SeverityGeneral, Phone: "13800138001",
		Project: "星河湾", Building: "3栋", Unit: "1201", Description: "客厅墙面开裂"})
	ev("A", "2026-11-02 11:00", data.TicketEvent{Kind: data.EvResponded})
	ev("A", "2026-11-02 15:00", data.TicketEvent{Kind: data.EvResolved})
	ev("A", "2026-11-03 10:00", data.TicketEvent{Kind: data.EvRevisited, Satisfaction: 5})
	open("B", "2026-11-09 10:00", data.TicketInput{Category: data.CatEngineering, Severity: data.SeverityGeneral, Phone: "13800138001",
		Project: "星河湾", Building: "3栋", Unit: "1201", Description: "墙面又开裂了"})
	ev("B", "2026-11-09 11:00", data.TicketEvent{Kind: data.EvResponded})
	ev("B", "2026-11-09 16:00", data.TicketEvent{Kind: data.EvResolved})
	ev("B", "2026-11-10 10:00", data.TicketEvent{Kind: data.EvRevisited, Satisfaction: 3})
	open("C", "2026-11-16 10:00", data.TicketInput{Kind: data.TicketRepair, Category: data.CatProperty, Severity: data.SeverityGeneral,
		Phone: "13800138003", Project: "星河湾", Building: "5栋", Unit: "0802", Description: "门禁卡失灵"})
	open("D", "2026-11-17 10:00", data.TicketInput{Category: data.CatSales, Severity: data.SeverityMinor, Phone: "13800138004", Description: "置业顾问回电太慢"})
	ev("D", "2026-11-17 11:00", data.TicketEvent{Kind: data.EvResponded})
	ev("D", "2026-11-17 12:00", data.TicketEvent{Kind: data.EvResolved})
	open("E", "2026-11-23 09:30", data.TicketInput{Category: data.CatService, Severity: data.SeverityGeneral, Phone: "13800138005", Description: "停车指引不清楚"})
	h.clk.t = at("2026-11-23 10:00")
	return out
}

// labelWith finds a visible label whose text is exactly text.
func labelWith(t *testing.T, h *harness, text string) *widget.Label {
	t.Helper()
	o := findVisible(h, func(o fyne.CanvasObject) bool {
		l, ok := o.(*widget.Label)
		return ok && l.Text == text
	})
	if o == nil {
		t.Fatalf("no label %q on screen:\n%s", text, h.screen())
	}
	return o.(*widget.Label)
}

func TestTicketLedgerFiguresAndExport(t *testing.T) {
	h := newHarness(t, true)
	tk := ledgerTickets(t, h)
	h.signInAs("管理员")
	h.u.printDir = filepath.Join(t.TempDir(), "printouts")
	l := h.u.showTicketLedger()
	h.shows(T("ledger.title"), T("ledger.period."+periodThisWeek))
	// This week holds only E.
	if len(l.ledger.Rows) != 1 || l.ledger.Rows[0].Number != tk["E"].Number {
		t.Fatalf("this week: %d rows", len(l.ledger.Rows))
	}
	l.period.SetSelected(T("ledger.period." + periodThisMonth))
	h.shows(T("ledger.period_text", map[string]any{"From": "2026-11-01", "To": "2026-11-30", "Count": 5, "Open": 5, "Late": 2})) // late: C, and D whose revisit is overdue

	// The figures, worked out on paper above, coloured by their targets.
	for text, imp := range map[string]widget.Importance{"20.0%": widget.DangerImportance, "4.00": widget.DangerImportance,
		"66.7%": widget.DangerImportance} {
		if got := labelWith(t, h, text).Importance; got != imp {
			t.Errorf("%s shown with importance %v, want %v", text, got, imp)
		}
	}
	h.shows(T("ledger.fig.target_max", map[string]any{"Target": "5%", "Counts": "1/5"}),
		T("ledger.fig.target_min", map[string]any{"Target": "4.5", "Counts": T("ledger.fig.revisits", map[string]any{"Count": 2})}),
		T("ledger.fig.counts", map[string]any{"Counts": "3/4"}),
		T("ledger.fig.target_min", map[string]any{"Target": "100%", "Counts": "2/3"}),
		T("ledger.fig.target_min", map[string]any{"Target": "90%", "Counts": "0/0"}))
	if n := strings.Count(h.screen(), "75.0%\n"); n != 2 {
		t.Errorf("75.0%% shown %d times, want 2 (answers and resolutions)", n)
	}
	if got := labelWith(t, h, "—").Importance; got != widget.MediumImportance {
		t.Errorf("repair revisits without any due shown as %v", got)
	}
	if got := labelWith(t, h, "75.0%").Importance; got != widget.MediumImportance {
		t.Errorf("on-time rate without a numeric target shown as %v", got)
	}

	// The table: oldest first; B flagged as a repeat of A.
	col := func(name string) int {
		for i, c := range ledgerColumns {
			if c.name == name {
				return i
			}
		}
		t.Fatalf("no column %s", name)
		return 0
	}
	var numbers []string
	for r := 1; r <= len(l.ledger.Rows); r++ {
		n, _ := l.cell(r, col("number"))
		numbers = append(numbers, n)
	}
	want := []string{tk["A"].Number, tk["B"].Number, tk["C"].Number, tk["D"].Number, tk["E"].Number}
	if strings.Join(numbers, " ") != strings.Join(want, " ") {
		t.Fatalf("rows %v, want %v", numbers, want)
	}
	if text, imp := l.cell(2, col("repeat")); text != T("ledger.repeat_of", map[string]any{"Number": tk["A"].Number}) || imp != widget.DangerImportance {
		t.Fatalf("B's repeat cell %q (%v)", text, imp)
	}
	if text, _ := l.cell(1, col("repeat")); text != "" {
		t.Fatalf("A flagged as repeat: %q", text)
	}
	if text, imp := l.cell(3, col("response")); text != T("ledger.late") || imp != widget.DangerImportance {
		t.Fatalf("C's response %q", text)
	}
	if text, _ := l.cell(5, col("response")); text != "" {
		t.Fatalf("E's response, not yet due, shows %q", text)
	}
	if text, _ := l.cell(3, col("unit")); text != "5栋-0802" {
		t.Fatalf("C's unit %q", text)
	}

	// Weekly summary by category.
	l.pages.SelectIndex(1)
	h.shows("2026-11-02", "2026-11-09", "2026-11-16", "2026-11-23", T("ticket.cat.property"))

	// Filters: one category, then one state.
	l.cat.SetSelected(T("ticket.cat." + data.CatEngineering))
	if len(l.ledger.Rows) != 2 {
		t.Fatalf("engineering: %d rows", len(l.ledger.Rows))
	}
	l.cat.SetSelectedIndex(0)
	l.state.SetSelected(T("ticket.state." + string(data.StateOpen)))
	if len(l.ledger.Rows) != 2 { // C and E
		t.Fatalf("open: %d rows", len(l.ledger.Rows))
	}
	l.state.SetSelectedIndex(0)

	// A custom period: bad input is named, a good one applies.
	l.period.SetSelected(T("ledger.period." + periodCustom))
	l.from.SetText("2026-11-3x")
	l.to.SetText("2026-11-15")
	test.Tap(findButton(t, h, T("ledger.apply")))
	h.shows(T("ledger.err.date", map[string]any{"Value": "2026-11-3x"}))
	l.from.SetText("2026-11-16")
	l.to.SetText("2026-11-01")
	test.Tap(findButton(t, h, T("ledger.apply")))
	h.shows(T("ledger.err.order"))
	l.from.SetText("2026-10-01")
	l.to.SetText("2026-10-15")
	test.Tap(findButton(t, h, T("ledger.apply")))
	h.shows(T("ledger.none"))
	l.from.SetText("2026-11-01")
	l.to.SetText("2026-11-15")
	test.Tap(findButton(t, h, T("ledger.apply")))
	if len(l.ledger.Rows) != 2 {
		t.Fatalf("11-01…11-15: %d rows", len(l.ledger.Rows))
	}
	h.hides(T("ledger.none"))
	l.to.SetText("2026-11-30")
	test.Tap(findButton(t, h, T("ledger.apply")))

	// Export: an .xlsx in the printouts folder that reads back with the rows.
	test.Tap(findButton(t, h, T("ledger.export")))
	name := T("ledger.file", map[string]any{"From": "20261101", "To": "20261130", "At": "100000"}) + ".xlsx"
	path := filepath.Join(h.u.printDir, name)
	h.shows(T("ledger.exported", map[string]any{"Count": 5, "Path": path}))
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(sheet.LedgerSheetTickets)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 6 {
		t.Fatalf("%d rows in the sheet, want header and 5", len(rows))
	}
	repeatCol := -1
	for i, c := range rows[0] {
		if c == sheet.LedgerColumns[len(sheet.LedgerColumns)-2] {
			repeatCol = i
		}
	}
	for i, r := range rows[1:] {
		if r[0] != want[i] {
			t.Errorf("sheet row %d is %s, want %s", i+1, r[0], want[i])
		}
	}
	if repeatCol < 0 || rows[2][repeatCol] != tk["A"].Number {
		t.Errorf("sheet: B's repeat column %d: %v", repeatCol, rows[2])
	}
	if !strings.Contains(strings.Join(rows[3], "|"), T("ticket.kind.repair")) || !strings.Contains(strings.Join(rows[1], "|"), "138****8001") {
		t.Errorf("sheet row C/A: %v / %v", rows[3], rows[1])
	}
	weeks, _ := f.GetRows(sheet.LedgerSheetWeeks)
	if len(weeks) != 5 || weeks[1][0] != "2026-11-02" {
		t.Errorf("weekly sheet %v", weeks)
	}
	kpis, _ := f.GetRows(sheet.LedgerSheetKPIs)
	if !strings.Contains(strings.Join(kpis[1], "|"), "20.0%") || !strings.Contains(strings.Join(kpis[2], "|"), "4.00") {
		t.Errorf("KPI sheet %v", kpis[:3])
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 { // names and phones: the owner's only
		t.Errorf("file mode %v, %v", st.Mode(), err)
	}
	left, _ := filepath.Glob(filepath.Join(h.u.printDir, ".ledger-*"))
	if len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

func TestTicketLedgerExportFailureSaysWhy(t *testing.T) {
	h := newHarness(t, true)
	ledgerTickets(t, h)
	h.signInAs("管理员")
	blocker := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(blocker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	h.u.printDir = filepath.Join(blocker, "printouts") // under a file: cannot be made
	l := h.u.showTicketLedger()
	l.period.SetSelected(T("ledger.period." + periodThisMonth))
	test.Tap(findButton(t, h, T("ledger.export")))
	prefix := strings.SplitN(T("ledger.export_failed", map[string]any{"Message": "X"}), "X", 2)[0]
	if s := h.screen(); !strings.Contains(s, prefix+"mkdir") {
		t.Fatalf("no reason given:\n%s", s)
	}
	if l.export.Disabled() {
		t.Fatal("export stays disabled after a failure")
	}
}

func TestTicketLedgerMenuForDeskRoles(t *testing.T) {
	h := newHarness(t, true, "张伟")
	has := func() bool {
		for _, m := range h.u.shell.menu().Items {
			for _, it := range m.Items {
				if it.Label == T("ledger.title") {
					return true
				}
			}
		}
		return false
	}
	for name, want := range map[string]bool{"管理员": true, "李静": true, "张伟": false} {
		h.signInAs(name)
		if has() != want {
			t.Errorf("%s: ledger in the menu %v, want %v", name, !want, want)
		}
	}
}

// TestTicketAdminKeys: every key my screens use is in both languages
// (the shared translation test scans only its own prefixes).
func TestTicketAdminKeys(t *testing.T) {
	zh, en := loadLang(t, "zh"), loadLang(t, "en")
	n := 0
	for _, f := range []string{"ticket_ledger.go", "ticket_policy.go", "holidays.go"} {
		file, err := parser.ParseFile(token.NewFileSet(), f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(nd ast.Node) bool {
			lit, ok := nd.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, _ := strconv.Unquote(lit.Value)
			if strings.HasPrefix(s, "ledger.") || strings.HasPrefix(s, "settings.") || strings.HasPrefix(s, "ticket.") {
				if strings.HasSuffix(s, ".") {
					return true // a prefix completed in code; checked below
				}
				n++
				if zh[s] == "" || en[s] == "" {
					t.Errorf("%s: key %q missing in zh or en", f, s)
				}
			}
			return true
		})
	}
	for _, p := range ledgerPeriods {
		n++
		if zh["ledger.period."+p] == "" || en["ledger.period."+p] == "" {
			t.Errorf("ledger.period.%s missing", p)
		}
	}
	for _, c := range ledgerColumns {
		if zh["ledger.col."+c.name] == "" || en["ledger.col."+c.name] == "" {
			t.Errorf("ledger.col.%s missing", c.name)
		}
	}
	for _, k := range append(append([]string{}, limitNames...), "kind", "severity") {
		if zh["settings.sla.col."+k] == "" || en["settings.sla.col."+k] == "" {
			t.Errorf("settings.sla.col.%s missing", k)
		}
	}
	for i := 0; i < 7; i++ {
		if zh["settings.holidays.weekday."+strconv.Itoa(i)] == "" {
			t.Errorf("weekday %d missing", i)
		}
	}
	for _, k := range []string{data.TicketComplaint, data.TicketRepair} {
		if zh["ledger.fig.revisit."+k] == "" || en["ledger.fig.revisit."+k] == "" {
			t.Errorf("ledger.fig.revisit.%s missing", k)
		}
	}
	if n < 40 {
		t.Fatalf("only %d keys found; the scan is broken", n)
	}
}
