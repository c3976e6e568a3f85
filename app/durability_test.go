package app

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"anchang/data"
)

const envKillChild = "ANCHANG_TEST_KILL_CHILD_DIR"

// envGLShots names the language of the sync screenshots to take with the
// real (GL) driver; glShots is set by sync_glshots_test.go (-tags glshots).
const envGLShots = "ANCHANG_SYNC_SHOTS"

var glShots func(lang string) int

func TestMain(m *testing.M) {
	if dir := os.Getenv(envKillChild); dir != "" {
		os.Exit(killChild(dir))
	}
	if glShots != nil && os.Getenv(envGLShots) != "" {
		os.Exit(glShots(os.Getenv(envGLShots)))
	}
	os.Exit(m.Run())
}

// killChild is the child process of TestCheckInSurvivesKill: it checks
// visitors in through the real check-in screen, one after another, and
// prints "CONFIRMED n" as soon as the screen confirms the n-th one.
func killChild(dir string) int {
	ctx := context.Background()
	store, err := data.Open(ctx, dir)
	if err != nil {
		fmt.Println("ERROR", err)
		return 1
	}
	fa := test.NewApp()
	win := fa.NewWindow("child")
	win.Resize(fyne.NewSize(1024, 768))
	u := New(fa, win, store, Options{Inline: true})
	u.Start()
	staff, err := store.ListStaff(ctx, false)
	if err != nil {
		fmt.Println("ERROR", err)
		return 1
	}
	for _, st := range staff {
		if st.Role == data.RoleReceptionist {
			u.signedIn(st)
		}
	}
	c := u.shell.checkin
	out := bufio.NewWriter(os.Stdout)
	for i := 1; ; i++ {
		test.Type(c.phone, fmt.Sprintf("139%08d", i))
		test.Type(c.name, "王")
		c.title.SetSelected(T("title.mr"))
		c.purpose.SetSelectedIndex(0)
		c.source.SetSelectedIndex(0)
		c.consent.SetChecked(true)
		test.Tap(c.submit)
		if !strings.HasPrefix(c.message.Text, "已登记") {
			fmt.Fprintln(out, "ERROR", c.message.Text)
			out.Flush()
			return 1
		}
		fmt.Fprintln(out, "CONFIRMED", i)
		out.Flush()
	}
}

// TestCheckInSurvivesKill: a check-in confirmed on screen is on disk even
// when the process is killed with SIGKILL right after the confirmation.
func TestCheckInSurvivesKill(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	dir := t.TempDir()
	ctx := context.Background()
	store, err := data.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	admin, err := store.Setup(ctx, data.SetupInput{OfficeName: "星河湾售楼处", OfficeCode: "XHW", DeviceName: "前台", AdminName: "管理员", AdminPIN: adminPIN})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.CreateStaff(ctx, admin.ID, data.StaffInput{Name: "李静", Role: data.RoleReceptionist, PIN: "135792"}); err != nil {
		t.Fatal(err)
	}
	store.Close()

	const confirmations = 25
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envKillChild+"="+dir)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = nil
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(stdout)
	last := 0
	deadline := time.AfterFunc(2*time.Minute, func() { cmd.Process.Kill() })
	defer deadline.Stop()
	for lines.Scan() {
		line := lines.Text()
		if strings.HasPrefix(line, "ERROR") {
			t.Fatalf("child: %s", line)
		}
		if n, ok := strings.CutPrefix(line, "CONFIRMED "); ok {
			last, _ = strconv.Atoi(n)
			if last == confirmations {
				// Kill at once: no chance to flush or close anything.
				if err := cmd.Process.Kill(); err != nil {
					t.Fatal(err)
				}
				break
			}
		}
	}
	cmd.Wait()
	if last != confirmations {
		t.Fatalf("child confirmed %d check-ins, want %d", last, confirmations)
	}

	store, err = data.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	for i := 1; i <= confirmations; i++ {
		r, ok, err := store.LookupPhone(ctx, fmt.Sprintf("139%08d", i))
		if err != nil || !ok || r.Visits != 1 {
			t.Fatalf("confirmed check-in %d lost after kill -9: ok=%v visits=%d err=%v", i, ok, r.Visits, err)
		}
	}
	entries, err := store.PendingOutbox(ctx, 10000)
	if err != nil {
		t.Fatal(err)
	}
	checkins := 0
	for _, e := range entries {
		if e.Mutation == data.MutVisitCheckIn {
			checkins++
		}
	}
	if checkins < confirmations {
		t.Fatalf("outbox has %d check-ins, want at least %d", checkins, confirmations)
	}
}
