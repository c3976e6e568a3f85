package data

import (
	"context"
	"fmt"
	"time"
)

// demoProblem is a sample ticket text.
type demoProblem struct {
	kind, cat, subject, what, demand, dept string
}

var demoProblems = []demoProblem{
	{TicketComplaint, CatEngineering, "工程部", "卫生间地面渗水到楼下，已影响邻居", "尽快修复防水并赔偿楼下损失", "工程部"},
	{TicketComplaint, CatEngineering, "总包单位", "客厅墙面出现多条裂缝", "查明原因并重新批荡", "工程部"},
	{TicketComplaint, CatDesign, "设计院", "实际层高与样板间宣传不符", "给出书面解释并补偿", "设计管理部"},
	{TicketComplaint, CatDesign, "规划部", "小区东侧规划变更为变电站，购房时未告知", "公示规划并说明影响", "设计管理部"},
	{TicketComplaint, CatSales, "置业顾问", "认购时承诺赠送车位使用权，签约时不认", "兑现承诺", "销售部"},
	{TicketComplaint, CatSales, "销售部", "宣传单页写明地铁 500 米，实际 1.5 公里", "解释并更正宣传材料", "销售部"},
	{TicketComplaint, CatProperty, "物业前台", "地下车库照明长期不亮", "三天内修复", "物业服务中心"},
	{TicketComplaint, CatProperty, "保安", "访客车辆登记态度生硬", "道歉并加强培训", "物业服务中心"},
	{TicketComplaint, CatService, "前台接待", "来访等待 40 分钟无人接待", "改进接待流程", "客户服务部"},
	{TicketComplaint, CatService, "客服专线", "电话多次无人接听", "留专人回电", "客户服务部"},
	{TicketRepair, CatEngineering, "", "入户门锁无法反锁", "上门更换门锁", "工程部"},
	{TicketRepair, CatEngineering, "", "主卧空调冷凝水管漏水", "上门维修", "工程部"},
	{TicketRepair, CatEngineering, "", "厨房下水堵塞", "疏通下水", "工程部"},
	{TicketRepair, CatProperty, "", "单元门禁刷卡失灵", "更换读卡器", "物业服务中心"},
	{TicketRepair, CatEngineering, "", "阳台推拉门滑轨脱落", "上门修复", "工程部"},
	{TicketInquiry, CatSales, "", "公积金与商贷组合贷款的办理流程", "电话告知所需材料", "销售部"},
	{TicketInquiry, CatService, "", "交房时间是否会延期", "书面答复交房计划", "客户服务部"},
	{TicketSuggestion, CatDesign, "", "建议小区增设儿童游乐设施", "", "设计管理部"},
	{TicketSuggestion, CatProperty, "", "建议延长会所开放时间", "", "物业服务中心"},
}

var demoUnits = []struct{ building, unit string }{{"1栋", "1201"}, {"2栋", "803"}, {"3栋", "1502"}, {"5栋", "201"}, {"6栋", "2102"}, {"8栋", "1101"}, {"9栋", "605"}}

// demoTickets writes about four weeks of tickets in every state: closed
// after a revisit, waiting for a revisit (some more than 3 days late),
// resolved, answered, taken up, open and overdue, one escalated after an
// unsatisfactory revisit, a repeat complaint, an invalid one. n tickets,
// oldest first, each in one transaction with its history.
func (g *demoGen) tickets(ctx context.Context, now time.Time, days int) (int, error) {
	s := g.s
	dev, off, err := s.ids()
	if err != nil {
		return 0, err
	}
	pol, err := s.SLAPolicy(ctx)
	if err != nil {
		return 0, err
	}
	cal, err := s.Calendar(ctx)
	if err != nil {
		return 0, err
	}
	staff, err := s.ListStaff(ctx, false)
	if err != nil {
		return 0, err
	}
	var desk []Staff
	var sup Staff
	for _, st := range staff {
		switch st.Role {
		case RoleReceptionist:
			desk = append(desk, st)
		case RoleSupervisor:
			sup = st
		}
	}
	if len(desk) == 0 {
		desk = g.consultants[:1]
	}
	if sup.ID == "" {
		sup = desk[0]
	}
	span := min(max(days, 2), 28)
	n := min(max(3, span*3/2), 45)
	loc := s.Location()
	made := 0
	var prev *TicketInput
	for i := 0; i < n; i++ {
		// Spread over the span, oldest first; the last few in the past two days.
		ago := time.Duration(float64(span*24) * float64(n-i) / float64(n+1) * float64(time.Hour))
		day := now.Add(-ago).In(loc)
		opened := time.Date(day.Year(), day.Month(), day.Day(), 9+g.rng.IntN(8), g.rng.IntN(60), 0, 0, loc)
		if opened.After(now.Add(-20 * time.Minute)) {
			opened = now.Add(-time.Duration(20+g.rng.IntN(60)) * time.Minute)
		}
		p := demoProblems[g.rng.IntN(len(demoProblems))]
		if i == n-2 {
			p = demoProblems[8] // an important complaint nobody has taken up: overdue for escalation
		}
		u := demoUnits[g.rng.IntN(len(demoUnits))]
		name := AddressedAs(g.name())
		in := TicketInput{Kind: p.kind, Category: p.cat, Severity: SeverityGeneral, OpenedAt: opened, Project: "星河湾", Building: u.building, Unit: u.unit,
			Subject: p.subject, Description: p.what, Demand: p.demand, CustomerName: name, Phone: g.phone(), Department: p.dept}
		switch r := g.rng.IntN(10); {
		case p.kind == TicketSuggestion:
			in.Severity = SeverityMinor
		case r == 0:
			in.Severity = SeverityMajor
		case r <= 2:
			in.Severity = SeverityImportant
		case r >= 8:
			in.Severity = SeverityMinor
		}
		in.Urgent = p.kind == TicketRepair && g.rng.IntN(6) == 0
		if i == n-2 {
			in.Severity = SeverityImportant
		}
		if prev != nil && i%9 == 4 && i < n-2 { // the same unit and problem again: a repeat complaint
			in.Kind, in.Category, in.Building, in.Unit, in.CustomerName, in.Phone = prev.Kind, prev.Category, prev.Building, prev.Unit, prev.CustomerName, prev.Phone
			in.Description = "同一问题再次出现：" + prev.Description
		}
		if i%13 == 6 && in.Kind == TicketComplaint {
			in.Invalid = true
			in.Description = "认为小区外市政道路施工噪音由开发商负责"
			in.Category = CatOther
		}
		if err := in.validate(opened.Add(time.Minute)); err != nil {
			return made, fmt.Errorf("demo ticket: %w", err)
		}
		dl, err := pol.Deadlines(cal, in.Kind, in.Severity, in.Urgent, in.OpenedAt)
		if err != nil {
			return made, err
		}
		owner := desk[g.rng.IntN(len(desk))]
		age := now.Sub(opened)
		err = s.tx(ctx, func(tx *txn) error {
			at := opened.Add(time.Duration(5+g.rng.IntN(90)) * time.Minute) // entered a little later
			if at.After(now) {
				at = now
			}
			mk := func(t time.Time) stamp {
				return stamp{id: newIDAt(t), office: off.ID, device: dev.ID, at: ms(t)}
			}
			tk, err := openTicketTx(ctx, tx, mk(at), off.Code, owner.ID, in, dl, loc)
			if err != nil {
				return err
			}
			// step adds an event d after the previous one, unless that is still in the future.
			last := at
			step := func(who string, d time.Duration, ev TicketEvent) (bool, error) {
				t := demoDaytime(last.Add(d), loc)
				if t.After(now) {
					return false, nil
				}
				last, ev.At = t, t
				_, err := appendTicketEvents(ctx, tx, mk(t), tk.ID, in.Kind, who, ev)
				return err == nil, err
			}
			ok := true
			chain := func(who string, d time.Duration, ev TicketEvent) {
				if ok && err == nil {
					ok, err = step(who, d, ev)
				}
			}
			if in.Invalid {
				chain(owner.ID, 2*time.Hour, TicketEvent{Kind: EvClosed, Reason: CloseInvalid, Note: "属市政工程，已向客户解释并提供街道办电话"})
				return err
			}
			if i >= n-2 {
				return nil // the newest two: open, nobody has taken them up
			}
			fresh := age < 30*time.Hour
			chain(owner.ID, 20*time.Minute, TicketEvent{Kind: EvAcknowledged})
			if fresh && i%2 == 0 {
				return err // taken up, nothing more yet
			}
			if in.Severity == SeverityImportant || in.Severity == SeverityMajor {
				if i%3 != 0 { // one in three left for the desk to escalate (the row flags it)
					level := EscalateSupervisor
					if in.Severity == SeverityMajor {
						level = EscalateLeadership
					}
					chain(owner.ID, 40*time.Minute, TicketEvent{Kind: EvEscalated, Level: level, To: sup.ID, Note: "按级别上报"})
				}
			}
			if age < 4*24*time.Hour && i%3 == 1 {
				return err // overdue or due soon: not answered yet
			}
			chain(owner.ID, time.Duration(1+g.rng.IntN(5))*time.Hour, TicketEvent{Kind: EvResponded, Note: "已电话告知处理安排"})
			if age < 5*24*time.Hour && i%2 == 1 {
				return err
			}
			chain(owner.ID, time.Duration(20+g.rng.IntN(50))*time.Hour, TicketEvent{Kind: EvResolved, Note: "已处理完毕，客户现场确认"})
			if !NeedsRevisit(in.Kind) {
				chain(owner.ID, time.Hour, TicketEvent{Kind: EvClosed, Reason: CloseSatisfied})
				return err
			}
			if i%7 == 3 {
				return err // the revisit was never made: it shows late (over 3 days: the supervisor's list)
			}
			wait := time.Duration(20+g.rng.IntN(30)) * time.Hour
			if in.Kind == TicketRepair {
				wait += 7 * 24 * time.Hour
			}
			revisitor := desk[(g.rng.IntN(len(desk)))].ID
			sat := 4 + g.rng.IntN(2)
			if i%8 == 5 {
				sat = 2
			}
			chain(revisitor, wait, TicketEvent{Kind: EvRevisited, Satisfaction: sat, Revisit: RevisitNotes{Method: RevisitMethods[g.rng.IntN(2)],
				Quality: "维修质量良好", Effect: "处理及时", Shortcomings: map[bool]string{true: "问题仍未彻底解决", false: ""}[sat <= 2], Suggestions: "希望加强日常巡检"}})
			if sat <= 2 { // reopened and escalated by the store; handled again
				chain(owner.ID, 24*time.Hour, TicketEvent{Kind: EvResolved, Note: "主管督办，返工完成"})
				again := 30 * time.Hour
				if in.Kind == TicketRepair {
					again += 7 * 24 * time.Hour // a repair is revisited once it has stood a week
				}
				chain(revisitor, again, TicketEvent{Kind: EvRevisited, Satisfaction: 4, Revisit: RevisitNotes{Method: "visit", Quality: "返工后良好"}})
			}
			reason := CloseSatisfied
			if i%11 == 10 {
				reason = CloseLawfulDisagrees
			}
			chain(owner.ID, 2*time.Hour, TicketEvent{Kind: EvClosed, Reason: reason})
			return err
		})
		if err != nil {
			return made, fmt.Errorf("demo ticket %d: %w", i, err)
		}
		made++
		cp := in
		prev = &cp
	}
	return made, nil
}

// demoDaytime moves a demo event outside office hours (09:00–18:00) to the
// next morning, keeping its minutes, so the sample history reads like a
// working day's.
func demoDaytime(t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	day := time.Date(l.Year(), l.Month(), l.Day(), 9, l.Minute(), 0, 0, loc)
	switch {
	case l.Hour() < 9:
		return day
	case l.Hour() >= 18:
		return day.AddDate(0, 0, 1)
	}
	return t
}
