//go:build linux

package cli

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"anchang/data"
)

// On a real full disk (a small tmpfs) the verbs say so in the user's
// language, not in SQLite's English; a search still answers.
func TestVerbsOnAFullDisk(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting a small file system needs root")
	}
	mnt := filepath.Join(t.TempDir(), "small")
	if err := os.Mkdir(mnt, 0o700); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", mnt).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", mnt).Run() })
	dir := filepath.Join(mnt, "data")
	s, err := data.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Setup(context.Background(), data.SetupInput{OfficeName: "星河湾售楼处", OfficeCode: "XHW", DeviceName: "前台", AdminName: "管理员", AdminPIN: "258014"}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	manual := filepath.Join(t.TempDir(), "manual.csv")
	if code, _, errs := run(t, dir, "faq", "export", manual); code != 0 { // loads the starter manual
		t.Fatalf("export: %s", errs)
	}
	// Fill the disk.
	f, err := os.Create(filepath.Join(mnt, "filler"))
	if err != nil {
		t.Fatal(err)
	}
	for buf := make([]byte, 64<<10); ; {
		if _, err := f.Write(buf); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatal(err)
			}
			break
		}
	}
	f.Close()

	t.Setenv("LC_ALL", "")
	t.Setenv("LC_MESSAGES", "")
	t.Setenv("LANG", "zh_CN.UTF-8")
	if code, out, errs := run(t, dir, "faq", "search", "车位"); code != 0 || !strings.Contains(out, `"question"`) {
		t.Fatalf("search with answers on a full disk: %d %q %s", code, out, errs)
	}
	code, _, errs := run(t, dir, "faq", "search", "游泳池开放时间")
	if code != 0 || !strings.Contains(errs, "磁盘已满") {
		t.Fatalf("search without answers on a full disk: %d %s", code, errs)
	}
	// Filling the WAL takes a few tries: the import fails with the
	// message, never with SQLite's words.
	code, _, errs = run(t, filepath.Join(mnt, "demo"), "demo", "--days", "3", "--per-day", "30") // an empty directory: a real office refuses demo data

	if code != 1 || !strings.Contains(errs, "磁盘已满") || strings.Contains(errs, "SQLITE") || strings.Contains(errs, "database or disk is full") {
		t.Fatalf("demo on a full disk: %d %s", code, errs)
	}
}
