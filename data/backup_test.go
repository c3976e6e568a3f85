package data

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// Automatic backups: made when due, owner-only, verified, rotated; a
// restore puts the newest good one back and keeps what it replaced.
func TestBackupRotateVerifyRestore(t *testing.T) {
	ctx := context.Background()
	s, _, clk := newTestStore(t)
	fillMisses(t, s, 20)
	dir := s.Dir()
	defer func(keep int) { BackupKeep = keep }(BackupKeep)
	BackupKeep = 3

	first, err := s.AutoBackup(ctx)
	mustOK(t, err)
	if first == "" {
		t.Fatal("no backup made on a device without one")
	}
	if again, err := s.AutoBackup(ctx); err != nil || again != "" {
		t.Fatalf("second backup within a day: %q %v", again, err)
	}
	if runtime.GOOS != "windows" {
		fi, _ := os.Stat(first)
		di, _ := os.Stat(BackupDir(dir))
		if fi.Mode().Perm() != 0o600 || di.Mode().Perm() != 0o700 {
			t.Fatalf("backup %v, folder %v; want 0600 and 0700", fi.Mode().Perm(), di.Mode().Perm())
		}
	}
	v, err := VerifyBackup(ctx, first)
	mustOK(t, err)
	if v != SchemaVersion {
		t.Fatalf("backup schema %d", v)
	}
	for i := 0; i < 4; i++ {
		clk.Advance(25 * time.Hour)
		fillMisses(t, s, 1)
		p, err := s.AutoBackup(ctx)
		mustOK(t, err)
		if p == "" {
			t.Fatalf("day %d: no backup", i)
		}
	}
	have, err := ListBackups(dir)
	mustOK(t, err)
	if len(have) != 3 || !have[0].At.Equal(clk.Now().UTC().Truncate(time.Second)) {
		t.Fatalf("kept %d backups, newest %v (now %v)", len(have), have[0].At, clk.Now().UTC())
	}
	if _, err := os.Stat(first); !os.IsNotExist(err) {
		t.Fatal("the oldest backup was not rotated out")
	}

	// A damaged newest backup is passed over; the next one is restored.
	misses := countRows(t, s, "outbox")
	fillMisses(t, s, 5) // written after the last backup: lost by a restore
	s.Close()
	mustOK(t, os.WriteFile(have[0].Path, []byte("SQLite format 3\x00 but not really"), 0o600))
	_, err = VerifyBackup(ctx, have[0].Path)
	wantKey(t, err, EINVALID, "err.backup.bad")
	corruptIndex(t, filepath.Join(dir, DBFileName))
	_, err = Open(ctx, dir)
	wantCode(t, err, EDAMAGED)

	from, moved, err := Restore(ctx, dir, "")
	mustOK(t, err)
	if from != have[1].Path {
		t.Fatalf("restored %s, want %s", from, have[1].Path)
	}
	if _, err := os.Stat(moved); err != nil {
		t.Fatalf("the replaced database is not kept: %v", err)
	}
	r, err := Open(ctx, dir)
	mustOK(t, err)
	defer r.Close()
	if !r.IsSetUp() {
		t.Fatal("restored database is not set up")
	}
	if got := countRows(t, r, "outbox"); got != misses-1 {
		t.Fatalf("restored outbox has %d rows, want %d (the backup before the last)", got, misses-1)
	}
	if runtime.GOOS != "windows" {
		if fi, _ := os.Stat(filepath.Join(dir, DBFileName)); fi.Mode().Perm() != 0o600 {
			t.Fatalf("restored database is %v", fi.Mode().Perm())
		}
	}
}

// A file that is not an Anchang database, or a backup from a newer
// program, is refused and the database is left alone.
func TestRestoreRefusesBadBackups(t *testing.T) {
	ctx := context.Background()
	s, _, _ := newTestStore(t)
	dir := s.Dir()
	s.Close()
	other := filepath.Join(t.TempDir(), "other.db")
	o, err := Open(ctx, filepath.Dir(other))
	mustOK(t, err)
	_, err = o.db.Exec("PRAGMA user_version = 999")
	mustOK(t, err)
	o.Close()
	newer := filepath.Join(filepath.Dir(other), DBFileName)
	_, _, err = Restore(ctx, dir, newer)
	wantKey(t, err, ESCHEMA, "err.backup.newer")
	junk := filepath.Join(t.TempDir(), "junk.db")
	mustOK(t, os.WriteFile(junk, []byte("not a database"), 0o600))
	_, _, err = Restore(ctx, dir, junk)
	wantKey(t, err, EINVALID, "err.backup.bad")
	_, _, err = Restore(ctx, t.TempDir(), "")
	wantKey(t, err, ENOTFOUND, "err.backup.none")
	r, err := Open(ctx, dir)
	mustOK(t, err)
	defer r.Close()
	if !r.IsSetUp() {
		t.Fatal("refused restore changed the database")
	}
}
