package cli

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"

	"anchang/data"
)

// DemoDefaults size the demo office the desk opens and `anchang demo`
// makes by default: six weeks of visits.
var DemoDefaults = data.DemoOptions{Days: 42, PerDay: 70, Seed: 1}

// EnvDemoFromDesk is set for a demo office's desk that a real office's
// desk started: leaving it just closes its window, the real desk being
// still there.
const EnvDemoFromDesk = "ANCHANG_DEMO_FROM_DESK"

// ErrDemoRunning: the demo office's desk this launcher started still runs.
var ErrDemoRunning = errors.New("the demo office is open already")

// DemoDesk starts the demo office's desk (anchang --demo on the same data
// directory) as a process of its own: its window, its theme and its
// database are apart from the real office's, which keeps working.
type DemoDesk struct {
	Exe    string // the anchang binary; "" = this one
	Config Config // the real office's

	mu      sync.Mutex
	running bool
}

// Args are the demo desk's command line.
func (d *DemoDesk) Args() []string {
	return []string{"--data-dir", d.Config.DataDir, "--demo", "--window-size", fmt.Sprintf("%.0fx%.0f", d.Config.Width, d.Config.Height)}
}

// Open starts the demo office's desk, or says it runs already
// (ErrDemoRunning).
func (d *DemoDesk) Open() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.running {
		return ErrDemoRunning
	}
	exe := d.Exe
	if exe == "" {
		var err error
		if exe, err = os.Executable(); err != nil {
			return fmt.Errorf("demo desk: %w", err)
		}
	}
	cmd := exec.Command(exe, d.Args()...)
	cmd.Env = append(os.Environ(), EnvDemoFromDesk+"=1")
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("demo desk: %w", err)
	}
	d.running = true
	go func() {
		cmd.Wait()
		d.mu.Lock()
		d.running = false
		d.mu.Unlock()
	}()
	return nil
}

// RealDesk starts the real office's desk for a demo office's desk that
// was opened on its own (anchang --demo) and is being left. The demo's
// directory is data.DemoDir of the real one.
func RealDesk(cfg Config) error {
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("real desk: %w", err)
	}
	cmd := exec.Command(exe, "--data-dir", filepath.Dir(cfg.DataDir), "--window-size", fmt.Sprintf("%.0fx%.0f", cfg.Width, cfg.Height))
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("real desk: %w", err)
	}
	go cmd.Wait()
	return nil
}
