// Command anchang is the reception-desk client for sales offices (案场前台).
// This file only wires the parts together: see app/ (the Fyne UI), data/
// (the local store) and cli/ (the command-line verbs).
package main

import (
	"context"
	"errors"
	"flag"
	"log/slog"
	"os"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"

	"anchang/app"
	"anchang/cli"
	"anchang/data"
)

func main() {
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

	fa := fyneapp.NewWithID("com.anchang.desk")
	win := fa.NewWindow("案场前台")
	store, err := data.Open(ctx, cfg.DataDir)
	if err != nil {
		logger.Error("open store", "dir", cfg.DataDir, "err", err)
		app.ShowFatal(fa, win, err)
		return
	}
	defer store.Close()
	logger.Info("store open", "dir", cfg.DataDir)
	ui := app.New(fa, win, store, app.Options{Logger: logger})
	win.Resize(fyne.NewSize(1280, 800))
	ui.Start()
	win.ShowAndRun()
	ui.Stop()
}
