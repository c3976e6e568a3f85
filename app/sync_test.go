package app

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"anchang/data"
	hqsync "anchang/sync"
)

// fakeSync is the store's sync side over a real store: the enrolment,
// rejections and change notifications are the test's.
type fakeSync struct {
	*data.Store
	mu         sync.Mutex
	id         data.SyncIdentity
	rejections []data.Rejection
	left       int
}

func (f *fakeSync) SyncIdentity(context.Context) (data.SyncIdentity, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.id, nil
}

func (f *fakeSync) LeaveHQ(context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.left++
	f.id = data.SyncIdentity{}
	return nil
}

func (f *fakeSync) Rejections(context.Context) ([]data.Rejection, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]data.Rejection(nil), f.rejections...), nil
}

// fakeLoop is a sync loop whose status the test sets.
type fakeLoop struct {
	mu      sync.Mutex
	st      hqsync.Status
	syncs   int
	stopped bool
}

func (l *fakeLoop) SyncNow() { l.mu.Lock(); l.syncs++; l.mu.Unlock() }
func (l *fakeLoop) Status() hqsync.Status {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.st
}
func (l *fakeLoop) Stop() { l.mu.Lock(); l.stopped = true; l.mu.Unlock() }
func (l *fakeLoop) set(st hqsync.Status) {
	l.mu.Lock()
	l.st = st
	l.mu.Unlock()
}

// fakeHQ records what the screens asked of HQ.
type fakeHQ struct {
	fp      string
	probeTo []string
	probe   error
	enroll  func(ctx context.Context, in hqsync.EnrollInput) error
	enrols  []hqsync.EnrollInput
	loop    *fakeLoop
	starts  int
}

func (f *fakeHQ) hq() HQ {
	return HQ{
		Probe: func(_ context.Context, url string) (string, error) {
			f.probeTo = append(f.probeTo, url)
			return f.fp, f.probe
		},
		Enroll: func(ctx context.Context, in hqsync.EnrollInput) error {
			f.enrols = append(f.enrols, in)
			return f.enroll(ctx, in)
		},
		Start: func() Syncer { f.starts++; return f.loop },
	}
}

const testFP = "3f2a9c01d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f"

// withHQ restarts the harness's UI over the fake sync store, with HQ.
func (h *harness) withHQ(f *fakeHQ, ss *fakeSync) {
	h.t.Helper()
	ss.Store = h.store
	if f.loop == nil {
		f.loop = &fakeLoop{st: hqsync.Status{State: hqsync.StateOnline, LastSuccess: h.clk.Now()}}
	}
	h.u = New(h.u.fa, h.win, ss, Options{Inline: true, HQ: f.hq()})
	h.u.Start()
}

// fillJoin opens the join screen from setup and fills it in.
func (h *harness) fillJoin(url, code, name string) *enrolForm {
	h.t.Helper()
	test.Tap(h.u.setup.join)
	h.shows(T("sync.join.title"), T("sync.enrol.url"), T("sync.enrol.code"))
	f := h.u.join.form
	f.url.SetText(url)
	f.code.SetText(code)
	f.name.SetText(name)
	return f
}

func TestEnrolBadInputThenWrongCodeChangesNothing(t *testing.T) {
	h := newHarness(t, false)
	hq := &fakeHQ{fp: testFP, enroll: func(context.Context, hqsync.EnrollInput) error {
		return &data.Error{Code: data.EINVALID, Key: "err.sync.code_invalid"}
	}}
	h.withHQ(hq, &fakeSync{})
	f := h.fillJoin("", "", "")
	test.Tap(f.connect)
	h.shows("必填。")

	cases := []struct{ url, code, want string }{
		{"http://hq.example.com", "K7QF-93XM-2TPA", "必须以 https:// 开头"},
		{"hq.example.com:99999", "K7QF-93XM-2TPA", "总部地址格式不对"},
		{"https://user@hq.example.com", "K7QF-93XM-2TPA", "总部地址格式不对"},
		{"hq.example.com", "K7", "注册码由字母、数字和 - 组成"},
		{"hq.example.com", "K7QF_93XM", "注册码由字母、数字和 - 组成"},
		{"hq.example.com", strings.Repeat("K", 41), "太长了：最多 40 个字"},
	}
	for _, c := range cases {
		f.url.SetText(c.url)
		f.code.SetText(c.code)
		f.name.SetText("前台二号机")
		test.Tap(f.connect)
		h.shows(c.want)
	}
	if len(hq.probeTo) != 0 {
		t.Fatalf("bad input reached HQ: %v", hq.probeTo)
	}

	// Full-width input from a Chinese input method is folded.
	f.url.SetText(" ｈｑ．ｅｘａｍｐｌｅ．ｃｏｍ：８４４３／ ")
	f.code.SetText("ｋ７ｑｆ－９３ｘｍ－２ｔｐａ")
	test.Tap(f.connect)
	if len(hq.probeTo) != 1 || hq.probeTo[0] != "https://hq.example.com:8443" {
		t.Fatalf("probed %v", hq.probeTo)
	}
	h.shows("3f2a 9c01 d4e5 f607 1829 3a4b 5c6d 7e8f", "90a1 b2c3", "指纹一致，加入")
	test.Tap(f.matches)
	if len(hq.enrols) != 1 || hq.enrols[0].Code != "K7QF-93XM-2TPA" || hq.enrols[0].Fingerprint != testFP || hq.enrols[0].DeviceName != "前台二号机" {
		t.Fatalf("enrolled with %+v", hq.enrols)
	}
	h.shows("注册码不对。", "连接总部")
	if h.store.IsSetUp() || hq.starts != 0 {
		t.Fatal("a refused enrolment changed the device")
	}
	// Back to the standalone setup.
	test.Tap(f.back)
	h.shows("首次设置", "完成设置")
}

func TestEnrolFingerprintMismatchSendsNothing(t *testing.T) {
	h := newHarness(t, false)
	hq := &fakeHQ{fp: testFP, enroll: func(context.Context, hqsync.EnrollInput) error {
		t.Fatal("enrolled after the fingerprint was refused")
		return nil
	}}
	h.withHQ(hq, &fakeSync{})
	f := h.fillJoin("hq.example.com", "K7QF-93XM-2TPA", "前台二号机")
	test.Tap(f.connect)
	h.shows("证书指纹", "3f2a 9c01")
	test.Tap(f.differs)
	h.shows("指纹不一致，没有加入", "连接总部")
	h.hides("3f2a 9c01")
	if h.store.IsSetUp() {
		t.Fatal("device set up")
	}

	// A certificate that changed between the check and the enrolment.
	hq.enroll = func(context.Context, hqsync.EnrollInput) error {
		return &data.Error{Code: "forbidden", Key: "err.sync.fingerprint_mismatch"}
	}
	test.Tap(f.connect)
	test.Tap(f.matches)
	h.shows("总部的证书与核对过的指纹不一致")
	if h.store.IsSetUp() {
		t.Fatal("device set up")
	}
}

func TestEnrolHQUnreachableAndOtherRefusals(t *testing.T) {
	h := newHarness(t, false)
	hq := &fakeHQ{probe: &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}}
	h.withHQ(hq, &fakeSync{})
	f := h.fillJoin("10.0.0.9:8443", "K7QF-93XM-2TPA", "前台二号机")
	test.Tap(f.connect)
	h.shows("连不上总部")
	h.hides("指纹一致，加入")

	hq.probe = nil
	hq.fp = testFP
	for _, c := range []struct {
		err  error
		want string
	}{
		{&data.Error{Code: "update_required", Key: "err.sync.update_required"}, "总部要求先更新软件。请更新本机软件"},
		// HQ names the version this desk cannot read (docs/sync.md, "Versions a desk cannot read").
		{&data.Error{Code: "update_required", Key: "err.sync.update_required", Args: map[string]any{"Mutation": "ticket.open v2", "Schema": 13, "Have": 12}},
			"总部的 ticket.open v2 记录需要数据版本 13 以上，本机是 12。请更新本机软件"},
		{&data.Error{Code: data.ECONFLICT, Key: "err.sync.office_has_history", Args: map[string]any{"Office": "SH01"}}, "总部的案场 SH01 已经有其他设备带来的记录"},
		{context.DeadlineExceeded, "连不上总部"},
		{errors.New("boom"), "没能加入总部"},
	} {
		hq.enroll = func(context.Context, hqsync.EnrollInput) error { return c.err }
		test.Tap(f.connect)
		test.Tap(f.matches)
		h.shows(c.want)
		if h.store.IsSetUp() {
			t.Fatal("device set up")
		}
	}
}

func TestEnrolSuccessShowsProgressThenSignIn(t *testing.T) {
	h := newHarness(t, false)
	var during string
	var bar float64
	hq := &fakeHQ{fp: testFP}
	hq.enroll = func(ctx context.Context, in hqsync.EnrollInput) error {
		in.Progress(hqsync.Progress{Scope: "office:0191", Done: 50, Total: 200})
		during, bar = h.screen(), h.u.join.form.progress.Value
		// What the bootstrap brings: the office and its staff.
		admin, err := h.store.Setup(ctx, data.SetupInput{OfficeName: "上海一号案场", OfficeCode: "SH01", DeviceName: in.DeviceName, AdminName: "周敏", AdminPIN: adminPIN})
		if err != nil {
			return err
		}
		_, err = h.store.CreateStaff(ctx, admin.ID, data.StaffInput{Name: "李静", Role: data.RoleReceptionist, PIN: "135792"})
		in.Progress(hqsync.Progress{Scope: "office:0191", Done: 200, Total: 200})
		return err
	}
	ss := &fakeSync{}
	h.withHQ(hq, ss)
	ss.id = data.SyncIdentity{Enrolled: true, HQURL: "https://hq.example.com", Tag: "B"} // as the enrolment leaves it
	f := h.fillJoin("hq.example.com", "K7QF-93XM-2TPA", "前台二号机")
	test.Tap(f.connect)
	test.Tap(f.matches)
	if !strings.Contains(during, "正在接收案场记录：50 / 200 条") || bar != 0.25 {
		t.Fatalf("progress %v, screen during the bootstrap:\n%s", bar, during)
	}
	h.shows("上海一号案场", "员工登录")
	if hq.starts != 1 {
		t.Fatalf("sync loop started %d times", hq.starts)
	}
	if opts := h.u.signIn.who.Options; len(opts) != 2 || !strings.Contains(strings.Join(opts, ","), "李静") {
		t.Fatalf("sign-in offers %v", opts)
	}
	h.u.Close()
	if !hq.loop.stopped {
		t.Fatal("closing the UI left the sync loop running")
	}
}

func TestSyncIndicatorStates(t *testing.T) {
	h := newHarness(t, true)
	loop := &fakeLoop{}
	ss := &fakeSync{id: data.SyncIdentity{Enrolled: true, HQURL: "https://hq.example.com", Tag: "B"}}
	h.withHQ(&fakeHQ{loop: loop}, ss)
	h.signInAs("管理员")
	bar := h.u.shell.syncBar
	now := h.clk.Now()
	for _, c := range []struct {
		st      hqsync.Status
		want    []string
		refused bool
	}{
		{hqsync.Status{State: hqsync.StateOnline, LastSuccess: now.Add(-3 * time.Minute)}, []string{"已同步 · 3 分钟前"}, false},
		{hqsync.Status{State: hqsync.StateOnline, LastSuccess: now.Add(-20 * time.Second)}, []string{"已同步 · 刚刚"}, false},
		{hqsync.Status{State: hqsync.StateSyncing, Pending: 12}, []string{"同步中… · 12 条待传"}, false},
		{hqsync.Status{State: hqsync.StateOffline, LastSuccess: now.Add(-2 * time.Hour), Pending: 5, Rejections: 2}, []string{"离线 · 2 小时前 · 5 条待传", "2 条被拒"}, true},
		{hqsync.Status{State: hqsync.StateOffline}, []string{"离线 · 从未同步"}, false},
		{hqsync.Status{State: hqsync.StateUpdateRequired}, []string{"请更新软件"}, false},
		{hqsync.Status{State: hqsync.StateRevoked}, []string{"本机已被总部停用"}, false},
	} {
		loop.set(c.st)
		h.u.shell.tick()
		h.shows(c.want...)
		if bar.refused.Visible() != c.refused {
			t.Fatalf("%+v: refused count visible = %v", c.st, bar.refused.Visible())
		}
		if dis := c.st.State == hqsync.StateRevoked || c.st.State == hqsync.StateUpdateRequired; bar.now.Disabled() != dis {
			t.Fatalf("%+v: sync now disabled = %v", c.st, bar.now.Disabled())
		}
	}
	loop.set(hqsync.Status{State: hqsync.StateOnline})
	h.u.shell.tick()
	test.Tap(bar.now)
	if loop.syncs != 1 {
		t.Fatalf("sync now asked %d rounds", loop.syncs)
	}

	// A standalone office sees no indicator.
	h2 := newHarness(t, true)
	h2.withHQ(&fakeHQ{}, &fakeSync{})
	h2.signInAs("管理员")
	if h2.u.shell.syncBar.box.Visible() {
		t.Fatal("a standalone office shows the sync indicator")
	}
	h2.hides("已同步", "未加入总部")
}

func TestSyncRejectionsPanel(t *testing.T) {
	h := newHarness(t, true)
	loop := &fakeLoop{st: hqsync.Status{State: hqsync.StateOnline, LastSuccess: h.clk.Now().Add(-time.Minute), Rejections: 2}}
	ss := &fakeSync{id: data.SyncIdentity{Enrolled: true, HQURL: "https://hq.example.com", Tag: "B"}, rejections: []data.Rejection{
		{Seq: 42, Mutation: "visit.checkin", RecordID: "0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", Code: "forbidden", Key: "err.sync.other_office", At: h.clk.Now().Add(-time.Hour)},
		{Seq: 43, Mutation: "ticket.event", RecordID: "0193a1b2-c3d4-7e5f-8a9b-00000000beef", Code: "weird", Key: "err.sync.no_such_key", At: h.clk.Now()},
	}}
	h.withHQ(&fakeHQ{loop: loop}, ss)
	h.signInAs("李静")
	h.shows("2 条被拒")
	test.Tap(h.u.shell.syncBar.refused)
	h.shows("总部同步", "状态：已同步", "待上传的更改：0 条", "本机标识：B",
		"总部拒绝的更改（2 条）",
		"登记来访 · 2026-11-23 09:00", "原因：这条记录不属于本机所在的案场。", "记录编号 …2e3f4a5b",
		"工单事件 · 2026-11-23 10:00", "原因：总部拒绝了这项更改（weird）。", "记录编号 …0000beef")
	h.hides("err.sync", "visit.checkin")

	test.Tap(findButton(t, h, "立即同步"))
	if loop.syncs != 1 {
		t.Fatalf("sync now asked %d rounds", loop.syncs)
	}
	// A new refusal arrives while the panel is open.
	ss.mu.Lock()
	ss.rejections = append(ss.rejections, data.Rejection{Mutation: "care_revisit.result", RecordID: "x1", Key: "err.sync.payload"})
	ss.mu.Unlock()
	loop.set(hqsync.Status{State: hqsync.StateOffline, Rejections: 3, ErrKey: "err.sync.unreachable"})
	h.u.shell.tick()
	h.shows("总部拒绝的更改（3 条）", "客户回访结果", "状态：离线", "连不上总部")

	SetLanguage("en")
	h.u.showShell()
	test.Tap(h.u.shell.syncBar.refused)
	h.shows("Changes HQ refused (3)", "visitor check-in · 2026-11-23 09:00", "Why: This record does not belong to this device's office.")
}

func TestSyncSettingsLeaveKeepsData(t *testing.T) {
	h := newHarness(t, true)
	loop := &fakeLoop{st: hqsync.Status{State: hqsync.StateOnline, LastSuccess: h.clk.Now()}}
	ss := &fakeSync{id: data.SyncIdentity{Enrolled: true, HQURL: "https://hq.example.com", Tag: "B", Role: "office", Scopes: []string{"office:0191", "global"}}}
	h.withHQ(&fakeHQ{loop: loop}, ss)
	before := h.count("staff")
	h.signInAs("李静")
	h.selectTab("设置")
	h.hides("离开总部…") // admins only

	h.signInAs("管理员")
	h.selectTab("设置")
	h.shows("总部同步", "总部地址：https://hq.example.com", "本机标识：B", "案场「星河湾售楼处」的记录；总部统一资料")
	h.hides("加入总部…")
	test.Tap(findButton(t, h, "离开总部…"))
	h.shows("本机的全部记录都保留")
	test.Tap(findButton(t, h, "取消"))
	if ss.left != 0 || loop.stopped {
		t.Fatal("cancel left HQ")
	}
	test.Tap(findButton(t, h, "离开总部…"))
	test.Tap(findButton(t, h, "离开总部"))
	if ss.left != 1 || !loop.stopped {
		t.Fatalf("left %d, loop stopped %v", ss.left, loop.stopped)
	}
	h.shows("已离开总部", "本案场独立工作", "加入总部…")
	if h.u.shell.syncBar.box.Visible() {
		t.Fatal("the indicator stays after leaving")
	}
	if h.count("staff") != before || !h.store.IsSetUp() {
		t.Fatal("leaving HQ lost data")
	}
}

func TestEnrolStandaloneOfficeFromSettings(t *testing.T) {
	h := newHarness(t, true)
	ss := &fakeSync{id: data.SyncIdentity{HasHistory: true}}
	hq := &fakeHQ{fp: testFP}
	hq.enroll = func(ctx context.Context, in hqsync.EnrollInput) error {
		in.Progress(hqsync.Progress{Scope: "office:0191", Done: 10, Total: 10})
		ss.mu.Lock()
		ss.id = data.SyncIdentity{Enrolled: true, HQURL: in.HQURL, Tag: "A"}
		ss.mu.Unlock()
		return nil
	}
	h.withHQ(hq, ss)
	h.signInAs("管理员")
	h.selectTab("设置")
	h.shows("本案场独立工作")
	if h.u.shell.syncBar.box.Visible() {
		t.Fatal("indicator shown before enrolling")
	}
	test.Tap(findButton(t, h, "加入总部…"))
	h.shows("本案场至今的全部记录", "归入注册码对应的案场")
	f := h.u.shell.settings.hq.form
	if f.name.Visible() {
		t.Fatal("an enrolling office is asked for a device name")
	}
	f.url.SetText("hq.example.com")
	f.code.SetText("K7QF-93XM-2TPA")
	test.Tap(f.connect)
	test.Tap(f.differs)
	h.shows("指纹不一致")
	if len(hq.enrols) != 0 {
		t.Fatal("enrolled after a mismatch")
	}
	test.Tap(f.connect)
	test.Tap(f.matches)
	if len(hq.enrols) != 1 || hq.enrols[0].DeviceName != "前台一号机" {
		t.Fatalf("enrolled %+v", hq.enrols)
	}
	h.shows("已加入总部", "本机标识：A", "已同步")
	if hq.starts != 1 || !h.u.shell.syncBar.box.Visible() {
		t.Fatalf("loop started %d times; indicator visible %v", hq.starts, h.u.shell.syncBar.box.Visible())
	}
}

func TestSyncFingerprintGroups(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{testFP, "3f2a 9c01 d4e5 f607 1829 3a4b 5c6d 7e8f\n90a1 b2c3 d4e5 f607 1829 3a4b 5c6d 7e8f"},
		{"3f:2a:9c:01:d4", "3f2a 9c01 d4"},
	} {
		if got := groupFingerprint(c.in); got != c.want {
			t.Errorf("groupFingerprint(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
