package data

import (
	"context"
	"errors"
	"fmt"
	"time"
)

var (
	// LowDiskBytes: with less free space than this where the data
	// directory is, Maintain warns (err.db.disk_low) and makes no backup.
	LowDiskBytes uint64 = 200 << 20
	// MaintainEvery is how often the desk runs Maintain.
	MaintainEvery = time.Hour
	// MaintainCheckTimeout bounds Maintain's integrity check.
	MaintainCheckTimeout = 2 * time.Minute
)

// Maintain is the desk's periodic care of its database, run in the
// background at start and every MaintainEvery: an integrity check
// (quick_check, bounded by MaintainCheckTimeout), the free disk space, and
// an automatic backup when one is due (not on a nearly full disk). It
// returns what the user should be told, nil when all is well: a damaged
// database (EDAMAGED: writes are stopped from then on), a nearly full disk
// (ESTORAGE err.db.disk_low), or a backup that failed.
func (s *Store) Maintain(ctx context.Context) error {
	cctx, cancel := context.WithTimeout(ctx, MaintainCheckTimeout)
	err := s.CheckIntegrity(cctx)
	cancel()
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case ErrorCode(err) == EDAMAGED:
		return err
	case err != nil && !errors.Is(err, context.DeadlineExceeded):
		return err
	}
	if err := s.DiskLow(); err != nil {
		return err
	}
	if _, err := s.AutoBackup(ctx); err != nil {
		return err
	}
	return nil
}

// DiskLow warns (ESTORAGE err.db.disk_low, with the free space) when the
// disk holding the data directory has less than LowDiskBytes free.
func (s *Store) DiskLow() error {
	free, err := DiskFree(s.Dir())
	if err != nil || free >= LowDiskBytes {
		return nil
	}
	return &Error{Code: ESTORAGE, Key: "err.db.disk_low", Args: map[string]any{"Free": formatBytes(free), "Dir": s.Dir()},
		Err: fmt.Errorf("disk low: %d bytes free", free)}
}

// formatBytes is a size for people: 12.3 MB.
func formatBytes(n uint64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d KB", n>>10)
}
