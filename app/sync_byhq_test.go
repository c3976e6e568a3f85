package app

import (
	"context"
	"testing"

	"fyne.io/fyne/v2/test"

	"anchang/data"
)

// enrolledOffice is the desk of an office enrolled at HQ (no loop runs),
// its admin signed in.
func enrolledOffice(t *testing.T) *harness {
	t.Helper()
	h := newHarness(t, true, "陈思远")
	ctx := context.Background()
	id, err := h.store.SyncIdentity(ctx)
	if err != nil {
		t.Fatal(err)
	}
	const office = "0193a2b4-0000-7000-8000-0000000000aa"
	if err := h.store.Enroll(ctx, data.Enrollment{HQURL: "https://hq.example", HQID: "hq-1", DeviceID: id.DeviceID, OfficeID: office, OfficeCode: "XHW",
		OfficeName: "星河湾售楼处", Role: data.SyncRoleOffice, Tag: "A", Scopes: []string{"office:" + office, "global"}, Secret: "x"}); err != nil {
		t.Fatal(err)
	}
	h.useHQ(HQ{})
	h.signInAs("管理员")
	return h
}

// On an enrolled office device what HQ publishes is not offered: approve
// and retire, categories, vague words, the SLA policy, checklist templates
// and holiday schedules are disabled with "由总部统一发布", while drafting
// and submitting stay. A standalone office keeps every button.
func TestHQOwnedEditsDisabledOnAnEnrolledOffice(t *testing.T) {
	for _, enrolled := range []bool{true, false} {
		var h *harness
		if enrolled {
			h = enrolledOffice(t)
		} else {
			h = newHarness(t, true, "陈思远")
			h.signInAs("管理员")
		}
		check := func(where string, b string) {
			t.Helper()
			btn := findButton(t, h, b)
			if btn.Disabled() != enrolled {
				t.Errorf("enrolled=%v %s: %q disabled=%v", enrolled, where, b, btn.Disabled())
			}
			if enrolled {
				h.shows("由总部统一发布")
			} else {
				h.hides("由总部统一发布")
			}
		}
		// The manual: a new draft may be written and submitted, not approved.
		h.selectTab("咨询应答")
		test.Tap(findButton(t, h, "管理"))
		m := h.u.shell.faqAdmin.editor
		if m == nil {
			t.Fatal("no manage page")
		}
		m.newEntry("")
		if findButton(t, h, "提交审核").Disabled() {
			t.Errorf("enrolled=%v: submitting a draft is not offered", enrolled)
		}
		if !findButton(t, h, "批准").Disabled() {
			t.Errorf("enrolled=%v: approving a new draft offered", enrolled)
		}
		if enrolled {
			h.shows("批准与停用在总部进行")
		}
		test.Tap(findButton(t, h, "分类与用词"))
		check("categories", "添加分类")
		check("vague words", "保存词表")
		check("synonyms", "保存同义词")
		if syn := h.u.shell.faqAdmin.settings.syn; syn.Disabled() != enrolled {
			t.Errorf("enrolled=%v: synonym list editable=%v", enrolled, !syn.Disabled())
		}

		h.u.showSLAPolicy()
		check("sla policy", "保存为新版本")
		h.u.showHolidays()
		check("holidays", "导入")
		h.selectTab("验房")
		test.Tap(findButton(t, h, "检查表模板"))
		check("templates", "导入为新版本")
	}
}
