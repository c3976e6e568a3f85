package cli

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"anchang/data"
)

// --demo is the demo office's own directory inside the data directory,
// given before or after the verb; --clock is read in office time.
func TestParseDemoAndClock(t *testing.T) {
	var stderr bytes.Buffer
	for _, args := range [][]string{
		{"--data-dir", "/d", "--demo"},
		{"--demo", "--data-dir", "/d", "demo", "--days", "2"},
	} {
		cfg, err := Parse(args, &stderr)
		if err != nil || cfg.DataDir != filepath.Join("/d", data.DemoDirName) || !cfg.Demo {
			t.Fatalf("Parse(%v) = %+v, %v", args, cfg, err)
		}
	}
	cfg, _ := Parse([]string{"--demo", "demo", "--data-dir", "/e"}, &stderr)
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.Int("days", 42, "")
	if err := parseVerbFlags(fs, &cfg, cfg.Args); err != nil || cfg.DataDir != filepath.Join("/e", data.DemoDirName) {
		t.Fatalf("--data-dir after the verb with --demo: %q %v", cfg.DataDir, err)
	}
	cfg, err := Parse([]string{"--clock", "2026-11-23T15:00"}, &stderr)
	if err != nil || !cfg.Clock.Equal(time.Date(2026, 11, 23, 7, 0, 0, 0, time.UTC)) {
		t.Fatalf("--clock: %v %v", cfg.Clock, err)
	}
	if d := cfg.Now()().Sub(cfg.Clock); d < 0 || d > time.Minute {
		t.Fatalf("the clock reads %v after --clock", d)
	}
	if _, err := Parse([]string{"--clock", "3pm"}, &stderr); err == nil {
		t.Fatal("--clock 3pm accepted")
	}
	var out, errOut bytes.Buffer
	if code := Run(context.Background(), Config{DataDir: t.TempDir(), Verb: "tickets", Args: []string{"list"}, Clock: cfg.Clock}, &out, &errOut); code != 2 || !strings.Contains(errOut.String(), "--clock") {
		t.Fatalf("--clock on tickets list: %d %q", code, errOut.String())
	}
}

// demo into a directory with a real office's records is refused, in the
// user's language, and the office's records stay as they were; demo on a
// finished demo adds nothing and gives no PINs.
func TestDemoRefusesARealOffice(t *testing.T) {
	ctx := context.Background()
	t.Setenv("LC_ALL", "")
	t.Setenv("LC_MESSAGES", "")
	t.Setenv("LANG", "zh_CN.UTF-8")
	dir, s, admin := setUpStore(t)
	src, err := s.Sources(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CheckIn(ctx, admin.ID, data.CheckInInput{Name: "王芳", Phone: "13800138000", SourceID: src[0].ID, Purpose: data.PurposeViewing, Consent: true}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	before := storeCounts(t, dir)
	code, out, errs := run(t, dir, "demo", "--days", "2", "--per-day", "5")
	if code != 1 || !strings.Contains(errs, "真实案场的记录") || strings.Contains(errs, "err.demo") || strings.Contains(out, "PIN") {
		t.Fatalf("demo into a real office: %d %q %q", code, out, errs)
	}
	if got := storeCounts(t, dir); got != before {
		t.Fatalf("the real office changed: %s, was %s", got, before)
	}

	demo := filepath.Join(dir, data.DemoDirName)
	if code, out, errs := run(t, demo, "demo", "--days", "2", "--per-day", "5"); code != 0 || !strings.Contains(out, "PIN "+data.DemoAdminPIN) {
		t.Fatalf("demo into the demo directory: %d %q %q", code, out, errs)
	}
	made := storeCounts(t, demo)
	code, out, errs = run(t, demo, "demo", "--days", "2", "--per-day", "5")
	if code != 0 || !strings.Contains(out, "nothing added") || strings.Contains(out, "PIN") {
		t.Fatalf("demo again: %d %q %q", code, out, errs)
	}
	if got := storeCounts(t, demo); got != made {
		t.Fatalf("demo again changed the demo office: %s, was %s", got, made)
	}
	if got := storeCounts(t, dir); got != before {
		t.Fatalf("the real office changed: %s, was %s", got, before)
	}
}

// storeCounts is a data directory's records, table by table.
func storeCounts(t *testing.T, dir string) string {
	t.Helper()
	s, err := data.OpenReadOnly(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var b strings.Builder
	for _, table := range []string{"staff", "visits", "visitors", "visit_events", "rotation_events", "tickets", "ticket_events", "inspections", "inspection_results", "care_revisits", "care_revisit_results", "faq_entries", "outbox"} {
		n, err := s.CountRows(context.Background(), table)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s=%d ", table, n)
	}
	return b.String()
}

const envDemoVerbChild = "ANCHANG_TEST_DEMO_VERB"

// demoVerbArgs: an evening clock, so that every run makes the same records.
var demoVerbArgs = []string{"--days", "6", "--per-day", "30", "--seed", "3"}

const demoVerbClock = "2026-11-23T21:30"

// TestDemoVerbChild is TestDemoVerbKilled's child: anchang demo in a
// process of its own.
func TestDemoVerbChild(t *testing.T) {
	dir := os.Getenv(envDemoVerbChild)
	if dir == "" {
		t.Skip("the child of TestDemoVerbKilled")
	}
	clock, _ := ParseClock(demoVerbClock)
	fmt.Println("STARTED")
	os.Exit(Run(context.Background(), Config{DataDir: dir, Verb: "demo", Args: demoVerbArgs, Clock: clock}, os.Stdout, os.Stderr))
}

var pinLine = regexp.MustCompile(`sign in as (\S+) \((\w+)\) with PIN (\d+)`)

// anchang demo killed (SIGKILL) at several moments of its run, then run
// again, ends as one uninterrupted run: the same records, nothing doubled,
// and the PINs it prints are those of staff who are there and sign in
// with them.
func TestDemoVerbKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	ctx := context.Background()
	child := func(dir string) *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^TestDemoVerbChild$")
		cmd.Env = append(os.Environ(), envDemoVerbChild+"="+dir)
		return cmd
	}
	ref := t.TempDir()
	cmd := child(ref)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(stdout)
	r.ReadString('\n') // STARTED
	start := time.Now()
	rest, _ := io.ReadAll(r)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("uninterrupted run: %v\n%s", err, rest)
	}
	took := time.Since(start)
	want := storeCounts(t, ref)
	t.Logf("an uninterrupted run took %v: %s", took, want)
	for _, frac := range []float64{0.1, 0.25, 0.4, 0.55, 0.7, 0.85, 0.95} {
		dir := t.TempDir()
		cmd := child(dir)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		bufio.NewReader(stdout).ReadString('\n') // STARTED
		time.Sleep(time.Duration(frac * float64(took)))
		cmd.Process.Kill()
		cmd.Wait()
		var out, errOut bytes.Buffer
		clock, _ := ParseClock(demoVerbClock)
		if code := Run(ctx, Config{DataDir: dir, Verb: "demo", Args: demoVerbArgs, Clock: clock}, &out, &errOut); code != 0 {
			t.Fatalf("killed at %.0f%%, the rerun: %d %s", frac*100, code, errOut.String())
		}
		if got := storeCounts(t, dir); got != want {
			t.Fatalf("killed at %.0f%%, then rerun:\n%s\nwant\n%s", frac*100, got, want)
		}
		pins := pinLine.FindAllStringSubmatch(out.String(), -1)
		if strings.Contains(out.String(), "nothing added") != (len(pins) == 0) {
			t.Fatalf("killed at %.0f%%: the rerun says\n%s", frac*100, out.String())
		}
		checkPINs(t, dir, pins)
		t.Logf("killed at %.0f%%: rerun made %d sign-ins", frac*100, len(pins))
	}
}

// checkPINs signs each printed staff member in with the PIN printed.
func checkPINs(t *testing.T, dir string, pins [][]string) {
	t.Helper()
	s, err := data.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	staff, err := s.ListStaff(context.Background(), false)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pins {
		found := false
		for _, st := range staff {
			if st.Name == p[1] && string(st.Role) == p[2] {
				found = true
				if _, err := s.SignIn(context.Background(), st.ID, p[3]); err != nil {
					t.Fatalf("%s cannot sign in with the PIN printed: %v", p[1], err)
				}
			}
		}
		if !found {
			t.Fatalf("a PIN printed for %s (%s), who is not there", p[1], p[2])
		}
	}
}

// The desk starts the demo office's desk as a process of its own, with
// the real data directory and --demo, once at a time.
func TestDemoDeskStartsOnce(t *testing.T) {
	dir := t.TempDir()
	exe := filepath.Join(dir, "anchang")
	argsFile := filepath.Join(dir, "args")
	script := "#!/bin/sh\necho \"$@\" > " + argsFile + ".tmp\necho \"$" + EnvDemoFromDesk + "\" >> " + argsFile + ".tmp\nmv " + argsFile + ".tmp " + argsFile + "\nsleep 1\n"
	if err := os.WriteFile(exe, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	d := &DemoDesk{Exe: exe, Config: Config{DataDir: "/real office", Width: 1024, Height: 768}}
	if err := d.Open(); err != nil {
		t.Fatal(err)
	}
	if err := d.Open(); !errors.Is(err, ErrDemoRunning) {
		t.Fatalf("a second open while the first runs: %v", err)
	}
	var got []byte
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if b, err := os.ReadFile(argsFile); err == nil {
			got = b
			break
		}
	}
	if string(got) != "--data-dir /real office --demo --window-size 1024x768\n1\n" {
		t.Fatalf("the demo desk ran with %q", got)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		err := d.Open()
		if err == nil {
			break
		}
		if !errors.Is(err, ErrDemoRunning) || time.Now().After(deadline) {
			t.Fatalf("open once the demo desk ended: %v", err)
		}
	}
}
