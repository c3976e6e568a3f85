//go:build linux

package data

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
)

// smallFS mounts a tmpfs of size bytes (root only: skipped otherwise, with
// the reason) and unmounts it when the test ends.
func smallFS(t *testing.T, size string) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("mounting a small file system needs root")
	}
	dir := filepath.Join(t.TempDir(), "small")
	mustOK(t, os.Mkdir(dir, 0o700))
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here: %v %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount: %v %s", err, out)
		}
	})
	return dir
}

// fill writes a file until the disk is full.
func fill(t *testing.T, path string) {
	t.Helper()
	f, err := os.Create(path)
	mustOK(t, err)
	defer f.Close()
	buf := make([]byte, 64<<10)
	for {
		if _, err := f.Write(buf); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatal(err)
			}
			return
		}
	}
}

// On a real full disk the store says the disk is full (not a raw SQLite
// error), keeps what was saved, warns before, and works again once space
// is freed; on read-only storage it says so.
func TestFullAndReadOnlyDisk(t *testing.T) {
	ctx := context.Background()
	mnt := smallFS(t, "8m")
	dir := filepath.Join(mnt, "data")
	s, err := Open(ctx, dir)
	mustOK(t, err)
	defer func() {
		if s != nil {
			s.Close()
		}
	}()
	admin, err := s.Setup(ctx, SetupInput{OfficeName: "星河湾售楼处", OfficeCode: "xhw-01", DeviceName: "前台", AdminName: "管理员", AdminPIN: "258014"})
	mustOK(t, err)
	fillMisses(t, s, 10)
	before := countRows(t, s, "outbox")

	// Warned before it is full: 8 MB is far below LowDiskBytes.
	wantKey(t, s.DiskLow(), ESTORAGE, "err.db.disk_low")
	if e, _ := AsError(s.DiskLow()); e.Args["Free"] == "" {
		t.Fatal("the warning does not say how much is left")
	}
	err = s.Maintain(ctx)
	wantKey(t, err, ESTORAGE, "err.db.disk_low")
	if have, _ := ListBackups(dir); len(have) != 0 {
		t.Fatal("a backup was made on a nearly full disk")
	}

	filler := filepath.Join(mnt, "filler")
	fill(t, filler)
	var full error
	for i := 0; i < 200 && full == nil; i++ { // until the WAL needs a new page
		_, full = s.CreateStaff(ctx, admin.ID, StaffInput{Name: "李静", Role: RoleReceptionist, PIN: "135792"})
		if full == nil {
			_, full = s.CreateStaff(ctx, admin.ID, StaffInput{Name: "张敏", Role: RoleReceptionist, PIN: "246813"})
		}
		if full == nil {
			fillMisses(t, s, 20)
		}
	}
	wantKey(t, full, ESTORAGE, "err.db.full")
	if got := countRows(t, s, "outbox"); got < before {
		t.Fatalf("outbox lost rows: %d < %d", got, before)
	}

	mustOK(t, os.Remove(filler))
	mustOK(t, s.RecordFAQMiss(ctx, "", "有空位了吗"))
	s.Close()

	// Read-only storage: the store opens to read, and a write says so.
	if out, err := exec.Command("mount", "-o", "remount,ro", mnt).CombinedOutput(); err != nil {
		t.Skipf("cannot remount read-only: %v %s", err, out)
	}
	defer exec.Command("mount", "-o", "remount,rw", mnt).Run()
	s, err = Open(ctx, dir)
	if err != nil {
		wantKey(t, err, ESTORAGE, "err.db.readonly")
		s, err = OpenReadOnly(ctx, dir)
		mustOK(t, err)
	}
	if !s.IsSetUp() {
		t.Fatal("read-only store does not read")
	}
	err = s.RecordFAQMiss(ctx, "", "有空位了吗")
	wantKey(t, err, ESTORAGE, "err.db.readonly")
}
