package cli

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"anchang/data"
)

func runPrint(t *testing.T, dir string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Run(context.Background(), Config{DataDir: dir, Verb: "print", Args: args}, &out, &errb)
	return code, out.String(), errb.String()
}

func pdfText(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Fatalf("%s is not a PDF", path)
	}
	if _, err := exec.LookPath("pdftotext"); err != nil {
		return ""
	}
	if out, err := exec.Command("qpdf", "--check", path).CombinedOutput(); err != nil {
		t.Fatalf("qpdf --check: %v\n%s", err, out)
	}
	out, err := exec.Command("pdftotext", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// TestPrintSendNoPrinter: with no print queue the PDF is still saved and
// the message says so.
func TestPrintSendNoPrinter(t *testing.T) {
	bin := t.TempDir()
	os.WriteFile(filepath.Join(bin, "lp"), []byte("#!/bin/sh\nexit 1\n"), 0o755)
	os.WriteFile(filepath.Join(bin, "lpstat"), []byte("#!/bin/sh\necho 'no system default destination'\n"), 0o755)
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	out := filepath.Join(t.TempDir(), "r.pdf")
	code, _, errs := runPrint(t, t.TempDir(), "revisit-record", "--blank", "--send", "-o", out)
	if code == 0 || !strings.Contains(errs, "no printer is set up") || !strings.Contains(errs, "saved as "+out) {
		t.Fatalf("exit %d:\n%s", code, errs)
	}
	if _, err := os.Stat(out); err != nil {
		t.Fatalf("PDF not saved: %v", err)
	}
}

func TestPrintVerb(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	code, out, _ := runPrint(t, tmp, "--list")
	if code != 0 || !strings.Contains(out, "visitor-registration") || !strings.Contains(out, "AC-KF-01-F02") {
		t.Fatalf("--list: %d\n%s", code, out)
	}

	// --demo, FORM before or after the flags
	for _, args := range [][]string{
		{"visitor-registration", "--demo", "-o", filepath.Join(tmp, "v.pdf")},
		{"--demo", "-o", filepath.Join(tmp, "d.pdf"), "daily-log"},
	} {
		if code, _, errs := runPrint(t, tmp, args...); code != 0 {
			t.Fatalf("%v: exit %d\n%s", args, code, errs)
		}
	}
	if txt := pdfText(t, filepath.Join(tmp, "v.pdf")); txt != "" && !strings.Contains(txt, "AC-KF-01-F01") {
		t.Fatalf("demo visitor form text:\n%s", txt)
	}
	if txt := pdfText(t, filepath.Join(tmp, "d.pdf")); txt != "" && !strings.Contains(txt, "来访客户日登记表") {
		t.Fatalf("demo daily log text:\n%s", txt)
	}
	if _, err := os.Stat(filepath.Join(tmp, "anchang.db")); err == nil {
		t.Fatal("--demo wrote into the data directory")
	}

	// every form, with demo content and blank
	for _, name := range []string{"service-record", "revisit-record", "handover-inspection", "visitor-registration"} {
		for _, mode := range []string{"--demo", "--blank"} {
			path := filepath.Join(tmp, name+mode+".pdf")
			if code, _, errs := runPrint(t, tmp, name, mode, "-o", path); code != 0 {
				t.Fatalf("%s %s: exit %d\n%s", name, mode, code, errs)
			}
			pdfText(t, path)
		}
	}

	// --id: a stored visit and a stored day
	dir := filepath.Join(tmp, "data")
	ctx := context.Background()
	s, err := data.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 23, 15, 0, 0, 0, s.Location())
	s.Now = func() time.Time { return now }
	if _, err := s.LoadDemo(ctx, data.DemoOptions{Days: 1, PerDay: 12, Seed: 2}); err != nil {
		t.Fatal(err)
	}
	rows, err := s.DayLog(ctx, "2026-11-23")
	if err != nil || len(rows) == 0 {
		t.Fatalf("demo day: %d rows, %v", len(rows), err)
	}
	s.Close()
	v := filepath.Join(tmp, "visit.pdf")
	if code, _, errs := runPrint(t, dir, "visitor-registration", "--id", rows[0].VisitID, "-o", v); code != 0 {
		t.Fatalf("--id visit: %d\n%s", code, errs)
	}
	if txt := pdfText(t, v); txt != "" && (!strings.Contains(txt, rows[0].PhoneMasked) || !strings.Contains(txt, "DEMO-20261123-0001")) {
		t.Fatalf("stored visit: want %s and serial DEMO-20261123-0001:\n%s", rows[0].PhoneMasked, txt)
	}
	code, out, errs := runPrint(t, dir, "daily-log", "--id", "2026-11-23", "-o", "-")
	if code != 0 || !strings.HasPrefix(out, "%PDF-") {
		t.Fatalf("--id day to stdout: %d\n%s", code, errs)
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{}, "name a form"},
		{[]string{"no-such-form", "--demo", "-o", "x.pdf"}, "no form"},
		{[]string{"daily-log", "-o", "x.pdf"}, "one of --demo, --id or --blank"},
		{[]string{"daily-log", "--demo", "--id", "x", "-o", "x.pdf"}, "one of --demo, --id or --blank"},
		{[]string{"daily-log", "--demo"}, "-o FILE.pdf"},
		{[]string{"daily-log", "--id", "yesterday", "-o", "x.pdf"}, "YYYY-MM-DD"},
		{[]string{"visitor-registration", "--id", "nope", "-o", "x.pdf"}, "No such visit"},
		{[]string{"daily-log", "--demo", "--version", "Z/9", "-o", "x.pdf"}, "may not be printed"},
		{[]string{"daily-log", "extra", "--demo", "-o", "x.pdf"}, "unexpected"},
		{[]string{"revisit-record", "--id", "x", "-o", "x.pdf"}, "not found"}, // a ticket's id or number
		{[]string{"revisit-record", "--blank", "--send", "-o", "-"}, "--send prints a saved file"},
	} {
		code, _, errs := runPrint(t, dir, tc.args...)
		if code == 0 || !strings.Contains(errs, tc.want) {
			t.Errorf("%v: exit %d, want an error with %q:\n%s", tc.args, code, tc.want, errs)
		}
	}
}
