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
	store, err := data.Open(ctx, cfg.DataDir)
	if err != nil {
		logger.Error("open store", "dir", cfg.DataDir, "err", err)
		app.ShowFatal(fa, win, err)
		return
	}
	defer store.Close()
	logger.Info("store open", "dir", cfg.DataDir)
	if _, err := store.EnsureStarterFAQ(ctx, assets.StarterFAQ); err != nil {
		logger.Error("load starter faq", "err", err)
	}
	// HQ: the UI probes and enrols through hqsync and starts the background
	// loop when the device is enrolled; closing the window stops it.
	var ui *app.UI
	syncOpts := hqsync.Options{Logger: logger, OnStatus: func(st hqsync.Status) { ui.OnSyncStatus(st) }}
	hq := app.HQ{
		Probe: hqsync.Probe,
		Enroll: func(ctx context.Context, in hqsync.EnrollInput) error {
			_, err := hqsync.Enroll(ctx, store, in, syncOpts)
			return err
		},
		Start: func() app.Syncer { return app.RunLoop(hqsync.NewLoop(store, syncOpts)) },
	}
	ui = app.New(fa, win, store, app.Options{Logger: logger, HQ: hq})
	win.Resize(fyne.NewSize(cfg.Width, cfg.Height))
	ui.Start()
	ui.StartMaintenance() // integrity, automatic backups, free disk space
	win.ShowAndRun()
	ui.Close()
}
