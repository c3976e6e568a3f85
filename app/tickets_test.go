package app

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"anchang/data"
)

// ticketDesk opens the tickets tab as the receptionist 李静, with a
// supervisor 赵主管 on the staff.
func ticketDesk(t *testing.T) *harness {
	t.Helper()
	h := newHarness(t, true, "陈思远")
	if _, err := h.store.CreateStaff(context.Background(), h.admin.ID, data.StaffInput{Name: "赵主管", Role: data.RoleSupervisor, PIN: "369147"}); err != nil {
		t.Fatal(err)
	}
	h.signInAs("李静")
	h.selectTab("工单")
	return h
}

// act taps an action of the open ticket detail, lets fill set up the
// form, and saves it.
func (h *harness) ticketAct(button string, fill func(f *ticketActionForm)) {
	h.t.Helper()
	d := h.u.shell.tickets.detail
	if d == nil {
		h.t.Fatalf("no ticket detail open:\n%s", h.screen())
	}
	b := d.buttons[actionKind(h.t, button)]
	if b == nil || !b.Visible() {
		h.t.Fatalf("no action %q; the detail shows:\n%s", button, h.screen())
	}
	test.Tap(b)
	if d.form == nil {
		h.t.Fatalf("%s opened no form", button)
	}
	f := d.form
	if fill != nil {
		fill(f)
	}
	test.Tap(f.submit)
}

func actionKind(t *testing.T, button string) string {
	for _, a := range ticketActions {
		if T(a.key) == button {
			return a.kind
		}
	}
	t.Fatalf("no action %q", button)
	return ""
}

// openFirstTicket opens the first row of the list.
func (h *harness) openFirstTicket() *ticketDetail {
	h.t.Helper()
	s := h.u.shell.tickets
	if len(s.rows) == 0 {
		h.t.Fatalf("the list is empty:\n%s", h.screen())
	}
	s.table.Select(widgetCell(0, 0))
	if s.detail == nil {
		h.t.Fatal("selecting a row opened no detail")
	}
	return s.detail
}

func TestTicketOpenEscalateRevisitClose(t *testing.T) {
	h := ticketDesk(t)
	h.shows("工单无逾期", "没有符合条件的工单")

	// A complaint without a phone: the error under the field, nothing saved.
	test.Tap(findButton(t, h, "新建工单"))
	f := h.u.shell.tickets.form
	selectOption(t, f.kind, "投诉")
	selectOption(t, f.category, "工程质量")
	selectOption(t, f.severity, "重要")
	test.Type(f.building, "3栋")
	test.Type(f.unit, "1502")
	test.Type(f.subject, "工程部")
	test.Type(f.description, "客厅墙面渗水，已三次报修未解决")
	test.Type(f.demand, "一周内修好")
	test.Type(f.customer, "王芳")
	test.Tap(f.submit)
	h.shows("需要回复客户：请填写客户姓名和联系电话。")
	if n := h.count("tickets"); n != 0 {
		t.Fatalf("%d tickets saved from a form with errors", n)
	}
	if n := h.count("ticket_events"); n != 0 {
		t.Fatalf("%d ticket events saved from a form with errors", n)
	}

	// With the phone it is saved: the number and the deadlines.
	test.Type(f.phone, "138 1234 5678")
	test.Tap(f.submit)
	h.shows("工单已登记", "单号：XHW-20261123-001", "负责人（首问负责）：李静",
		"答复时限：2026-11-25 10:00", "升级时限：2026-11-23 11:00", "解决时限：2026-11-26 10:00")
	if n := h.count("tickets"); n != 1 {
		t.Fatalf("%d tickets", n)
	}
	test.Tap(findButton(t, h, "确定"))

	// Listed, the phone masked, due later.
	h.shows("XHW-20261123-001", "投诉", "工程质量", "重要", "王芳 138****5678", "3栋 1502", "待受理", "未到期")
	h.hides("13812345678", "138 1234 5678")

	// The detail shows the full number to the receptionist.
	h.openFirstTicket()
	h.shows("XHW-20261123-001 · 投诉 · 待受理", "王芳  138 1234 5678", "客厅墙面渗水，已三次报修未解决", "受理登记 · 李静")
	h.ticketAct("开始处理", nil)
	h.shows("已记录：开始处理。现在：处理中。", "开始处理 · 李静")

	// Two hours later the escalation deadline has passed: the list and
	// the top bar say so, and the detail (still open) suggests escalating.
	h.clk.Advance(2 * time.Hour)
	h.u.shell.refresh()
	h.shows("升级时限 2026-11-23 11:00 已过：建议升级。", "2026-11-23 11:00 已过 · 建议升级")
	h.u.shell.tickets.detail.close()
	h.shows("应升级", "工单 1 逾期", "逾期 1")
	h.hides("工单 1 逾期 · 0 将到期")
	// The overdue filter lists it; once escalated it drops out.
	h.u.shell.tickets.state.SetSelectedIndex(ticketShowLate)
	h.shows("XHW-20261123-001")
	h.u.shell.tickets.state.SetSelectedIndex(ticketShowOpen)
	if h.u.shell.tickets.glance.Importance != widget.DangerImportance {
		t.Fatal("the top bar's count is not in the danger colour")
	}
	d := h.openFirstTicket()
	h.shows("升级时限 2026-11-23 11:00 已过：建议升级。")
	if d.buttons[data.EvEscalated].Importance != widget.DangerImportance {
		t.Fatal("escalation is not suggested on its button")
	}

	// A back-dated event is refused and nothing is recorded.
	events := h.count("ticket_events")
	h.ticketAct("升级", func(f *ticketActionForm) { f.at.SetText("2026-11-23 09:00") })
	h.shows("时间不能早于工单的上一条记录。")
	if n := h.count("ticket_events"); n != events {
		t.Fatalf("a back-dated event was recorded (%d events, were %d)", n, events)
	}
	d.form.modal.Hide()

	h.ticketAct("升级", nil)
	h.shows("已记录：升级。现在：处理中。", "升级 · 李静", "升级至项目主管", "已升级至项目主管")
	h.hides("建议升级。")
	h.u.shell.refresh()
	h.shows("工单无逾期")
	h.u.shell.tickets.state.SetSelectedIndex(ticketShowLate)
	h.shows("没有符合条件的工单")
	h.u.shell.tickets.state.SetSelectedIndex(ticketShowOpen)

	h.ticketAct("答复客户", func(f *ticketActionForm) { test.Type(f.note, "已安排工程部明天上门") })
	h.shows("答复客户 · 李静", "备注：已安排工程部明天上门")
	h.ticketAct("处理完成", nil)
	h.shows("已记录处理完成，回访安排在 2026-11-23 12:00 至 2026-11-26 12:00。", "安排回访 · 李静", "待回访")
	if b := d.buttons[data.EvRevisited]; b.Importance != widget.HighImportance {
		t.Fatalf("a revisit due now is not the highlighted action (importance %v)", b.Importance)
	}

	// Closing as satisfied before the revisit is refused with the reason.
	h.ticketAct("关闭工单", func(f *ticketActionForm) { selectOption(t, f.reason, "客户满意") })
	h.shows("当前状态下不能以此原因关闭：客户满意须先回访，无效投诉须在回访前说明。")
	d.form.modal.Hide()

	// An unsatisfactory revisit escalates and reopens.
	h.ticketAct("记录回访", func(f *ticketActionForm) {
		selectOption(t, f.score, "2 分")
		test.Type(f.quality, "墙面仍有水印")
		test.Type(f.note, "还是不满意")
	})
	h.shows("回访不满意（2 分）：已自动升级至公司领导并重新打开。", "满意度 2（不满意）", "质量情况：墙面仍有水印", "升级至公司领导", "重新打开 · 李静", "系统自动")
	h.shows("XHW-20261123-001 · 投诉 · 处理中")

	// Resolved again, revisited satisfied, closed.
	h.ticketAct("处理完成", nil)
	h.ticketAct("记录回访", func(f *ticketActionForm) { selectOption(t, f.score, "5 分") })
	h.shows("已记录：回访。现在：已回访。", "打印回访记录")
	h.ticketAct("关闭工单", func(f *ticketActionForm) { selectOption(t, f.reason, "客户满意") })
	h.shows("已记录：关闭。现在：已关闭。", "关闭：客户满意", "重新打开")
	// Escape closes an action form, then the detail.
	h.ticketAct("添加备注", func(f *ticketActionForm) { f.submit.OnTapped = nil })
	h.win.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if h.u.shell.tickets.detail == nil || h.u.shell.tickets.detail.form != nil {
		t.Fatal("Escape did not close just the action form")
	}
	h.win.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if h.u.shell.tickets.detail != nil {
		t.Fatal("Escape did not close the detail")
	}
	h.shows("没有符合条件的工单")
	h.u.shell.tickets.state.SetSelectedIndex(ticketShowClosed)
	h.shows("XHW-20261123-001", "已关闭", "满意度 5")

	tk, err := h.store.TicketByNumber(context.Background(), h.admin.ID, "XHW-20261123-001")
	if err != nil {
		t.Fatal(err)
	}
	if tk.State != data.StateClosed || tk.CloseReason != data.CloseSatisfied || tk.Escalation != data.EscalateLeadership || tk.Reopened != 1 {
		t.Fatalf("stored ticket: %+v", tk.TicketStatus)
	}
}

func TestTicketFormChecksTimes(t *testing.T) {
	h := ticketDesk(t)
	test.Tap(findButton(t, h, "新建工单"))
	f := h.u.shell.tickets.form
	selectOption(t, f.kind, "建议")
	selectOption(t, f.category, "客户服务")
	test.Type(f.description, "希望周末延长开放时间")
	// A 10,000-character paste is refused with its length; nothing is saved.
	f.description.SetText(strings.Repeat("渗水", 5000))
	test.Tap(f.submit)
	h.shows("太长了：最多 2000 个字，现在 10000 个。")
	if n := h.count("tickets"); n != 0 {
		t.Fatalf("%d tickets saved", n)
	}
	f.description.SetText("希望周末延长开放时间")
	f.openedAt.SetText("昨天下午")
	test.Tap(f.submit)
	h.shows("时间格式：2026-11-23 14:30")
	f.openedAt.SetText("2026-09-01 10:00") // beyond the 30 days a ticket may be back-dated
	test.Tap(f.submit)
	h.shows("受理时间不能早于 30 天前。")
	if n := h.count("tickets"); n != 0 {
		t.Fatalf("%d tickets saved", n)
	}
	// A suggestion needs no contact; taken by phone an hour ago, the time
	// typed in full-width digits from a Chinese input method.
	f.openedAt.SetText("２０２６-１１-２３ ０９：００")
	test.Tap(f.submit)
	h.shows("单号：XHW-20261123-001", "答复时限：2026-11-24 18:00")
}

func TestTicketFromHandoff(t *testing.T) {
	h := newHarness(t, true, "陈思远")
	recep := h.staffID("李静")
	if _, err := h.store.HandOffQuestion(context.Background(), recep, data.HandoffInput{Question: "首套房公积金贷款利率是多少？", ToRole: data.HandoffRoles[0]}); err != nil {
		t.Fatal(err)
	}
	h.signInAs("李静")
	h.selectTab("咨询应答")
	h.shows("首套房公积金贷款利率是多少？")
	test.Tap(findButton(t, h, "转为工单"))
	f := h.u.shell.tickets.form
	if f.kind.Selected != "咨询跟进" || !f.kind.Disabled() {
		t.Fatalf("kind %q (disabled %v)", f.kind.Selected, f.kind.Disabled())
	}
	if f.description.Text != "首套房公积金贷款利率是多少？" {
		t.Fatalf("description %q", f.description.Text)
	}
	h.shows("由咨询转交问题转为工单")
	test.Type(f.customer, "张先生")
	test.Type(f.phone, "13900001111")
	test.Tap(f.submit)
	h.shows("单号：XHW-20261123-001", "答复时限：2026-11-23 11:00")
	test.Tap(findButton(t, h, "确定"))
	h.shows("查看工单")
	h.hides("转为工单")
	test.Tap(findButton(t, h, "查看工单"))
	h.shows("XHW-20261123-001 · 咨询跟进 · 待受理", "咨询转交")
}

func TestTicketsConsultantSeesOwn(t *testing.T) {
	h := newHarness(t, true, "陈思远")
	recep, cons := h.staffID("李静"), h.staffID("陈思远")
	in := data.TicketInput{Kind: data.TicketRepair, Category: data.CatEngineering, Severity: data.SeverityGeneral,
		Description: "门锁坏了", CustomerName: "王芳", Phone: "13812345678"}
	if _, err := h.store.OpenTicket(context.Background(), recep, in); err != nil {
		t.Fatal(err)
	}
	in.Description, in.Phone = "窗户漏风", "13812340000"
	if _, err := h.store.OpenTicket(context.Background(), cons, in); err != nil {
		t.Fatal(err)
	}
	h.u.signedIn(data.Staff{ID: cons, Name: "陈思远", Role: data.RoleConsultant, Active: true})
	h.selectTab("工单")
	h.shows("XHW-20261123-002", "138****0000")
	h.hides("XHW-20261123-001")
}

func TestTicketListOrder(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	rows := []data.TicketRow{
		{Number: "closed", State: data.StateClosed, OpenedAt: now},
		{Number: "ok", State: data.StateOpen, Due: data.DueOK, NextDue: now.Add(time.Hour)},
		{Number: "escalate", State: data.StateAcknowledged, Due: data.DueOK, NextDue: now.Add(2 * time.Hour), EscalationSuggested: true},
		{Number: "soon", State: data.StateOpen, Due: data.DueSoon, NextDue: now.Add(3 * time.Hour)},
		{Number: "overdue", State: data.StateOpen, Due: data.DueOverdue, NextDue: now.Add(-time.Hour)},
		{Number: "waiting", State: data.StateRevisited},
	}
	sortTickets(rows)
	var got []string
	for _, r := range rows {
		got = append(got, r.Number)
	}
	if want := "overdue escalate soon ok waiting closed"; strings.Join(got, " ") != want {
		t.Fatalf("order %v, want %s", got, want)
	}
	c := countTickets(rows)
	if c.open != 5 || c.overdue != 2 || c.soon != 1 || c.escalate != 1 {
		t.Fatalf("counts %+v", c)
	}
}

// TestTicketEnumsTranslated checks the keys built from the store's
// enumerations, which the key scan cannot see.
func TestTicketEnumsTranslated(t *testing.T) {
	zh, en := loadLang(t, "zh"), loadLang(t, "en")
	var keys []string
	for _, k := range data.TicketKinds {
		keys = append(keys, "ticket.kind."+k)
	}
	for _, c := range data.TicketCategories {
		keys = append(keys, "ticket.cat."+c)
	}
	for _, s := range data.Severities {
		keys = append(keys, "ticket.sev."+s)
	}
	for _, s := range data.TicketStates {
		keys = append(keys, "ticket.state."+string(s))
	}
	for _, e := range data.TicketEventKinds {
		keys = append(keys, "ticket.event."+e, "err.ticket.cannot."+e)
	}
	for _, a := range ticketActions {
		keys = append(keys, "ticket.note.hint."+a.kind)
	}
	for _, r := range data.CloseReasons {
		keys = append(keys, "ticket.close."+r)
	}
	for _, m := range data.RevisitMethods {
		keys = append(keys, "ticket.revisit."+m)
	}
	for _, n := range []string{data.DeadlineResponse, data.DeadlineResolution, data.DeadlineRevisit} {
		keys = append(keys, "ticket.deadline."+n, "ticket.next."+n)
	}
	for i := 1; i <= 5; i++ {
		keys = append(keys, satisfactionKey(i))
	}
	keys = append(keys, levelKey(data.EscalateSupervisor), levelKey(data.EscalateLeadership), "ticket.dl.responded_late", "ticket.dl.resolved_late")
	for _, k := range keys {
		if zh[k] == "" || en[k] == "" {
			t.Errorf("%q missing (zh %q, en %q)", k, zh[k], en[k])
		}
	}
}

func TestTicketPrintsServiceAndRevisitRecords(t *testing.T) {
	h, _ := printHarness(t)
	printed := fakeCUPS(t, true, false)
	recep := h.staffID("李静")
	ctx := context.Background()
	tk, err := h.store.OpenTicket(ctx, recep, data.TicketInput{Kind: data.TicketComplaint, Category: data.CatEngineering, Severity: data.SeverityGeneral,
		Building: "3栋", Unit: "1502", Subject: "工程部", Description: "客厅墙面渗水", Demand: "尽快修好", CustomerName: "王芳", Phone: "13812345678"})
	if err != nil {
		t.Fatal(err)
	}
	h.signInAs("李静")
	h.selectTab("工单")
	d := h.openFirstTicket()
	h.hides("打印回访记录") // not revisited yet
	test.Tap(d.buttons["print"])
	h.shows("报修、投诉、接待情况汇总表", "工单 "+tk.Number+"（投诉）", "表单编号：AC-KF-02-F01")
	test.Tap(d.printing.print)
	h.shows("已发送到打印机。")
	contains(t, pdfText(t, printed), "AC-KF-02-F01", tk.Number, "王芳", "138 1234 5678", "客厅墙面渗水", "尽快修好", "投诉")
	d.printing.modal.Hide()

	for _, ev := range []data.TicketEvent{{Kind: data.EvAcknowledged}, {Kind: data.EvResolved, Note: "已修补墙面"},
		{Kind: data.EvRevisited, Satisfaction: 4, Revisit: data.RevisitNotes{Method: "phone", Quality: "墙面已干"}}} {
		if _, err := h.store.AddTicketEvent(ctx, recep, tk.ID, ev); err != nil {
			t.Fatal(err)
		}
	}
	d.load(nil)
	test.Tap(d.buttons["print_revisit"])
	h.shows("回访记录表", "表单编号：AC-KF-02-F02")
	test.Tap(d.printing.print)
	h.shows("已发送到打印机。")
	contains(t, pdfText(t, printed), "AC-KF-02-F02", tk.Number, "王芳", "投诉处理后", "电话", "墙面已干", "李静")
}

func TestTicketColumnsFit(t *testing.T) {
	need := make([]float32, len(ticketColumns))
	var sum float32
	for i, c := range ticketColumns {
		need[i] = c.width + 30
		sum += need[i]
	}
	num := 0 // the number column's index
	for i, c := range ticketColumns {
		if c.key == "ticket.col.number" {
			num = i
		}
	}
	for _, avail := range []float32{sum * 2, sum, sum - 60, sum * 0.7} {
		got := fitColumns(need, avail)
		var total float32
		for _, w := range got {
			total += w
		}
		if total < avail-0.5 || total > avail+0.5 {
			t.Errorf("avail %.0f: columns take %.0f", avail, total)
		}
		if avail <= sum && got[num] != need[num] {
			t.Errorf("avail %.0f: the number column got %.0f of %.0f", avail, got[num], need[num])
		}
	}
}

// clockOnly is a store that only tells the time (the UI's clock).
type clockOnly struct {
	Store
	now time.Time
}

func (c clockOnly) Time() time.Time          { return c.now }
func (c clockOnly) Location() *time.Location { return time.UTC }

// BenchmarkTicketListPrepare is the UI-side work of one list reload of
// 1,000 open tickets: sorting, counting and sizing the columns.
func BenchmarkTicketListPrepare(b *testing.B) {
	test.NewTempApp(b)
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	s := &ticketsScreen{u: &UI{store: clockOnly{now: now}}}
	dues := []data.DueState{data.DueOK, data.DueSoon, data.DueOverdue, data.DueNone}
	base := make([]data.TicketRow, 1000)
	for i := range base {
		base[i] = data.TicketRow{Number: "XHW-20261123-" + itoa(i), Kind: data.TicketKinds[i%4], Category: data.TicketCategories[i%6],
			Severity: data.Severities[i%4], State: data.StateAcknowledged, CustomerName: "王芳", Phone: "138****5678", Building: "3栋", Unit: "1502",
			OwnerName: "李静", Next: data.DeadlineResolution, NextDue: now.Add(time.Duration(i) * time.Minute), Due: dues[i%4], Valid: true}
	}
	rows := make([]data.TicketRow, len(base))
	b.ReportAllocs()
	for b.Loop() {
		copy(rows, base)
		sortTickets(rows)
		countTickets(rows)
		s.ticketColumnWidths(rows)
	}
}

func TestTicketHandOnAndInvalid(t *testing.T) {
	h := ticketDesk(t)
	ctx := context.Background()
	recep := h.staffID("李静")
	in := data.TicketInput{Kind: data.TicketComplaint, Category: data.CatService, Severity: data.SeverityGeneral,
		Description: "顾问态度不好", CustomerName: "王芳", Phone: "13812345678"}
	if _, err := h.store.OpenTicket(ctx, recep, in); err != nil {
		t.Fatal(err)
	}
	h.u.shell.refresh()
	d := h.openFirstTicket()

	// Handed on explicitly, with a note: the new owner owns it, and the
	// one who opened it may only add notes and revisits now.
	h.ticketAct("转交", func(f *ticketActionForm) {
		selectOption(t, f.to, "赵主管")
		test.Type(f.note, "需要主管现场处理")
	})
	h.shows("转交 · 李静", "交给 赵主管", "备注：需要主管现场处理")
	h.shows("负责人", "赵主管")
	for kind, b := range d.buttons {
		if kind == data.EvNote || kind == data.EvRevisited || strings.HasPrefix(kind, "print") {
			if b.Disabled() {
				t.Errorf("%s is disabled for a colleague", kind)
			}
		} else if !b.Disabled() {
			t.Errorf("%s is enabled for someone who no longer owns the ticket", kind)
		}
	}
	d.close()

	// An invalid complaint is explained and closed at once.
	in.Invalid, in.Description = true, "要求退还已过期的优惠"
	tk, err := h.store.OpenTicket(ctx, recep, in)
	if err != nil {
		t.Fatal(err)
	}
	h.u.shell.tickets.openDetail(tk.ID)
	h.shows("无效投诉：向客户解释后以“无效投诉，已解释”关闭。", "无效")
	h.ticketAct("关闭工单", func(f *ticketActionForm) { selectOption(t, f.reason, "无效投诉，已解释") })
	h.shows("已记录：关闭。现在：已关闭。", "关闭：无效投诉，已解释")
}

// TestDeskFitsWithTicketCount: with every tab an admin has and the
// tickets count in the top bar, the desk still fits 1024 pixels across,
// in both languages.
func TestDeskFitsWithTicketCount(t *testing.T) {
	for _, lang := range []string{"zh", "en"} {
		h := newHarness(t, true, "陈思远")
		SetLanguage(lang)
		ctx := context.Background()
		in := data.TicketInput{Kind: data.TicketComplaint, Category: data.CatService, Severity: data.SeverityImportant,
			Description: "等待太久", CustomerName: "王芳", Phone: "13812345678"}
		for range 12 {
			if _, err := h.store.OpenTicket(ctx, h.admin.ID, in); err != nil {
				t.Fatal(err)
			}
		}
		h.clk.Advance(2 * time.Hour) // all 12 past their escalation deadline
		h.signInAs("管理员")
		h.shows(T("ticket.glance.overdue", map[string]any{"Overdue": 12}),
			T("shell.calendar_missing", map[string]any{"Year": 2027})) // the admin's strip fits too
		if w := h.win.Canvas().Content().MinSize().Width; w > 1024 {
			t.Errorf("%s: the desk needs %.0f pixels across", lang, w)
		}
	}
}

// TestTicketTimelineShowsSkippedEvent: an event another device's change
// made impossible where HQ ordered it says on the timeline that it did
// not apply.
func TestTicketTimelineShowsSkippedEvent(t *testing.T) {
	h := ticketDesk(t)
	in := data.TicketInput{Kind: data.TicketComplaint, Category: data.CatEngineering, Severity: data.SeverityGeneral,
		Description: "客厅墙面渗水", CustomerName: "王芳", Phone: "13812345678"}
	if _, err := h.store.OpenTicket(context.Background(), h.admin.ID, in); err != nil {
		t.Fatal(err)
	}
	h.u.shell.refresh()
	h.openFirstTicket()
	d := h.u.shell.tickets.detail
	_, more := d.eventText(data.TicketEvent{Kind: data.EvAcknowledged, At: h.clk.Now(), Skipped: true})
	if !strings.Contains(more, "未生效") {
		t.Fatalf("skipped event reads %q", more)
	}
	if _, more := d.eventText(data.TicketEvent{Kind: data.EvAcknowledged, At: h.clk.Now()}); strings.Contains(more, "未生效") {
		t.Fatalf("applied event reads %q", more)
	}
}

// A new ticket for a known phone fills the empty name and unit from the
// customer's last ticket and lists their open tickets (a likely repeat)
// before anything is retyped; a typed name is kept; an unknown number
// says nothing.
func TestTicketFormLooksUpKnownPhone(t *testing.T) {
	h := ticketDesk(t)
	ctx := context.Background()
	first, err := h.store.OpenTicket(ctx, h.admin.ID, data.TicketInput{Kind: data.TicketComplaint, Category: data.CatEngineering, Severity: data.SeverityGeneral,
		Description: "客厅墙面渗水", CustomerName: "王芳", Phone: "13812345678", Project: "星河湾", Building: "3栋", Unit: "1502"})
	if err != nil {
		t.Fatal(err)
	}
	test.Tap(findButton(t, h, "新建工单"))
	f := h.u.shell.tickets.form
	test.Type(f.phone, "138 1234 567")
	h.hides("已登记的客户")
	test.Type(f.phone, "8")
	if f.customer.Text != "王芳" || f.project.Text != "星河湾" || f.building.Text != "3栋" || f.unit.Text != "1502" {
		t.Fatalf("not filled: %q %q %q %q", f.customer.Text, f.project.Text, f.building.Text, f.unit.Text)
	}
	h.shows("已登记的客户：王芳。 有 1 张未关闭的工单，可能是重复投诉，请先查看：")
	if !strings.Contains(h.screen(), first.Number) || !strings.Contains(h.screen(), "客厅墙面渗水") {
		t.Fatalf("the open ticket is not listed:\n%s", h.screen())
	}
	// Another number: what was typed stays, the list goes.
	f.customer.SetText("李先生")
	f.phone.SetText("13900000000")
	h.hides("已登记的客户")
	if f.customer.Text != "李先生" {
		t.Fatalf("typed name replaced: %q", f.customer.Text)
	}
	// A checked-in visitor with no ticket: their name and title.
	if _, err := h.store.CheckIn(ctx, h.admin.ID, data.CheckInInput{Name: "赵", Title: data.TitleMs, Phone: "13700001111", Purpose: data.PurposeComplaint,
		SourceID: h.firstSource(), Consent: true, Via: data.ViaDesk}); err != nil {
		t.Fatal(err)
	}
	f.customer.SetText("")
	f.phone.SetText("137 0000 1111")
	if f.customer.Text != "赵女士" {
		t.Fatalf("visitor's name: %q", f.customer.Text)
	}
	h.shows("已登记的客户：赵女士。 没有未关闭的工单。")
}

// At 1024×768, in both languages, the list shows the columns that fit
// whole (no "Comp…", "Cust…", "Revisi…") and leaves out category, owner
// and severity in turn (they are in the detail); a wide screen shows all.
func TestTicketColumnsChosenToFit(t *testing.T) {
	test.NewTempApp(t)
	t.Cleanup(func() { SetLanguage("zh") })
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	s := &ticketsScreen{u: &UI{store: clockOnly{now: now}}}
	var rows []data.TicketRow
	for i, st := range []data.TicketState{data.StateRevisitDue, data.StateAcknowledged, data.StateResponded, data.StateOpen} {
		rows = append(rows, data.TicketRow{Number: "DEMO-20261206-00" + itoa(i), Kind: data.TicketKinds[i%4], Category: data.TicketCategories[i],
			Severity: data.Severities[i%4], State: st, CustomerName: "覃女士", Phone: "158****4684", Building: "3号楼", Unit: "2单元1202",
			OwnerName: "张敏", Next: data.DeadlineResolution, NextDue: now.Add(time.Hour), Due: data.DueOverdue, Valid: true})
	}
	for _, lang := range []string{"en", "zh"} {
		SetLanguage(lang)
		need := s.ticketColumnWidths(rows)
		for _, width := range []float32{1024, 1920} {
			tableW := width - 2*theme.Padding() // the tab's padding; then as ticketTableLayout.fit
			cols := visibleTicketColumns(need, tableW-2*theme.Padding())
			sub := make([]float32, len(cols))
			for i, c := range cols {
				sub[i] = need[c]
			}
			got := fitColumnsOf(cols, sub, tableW-theme.Padding()*float32(len(cols)+2))
			var keys []string
			for i, c := range cols {
				keys = append(keys, ticketColumns[c].key)
				if got[i] < need[c]-0.5 {
					t.Errorf("%s at %.0f: %s gets %.0f of the %.0f it needs", lang, width, ticketColumns[c].key, got[i], need[c])
				}
			}
			for _, k := range []string{"ticket.col.number", "ticket.col.kind", "ticket.col.customer", "ticket.col.unit", "ticket.col.state", "ticket.col.next", "ticket.col.due"} {
				if !slices.Contains(keys, k) {
					t.Errorf("%s at %.0f: %s left out (%v)", lang, width, k, keys)
				}
			}
			if width == 1920 && len(cols) != len(ticketColumns) {
				t.Errorf("%s at 1920: only %v", lang, keys)
			}
		}
	}
}
