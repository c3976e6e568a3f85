package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"modernc.org/sqlite"
)

// fileURI is path as an SQLite file: URI. Every byte a URI gives a meaning
// to (?, #, %, spaces, non-ASCII) is percent-escaped, so any directory name
// works and the query that follows is never read as part of the path.
func fileURI(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	p := filepath.ToSlash(path)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // a Windows drive: file:///C:/…
	}
	return (&url.URL{Scheme: "file", Path: p}).String()
}

// dsn is DSN, opened read-only when readOnly (SQLite's mode=ro: nothing is
// created, nothing can be written).
func dsn(path string, readOnly bool) string {
	q := url.Values{}
	// busy_timeout first: journal_mode(WAL) on a new database must wait
	// for another process setting it up at the same moment.
	q.Add("_pragma", "busy_timeout(5000)")
	if !readOnly {
		q.Add("_pragma", "journal_mode(WAL)")
	}
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Set("_txlock", "immediate")
	if readOnly {
		q.Set("mode", "ro")
	}
	return fileURI(path) + "?" + q.Encode()
}

// dbFiles are the database and the files SQLite keeps beside it.
func dbFiles(path string) []string {
	return []string{path, path + "-wal", path + "-shm", path + "-journal"}
}

// ownerOnly makes the database the owner's only: it is created empty with
// mode 0600 before SQLite opens it (SQLite gives its WAL and shared-memory
// files the database's mode), and an existing database or WAL readable by
// others is narrowed to 0600. A file system without Unix modes (or a
// read-only one) is left as it is.
func ownerOnly(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	switch {
	case err == nil:
		return f.Close()
	case !errors.Is(err, fs.ErrExist) && !errors.Is(err, syscall.EROFS):
		return fmt.Errorf("create database: %w", err)
	}
	for _, p := range dbFiles(path) {
		fi, err := os.Stat(p)
		if err != nil || fi.Mode().Perm()&0o077 == 0 {
			continue
		}
		_ = os.Chmod(p, fi.Mode().Perm()&0o700) // best effort: read-only media
	}
	return nil
}

// writeOwnerOnly writes b to path as a file only its owner can read (an
// export, a backup): a new file is 0600, an existing one is narrowed to it.
func writeOwnerOnly(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if err := f.Chmod(0o600); err != nil && !errors.Is(err, errors.ErrUnsupported) {
		f.Close()
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// WriteOwnerOnly writes an export or a report to path, readable by its owner
// only (0600), whatever the directory's mode: exports hold names and phones.
// Failures come back as coded store errors (disk full, read-only).
func WriteOwnerOnly(path string, b []byte) error {
	if err := writeOwnerOnly(path, b); err != nil {
		return storageErr(fmt.Errorf("write %s: %w", filepath.Base(path), err), filepath.Dir(path))
	}
	return nil
}

// DBExists tells whether dir holds a database.
func DBExists(dir string) bool {
	fi, err := os.Stat(filepath.Join(dir, DBFileName))
	return err == nil && fi.Mode().IsRegular()
}

// OpenReadOnly opens the existing store in dir for reading only: for the
// command-line verbs that only read, beside a running desk. It never creates
// the directory or the database (a mistyped --data-dir is said so), and
// never migrates: a database older than the program is refused with a
// message to open it with the desk first.
func OpenReadOnly(ctx context.Context, dir string) (*Store, error) {
	if !DBExists(dir) {
		return nil, &Error{Code: ENOTFOUND, Key: "err.db.missing", Args: map[string]any{"Dir": dir}}
	}
	path := filepath.Join(dir, DBFileName)
	db, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	v, err := userVersion(ctx, db)
	if err != nil && (diskFull(dir) || !dirWritable(dir)) {
		// Read-only media or a full disk: SQLite cannot make the WAL's
		// shared-memory file, and nothing can write the database
		// either, so it is read as an immutable file.
		db.Close()
		if db, err = sql.Open("sqlite", dsn(path, true)+"&immutable=1"); err != nil {
			return nil, fmt.Errorf("open database: %w", err)
		}
		v, err = userVersion(ctx, db)
	}
	if err != nil {
		db.Close()
		return nil, openErr(err, dir)
	}
	db.SetMaxOpenConns(4)
	s := &Store{db: db, path: path, Now: timeNow, readOnly: true, pins: pinKeys{dir: dir}}
	if err := s.pins.load(); err != nil {
		db.Close()
		return nil, err
	}
	switch {
	case v > SchemaVersion:
		db.Close()
		return nil, &Error{Code: ESCHEMA, Key: "err.db.newer", Args: map[string]any{"Found": v, "Supported": SchemaVersion},
			Err: fmt.Errorf("database schema %d is newer than this program's %d", v, SchemaVersion)}
	case v < SchemaVersion:
		db.Close()
		return nil, &Error{Code: ESCHEMA, Key: "err.db.older", Args: map[string]any{"Found": v, "Supported": SchemaVersion},
			Err: fmt.Errorf("database schema %d is older than this program's %d", v, SchemaVersion)}
	}
	if err := s.loadDevice(ctx); err != nil {
		db.Close()
		return nil, storageErr(err, dir)
	}
	if err := s.loadDemoMark(ctx); err != nil {
		db.Close()
		return nil, storageErr(err, dir)
	}
	return s, nil
}

// ReadOnly tells whether the store was opened with OpenReadOnly.
func (s *Store) ReadOnly() bool { return s.readOnly }

// Dir is the data directory.
func (s *Store) Dir() string { return filepath.Dir(s.path) }

// openErr is storageErr for a database that would not open: SQLite says
// only that it cannot open the file, so a directory that cannot be written
// to (read-only storage, no permission) is told apart here.
func openErr(err error, dir string) error {
	err = storageErr(err, dir)
	e, ok := AsError(err)
	switch {
	case !ok || e.Code != ESTORAGE || e.Key == "err.db.full":
	case diskFull(dir):
		e.Key = "err.db.full"
	case e.Key == "err.db.cantopen" && !dirWritable(dir):
		e.Key = "err.db.readonly"
	}
	return err
}

// diskFull tells whether the disk holding dir has (next to) no space left:
// SQLite reports a full disk while opening as an I/O error.
func diskFull(dir string) bool {
	free, err := DiskFree(dir)
	return err == nil && free < 1<<20
}

// dirWritable tells whether a file can be made in dir.
func dirWritable(dir string) bool {
	f, err := os.CreateTemp(dir, ".anchang-probe-*")
	if err != nil {
		return false
	}
	f.Close()
	os.Remove(f.Name())
	return true
}

// retryBusy runs fn again while it fails with SQLITE_BUSY, for about ten
// seconds: a connection to a new database another process is turning to
// WAL at that moment can be refused at once, without the busy timeout.
func retryBusy(ctx context.Context, fn func() error) error {
	for i := 1; ; i++ {
		err := fn()
		var se *sqlite.Error
		if err == nil || i == 40 || !errors.As(err, &se) || se.Code()&0xff != sqliteBusy {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Duration(i) * 10 * time.Millisecond):
		}
	}
}

// SQLite's primary result codes the storage errors are made of.
const (
	sqliteBusy     = 5
	sqliteReadOnly = 8
	sqliteIOErr    = 10
	sqliteCorrupt  = 11
	sqliteFull     = 13
	sqliteCantOpen = 14
	sqliteNotADB   = 26
)

// storageErr turns a failure of the disk or the database file into a coded
// error whose message says what is wrong and what to do, in the user's
// language; other errors are returned as they are. dir is the data
// directory, for the message.
func storageErr(err error, dir string) error {
	if err == nil {
		return nil
	}
	if _, ok := AsError(err); ok {
		return err
	}
	code := 0
	var se *sqlite.Error
	if errors.As(err, &se) {
		code = se.Code() & 0xff
	}
	args := map[string]any{"Dir": dir}
	switch {
	case code == sqliteFull || errors.Is(err, syscall.ENOSPC):
		return &Error{Code: ESTORAGE, Key: "err.db.full", Args: args, Err: err}
	case code == sqliteReadOnly || errors.Is(err, syscall.EROFS):
		return &Error{Code: ESTORAGE, Key: "err.db.readonly", Args: args, Err: err}
	case code == sqliteCorrupt || code == sqliteNotADB:
		return &Error{Code: EDAMAGED, Key: "err.db.damaged", Args: args, Err: err}
	case code == sqliteCantOpen || errors.Is(err, fs.ErrPermission):
		return &Error{Code: ESTORAGE, Key: "err.db.cantopen", Args: args, Err: err}
	case code == sqliteIOErr:
		return &Error{Code: ESTORAGE, Key: "err.db.io", Args: args, Err: err}
	}
	return err
}
