package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"anchang/cli/say"
	"anchang/data"
)

const backupUsage = `Usage:
  anchang backup [-o FILE]        a verified copy of the database now: into FILE, or
                                  among the automatic backups (DATA-DIR/backups, newest 7 kept)
  anchang restore --list          the automatic backups, newest first
  anchang restore [FILE]          replace the database with FILE, or with the newest
                                  automatic backup that verifies; close the desk first.
                                  The database it replaces is kept beside it, renamed.
`

// backupVerb copies the database; it only reads, so it runs beside the desk.
func backupVerb(ctx context.Context, cfg Config, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, backupUsage) }
	out := fs.String("o", "", "write the backup to FILE")
	if err := parseVerbFlags(fs, &cfg, cfg.Args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		fmt.Fprint(stderr, backupUsage)
		return errors.New("backup: no arguments (use -o FILE)")
	}
	s, err := openRead(ctx, cfg)
	if err != nil {
		return err
	}
	defer s.Close()
	path := *out
	if path != "" {
		err = s.Backup(ctx, path)
	} else {
		path, err = s.BackupNow(ctx)
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, say.Local().Say("backup.cli.made", map[string]any{"File": path}))
	return nil
}

// restoreVerb replaces the database with a backup; it holds the data
// directory, so a running desk refuses it (and it refuses a desk).
func restoreVerb(ctx context.Context, cfg Config, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, backupUsage) }
	list := fs.Bool("list", false, "list the automatic backups")
	if err := parseVerbFlags(fs, &cfg, cfg.Args); err != nil {
		return err
	}
	if fs.NArg() > 1 {
		fmt.Fprint(stderr, backupUsage)
		return errors.New("restore: at most one FILE")
	}
	if *list {
		have, err := data.ListBackups(cfg.DataDir)
		if err != nil {
			return err
		}
		for _, b := range have {
			fmt.Fprintf(stdout, "%s\t%s\t%d KB\n", b.At.Local().Format("2006-01-02 15:04:05"), b.Path, (b.Size+1023)/1024)
		}
		return nil
	}
	lock, err := data.LockDir(cfg.DataDir)
	if err != nil {
		return err
	}
	defer lock.Unlock()
	from, moved, err := data.Restore(ctx, cfg.DataDir, fs.Arg(0))
	if err != nil {
		return err
	}
	if moved == "" {
		moved = "-"
	}
	fmt.Fprintln(stdout, say.Local().Say("backup.cli.restored", map[string]any{"File": from, "Moved": moved}))
	return nil
}
