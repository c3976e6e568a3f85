package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Automatic backups: copies of the database made online (VACUUM INTO, which
// reads a consistent snapshot while the desk goes on writing), verified by
// opening the copy and running integrity_check, kept in the data
// directory's backups folder, owner-only, the newest BackupKeep of them.
const (
	BackupDirName = "backups"
	backupPrefix  = "anchang-"
	backupSuffix  = ".db"
	backupStamp   = "20060102T150405Z"
)

var (
	// BackupEvery is how old the newest backup may get before Maintain
	// makes another.
	BackupEvery = 24 * time.Hour
	// BackupKeep is how many automatic backups are kept.
	BackupKeep = 7
)

// Backup is one backup file.
type Backup struct {
	Path string
	At   time.Time // when it was made (from its name)
	Size int64
}

// BackupDir is where dir's automatic backups go.
func BackupDir(dir string) string { return filepath.Join(dir, BackupDirName) }

// ListBackups lists the automatic backups of the data directory dir, newest
// first. A directory without any gives none and no error.
func ListBackups(dir string) ([]Backup, error) {
	entries, err := os.ReadDir(BackupDir(dir))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list backups: %w", err)
	}
	var out []Backup
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, backupPrefix) || !strings.HasSuffix(name, backupSuffix) {
			continue
		}
		at, err := time.Parse(backupStamp, strings.TrimSuffix(strings.TrimPrefix(name, backupPrefix), backupSuffix))
		if err != nil {
			continue
		}
		fi, err := e.Info()
		if err != nil || !fi.Mode().IsRegular() {
			continue
		}
		out = append(out, Backup{Path: filepath.Join(BackupDir(dir), name), At: at, Size: fi.Size()})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].At.After(out[j].At) })
	return out, nil
}

// Backup writes a verified copy of the database to dest (0600; its folder
// made 0700 if needed), through a temporary file: dest appears only once
// the copy has passed integrity_check. A damaged database is not copied.
func (s *Store) Backup(ctx context.Context, dest string) error {
	if s.damaged.Load() {
		return s.writableErr()
	}
	if err := os.MkdirAll(filepath.Dir(dest), 0o700); err != nil {
		return storageErr(fmt.Errorf("backup: %w", err), s.Dir())
	}
	tmp := dest + ".part"
	os.Remove(tmp)
	// VACUUM INTO accepts an empty file: made here, it is 0600 from birth.
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return storageErr(fmt.Errorf("backup: %w", err), s.Dir())
	}
	f.Close()
	defer os.Remove(tmp)
	if _, err := s.db.ExecContext(ctx, "VACUUM INTO ?", tmp); err != nil {
		return s.failed(fmt.Errorf("backup: %w", err))
	}
	if err := syncFile(tmp); err != nil {
		return storageErr(fmt.Errorf("backup: %w", err), s.Dir())
	}
	if _, err := VerifyBackup(ctx, tmp); err != nil {
		return err
	}
	if err := os.Rename(tmp, dest); err != nil {
		return storageErr(fmt.Errorf("backup: %w", err), s.Dir())
	}
	syncDir(filepath.Dir(dest))
	return nil
}

// AutoBackup makes an automatic backup when the newest one is older than
// BackupEvery (or there is none), and keeps the newest BackupKeep. It
// returns the new backup's path, "" when none was due.
func (s *Store) AutoBackup(ctx context.Context) (string, error) { return s.autoBackup(ctx, false) }

// BackupNow makes an automatic backup now, however recent the last one, and
// keeps the newest BackupKeep (anchang backup).
func (s *Store) BackupNow(ctx context.Context) (string, error) { return s.autoBackup(ctx, true) }

func (s *Store) autoBackup(ctx context.Context, force bool) (string, error) {
	have, err := ListBackups(s.Dir())
	if err != nil {
		return "", err
	}
	now := s.now().UTC()
	if !force && len(have) > 0 && now.Sub(have[0].At) < BackupEvery && !have[0].At.After(now) {
		return "", nil
	}
	path := filepath.Join(BackupDir(s.Dir()), backupPrefix+now.Format(backupStamp)+backupSuffix)
	if err := s.Backup(ctx, path); err != nil {
		return "", err
	}
	have, err = ListBackups(s.Dir())
	if err != nil {
		return path, err
	}
	for i, b := range have {
		if i >= BackupKeep && b.Path != path {
			os.Remove(b.Path)
		}
	}
	return path, nil
}

// VerifyBackup opens the backup at path read-only and checks it whole
// (integrity_check) and that it is an Anchang database; it returns its
// schema version. A bad file is err.backup.bad.
func VerifyBackup(ctx context.Context, path string) (int, error) {
	bad := func(err error) (int, error) {
		return 0, &Error{Code: EINVALID, Key: "err.backup.bad", Args: map[string]any{"File": path}, Err: err}
	}
	if fi, err := os.Stat(path); err != nil || !fi.Mode().IsRegular() || fi.Size() == 0 {
		return bad(fmt.Errorf("backup %s: not a file (%v)", filepath.Base(path), err))
	}
	db, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		return bad(err)
	}
	defer db.Close()
	var res string
	if err := db.QueryRowContext(ctx, "PRAGMA integrity_check(1)").Scan(&res); err != nil {
		return bad(err)
	}
	if res != "ok" {
		return bad(errors.New("integrity_check: " + res))
	}
	var n int
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name IN ('device', 'office', 'outbox')").Scan(&n); err != nil || n != 3 {
		return bad(fmt.Errorf("not an Anchang database (%d tables, %v)", n, err))
	}
	var v int
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return bad(err)
	}
	return v, nil
}

// Restore replaces the database of the data directory dir with the backup
// from ("" = the newest automatic backup that verifies). The caller holds
// the directory (LockDir): no desk may be running on it. The database it
// replaces, with its WAL, is kept beside it, renamed; its new name is
// returned. The restored database is then opened once, which brings its
// schema up to date and checks it.
func Restore(ctx context.Context, dir, from string) (restored, moved string, err error) {
	if from == "" {
		have, err := ListBackups(dir)
		if err != nil {
			return "", "", err
		}
		for _, b := range have {
			if _, err := VerifyBackup(ctx, b.Path); err == nil {
				from = b.Path
				break
			}
		}
		if from == "" {
			return "", "", &Error{Code: ENOTFOUND, Key: "err.backup.none", Args: map[string]any{"Dir": BackupDir(dir)}}
		}
	}
	v, err := VerifyBackup(ctx, from)
	if err != nil {
		return "", "", err
	}
	if v > SchemaVersion {
		return "", "", &Error{Code: ESCHEMA, Key: "err.backup.newer", Args: map[string]any{"File": from, "Found": v, "Supported": SchemaVersion}}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", "", storageErr(fmt.Errorf("restore: %w", err), dir)
	}
	path := filepath.Join(dir, DBFileName)
	tmp := path + ".restoring"
	if err := CopyFile(tmp, from); err != nil {
		os.Remove(tmp)
		return "", "", storageErr(fmt.Errorf("restore: %w", err), dir)
	}
	if DBExists(dir) {
		moved = path + ".replaced-" + time.Now().UTC().Format(backupStamp)
		for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
			if err := os.Rename(path+suffix, moved+suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
				os.Remove(tmp)
				return "", "", storageErr(fmt.Errorf("restore: set the old database aside: %w", err), dir)
			}
		}
	}
	if err := os.Rename(tmp, path); err != nil {
		return "", "", storageErr(fmt.Errorf("restore: %w", err), dir)
	}
	syncDir(dir)
	s, err := Open(ctx, dir)
	if err != nil {
		return from, moved, err
	}
	return from, moved, s.Close()
}

// CopyFile copies src to dst, readable by the owner only (0600: a
// database or backup holds names and phones), and syncs it to disk.
func CopyFile(dst, src string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// syncDir makes a rename in dir durable where the OS allows it.
func syncDir(dir string) {
	if f, err := os.Open(dir); err == nil {
		f.Sync()
		f.Close()
	}
}
