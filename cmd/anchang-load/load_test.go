package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// TestMain lets the test binary be the tool's children too: the HQ child
// (serve) and the bootstrap device (bootstrap) re-run os.Executable().
func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" && len(os.Args) > 1 {
		var err error
		switch os.Args[1] {
		case "serve":
			err = serveMain(os.Args[2:])
		case "bootstrap":
			err = bootstrapMain(os.Args[2:])
		default:
			err = fmt.Errorf("unknown child verb %q", os.Args[1])
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// The tool with tiny numbers, the HQ scenarios, on SQLite and on a
// throwaway PostgreSQL cluster: it must run to the end and report every
// figure. (The device scenarios: device_test.go.)
func TestSmoke(t *testing.T) {
	out := smoke(t, "ingest,push,pull,longpoll")
	for _, backend := range []string{"sqlite", "postgres"} {
		for _, fig := range []string{"HQ ingest", "raw multi-row INSERT", "HQ ingest ÷ raw insert", "push of a batch acknowledged",
			"empty incremental pull", "HQ RSS with all waiting", "HQ goroutines", "write → all waiting devices"} {
			if !hasRow(out, backend, fig) {
				t.Errorf("no %q row for %s", fig, backend)
			}
		}
	}
	if !strings.Contains(out, "load average before:") || !strings.Contains(out, "command: anchang-load --backends sqlite,postgres") {
		t.Errorf("the header lacks the load average or the command:\n%s", out)
	}
}

// smoke runs the tool with tiny numbers and returns its table.
func smoke(t *testing.T, scenarios string) string {
	t.Helper()
	c, err := parseFlags([]string{"--scenarios", scenarios, "--devices", "2", "--batch", "10", "--batches", "2", "--pushes", "3", "--pulls", "3",
		"--waiters", "20", "--wakes", "2", "--bootstrap", "50,200", "--checkins", "2", "--nokick=false", "--dir", t.TempDir()}, os.Stderr)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var out bytes.Buffer
	if err := run(ctx, c, &out); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	t.Log("\n" + out.String())
	return out.String()
}

func hasRow(table, backend, figure string) bool {
	for _, line := range strings.Split(table, "\n") {
		cells := strings.Split(line, "|")
		if len(cells) > 4 && strings.TrimSpace(cells[2]) == backend && strings.HasPrefix(strings.TrimSpace(cells[3]), figure) &&
			strings.TrimSpace(cells[4]) != "" {
			return true
		}
	}
	return false
}

func TestFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		ok   bool
	}{
		{nil, true},
		{[]string{"--backends", "mysql"}, false},
		{[]string{"--scenarios", "ingest,nope"}, false},
		{[]string{"--batch", "501"}, false},
		{[]string{"--bootstrap", "10,x"}, false},
		{[]string{"--waiters", "0"}, false},
		{[]string{"--scenarios", "ingest", "--offices", "99"}, true},
	} {
		var sink bytes.Buffer
		c, err := parseFlags(tc.args, &sink)
		if (err == nil) != tc.ok {
			t.Errorf("%v: err %v", tc.args, err)
		}
		if err == nil && (c.Offices < 1 || c.Offices > c.Devices) {
			t.Errorf("%v: offices %d for %d devices", tc.args, c.Offices, c.Devices)
		}
	}
}
