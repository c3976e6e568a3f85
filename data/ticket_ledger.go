package data

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
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
				RevisitFrom: t.RevisitFrom, RevisitTo: t.RevisitTo}, now, sp.SupervisorAfter()); due == DueOverdue {
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
