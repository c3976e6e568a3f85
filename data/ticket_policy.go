package data

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"

	"anchang/assets"
)

// policyJSON is the stored form of a policy version.
type policyJSON struct {
	Rules  []ruleJSON `json:"rules"`
	Urgent ruleJSON   `json:"urgent"`
}

type ruleJSON struct {
	Kind       string `json:"kind,omitempty"`
	Severity   string `json:"severity,omitempty"`
	Entry      string `json:"entry"`
	Response   string `json:"response"`
	Escalation string `json:"escalation"`
	Resolution string `json:"resolution"`
}

func toRuleJSON(r SLARule) ruleJSON {
	return ruleJSON{Kind: r.Kind, Severity: r.Severity, Entry: r.Entry.String(), Response: r.Response.String(),
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
	return r, nil
}

// SLAPolicy is the policy new tickets are opened under: the newest stored
// version, or DefaultSLAPolicy (version 1) while none is stored.
func (s *Store) SLAPolicy(ctx context.Context) (SLAPolicy, error) {
	var v int
	var rules string
	err := s.db.QueryRowContext(ctx, `SELECT version, rules FROM sla_policies ORDER BY version DESC LIMIT 1`).Scan(&v, &rules)
	if isNoRows(err) {
		return DefaultSLAPolicy(), nil
	}
	if err != nil {
		return SLAPolicy{}, fmt.Errorf("sla policy: %w", err)
	}
	return decodePolicy(v, rules)
}

// SLAPolicyVersion is one stored version (the default when v is 1 and
// none is stored), for showing what an old ticket was opened under.
func (s *Store) SLAPolicyVersion(ctx context.Context, v int) (SLAPolicy, error) {
	var rules string
	err := s.db.QueryRowContext(ctx, `SELECT rules FROM sla_policies WHERE version = ?`, v).Scan(&rules)
	if isNoRows(err) {
		if v == 1 {
			return DefaultSLAPolicy(), nil
		}
		return SLAPolicy{}, &Error{Code: ENOTFOUND, Key: "err.sla.not_found", Args: map[string]any{"Version": v}}
	}
	if err != nil {
		return SLAPolicy{}, fmt.Errorf("sla policy %d: %w", v, err)
	}
	return decodePolicy(v, rules)
}

func decodePolicy(v int, rules string) (SLAPolicy, error) {
	var j policyJSON
	if err := json.Unmarshal([]byte(rules), &j); err != nil {
		return SLAPolicy{}, fmt.Errorf("sla policy %d: %w", v, err)
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
	return p, nil
}

func isAdmin(r Role) bool { return r == RoleAdmin }

// SaveSLAPolicy stores rules (and the urgent tightening) as a new policy
// version, one above the current one, and returns it. Admin only; the
// policy must pass SLAPolicy.Validate. Open tickets keep their version.
func (s *Store) SaveSLAPolicy(ctx context.Context, actorID string, rules []SLARule, urgent SLARule) (SLAPolicy, error) {
	cur, err := s.SLAPolicy(ctx)
	if err != nil {
		return SLAPolicy{}, err
	}
	p := SLAPolicy{Version: cur.Version + 1, Rules: rules, Urgent: urgent}
	if err := p.Validate(); err != nil {
		return SLAPolicy{}, err
	}
	j := policyJSON{Urgent: toRuleJSON(urgent)}
	j.Urgent.Kind, j.Urgent.Severity = "", ""
	for _, r := range rules {
		j.Rules = append(j.Rules, toRuleJSON(r))
	}
	b, _ := json.Marshal(j)
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
