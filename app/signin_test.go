package app

import (
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"anchang/data"
)

func TestSignInWithPINAndLockOut(t *testing.T) {
	h := newHarness(t, true, "陈思远")
	h.shows("星河湾售楼处", "员工登录", "请选择您的姓名")
	s := h.u.signIn
	// Only staff with a PIN are offered; a consultant without one is not.
	for _, o := range s.who.Options {
		if o == "陈思远（置业顾问）" {
			t.Fatal("a consultant without a PIN is offered for sign-in")
		}
	}
	test.Tap(s.submit)
	h.shows("请先选择您的姓名。")

	selectOption(t, s.who, "李静")
	test.Type(s.pin, "9999")
	test.Tap(s.submit)
	h.shows("PIN 码错误，还可以再试 4 次。")
	if s.pin.Text != "" {
		t.Fatal("the wrong PIN stays in the field")
	}
	for range 4 {
		test.Type(s.pin, "9999")
		test.Tap(s.submit)
	}
	h.shows("PIN 码错误次数过多，已锁定，请 5 分钟后再试。")
	test.Type(s.pin, "135792")
	test.Tap(s.submit)
	h.shows("已锁定")
	if h.u.shell != nil {
		t.Fatal("signed in while locked")
	}

	h.clk.Advance(5 * time.Minute)
	test.Type(s.pin, "135792")
	test.Tap(s.submit)
	h.shows("当前登录：李静（前台客服）")

	// Signing out returns to the sign-in screen with nothing of the session.
	test.Tap(findButton(t, h, "退出登录"))
	h.shows("员工登录")
	h.hides("当前登录")
}

// harnessOn is a desk over a store of the test's own.
func harnessOn(t *testing.T, store *data.Store, clk *clock, dir string) *harness {
	t.Helper()
	fa := test.NewTempApp(t)
	h := &harness{t: t, store: store, clk: clk, dir: dir}
	h.win = fa.NewWindow("test")
	h.win.Resize(fyne.NewSize(1024, 768))
	store.Now = clk.Now // the desk reads the store's clock
	h.u = New(fa, h.win, store, Options{Inline: true})
	h.u.Start()
	return h
}

// A PC with the office's records but not its PIN key (a database restored
// on another PC; a new device of the office) says so on the sign-in screen
// and takes the key an admin reads in Settings on a PC that has it.
func TestSignInNeedsThePINKey(t *testing.T) {
	h := newHarness(t, true)
	h.signInAs("管理员")
	h.selectTab("设置")
	h.shows("员工 PIN 密钥")
	test.Tap(findButton(t, h, "显示 PIN 密钥"))
	code, err := h.store.PINKeyCode(t.Context(), h.admin.ID)
	if err != nil {
		t.Fatal(err)
	}
	h.shows("本门店的 PIN 密钥", code)

	// The database alone, on another PC.
	dir := t.TempDir()
	if err := h.store.Backup(t.Context(), filepath.Join(dir, data.DBFileName)); err != nil {
		t.Fatal(err)
	}
	other, err := data.Open(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	other.Now = h.clk.Now
	h2 := harnessOn(t, other, h.clk, dir)
	s := h2.u.signIn
	h2.shows("这台电脑还没有本门店的 PIN 密钥", "输入本门店的 PIN 密钥")
	selectOption(t, s.who, "管理员")
	test.Type(s.pin, adminPIN)
	test.Tap(s.submit)
	h2.shows("这台电脑还没有本门店的 PIN 密钥")
	if h2.u.shell != nil {
		t.Fatal("signed in without the PIN key")
	}
	// A typo, then the key.
	test.Type(s.key.entry, "ABCD-EFGH")
	test.Tap(s.key.submit)
	h2.shows("这不是 PIN 密钥")
	s.key.entry.SetText(code)
	test.Tap(s.key.submit)
	h2.shows("PIN 密钥已设置，员工可以登录了。")
	h2.hides("输入本门店的 PIN 密钥")
	test.Type(s.pin, adminPIN)
	test.Tap(s.submit)
	h2.shows("当前登录：管理员（案场管理员）")
}

// A receptionist whose PIN is from before 6 digits were asked of the role
// signs in with it, and is asked for a longer one: later, or now.
func TestSignInShortPINAsksForALongerOne(t *testing.T) {
	h := newHarness(t, true)
	ctx := t.Context()
	// A consultant's 4-digit PIN, kept when made a receptionist.
	c, err := h.store.CreateStaff(ctx, h.admin.ID, data.StaffInput{Name: "张敏", Role: data.RoleConsultant, PIN: "4826"})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.store.UpdateStaff(ctx, h.admin.ID, c.ID, data.StaffInput{Name: c.Name, Role: data.RoleReceptionist}, true); err != nil {
		t.Fatal(err)
	}
	h.u.showSignIn()
	s := h.u.signIn
	selectOption(t, s.who, "张敏")
	test.Type(s.pin, "4826")
	test.Tap(s.submit)
	h.shows("当前登录：张敏（前台客服）", "请设置更长的 PIN", "至少需要 6 位")
	test.Tap(findButton(t, h, "以后再说"))
	h.hides("请设置更长的 PIN")

	// Next time: too short, mismatched, then a good one.
	test.Tap(findButton(t, h, "退出登录"))
	s = h.u.signIn
	selectOption(t, s.who, "张敏")
	test.Type(s.pin, "4826")
	test.Tap(s.submit)
	h.shows("请设置更长的 PIN")
	entries := findEntries(h, "新 PIN", "再次输入新 PIN")
	test.Type(entries[0], "4827")
	test.Type(entries[1], "4827")
	test.Tap(findButton(t, h, "更换 PIN"))
	h.shows("PIN 码应为 6–8 位数字。")
	entries[0].SetText("482615")
	entries[1].SetText("482616")
	test.Tap(findButton(t, h, "更换 PIN"))
	h.shows("两次输入的 PIN 码不一致。")
	entries[1].SetText("482615")
	test.Tap(findButton(t, h, "更换 PIN"))
	h.hides("请设置更长的 PIN")
	if _, err := h.store.SignIn(ctx, c.ID, "4826"); data.ErrorCode(err) != data.EINVALID {
		t.Fatalf("the old PIN after the change: %v", err)
	}
	st, err := h.store.SignIn(ctx, c.ID, "482615")
	if err != nil || st.ShortPIN {
		t.Fatalf("the new PIN: %+v %v", st, err)
	}
}

// findEntries returns the visible entries with these placeholders, in order.
func findEntries(h *harness, placeholders ...string) []*widget.Entry {
	h.t.Helper()
	var out []*widget.Entry
	for _, p := range placeholders {
		o := findVisible(h, func(o fyne.CanvasObject) bool {
			e, ok := o.(*widget.Entry)
			return ok && e.PlaceHolder == p
		})
		if o == nil {
			h.t.Fatalf("no entry %q", p)
		}
		out = append(out, o.(*widget.Entry))
	}
	return out
}
