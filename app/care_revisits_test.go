package app

import (
	"context"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"anchang/data"
)

// TestCareRevisits: a signing check-in schedules a revisit; a week later
// the desk records it satisfied and sees it done. A special revisit
// recorded as unsatisfactory must say why and shows the complaint ticket
// it opened; one more than 3 days late says the supervisor follows up.
func TestCareRevisits(t *testing.T) {
	h := ticketDesk(t)
	ctx := context.Background()
	for i, name := range []string{"李娜", "王五"} {
		phone := []string{"13812345678", "13700001111"}[i]
		if _, err := h.store.CheckIn(ctx, "", data.CheckInInput{Name: name, Phone: phone, Purpose: data.PurposeSigning, InterestUnit: "3号楼1202",
			Consent: true, Via: data.ViaKiosk}); err != nil {
			t.Fatal(err)
		}
		h.clk.Advance(time.Hour)
	}
	// A viewing check-in schedules nothing.
	if _, err := h.store.CheckIn(ctx, "", data.CheckInInput{Name: "路人", Phone: "13600002222", Purpose: data.PurposeViewing, Consent: true, Via: data.ViaKiosk}); err != nil {
		t.Fatal(err)
	}

	// Not due yet: the due list is empty, the upcoming one has both.
	test.Tap(findButton(t, h, "客户回访"))
	c := h.u.shell.tickets.care
	h.shows("客户回访", "没有符合条件的回访。", "本季度按时完成率（回访期内）：签约回访 无") // none due yet
	c.filter.SetSelectedIndex(1)
	h.shows("签约回访 · 李娜 138****5678 · 3号楼1202", "签约回访 · 王五 137****1111", "未到回访期")
	h.hides("路人", "13812345678")
	c.modal.Hide()

	// A week later both are due; 李娜's (earlier) is first and recorded satisfied.
	h.clk.Advance(7 * 24 * time.Hour)
	test.Tap(findButton(t, h, "客户回访"))
	c = h.u.shell.tickets.care
	h.shows("回访期 2026-11-30 10:00 至 2026-12-03 10:00 · 待回访", "李娜", "王五")
	test.Tap(findButton(t, h, "记录回访"))
	f := c.form
	h.shows("签约回访 · 李娜 138 1234 5678 · 3号楼1202") // the full number to call, in the form only
	test.Tap(f.submit)                           // no score
	h.shows("满意度须为 1 到 5 分。")
	selectOption(t, f.score, "5 分")
	test.Type(f.quality, "交房资料齐全")
	test.Tap(f.submit)
	// 王五's window is still open: only the one made counts yet.
	h.shows("回访已记录：5 分。", "王五", "本季度按时完成率（回访期内）：签约回访 1/1（100%）")
	if n := h.count("care_revisit_results"); n != 1 {
		t.Fatalf("%d revisit results after one, and one refused", n)
	}
	h.hides("李娜")
	c.filter.SetSelectedIndex(2)
	h.shows("签约回访 · 李娜", "已回访 2026-11-30 12:00 · 5 分 非常满意 · 李静", "质量情况：交房资料齐全")

	// A special revisit without a name or a valid phone: errors under the fields, nothing saved.
	scheduled := h.count("outbox")
	test.Tap(findButton(t, h, "新建回访"))
	f = c.form
	test.Type(f.phone, "12345")
	test.Tap(f.submit)
	h.shows("新建回访", "联系电话")
	if h.count("outbox") != scheduled {
		t.Fatal("a refused special revisit was saved")
	}
	for _, fl := range f.fields[:2] {
		if !fl.err.Visible() || fl.err.Text == "" {
			t.Fatalf("no error under %s", fl.name)
		}
	}
	f.modal.Hide()

	// A special revisit, within a week by default.
	test.Tap(findButton(t, h, "新建回访"))
	f = c.form
	test.Type(f.customer, "赵敏")
	test.Type(f.phone, "139 0000 1111")
	test.Type(f.place, "5号楼801")
	test.Tap(f.submit)
	h.shows("已安排回访：2026-11-30 12:00 至 2026-12-07 12:00。")
	c.filter.SetSelectedIndex(0)
	selectOption(t, c.kind, "特殊服务回访")
	h.shows("特殊服务回访 · 赵敏 139****1111 · 5号楼801")
	h.hides("王五")
	tickets := h.count("tickets")
	test.Tap(findButton(t, h, "记录回访"))
	f = c.form
	selectOption(t, f.score, "1 分")
	test.Tap(f.submit)
	h.shows("不满意时请填写不足之处或备注。")
	if h.count("tickets") != tickets {
		t.Fatal("a refused revisit opened a ticket")
	}
	test.Type(f.short, "报修三次仍未上门")
	test.Tap(f.submit)
	h.shows("客户不满意（1 分）：已开投诉工单 XHW-20261130-001，请跟进。")
	if n := h.count("care_revisit_results"); n != 2 {
		t.Fatalf("%d revisit results", n)
	}
	if h.count("tickets") != tickets+1 {
		t.Fatal("no ticket opened")
	}
	c.filter.SetSelectedIndex(2)
	h.shows("已开投诉工单 XHW-20261130-001", "1 分 非常不满意")
	c.modal.Hide()

	// 王五's window ended 2026-12-03 11:00; four days later the supervisor follows up.
	h.clk.Advance(7 * 24 * time.Hour)
	test.Tap(findButton(t, h, "客户回访"))
	h.shows("王五", "已逾期 · 主管跟进")
}

func TestCareEnumsTranslated(t *testing.T) {
	zh, en := loadLang(t, "zh"), loadLang(t, "en")
	var keys []string
	for _, k := range data.CareKinds {
		keys = append(keys, "care.kind."+k)
	}
	for _, f := range data.CareFilters {
		keys = append(keys, "care.filter."+string(f))
	}
	for _, s := range []data.CareStatus{data.CareUpcoming, data.CareDueNow, data.CareOverdue, data.CareDone} {
		keys = append(keys, "care.status."+string(s))
	}
	for _, k := range keys {
		if zh[k] == "" || en[k] == "" {
			t.Errorf("%q missing (zh %q, en %q)", k, zh[k], en[k])
		}
	}
}
