package app

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"anchang/data"
)

// officeCounts is a store's records, table by table.
func officeCounts(t *testing.T, s *data.Store) string {
	t.Helper()
	var b strings.Builder
	for _, table := range []string{"staff", "visits", "visitors", "visit_events", "rotation_events", "tickets", "ticket_events", "inspections", "care_revisits", "faq_entries", "outbox", "sources"} {
		n, err := s.CountRows(context.Background(), table)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s=%d ", table, n)
	}
	return b.String()
}

// Tools ▸ 打开演示案场 opens the demo office in a directory of its own: the
// real office's records are the same before and after, the menu no
// longer loads demo data into the office, and a second tap while the demo
// is open says so. The first-run screen offers it too.
func TestOpenDemoOffice(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, true, "陈思远")
	src, err := h.store.Sources(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.store.CheckIn(ctx, h.admin.ID, data.CheckInInput{Name: "王芳", Phone: "13800138000", SourceID: src[0].ID, Purpose: data.PurposeViewing, Consent: true}); err != nil {
		t.Fatal(err)
	}
	before := officeCounts(t, h.store)
	demoDir := data.DemoDir(h.dir)
	opened := 0
	// What the demo office's desk does when it starts (main.go, with
	// anchang --demo): its own directory, filled on first open.
	h.u.openDemo = func() error {
		if opened > 0 {
			return ErrDemoOpen
		}
		opened++
		lock, err := data.LockDir(demoDir)
		if err != nil {
			return err
		}
		defer lock.Unlock()
		_, err = data.CreateDemo(ctx, demoDir, data.DemoOptions{Days: 2, PerDay: 8, Seed: 1, Now: h.clk.Now})
		return err
	}
	h.signInAs("管理员")
	for _, m := range h.win.MainMenu().Items {
		for _, it := range m.Items {
			if strings.Contains(it.Label, "演示数据") {
				t.Fatalf("the menu still loads demo data into the office: %q", it.Label)
			}
		}
	}
	menuItem(t, h, "工具", "打开演示案场").Action()
	h.shows(T("demo.opening"))
	if got := officeCounts(t, h.store); got != before {
		t.Fatalf("opening the demo office changed the real one:\n%s\nwas\n%s", got, before)
	}
	if h.store.IsDemo() {
		t.Fatal("the real office is marked as a demo")
	}
	demo, err := data.OpenReadOnly(ctx, demoDir)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := demo.CountRows(ctx, "visits"); !demo.IsDemo() || n == 0 {
		t.Fatalf("the demo office: demo %v, %d visits", demo.IsDemo(), n)
	}
	demo.Close()
	findButton(t, h, T("dialog.ok")).OnTapped()
	menuItem(t, h, "工具", "打开演示案场").Action()
	h.shows(T("demo.already_open"))
	if got := officeCounts(t, h.store); got != before {
		t.Fatalf("the real office changed:\n%s\nwas\n%s", got, before)
	}

	fresh := newHarness(t, false)
	fresh.u.openDemo = func() error { opened++; return nil }
	fresh.u.showSetup()
	findButton(t, fresh, "打开演示案场").OnTapped()
	if opened != 2 || fresh.store.IsSetUp() {
		t.Fatalf("the setup screen's demo offer: opened %d, set up %v", opened, fresh.store.IsSetUp())
	}
}

// A desk on the demo office says DEMO in its title and in a banner on the
// sign-in screen (with the demo PINs) and the desk; it offers the way back
// to the real office and never another demo or HQ.
func TestDemoOfficeDesk(t *testing.T) {
	ctx := context.Background()
	SetLanguage("zh")
	dir := t.TempDir()
	now := time.Date(2026, 11, 23, 15, 0, 0, 0, officeZone)
	clk := func() time.Time { return now }
	if _, err := data.CreateDemo(ctx, dir, data.DemoOptions{Days: 2, PerDay: 8, Seed: 1, Now: clk}); err != nil {
		t.Fatal(err)
	}
	store, err := data.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	store.Now = clk
	fa := test.NewTempApp(t)
	win := fa.NewWindow("test")
	win.Resize(fyne.NewSize(1024, 768))
	left := 0
	u := New(fa, win, store, Options{Inline: true, LeaveDemo: func() { left++ },
		OpenDemo: func() error { t.Fatal("a demo office opened another"); return nil }})
	u.Start()
	h := &harness{t: t, u: u, store: store, win: win, dir: dir}
	if !strings.HasPrefix(win.Title(), "【演示】") {
		t.Fatalf("title %q", win.Title())
	}
	h.shows(T("demo.banner"), "258014", "135792", T("demo.leave"))
	h.signInAs("管理员")
	if !strings.HasPrefix(win.Title(), "【演示】") {
		t.Fatalf("title %q", win.Title())
	}
	h.shows(T("demo.banner"), T("demo.leave"))
	h.hides("258014")
	for _, m := range win.MainMenu().Items {
		for _, it := range m.Items {
			if it.Label == T("menu.demo_office") {
				t.Fatal("the demo office offers to open a demo office")
			}
		}
	}
	findButton(t, h, T("demo.leave")).OnTapped()
	menuItem(t, h, "工具", T("demo.leave")).Action()
	if left != 2 {
		t.Fatalf("leave called %d times", left)
	}
}
