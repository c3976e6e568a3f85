package app

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"github.com/xuri/excelize/v2"

	"anchang/data"
	"anchang/data/sheet"
)

// Past visits: a month back, by pinyin and by phone; a row opens the
// customer's file (visits and tickets, full phone for the desk); the
// period exports to an Excel file that opens with the visits in it.
func TestVisitHistoryFindsPastVisitsAndExports(t *testing.T) {
	h := newHarness(t, true, "陈思远")
	ctx := context.Background()
	start := h.clk.t
	for _, v := range []struct {
		name, phone string
		days        int
	}{{"张敏", "13812345678", -40}, {"王芳", "13900001111", -20}, {"张敏", "13812345678", -3}} {
		h.clk.t = start.AddDate(0, 0, v.days)
		in := data.CheckInInput{Name: v.name, Phone: v.phone, Purpose: data.PurposeViewing, SourceID: h.firstSource(), Consent: true, Via: data.ViaDesk}
		if _, err := h.store.CheckIn(ctx, h.admin.ID, in); err != nil {
			t.Fatal(err)
		}
	}
	h.clk.t = start
	if _, err := h.store.OpenTicket(ctx, h.admin.ID, data.TicketInput{Kind: data.TicketRepair, Category: data.CatEngineering, Severity: data.SeverityGeneral,
		Description: "卫生间漏水", CustomerName: "张敏", Phone: "13812345678", Building: "5号楼", Unit: "801"}); err != nil {
		t.Fatal(err)
	}
	h.signInAs("李静")
	b := h.board()
	// Today's board finds by pinyin too.
	test.Type(b.search, "zm")
	if len(b.rows) != 0 {
		t.Fatalf("today's board found %v", b.rows)
	}
	b.search.SetText("")

	test.Tap(b.history)
	v := h.u.shell.board.lastHistory
	v.u.printDir = t.TempDir()
	if len(v.rows) != 2 || v.rows[0].Name != "张敏" || v.rows[1].Name != "王芳" {
		t.Fatalf("last 30 days: %+v", v.rows)
	}
	h.shows("共 2 次来访。点一行查看客户档案。", "139****1111")
	h.hides("13900001111")
	v.from.SetText("2026-10-01")
	test.Type(v.search, "zm")
	if len(v.rows) != 2 || v.rows[0].Name != "张敏" || v.rows[1].Name != "张敏" {
		t.Fatalf("zm since October: %+v", v.rows)
	}
	v.search.SetText("1111")
	if len(v.rows) != 1 || v.rows[0].Name != "王芳" {
		t.Fatalf("by phone: %+v", v.rows)
	}
	v.from.SetText("2026-13-01")
	h.shows("“2026-13-01”不是日期：请写成 2026-11-01。")
	v.from.SetText("2026-10-01")
	h.hides("“2026-13-01”不是日期：请写成 2026-11-01。")

	// The customer's file.
	v.search.SetText("张敏")
	v.table.Select(widgetCell(0, 0))
	h.shows("客户档案：张敏", "电话：138 1234 5678", "来访（2）", "工单（1）", "报修", "卫生间漏水", "回访（0）")
	v.file.Hide()

	// Export the period with the search: both of 张敏's visits.
	test.Tap(v.export)
	files, _ := filepath.Glob(filepath.Join(v.u.printDir, "*.xlsx"))
	if len(files) != 1 || !strings.Contains(h.screen(), "已导出 2 次来访") {
		t.Fatalf("export: %v\n%s", files, h.screen())
	}
	f, err := excelize.OpenFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(sheet.VisitSheet)
	if err != nil || len(rows) != 3 || rows[1][3] != "张敏" || rows[1][5] != "138 1234 5678" || rows[1][8] != "看房" {
		t.Fatalf("sheet: %q %v", rows, err)
	}
	if st, err := os.Stat(files[0]); err != nil || st.Size() == 0 {
		t.Fatal(err)
	}
}
