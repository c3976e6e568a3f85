// Command anchang is the reception-desk client for sales offices (案场前台).
// This file only wires the parts together: see app/ (the Fyne UI), data/
// (the local store), sync/ (HQ sync) and cli/ (the command-line verbs).
package main

import (
	"context"
	_ "embed"
	"errors"
	"flag"
	"log/slog"
	"os"
	"regexp"
	"runtime/debug"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"

	"anchang/app"
	"anchang/assets"
	"anchang/cli"
	"anchang/data"
	hqsync "anchang/sync"
)

//go:embed FyneApp.toml
var fyneAppToml string

// version is FyneApp.toml's, so `go build` and `fyne package` agree.
var version = regexp.MustCompile(`(?m)^Version = "([^"]+)"`).FindStringSubmatch(fyneAppToml)[1]

// goMemoryLimit keeps the Go heap close to what is live (about 50 MB, most
// of it the parsed CJK font) instead of letting it double between
// collections: the desk PC runs other programs too.
const goMemoryLimit = 64 << 20

func main() {
	debug.SetMemoryLimit(goMemoryLimit)
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	slog.SetDefault(logger)
	cfg, err := cli.Parse(os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		os.Exit(2)
	}
	ctx := context.Background()
	if cfg.Verb != "" {
		os.Exit(cli.Run(ctx, cfg, os.Stdout, os.Stderr))
	}

	fyneapp.SetMetadata(fyne.AppMetadata{ID: "com.anchang.desk", Name: "Anchang", Version: version, Icon: app.IconResource, Release: true})
	fa := fyneapp.NewWithID("com.anchang.desk")
	win := fa.NewWindow("案场前台")
	// One desk per data directory: a second one is told so and stops.
	lock, err := data.LockDir(cfg.DataDir)
	if err != nil {
		logger.Error("lock data dir", "dir", cfg.DataDir, "err", err)
		app.ShowFatal(fa, win, err)
		return
	}
	defer lock.Unlock()
	d := &desk{cfg: cfg, fa: fa, win: win, log: logger}
	defer d.close()
	win.Resize(fyne.NewSize(cfg.Width, cfg.Height))
	if !cfg.Demo {
		if d.start(ctx) {
			win.ShowAndRun()
		}
		return
	}
	// The demo office: its own directory, filled the first time (or
	// finished, if that was interrupted) while the window says so.
	app.ShowPreparing(fa, win)
	go func() {
		opt := cli.DemoDefaults
		if !cfg.Clock.IsZero() {
			opt.Now = cfg.Now()
		}
		_, err := data.CreateDemo(ctx, cfg.DataDir, opt)
		fyne.Do(func() {
			if err != nil {
				logger.Error("demo office", "dir", cfg.DataDir, "err", err)
				app.ShowProblem(fa, win, err)
				return
			}
			d.start(ctx)
		})
	}()
	win.ShowAndRun()
}

// desk is the running desk: its store and UI, closed when the window is.
type desk struct {
	cfg   cli.Config
	fa    fyne.App
	win   fyne.Window
	log   *slog.Logger
	store *data.Store
	ui    *app.UI
}

// start opens the store and shows the desk; false: a problem is shown
// instead.
func (d *desk) start(ctx context.Context) bool {
	cfg, logger := d.cfg, d.log
	fail := func(err error) bool {
		if d.win.Content() == nil {
			app.ShowFatal(d.fa, d.win, err)
		} else {
			app.ShowProblem(d.fa, d.win, err)
		}
		return false
	}
	store, err := data.Open(ctx, cfg.DataDir)
	if err != nil {
		logger.Error("open store", "dir", cfg.DataDir, "err", err)
		return fail(err)
	}
	d.store = store
	logger.Info("store open", "dir", cfg.DataDir, "demo", store.IsDemo())
	if !cfg.Clock.IsZero() {
		if !store.IsDemo() { // a real office's records keep real times
			return fail(&data.Error{Code: data.EINVALID, Key: "err.demo.clock"})
		}
		store.Now = cfg.Now()
	}
	if err := store.RecoverImports(ctx); err != nil { // an import a crash left unfinished
		logger.Error("roll back an unfinished import", "err", err)
	}
	if _, err := store.EnsureStarterFAQ(ctx, assets.StarterFAQ); err != nil {
		logger.Error("load starter faq", "err", err)
	}
	opts := app.Options{Logger: logger} // the desk reads the store's clock
	if store.IsDemo() {
		// No HQ: a demo office never joins one. Leaving goes back to the
		// real office: its desk is still open, or is started now.
		opts.LeaveDemo = d.win.Close
		if cfg.Demo && os.Getenv(cli.EnvDemoFromDesk) == "" {
			opts.LeaveDemo = func() {
				if err := cli.RealDesk(cfg); err != nil {
					logger.Error("start the real office's desk", "err", err)
				}
				d.win.Close()
			}
		}
	} else {
		// HQ: the UI probes and enrols through hqsync and starts the
		// background loop when the device is enrolled; closing the window
		// stops it.
		syncOpts := hqsync.Options{Logger: logger, OnStatus: func(st hqsync.Status) { d.ui.OnSyncStatus(st) }}
		opts.HQ = app.HQ{
			Probe: hqsync.Probe,
			Enroll: func(ctx context.Context, in hqsync.EnrollInput) error {
				_, err := hqsync.Enroll(ctx, store, in, syncOpts)
				return err
			},
			Start: func() app.Syncer { return app.RunLoop(hqsync.NewLoop(store, syncOpts)) },
		}
		demo := &cli.DemoDesk{Config: cfg}
		opts.OpenDemo = func() error {
			err := demo.Open()
			if errors.Is(err, cli.ErrDemoRunning) {
				return app.ErrDemoOpen
			}
			return err
		}
	}
	d.ui = app.New(d.fa, d.win, store, opts)
	d.ui.Start()
	d.ui.StartMaintenance() // integrity, automatic backups, free disk space
	return true
}

// close ends the UI and closes the store once the window has closed.
func (d *desk) close() {
	if d.ui != nil {
		d.ui.Close()
	}
	if d.store != nil {
		d.store.Close()
	}
}
