package data

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"time"
)

// The service part of the SLA policy: the figures the ledger measures
// against, the revisit windows and their required rates, and the hand-off
// follow-up. Like the deadlines they are versioned with the policy (HQ's
// once a device is enrolled). Which version applies:
//   - a ticket's deadlines, including the revisit window scheduled when it
//     is resolved, come from the version it was opened under;
//   - a care revisit's window and a hand-off's follow-up come from the
//     policy in force when they are scheduled (they have no version of
//     their own; the window or due time is stored with them);
//   - the figures (the targets, the repeat window, the required revisit
//     rates) are always the current policy's: a ledger measures a period
//     against today's targets.

// Offset is a distance in time: calendar months (in the office's time
// zone) and then days of 24 hours; either may be negative.
type Offset struct {
	Months, Days int
}

// From is t moved by the offset.
func (o Offset) From(t time.Time, loc *time.Location) time.Time {
	if loc == nil {
		loc = t.Location()
	}
	if o.Months != 0 {
		t = t.In(loc).AddDate(0, o.Months, 0)
	}
	return t.Add(time.Duration(o.Days) * 24 * time.Hour)
}

// Window is a revisit window relative to the event that causes it (a
// ticket resolved, a contract signed, a handover) and the share of such
// revisits that must be made inside it.
type Window struct {
	From, To Offset
	Target   float64 // required completion rate, 0–1; 0 informational
}

// None reports a window that was never set (no revisit).
func (w Window) None() bool { return w == Window{} }

// Apply is the window for something that happened at t.
func (w Window) Apply(t time.Time, loc *time.Location) (from, to time.Time) {
	return w.From.From(t, loc), w.To.From(t, loc)
}

// ServicePolicy is the service part of an SLAPolicy.
type ServicePolicy struct {
	RepeatRate   float64 // target: repeat complaints at most this share (0.05)
	Satisfaction float64 // target: average revisit satisfaction at least this (4.5 of 5)
	RepeatDays   int     // how far back an earlier ticket makes a repeat (90 days)

	// Revisits are the revisit windows of ticket kinds, from resolution
	// (complaint, repair); a kind without one needs no revisit.
	Revisits map[string]Window
	// Care are the care revisits' windows by care kind: signing (from the
	// check-in to sign), move-in 3 months and 1 year (from the completed
	// handover), special (the default window of a special revisit).
	Care map[string]Window
	// HandoffFollowUp is how soon a question handed to a colleague must be
	// followed up (1 hour).
	HandoffFollowUp Limit
	// SupervisorDays is how many days past its window a revisit (a
	// ticket's or a care revisit) may lag before it is flagged for the
	// supervisor (3).
	SupervisorDays int
}

// RevisitKinds are the ticket kinds that are revisited after resolution.
var RevisitKinds = []string{TicketComplaint, TicketRepair}

// DefaultServicePolicy is the seeds' numbers (DOMAIN: revisits; targets
// and KPIs): complaints revisited within 3 days of handling, 100%; repairs
// 1 week to 1 month after completion, 90%; signing revisits 7–10 days after
// signing; the 3-month living revisit ± 7 days and the 1-year quality check
// ± 14 days after handover; special (help service) revisits within a week,
// 90%; repeat complaints ≤ 5% within 90 days; satisfaction ≥ 4.5; a
// handed-off question followed up within 1 hour.
func DefaultServicePolicy() ServicePolicy {
	return ServicePolicy{
		RepeatRate: 0.05, Satisfaction: 4.5, RepeatDays: 90,
		Revisits: map[string]Window{
			TicketComplaint: {To: Offset{Days: 3}, Target: 1},
			TicketRepair:    {From: Offset{Days: 7}, To: Offset{Months: 1}, Target: 0.9},
		},
		Care: map[string]Window{
			CareSigning:  {From: Offset{Days: 7}, To: Offset{Days: 10}},
			CareMoveIn3M: {From: Offset{Months: 3, Days: -7}, To: Offset{Months: 3, Days: 7}},
			CareMoveIn1Y: {From: Offset{Months: 12, Days: -14}, To: Offset{Months: 12, Days: 14}},
			CareSpecial:  {To: Offset{Days: 7}, Target: 0.9},
		},
		HandoffFollowUp: Limit{N: 1, Unit: UnitHours},
		SupervisorDays:  DefaultSupervisorDays,
	}
}

// Limits of the service figures.
const (
	MaxRepeatDays     = 3650
	MaxWindowMonths   = 24
	MaxWindowDays     = 366
	MaxSatisfaction   = 5
	MaxSupervisorDays = 90
	// DefaultSupervisorDays: a revisit more than 3 days past its window is
	// flagged for the supervisor (DOMAIN: revisits).
	DefaultSupervisorDays = 3
	windowCheckStart      = 1767225600 // 2026-01-01 UTC: windows are checked from here
)

// Validate checks the figures and windows: rates 0–100%, satisfaction 0–5,
// a repeat window of 1–3650 days, every revisit window ending after it
// opens and within 2 years, and a follow-up limit.
func (sp ServicePolicy) Validate() error {
	if sp.RepeatRate < 0 || sp.RepeatRate > 1 || math.IsNaN(sp.RepeatRate) {
		return invalid("repeat_rate", "err.sla.rate", map[string]any{"Value": fmtPct(sp.RepeatRate)})
	}
	if sp.Satisfaction < 0 || sp.Satisfaction > MaxSatisfaction || math.IsNaN(sp.Satisfaction) {
		return invalid("satisfaction", "err.sla.satisfaction", map[string]any{"Max": MaxSatisfaction})
	}
	if sp.RepeatDays < 1 || sp.RepeatDays > MaxRepeatDays {
		return invalid("repeat_days", "err.sla.repeat_days", map[string]any{"Max": MaxRepeatDays})
	}
	check := func(field string, w Window) error {
		if w.Target < 0 || w.Target > 1 || math.IsNaN(w.Target) {
			return invalid(field, "err.sla.rate", map[string]any{"Value": fmtPct(w.Target)})
		}
		for _, o := range []Offset{w.From, w.To} {
			if o.Months < 0 || o.Months > MaxWindowMonths || o.Days < -MaxWindowDays || o.Days > MaxWindowDays {
				return invalid(field, "err.sla.window_range", map[string]any{"Months": MaxWindowMonths, "Days": MaxWindowDays})
			}
		}
		t := time.Unix(windowCheckStart, 0).In(shanghai)
		from, to := w.Apply(t, shanghai)
		if !to.After(from) || from.Before(t) {
			return invalid(field, "err.sla.window", nil)
		}
		return nil
	}
	for _, k := range RevisitKinds {
		w, ok := sp.Revisits[k]
		if !ok {
			return invalid("revisit."+k, "err.sla.window", nil)
		}
		if err := check("revisit."+k, w); err != nil {
			return err
		}
	}
	for _, k := range CareKinds {
		w, ok := sp.Care[k]
		if !ok {
			return invalid("care."+k, "err.sla.window", nil)
		}
		if err := check("care."+k, w); err != nil {
			return err
		}
	}
	if sp.HandoffFollowUp.IsZero() {
		return invalid("handoff", "err.sla.followup", nil)
	}
	if sp.SupervisorDays < 1 || sp.SupervisorDays > MaxSupervisorDays {
		return invalid("supervisor_days", "err.sla.supervisor_days", map[string]any{"Max": MaxSupervisorDays})
	}
	return nil
}

// SupervisorAfter is how long past its window a revisit may lag before the
// supervisor follows it up.
func (sp ServicePolicy) SupervisorAfter() time.Duration {
	return time.Duration(sp.SupervisorDays) * 24 * time.Hour
}

func fmtPct(v float64) string { return fmt.Sprintf("%g%%", math.Round(v*1000)/10) }

// RepeatWindow is how far back an earlier ticket makes a repeat.
func (sp ServicePolicy) RepeatWindow() time.Duration {
	return time.Duration(sp.RepeatDays) * 24 * time.Hour
}

// RevisitWindow is the revisit window of a ticket kind resolved at t, ok
// false when the kind needs no revisit.
func (sp ServicePolicy) RevisitWindow(kind string, t time.Time, loc *time.Location) (from, to time.Time, ok bool) {
	w, ok := sp.Revisits[kind]
	if !ok || w.None() {
		return time.Time{}, time.Time{}, false
	}
	from, to = w.Apply(t, loc)
	return from, to, true
}

// CareWindow is the window of a care revisit of kind caused at t.
func (sp ServicePolicy) CareWindow(kind string, t time.Time, loc *time.Location) (from, to time.Time) {
	w, ok := sp.Care[kind]
	if !ok {
		w = DefaultServicePolicy().Care[kind]
	}
	return w.Apply(t, loc)
}

// CareTarget is the required completion rate of a care revisit kind (0:
// informational).
func (sp ServicePolicy) CareTarget(kind string) float64 { return sp.Care[kind].Target }

// RevisitTarget is the required completion rate of a ticket kind's revisits.
func (sp ServicePolicy) RevisitTarget(kind string) float64 { return sp.Revisits[kind].Target }

// clone copies the maps, so an edited copy never changes the original.
func (sp ServicePolicy) clone() ServicePolicy {
	c := sp
	c.Revisits, c.Care = map[string]Window{}, map[string]Window{}
	for k, v := range sp.Revisits {
		c.Revisits[k] = v
	}
	for k, v := range sp.Care {
		c.Care[k] = v
	}
	return c
}

// rowQuerier is a database or a transaction.
type rowQuerier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// policyOf reads policy version v (0: the current one) with q: the
// default while none (or, for version 1, that one) is stored.
func policyOf(ctx context.Context, q rowQuerier, v int) (SLAPolicy, error) {
	var rules string
	var err error
	if v == 0 {
		err = q.QueryRowContext(ctx, `SELECT version, rules FROM sla_policies ORDER BY version DESC LIMIT 1`).Scan(&v, &rules)
	} else {
		err = q.QueryRowContext(ctx, `SELECT rules FROM sla_policies WHERE version = ?`, v).Scan(&rules)
	}
	if isNoRows(err) {
		if v <= 1 {
			return DefaultSLAPolicy(), nil
		}
		return SLAPolicy{}, &Error{Code: ENOTFOUND, Key: "err.sla.not_found", Args: map[string]any{"Version": v}}
	}
	if err != nil {
		return SLAPolicy{}, fmt.Errorf("sla policy %d: %w", v, err)
	}
	return decodePolicy(v, rules)
}

// ServicePolicy is the service part of the policy in force.
func (s *Store) ServicePolicy(ctx context.Context) (ServicePolicy, error) {
	p, err := policyOf(ctx, s.db, 0)
	if err != nil {
		return ServicePolicy{}, err
	}
	return p.Service, nil
}
