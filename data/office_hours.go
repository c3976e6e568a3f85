package data

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
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

// settingOfficeHours is the settings key of the office's opening hours.
// It is an office-wide setting kept on the device until sync carries it.
const settingOfficeHours = "office.opening_hours"

// OfficeHours is the office's opening hours: the stored setting, or
// DefaultOfficeHours while none is stored.
func (s *Store) OfficeHours(ctx context.Context) (OfficeHours, error) {
	v, err := s.Setting(ctx, settingOfficeHours, "")
	if err != nil || v == "" {
		return DefaultOfficeHours(), err
	}
	var j officeHoursJSON
	if err := json.Unmarshal([]byte(v), &j); err != nil {
		return DefaultOfficeHours(), fmt.Errorf("office hours: %w", err)
	}
	h, err := officeHoursFromJSON(j)
	if err != nil {
		return DefaultOfficeHours(), fmt.Errorf("office hours %q: %w", v, err)
	}
	return h, nil
}

// SetOfficeHours stores the office's opening hours. Admin only; h must pass
// Validate. Deadlines of tickets opened from then on count on them.
func (s *Store) SetOfficeHours(ctx context.Context, actorID string, h OfficeHours) error {
	if err := h.Validate(); err != nil {
		return err
	}
	b, _ := json.Marshal(h.toJSON())
	return s.actorTx(ctx, actorID, isAdmin, func(tx *txn, _ stamp) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, settingOfficeHours, string(b)); err != nil {
			return fmt.Errorf("office hours: %w", err)
		}
		return nil
	})
}
