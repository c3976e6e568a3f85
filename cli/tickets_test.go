package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"anchang/data"
	"anchang/data/sheet"
)

func runTickets(t *testing.T, dir string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Run(context.Background(), Config{DataDir: dir, Verb: "tickets", Args: args}, &out, &errb)
	return code, out.String(), errb.String()
}

// TestTicketsVerb lists the demo's open tickets, exports a ledger and
// imports a holiday schedule, and refuses bad input.
func TestTicketsVerb(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "data")
	ctx := context.Background()
	s, err := data.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	s.Now = func() time.Time { return now }
	if _, err := s.LoadDemo(ctx, data.DemoOptions{Days: 14, PerDay: 3, Seed: 4}); err != nil {
		t.Fatal(err)
	}
	s.Close()

	code, out, errs := runTickets(t, dir, "list")
	if code != 0 || !strings.Contains(out, "DEMO-") || strings.Contains(out, "closed") {
		t.Fatalf("list: %d %s\n%s", code, errs, out)
	}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if strings.Contains(line, "+86") {
			t.Fatalf("full phone listed: %s", line)
		}
	}
	code, all, _ := runTickets(t, dir, "list", "--all")
	if code != 0 || strings.Count(all, "\n") <= strings.Count(out, "\n") {
		t.Fatalf("list --all: %d", code)
	}
	x := filepath.Join(tmp, "ledger.xlsx")
	from := now.AddDate(0, 0, -14).Format(time.DateOnly)
	code, out, errs = runTickets(t, dir, "ledger", "--from", from, "-o", x)
	if code != 0 || !strings.Contains(out, "repeat") {
		t.Fatalf("ledger: %d %s %s", code, out, errs)
	}
	f, err := excelize.OpenFile(x)
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows(sheet.LedgerSheetTickets)
	f.Close()
	if len(rows) < 5 || rows[0][0] != "编号 No." {
		t.Fatalf("ledger rows %d", len(rows))
	}
	hol := filepath.Join(tmp, "2027.json")
	if err := os.WriteFile(hol, []byte(`{"year": 2027, "days": [{"name": "元旦", "date": "2027-01-01", "isOffDay": true}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, errs := runTickets(t, dir, "holidays", hol); code != 0 || !strings.Contains(out, "2027") {
		t.Fatalf("holidays: %d %s %s", code, out, errs)
	}
	if err := os.WriteFile(hol, []byte(`{"year": 2027, "days": []}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"holidays", hol}, "lists no days"}, // translated, not the key
		{[]string{"ledger", "-o", filepath.Join(tmp, "x.csv")}, "FILE.xlsx"},
		{[]string{"ledger", "--from", "last week", "-o", x}, "not a day"},
		{[]string{"ledger", "--from", "2026-11-23", "--to", "2026-11-01", "-o", x}, "after --from"},
		{[]string{"shout"}, "unknown"},
		{[]string{}, "say list"},
	} {
		if code, _, errs := runTickets(t, dir, tc.args...); code == 0 || !strings.Contains(errs, tc.want) {
			t.Errorf("%v: %d %q, want %q", tc.args, code, errs, tc.want)
		}
	}
}

// TestTicketsImport carries a small paper ledger over, then refuses a file
// with a bad row, saying which line and column, and changes nothing.
func TestTicketsImport(t *testing.T) {
	tmp := t.TempDir()
	dir := setUpDir(t)
	day := time.Now().AddDate(0, 0, -40).Format(time.DateOnly)
	good := filepath.Join(tmp, "ledger.csv")
	body := "受理时间,类型,类别,级别,事由,客户姓名,联系电话,原编号\n" +
		day + " 10:00,投诉,工程质量,重要,阳台栏杆松动,王芳,13912345678,纸-07\n"
	if err := os.WriteFile(good, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runTickets(t, dir, "import", good)
	if code != 0 || !strings.Contains(out, "1 tickets carried over, owned by 管理员") {
		t.Fatalf("import: %d %q %q", code, out, errs)
	}
	bad := filepath.Join(tmp, "bad.csv")
	if err := os.WriteFile(bad, []byte(body+day+" 11:00,投诉,装修,一般,地板起鼓,李强,13912345679,纸-08\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("LANG", "en_US.UTF-8")
	code, _, errs = runTickets(t, dir, "import", bad)
	if code == 0 || !strings.Contains(errs, "Line 2: This ticket is already in the system") ||
		!strings.Contains(errs, "Line 3 · category: “装修” is not allowed here") {
		t.Fatalf("bad import: %d %q", code, errs)
	}
	code, out, _ = runTickets(t, dir, "list", "--all")
	if code != 0 || strings.Count(out, "\n") != 1 {
		t.Fatalf("after a refused import: %q", out)
	}
}
