package data

import (
	"context"
	"time"
)

// MissingSchedule is the year whose official holiday schedule an admin
// should import, seen at now: the current year, all year, while it has
// none; next year, from 1 November, while it has none (the State Council
// publishes the next year's notice in late October or November). ok is
// false when nothing is missing. Until the import, deadlines in that year
// count on the statutory holidays (StatutoryHolidays).
func (c *Calendar) MissingSchedule(now time.Time) (year int, ok bool) {
	now = now.In(c.loc)
	if y := now.Year(); c.Estimated(y) {
		return y, true
	}
	if y := now.Year() + 1; now.Month() >= time.November && c.Estimated(y) {
		return y, true
	}
	return 0, false
}

// EstimatedYears lists, ascending, the Estimated years that deadlines d of
// a ticket of kind and severity opened at opened were counted through on
// the company's working days: the deadlines to show as "按法定节日估算，
// 待导入官方安排". Limits on the clock or the office's opening hours do
// not depend on the holiday schedule and are left out.
func (p SLAPolicy) EstimatedYears(cal *Calendar, kind, severity string, urgent bool, opened time.Time, d Deadlines) []int {
	var r *SLARule
	for i := range p.Rules {
		if p.Rules[i].Kind == kind && p.Rules[i].Severity == severity {
			r = &p.Rules[i]
		}
	}
	if r == nil {
		return nil
	}
	type pair struct {
		limits []Limit
		due    time.Time
	}
	pairs := []pair{{[]Limit{r.Entry}, d.Entry}, {[]Limit{r.Response}, d.Response}, {[]Limit{r.Escalation}, d.Escalation}, {[]Limit{r.Resolution}, d.Resolution},
		{[]Limit{r.Ack}, d.Ack}}
	if urgent {
		pairs[1].limits = append(pairs[1].limits, p.Urgent.Response)
		pairs[2].limits = append(pairs[2].limits, p.Urgent.Escalation)
		pairs[3].limits = append(pairs[3].limits, p.Urgent.Resolution)
		pairs[4].limits = append(pairs[4].limits, p.Urgent.Ack)
	}
	seen := map[int]bool{}
	from := opened.In(cal.loc).Year()
	for _, pr := range pairs {
		if pr.due.IsZero() {
			continue
		}
		company := false
		for _, l := range pr.limits {
			company = company || l.Unit.Calendar() == "company"
		}
		if !company {
			continue
		}
		for y := from; y <= pr.due.In(cal.loc).Year(); y++ {
			if cal.Estimated(y) {
				seen[y] = true
			}
		}
	}
	var out []int
	for y := from; len(out) < len(seen); y++ {
		if seen[y] {
			out = append(out, y)
		}
	}
	return out
}

// ticketEstimatedYears sets t.EstimatedYears from its policy version and
// the office calendar as it stands now.
func (s *Store) ticketEstimatedYears(ctx context.Context, t *Ticket) error {
	pol, err := s.SLAPolicyVersion(ctx, t.Deadlines.PolicyVersion)
	if err != nil {
		return err
	}
	cal, err := s.Calendar(ctx)
	if err != nil {
		return err
	}
	t.EstimatedYears = pol.EstimatedYears(cal, t.Kind, t.Severity, t.Urgent, t.OpenedAt, t.Deadlines)
	return nil
}
