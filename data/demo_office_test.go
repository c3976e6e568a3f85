package data

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"anchang/assets"
)

// demoTestNow is the clock of the demo tests: a Monday evening after
// office hours, so nothing of the day is still to come and two runs make
// the same records.
var demoTestNow = time.Date(2026, 11, 23, 21, 30, 0, 0, shanghai)

var demoTestOpt = DemoOptions{Days: 3, PerDay: 12, Seed: 11, Now: func() time.Time { return demoTestNow }}

// demoCountTables are compared between demo runs.
var demoCountTables = []string{"staff", "sources", "visitors", "visits", "visit_events", "rotation_events", "tickets", "ticket_events",
	"inspections", "inspection_results", "inspection_completions", "care_revisits", "care_revisit_results", "faq_entries", "faq_versions", "outbox", "blobs", "settings", "device", "office"}

// demoCounts describes a data directory's database: its tables' rows, the
// staff by name and role, and the demo mark.
func demoCounts(t *testing.T, dir string) string {
	t.Helper()
	s, err := Open(context.Background(), dir)
	mustOK(t, err)
	defer s.Close()
	var b strings.Builder
	for _, table := range demoCountTables {
		var n int
		mustOK(t, s.db.QueryRow("SELECT count(*) FROM "+table).Scan(&n))
		fmt.Fprintf(&b, "%s=%d ", table, n)
	}
	rows, err := s.db.Query(`SELECT name, role FROM staff ORDER BY name, role`)
	mustOK(t, err)
	defer rows.Close()
	for rows.Next() {
		var name, role string
		mustOK(t, rows.Scan(&name, &role))
		fmt.Fprintf(&b, "%s/%s ", name, role)
	}
	fmt.Fprintf(&b, "demo=%v", s.IsDemo())
	return b.String()
}

// CreateDemo makes a marked demo office in an empty directory; a second
// run adds nothing and makes no staff; its admin signs in.
func TestCreateDemo(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	res, err := CreateDemo(ctx, dir, demoTestOpt)
	mustOK(t, err)
	if res.Existing || res.Visits == 0 || len(res.SignIns) != 4 || res.SignIns[0].PIN != DemoAdminPIN {
		t.Fatalf("first run %+v", res)
	}
	first := demoCounts(t, dir)
	if !strings.HasSuffix(first, "demo=true") {
		t.Fatalf("not marked as a demo: %s", first)
	}
	if _, err := os.Stat(filepath.Join(dir, demoStagingName)); !os.IsNotExist(err) {
		t.Fatalf("staging left behind: %v", err)
	}
	again, err := CreateDemo(ctx, dir, demoTestOpt)
	mustOK(t, err)
	if !again.Existing || len(again.SignIns) != 0 || again.Visits != res.Visits || again.Tickets != res.Tickets || again.Inspections != res.Inspections {
		t.Fatalf("second run %+v, first %+v", again, res)
	}
	if got := demoCounts(t, dir); got != first {
		t.Fatalf("a second run changed the demo:\n%s\nwas\n%s", got, first)
	}
	s, err := Open(ctx, dir)
	mustOK(t, err)
	defer s.Close()
	for _, si := range res.SignIns {
		var id string
		mustOK(t, s.db.QueryRow(`SELECT id FROM staff WHERE name = ? AND role = ?`, si.Name, si.Role).Scan(&id))
		if _, err := s.SignIn(ctx, id, si.PIN); err != nil {
			t.Fatalf("%s with PIN %s: %v", si.Name, si.PIN, err)
		}
	}
}

// An empty database (opened, never set up) becomes the demo; a real
// office, set up with or without visits, or enrolled, is refused and left
// exactly as it was.
func TestCreateDemoRefusesARealOffice(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	empty := t.TempDir()
	s, err := Open(ctx, empty)
	mustOK(t, err)
	_, err = s.EnsureStarterFAQ(ctx, assets.StarterFAQ)
	mustOK(t, err)
	s.Close()
	if _, err := CreateDemo(ctx, empty, demoTestOpt); err != nil {
		t.Fatalf("an empty database: %v", err)
	}

	for _, withVisit := range []bool{false, true} {
		dir := t.TempDir()
		s, admin, _ := newTestStoreIn(t, dir)
		if withVisit {
			src, err := s.Sources(ctx)
			mustOK(t, err)
			_, err = s.CheckIn(ctx, admin.ID, CheckInInput{Name: "王芳", Phone: "13800138000", SourceID: src[0].ID, Purpose: PurposeViewing, Consent: true})
			mustOK(t, err)
		}
		mustOK(t, s.Close())
		before := demoCounts(t, dir)
		_, err := CreateDemo(ctx, dir, demoTestOpt)
		if e, ok := AsError(err); !ok || e.Key != "err.demo.real_office" {
			t.Fatalf("visit %v: CreateDemo into a real office: %v", withVisit, err)
		}
		if got := demoCounts(t, dir); got != before {
			t.Fatalf("visit %v: the real office changed:\n%s\nwas\n%s", withVisit, got, before)
		}
		if _, err := os.Stat(filepath.Join(dir, demoStagingName)); !os.IsNotExist(err) {
			t.Fatalf("staging made for a refused run: %v", err)
		}
	}
}

// A demo office never enrolls at HQ; a real one still can.
func TestDemoNeverEnrolls(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	_, err := CreateDemo(ctx, dir, demoTestOpt)
	mustOK(t, err)
	s, err := Open(ctx, dir)
	mustOK(t, err)
	defer s.Close()
	id, err := s.SyncIdentity(ctx)
	mustOK(t, err)
	if !id.Demo {
		t.Fatal("SyncIdentity does not say demo")
	}
	before := demoCounts(t, dir)
	err = s.Enroll(ctx, Enrollment{HQURL: "https://hq.example:8443", HQID: newID(), DeviceID: id.DeviceID, OfficeID: newID(), OfficeCode: "SH01",
		OfficeName: "上海一号案场", Role: SyncRoleOffice, Secret: "s3cret", Scopes: []string{"office"}})
	if e, ok := AsError(err); !ok || e.Key != "err.demo.enrol" {
		t.Fatalf("enrolling a demo office: %v", err)
	}
	if id, _ := s.SyncIdentity(ctx); id.Enrolled || id.HQURL != "" {
		t.Fatalf("the demo office is enrolled: %+v", id)
	}
	if got := demoCounts(t, dir); got != before {
		t.Fatalf("a refused enrolment changed the demo:\n%s\nwas\n%s", got, before)
	}
}

const envDemoChild = "ANCHANG_TEST_DEMO_CHILD"

// TestCreateDemoKillChild is TestCreateDemoKilled's child: it makes the
// demo office and, at the step named, says so and waits to be killed.
func TestCreateDemoKillChild(t *testing.T) {
	arg := os.Getenv(envDemoChild)
	if arg == "" {
		t.Skip("the child of TestCreateDemoKilled")
	}
	dir, stepName, _ := strings.Cut(arg, "|")
	demoStep = func(step string) {
		if step == stepName {
			fmt.Println("AT", step)
			select {}
		}
	}
	_, err := CreateDemo(context.Background(), dir, demoTestOpt)
	fmt.Println("RETURNED", err)
}

// `demo` killed (SIGKILL) at any step leaves the directory as it was or
// the finished demo, and a rerun ends exactly as one uninterrupted run:
// nothing doubled, every staff member there, and PINs given only for the
// staff the rerun made.
func TestCreateDemoKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	t.Parallel()
	ctx := context.Background()
	ref := t.TempDir()
	_, err := CreateDemo(ctx, ref, demoTestOpt)
	mustOK(t, err)
	want := demoCounts(t, ref)
	for _, step := range []string{"start", "setup", "consultants", "staff", "days", "visits", "tickets", "inspections", "care", "faq", "built", "moved"} {
		t.Run(step, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			cmd := exec.Command(os.Args[0], "-test.run=^TestCreateDemoKillChild$", "-test.v")
			cmd.Env = append(os.Environ(), envDemoChild+"="+dir+"|"+step)
			out, err := cmd.StdoutPipe()
			mustOK(t, err)
			mustOK(t, cmd.Start())
			sc := bufio.NewScanner(out)
			reached := false
			for sc.Scan() {
				if strings.HasPrefix(sc.Text(), "AT "+step) {
					reached = true
					cmd.Process.Kill() // SIGKILL: no deferred close, no clean shutdown
					break
				}
				if strings.HasPrefix(sc.Text(), "RETURNED") || strings.HasPrefix(sc.Text(), "--- FAIL") {
					break
				}
			}
			cmd.Process.Kill()
			cmd.Wait()
			if !reached {
				t.Fatalf("the child never reached step %s", step)
			}
			res, err := CreateDemo(ctx, dir, demoTestOpt)
			mustOK(t, err)
			if got := demoCounts(t, dir); got != want {
				t.Fatalf("killed at %s, then rerun:\n%s\nwant\n%s", step, got, want)
			}
			// Killed once the demo was in place: the rerun finds it whole
			// and gives no PINs; before that, it made every staff member.
			if step == "moved" {
				if !res.Existing || len(res.SignIns) != 0 {
					t.Fatalf("rerun after the move: %+v", res)
				}
				if _, err := os.Stat(filepath.Join(dir, demoStagingName)); !os.IsNotExist(err) {
					t.Fatalf("staging left behind: %v", err)
				}
				return
			}
			if res.Existing || len(res.SignIns) != 4 {
				t.Fatalf("rerun after a kill at %s: %+v", step, res)
			}
		})
	}
}
