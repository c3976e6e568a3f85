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
	"time"

	"anchang/cli/say"
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
	// Demo: --demo, the demo office (DataDir is then the demo office's
	// own directory, data.DemoDir of the data directory given).
	Demo bool
	// Clock: --clock, the time the demo office runs at (zero = now).
	Clock time.Time
}

// Usage is printed for -h and bad flags.
const Usage = `anchang — reception desk for sales offices (案场前台)

Usage:
  anchang [--data-dir DIR] [--window-size WxH]
                                           run the desktop app (window 1024x768 by default)
  anchang [--data-dir DIR] --demo [--clock TIME]
                                           open the demo office: a data directory of its own
                                           (DIR/demo), filled with demo data on first open
  anchang [--data-dir DIR] demo [flags]    fill an empty data directory with a demo office
  anchang [--data-dir DIR] faq import|export FILE | search QUERY
                                           the consultation manual (咨询应答手册): CSV/XLSX, JSON lines
  anchang [--data-dir DIR] print --list | FORM (--demo | --id RECORD) -o FILE.pdf
                                           render a printed form to PDF
  anchang [--data-dir DIR] tickets list | ledger -o FILE.xlsx | holidays FILE.json
                                           complaints, repairs and follow-ups (工单)
  anchang [--data-dir DIR] enrol --hq URL --code CODE [--fingerprint F] [--name NAME]
                                           join an office at headquarters and load its data
  anchang [--data-dir DIR] sync            one round with headquarters: push, pull, say what moved
  anchang [--data-dir DIR] pinkey show | set
                                           the office's PIN key, to give a new device of the office
  anchang [--data-dir DIR] backup [-o FILE]
                                           a verified copy of the database, beside a running desk
  anchang [--data-dir DIR] restore [--list] [FILE]
                                           put a backup back (the newest automatic one by default)

The data directory defaults to the per-user data directory (see docs),
or $ANCHANG_DATA_DIR when set. Every verb honours --data-dir and --demo.
--clock 2026-11-23T15:00 runs the demo office at that time of day (office
time; screenshots and training); a real office refuses it.
`

// Parse reads the global flags and the verb.
func Parse(args []string, stderr io.Writer) (Config, error) {
	fs := flag.NewFlagSet("anchang", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, Usage) }
	dir := fs.String("data-dir", "", "data directory")
	size := fs.String("window-size", "1024x768", "initial window size, WIDTHxHEIGHT")
	demo := fs.Bool("demo", false, "the demo office (a data directory of its own)")
	clock := fs.String("clock", "", "the demo office's time, e.g. 2026-11-23T15:00")
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	cfg := Config{DataDir: *dir, Demo: *demo}
	if *clock != "" {
		t, err := ParseClock(*clock)
		if err != nil {
			fmt.Fprintf(stderr, "anchang: --clock %q: want a date and time, e.g. 2026-11-23T15:00 (office time) or RFC 3339\n", *clock)
			return Config{}, err
		}
		cfg.Clock = t
	}
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
	if cfg.Demo {
		cfg.DataDir = data.DemoDir(cfg.DataDir)
	}
	return cfg, nil
}

// officeZone is the time zone --clock is read in when it names none.
var officeZone = func() *time.Location {
	l, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return l
}()

// ParseClock reads --clock: RFC 3339, or a date and time in office time
// (2026-11-23T15:00, 2026-11-23 15:00:05).
func ParseClock(v string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02 15:04:05"} {
		if t, err := time.ParseInLocation(layout, v, officeZone); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("bad --clock %q", v)
}

// Now is the clock the desk and the demo verb run on: the real one, or
// --clock's moment running on from the start.
func (cfg Config) Now() func() time.Time {
	if cfg.Clock.IsZero() {
		return time.Now
	}
	offset := time.Until(cfg.Clock)
	return func() time.Time { return time.Now().Add(offset) }
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
		if cfg.Demo {
			cfg.DataDir = data.DemoDir(dataDir)
		}
	}
	return fs.Parse(append([]string{"--"}, pos...))
}

// ErrUnknownVerb is returned by Run for a verb it does not know.
var ErrUnknownVerb = errors.New("unknown command")

// Run runs a verb and returns the process exit code.
func Run(ctx context.Context, cfg Config, stdout, stderr io.Writer) int {
	var err error
	if !cfg.Clock.IsZero() && cfg.Verb != "demo" && cfg.Verb != "help" {
		fmt.Fprintf(stderr, "anchang %s: --clock is for the desk and the demo command only\n", cfg.Verb)
		return 2
	}
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
	case "pinkey":
		err = pinkeyVerb(ctx, cfg, stdout, stderr)
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
			err = say.Error(err) // the store's message, in the user's language
		}
		fmt.Fprintf(stderr, "anchang %s: %v\n", cfg.Verb, err)
		return 1
	}
	return 0
}

func demo(ctx context.Context, cfg Config, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	days := fs.Int("days", DemoDefaults.Days, "days of visits, ending today")
	perDay := fs.Int("per-day", DemoDefaults.PerDay, "average visits per weekday (weekends get more)")
	seed := fs.Uint64("seed", DemoDefaults.Seed, "random seed")
	if err := parseVerbFlags(fs, &cfg, cfg.Args); err != nil {
		return err
	}
	if *days < 1 || *days > 3660 || *perDay < 1 || *perDay > 100000 {
		return fmt.Errorf("--days must be 1–3660 and --per-day 1–100000")
	}
	lock, err := data.LockDir(cfg.DataDir)
	if err != nil {
		return err
	}
	defer lock.Unlock()
	opt := data.DemoOptions{Days: *days, PerDay: *perDay, Seed: *seed}
	if !cfg.Clock.IsZero() {
		opt.Now = cfg.Now()
	}
	res, err := data.CreateDemo(ctx, cfg.DataDir, opt)
	if err != nil {
		return err
	}
	if res.Existing {
		fmt.Fprintf(stdout, "the demo office in %s is complete already: nothing added\nvisits: %d, visitors: %d, consultants: %d, tickets: %d, inspections: %d\n",
			cfg.DataDir, res.Visits, res.Visitors, res.Consultants, res.Tickets, res.Inspections)
		return nil
	}
	fmt.Fprintf(stdout, "demo office in %s\nvisits: %d, visitors: %d, consultants: %d, tickets: %d, inspections: %d\n",
		cfg.DataDir, res.Visits, res.Visitors, res.Consultants, res.Tickets, res.Inspections)
	// Only the staff this run made, each with the PIN it gave them.
	for _, si := range res.SignIns {
		fmt.Fprintf(stdout, "sign in as %s (%s) with PIN %s\n", si.Name, si.Role, si.PIN)
	}
	return nil
}
