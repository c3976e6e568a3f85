package app

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"anchang/app/forms"
)

// fakeQueues puts lp and lpstat first on PATH with the print queues named
// and default as the system default; lp writes its arguments to the
// returned file.
func fakeQueues(t *testing.T, def string, queues ...string) (argsFile string) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("lp is for Linux and macOS")
	}
	dir := t.TempDir()
	argsFile = filepath.Join(dir, "lp-args")
	d := "no system default destination\n"
	if def != "" {
		d = "system default destination: " + def + "\n"
	}
	scripts := map[string]string{
		"lp":     "#!/bin/sh\necho \"$@\" > " + argsFile + "\n",
		"lpstat": "#!/bin/sh\ncase \"$1\" in\n-d) printf '%s' '" + d + "';;\n-e) printf '%s\\n' " + strings.Join(queues, " ") + ";;\nesac\n",
	}
	for name, body := range scripts {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	return argsFile
}

func TestPrintChoosesPrinterAndRemembersIt(t *testing.T) {
	h, _ := printHarness(t)
	args := fakeQueues(t, "Front", "Front", "Back")
	h.signInAs("李静")
	h.board()

	test.Tap(findButton(t, h, "打印今日登记"))
	h.shows("打印机", "默认打印机（Front）")
	selectOption(t, findSelectWith(t, h, "Back"), "Back")
	test.Tap(findButton(t, h, "打印"))
	h.shows("已发送到打印机。")
	if b, err := os.ReadFile(args); err != nil || !strings.HasPrefix(string(b), "-t anchang -d Back -- ") {
		t.Fatalf("lp called with %q (%v)", b, err)
	}
	test.Tap(findButton(t, h, "关闭"))

	// The choice is this computer's from now on.
	if v, err := h.store.Setting(context.Background(), printerSetting, ""); err != nil || v != "Back" {
		t.Fatalf("remembered printer %q, %v", v, err)
	}
	test.Tap(findButton(t, h, "打印今日登记"))
	if s := findSelectWith(t, h, "Back"); s.Selected != "Back" {
		t.Fatalf("printer preselected %q, want Back", s.Selected)
	}
	// Back to the default: lp gets no -d.
	selectOption(t, findSelectWith(t, h, "Back"), "默认打印机（Front）")
	test.Tap(findButton(t, h, "打印"))
	h.shows("已发送到打印机。")
	if b, _ := os.ReadFile(args); !strings.HasPrefix(string(b), "-t anchang -- ") {
		t.Fatalf("lp called with %q", b)
	}
}

func TestPrintWithoutQueuesSaysSo(t *testing.T) {
	h, _ := printHarness(t)
	fakeQueues(t, "")
	h.signInAs("李静")
	h.board()
	test.Tap(findButton(t, h, "打印今日登记"))
	h.shows("未找到打印机：打印时将保存为 PDF")
}

func TestPrintVersionChoiceDuringOverlap(t *testing.T) {
	h, _ := printHarness(t)
	fakeQueues(t, "Front", "Front")
	h.signInAs("李静")
	// A form whose version A/1 took effect three days before the harness's
	// day (2026-11-23): for ten days both A/1 and A/0 may be printed.
	def := &forms.Definition{Name: "test-form", Number: "AC-KF-09-F09", Title: "测试表", TitleEn: "Test form",
		Versions: []forms.Version{
			{Label: "A/0", Effective: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)},
			{Label: "A/1", Effective: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)},
		}}
	var rendered []string
	h.u.showPrint(printJob{def: def, render: func(_ context.Context, w io.Writer, version string) (printed, error) {
		rendered = append(rendered, version)
		_, err := io.WriteString(w, "%PDF-1.3\n<< /Type /Page >>\n")
		return printed{}, err
	}}, nil)
	h.shows("版本：A/1（2026-11-20 起施行）", "A/1 版（2026-11-20 起施行）", "共 1 页")

	selectOption(t, findSelectWith(t, h, "A/0 版（2026-11-01 起施行）"), "A/0 版（2026-11-01 起施行）")
	h.shows("版本：A/0（2026-11-01 起施行）")
	if strings.Join(rendered, ",") != ",A/0" {
		t.Fatalf("rendered versions %q, want the newest then A/0", rendered)
	}

	// After the ten days only A/1 may be printed: no choice is offered.
	test.Tap(findButton(t, h, "关闭"))
	h.clk.Advance(8 * 24 * time.Hour)
	h.u.showPrint(printJob{def: def, render: func(_ context.Context, w io.Writer, version string) (printed, error) {
		_, err := io.WriteString(w, "%PDF-1.3\n<< /Type /Page >>\n")
		return printed{}, err
	}}, nil)
	h.shows("版本：A/1（2026-11-20 起施行）")
	h.hides("A/0 版（2026-11-01 起施行）")
}
