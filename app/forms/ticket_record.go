package forms

import (
	"strconv"
	"strings"
	"time"

	"anchang/data"
)

// The two ticket forms' wording: data.TicketRecord holds the facts (the
// ticket, its events, who did what), and these say them as the paper
// forms do, in Chinese (the screens translate through assets/lang).

var (
	ticketKindZH = map[string]string{data.TicketComplaint: "投诉", data.TicketRepair: "报修", data.TicketInquiry: "接待",
		data.TicketSuggestion: "建议"}
	ticketEventZH = map[string]string{data.EvOpened: "受理", data.EvAcknowledged: "开始处理", data.EvAssigned: "转交",
		data.EvEscalated: "升级", data.EvResponded: "答复客户", data.EvResolved: "处理完成", data.EvRevisitScheduled: "安排回访",
		data.EvRevisited: "回访", data.EvClosed: "关闭", data.EvReopened: "重新打开", data.EvNote: "备注"}
	escalationZH  = map[int]string{data.EscalateSupervisor: "至项目主管", data.EscalateLeadership: "至公司领导"}
	closeReasonZH = map[string]string{data.CloseSatisfied: "客户满意", data.CloseLawfulDisagrees: "依法依规处理，客户仍有异议",
		data.CloseBeyondAuthority: "超出公司权限", data.CloseInvalid: "无效投诉，已向客户解释"}
	revisitMethodZH = map[string]string{"phone": "电话", "visit": "上门", "sms": "短信"}
)

// ServiceEntryOf is a stored ticket as a line of the reception/complaint
// record; times print in loc.
func ServiceEntryOf(r data.TicketRecord, loc *time.Location) ServiceEntry {
	return ServiceEntry{At: r.OpenedAt, Place: r.Place(), Owner: strings.TrimSpace(r.CustomerName + " " + r.Unit),
		Contact: phoneOnForm(r.Phone), Kind: ticketKindZH[r.Kind], Subject: r.Subject, Account: r.Description, Demand: r.Demand,
		Handling: handling(r, loc)}
}

// handling summarises the handling and result for the record's 处理情况
// column, one line per event that matters, office-local times.
func handling(r data.TicketRecord, loc *time.Location) string {
	var lines []string
	for _, ev := range r.Events {
		if ev.Kind == data.EvOpened || ev.Kind == data.EvRevisitScheduled {
			continue
		}
		line := ev.At.In(loc).Format("01-02 15:04") + " " + ticketEventZH[ev.Kind]
		switch ev.Kind {
		case data.EvEscalated:
			line += escalationZH[ev.Level]
		case data.EvRevisited:
			line += " 满意度 " + strconv.Itoa(ev.Satisfaction)
		case data.EvClosed:
			line += "：" + closeReasonZH[ev.Reason]
		}
		if ev.Note != "" {
			line += "：" + ev.Note
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

// RevisitOf is a stored ticket's latest revisit as the revisit record
// prints it; the zero Revisit for a ticket not revisited.
func RevisitOf(r data.TicketRecord) Revisit {
	rv := r.LatestRevisit()
	if rv == nil {
		return Revisit{}
	}
	return Revisit{Owner: r.CustomerName, Unit: r.Place(), Contact: phoneOnForm(r.Phone), Kind: revisitKind(r.Kind),
		Ticket: r.Number, Method: revisitMethodZH[rv.Revisit.Method], At: rv.At, By: rv.ByName, Quality: rv.Revisit.Quality,
		Effect: rv.Revisit.Effect, Satisfaction: rv.Satisfaction, Shortcomings: rv.Revisit.Shortcomings,
		Suggestions: strings.TrimSpace(rv.Revisit.Suggestions + " " + rv.Note), Result: revisitResult(r, rv)}
}

// RevisitSerial is the revisit record's serial: the ticket's number and
// the revisit's sequence (XHW-01-20261123-003-R1), one per revisit.
func RevisitSerial(r data.TicketRecord) string {
	if rv := r.LatestRevisit(); rv != nil {
		return r.Number + "-R" + strconv.Itoa(rv.Seq)
	}
	return r.Number
}

// revisitKind is the revisit form's occasion for a ticket's kind.
func revisitKind(kind string) string {
	switch kind {
	case data.TicketComplaint:
		return "投诉处理后"
	case data.TicketRepair:
		return "维修完成后"
	}
	return "特约服务后"
}

// revisitResult is the revisit form's result line: closed, or escalated
// and reopened after an unsatisfactory revisit.
func revisitResult(r data.TicketRecord, rv *data.TicketEvent) string {
	if rv.Satisfaction <= data.UnsatisfiedMax {
		return "不满意，已升级并重新处理"
	}
	if r.State == data.StateClosed {
		return "已关闭：" + closeReasonZH[r.CloseReason]
	}
	return "满意"
}
