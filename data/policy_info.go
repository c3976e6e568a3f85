package data

import (
	"context"
	"fmt"
	"sort"
	"time"
)

// SLAPolicyInfo says which policy version new tickets are opened under and
// who saved it when. SavedAt is zero (and SavedBy empty) for the shipped
// default, version 1, while no version is stored.
type SLAPolicyInfo struct {
	Version     int
	SavedAt     time.Time
	SavedBy     string // staff id
	SavedByName string
}

// SLAPolicyInfo is the current policy version's provenance.
func (s *Store) SLAPolicyInfo(ctx context.Context) (SLAPolicyInfo, error) {
	var info SLAPolicyInfo
	var at int64
	err := s.db.QueryRowContext(ctx, `SELECT p.version, p.created_at, COALESCE(p.created_by, ''), COALESCE(st.name, '')
		FROM sla_policies p LEFT JOIN staff st ON st.id = p.created_by ORDER BY p.version DESC LIMIT 1`).
		Scan(&info.Version, &at, &info.SavedBy, &info.SavedByName)
	if isNoRows(err) {
		return SLAPolicyInfo{Version: DefaultSLAPolicy().Version}, nil
	}
	if err != nil {
		return SLAPolicyInfo{}, fmt.Errorf("sla policy info: %w", err)
	}
	info.SavedAt = fromMS(at)
	return info, nil
}

// HolidayYear is one year's official schedule as the calendar uses it:
// embedded in the binary, or imported (the newest import of a year wins,
// also over an embedded one).
type HolidayYear struct {
	Year           int
	Days           []HolidayDay // ascending by date
	Imported       bool
	ImportedAt     time.Time
	ImportedByName string
}

// HolidaySchedules lists the years the office calendar covers, ascending,
// with their days and where each came from.
func (s *Store) HolidaySchedules(ctx context.Context) ([]HolidayYear, error) {
	years, err := s.holidayYears(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]HolidayYear, 0, len(years))
	for y, days := range years {
		out = append(out, HolidayYear{Year: y, Days: days})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Year < out[j].Year })
	rows, err := s.db.QueryContext(ctx, `SELECT h.year, h.created_at, COALESCE(st.name, '') FROM holiday_imports h
		LEFT JOIN staff st ON st.id = h.created_by ORDER BY h.year, h.created_at, h.id`)
	if err != nil {
		return nil, fmt.Errorf("holiday imports: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var y int
		var at int64
		var name string
		if err := rows.Scan(&y, &at, &name); err != nil {
			return nil, fmt.Errorf("holiday imports: %w", err)
		}
		for i := range out {
			if out[i].Year == y { // the newest import of a year comes last
				out[i].Imported, out[i].ImportedAt, out[i].ImportedByName = true, fromMS(at), name
			}
		}
	}
	return out, rows.Err()
}

// WorkingHours is the calendar's working day, from midnight.
func (c *Calendar) WorkingHours() (start, end time.Duration) { return c.start, c.end }

// Location is the calendar's time zone.
func (c *Calendar) Location() *time.Location { return c.loc }
