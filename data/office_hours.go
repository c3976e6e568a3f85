package data

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/google/uuid"
)

// OfficeHours is when the sales office is open: the weekdays and one
// opening and closing time for all of them, in the office's time zone.
// Deadlines whose limit counts opening hours (LimitUnit "oh", "od",
// "osameday") count on it; public holidays do not close the office
// (售楼处节假日正常营业) — a day it is closed is a weekday left out of Days.
type OfficeHours struct {
	Days        [7]bool       // indexed by time.Weekday: Days[time.Sunday], …
	Open, Close time.Duration // from midnight
}

// DefaultOfficeHours is the starter manual's 每天 9:00—18:00.
func DefaultOfficeHours() OfficeHours {
	return OfficeHours{Days: [7]bool{true, true, true, true, true, true, true}, Open: 9 * time.Hour, Close: 18 * time.Hour}
}

// Validate checks that the office opens on some day, for some time.
func (h OfficeHours) Validate() error {
	open := false
	for _, d := range h.Days {
		open = open || d
	}
	if !open {
		return invalid("office_days", "err.office_hours.days", nil)
	}
	if h.Open < 0 || h.Close > 24*time.Hour || h.Close <= h.Open || h.Open%time.Minute != 0 || h.Close%time.Minute != 0 {
		return invalid("office_hours", "err.office_hours.times", nil)
	}
	return nil
}

// officeHoursJSON is the stored form: ISO weekdays (1 = Monday … 7 =
// Sunday) and HH:MM times.
type officeHoursJSON struct {
	Days  string `json:"days"` // e.g. "1234567"
	Open  string `json:"open"`
	Close string `json:"close"`
}

func (h OfficeHours) toJSON() officeHoursJSON {
	var days strings.Builder
	for iso := 1; iso <= 7; iso++ {
		if h.Days[iso%7] {
			days.WriteByte(byte('0' + iso))
		}
	}
	return officeHoursJSON{Days: days.String(), Open: ClockTime(h.Open), Close: ClockTime(h.Close)}
}

func officeHoursFromJSON(j officeHoursJSON) (OfficeHours, error) {
	var h OfficeHours
	for _, r := range j.Days {
		if r < '1' || r > '7' {
			return h, invalid("office_days", "err.office_hours.days", nil)
		}
		h.Days[(r-'0')%7] = true
	}
	var err error
	if h.Open, err = ParseClockTime(j.Open); err != nil {
		return h, err
	}
	if h.Close, err = ParseClockTime(j.Close); err != nil {
		return h, err
	}
	return h, h.Validate()
}

// ClockTime formats a time of day from midnight as HH:MM (24:00 for midnight at the end).
func ClockTime(d time.Duration) string {
	return fmt.Sprintf("%02d:%02d", int(d/time.Hour), int(d%time.Hour/time.Minute))
}

// ParseClockTime reads HH:MM (9:00, 09:00, 24:00; full-width digits and
// colon folded) as a time of day from midnight.
func ParseClockTime(s string) (time.Duration, error) {
	s = strings.ReplaceAll(FoldInput(strings.TrimSpace(s)), "：", ":")
	var hh, mm int
	if n, err := fmt.Sscanf(s, "%d:%d", &hh, &mm); err != nil || n != 2 || len(s) > 5 || hh < 0 || mm < 0 || mm > 59 || hh > 24 || (hh == 24 && mm != 0) {
		return 0, invalid("office_hours", "err.office_hours.time", map[string]any{"Value": s})
	}
	return time.Duration(hh)*time.Hour + time.Duration(mm)*time.Minute, nil
}

// MutOfficeHours is the office's opening hours, shared by every device of
// the office (a replaced record: the latest in HQ's order wins).
const MutOfficeHours = "office.hours"

// settingOfficeHours is the settings key where a device kept the office's
// opening hours before they were an office record. Store.Open moves it
// into office_hours (moveOfficeHours); it is read while it is there.
const settingOfficeHours = "office.opening_hours"

// officeHoursPayload (office.hours v1) is the office's opening hours. Its
// id is made from the office id (officeHoursID): one record per office.
type officeHoursPayload struct {
	recStamp
	officeHoursJSON
}

func init() {
	registerMutation[officeHoursPayload](MutationSpec{Name: MutOfficeHours, Version: 1, Entity: "office_hours", Owner: OwnerOffice, Replace: true, Rank: rankReference, MinSchema: 10})
}

func (*officeHoursPayload) spec() *MutationSpec { return specOf(MutOfficeHours, 1) }
func (*officeHoursPayload) refs() []Ref         { return nil }

func (p *officeHoursPayload) validate() error {
	if err := p.check(); err != nil {
		return err
	}
	_, err := officeHoursFromJSON(p.officeHoursJSON)
	return err
}

func (p *officeHoursPayload) apply(ctx context.Context, tx *txn, ac applyCtx) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO office_hours (id, office_id, device_id, created_at, created_by, days, open, close, sync_ord)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET office_id = excluded.office_id, device_id = excluded.device_id,
		created_at = excluded.created_at, created_by = excluded.created_by, days = excluded.days, open = excluded.open, close = excluded.close,
		sync_ord = excluded.sync_ord WHERE `+replaceIfNewer,
		p.ID, p.OfficeID, p.DeviceID, p.CreatedAt, p.by(), p.Days, p.Open, p.Close, ac.ord, ac.echoOrd()); err != nil {
		return fmt.Errorf("office hours: %w", err)
	}
	return nil
}

// officeHoursID is the id of an office's opening hours record.
func officeHoursID(office string) string {
	return uuid.NewSHA1(uuid.NameSpaceOID, []byte("anchang/office_hours/"+office)).String()
}

// OfficeHours is the office's opening hours: the office's record (the
// latest in sync order), the setting a device kept before that, or
// DefaultOfficeHours while there is neither.
func (s *Store) OfficeHours(ctx context.Context) (OfficeHours, error) {
	var j officeHoursJSON
	_, o, err := s.ids()
	if err == nil {
		err = s.db.QueryRowContext(ctx, `SELECT days, open, close FROM office_hours WHERE office_id = ? ORDER BY sync_ord DESC LIMIT 1`, o.ID).
			Scan(&j.Days, &j.Open, &j.Close)
	}
	switch {
	case err == nil:
	case isNoRows(err) || ErrorCode(err) == ENOTSETUP:
		v, err := s.Setting(ctx, settingOfficeHours, "")
		if err != nil || v == "" {
			return DefaultOfficeHours(), err
		}
		if err := json.Unmarshal([]byte(v), &j); err != nil {
			return DefaultOfficeHours(), fmt.Errorf("office hours: %w", err)
		}
	default:
		return DefaultOfficeHours(), fmt.Errorf("office hours: %w", err)
	}
	h, err := officeHoursFromJSON(j)
	if err != nil {
		return DefaultOfficeHours(), fmt.Errorf("office hours %+v: %w", j, err)
	}
	return h, nil
}

// SetOfficeHours records the office's opening hours (office.hours), for
// every device of the office. Admin only; h must pass Validate. Deadlines
// of tickets opened from then on count on them.
func (s *Store) SetOfficeHours(ctx context.Context, actorID string, h OfficeHours) error {
	if err := h.Validate(); err != nil {
		return err
	}
	return s.actorTx(ctx, actorID, isAdmin, func(tx *txn, st stamp) error {
		return recordOfficeHours(ctx, tx, st, actorID, h.toJSON())
	})
}

func recordOfficeHours(ctx context.Context, tx *txn, st stamp, by string, j officeHoursJSON) error {
	rs := newRecStamp(st, by)
	rs.ID = officeHoursID(st.office)
	if err := record(ctx, tx, st.at, &officeHoursPayload{recStamp: rs, officeHoursJSON: j}); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM settings WHERE key = ?`, settingOfficeHours); err != nil {
		return fmt.Errorf("office hours: %w", err)
	}
	return nil
}

// moveOfficeHours makes the opening hours a device kept as its own setting
// the office's record (office.hours, by no one), so they reach HQ and the
// office's other devices. A setting that does not read is left as it is.
func (s *Store) moveOfficeHours(ctx context.Context) error {
	v, err := s.Setting(ctx, settingOfficeHours, "")
	if err != nil || v == "" || !s.IsSetUp() {
		return err
	}
	var j officeHoursJSON
	if err := json.Unmarshal([]byte(v), &j); err != nil {
		slog.Warn("office hours setting not moved", "err", err)
		return nil
	}
	if _, err := officeHoursFromJSON(j); err != nil {
		slog.Warn("office hours setting not moved", "err", ErrorCode(err))
		return nil
	}
	st, err := s.stamp()
	if err != nil {
		return err
	}
	return s.tx(ctx, func(tx *txn) error { return recordOfficeHours(ctx, tx, st, "", j) })
}
