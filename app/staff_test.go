package app

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"anchang/data"
)

func TestStaffScreenAddsAndEditsStaff(t *testing.T) {
	h := newHarness(t, true)
	h.signInAs("管理员")
	h.selectTab("员工")
	s := h.u.shell.staff
	h.shows("新增员工", "李静", "前台客服")

	// A receptionist needs a PIN.
	test.Type(s.name, "张敏")
	selectOption(t, s.role, "前台客服")
	test.Tap(s.save)
	h.shows("除置业顾问外，员工必须设置 PIN 码。")
	test.Type(s.pin, "123")
	test.Tap(s.save)
	h.shows("PIN 码应为 6–8 位数字。")
	s.pin.SetText("482615")
	test.Tap(s.save)
	h.shows("已保存：张敏")

	// A consultant without a PIN is fine.
	test.Type(s.name, "陈思远")
	selectOption(t, s.role, "置业顾问")
	test.Tap(s.save)
	h.shows("已保存：陈思远", "在职 · 无 PIN")

	// Deactivate 李静: she disappears from the sign-in list.
	for i, st := range s.staff {
		if st.Name == "李静" {
			s.list.Select(i)
		}
	}
	h.shows("编辑：李静")
	tapCheck(s.active)
	test.Tap(s.save)
	h.shows("已停用")
	if _, err := h.store.SignIn(t.Context(), h.staffID("李静"), "135792"); data.ErrorCode(err) != data.EFORBIDDEN {
		t.Fatalf("deactivated staff signed in: %v", err)
	}

	// The admin cannot demote themself.
	for i, st := range s.staff {
		if st.Name == "管理员" {
			s.list.Select(i)
		}
	}
	selectOption(t, s.role, "前台客服")
	test.Tap(s.save)
	h.shows("不能取消自己的管理员角色或停用自己。")
}

func TestSettingsAddsSourceChannel(t *testing.T) {
	h := newHarness(t, true)
	h.signInAs("管理员")
	h.selectTab("设置")
	s := h.u.shell.settings
	test.Tap(s.addSource)
	h.shows("必填。")
	test.Type(s.newSource, "抖音直播")
	test.Tap(s.addSource)
	h.shows("已添加渠道：抖音直播", "抖音直播")
	test.Type(s.newSource, "抖音直播")
	test.Tap(s.addSource)
	h.shows("已有同名的来源渠道。")
	// The new channel is offered at check-in.
	h.selectTab("来访登记")
	selectOption(t, h.checkIn().source, "抖音直播")
}

func TestStaffListIsInPinyinOrder(t *testing.T) {
	staff := []data.Staff{
		{ID: "1", Name: "王浩然", Active: true}, {ID: "2", Name: "管理员", Active: true},
		{ID: "3", Name: "陈思远", Active: true}, {ID: "4", Name: "Zoe", Active: false},
		{ID: "5", Name: "李静", Active: true}, {ID: "6", Name: "Amy", Active: true},
		{ID: "7", Name: "赵雅琴", Active: true}, {ID: "8", Name: "刘主管", Active: true},
	}
	sortStaffForList(staff)
	var got []string
	for _, st := range staff {
		got = append(got, st.Name)
	}
	want := "Amy 陈思远 管理员 李静 刘主管 王浩然 赵雅琴 Zoe"
	if strings.Join(got, " ") != want {
		t.Fatalf("order %v, want %s", got, want)
	}
}
