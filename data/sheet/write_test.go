package sheet

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"anchang/data"
)

func mustOK(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestWriteLedger: the three sheets, the headers and the cells of a
// ledger as data computes it, enum codes translated, times office-local,
// a formula kept as text.
func TestWriteLedger(t *testing.T) {
	loc := data.DefaultLocation()
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
		mustOK(t, err)
		return v
	}
	yes, no := true, false
	var first, second data.Ticket
	first.Number, first.OpenedAt, first.Kind, first.Category, first.Severity, first.State = "XHW-20261103-001", at("2026-11-03 10:00"),
		data.TicketComplaint, data.CatEngineering, data.SeverityGeneral, data.StateClosed
	first.Phone, first.Satisfaction, first.CloseReason, first.Urgent = "139****0002", 5, data.CloseSatisfied, true
	second.Number, second.OpenedAt, second.Kind, second.Category, second.State = "XHW-20261110-001", at("2026-11-10 09:30"),
		data.TicketRepair, data.CatEngineering, data.StateOpen
	second.Description = `=HYPERLINK("http://x","点我")`
	l := data.TicketLedger{
		Service: data.ServicePolicy{RepeatRate: 0.05, Satisfaction: 4.5},
		Rows: []data.LedgerRow{{Ticket: first, ResponseOnTime: &yes, ResolutionOnTime: &no},
			{Ticket: second, Repeat: true, RepeatOf: first.Number}},
		Weeks:           []data.LedgerWeek{{Start: "2026-11-02", ByCategory: map[string]int{data.CatEngineering: 1}, Total: 1}, {Start: "2026-11-09", ByCategory: map[string]int{data.CatEngineering: 1}, Total: 1}},
		Repeat:          data.Rate{Num: 1, Den: 2, Target: 0.05, AtMost: true},
		SatisfactionAvg: 5, SatisfactionN: 1,
		ResponseOnTime:    data.Rate{Num: 1, Den: 1},
		RevisitCompletion: map[string]data.Rate{data.TicketComplaint: {Num: 1, Den: 1, Target: 1}},
		RevisitLate:       map[string]int{}, RevisitEarly: map[string]int{},
		Open: 1, Closed: 1,
	}
	var buf bytes.Buffer
	mustOK(t, WriteLedger(&buf, l, loc, func(k string) string { return "«" + k + "»" }))
	f, err := excelize.OpenReader(&buf)
	mustOK(t, err)
	defer f.Close()
	if got := f.GetSheetList(); !slices.Equal(got, []string{LedgerSheetTickets, LedgerSheetWeeks, LedgerSheetKPIs}) {
		t.Fatalf("sheets %v", got)
	}
	rows, err := f.GetRows(LedgerSheetTickets)
	mustOK(t, err)
	col := func(name string) int { return slices.Index(LedgerColumns, name) }
	if len(rows) != 3 || !slices.Equal(rows[0], LedgerColumns) {
		t.Fatalf("ledger sheet %q", rows)
	}
	for _, c := range []struct {
		row    int
		column string
		want   string
	}{
		{1, "编号 No.", first.Number},
		{1, "受理时间 Opened", "2026-11-03 10:00"},
		{1, "类型 Kind", "«ticket.kind.complaint»"},
		{1, "紧急 Urgent", "✓"},
		{1, "电话 Phone", "139****0002"},
		{1, "按时答复 Response on time", "✓"},
		{1, "按时解决 Resolution on time", "✗"},
		{1, "满意度 Satisfaction", "5"},
		{1, "关闭原因 Close reason", "«ticket.close.satisfied»"},
		{2, "事情经过 What happened", `'=HYPERLINK("http://x","点我")`},
		{2, "重复投诉 Repeat of", first.Number},
	} {
		i := col(c.column)
		if i < 0 || i >= len(rows[c.row]) || rows[c.row][i] != c.want {
			t.Errorf("row %d %s: want %q in %q", c.row, c.column, c.want, rows[c.row])
		}
	}
	cell, _ := excelize.CoordinatesToCellName(col("事情经过 What happened")+1, 3)
	if fm, _ := f.GetCellFormula(LedgerSheetTickets, cell); fm != "" {
		t.Fatalf("a formula was written: %q", fm)
	}
	weeks, err := f.GetRows(LedgerSheetWeeks)
	mustOK(t, err)
	if len(weeks) != 3 || weeks[2][0] != "2026-11-09" || weeks[2][len(weeks[2])-1] != "1" {
		t.Fatalf("weeks %q", weeks)
	}
	kpis, err := f.GetRows(LedgerSheetKPIs)
	mustOK(t, err)
	if kpis[1][1] != "50.0%" || kpis[1][3] != "≤ 5%" || kpis[1][4] != "✗" || kpis[2][1] != "5.00" || kpis[2][3] != "≥ 4.5" || kpis[2][4] != "✓" {
		t.Fatalf("kpis %q", kpis)
	}
}

// TestWriteVisits: one row a visit, whole phones as the detail shows
// them, masked ones as they are, a hostile name kept as text.
func TestWriteVisits(t *testing.T) {
	arrived := time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC) // 10:00 in Shanghai
	var a, b data.LogRow
	a.Day, a.Ordinal, a.ArrivedAt, a.Name, a.Phone, a.PartySize = "2026-11-23", 1, arrived, `=HYPERLINK("x")`, "+8613812345678", 2
	a.HandedOverAt, a.ConsultantName, a.Via, a.Kind = arrived.Add(7*time.Minute), "陈顾问", data.ViaKiosk, "first"
	b.Day, b.Ordinal, b.ArrivedAt, b.Name, b.Phone, b.PartySize = "2026-11-23", 2, arrived.Add(time.Hour), "李强", "139****1111", 1
	var buf bytes.Buffer
	mustOK(t, WriteVisits(&buf, []data.LogRow{a, b}, nil, nil))
	f, err := excelize.OpenReader(&buf)
	mustOK(t, err)
	defer f.Close()
	rows, err := f.GetRows(VisitSheet)
	mustOK(t, err)
	if len(rows) != 3 || !slices.Equal(rows[0], VisitColumns) {
		t.Fatalf("sheet %q", rows)
	}
	want := [][]string{
		{"2026-11-23", "1", "10:00", `'=HYPERLINK("x")`, "", "138 1234 5678", "2", "first", "", "", "", "陈顾问", "", "10:07", "7", "", "✓"},
		{"2026-11-23", "2", "11:00", "李强", "", "139****1111", "1"},
	}
	for i, w := range want {
		if !slices.Equal(rows[i+1], w) {
			t.Errorf("row %d: %q, want %q", i+1, rows[i+1], w)
		}
	}
}
