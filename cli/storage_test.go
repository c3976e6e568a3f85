package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"anchang/data"
)

func run(t *testing.T, dir, verb string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Run(context.Background(), Config{DataDir: dir, Verb: verb, Args: args}, &out, &errOut)
	return code, out.String(), errOut.String()
}

// A verb that writes, on a directory a desk holds, is told so in the
// user's language and changes nothing; verbs that only read run beside it.
func TestWritingVerbRefusedBesideTheDesk(t *testing.T) {
	dir := setUpDir(t)
	lock, err := data.LockDir(dir) // the desk
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Unlock()
	t.Setenv("LC_ALL", "")
	t.Setenv("LC_MESSAGES", "")
	t.Setenv("LANG", "zh_CN.UTF-8")
	code, _, errs := run(t, dir, "demo", "--days", "1", "--per-day", "5")
	if code != 1 || !strings.Contains(errs, "已经在使用这个数据目录") || strings.Contains(errs, "err.db") {
		t.Fatalf("demo beside the desk: %d %q", code, errs)
	}
	if code, _, errs := run(t, dir, "tickets", "list"); code != 0 {
		t.Fatalf("tickets list beside the desk: %d %s", code, errs)
	}
	if code, out, errs := run(t, dir, "faq", "search", "车位"); code != 0 || out == "" {
		t.Fatalf("faq search beside the desk: %d %q %s", code, out, errs)
	}
	lock.Unlock()
	// Once the desk closed, demo looks at the directory: a real office's,
	// which it refuses for that reason (cli/demo_test.go).
	if code, _, errs := run(t, dir, "demo", "--days", "1", "--per-day", "5"); code != 1 || !strings.Contains(errs, "真实案场") {
		t.Fatalf("demo once the desk closed: %d %s", code, errs)
	}
}

// Verbs that only read, given a mistyped --data-dir, say so and create
// nothing there.
func TestReadingVerbsCreateNothing(t *testing.T) {
	parent := t.TempDir()
	typo := filepath.Join(parent, "anchnag")
	for _, args := range [][]string{
		{"tickets", "list"},
		{"tickets", "ledger", "-o", filepath.Join(parent, "l.xlsx")},
		{"faq", "search", "车位"},
		{"faq", "export", filepath.Join(parent, "m.csv")},
		{"print", "daily-log", "--id", "2026-11-23", "-o", filepath.Join(parent, "x.pdf")},
		{"backup"},
	} {
		code, _, errs := run(t, typo, args[0], args[1:]...)
		if code == 0 || !strings.Contains(errs, "no Anchang database") {
			t.Errorf("%v: %d %q", args, code, errs)
		}
		if entries, _ := os.ReadDir(parent); len(entries) != 0 {
			t.Fatalf("%v left %d entries in %s", args, len(entries), parent)
		}
	}
}

// backup runs beside the desk; restore needs the desk closed and puts the
// newest backup back, keeping what it replaced.
func TestBackupAndRestoreVerbs(t *testing.T) {
	dir := setUpDir(t)
	lock, err := data.LockDir(dir) // the desk
	if err != nil {
		t.Fatal(err)
	}
	code, out, errs := run(t, dir, "backup")
	if code != 0 || !strings.Contains(out, "(verified)") {
		t.Fatalf("backup beside the desk: %d %q %s", code, out, errs)
	}
	own := filepath.Join(t.TempDir(), "copy.db")
	if code, _, errs := run(t, dir, "backup", "-o", own); code != 0 {
		t.Fatalf("backup -o: %d %s", code, errs)
	}
	if _, err := data.VerifyBackup(context.Background(), own); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := run(t, dir, "restore"); code != 1 || !strings.Contains(errs, "already running") {
		t.Fatalf("restore beside the desk: %d %s", code, errs)
	}
	lock.Unlock()

	// Something written after the backup is undone by the restore.
	s, err := data.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RecordFAQMiss(context.Background(), "", "游泳池"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	code, out, errs = run(t, dir, "restore", "--list")
	if code != 0 || strings.Count(out, "\n") != 1 {
		t.Fatalf("restore --list: %d %q %s", code, out, errs)
	}
	code, out, errs = run(t, dir, "restore")
	if code != 0 || !strings.Contains(out, "Restored from") {
		t.Fatalf("restore: %d %q %s", code, out, errs)
	}
	s, err = data.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if n, _ := s.CountRows(context.Background(), "outbox"); n == 0 || !s.IsSetUp() {
		t.Fatal("restored database is empty")
	}
	misses, _ := s.TopFAQMisses(context.Background(), time.Time{}, 5)
	if len(misses) != 0 {
		t.Fatalf("the restore kept a miss written after the backup: %+v", misses)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, data.DBFileName+".replaced-*")); len(m) == 0 {
		t.Fatal("the replaced database is not kept")
	}
}
