package cli

import (
	"context"

	"anchang/data"
)

// openWrite takes the data directory for a verb that writes and opens
// (creating if needed) its store; done closes it and lets go. A desk
// running on the same directory refuses it (err.db.in_use), and while the
// verb runs a desk refuses to start.
func openWrite(ctx context.Context, cfg Config) (s *data.Store, done func(), err error) {
	lock, err := data.LockDir(cfg.DataDir)
	if err != nil {
		return nil, nil, err
	}
	s, err = data.Open(ctx, cfg.DataDir)
	if err == nil {
		// An import a killed desk or verb left unfinished is rolled back
		// (only the directory's holder may).
		if err = s.RecoverImports(ctx); err != nil {
			s.Close()
		}
	}
	if err != nil {
		lock.Unlock()
		return nil, nil, err
	}
	return s, func() { s.Close(); lock.Unlock() }, nil
}

// openRead opens the existing store for a verb that only reads: beside a
// running desk, and never creating anything (a mistyped --data-dir says so).
func openRead(ctx context.Context, cfg Config) (*data.Store, error) {
	return data.OpenReadOnly(ctx, cfg.DataDir)
}
