package data

import (
	"time"
)

// Ticket categories by content (投诉分类). The codes are stored; the UI
// translates them as ticket.cat.<code>.
const (
	CatEngineering = "engineering" // 工程质量
	CatDesign      = "design"      // 规划设计
	CatSales       = "sales"       // 销售管理
	CatProperty    = "property"    // 物业管理
	CatService     = "service"     // 客户服务
	CatOther       = "other"       // 其他
)

// TicketCategories in display order.
var TicketCategories = []string{CatEngineering, CatDesign, CatSales, CatProperty, CatService, CatOther}

// TicketState is where a ticket stands, derived from its events
// (translated as ticket.state.<state>).
type TicketState string

const (
	StateOpen         TicketState = "open"         // recorded, nobody has taken it up yet
	StateAcknowledged TicketState = "acknowledged" // the owner is handling it (also after a reopen)
	StateResponded    TicketState = "responded"    // the customer has had a reply
	StateResolved     TicketState = "resolved"     // handling completed
	StateRevisitDue   TicketState = "revisit_due"  // resolved, revisit scheduled
	StateRevisited    TicketState = "revisited"    // the customer was revisited and satisfied enough
	StateClosed       TicketState = "closed"       // closed with a reason
)

// TicketStates in display order.
var TicketStates = []TicketState{StateOpen, StateAcknowledged, StateResponded, StateResolved, StateRevisitDue, StateRevisited, StateClosed}

// IsOpen reports whether the ticket still needs work (anything but closed).
func (s TicketState) IsOpen() bool { return s != StateClosed && s != "" }

// Ticket event kinds (translated as ticket.event.<kind>).
const (
	EvOpened           = "opened"
	EvAcknowledged     = "acknowledged"      // the owner took it up (initial handling)
	EvAssigned         = "assigned"          // handed on to a new owner (首问负责制: only explicitly)
	EvEscalated        = "escalated"         // to the supervisor (level 1) or leadership (level 2)
	EvResponded        = "responded"         // a reply to the customer
	EvResolved         = "resolved"          // handling completed
	EvRevisitScheduled = "revisit_scheduled" // revisit window set (automatic on resolve)
	EvRevisited        = "revisited"         // revisit made, satisfaction 1–5
	EvClosed           = "closed"            // with a CloseReason
	EvReopened         = "reopened"
	EvNote             = "note"
)

// TicketEventKinds in display order.
var TicketEventKinds = []string{EvOpened, EvAcknowledged, EvAssigned, EvEscalated, EvResponded, EvResolved, EvRevisitScheduled, EvRevisited, EvClosed, EvReopened, EvNote}

// Closure reasons (translated as ticket.close.<reason>).
const (
	CloseSatisfied       = "satisfied"            // the customer is satisfied
	CloseLawfulDisagrees = "lawful_but_disagrees" // handled lawfully, the customer still disagrees
	CloseBeyondAuthority = "beyond_authority"     // beyond the company's authority
	CloseInvalid         = "invalid_explained"    // not the company's fault; explained to the customer
)

// CloseReasons in display order.
var CloseReasons = []string{CloseSatisfied, CloseLawfulDisagrees, CloseBeyondAuthority, CloseInvalid}

// Escalation levels.
const (
	EscalateSupervisor = 1 // project supervisor (项目主管)
	EscalateLeadership = 2 // company leadership (公司领导)
)

// UnsatisfiedMax is the highest satisfaction score that counts as an
// unsatisfactory revisit: the ticket is escalated and reopened.
const UnsatisfiedMax = 2

// TicketEvent is one thing that happened to a ticket. Payload fields are
// set by kind: To (assigned: the new owner; escalated: optional person),
// Level (escalated), Satisfaction and Note (revisited), Reason (closed),
// From/Due (revisit_scheduled), Note (any).
type TicketEvent struct {
	ID         string
	Seq        int
	Kind       string
	At         time.Time // when it happened
	By         string    // staff id of who recorded it
	ByName     string    // filled by TicketEvents
	RecordedAt time.Time // when it was recorded

	To           string       // assigned: the new owner; escalated: optional person
	Level        int          // escalated: EscalateSupervisor or EscalateLeadership
	Satisfaction int          // revisited: 1 (very dissatisfied) … 5 (very satisfied)
	Reason       string       // closed: one of CloseReasons
	Note         string       // any
	From, Due    time.Time    // revisit_scheduled: the window
	Revisit      RevisitNotes // revisited: the revisit record's findings
	Auto         bool         // written by the store (revisit scheduling, escalation after an unsatisfactory revisit)
	Valid        *bool        // opened: whether the complaint is valid (nil = valid)

	// Skipped: the transition table refused the event at its place in
	// sync order (e.g. another device closed the ticket first); it is
	// kept and shown, and the state is derived without it.
	Skipped bool
}

// ticketTransitions is the transition table: for each state, the events
// it accepts and the state they lead to. An event missing from a state's
// row is refused. "opened" only starts a ticket.
var ticketTransitions = map[TicketState]map[string]TicketState{
	StateOpen: {EvAcknowledged: StateAcknowledged, EvAssigned: StateOpen, EvEscalated: StateOpen,
		EvResponded: StateResponded, EvResolved: StateResolved, EvClosed: StateClosed, EvNote: StateOpen},
	StateAcknowledged: {EvAssigned: StateAcknowledged, EvEscalated: StateAcknowledged,
		EvResponded: StateResponded, EvResolved: StateResolved, EvClosed: StateClosed, EvNote: StateAcknowledged},
	StateResponded: {EvAssigned: StateResponded, EvEscalated: StateResponded,
		EvResponded: StateResponded, EvResolved: StateResolved, EvClosed: StateClosed, EvNote: StateResponded},
	StateResolved: {EvAssigned: StateResolved, EvEscalated: StateResolved, EvRevisitScheduled: StateRevisitDue,
		EvRevisited: StateRevisited, EvClosed: StateClosed, EvReopened: StateAcknowledged, EvNote: StateResolved},
	StateRevisitDue: {EvAssigned: StateRevisitDue, EvEscalated: StateRevisitDue, EvRevisitScheduled: StateRevisitDue,
		EvRevisited: StateRevisited, EvClosed: StateClosed, EvReopened: StateAcknowledged, EvNote: StateRevisitDue},
	StateRevisited: {EvAssigned: StateRevisited, EvEscalated: StateRevisited, EvClosed: StateClosed,
		EvReopened: StateAcknowledged, EvNote: StateRevisited},
	StateClosed: {EvReopened: StateAcknowledged, EvNote: StateClosed},
}

// closeFrom says from which states each closure reason may close a
// ticket. "satisfied" needs a revisit, except for kinds without a
// required revisit (inquiries, suggestions), which may close when resolved.
var closeFrom = map[string][]TicketState{
	CloseSatisfied:       {StateRevisited},
	CloseLawfulDisagrees: {StateAcknowledged, StateResponded, StateResolved, StateRevisitDue, StateRevisited},
	CloseBeyondAuthority: {StateAcknowledged, StateResponded, StateResolved, StateRevisitDue, StateRevisited},
	CloseInvalid:         {StateOpen, StateAcknowledged, StateResponded, StateResolved},
}

// NextTicketState applies one event to a ticket of kind in state from:
// the new state, or an error (err.ticket.cannot.<event>) when the
// transition table refuses it. Payload checks (reason, satisfaction,
// level) are part of it.
func NextTicketState(kind string, from TicketState, ev TicketEvent) (TicketState, error) {
	cannot := func() error {
		return &Error{Code: ECONFLICT, Field: "event", Key: "err.ticket.cannot." + ev.Kind, Args: map[string]any{"State": string(from)}}
	}
	if !contains(TicketEventKinds, ev.Kind) {
		return from, invalid("event", "err.ticket.event_kind", nil)
	}
	if ev.Kind == EvOpened {
		if from != "" {
			return from, cannot()
		}
		return StateOpen, nil
	}
	if from == "" {
		return from, &Error{Code: ECONFLICT, Field: "event", Key: "err.ticket.not_opened"}
	}
	to, ok := ticketTransitions[from][ev.Kind]
	if !ok {
		return from, cannot()
	}
	switch ev.Kind {
	case EvClosed:
		states, ok := closeFrom[ev.Reason]
		if !ok {
			return from, invalid("reason", "err.ticket.close_reason", nil)
		}
		if ev.Reason == CloseSatisfied && from == StateResolved && !NeedsRevisit(kind) {
			return to, nil
		}
		for _, s := range states {
			if s == from {
				return to, nil
			}
		}
		return from, &Error{Code: ECONFLICT, Field: "reason", Key: "err.ticket.close_from", Args: map[string]any{"State": string(from)}}
	case EvRevisited:
		if ev.Satisfaction < 1 || ev.Satisfaction > 5 {
			return from, invalid("satisfaction", "err.ticket.satisfaction", nil)
		}
	case EvEscalated:
		if ev.Level != EscalateSupervisor && ev.Level != EscalateLeadership {
			return from, invalid("level", "err.ticket.level", nil)
		}
	case EvAssigned:
		if ev.To == "" {
			return from, invalid("owner", "err.ticket.owner", nil)
		}
	case EvRevisitScheduled:
		if ev.From.IsZero() || ev.Due.Before(ev.From) {
			return from, invalid("revisit", "err.ticket.revisit_window", nil)
		}
	}
	return to, nil
}

// TicketStatus is a ticket's current state, derived from its events.
type TicketStatus struct {
	State        TicketState
	Valid        bool
	OwnerID      string
	Escalation   int // highest level reached
	Acknowledged time.Time
	Responded    time.Time // first reply to the customer
	Resolved     time.Time // latest resolution
	RevisitFrom  time.Time // latest scheduled window
	RevisitTo    time.Time
	Revisited    time.Time // latest revisit
	Satisfaction int       // of the latest revisit; 0 none
	Closed       time.Time // zero unless closed now
	CloseReason  string
	Reopened     int
	LastEventAt  time.Time
	LastSeq      int
}

// DeriveTicket folds a ticket's events, in order, into its status. It is
// pure: the store calls it after every event and stores the result on the
// ticket row. Events out of order (by Seq or time) or refused by the
// transition table make it fail.
func DeriveTicket(kind string, events []TicketEvent) (TicketStatus, error) {
	var st TicketStatus
	for i, ev := range events {
		if ev.Seq != i+1 {
			return st, errorf(EINTERNAL, "err.internal", "ticket event %d has seq %d", i+1, ev.Seq)
		}
		if i > 0 && ev.At.Before(st.LastEventAt) {
			return st, &Error{Code: EINVALID, Field: "at", Key: "err.ticket.backdated"}
		}
		next, err := NextTicketState(kind, st.State, ev)
		if err != nil {
			return st, err
		}
		foldEvent(&st, ev)
		st.State = next
		st.LastEventAt, st.LastSeq = ev.At, ev.Seq
	}
	return st, nil
}

// NeedsRevisit reports whether a kind of ticket is revisited after it is
// resolved (complaints and repairs; DOMAIN: revisits). The window and the
// required rate are the SLA policy's (ServicePolicy.Revisits): the window
// of the version the ticket was opened under, the rate of the current one.
func NeedsRevisit(kind string) bool { return contains(RevisitKinds, kind) }
