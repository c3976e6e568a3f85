package data

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"

	"anchang/assets"
)

// policyJSON is the stored form of a policy version. A version stored
// before a field existed reads that field as its default: a rule without
// "ack" as DefaultAck, a policy without "service" (or a service without
// some of its keys, or a window kind) as DefaultServicePolicy's.
type policyJSON struct {
	Rules   []ruleJSON   `json:"rules"`
	Urgent  ruleJSON     `json:"urgent"`
	Service *serviceJSON `json:"service,omitempty"`
}

type ruleJSON struct {
	Kind       string  `json:"kind,omitempty"`
	Severity   string  `json:"severity,omitempty"`
	Entry      string  `json:"entry"`
	Ack        *string `json:"ack,omitempty"` // nil: written before acknowledgement deadlines (DefaultAck)
	Response   string  `json:"response"`
	Escalation string  `json:"escalation"`
	Resolution string  `json:"resolution"`
}

// serviceJSON is ServicePolicy stored: rates as fractions, windows as
// [months, days] offsets, the follow-up in the limit notation.
type serviceJSON struct {
	RepeatRate      float64               `json:"repeat_rate"`
	Satisfaction    float64               `json:"satisfaction"`
	RepeatDays      int                   `json:"repeat_days"`
	Revisits        map[string]windowJSON `json:"revisits"`
	Care            map[string]windowJSON `json:"care"`
	HandoffFollowUp string                `json:"handoff_followup"`
	// SupervisorDays: absent in a version saved before it (decodePolicy
	// starts from the defaults, so it reads as DefaultSupervisorDays).
	SupervisorDays int `json:"supervisor_days"`
}

type windowJSON struct {
	From   [2]int  `json:"from"` // months, days
	To     [2]int  `json:"to"`
	Target float64 `json:"target"`
}

func toServiceJSON(sp ServicePolicy) *serviceJSON {
	j := &serviceJSON{RepeatRate: sp.RepeatRate, Satisfaction: sp.Satisfaction, RepeatDays: sp.RepeatDays,
		Revisits: map[string]windowJSON{}, Care: map[string]windowJSON{}, HandoffFollowUp: sp.HandoffFollowUp.String(), SupervisorDays: sp.SupervisorDays}
	w := func(w Window) windowJSON {
		return windowJSON{From: [2]int{w.From.Months, w.From.Days}, To: [2]int{w.To.Months, w.To.Days}, Target: w.Target}
	}
	for k, v := range sp.Revisits {
		j.Revisits[k] = w(v)
	}
	for k, v := range sp.Care {
		j.Care[k] = w(v)
	}
	return j
}

func fromServiceJSON(j *serviceJSON) (ServicePolicy, error) {
	sp := ServicePolicy{RepeatRate: j.RepeatRate, Satisfaction: j.Satisfaction, RepeatDays: j.RepeatDays,
		Revisits: map[string]Window{}, Care: map[string]Window{}, SupervisorDays: j.SupervisorDays}
	w := func(w windowJSON) Window {
		return Window{From: Offset{w.From[0], w.From[1]}, To: Offset{w.To[0], w.To[1]}, Target: w.Target}
	}
	for k, v := range j.Revisits {
		sp.Revisits[k] = w(v)
	}
	for k, v := range j.Care {
		sp.Care[k] = w(v)
	}
	var err error
	sp.HandoffFollowUp, err = ParseLimit(j.HandoffFollowUp)
	return sp, err
}

func toRuleJSON(r SLARule) ruleJSON {
	ack := r.Ack.String()
	return ruleJSON{Kind: r.Kind, Severity: r.Severity, Entry: r.Entry.String(), Ack: &ack, Response: r.Response.String(),
		Escalation: r.Escalation.String(), Resolution: r.Resolution.String()}
}

func fromRuleJSON(j ruleJSON) (SLARule, error) {
	r := SLARule{Kind: j.Kind, Severity: j.Severity}
	var err error
	for _, f := range []struct {
		dst *Limit
		src string
	}{{&r.Entry, j.Entry}, {&r.Response, j.Response}, {&r.Escalation, j.Escalation}, {&r.Resolution, j.Resolution}} {
		if *f.dst, err = ParseLimit(f.src); err != nil {
			return r, err
		}
	}
	if j.Ack == nil {
		if j.Kind != "" { // the urgent rule had no acknowledgement tightening
			r.Ack = DefaultAck(j.Kind, j.Severity)
		}
	} else if r.Ack, err = ParseLimit(*j.Ack); err != nil {
		return r, err
	}
	return r, nil
}

// encodePolicy is the stored JSON of a policy's rules, urgent rule and
// service part.
func encodePolicy(p SLAPolicy) []byte {
	j := policyJSON{Urgent: toRuleJSON(p.Urgent), Service: toServiceJSON(p.Service)}
	j.Urgent.Kind, j.Urgent.Severity = "", ""
	for _, r := range p.Rules {
		j.Rules = append(j.Rules, toRuleJSON(r))
	}
	b, _ := json.Marshal(j)
	return b
}

// SLAPolicy is the policy new tickets are opened under: the newest stored
// version, or DefaultSLAPolicy (version 1) while none is stored.
func (s *Store) SLAPolicy(ctx context.Context) (SLAPolicy, error) {
	return policyOf(ctx, s.db, 0)
}

// SLAPolicyVersion is one stored version (the default when v is 1 and
// none is stored), for showing what an old ticket was opened under.
func (s *Store) SLAPolicyVersion(ctx context.Context, v int) (SLAPolicy, error) {
	if v < 1 {
		return SLAPolicy{}, &Error{Code: ENOTFOUND, Key: "err.sla.not_found", Args: map[string]any{"Version": v}}
	}
	return policyOf(ctx, s.db, v)
}

func decodePolicy(v int, rules string) (SLAPolicy, error) {
	j := policyJSON{Service: toServiceJSON(DefaultServicePolicy())}
	if err := json.Unmarshal([]byte(rules), &j); err != nil {
		return SLAPolicy{}, fmt.Errorf("sla policy %d: %w", v, err)
	}
	if j.Service == nil { // "service": null
		j.Service = toServiceJSON(DefaultServicePolicy())
	}
	p := SLAPolicy{Version: v}
	for _, rj := range j.Rules {
		r, err := fromRuleJSON(rj)
		if err != nil {
			return SLAPolicy{}, fmt.Errorf("sla policy %d: %w", v, err)
		}
		p.Rules = append(p.Rules, r)
	}
	u, err := fromRuleJSON(j.Urgent)
	if err != nil {
		return SLAPolicy{}, fmt.Errorf("sla policy %d: %w", v, err)
	}
	p.Urgent = u
	if p.Service, err = fromServiceJSON(j.Service); err != nil {
		return SLAPolicy{}, fmt.Errorf("sla policy %d: %w", v, err)
	}
	return p, nil
}

func isAdmin(r Role) bool { return r == RoleAdmin }

// SaveSLAPolicy stores rules (and the urgent tightening) as a new policy
// version, one above the current one, keeping the current policy's
// service part; see SavePolicy.
func (s *Store) SaveSLAPolicy(ctx context.Context, actorID string, rules []SLARule, urgent SLARule) (SLAPolicy, error) {
	cur, err := s.SLAPolicy(ctx)
	if err != nil {
		return SLAPolicy{}, err
	}
	return s.SavePolicy(ctx, actorID, SLAPolicy{Rules: rules, Urgent: urgent, Service: cur.Service})
}

// SavePolicy stores p (its rules, urgent tightening and service part; its
// Version is ignored) as a new policy version, one above the current one
// (from HQVersionBase + 1 on an enrolled HQ device), and returns it.
// Admin only; the policy must pass SLAPolicy.Validate. Open tickets keep
// their version.
func (s *Store) SavePolicy(ctx context.Context, actorID string, p SLAPolicy) (SLAPolicy, error) {
	cur, err := s.SLAPolicy(ctx)
	if err != nil {
		return SLAPolicy{}, err
	}
	p.Version = cur.Version + 1
	p.Service = p.Service.clone()
	p.Urgent.Kind, p.Urgent.Severity = "", ""
	if err := p.Validate(); err != nil {
		return SLAPolicy{}, err
	}
	b := encodePolicy(p)
	err = s.actorTx(ctx, actorID, isAdmin, func(tx *txn, st stamp) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 1) FROM sla_policies`).Scan(&n); err != nil {
			return fmt.Errorf("save sla policy: %w", err)
		}
		v, err := nextRefVersion(ctx, tx, n)
		if err != nil {
			return fmt.Errorf("save sla policy: %w", err)
		}
		p.Version = v
		return record(ctx, tx, st.at, &slaPolicyPayload{recStamp: newRecStamp(st, actorID), Version: p.Version, Rules: b})
	})
	if err != nil {
		return SLAPolicy{}, err
	}
	return p, nil
}

// ImportHolidays stores one year's official holiday schedule (the
// assets/holidays JSON format, e.g. 2027.json from HQ) so deadlines count
// that year's holidays and make-up working days. Admin only. A malformed
// file is refused with the error of ParseHolidaySchedule (err.holiday.*);
// importing a year again replaces the earlier import. Returns the year.
func (s *Store) ImportHolidays(ctx context.Context, actorID string, b []byte) (int, error) {
	if len(b) > MaxHolidayFile {
		return 0, &Error{Code: EINVALID, Key: "err.holiday.too_big"}
	}
	year, _, err := ParseHolidaySchedule(b)
	if err != nil {
		return 0, err
	}
	err = s.actorTx(ctx, actorID, isAdmin, func(tx *txn, st stamp) error {
		return record(ctx, tx, st.at, &holidayImportPayload{recStamp: newRecStamp(st, actorID), Year: year, Schedule: string(b)})
	})
	if err != nil {
		return 0, err
	}
	return year, nil
}

// HolidayYears lists the years whose official schedule the store's
// calendar knows (embedded and imported), ascending.
func (s *Store) HolidayYears(ctx context.Context) ([]int, error) {
	years, err := s.holidayYears(ctx)
	if err != nil {
		return nil, err
	}
	var out []int
	for y := range years {
		out = append(out, y)
	}
	sort.Ints(out)
	return out, nil
}

func (s *Store) holidayYears(ctx context.Context) (map[int][]HolidayDay, error) {
	files, err := assets.HolidayYears()
	if err != nil {
		return nil, fmt.Errorf("holiday schedules: %w", err)
	}
	years := map[int][]HolidayDay{}
	for _, b := range files {
		y, days, err := ParseHolidaySchedule(b)
		if err != nil {
			return nil, fmt.Errorf("embedded holiday schedule: %w", err)
		}
		years[y] = days
	}
	rows, err := s.db.QueryContext(ctx, `SELECT schedule FROM holiday_imports ORDER BY year, sync_ord, id`)
	if err != nil {
		return nil, fmt.Errorf("imported holidays: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var b string
		if err := rows.Scan(&b); err != nil {
			return nil, fmt.Errorf("imported holidays: %w", err)
		}
		y, days, err := ParseHolidaySchedule([]byte(b))
		if err != nil {
			continue // checked on import; a later binary may read differently
		}
		years[y] = days // the last import of a year in sync order wins
	}
	return years, rows.Err()
}

// Calendar is the office's business calendar in the office's time zone:
// the company's working hours 09:00–18:00 with the embedded and imported
// holiday schedules (the statutory holidays for a year without one), and
// the office's opening hours (Store.OfficeHours). Deadlines of new tickets
// are computed on it.
func (s *Store) Calendar(ctx context.Context) (*Calendar, error) {
	years, err := s.holidayYears(ctx)
	if err != nil {
		return nil, err
	}
	cal, err := NewCalendar(s.Location(), DefaultWorkStart, DefaultWorkEnd, years)
	if err != nil {
		return nil, err
	}
	h, err := s.OfficeHours(ctx)
	if err != nil {
		return nil, err
	}
	return cal.WithOfficeHours(h)
}
