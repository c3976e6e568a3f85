// Command anchang-load measures the sync figures of issue 9 against a real
// HQ (package sync/hq, in a child process, HTTPS on loopback) on SQLite and
// on PostgreSQL, and prints them as a table with the parameters used:
//
//   - ingest: mutations/s from several devices pushing batches, against a
//     raw multi-row INSERT of the same rows into the same database;
//   - push: the latency of one acknowledged push of a batch;
//   - pull: the latency of an empty incremental pull;
//   - longpoll: many devices waiting in long-poll pulls, HQ's memory and
//     goroutines, and how long a write takes to reach all of them;
//   - bootstrap and kiosk: a real device store (see bootstrap.go, kiosk.go).
//
// Usage: anchang-load [flags]; anchang-load -h lists them.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"anchang/sync/hq/pgtest"
)

// childEnv marks the re-executed HQ child (see hqproc.go).
const childEnv = "ANCHANG_LOAD_CHILD"

func main() {
	if len(os.Args) > 1 && os.Args[1] == "serve" {
		if err := serveMain(os.Args[2:]); err != nil {
			fmt.Fprintln(os.Stderr, "anchang-load serve:", err)
			os.Exit(1)
		}
		return
	}
	if len(os.Args) > 1 && os.Args[1] == "bootstrap" {
		if err := bootstrapMain(os.Args[2:]); err != nil {
			fmt.Fprintln(os.Stderr, "anchang-load bootstrap:", err)
			os.Exit(1)
		}
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	cfg, err := parseFlags(os.Args[1:], os.Stderr)
	if err != nil {
		os.Exit(2)
	}
	if err := run(ctx, cfg, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "anchang-load:", err)
		os.Exit(1)
	}
}

// config is every parameter of a run; the table prints them.
type config struct {
	Backends  []string
	Scenarios map[string]bool
	PGDSN     string // "" = start a throwaway cluster
	Dir       string // "" = a temporary directory
	Profile   string // directory for HQ's CPU profiles of the ingest ("" = none)

	Devices    int // ingest: concurrent devices
	Offices    int // ingest: offices they belong to (0: one each)
	Batch      int // mutations per push
	Batches    int // ingest: pushes per device
	Pushes     int // push latency: sequential pushes of one device
	Pulls      int // empty pull latency: sequential pulls
	Waiters    int // longpoll: devices waiting
	Wakes      int // longpoll: writes, each waking every waiter
	Bootstrap  []int
	CheckIns   int  // kiosk: check-ins
	NoKick     bool // kiosk: also time check-ins without Loop.Kick
	DeviceRate float64
}

var allScenarios = []string{"ingest", "push", "pull", "longpoll", "bootstrap", "kiosk"}

func parseFlags(args []string, out io.Writer) (config, error) {
	fs := flag.NewFlagSet("anchang-load", flag.ContinueOnError)
	fs.SetOutput(out)
	var c config
	backends := fs.String("backends", "sqlite,postgres", "HQ stores to measure: sqlite, postgres")
	scen := fs.String("scenarios", strings.Join(allScenarios, ","), "what to measure: "+strings.Join(allScenarios, ", "))
	boot := fs.String("bootstrap", "10000,100000", "records in the office bootstrapped, one run each")
	fs.StringVar(&c.PGDSN, "pg-dsn", "", "PostgreSQL server (a role that may CREATE DATABASE); empty: start a throwaway cluster (initdb, pg_ctl; as the postgres user when root)")
	fs.StringVar(&c.Dir, "dir", "", "working directory (databases, certificates); empty: a temporary one, removed after")
	fs.StringVar(&c.Profile, "profile", "", "write HQ's CPU profile of each ingest run to this directory (go tool pprof)")
	fs.IntVar(&c.Devices, "devices", 8, "ingest: devices pushing at once")
	fs.IntVar(&c.Offices, "offices", 0, "ingest: offices the devices belong to, in turn (0: one office per device)")
	fs.IntVar(&c.Batch, "batch", 100, "mutations per push")
	fs.IntVar(&c.Batches, "batches", 60, "ingest: pushes per device")
	fs.IntVar(&c.Pushes, "pushes", 200, "push latency: pushes by one device, one after another")
	fs.IntVar(&c.Pulls, "pulls", 500, "pull latency: empty pulls by one device, one after another")
	fs.IntVar(&c.Waiters, "waiters", 3000, "longpoll: devices waiting for changes")
	fs.IntVar(&c.Wakes, "wakes", 5, "longpoll: writes that must wake every waiting device")
	fs.IntVar(&c.CheckIns, "checkins", 50, "kiosk: check-ins timed from the kiosk to the desk's board")
	fs.BoolVar(&c.NoKick, "nokick", true, "kiosk: also time check-ins without calling Loop.Kick (the store tells the loop: data.Store.OnLocalWrite)")
	fs.Float64Var(&c.DeviceRate, "device-rate", 10000, "HQ's per-device rate limit (requests/s) during the run, raised so the limiter is not what is measured; 0: HQ's default (20/s, burst 60)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	for _, b := range strings.Split(*backends, ",") {
		if b = strings.TrimSpace(b); b != "" {
			if b != "sqlite" && b != "postgres" {
				fmt.Fprintf(out, "unknown backend %q\n", b)
				return c, fmt.Errorf("backend %q", b)
			}
			c.Backends = append(c.Backends, b)
		}
	}
	c.Scenarios = map[string]bool{}
	for _, s := range strings.Split(*scen, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		ok := false
		for _, a := range allScenarios {
			ok = ok || a == s
		}
		if !ok {
			fmt.Fprintf(out, "unknown scenario %q\n", s)
			return c, fmt.Errorf("scenario %q", s)
		}
		c.Scenarios[s] = true
	}
	for _, s := range strings.Split(*boot, ",") {
		var n int
		if _, err := fmt.Sscan(strings.TrimSpace(s), &n); err != nil || n < 1 {
			fmt.Fprintf(out, "bad --bootstrap %q\n", s)
			return c, fmt.Errorf("bootstrap %q", s)
		}
		c.Bootstrap = append(c.Bootstrap, n)
	}
	if c.Offices <= 0 || c.Offices > c.Devices {
		c.Offices = c.Devices
	}
	if c.Devices < 1 || c.Batch < 1 || c.Batch > 500 || c.Batches < 1 || c.Pushes < 1 || c.Pulls < 1 || c.Waiters < 1 || c.Wakes < 1 || c.CheckIns < 1 {
		fmt.Fprintln(out, "counts must be at least 1, and --batch at most 500")
		return c, fmt.Errorf("bad counts")
	}
	return c, nil
}

// result is one row of the table.
type result struct {
	Scenario string
	Backend  string
	Figure   string
	Value    string
	Target   string
	Pass     string // "yes", "NO" or "" (no target)
	Params   string
}

// report collects the rows.
type report struct {
	rows []result
	log  io.Writer
}

func (r *report) add(res result) {
	r.rows = append(r.rows, res)
	fmt.Fprintf(r.log, "  %-9s %-8s %-34s %s\n", res.Scenario, res.Backend, res.Figure, res.Value)
}

func pass(ok bool) string {
	if ok {
		return "yes"
	}
	return "NO"
}

func run(ctx context.Context, c config, out io.Writer) error {
	setNoFile()
	// data logs through the default logger; a store closed mid-pull at the
	// end of a scenario warns, which is no news here.
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})))
	if err := checkPayload(); err != nil {
		return err
	}
	dir := c.Dir
	if dir == "" {
		d, err := os.MkdirTemp("", "anchang-load-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		dir = d
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	rep := &report{log: os.Stderr}
	started := time.Now()
	load0 := loadAvg()
	var pg *pgtest.Cluster
	for _, backend := range c.Backends {
		if backend == "postgres" && c.PGDSN == "" && pg == nil {
			var err error
			// Durable, as a real server runs: the figures are what a real
			// HQ would see.
			if pg, err = pgtest.Start(ctx, pgtest.Options{Durable: true, Settings: []string{"shared_buffers=128MB"}}); err != nil {
				if errors.Is(err, pgtest.ErrNotInstalled) {
					return fmt.Errorf("%w, or pass --pg-dsn", err)
				}
				return err
			}
			defer pg.Stop()
		}
		b := &bench{cfg: c, backend: backend, dir: filepath.Join(dir, backend), pg: pg, rep: rep}
		if err := os.MkdirAll(b.dir, 0o755); err != nil {
			return err
		}
		if err := b.run(ctx); err != nil {
			return fmt.Errorf("%s: %w", backend, err)
		}
	}
	if c.Scenarios["bootstrap"] || c.Scenarios["kiosk"] {
		if err := deviceScenarios(ctx, c, dir, pg, rep); err != nil {
			return err
		}
	}
	printTable(out, c, rep.rows, started, load0, loadAvg())
	return nil
}

func printTable(w io.Writer, c config, rows []result, started time.Time, load0, load1 string) {
	host, _ := os.Hostname()
	fmt.Fprintf(w, "anchang-load %s  host %s  %d CPUs  %s\n", started.UTC().Format(time.RFC3339), host, runtime.NumCPU(), runtime.Version())
	fmt.Fprintf(w, "load average before: %s  after: %s  (took %s)\n", load0, load1, time.Since(started).Round(time.Second))
	fmt.Fprintf(w, "command: anchang-load --backends %s --scenarios %s --devices %d --offices %d --batch %d --batches %d --pushes %d --pulls %d --waiters %d --wakes %d --bootstrap %s --checkins %d --device-rate %g\n",
		strings.Join(c.Backends, ","), strings.Join(scenarioList(c), ","), c.Devices, c.Offices, c.Batch, c.Batches, c.Pushes, c.Pulls, c.Waiters, c.Wakes, joinInts(c.Bootstrap), c.CheckIns, c.DeviceRate)
	fmt.Fprintln(w)
	head := []string{"scenario", "store", "figure", "value", "target", "met", "parameters"}
	width := make([]int, len(head))
	cells := [][]string{head}
	for _, r := range rows {
		cells = append(cells, []string{r.Scenario, r.Backend, r.Figure, r.Value, r.Target, r.Pass, r.Params})
	}
	for _, row := range cells {
		for i, s := range row {
			width[i] = max(width[i], displayWidth(s))
		}
	}
	for n, row := range cells {
		var b strings.Builder
		b.WriteString("|")
		for i, s := range row {
			b.WriteString(" " + s + strings.Repeat(" ", width[i]-displayWidth(s)) + " |")
		}
		fmt.Fprintln(w, b.String())
		if n == 0 {
			b.Reset()
			b.WriteString("|")
			for i := range row {
				b.WriteString(strings.Repeat("-", width[i]+2) + "|")
			}
			fmt.Fprintln(w, b.String())
		}
	}
}

func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x1100 && (r <= 0x115f || r >= 0x2e80 && r <= 0xa4cf || r >= 0xac00 && r <= 0xd7a3 || r >= 0xf900 && r <= 0xfaff || r >= 0xff00 && r <= 0xff60) {
			n += 2
		} else {
			n++
		}
	}
	return n
}

func scenarioList(c config) []string {
	var s []string
	for _, a := range allScenarios {
		if c.Scenarios[a] {
			s = append(s, a)
		}
	}
	return s
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = fmt.Sprint(n)
	}
	return strings.Join(s, ",")
}

// loadAvg is /proc/loadavg's three averages.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// percentile of sorted durations (nearest rank).
func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := int(p*float64(len(s))+0.999999) - 1
	return s[min(max(i, 0), len(s)-1)]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }

func mib(b int64) string { return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20)) }
