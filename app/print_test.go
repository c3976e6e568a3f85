package app

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// fakeCUPS puts lp and lpstat first on PATH. lpstat reports a default
// printer or none; lp copies the file it is given to the returned path (or
// fails as CUPS does for a printer that does not exist).
func fakeCUPS(t *testing.T, printer bool, lpFails bool) (printed string) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("lp is for Linux and macOS")
	}
	dir := t.TempDir()
	printed = filepath.Join(dir, "printed.pdf")
	lp := "#!/bin/sh\nfor a; do last=$a; done\ncp \"$last\" " + printed + "\n"
	if lpFails {
		lp = "#!/bin/sh\necho 'lp: The printer or class does not exist.' >&2\nexit 1\n"
	}
	d := "system default destination: Front\n"
	if !printer {
		d = "no system default destination\n"
	}
	lpstat := "#!/bin/sh\ncase \"$1\" in\n-d) printf '%s' '" + d + "';;\nesac\n"
	for name, body := range map[string]string{"lp": lp, "lpstat": lpstat} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	return printed
}

// printHarness is a harness whose PDFs go to a temp folder, with the
// temporary files in another.
func printHarness(t *testing.T) (*harness, string) {
	h := newHarness(t, true, "陈思远", "林晓雯")
	t.Setenv("TMPDIR", t.TempDir())
	dir := filepath.Join(t.TempDir(), "printouts")
	h.u.printDir = dir
	return h, dir
}

// pdfText checks the file is a PDF and returns its text.
func pdfText(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("%PDF")) {
		t.Fatalf("%s is not a PDF: %.20q", path, b)
	}
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Log("no pdftotext (scripts/deps.sh installs it): text not checked")
		return ""
	}
	out, err := exec.Command("pdftotext", "-layout", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext %s: %v", path, err)
	}
	return string(out)
}

func contains(t *testing.T, text string, want ...string) {
	t.Helper()
	if text == "" {
		return
	}
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Fatalf("PDF text lacks %q:\n%s", w, text)
		}
	}
}

func TestPrintVisitFromBoard(t *testing.T) {
	h, dir := printHarness(t)
	visits := h.seedVisits()
	printed := fakeCUPS(t, true, false)
	h.signInAs("李静")
	b := h.board()

	b.selectVisit(visits[0].ID)
	test.Tap(findButton(t, h, "打印登记表"))
	h.hides("来访详情") // the print modal replaces the visit's dialog
	h.shows("来访客户登记表", "客户：王芳 · 到访 2026-11-23 10:00", "表单编号：AC-KF-01-F01", "版本：A/0（2026-11-01 起施行）", "流水号：XHW-20261123-0001", "共 1 页", "PDF 保存在："+dir)

	test.Tap(findButton(t, h, "打印"))
	h.shows("已发送到打印机。")
	// A receptionist may see the full number, and the form prints it.
	contains(t, pdfText(t, printed), "王芳", "138 1234 5678", "AC-KF-01-F01", "XHW-20261123-0001", "李静")

	test.Tap(findButton(t, h, "保存 PDF"))
	saved := filepath.Join(dir, "AC-KF-01-F01_XHW-20261123-0001.pdf")
	h.shows("已保存：" + saved)
	contains(t, pdfText(t, saved), "王芳", "138 1234 5678")
	test.Tap(findButton(t, h, "关闭"))
	h.hides("来访客户登记表")

	// Escape closes the print modal and the blank forms list.
	test.Tap(findButton(t, h, "打印今日登记"))
	h.shows("来访客户日登记表")
	h.win.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyEscape})
	h.hides("来访客户日登记表")
	menuItem(t, h, "工具", "空白表单").Action()
	h.shows("交付验房检查表")
	h.win.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyEscape})
	h.hides("交付验房检查表")
}

func TestPrintVisitMasksPhoneForConsultant(t *testing.T) {
	h, _ := printHarness(t)
	visits := h.seedVisits()
	printed := fakeCUPS(t, true, false)
	h.signInAs("林晓雯")
	b := h.board()
	// 王芳 is 陈思远's customer: 林晓雯 prints her number masked.
	b.selectVisit(visits[0].ID)
	test.Tap(findButton(t, h, "打印登记表"))
	test.Tap(findButton(t, h, "打印"))
	text := pdfText(t, printed)
	contains(t, text, "王芳", "138****5678")
	if strings.Contains(text, "138 1234 5678") {
		t.Fatal("a consultant printed another consultant's customer's full number")
	}
	// A consultant does not print the whole day's log.
	h.hides("打印今日登记")
}

func TestPrintWithNoPrinterSavesThePDF(t *testing.T) {
	for _, c := range []struct {
		name             string
		printer, lpFails bool
	}{
		{"no default printer", false, false},
		{"printer gone", true, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			h, dir := printHarness(t)
			visits := h.seedVisits()
			fakeCUPS(t, c.printer, c.lpFails)
			h.signInAs("李静")
			h.board().selectVisit(visits[1].ID)
			test.Tap(findButton(t, h, "打印登记表"))
			test.Tap(findButton(t, h, "打印"))
			saved := filepath.Join(dir, "AC-KF-01-F01_XHW-20261123-0002.pdf")
			h.shows("没有可用的打印机，已另存为 PDF：\n" + saved)
			contains(t, pdfText(t, saved), "李强")
		})
	}
	t.Run("no lp", func(t *testing.T) {
		h, dir := printHarness(t)
		h.seedVisits()
		t.Setenv("PATH", t.TempDir())
		h.signInAs("李静")
		h.board()
		test.Tap(findButton(t, h, "打印今日登记"))
		test.Tap(findButton(t, h, "打印"))
		saved := filepath.Join(dir, "AC-KF-01-F02_XHW-20261123.pdf")
		h.shows("没有可用的打印机，已另存为 PDF：\n" + saved)
		if _, err := os.Stat(saved); err != nil {
			t.Fatal(err)
		}
	})
}

func TestPrintDailyLogFromBoard(t *testing.T) {
	h, dir := printHarness(t)
	h.seedVisits()
	printed := fakeCUPS(t, true, false)
	h.signInAs("李静")
	h.board()
	test.Tap(findButton(t, h, "打印今日登记"))
	h.shows("来访客户日登记表", "日期：2026-11-23", "表单编号：AC-KF-01-F02", "流水号：XHW-20261123", "共 1 页")
	test.Tap(findButton(t, h, "打印"))
	h.shows("已发送到打印机。")
	// The daily log prints every visit of the day, phones masked.
	text := pdfText(t, printed)
	contains(t, text, "王芳", "李强", "张伟", "138****5678", "XHW-20261123")
	if strings.Contains(text, "138 1234 5678") {
		t.Fatal("the daily log printed a full number")
	}
	test.Tap(findButton(t, h, "保存 PDF"))
	h.shows("已保存：" + filepath.Join(dir, "AC-KF-01-F02_XHW-20261123.pdf"))
}

func TestPrintBlankFormsFromMenu(t *testing.T) {
	h, dir := printHarness(t)
	printed := fakeCUPS(t, true, false)
	h.signInAs("李静")
	menuItem(t, h, "工具", "空白表单").Action()
	h.shows("空白表单", "来访客户登记表", "AC-KF-01-F01  A/0", "交付验房检查表", "AC-KF-03-F01  A/0")

	// Save PDF of the first row (the visitor registration form).
	test.Tap(findButton(t, h, "保存 PDF"))
	saved := filepath.Join(dir, "AC-KF-01-F01_blank.pdf")
	h.shows("来访客户登记表", "空白表单，手工填写", "已保存："+saved)
	contains(t, pdfText(t, saved), "来访客户登记表", "AC-KF-01-F01")
	test.Tap(findButton(t, h, "关闭"))

	if st, err := os.Stat(saved); err != nil || (runtime.GOOS != "windows" && st.Mode().Perm() != 0o600) { // exports are the owner's only
		t.Fatalf("saved file: %v %v", st, err)
	}

	// The inspection checklist's 120 items fill 4 pages.
	menuItem(t, h, "工具", "空白表单").Action()
	var rows []*widget.Button
	findVisible(h, func(o fyne.CanvasObject) bool {
		if b, ok := o.(*widget.Button); ok && b.Text == "保存 PDF" {
			rows = append(rows, b)
		}
		return false
	})
	test.Tap(rows[len(rows)-1])
	h.shows("交付验房检查表", "共 4 页", "已保存："+filepath.Join(dir, "AC-KF-03-F01_blank.pdf"))
	test.Tap(findButton(t, h, "关闭"))

	// Print of the first row sends it to the printer straight away.
	menuItem(t, h, "工具", "空白表单").Action()
	test.Tap(findButton(t, h, "打印"))
	h.shows("已发送到打印机。")
	contains(t, pdfText(t, printed), "来访客户登记表")
}

func TestPrintPreviewOpensTheViewer(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the fake viewer is xdg-open")
	}
	h, _ := printHarness(t)
	visits := h.seedVisits()
	bin := t.TempDir()
	args := filepath.Join(bin, "args")
	if err := os.WriteFile(filepath.Join(bin, "xdg-open"), []byte("#!/bin/sh\necho \"$1\" > "+args+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	h.signInAs("李静")
	h.board().selectVisit(visits[0].ID)
	test.Tap(findButton(t, h, "打印登记表"))
	test.Tap(findButton(t, h, "预览"))
	h.shows("已在 PDF 阅读器中打开。")
	b, err := os.ReadFile(args)
	if err != nil {
		t.Fatal(err)
	}
	path := strings.TrimSpace(string(b))
	if !strings.HasPrefix(filepath.Base(path), "AC-KF-01-F01_XHW-20261123-0001") {
		t.Fatalf("viewer opened %q", path)
	}
	contains(t, pdfText(t, path), "王芳")

	// With no viewer the desk is told where the file is.
	if err := os.WriteFile(filepath.Join(bin, "xdg-open"), []byte("#!/bin/sh\nexit 3\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	test.Tap(findButton(t, h, "预览"))
	h.shows("无法打开 PDF 阅读器，文件在：" + filepath.Join(os.Getenv("TMPDIR"), "anchang-forms"))
}

func TestPrintFailureSavesThePDF(t *testing.T) {
	h, dir := printHarness(t)
	h.seedVisits()
	bin := t.TempDir()
	os.WriteFile(filepath.Join(bin, "lpstat"), []byte("#!/bin/sh\necho 'system default destination: Front'\n"), 0o755)
	os.WriteFile(filepath.Join(bin, "lp"), []byte("#!/bin/sh\necho 'lp: Unable to connect to server' >&2\nexit 1\n"), 0o755)
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	// The temporary folder's anchang-forms is a file (another program's):
	// the copy for the printer goes to the temporary folder itself.
	os.WriteFile(filepath.Join(os.Getenv("TMPDIR"), "anchang-forms"), nil, 0o644)
	h.signInAs("李静")
	h.board()
	test.Tap(findButton(t, h, "打印今日登记"))
	test.Tap(findButton(t, h, "打印"))
	h.shows("打印失败：", "Unable to connect to server", "已另存为 PDF：\n"+filepath.Join(dir, "AC-KF-01-F02_XHW-20261123.pdf"))
}

func TestPrintFolder(t *testing.T) {
	h := newHarness(t, true)
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	// No documents folder: the data directory's printouts folder.
	if got, want := h.u.printFolder(), filepath.Join(h.dir, "printouts"); got != want {
		t.Fatalf("folder %s, want %s", got, want)
	}
	docs := filepath.Join(home, "Documents")
	if err := os.Mkdir(docs, 0o755); err != nil {
		t.Fatal(err)
	}
	if got, want := h.u.printFolder(), filepath.Join(docs, "Anchang"); got != want {
		t.Fatalf("folder %s, want %s", got, want)
	}
	if runtime.GOOS == "linux" {
		// A Chinese desktop names its documents folder 文档.
		zh := filepath.Join(home, "文档")
		os.Mkdir(zh, 0o755)
		os.MkdirAll(filepath.Join(home, ".config"), 0o755)
		os.WriteFile(filepath.Join(home, ".config", "user-dirs.dirs"), []byte("XDG_DESKTOP_DIR=\"$HOME/桌面\"\nXDG_DOCUMENTS_DIR=\"$HOME/文档\"\n"), 0o644)
		if got, want := h.u.printFolder(), filepath.Join(zh, "Anchang"); got != want {
			t.Fatalf("folder %s, want %s", got, want)
		}
	}
	h.u.printDir = "/elsewhere"
	if got := h.u.printFolder(); got != "/elsewhere" {
		t.Fatalf("folder %s, want the configured one", got)
	}
}

// menuItem finds an item of the window's main menu.
func menuItem(t *testing.T, h *harness, menu, item string) *fyne.MenuItem {
	t.Helper()
	for _, m := range h.win.MainMenu().Items {
		if m.Label != menu {
			continue
		}
		for _, it := range m.Items {
			if it.Label == item {
				return it
			}
		}
	}
	t.Fatalf("no menu item %s › %s", menu, item)
	return nil
}

func TestPrintInEnglish(t *testing.T) {
	h, dir := printHarness(t)
	visits := h.seedVisits()
	fakeCUPS(t, false, false)
	SetLanguage("en")
	h.signInAs("李静")
	h.selectTab(T("tab.board"))
	h.u.shell.board.selectVisit(visits[0].ID)
	test.Tap(findButton(t, h, "Print registration form"))
	h.shows("Visitor Registration", "Form number: AC-KF-01-F01", "Version: A/0 (in effect from 2026-11-01)", "Serial: XHW-20261123-0001", "1 page(s)", "PDFs are saved in "+dir)
	test.Tap(findButton(t, h, "Print"))
	h.shows("No printer is available. The PDF is saved as\n" + filepath.Join(dir, "AC-KF-01-F01_XHW-20261123-0001.pdf"))
}
