package data

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

const ledgerCSV = `受理时间,类型,类别,级别,紧急,项目,楼栋,房号,被投诉对象,事由,客户诉求,客户姓名,联系电话,责任部门,原编号
2026-09-02 10:30,投诉,工程质量,重要,,星河湾,3栋,1502,工程部,客厅墙面渗水，三次报修未解决,一周内修好,王芳,13912345678,工程部,纸-0901
2026/10/15,报修,物业,一般,否,星河湾,5栋,801,,入户门锁芯卡滞,尽快更换,李强,+86 139 0000 1111,物业公司,纸-1015
2026-11-20 16:05,建议,服务,轻微,,,,,,希望延长周末开放时间,,,,,纸-1120
`

func TestImportTicketsCarriesOverALedger(t *testing.T) {
	ctx := context.Background()
	s, p, _ := newTicketStore(t)
	n, err := s.ImportTickets(ctx, p.sup.ID, csvTable(t, "ledger.csv", ledgerCSV))
	if err != nil || n != 3 {
		t.Fatalf("import = %d, %v", n, err)
	}
	rows, err := s.TicketList(ctx, TicketFilter{})
	mustOK(t, err)
	if len(rows) != 3 {
		t.Fatalf("%d tickets listed", len(rows))
	}
	byUnit := map[string]TicketRow{}
	for _, r := range rows {
		byUnit[r.Unit] = r
	}
	c := byUnit["1502"]
	if c.Kind != TicketComplaint || c.Category != CatEngineering || c.Severity != SeverityImportant || c.OwnerID != p.sup.ID ||
		c.OpenedAt.In(shanghai).Format("2006-01-02 15:04") != "2026-09-02 10:30" || c.State != StateOpen {
		t.Fatalf("complaint row: %+v", c)
	}
	// A carried-over complaint is as late as it is: its deadlines are
	// counted from when it was raised.
	if c.Due != DueOverdue {
		t.Fatalf("complaint from September due state %q", c.Due)
	}
	r := byUnit["801"]
	if r.Kind != TicketRepair || r.Category != CatProperty || r.OpenedAt.In(shanghai).Format("15:04") != "09:00" {
		t.Fatalf("repair row: %+v", r)
	}
	tk, err := s.Ticket(ctx, p.admin.ID, r.ID)
	mustOK(t, err)
	if tk.Phone != "+8613900001111" {
		t.Fatalf("phone stored as %q", tk.Phone)
	}
	evs, err := s.TicketEvents(ctx, c.ID)
	mustOK(t, err)
	if len(evs) != 1 || evs[0].Kind != EvOpened || !strings.Contains(evs[0].Note, "纸-0901") || !strings.Contains(evs[0].Note, "ledger.csv") {
		t.Fatalf("opening event %+v", evs)
	}
	wantOutbox(t, s, MutTicketOpen, 3)

	// The same file again: every row is already there; nothing changes.
	_, err = s.ImportTickets(ctx, p.sup.ID, csvTable(t, "ledger.csv", ledgerCSV))
	rowErrs := importRowErrors(t, err)
	if len(rowErrs) != 3 || rowErrs[0].Key != "err.ticket.import.exists" {
		t.Fatalf("second import: %v", err)
	}
	if n, _ := s.CountRows(ctx, "tickets"); n != 3 {
		t.Fatalf("%d tickets after the second import", n)
	}
}

func importRowErrors(t *testing.T, err error) FAQImportErrors {
	t.Helper()
	e, ok := AsError(err)
	if !ok || e.Key != "err.faq.import.rows" {
		t.Fatalf("want a row error list, got %v", err)
	}
	var list FAQImportErrors
	if !errors.As(err, &list) {
		t.Fatalf("no rows in %v", err)
	}
	return list
}

func TestImportTicketsBadRowsChangeNothing(t *testing.T) {
	ctx := context.Background()
	s, p, _ := newTicketStore(t)
	long := strings.Repeat("渗", 10000)
	file := "opened_at,kind,category,severity,urgent,description,customer_name,phone,ref\n" +
		"2026-11-01 10:00,complaint,engineering,general,,门窗漏风,王芳,13912345678,A1\n" + // good
		"2026-11-01 11:00,投诉,装修,一般,,地板起鼓,李强,13912345679,A2\n" + // unknown category
		"yesterday,投诉,工程质量,一般,,地板起鼓,李强,13912345679,A3\n" + // not a time
		"2026-11-02 09:00,投诉,工程质量,一般,maybe,地板起鼓,李强,13912345679,A4\n" + // urgent neither yes nor no
		"2026-11-02 10:00,投诉,工程质量,一般,,地板起鼓,,,A5\n" + // a complaint without a contact
		"2026-11-02 11:00,投诉,工程质量,一般,,'; DROP TABLE tickets; --,李强,12345,A6\n" + // not a phone
		"2026-11-02 12:00,报修,工程质量,一般,," + long + ",李强,13912345679,A7\n" + // 10,000 characters
		"2026-12-30 12:00,报修,工程质量,一般,,未来的报修,李强,13912345679,A8\n" + // in the future
		"2026-11-01 10:00,complaint,engineering,general,,门窗漏风,王芳,13912345678,A9\n" // repeats line 2
	outboxBefore, err := s.CountRows(ctx, "outbox")
	mustOK(t, err)
	_, err = s.ImportTickets(ctx, p.sup.ID, csvTable(t, "bad.csv", file))
	rowErrs := importRowErrors(t, err)
	got := map[int]string{}
	for _, e := range rowErrs {
		got[e.Line] += e.Column + ":" + e.Key + " "
	}
	want := map[int]string{
		3:  "category:err.ticket.import.word",
		4:  "opened_at:err.ticket.import.time",
		5:  "urgent:err.ticket.import.bool",
		6:  "err.ticket.contact_needed",
		7:  "phone:",
		8:  "description:err.field.too_long",
		9:  "opened_at:err.ticket.future",
		10: "err.ticket.import.dup_row",
	}
	for line, w := range want {
		if !strings.Contains(got[line], w) {
			t.Errorf("line %d: errors %q, want %q", line, got[line], w)
		}
	}
	if got[2] != "" {
		t.Errorf("good line 2 reported: %q", got[2])
	}
	for _, e := range rowErrs {
		if e.Key == "err.ticket.import.word" && !strings.Contains(e.Args["Allowed"].(string), "工程质量/engineering") {
			t.Errorf("allowed words %q", e.Args["Allowed"])
		}
	}
	if n, _ := s.CountRows(ctx, "tickets"); n != 0 {
		t.Fatalf("%d tickets written by a refused import", n)
	}
	if n, _ := s.CountRows(ctx, "outbox"); n != outboxBefore {
		t.Fatalf("outbox grew from %d to %d", outboxBefore, n)
	}

	// Whole-file problems: a missing column, no rows, a receptionist (a
	// foreign format is data/sheet's to refuse).
	for _, c := range []struct{ name, body, key string }{
		{"no-kind.csv", "opened_at,category,severity,description\n2026-11-01,工程质量,一般,x\n", "err.faq.import.missing_columns"},
		{"empty.csv", "受理时间,类型,类别,级别,事由\n", "err.faq.import.empty"},
	} {
		_, err := s.ImportTickets(ctx, p.sup.ID, csvTable(t, c.name, c.body))
		if e, ok := AsError(err); !ok || e.Key != c.key {
			t.Errorf("%s: %v, want %s", c.name, err, c.key)
		}
	}
	if _, err := s.ImportTickets(ctx, p.recep.ID, csvTable(t, "ledger.csv", ledgerCSV)); err == nil {
		t.Fatal("a receptionist imported a ledger")
	}
	if n, _ := s.CountRows(ctx, "tickets"); n != 0 {
		t.Fatalf("%d tickets after refused imports", n)
	}
}

// TestImportTicketsFromASheet: an XLSX ledger's rows (data/sheet reads
// the workbook) with Chinese headers and words.
func TestImportTicketsFromASheet(t *testing.T) {
	ctx := context.Background()
	s, p, _ := newTicketStore(t)
	tb := Table{Name: "台账.xlsx", Lines: []int{1, 2}, Rows: [][]string{
		{"受理时间", "类型", "类别", "级别", "事由", "客户姓名", "联系电话"},
		{"2026-11-10 14:00", "报修", "工程质量", "轻微", "卫生间地漏返味", "周敏", "13800001234"},
	}}
	n, err := s.ImportTickets(ctx, p.admin.ID, tb)
	if err != nil || n != 1 {
		t.Fatalf("xlsx import = %d, %v", n, err)
	}
	list, err := s.TicketList(ctx, TicketFilter{})
	mustOK(t, err)
	if len(list) != 1 || list[0].Severity != SeverityMinor || list[0].OpenedAt.In(shanghai) != time.Date(2026, 11, 10, 14, 0, 0, 0, shanghai) {
		t.Fatalf("xlsx ticket %+v", list)
	}
}
