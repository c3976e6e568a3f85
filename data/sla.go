package data

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Ticket kinds and severities, as the service standards name them.
const (
	TicketComplaint  = "complaint"  // 投诉
	TicketRepair     = "repair"     // 报修
	TicketInquiry    = "inquiry"    // 咨询跟进 (from the FAQ's "not answered here")
	TicketSuggestion = "suggestion" // 建议

	SeverityMajor     = "major"     // 重大
	SeverityImportant = "important" // 重要
	SeverityGeneral   = "general"   // 一般
	SeverityMinor     = "minor"     // 轻微
)

// TicketKinds and Severities in display order.
var (
	TicketKinds = []string{TicketComplaint, TicketRepair, TicketInquiry, TicketSuggestion}
	Severities  = []string{SeverityMajor, SeverityImportant, SeverityGeneral, SeverityMinor}
)

// LimitUnit says how a deadline counts time, and so on which calendar
// (see Calendar): the clock, the company's working days, or the office's
// opening hours.
type LimitUnit string

const (
	UnitHours LimitUnit = "h" // elapsed clock hours, nights and holidays included

	// The company's working time: 09:00–18:00 Monday to Friday, public
	// holidays off, make-up working days (调休) on. The service standards'
	// "working days" count on it.
	UnitWorkingHours LimitUnit = "wh"      // working hours on working days
	UnitWorkingDays  LimitUnit = "wd"      // working days (full days of working time)
	UnitSameDay      LimitUnit = "sameday" // by the close of work the same working day

	// The office's opening hours (OfficeHours; every day 09:00–18:00 by
	// default, holidays included).
	UnitOpenHours   LimitUnit = "oh"       // opening hours
	UnitOpenDays    LimitUnit = "od"       // opening days (full days of opening hours)
	UnitOpenSameDay LimitUnit = "osameday" // by closing time the same opening day
)

// Calendar says which calendar a limit counts on: "clock", "company" (the
// company's working days) or "office" (the office's opening hours); "" for
// no limit.
func (u LimitUnit) Calendar() string {
	switch u {
	case UnitHours:
		return "clock"
	case UnitWorkingHours, UnitWorkingDays, UnitSameDay:
		return "company"
	case UnitOpenHours, UnitOpenDays, UnitOpenSameDay:
		return "office"
	}
	return ""
}

// Limit is one deadline of a policy: N units after the ticket is opened.
// The zero Limit is "no deadline".
type Limit struct {
	N    int
	Unit LimitUnit
}

// ParseLimit reads "2h", "4wh", "3wd", "sameday", "4oh", "2od", "osameday"
// or "" (none): the form an HQ admin edits the policy in.
func ParseLimit(s string) (Limit, error) {
	s = strings.TrimSpace(strings.ToLower(FoldInput(s)))
	if s == "" || s == "-" {
		return Limit{}, nil
	}
	if s == string(UnitSameDay) || s == string(UnitOpenSameDay) {
		return Limit{Unit: LimitUnit(s)}, nil
	}
	for _, u := range []LimitUnit{UnitWorkingHours, UnitWorkingDays, UnitOpenHours, UnitOpenDays, UnitHours} {
		if num, ok := strings.CutSuffix(s, string(u)); ok {
			n, err := strconv.Atoi(num)
			if err != nil || n <= 0 || n > 999 {
				break
			}
			return Limit{N: n, Unit: u}, nil
		}
	}
	return Limit{}, invalid("limit", "err.sla.limit", map[string]any{"Value": s})
}

func (l Limit) String() string {
	switch l.Unit {
	case "":
		return ""
	case UnitSameDay, UnitOpenSameDay:
		return string(l.Unit)
	}
	return strconv.Itoa(l.N) + string(l.Unit)
}

// IsZero reports "no deadline".
func (l Limit) IsZero() bool { return l.Unit == "" }

// After is the deadline for something that started at t.
func (l Limit) After(cal *Calendar, t time.Time) time.Time {
	switch l.Unit {
	case UnitHours:
		return t.Add(time.Duration(l.N) * time.Hour)
	case UnitWorkingHours:
		return cal.AddWorkingTime(t, time.Duration(l.N)*time.Hour)
	case UnitWorkingDays:
		return cal.AddWorkingDays(t, l.N)
	case UnitSameDay:
		return cal.EndOfWorkingDay(t)
	case UnitOpenHours:
		return cal.AddOpenTime(t, time.Duration(l.N)*time.Hour)
	case UnitOpenDays:
		return cal.AddOpenDays(t, l.N)
	case UnitOpenSameDay:
		return cal.EndOfOpenDay(t)
	}
	return time.Time{}
}

// SLARule is the deadlines of one kind and severity of ticket: entering it
// in the system, acknowledgement (initial handling: the owner takes it
// up), first response to the customer, escalation to the supervisor or
// leadership, and resolution.
type SLARule struct {
	Kind, Severity                               string
	Entry, Ack, Response, Escalation, Resolution Limit
}

// SLAPolicy maps kind × severity to deadlines, and holds the service
// figures and windows (Service). HQ owns it; a ticket keeps the version it
// was opened under for its deadlines (including its revisit window).
// Urgent tightens a rule: each of its limits applies when it comes sooner.
type SLAPolicy struct {
	Version int
	Rules   []SLARule
	Urgent  SLARule
	Service ServicePolicy
}

func mustLimit(s string) Limit {
	l, err := ParseLimit(s)
	if err != nil {
		panic(err)
	}
	return l
}

func rule(kind, severity, entry, response, escalation, resolution string) SLARule {
	return SLARule{Kind: kind, Severity: severity, Entry: mustLimit(entry), Ack: DefaultAck(kind, severity), Response: mustLimit(response),
		Escalation: mustLimit(escalation), Resolution: mustLimit(resolution)}
}

// DefaultAck is the default acknowledgement (initial handling) limit of a
// kind and severity: a complaint within 24 hours (DOMAIN: "initial handling
// of a complaint within 24 h"; the seeds: 对投诉事项在24小时内进行初步处理);
// the other kinds have none. It is also what a stored policy version
// written before acknowledgement deadlines existed reads as.
func DefaultAck(kind, severity string) Limit {
	if kind == TicketComplaint {
		return Limit{N: 24, Unit: UnitHours}
	}
	return Limit{}
}

// DefaultSLAPolicy is the service standards' numbers: entry into the system
// within 4 working hours; complaints answered to the customer within 2
// working days and resolved within 3; important ones to the project
// supervisor within 1 hour; major ones to leadership the same day; general
// ones handled on site and closed the same day; minor ones within 2 days;
// inquiries answered within 24 hours after a 1-hour follow-up; urgent: respond
// within 2 hours, handle the same day.
func DefaultSLAPolicy() SLAPolicy {
	return SLAPolicy{
		Version: 1,
		Rules: []SLARule{
			rule(TicketComplaint, SeverityMajor, "4wh", "2wd", "sameday", "3wd"),
			rule(TicketComplaint, SeverityImportant, "4wh", "2wd", "1h", "3wd"),
			rule(TicketComplaint, SeverityGeneral, "4wh", "sameday", "", "sameday"),
			rule(TicketComplaint, SeverityMinor, "4wh", "2wd", "", "2wd"),
			rule(TicketRepair, SeverityMajor, "4wh", "24h", "sameday", "3wd"),
			rule(TicketRepair, SeverityImportant, "4wh", "24h", "1h", "3wd"),
			rule(TicketRepair, SeverityGeneral, "4wh", "24h", "", "3wd"),
			rule(TicketRepair, SeverityMinor, "4wh", "24h", "", "2wd"),
			rule(TicketInquiry, SeverityMajor, "4wh", "1h", "sameday", "24h"),
			rule(TicketInquiry, SeverityImportant, "4wh", "1h", "", "24h"),
			rule(TicketInquiry, SeverityGeneral, "4wh", "1h", "", "24h"),
			rule(TicketInquiry, SeverityMinor, "4wh", "1h", "", "24h"),
			rule(TicketSuggestion, SeverityMajor, "4wh", "2wd", "sameday", "48h"),
			rule(TicketSuggestion, SeverityImportant, "4wh", "2wd", "", "48h"),
			rule(TicketSuggestion, SeverityGeneral, "4wh", "2wd", "", "48h"),
			rule(TicketSuggestion, SeverityMinor, "4wh", "2wd", "", "48h"),
		},
		Urgent:  SLARule{Response: mustLimit("2h"), Escalation: mustLimit("2h"), Resolution: mustLimit("sameday")},
		Service: DefaultServicePolicy(),
	}
}

// Validate checks that every kind × severity has exactly one rule with a
// response and a resolution deadline.
func (p SLAPolicy) Validate() error {
	if p.Version < 1 {
		return invalid("version", "err.sla.version", nil)
	}
	seen := map[[2]string]bool{}
	for _, r := range p.Rules {
		key := [2]string{r.Kind, r.Severity}
		if !contains(TicketKinds, r.Kind) || !contains(Severities, r.Severity) {
			return invalid("rule", "err.sla.rule", map[string]any{"Kind": r.Kind, "Severity": r.Severity})
		}
		if seen[key] {
			return invalid("rule", "err.sla.duplicate", map[string]any{"Kind": r.Kind, "Severity": r.Severity})
		}
		if r.Response.IsZero() || r.Resolution.IsZero() {
			return invalid("rule", "err.sla.missing", map[string]any{"Kind": r.Kind, "Severity": r.Severity})
		}
		seen[key] = true
	}
	for _, k := range TicketKinds {
		for _, s := range Severities {
			if !seen[[2]string{k, s}] {
				return invalid("rule", "err.sla.missing", map[string]any{"Kind": k, "Severity": s})
			}
		}
	}
	return p.Service.Validate()
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// Deadlines are the times a ticket must meet. A zero time means none.
// Resolution is the sooner of the policy's resolution deadline and the
// owner's requested deadline (Requested, zero when none was asked for).
type Deadlines struct {
	PolicyVersion                                int
	Entry, Ack, Response, Escalation, Resolution time.Time
	Requested                                    time.Time
}

// Deadlines computes a ticket's deadlines from when it was opened.
func (p SLAPolicy) Deadlines(cal *Calendar, kind, severity string, urgent bool, opened time.Time) (Deadlines, error) {
	var r *SLARule
	for i := range p.Rules {
		if p.Rules[i].Kind == kind && p.Rules[i].Severity == severity {
			r = &p.Rules[i]
		}
	}
	if r == nil {
		return Deadlines{}, invalid("severity", "err.sla.rule", map[string]any{"Kind": kind, "Severity": severity})
	}
	d := Deadlines{PolicyVersion: p.Version,
		Entry: r.Entry.After(cal, opened), Ack: r.Ack.After(cal, opened), Response: r.Response.After(cal, opened),
		Escalation: r.Escalation.After(cal, opened), Resolution: r.Resolution.After(cal, opened)}
	if urgent {
		d.Ack = sooner(d.Ack, p.Urgent.Ack.After(cal, opened))
		d.Response = sooner(d.Response, p.Urgent.Response.After(cal, opened))
		d.Escalation = sooner(d.Escalation, p.Urgent.Escalation.After(cal, opened))
		d.Resolution = sooner(d.Resolution, p.Urgent.Resolution.After(cal, opened))
	}
	return d, nil
}

// WithRequested sets the owner's requested deadline: the resolution
// deadline becomes the sooner of it and the policy's (zero: none asked).
func (d Deadlines) WithRequested(requested time.Time) Deadlines {
	if requested.IsZero() {
		return d
	}
	d.Requested = requested
	d.Resolution = sooner(d.Resolution, requested)
	return d
}

// sooner is the earlier of two deadlines, a zero one counting as none.
func sooner(a, b time.Time) time.Time {
	switch {
	case a.IsZero():
		return b
	case b.IsZero():
		return a
	case b.Before(a):
		return b
	}
	return a
}

// DueState is how a deadline stands at a moment.
type DueState string

const (
	DueNone    DueState = ""         // no deadline
	DueOK      DueState = "ok"       // more than the warning margin left
	DueSoon    DueState = "due_soon" // within the warning margin
	DueOverdue DueState = "overdue"  // passed
)

// DueSoonMargin is how long before a deadline it shows as due soon: a
// quarter of the time allowed, at least 15 minutes and at most 4 hours.
func DueSoonMargin(opened, due time.Time) time.Duration {
	m := due.Sub(opened) / 4
	return max(15*time.Minute, min(4*time.Hour, m))
}

// Due says how the deadline due of something opened at opened stands at now.
func Due(opened, due, now time.Time) DueState {
	switch {
	case due.IsZero():
		return DueNone
	case !now.Before(due):
		return DueOverdue
	case due.Sub(now) <= DueSoonMargin(opened, due):
		return DueSoon
	}
	return DueOK
}

func (d Deadlines) String() string {
	f := func(t time.Time) string {
		if t.IsZero() {
			return "-"
		}
		return t.Format("2006-01-02 15:04")
	}
	return fmt.Sprintf("v%d entry %s ack %s response %s escalation %s resolution %s requested %s", d.PolicyVersion, f(d.Entry), f(d.Ack),
		f(d.Response), f(d.Escalation), f(d.Resolution), f(d.Requested))
}
