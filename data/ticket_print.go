package data

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// TicketRecord is a ticket as the printed forms need it: the reception/
// complaint record (AC-KF-02-F01, one line per ticket) and the revisit
// record (F02, from the latest revisit).
type TicketRecord struct {
	Ticket
	Events       []TicketEvent // oldest first, with ByName
	OpenedByName string
}

// TicketRecord loads a ticket with its history for printing. id is the
// ticket's id or its number (XHW-01-20261123-003). The phone is full only
// for a reader whose role may see it (as Ticket); actorID "" masks it.
func (s *Store) TicketRecord(ctx context.Context, actorID, id string) (TicketRecord, error) {
	t, err := s.Ticket(ctx, actorID, id)
	if ErrorCode(err) == ENOTFOUND {
		t, err = s.TicketByNumber(ctx, actorID, id)
	}
	if err != nil {
		return TicketRecord{}, err
	}
	evs, err := s.TicketEvents(ctx, t.ID)
	if err != nil {
		return TicketRecord{}, err
	}
	r := TicketRecord{Ticket: t, Events: evs}
	if len(evs) > 0 {
		r.OpenedByName = evs[0].ByName
	}
	return r, nil
}

// LatestRevisit is the ticket's latest "revisited" event, or nil.
func (r TicketRecord) LatestRevisit() *TicketEvent {
	for i := len(r.Events) - 1; i >= 0; i-- {
		if r.Events[i].Kind == EvRevisited {
			return &r.Events[i]
		}
	}
	return nil
}

// Place is project, building and unit joined for a form's place column.
func (r TicketRecord) Place() string {
	var parts []string
	for _, p := range []string{r.Project, r.Building, r.Unit} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, " ")
}

// Chinese names the printed forms use (they are Chinese-first; the
// screens translate through assets/lang instead).
var (
	ticketKindZH  = map[string]string{TicketComplaint: "投诉", TicketRepair: "报修", TicketInquiry: "接待", TicketSuggestion: "建议"}
	ticketEventZH = map[string]string{EvOpened: "受理", EvAcknowledged: "开始处理", EvAssigned: "转交", EvEscalated: "升级",
		EvResponded: "答复客户", EvResolved: "处理完成", EvRevisitScheduled: "安排回访", EvRevisited: "回访", EvClosed: "关闭",
		EvReopened: "重新打开", EvNote: "备注"}
	closeReasonZH = map[string]string{CloseSatisfied: "客户满意", CloseLawfulDisagrees: "依法依规处理，客户仍有异议",
		CloseBeyondAuthority: "超出公司权限", CloseInvalid: "无效投诉，已向客户解释"}
	revisitMethodZH = map[string]string{"phone": "电话", "visit": "上门", "sms": "短信"}
)

// KindZH is the form's name of the ticket's kind: 投诉 / 报修 / 接待 (an
// inquiry is a reception) / 建议.
func (r TicketRecord) KindZH() string { return ticketKindZH[r.Kind] }

// HandlingZH summarises the handling and result for the record's
// 处理情况 column, one line per event that matters, office-local times.
func (r TicketRecord) HandlingZH(loc *time.Location) string {
	var lines []string
	for _, ev := range r.Events {
		if ev.Kind == EvOpened || ev.Kind == EvRevisitScheduled {
			continue
		}
		line := ev.At.In(loc).Format("01-02 15:04") + " " + ticketEventZH[ev.Kind]
		switch ev.Kind {
		case EvAssigned, EvEscalated:
			if ev.Kind == EvEscalated {
				line += map[int]string{EscalateSupervisor: "至项目主管", EscalateLeadership: "至公司领导"}[ev.Level]
			}
		case EvRevisited:
			line += " 满意度 " + strconv.Itoa(ev.Satisfaction)
		case EvClosed:
			line += "：" + closeReasonZH[ev.Reason]
		}
		if ev.Note != "" {
			line += "：" + ev.Note
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

// RevisitKindZH is the revisit form's occasion for the ticket's kind.
func (r TicketRecord) RevisitKindZH() string {
	switch r.Kind {
	case TicketComplaint:
		return "投诉处理后"
	case TicketRepair:
		return "维修完成后"
	}
	return "特约服务后"
}

// RevisitMethodZH is the Chinese name of a revisit method.
func RevisitMethodZH(m string) string { return revisitMethodZH[m] }

// RevisitResultZH is the revisit form's result line: closed, or escalated
// and reopened after an unsatisfactory revisit.
func (r TicketRecord) RevisitResultZH() string {
	rv := r.LatestRevisit()
	if rv == nil {
		return ""
	}
	if rv.Satisfaction <= UnsatisfiedMax {
		return "不满意，已升级并重新处理"
	}
	if r.State == StateClosed {
		return "已关闭：" + closeReasonZH[r.CloseReason]
	}
	return "满意"
}

// errTicketNoRevisit is returned when a revisit record is asked of a
// ticket not revisited yet.
func errTicketNoRevisit(number string) error {
	return &Error{Code: ECONFLICT, Key: "err.ticket.no_revisit", Err: fmt.Errorf("ticket %s has no revisit", number)}
}

// TicketRevisitRecord is TicketRecord for the revisit form: it refuses a
// ticket without a revisit (err.ticket.no_revisit).
func (s *Store) TicketRevisitRecord(ctx context.Context, actorID, id string) (TicketRecord, error) {
	r, err := s.TicketRecord(ctx, actorID, id)
	if err != nil {
		return r, err
	}
	if r.LatestRevisit() == nil {
		return r, errTicketNoRevisit(r.Number)
	}
	return r, nil
}
