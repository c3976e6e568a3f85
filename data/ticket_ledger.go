package data

import (
	"context"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// LedgerFilter selects the tickets of a ledger (投诉电子台账): opened in
// [From, To), and the other fields when set.
type LedgerFilter struct {
	From, To time.Time
	Kind     string
	Category string
	Severity string
	State    TicketState
	OwnerID  string
}

// Rate is a count against a total, with its target. AtMost targets (the
// repeat rate) are met at or below the target, the others at or above.
type Rate struct {
	Num, Den int
	Target   float64
	AtMost   bool
}

// Value is Num/Den, 0 without a total.
func (r Rate) Value() float64 {
	if r.Den == 0 {
		return 0
	}
	return float64(r.Num) / float64(r.Den)
}

// Met reports whether the rate meets its target; a rate without a total
// meets it.
func (r Rate) Met() bool {
	if r.Den == 0 || r.Target == 0 {
		return true
	}
	if r.AtMost {
		return r.Value() <= r.Target+1e-9
	}
	return r.Value() >= r.Target-1e-9
}

// LedgerRow is one ticket of the ledger. Phone is masked.
type LedgerRow struct {
	Ticket
	AckOnTime        *bool  // nil: no acknowledgement deadline, or not taken up and not yet due
	ResponseOnTime   *bool  // nil: no response deadline, or not responded and not yet due
	ResolutionOnTime *bool  // likewise for resolution
	Repeat           bool   // it raises an earlier, answered problem again (see Repeats)
	RepeatOf         string // the earlier ticket's number
}

// LedgerWeek is one week's count by category (weekly summary by type).
type LedgerWeek struct {
	Start      string         // Monday, YYYY-MM-DD office-local
	ByCategory map[string]int // category → tickets opened that week
	Total      int
}

// TicketLedger is the electronic ledger of a period with its figures.
type TicketLedger struct {
	Filter     LedgerFilter
	Service    ServicePolicy // the current policy's targets the figures are measured against
	Rows       []LedgerRow   // oldest first
	ByCategory map[string]int
	Weeks      []LedgerWeek

	Repeat             Rate    // repeat complaints/repairs among complaints and repairs (target ≤ 5%)
	SatisfactionAvg    float64 // average latest revisit score of revisited tickets
	SatisfactionN      int
	AckOnTime          Rate            // taken up (acknowledged, answered or resolved) by the acknowledgement deadline, among those due
	ResponseOnTime     Rate            // responded by the response deadline, among those due
	ResolutionOnTime   Rate            // resolved by the resolution deadline, among those due
	RevisitCompletion  map[string]Rate // by kind (complaint target 100%, repair 90%): revisited inside the window among revisits due
	RevisitLate        map[string]int  // by kind: revisits made after their window (due, not on time)
	RevisitEarly       map[string]int  // by kind: revisits made before their window opened (recorded by an older desk; not counted)
	Open, Closed, Late int             // open tickets, closed tickets, open tickets past a deadline
}

// SatisfactionMet reports whether the average satisfaction meets its target.
func (l TicketLedger) SatisfactionMet() bool {
	return l.SatisfactionN == 0 || l.SatisfactionAvg >= l.Service.Satisfaction-1e-9
}

// problem kinds are counted for repeats.
func isProblem(kind string) bool { return kind == TicketComplaint || kind == TicketRepair }

// TicketLedger builds the ledger of the tickets f selects, with its
// figures at the store's now:
//   - Weeks: tickets opened each week (Monday first) by category;
//   - Repeat: complaints and repairs that raise an earlier, answered
//     problem again within the policy's repeat window (see Repeats; earlier tickets
//     outside the period count as the earlier one);
//   - SatisfactionAvg over tickets with a revisit;
//   - ResponseOnTime / ResolutionOnTime over tickets whose deadline has
//     passed or was met (a ticket resolved without a separate reply was
//     answered when resolved);
//   - RevisitCompletion per kind over revisits scheduled whose window has
//     ended or that were made (a revisit counts for the latest resolution):
//     completed on time only inside its window; one made after it counts
//     in RevisitLate, one made before it opened (an older desk recorded
//     it; the desk now refuses it) in RevisitEarly, neither as on time.
func (s *Store) TicketLedger(ctx context.Context, f LedgerFilter) (TicketLedger, error) {
	_, o, err := s.ids()
	if err != nil {
		return TicketLedger{}, err
	}
	sp, err := s.ServicePolicy(ctx)
	if err != nil {
		return TicketLedger{}, err
	}
	where := []string{"t.office_id = ?"}
	args := []any{o.ID}
	if !f.From.IsZero() {
		where, args = append(where, "t.opened_at >= ?"), append(args, ms(f.From.Add(-sp.RepeatWindow())))
	}
	if !f.To.IsZero() {
		where, args = append(where, "t.opened_at < ?"), append(args, ms(f.To))
	}
	// A ticket opened from an inspection's defect carries that inspection
	// and the checklist item of the defect (one link per defect).
	rows, err := s.db.QueryContext(ctx, `SELECT `+ticketCols+`, COALESCE(l.inspection_id, ''), COALESCE(r.item, '')
		FROM tickets t LEFT JOIN staff o ON o.id = t.owner_id
		LEFT JOIN inspection_defect_tickets l ON l.id = (SELECT l2.id FROM inspection_defect_tickets l2 WHERE l2.ticket_id = t.id ORDER BY l2.created_at, l2.id LIMIT 1)
		LEFT JOIN inspection_results r ON r.id = l.defect_id
		WHERE `+strings.Join(where, " AND ")+` ORDER BY t.opened_at, t.id`, args...)
	if err != nil {
		return TicketLedger{}, fmt.Errorf("ledger: %w", err)
	}
	var all []LedgerTicket
	for rows.Next() {
		var lt LedgerTicket
		t, err := scanTicket(scanMore{rows, []any{&lt.Inspection, &lt.Item}})
		if err != nil {
			rows.Close()
			return TicketLedger{}, fmt.Errorf("ledger: %w", err)
		}
		lt.Ticket = t
		all = append(all, lt)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return TicketLedger{}, fmt.Errorf("ledger: %w", err)
	}
	return buildLedger(f, all, s.now(), s.Location(), sp), nil
}

// scanMore scans a row's leading columns with a scanner's and the rest
// into more.
type scanMore struct {
	sc   interface{ Scan(...any) error }
	more []any
}

func (m scanMore) Scan(dest ...any) error { return m.sc.Scan(append(dest, m.more...)...) }

// LedgerTicket is a ticket as the ledger reads it: with the inspection
// whose defect opened it and that defect's checklist item, both "" for a
// ticket typed at the desk.
type LedgerTicket struct {
	Ticket
	Inspection string // inspections.id (inspection_defect_tickets)
	Item       string // template item key of the defect, 'kitchen.drain'
}

// answeredAt is when a ticket was first answered: the earliest of its
// reply, its resolution and its closing (an invalid one is explained and
// closed); zero while it is not.
func answeredAt(t Ticket) time.Time {
	var a time.Time
	for _, v := range []time.Time{t.Responded, t.Resolved, t.Closed} {
		if !v.IsZero() && (a.IsZero() || v.Before(a)) {
			a = v
		}
	}
	return a
}

// sameProblem reports whether later raises the problem of earlier again
// (see Repeats).
func sameProblem(earlier, later LedgerTicket) bool {
	if !isProblem(earlier.Kind) || !isProblem(later.Kind) || earlier.Category != later.Category {
		return false
	}
	if earlier.Inspection != "" && earlier.Inspection == later.Inspection {
		return false // born together from one inspection: one occasion
	}
	if earlier.Item != "" && later.Item != "" && earlier.Item != later.Item {
		return false // two defects of the checklist, not one
	}
	if earlier.Phone != "" && earlier.Phone == later.Phone {
		return true // the same customer
	}
	unit := func(t LedgerTicket) string {
		if t.Project == "" || t.Building == "" || t.Unit == "" {
			return ""
		}
		return t.Project + "\x00" + t.Building + "\x00" + t.Unit
	}
	// Another customer of the same unit: only for the same defect, which
	// is known by its checklist item.
	return unit(earlier) != "" && unit(earlier) == unit(later) && earlier.Item != "" && earlier.Item == later.Item
}

// Repeats finds the repeat complaints among tickets (oldest first): for
// each, the index of the earlier ticket it repeats, or -1. A complaint or
// repair repeats an earlier complaint or repair when
//   - both are of the same category;
//   - the later one was opened within window of the earlier one and after
//     the earlier one was answered (replied to, resolved or closed): a
//     customer who asks again before any answer is chasing, not repeating;
//   - they come from the same customer (the same phone), or from the same
//     unit (project, building and unit all given) and the same defect;
//   - where both name a checklist item (tickets opened from an
//     inspection's defects), it is the same item: a door and a drain are
//     two problems, however close in time;
//   - they were not opened from the same inspection: one inspection's
//     defects are one occasion, never repeats of each other.
//
// A ticket typed at the desk names no checklist item, so another customer
// of the same unit never makes it a repeat. Of several earlier tickets it
// repeats, the latest is named. The window is the SLA policy's
// (ServicePolicy.RepeatWindow, 90 days by default).
func Repeats(tickets []LedgerTicket, window time.Duration) []int {
	out := make([]int, len(tickets))
	byCat := map[string][]int{}
	for i, t := range tickets {
		out[i] = -1
		if !isProblem(t.Kind) {
			continue
		}
		prev := byCat[t.Category]
		for k := len(prev) - 1; k >= 0; k-- {
			e := tickets[prev[k]]
			if t.OpenedAt.Sub(e.OpenedAt) > window {
				break
			}
			if a := answeredAt(e.Ticket); !a.IsZero() && a.Before(t.OpenedAt) && sameProblem(e, t) {
				out[i] = prev[k]
				break
			}
		}
		byCat[t.Category] = append(prev, i)
	}
	return out
}

// buildLedger computes the ledger from tickets opened in [f.From-90d,
// f.To), oldest first. It is pure.
func buildLedger(f LedgerFilter, all []LedgerTicket, now time.Time, loc *time.Location, sp ServicePolicy) TicketLedger {
	l := TicketLedger{Filter: f, Service: sp, ByCategory: map[string]int{},
		Repeat:            Rate{Target: sp.RepeatRate, AtMost: true},
		ResponseOnTime:    Rate{},
		ResolutionOnTime:  Rate{},
		RevisitCompletion: map[string]Rate{}, RevisitLate: map[string]int{}, RevisitEarly: map[string]int{}}
	for _, k := range TicketKinds {
		if NeedsRevisit(k) {
			l.RevisitCompletion[k] = Rate{Target: sp.RevisitTarget(k)}
		}
	}
	repeats := Repeats(all, sp.RepeatWindow())
	weeks := map[string]*LedgerWeek{}
	satSum := 0
	for i, lt := range all {
		t := lt.Ticket
		if !f.From.IsZero() && t.OpenedAt.Before(f.From) {
			continue // only an earlier ticket for repeats
		}
		if (f.Kind != "" && t.Kind != f.Kind) || (f.Category != "" && t.Category != f.Category) || (f.Severity != "" && t.Severity != f.Severity) ||
			(f.State != "" && t.State != f.State) || (f.OwnerID != "" && t.OwnerID != f.OwnerID) {
			continue
		}
		r := LedgerRow{Ticket: t}
		if t.Phone != "" {
			r.Phone = MaskPhone(t.Phone)
		}
		if isProblem(t.Kind) {
			l.Repeat.Den++
			if e := repeats[i]; e >= 0 {
				r.Repeat, r.RepeatOf = true, all[e].Number
				l.Repeat.Num++
			}
		}
		replied := t.Responded
		if replied.IsZero() {
			replied = t.Resolved // resolving answers the customer at the latest
		}
		r.AckOnTime = onTime(t.Deadlines.Ack, firstOf(t.Acknowledged, t.Responded, t.Resolved), now)
		countRate(&l.AckOnTime, r.AckOnTime)
		r.ResponseOnTime = onTime(t.Deadlines.Response, replied, now)
		r.ResolutionOnTime = onTime(t.Deadlines.Resolution, t.Resolved, now)
		countRate(&l.ResponseOnTime, r.ResponseOnTime)
		countRate(&l.ResolutionOnTime, r.ResolutionOnTime)
		if t.Satisfaction > 0 {
			satSum += t.Satisfaction
			l.SatisfactionN++
		}
		if rate, ok := l.RevisitCompletion[t.Kind]; ok && !t.RevisitFrom.IsZero() {
			done := !t.Revisited.IsZero() && !t.Revisited.Before(t.Resolved)
			if done || now.After(t.RevisitTo) {
				rate.Den++
				switch {
				case !done:
				case t.Revisited.Before(t.RevisitFrom):
					l.RevisitEarly[t.Kind]++
				case t.Revisited.After(t.RevisitTo):
					l.RevisitLate[t.Kind]++
				default:
					rate.Num++
				}
				l.RevisitCompletion[t.Kind] = rate
			}
		}
		if t.State == StateClosed {
			l.Closed++
		} else {
			l.Open++
			if _, _, due, _, _ := ticketDue(ticketDueFields{State: t.State, OpenedAt: t.OpenedAt, Ack: t.Deadlines.Ack, Response: t.Deadlines.Response,
				Resolution: t.Deadlines.Resolution, Acknowledged: t.Acknowledged, Responded: t.Responded, Resolved: t.Resolved,
				RevisitFrom: t.RevisitFrom, RevisitTo: t.RevisitTo}, now); due == DueOverdue {
				l.Late++
			}
		}
		l.ByCategory[t.Category]++
		day := t.OpenedAt.In(loc)
		monday := time.Date(day.Year(), day.Month(), day.Day()-(int(day.Weekday())+6)%7, 0, 0, 0, 0, loc).Format(time.DateOnly)
		w := weeks[monday]
		if w == nil {
			w = &LedgerWeek{Start: monday, ByCategory: map[string]int{}}
			weeks[monday] = w
		}
		w.ByCategory[t.Category]++
		w.Total++
		l.Rows = append(l.Rows, r)
	}
	if l.SatisfactionN > 0 {
		l.SatisfactionAvg = float64(satSum) / float64(l.SatisfactionN)
	}
	for _, w := range weeks {
		l.Weeks = append(l.Weeks, *w)
	}
	sort.Slice(l.Weeks, func(i, j int) bool { return l.Weeks[i].Start < l.Weeks[j].Start })
	return l
}

// firstOf is the earliest of the non-zero times (zero when all are).
func firstOf(ts ...time.Time) time.Time {
	var first time.Time
	for _, t := range ts {
		first = sooner(first, t)
	}
	return first
}

// onTime says whether something due at due and done at done (zero: not
// yet) was on time; nil when there is no deadline or it is still open and
// not yet due.
func onTime(due, done, now time.Time) *bool {
	if due.IsZero() {
		return nil
	}
	var v bool
	switch {
	case !done.IsZero():
		v = !done.After(due)
	case now.After(due):
		v = false
	default:
		return nil
	}
	return &v
}

func countRate(r *Rate, v *bool) {
	if v == nil {
		return
	}
	r.Den++
	if *v {
		r.Num++
	}
}

// cellSafe guards a spreadsheet cell against formula injection like
// csvSafe: text a spreadsheet would read as a formula gets a leading
// apostrophe.
func cellSafe(c string) string {
	if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
		return "'" + c
	}
	return c
}

// Ledger sheet names.
const (
	LedgerSheetTickets = "台账 Ledger"
	LedgerSheetWeeks   = "周汇总 Weekly"
	LedgerSheetKPIs    = "指标 KPIs"
)

// LedgerColumns are the ledger sheet's headers.
var LedgerColumns = []string{"编号 No.", "受理时间 Opened", "类型 Kind", "分类 Category", "级别 Severity", "紧急 Urgent", "有效 Valid",
	"状态 State", "客户 Customer", "电话 Phone", "项目 Project", "楼栋 Building", "房号 Unit", "被投诉人/部门 Subject", "事情经过 What happened",
	"客户诉求 Demand", "负责人 Owner", "责任部门 Department", "受理时限 Acknowledgement due", "受理时间 Acknowledged",
	"按时受理 Acknowledged on time", "答复时限 Response due", "答复时间 Responded", "按时答复 Response on time",
	"业主要求期限 Owner's deadline", "解决时限 Resolution due", "解决时间 Resolved", "按时解决 Resolution on time", "回访时间 Revisited", "满意度 Satisfaction",
	"关闭原因 Close reason", "重复投诉 Repeat of", "SLA 版本 Policy"}

// WriteTicketLedgerXLSX writes the ledger as an Excel workbook: the
// tickets, the weekly summary by category, and the figures against their
// targets. tr translates enum keys (ticket.kind.*, ticket.cat.*,
// ticket.sev.*, ticket.state.*, ticket.close.*); nil writes the codes.
// Text cells are guarded against formula injection (cellSafe); times are
// office-local "2006-01-02 15:04".
func WriteTicketLedgerXLSX(w io.Writer, l TicketLedger, loc *time.Location, tr func(key string) string) error {
	if tr == nil {
		tr = func(k string) string { return k[strings.LastIndexByte(k, '.')+1:] }
	}
	if loc == nil {
		loc = shanghai
	}
	tf := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(loc).Format("2006-01-02 15:04")
	}
	yn := func(b *bool) string {
		switch {
		case b == nil:
			return ""
		case *b:
			return "✓"
		}
		return "✗"
	}
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", LedgerSheetTickets); err != nil {
		return fmt.Errorf("ledger xlsx: %w", err)
	}
	writeRows := func(sheet string, table [][]any) error {
		for i, rec := range table {
			for j, v := range rec {
				if s, ok := v.(string); ok {
					rec[j] = cellSafe(s)
				}
			}
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			if err := f.SetSheetRow(sheet, cell, &rec); err != nil {
				return fmt.Errorf("ledger xlsx: %w", err)
			}
		}
		return nil
	}
	table := [][]any{toAny(LedgerColumns)}
	for _, r := range l.Rows {
		sat := any("")
		if r.Satisfaction > 0 {
			sat = r.Satisfaction
		}
		reason := ""
		if r.CloseReason != "" {
			reason = tr("ticket.close." + r.CloseReason)
		}
		b := func(v bool) string {
			if v {
				return "✓"
			}
			return ""
		}
		table = append(table, []any{r.Number, tf(r.OpenedAt), tr("ticket.kind." + r.Kind), tr("ticket.cat." + r.Category), tr("ticket.sev." + r.Severity),
			b(r.Urgent), b(r.Valid), tr("ticket.state." + string(r.State)), r.CustomerName, r.Phone, r.Project, r.Building, r.Unit, r.Subject,
			r.Description, r.Demand, r.OwnerName, r.Department, tf(r.Deadlines.Ack), tf(r.Acknowledged), yn(r.AckOnTime),
			tf(r.Deadlines.Response), tf(r.Responded), yn(r.ResponseOnTime), tf(r.Deadlines.Requested), tf(r.Deadlines.Resolution), tf(r.Resolved), yn(r.ResolutionOnTime), tf(r.Revisited), sat, reason, r.RepeatOf, r.Deadlines.PolicyVersion})
	}
	if err := writeRows(LedgerSheetTickets, table); err != nil {
		return err
	}
	_ = f.SetColWidth(LedgerSheetTickets, "A", "B", 20)
	_ = f.SetColWidth(LedgerSheetTickets, "O", "P", 50)

	if _, err := f.NewSheet(LedgerSheetWeeks); err != nil {
		return fmt.Errorf("ledger xlsx: %w", err)
	}
	head := []any{"周起始 Week of"}
	for _, c := range TicketCategories {
		head = append(head, tr("ticket.cat."+c))
	}
	head = append(head, "合计 Total")
	table = [][]any{head}
	for _, wk := range l.Weeks {
		row := []any{wk.Start}
		for _, c := range TicketCategories {
			row = append(row, wk.ByCategory[c])
		}
		table = append(table, append(row, wk.Total))
	}
	if err := writeRows(LedgerSheetWeeks, table); err != nil {
		return err
	}

	if _, err := f.NewSheet(LedgerSheetKPIs); err != nil {
		return fmt.Errorf("ledger xlsx: %w", err)
	}
	pct := func(r Rate) string {
		if r.Den == 0 {
			return ""
		}
		return strconv.FormatFloat(100*r.Value(), 'f', 1, 64) + "%"
	}
	met := func(ok bool) string {
		if ok {
			return "✓"
		}
		return "✗"
	}
	table = [][]any{{"指标 Figure", "数值 Value", "计数 Count", "目标 Target", "达标 Met"},
		{"重复投诉率 Repeat rate", pct(l.Repeat), fmt.Sprintf("%d/%d", l.Repeat.Num, l.Repeat.Den), "≤ " + pctOf(l.Repeat.Target), met(l.Repeat.Met())},
		{"平均满意度 Average satisfaction", strconv.FormatFloat(l.SatisfactionAvg, 'f', 2, 64), strconv.Itoa(l.SatisfactionN),
			"≥ " + strconv.FormatFloat(l.Service.Satisfaction, 'f', -1, 64), met(l.SatisfactionMet())},
		{"按时受理率 Acknowledged on time", pct(l.AckOnTime), fmt.Sprintf("%d/%d", l.AckOnTime.Num, l.AckOnTime.Den), "", ""},
		{"按时答复率 Responses on time", pct(l.ResponseOnTime), fmt.Sprintf("%d/%d", l.ResponseOnTime.Num, l.ResponseOnTime.Den), "", ""},
		{"按时解决率 Resolutions on time", pct(l.ResolutionOnTime), fmt.Sprintf("%d/%d", l.ResolutionOnTime.Num, l.ResolutionOnTime.Den), "", ""},
	}
	for _, k := range TicketKinds {
		if r, ok := l.RevisitCompletion[k]; ok {
			table = append(table, []any{"回访按时完成率 Revisits on time: " + tr("ticket.kind."+k), pct(r), fmt.Sprintf("%d/%d", r.Num, r.Den),
				pctOf(r.Target), met(r.Met())},
				[]any{"逾期回访 Revisits late: " + tr("ticket.kind."+k), l.RevisitLate[k], "", "", ""})
			if n := l.RevisitEarly[k]; n > 0 {
				table = append(table, []any{"提前回访（不计）Revisits early, not counted: " + tr("ticket.kind."+k), n, "", "", ""})
			}
		}
	}
	table = append(table, []any{"未结 Open", l.Open, "", "", ""}, []any{"已关闭 Closed", l.Closed, "", "", ""}, []any{"逾期 Overdue", l.Late, "", "", ""})
	if err := writeRows(LedgerSheetKPIs, table); err != nil {
		return err
	}
	_ = f.SetColWidth(LedgerSheetKPIs, "A", "A", 36)
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("ledger xlsx: %w", err)
	}
	return nil
}

// pctOf writes a target rate as a percentage: 0.05 → "5%", 0.925 → "92.5%".
func pctOf(v float64) string { return strconv.FormatFloat(math.Round(v*1000)/10, 'f', -1, 64) + "%" }

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
