package e2e

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"

	"anchang/sync/hq/pgtest"
)

// Device processes: a test that needs a device killed re-runs this test
// binary as a child with envChild set; the child opens the device's store,
// does real writes and syncs, and is killed (by itself at a chosen point,
// or by the test at a random time).
const (
	envChild = "ANCHANG_E2E_CHILD" // mode
	envDir   = "ANCHANG_E2E_DIR"   // the device's data directory
	envN     = "ANCHANG_E2E_N"     // how many records to write
)

func TestMain(m *testing.M) {
	if mode := os.Getenv(envChild); mode != "" {
		os.Exit(runChild(mode))
	}
	slog.SetDefault(slog.New(slog.DiscardHandler))
	code := pgtest.Main(m) // stops the PostgreSQL cluster a test started
	if hqBinDir != "" {
		os.RemoveAll(hqBinDir)
	}
	os.Exit(code)
}

func killSelf() {
	syscall.Kill(os.Getpid(), syscall.SIGKILL)
	select {}
}

func runChild(mode string) int {
	ctx := context.Background()
	d, err := OpenDevice(ctx, os.Getenv(envDir), "child", nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	if err := d.PickActor(ctx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	n, _ := strconv.Atoi(os.Getenv(envN))
	for i := 0; i < n; i++ {
		if _, err := d.CheckIn(ctx, fmt.Sprintf("1370000%04d", i), "child"); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
	}
	switch mode {
	case "push-kill": // killed once HQ answered a push, before the answer is read
		d.Faults.AfterForward = func(r *http.Request, status int) {
			if r.URL.Path == "/v1/push" && status == http.StatusOK {
				killSelf()
			}
		}
	case "pull-kill": // killed once a pull page arrived, before it is applied
		d.Faults.AfterForward = func(r *http.Request, status int) {
			if r.URL.Path == "/v1/pull" && status == http.StatusOK {
				killSelf()
			}
		}
	case "sync-loop": // writes and syncs until the test kills it
		for i := 0; ; i++ {
			if _, err := d.CheckIn(ctx, fmt.Sprintf("1360000%04d", i%10000), "loop"); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 2
			}
			d.Round(ctx)
		}
	}
	if _, err := d.Round(ctx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	return 0
}

// runDeviceChild runs a device process in dir and waits for it; killAfter
// > 0 kills it with SIGKILL that long after it started. It returns whether
// it died by SIGKILL.
func runDeviceChild(t *testing.T, mode, dir string, n int, killAfter time.Duration) bool {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envChild+"="+mode, envDir+"="+dir, envN+"="+strconv.Itoa(n))
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if killAfter > 0 {
		timer := time.AfterFunc(killAfter, func() { cmd.Process.Signal(syscall.SIGKILL) })
		defer timer.Stop()
	}
	err := cmd.Wait()
	if err == nil {
		return false
	}
	if ee, ok := err.(*exec.ExitError); ok {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
			return true
		}
	}
	t.Fatalf("device process %s: %v", mode, err)
	return false
}
