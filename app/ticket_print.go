package app

import (
	"context"
	"fmt"
	"io"
	"strings"

	"anchang/app/forms"
	"anchang/data"
)

// Printing a ticket: the stored ticket on the reception/complaint record
// (AC-KF-02-F01), and its latest revisit on the revisit record
// (AC-KF-02-F02). The record's contents are in Chinese, as the paper
// forms are; the phone as the printing staff member may see it.

// ticketKindOnForm is the 类别 column of the service record.
var ticketKindOnForm = map[string]string{
	data.TicketComplaint: "投诉", data.TicketRepair: "报修", data.TicketInquiry: "接待", data.TicketSuggestion: "建议",
}

var ticketEventOnForm = map[string]string{
	data.EvOpened: "受理", data.EvAcknowledged: "处理", data.EvAssigned: "转交", data.EvEscalated: "升级",
	data.EvResponded: "回复客户", data.EvResolved: "处理完成", data.EvRevisitScheduled: "安排回访", data.EvRevisited: "回访",
	data.EvClosed: "结案", data.EvReopened: "重新处理", data.EvNote: "备注",
}

var closeReasonOnForm = map[string]string{
	data.CloseSatisfied: "客户满意", data.CloseLawfulDisagrees: "依法依规处理，客户仍有异议",
	data.CloseBeyondAuthority: "超出公司权限", data.CloseInvalid: "无效投诉，已向客户解释",
}

var revisitMethodOnForm = map[string]string{"phone": "电话", "visit": "上门", "sms": "短信"}

func levelOnForm(level int) string {
	if level >= data.EscalateLeadership {
		return "公司领导"
	}
	return "客服主管"
}

// ticketHandling is the 处理情况 column: what happened after opening, in
// order, with who and when.
func ticketHandling(events []data.TicketEvent, names map[string]string) string {
	var parts []string
	for _, ev := range events {
		if ev.Kind == data.EvOpened || ev.Kind == data.EvNote {
			continue
		}
		s := ev.At.Format("01-02 15:04") + " " + ticketEventOnForm[ev.Kind]
		switch ev.Kind {
		case data.EvAssigned:
			s += "给" + names[ev.To]
		case data.EvEscalated:
			s += "至" + levelOnForm(ev.Level)
		case data.EvRevisited:
			s += fmt.Sprintf("，满意度 %d", ev.Satisfaction)
		case data.EvClosed:
			s += "：" + closeReasonOnForm[ev.Reason]
		}
		if ev.Note != "" {
			s += "（" + ev.Note + "）"
		}
		if by := ev.ByName; by != "" && !ev.Auto {
			s += " " + by
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "；")
}

// ticketRecord reads what printing a ticket needs, as actorID may see it.
func (u *UI) ticketRecord(ctx context.Context, actorID, id string) (data.Ticket, []data.TicketEvent, map[string]string, error) {
	t, err := u.store.Ticket(ctx, actorID, id)
	if err != nil {
		return t, nil, nil, err
	}
	events, err := u.store.TicketEvents(ctx, id)
	if err != nil {
		return t, nil, nil, err
	}
	staff, err := u.store.ListStaff(ctx, true)
	if err != nil {
		return t, nil, nil, err
	}
	names := map[string]string{}
	for _, st := range staff {
		names[st.ID] = st.Name
	}
	loc := u.location()
	for i := range events {
		events[i].At = events[i].At.In(loc)
	}
	return t, events, names, nil
}

func printedPhone(p string) string {
	if strings.HasPrefix(p, "+") {
		return data.FormatPhone(p)
	}
	return p
}

// printTicket prints a ticket on the reception/complaint record.
func (u *UI) printTicket(id string) {
	actor, name := u.user.ID, u.user.Name
	u.showPrint(printJob{def: forms.ServiceRecord, render: func(ctx context.Context, w io.Writer, version string) (printed, error) {
		t, events, names, err := u.ticketRecord(ctx, actor, id)
		if err != nil {
			return printed{}, err
		}
		loc := u.location()
		m := forms.Meta{Office: u.office.Name, Serial: t.Number, RecordID: t.ID, PrintedAt: u.now().In(loc), PrintedBy: name, Version: version, Loc: loc}
		place := strings.Join(strings.Fields(t.Project+" "+t.Building+" "+t.Unit), " ")
		owner := strings.TrimSpace(t.CustomerName + " " + strings.TrimSpace(t.Building+t.Unit))
		entry := forms.ServiceEntry{At: t.OpenedAt, Place: place, Owner: owner, Contact: printedPhone(t.Phone), Kind: ticketKindOnForm[t.Kind],
			Subject: t.Subject, Account: t.Description, Demand: t.Demand, Handling: ticketHandling(events, names)}
		day := t.OpenedAt.In(loc).Format("2006-01-02")
		if err := forms.RenderServiceLog(w, m, forms.ServiceLog{Period: day, Entries: []forms.ServiceEntry{entry}}); err != nil {
			return printed{}, err
		}
		return printed{serial: t.Number, about: T("print.about.ticket", map[string]any{"Number": t.Number, "Kind": T("ticket.kind." + t.Kind)})}, nil
	}}, nil)
}

// printTicketRevisit prints a ticket's latest revisit on the revisit record.
func (u *UI) printTicketRevisit(id string) {
	actor, name := u.user.ID, u.user.Name
	u.showPrint(printJob{def: forms.RevisitRecord, render: func(ctx context.Context, w io.Writer, version string) (printed, error) {
		t, events, _, err := u.ticketRecord(ctx, actor, id)
		if err != nil {
			return printed{}, err
		}
		var rv *data.TicketEvent
		var after []data.TicketEvent
		for i := range events {
			if events[i].Kind == data.EvRevisited {
				rv, after = &events[i], events[i+1:]
			}
		}
		if rv == nil {
			return printed{}, &data.Error{Code: data.ENOTFOUND, Key: "ticket.err.no_revisit"}
		}
		loc := u.location()
		m := forms.Meta{Office: u.office.Name, Serial: t.Number + "-R" + itoa(rv.Seq), RecordID: rv.ID, PrintedAt: u.now().In(loc), PrintedBy: name, Version: version, Loc: loc}
		occasion := ""
		switch t.Kind {
		case data.TicketComplaint:
			occasion = forms.RevisitKinds[0]
		case data.TicketRepair:
			occasion = forms.RevisitKinds[1]
		}
		result := "满意"
		switch {
		case rv.Satisfaction <= data.UnsatisfiedMax:
			result = "不满意"
		case rv.Satisfaction == 3:
			result = "基本满意"
		}
		for _, ev := range after {
			switch {
			case ev.Kind == data.EvEscalated && ev.Auto:
				result += "，已升级至" + levelOnForm(ev.Level) + "并重新处理"
			case ev.Kind == data.EvClosed:
				result += "；" + ev.At.Format("01-02 15:04") + " 结案：" + closeReasonOnForm[ev.Reason]
			}
		}
		r := forms.Revisit{Owner: t.CustomerName, Unit: strings.Join(strings.Fields(t.Project+" "+t.Building+" "+t.Unit), " "), Contact: printedPhone(t.Phone),
			Kind: occasion, Ticket: t.Number, Method: revisitMethodOnForm[rv.Revisit.Method], At: rv.At, By: rv.ByName,
			Quality: rv.Revisit.Quality, Effect: rv.Revisit.Effect, Satisfaction: rv.Satisfaction,
			Shortcomings: rv.Revisit.Shortcomings, Suggestions: strings.TrimSpace(rv.Revisit.Suggestions + " " + rv.Note), Result: result}
		if err := forms.RenderRevisit(w, m, r); err != nil {
			return printed{}, err
		}
		return printed{serial: m.Serial, about: T("print.about.revisit", map[string]any{"Number": t.Number, "Time": u.dateTime(rv.At)})}, nil
	}}, nil)
}
