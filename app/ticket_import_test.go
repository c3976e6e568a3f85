package app

import (
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// TestTicketImportFromLedger: an admin imports a carried-over ledger from
// the complaint ledger. A file with a bad row is refused whole, the row and
// column named; the corrected file opens its tickets and the ledger shows
// them. A receptionist is not offered the import.
func TestTicketImportFromLedger(t *testing.T) {
	h := newHarness(t, true)
	dir := filepath.Join(t.TempDir(), "printouts")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	const header = "受理时间,类型,类别,级别,事由,客户姓名,联系电话,原编号\n"
	good := "2026-11-20 10:00,投诉,工程质量,重要,阳台栏杆松动,王芳,13912345678,纸-07\n" +
		"2026-11-21 15:30,报修,物业,一般,入户门锁芯卡滞,李强,13912345679,纸-08\n"
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("bad.csv", header+good+"2026-11-22 09:00,投诉,装修,一般,地板起鼓,赵敏,13912345670,纸-09\n")
	write("台账.csv", header+good)

	h.signInAs("李静")
	h.u.showTicketLedger()
	h.hides("导入纸质台账")

	h.signInAs("管理员")
	h.u.printDir = dir
	h.u.showTicketLedger()
	test.Tap(findButton(t, h, "导入纸质台账"))
	h.shows("导入纸质台账", "不写路径时在此文件夹中查找："+dir)

	found := findVisible(h, func(o fyne.CanvasObject) bool {
		e, ok := o.(*widget.Entry)
		return ok && e.PlaceHolder == "台账.xlsx 或完整路径"
	})
	if found == nil {
		t.Fatal("no file path box")
	}
	path := found.(*widget.Entry)

	test.Tap(findButton(t, h, "检查并导入"))
	h.shows("必填")
	test.Type(path, "bad.csv")
	test.Tap(findButton(t, h, "检查并导入"))
	h.shows("有 1 处错误，未导入任何内容。请按行号修改后重新导入。", "第 4 行 · 类别（category）：“装修”不是可用的值")
	if n := h.count("tickets"); n != 0 {
		t.Fatalf("%d tickets after a refused import", n)
	}
	path.SetText("")
	test.Type(path, "台账.csv")
	test.Tap(findButton(t, h, "检查并导入"))
	h.shows("已导入 2 张工单。")
	if n := h.count("tickets"); n != 2 {
		t.Fatalf("%d tickets after the import", n)
	}
	path.SetText("nowhere.csv")
	test.Tap(findButton(t, h, "检查并导入"))
	h.shows("找不到文件：" + filepath.Join(dir, "nowhere.csv"))
}
