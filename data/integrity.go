package data

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// StartCheckTimeout bounds the integrity check Open runs: a database too big
// to check in that time opens unchecked (the scheduled check still runs).
var StartCheckTimeout = 5 * time.Second

// CheckIntegrity runs SQLite's quick_check. A damaged database comes back as
// EDAMAGED (err.db.damaged: what happened and the way back), and the store
// then refuses every write, so nothing more goes into the damaged file. A
// check cut short by ctx says so with ctx's error and changes nothing.
func (s *Store) CheckIntegrity(ctx context.Context) error {
	var problems []string
	rows, err := s.db.QueryContext(ctx, "PRAGMA quick_check(10)")
	if err == nil {
		for rows.Next() {
			var line string
			if err = rows.Scan(&line); err != nil {
				break
			}
			if line != "ok" {
				problems = append(problems, line)
			}
		}
		rows.Close()
		if err == nil {
			err = rows.Err()
		}
	}
	if ctx.Err() != nil {
		return fmt.Errorf("integrity check: %w", ctx.Err())
	}
	if err != nil {
		err = storageErr(fmt.Errorf("integrity check: %w", err), s.Dir())
		if ErrorCode(err) == EDAMAGED {
			s.damaged.Store(true)
		}
		return err
	}
	if len(problems) > 0 {
		s.damaged.Store(true)
		return &Error{Code: EDAMAGED, Key: "err.db.damaged", Args: map[string]any{"Dir": s.Dir()},
			Err: errors.New("quick_check: " + strings.Join(problems, "; "))}
	}
	return nil
}

// startCheck is Open's integrity check, bounded by StartCheckTimeout.
func (s *Store) startCheck(ctx context.Context) error {
	cctx, cancel := context.WithTimeout(ctx, StartCheckTimeout)
	defer cancel()
	err := s.CheckIntegrity(cctx)
	if err != nil && ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
		return nil // too big to check now; the schedule will
	}
	return err
}

// Damaged tells whether an integrity check found the database damaged.
func (s *Store) Damaged() bool { return s.damaged.Load() }

// writable refuses writes to a damaged or read-only store.
func (s *Store) writable() error {
	if s.damaged.Load() {
		return s.writableErr()
	}
	if s.readOnly && diskFull(s.Dir()) {
		return &Error{Code: ESTORAGE, Key: "err.db.full", Args: map[string]any{"Dir": s.Dir()}, Err: errors.New("store opened read-only: disk full")}
	}
	if s.readOnly {
		return &Error{Code: ESTORAGE, Key: "err.db.readonly", Args: map[string]any{"Dir": s.Dir()}, Err: errors.New("store opened read-only")}
	}
	return nil
}

// failed codes a write's failure; damage found while writing stops writes.
func (s *Store) failed(err error) error {
	err = storageErr(err, s.Dir())
	if ErrorCode(err) == EDAMAGED {
		s.damaged.Store(true)
	}
	return err
}

func (s *Store) writableErr() error {
	return &Error{Code: EDAMAGED, Key: "err.db.damaged", Args: map[string]any{"Dir": s.Dir()}, Err: errors.New("database damaged: writes stopped")}
}
