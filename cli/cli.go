// Package cli holds the command-line side of the anchang binary: global
// flags, the data directory, and the verbs that run without a window
// (anchang demo; later faq, print). It never imports Fyne.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"

	"anchang/assets"
	"anchang/data"
)

// EnvDataDir overrides the default data directory; --data-dir overrides it.
const EnvDataDir = "ANCHANG_DATA_DIR"

// Config is what the command line asked for.
type Config struct {
	DataDir string
	Width   float32 // initial window size; 0 = default
	Height  float32
	Verb    string   // "" = run the desktop app
	Args    []string // the verb's own arguments
}

// Usage is printed for -h and bad flags.
const Usage = `anchang — reception desk for sales offices (案场前台)

Usage:
  anchang [--data-dir DIR] [--window-size WxH]
                                           run the desktop app (window 1024x768 by default)
  anchang [--data-dir DIR] demo [flags]    fill the data directory with demo data
  anchang [--data-dir DIR] faq import|export FILE | search QUERY
                                           the consultation manual (咨询应答手册): CSV/XLSX, JSON lines
  anchang [--data-dir DIR] print --list | FORM (--demo | --id RECORD) -o FILE.pdf
                                           render a printed form to PDF
  anchang [--data-dir DIR] tickets list | ledger -o FILE.xlsx | holidays FILE.json
                                           complaints, repairs and follow-ups (工单)
  anchang [--data-dir DIR] enrol --hq URL --code CODE [--fingerprint F] [--name NAME]
                                           join an office at headquarters and load its data
  anchang [--data-dir DIR] sync            one round with headquarters: push, pull, say what moved
  anchang [--data-dir DIR] backup [-o FILE]
                                           a verified copy of the database, beside a running desk
  anchang [--data-dir DIR] restore [--list] [FILE]
                                           put a backup back (the newest automatic one by default)

The data directory defaults to the per-user data directory (see docs),
or $ANCHANG_DATA_DIR when set. Every verb honours --data-dir.
`

// Parse reads the global flags and the verb.
func Parse(args []string, stderr io.Writer) (Config, error) {
	fs := flag.NewFlagSet("anchang", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, Usage) }
	dir := fs.String("data-dir", "", "data directory")
	size := fs.String("window-size", "1024x768", "initial window size, WIDTHxHEIGHT")
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	cfg := Config{DataDir: *dir}
	if _, err := fmt.Sscanf(*size, "%fx%f", &cfg.Width, &cfg.Height); err != nil || cfg.Width < 320 || cfg.Height < 240 {
		fmt.Fprintf(stderr, "anchang: --window-size %q: want WIDTHxHEIGHT, e.g. 1280x800\n", *size)
		return Config{}, fmt.Errorf("bad --window-size")
	}
	if rest := fs.Args(); len(rest) > 0 {
		cfg.Verb, cfg.Args = rest[0], rest[1:]
	}
	if cfg.DataDir == "" {
		cfg.DataDir = os.Getenv(EnvDataDir)
	}
	if cfg.DataDir == "" {
		d, err := DefaultDataDir()
		if err != nil {
			return Config{}, err
		}
		cfg.DataDir = d
	}
	return cfg, nil
}

// DefaultDataDir is the OS's per-user data directory for the app:
// $XDG_DATA_HOME/anchang or ~/.local/share/anchang on Linux,
// ~/Library/Application Support/Anchang on macOS, %LocalAppData%\Anchang on Windows.
func DefaultDataDir() (string, error) {
	switch runtime.GOOS {
	case "windows":
		if d := os.Getenv("LocalAppData"); d != "" {
			return filepath.Join(d, "Anchang"), nil
		}
	case "darwin":
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("data dir: %w", err)
		}
		return filepath.Join(home, "Library", "Application Support", "Anchang"), nil
	}
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "anchang"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("data dir: %w", err)
	}
	return filepath.Join(home, ".local", "share", "anchang"), nil
}

// parseVerbFlags parses a verb's flags wherever they stand among its
// arguments ("faq search 交房 --limit 5" as "faq search --limit 5 交房"),
// and the global --data-dir given after the verb, so no flag is taken for
// an argument and silently ignored; fs.Args() is then the positional
// arguments in order. "--" ends the flags.
func parseVerbFlags(fs *flag.FlagSet, cfg *Config, args []string) error {
	var dataDir string
	if fs.Lookup("data-dir") == nil {
		fs.StringVar(&dataDir, "data-dir", "", "data directory (as before the command)")
	}
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return err
		}
		rest := fs.Args()
		if used := len(args) - len(rest); used > 0 && args[used-1] == "--" {
			pos = append(pos, rest...)
			break
		}
		if len(rest) == 0 {
			break
		}
		pos, args = append(pos, rest[0]), rest[1:]
	}
	if dataDir != "" {
		cfg.DataDir = dataDir
	}
	return fs.Parse(append([]string{"--"}, pos...))
}

// ErrUnknownVerb is returned by Run for a verb it does not know.
var ErrUnknownVerb = errors.New("unknown command")

// Run runs a verb and returns the process exit code.
func Run(ctx context.Context, cfg Config, stdout, stderr io.Writer) int {
	var err error
	switch cfg.Verb {
	case "demo":
		err = demo(ctx, cfg, stdout, stderr)
	case "faq":
		err = faq(ctx, cfg, stdout, stderr)
	case "print":
		err = printVerb(ctx, cfg, stdout, stderr)
	case "tickets":
		err = tickets(ctx, cfg, stdout, stderr)
	case "enrol", "enroll":
		err = enrol(ctx, cfg, stdout, stderr)
	case "sync":
		err = syncVerb(ctx, cfg, stdout, stderr)
	case "backup":
		err = backupVerb(ctx, cfg, stdout, stderr)
	case "restore":
		err = restoreVerb(ctx, cfg, stdout, stderr)
	case "help":
		fmt.Fprint(stdout, Usage)
	default:
		fmt.Fprintf(stderr, "anchang: %v %q\n\n%s", ErrUnknownVerb, cfg.Verb, Usage)
		return 2
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		if _, ok := data.AsError(err); ok {
			err = explain(err) // the store's message, in the user's language
		}
		fmt.Fprintf(stderr, "anchang %s: %v\n", cfg.Verb, err)
		return 1
	}
	return 0
}

func demo(ctx context.Context, cfg Config, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	days := fs.Int("days", 42, "days of visits, ending today")
	perDay := fs.Int("per-day", 70, "average visits per weekday (weekends get more)")
	seed := fs.Uint64("seed", 1, "random seed")
	if err := parseVerbFlags(fs, &cfg, cfg.Args); err != nil {
		return err
	}
	if *days < 1 || *days > 3660 || *perDay < 1 || *perDay > 100000 {
		return fmt.Errorf("--days must be 1–3660 and --per-day 1–100000")
	}
	s, done, err := openWrite(ctx, cfg)
	if err != nil {
		return err
	}
	defer done()
	res, err := s.LoadDemo(ctx, data.DemoOptions{Days: *days, PerDay: *perDay, Seed: *seed})
	if err != nil {
		return err
	}
	if _, err := s.EnsureStarterFAQ(ctx, assets.StarterFAQ); err != nil {
		return err
	}
	_, office, _ := s.Device()
	fmt.Fprintf(stdout, "demo data in %s\noffice: %s (%s)\nvisits: %d, visitors: %d, consultants: %d, tickets: %d, inspections: %d\nsign in as 管理员 with PIN %s (receptionists 李静/张敏 and supervisor 刘主管: PIN %s)\n",
		cfg.DataDir, office.Name, office.Code, res.Visits, res.Visitors, res.Consultants, res.Tickets, res.Inspections, data.DemoAdminPIN, data.DemoStaffPIN)
	return nil
}
