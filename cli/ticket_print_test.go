package cli

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"anchang/data"
)

// TestPrintTicketRecords prints a stored complaint's reception/complaint
// record and revisit record by id and by number, and refuses the revisit
// record of a ticket not revisited.
func TestPrintTicketRecords(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	ctx := context.Background()
	dir, s, admin := setUpStore(t)
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, s.Location())
	s.Now = func() time.Time { return now }
	tk, err := s.OpenTicket(ctx, admin.ID, data.TicketInput{Kind: data.TicketComplaint, Category: data.CatEngineering, Severity: data.SeverityGeneral,
		Project: "星河湾", Building: "3栋", Unit: "1502", Subject: "工程部", Description: "客厅墙面渗水", Demand: "尽快修复",
		CustomerName: "王芳", Phone: "13912345678"})
	if err != nil {
		t.Fatal(err)
	}
	open2, err := s.OpenTicket(ctx, admin.ID, data.TicketInput{Kind: data.TicketRepair, Category: data.CatEngineering, Severity: data.SeverityMinor,
		Description: "门锁坏了", CustomerName: "李雷", Phone: "13912345679"})
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range []data.TicketEvent{{Kind: data.EvResponded, Note: "已约维修"}, {Kind: data.EvResolved, Note: "已修复"},
		{Kind: data.EvRevisited, Satisfaction: 5, Revisit: data.RevisitNotes{Method: "phone", Quality: "修复良好", Suggestions: "加强巡检"}}} {
		now = now.Add(time.Hour)
		if _, err := s.AddTicketEvent(ctx, admin.ID, tk.ID, ev); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()

	svc := filepath.Join(tmp, "svc.pdf")
	if code, _, errs := runPrint(t, dir, "service-record", "--id", tk.ID, "-o", svc); code != 0 {
		t.Fatalf("service-record: %d\n%s", code, errs)
	}
	if txt := pdfText(t, svc); txt != "" {
		for _, want := range []string{"AC-KF-02-F01", tk.Number, "王芳", "139****5678", "客厅墙面渗水", "处理完成", "投诉"} {
			if !strings.Contains(txt, want) {
				t.Errorf("service record lacks %q:\n%s", want, txt)
			}
		}
		if strings.Contains(txt, "13912345678") || strings.Contains(txt, "1234 5678") {
			t.Error("the command line printed a full phone number")
		}
	}
	rv := filepath.Join(tmp, "rv.pdf")
	if code, _, errs := runPrint(t, dir, "revisit-record", "--id", strings.ToLower(tk.Number), "-o", rv); code != 0 {
		t.Fatalf("revisit-record by number: %d\n%s", code, errs)
	}
	if txt := pdfText(t, rv); txt != "" {
		for _, want := range []string{"AC-KF-02-F02", tk.Number, "修复良好", "加强巡检", "投诉处理后"} {
			if !strings.Contains(txt, want) {
				t.Errorf("revisit record lacks %q:\n%s", want, txt)
			}
		}
	}
	if code, _, errs := runPrint(t, dir, "revisit-record", "--id", open2.ID, "-o", rv); code == 0 || !strings.Contains(errs, "has not been revisited") {
		t.Fatalf("revisit record of an unrevisited ticket: %d %s", code, errs)
	}
	if code, _, errs := runPrint(t, dir, "service-record", "--id", "nope", "-o", svc); code == 0 || !strings.Contains(errs, "not found") {
		t.Fatalf("unknown ticket: %d %s", code, errs)
	}
}
