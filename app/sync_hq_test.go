package app

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"anchang/data"
	hqsync "anchang/sync"
	"anchang/sync/hq"
	"anchang/sync/hq/hqtest"
)

// idleLoop is the real sync loop, not running: the test runs its rounds,
// so no goroutine of the loop's touches the headless UI.
type idleLoop struct{ *hqsync.Loop }

func (idleLoop) Stop() {}

// realHQ is what main.go wires, over the harness's store.
func (h *harness) realHQ() (HQ, *hqsync.Loop) {
	opts := hqsync.Options{Now: h.clk.Now}
	l := hqsync.NewLoop(h.store, opts)
	return HQ{
		Probe: hqsync.Probe,
		Enroll: func(ctx context.Context, in hqsync.EnrollInput) error {
			_, err := hqsync.Enroll(ctx, h.store, in, opts)
			return err
		},
		Start: func() Syncer { return idleLoop{l} },
	}, l
}

func (h *harness) useHQ(x HQ) {
	h.u = New(h.u.fa, h.win, h.store, Options{Inline: true, HQ: x})
	h.u.Start()
}

// An office that worked standalone enrols from Settings through the real
// screen against a real HQ and sends its history; then a new desk joins the
// office on its first run and signs in with the office's staff.
func TestEnrolThroughTheRealScreensAgainstARealHQ(t *testing.T) {
	srv := hqtest.Start(t, hq.SQLite)
	srv.AddOffice("SH01", "上海一号案场")

	// The standalone office enrols from Settings.
	a := newHarness(t, true)
	hqA, loopA := a.realHQ()
	a.useHQ(hqA)
	a.signInAs("管理员")
	a.selectTab("设置")
	test.Tap(findButton(t, a, "加入总部…"))
	f := a.u.shell.settings.hq.form
	f.url.SetText(strings.TrimPrefix(srv.URL, "https://"))
	f.code.SetText(srv.Code("SH01"))
	test.Tap(f.connect)
	a.shows(groupFingerprint(srv.Fingerprint))
	test.Tap(f.matches)
	a.shows("已加入总部", "本机标识：", "总部地址："+srv.URL)
	if id, err := a.store.SyncIdentity(t.Context()); err != nil || !id.Enrolled || id.Tag == "" {
		t.Fatalf("identity %+v, %v", id, err)
	}
	if _, err := loopA.Round(t.Context()); err != nil {
		t.Fatalf("the office's first push: %v", err)
	}

	// A new desk: HQ unreachable, then a wrong code, then the real one.
	b := newHarness(t, false)
	hqB, _ := b.realHQ()
	b.useHQ(hqB)
	jf := b.fillJoin("127.0.0.1:1", "K7QF-93XM-2TPA", "前台二号机")
	test.Tap(jf.connect)
	b.shows("连不上总部")
	jf.url.SetText(srv.URL)
	test.Tap(jf.connect)
	b.shows(groupFingerprint(srv.Fingerprint))
	test.Tap(jf.matches)
	b.shows("注册码不对")
	if b.store.IsSetUp() {
		t.Fatal("a refused code set the device up")
	}
	if id, err := b.store.SyncIdentity(t.Context()); err != nil || id.Enrolled {
		t.Fatalf("a refused code enrolled the device: %+v, %v", id, err)
	}
	jf.code.SetText(srv.Code("SH01"))
	test.Tap(jf.connect)
	test.Tap(jf.matches)
	b.shows("员工登录", "上海一号案场")
	opts := strings.Join(b.u.signIn.who.Options, ",")
	for _, name := range []string{"管理员", "李静"} {
		if !strings.Contains(opts, name) {
			t.Fatalf("sign-in offers %s, not %s", opts, name)
		}
	}
	if id, _ := b.store.SyncIdentity(t.Context()); !id.Enrolled || id.Tag == "" || id.Tag == mustTag(t, a.store) {
		t.Fatalf("the new desk's identity %+v", id)
	}

	// Another standalone office with a history of its own cannot bring it
	// into SH01, which has one now: a clear message, nothing changed.
	c := newHarness(t, true)
	hqC, _ := c.realHQ()
	c.useHQ(hqC)
	c.signInAs("管理员")
	c.selectTab("设置")
	test.Tap(findButton(t, c, "加入总部…"))
	cf := c.u.shell.settings.hq.form
	cf.url.SetText(srv.URL)
	cf.code.SetText(srv.Code("SH01"))
	test.Tap(cf.connect)
	test.Tap(cf.matches)
	c.shows("总部的案场 SH01 已经有其他设备带来的记录")
	if id, err := c.store.SyncIdentity(t.Context()); err != nil || id.Enrolled || id.OfficeCode != "XHW" {
		t.Fatalf("a refused office changed: %+v, %v", id, err)
	}
}

func mustTag(t *testing.T, st *data.Store) string {
	t.Helper()
	id, err := st.SyncIdentity(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return id.Tag
}

// A device joining with an HQ code through the join screen has no staff:
// it asks for the first admin (bad input refused in words, nobody made),
// then the admin is signed in. A second HQ device joining later gets that
// admin from HQ and goes straight to the sign-in screen.
func TestHQDeviceFirstAdminThroughTheJoinScreen(t *testing.T) {
	srv := hqtest.Start(t, hq.SQLite)
	h := newHarness(t, false)
	x, loop := h.realHQ()
	h.useHQ(x)
	jf := h.fillJoin(srv.URL, srv.HQCode(), "总部一号机")
	test.Tap(jf.connect)
	test.Tap(jf.matches)
	h.shows("设置总部管理员", "审批各案场提交的问答")
	s := h.u.firstAdmin
	if s == nil {
		t.Fatal("no first-admin screen")
	}
	staffCount := func() int {
		st, err := h.store.ListStaff(t.Context(), true)
		if err != nil {
			t.Fatal(err)
		}
		return len(st)
	}
	for _, c := range []struct{ name, pin, pin2, want string }{
		{"总部管理员", "258014", "2581", "两次输入的 PIN 码不一致。"},
		{"总部管理员", "12", "12", "PIN 码应为 6–8 位数字。"},
		{"", "258014", "258014", "必填"},
	} {
		s.name.SetText(c.name)
		s.pin.SetText(c.pin)
		s.pin2.SetText(c.pin2)
		test.Tap(s.submit)
		h.shows(c.want)
		if n := staffCount(); n != 0 {
			t.Fatalf("%+v: %d staff made", c, n)
		}
	}
	s.name.SetText("总部管理员")
	s.pin.SetText("258014")
	s.pin2.SetText("258014")
	test.Tap(s.submit)
	if h.u.user.Name != "总部管理员" || h.u.user.Role != data.RoleAdmin {
		t.Fatalf("signed in as %+v", h.u.user)
	}
	if _, err := loop.Round(t.Context()); err != nil {
		t.Fatalf("the admin's push: %v", err)
	}

	// A second HQ device: the admin arrives from HQ; sign in as usual.
	h2 := newHarness(t, false)
	x2, _ := h2.realHQ()
	h2.useHQ(x2)
	jf2 := h2.fillJoin(srv.URL, srv.HQCode(), "总部二号机")
	test.Tap(jf2.connect)
	test.Tap(jf2.matches)
	h2.shows("员工登录")
	if h2.u.firstAdmin != nil || !strings.Contains(strings.Join(h2.u.signIn.who.Options, ","), "总部管理员") {
		t.Fatalf("second HQ device: sign-in offers %v", h2.u.signIn.who.Options)
	}
}
