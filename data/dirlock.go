package data

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// LockFileName is the lock file in the data directory that says one
// program is writing to it.
const LockFileName = "anchang.lock"

// errLocked is what lockFile returns when another process holds the lock.
var errLocked = errors.New("data directory locked by another process")

// DirLock is the hold one process has on a data directory: the desk and
// the command-line verbs that write take it; the verbs that only read
// (OpenReadOnly) run beside it. The operating system drops it when the
// process ends, however it ends.
type DirLock struct {
	f *os.File
}

// LockDir takes the data directory dir for this process (creating dir,
// 0700, if needed). Another process holding it is refused with EINUSE
// (err.db.in_use, which says so in the user's language).
func LockDir(dir string) (*DirLock, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, storageErr(fmt.Errorf("create data dir: %w", err), dir)
	}
	path := filepath.Join(dir, LockFileName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, storageErr(fmt.Errorf("lock data dir: %w", err), dir)
	}
	if err := lockFile(f); err != nil {
		f.Close()
		if errors.Is(err, errLocked) {
			return nil, &Error{Code: EINUSE, Key: "err.db.in_use", Args: map[string]any{"Dir": dir}, Err: err}
		}
		return nil, storageErr(fmt.Errorf("lock data dir: %w", err), dir)
	}
	return &DirLock{f: f}, nil
}

// Unlock lets another process have the directory.
func (l *DirLock) Unlock() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := l.f.Close() // closing the file drops the lock
	l.f = nil
	return err
}
