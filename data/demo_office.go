package data

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"anchang/assets"
)

// The demo office lives in a data directory of its own, never in a real
// office's: CreateDemo fills an empty directory (or leaves a finished demo
// as it is) and refuses one with a real office's records. A demo database
// is marked with the device-local setting settingDemo, never synced, and can
// never be enrolled at HQ.

// DemoDirName is the demo office's data directory inside a real one's
// (DemoDir): the desk's "open a demo office" and `anchang --demo` use it.
const DemoDirName = "demo"

// settingDemo marks a demo database; its value is demoReady.
const (
	settingDemo = "demo"
	demoReady   = "ready"
)

// demoStagingName is where CreateDemo builds the demo before it moves the
// finished database into place: an interrupted build leaves only this
// directory, which the next run throws away.
const demoStagingName = ".demo-staging"

// DemoDir is the demo office's data directory for the real one in dataDir.
func DemoDir(dataDir string) string { return filepath.Join(dataDir, DemoDirName) }

// IsDemo reports whether this is a demo office's database (CreateDemo).
func (s *Store) IsDemo() bool { return s.demo.Load() }

func (s *Store) loadDemoMark(ctx context.Context) error {
	v, err := s.Setting(ctx, settingDemo, "")
	if err != nil {
		return err
	}
	s.demo.Store(v == demoReady)
	return nil
}

// DemoSignIn is a demo staff member a demo run made, and their PIN.
type DemoSignIn struct {
	Name string
	Role Role
	PIN  string
}

// demoStep, when set (tests), is called at each step of CreateDemo.
var demoStep func(step string)

func demoAt(step string) {
	if demoStep != nil {
		demoStep(step)
	}
}

// CreateDemo makes the demo office in dir, whose lock (LockDir) the caller
// holds. An empty directory (no database, or one never set up) gets the
// demo; a finished demo is left as it is (Existing, no SignIns); a
// directory with a real office's records is refused (err.demo.real_office)
// and not touched.
//
// The demo is built whole in a staging directory inside dir and moved into
// place by one rename once it is complete and marked: killed at any point,
// dir holds either what it held before or the finished demo, and a rerun
// ends in the same state as one uninterrupted run, with nothing doubled.
// opt.Now, when set, is the demo's clock (a fixed time for screenshots).
func CreateDemo(ctx context.Context, dir string, opt DemoOptions) (DemoResult, error) {
	target := filepath.Join(dir, DBFileName)
	staging := filepath.Join(dir, demoStagingName)
	if _, err := os.Stat(target); err == nil {
		res, done, err := inspectDemoTarget(ctx, dir)
		if err != nil {
			return res, err
		}
		if done { // killed after the move, perhaps: the staging goes
			if err := os.RemoveAll(staging); err != nil {
				return res, storageErr(fmt.Errorf("demo: clear staging: %w", err), dir)
			}
			return res, nil
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return DemoResult{}, storageErr(fmt.Errorf("demo: %w", err), dir)
	}
	if err := os.RemoveAll(staging); err != nil { // an interrupted run's
		return DemoResult{}, storageErr(fmt.Errorf("demo: clear staging: %w", err), dir)
	}
	demoAt("start")
	res, err := buildDemo(ctx, staging, opt)
	if err != nil {
		return res, err
	}
	demoAt("built")
	// The target was closed cleanly (or never existed): no WAL of its own
	// is left, and one left by a crash must not be replayed onto the demo.
	for _, suffix := range []string{"-wal", "-shm"} {
		if err := os.Remove(target + suffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return res, storageErr(fmt.Errorf("demo: %w", err), dir)
		}
	}
	// The PIN key first (pinkey.go): once the database is in place, the
	// key that opens its PINs is beside it.
	if err := os.Rename(filepath.Join(staging, PINKeyFileName), filepath.Join(dir, PINKeyFileName)); err != nil {
		return res, storageErr(fmt.Errorf("demo: move pin key into place: %w", err), dir)
	}
	if err := os.Rename(filepath.Join(staging, DBFileName), target); err != nil {
		return res, storageErr(fmt.Errorf("demo: move into place: %w", err), dir)
	}
	syncDir(dir)
	demoAt("moved")
	if err := os.RemoveAll(staging); err != nil {
		return res, storageErr(fmt.Errorf("demo: clear staging: %w", err), dir)
	}
	return res, nil
}

// inspectDemoTarget looks at the database already in dir: a finished demo
// (done, with its figures), an empty one (to be replaced) or a real
// office's (refused).
func inspectDemoTarget(ctx context.Context, dir string) (res DemoResult, done bool, err error) {
	s, err := Open(ctx, dir)
	if err != nil {
		return res, false, err
	}
	res, done, err = s.demoState(ctx, dir)
	if cerr := s.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("demo: %w", cerr)
	}
	return res, done, err
}

func (s *Store) demoState(ctx context.Context, dir string) (res DemoResult, done bool, err error) {
	if s.IsDemo() {
		res, err = s.demoFigures(ctx)
		res.Existing = true
		return res, true, err
	}
	real := &Error{Code: ECONFLICT, Key: "err.demo.real_office", Args: map[string]any{"Dir": dir}, Err: errors.New("demo: the directory holds a real office")}
	if s.IsSetUp() {
		return res, false, real
	}
	id, err := s.SyncIdentity(ctx)
	if err != nil {
		return res, false, err
	}
	if id.Enrolled || id.HasHistory {
		return res, false, real
	}
	return res, false, nil
}

// buildDemo makes the whole demo office in the fresh directory staging and
// closes it, checkpointed, marked as a demo.
func buildDemo(ctx context.Context, staging string, opt DemoOptions) (DemoResult, error) {
	s, err := Open(ctx, staging)
	if err != nil {
		return DemoResult{}, err
	}
	res, err := s.fillDemo(ctx, opt)
	if cerr := s.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("demo: %w", cerr)
	}
	return res, err
}

func (s *Store) fillDemo(ctx context.Context, opt DemoOptions) (DemoResult, error) {
	if opt.Now != nil {
		s.Now = opt.Now
	}
	opt.step = demoAt
	res, err := s.LoadDemo(ctx, opt)
	if err != nil {
		return res, fmt.Errorf("demo: %w", err)
	}
	if _, err := s.EnsureStarterFAQ(ctx, assets.StarterFAQ); err != nil {
		return res, fmt.Errorf("demo: %w", err)
	}
	demoAt("faq")
	if err := s.SetSetting(ctx, settingDemo, demoReady); err != nil {
		return res, err
	}
	if _, err := s.db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return res, fmt.Errorf("demo: checkpoint: %w", err)
	}
	return res, nil
}

// demoFigures counts a finished demo office's records, as CreateDemo
// reports them.
func (s *Store) demoFigures(ctx context.Context) (DemoResult, error) {
	var r DemoResult
	err := s.db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM visits), (SELECT count(*) FROM visitors),
		(SELECT count(*) FROM staff WHERE role = 'consultant'), (SELECT count(*) FROM tickets), (SELECT count(*) FROM inspections),
		COALESCE((SELECT id FROM staff WHERE role = 'admin' ORDER BY created_at LIMIT 1), '')`).
		Scan(&r.Visits, &r.Visitors, &r.Consultants, &r.Tickets, &r.Inspections, &r.AdminID)
	if err != nil {
		return r, fmt.Errorf("demo figures: %w", err)
	}
	return r, nil
}

// errDemoEnroll refuses to enrol a demo office at HQ.
func errDemoEnroll() error {
	return &Error{Code: ECONFLICT, Key: "err.demo.enrol", Err: errors.New("enroll: a demo office")}
}
