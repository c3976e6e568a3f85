package data

import (
	"context"
	"fmt"
	"strings"
	"time"

	"anchang/data/namepy"
)

// Board statuses of a visit.
const (
	BoardWaiting = "waiting" // arrived, not yet with a consultant
	BoardServing = "serving" // with a consultant
	BoardLeft    = "left"    // checked out
	BoardPresent = "present" // waiting or serving
)

// BoardFilter narrows today's board. Empty fields match everything.
type BoardFilter struct {
	Status       string
	Purpose      Purpose
	ConsultantID string
	Query        string // part of a name, or digits of a phone number
}

// BoardRow is one visit on the board. The phone is masked.
type BoardRow struct {
	VisitID        string
	ArrivedAt      time.Time
	Name           string
	Title          string
	PhoneMasked    string
	PartySize      int
	Purpose        Purpose
	Kind           string
	Via            string
	ConsultantID   string
	ConsultantName string
	Area           Area
	HandedOverAt   time.Time
	LeftAt         time.Time
	Day            string // the office-local day, YYYY-MM-DD
	VisitorID      string
}

// Status is the row's board status.
func (r BoardRow) Status() string {
	switch {
	case !r.LeftAt.IsZero():
		return BoardLeft
	case !r.HandedOverAt.IsZero():
		return BoardServing
	}
	return BoardWaiting
}

// Wait is the time from arrival to hand-over, or to now while waiting.
func (r BoardRow) Wait(now time.Time) time.Duration {
	switch {
	case !r.HandedOverAt.IsZero():
		return r.HandedOverAt.Sub(r.ArrivedAt)
	case !r.LeftAt.IsZero():
		return r.LeftAt.Sub(r.ArrivedAt)
	}
	return now.Sub(r.ArrivedAt)
}

// Figures summarise the whole day, whatever the filter.
type Figures struct {
	Visits  int
	First   int
	Return  int
	Present int
	Waiting int
	Kiosk   int
	// AvgWait is the average wait of the HandedOver visits (WaitTotal);
	// meaningless when HandedOver is 0.
	AvgWait    time.Duration
	HandedOver int
}

// WaitTotal adds up waits for the day's average: the one definition the
// board and the printed daily log share. A wait runs from arrival to
// hand-over; visits not yet handed over do not count.
type WaitTotal struct {
	Sum time.Duration
	N   int // visits handed over
}

// Add counts r if it has been handed over.
func (w *WaitTotal) Add(r BoardRow) {
	if !r.HandedOverAt.IsZero() {
		w.Sum += r.HandedOverAt.Sub(r.ArrivedAt)
		w.N++
	}
}

// Average is the average wait rounded to the minute (to the second under a
// minute, so a short wait does not read as none); ok is false when nobody
// has been handed over, so there is no average to show.
func (w WaitTotal) Average() (avg time.Duration, ok bool) {
	if w.N == 0 {
		return 0, false
	}
	avg = w.Sum / time.Duration(w.N)
	if avg >= time.Minute {
		return avg.Round(time.Minute), true
	}
	return avg.Round(time.Second), true
}

// Board is the day's board.
type Board struct {
	Day     string
	Rows    []BoardRow
	Figures Figures
}

// BoardLimit caps the rows returned; the figures always cover the whole day.
const BoardLimit = 500

// Board loads the day's visits matching f, newest first, and the day's figures.
func (s *Store) Board(ctx context.Context, day string, f BoardFilter) (Board, error) {
	_, o, err := s.ids()
	if err != nil {
		return Board{}, err
	}
	b := Board{Day: day}
	var waitSum, waitN int64
	err = s.db.QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (WHERE kind = 'first'),
		count(*) FILTER (WHERE left_at IS NULL), count(*) FILTER (WHERE left_at IS NULL AND handed_over_at IS NULL),
		count(*) FILTER (WHERE via = 'kiosk'),
		COALESCE(sum(handed_over_at - arrived_at), 0), count(handed_over_at)
		FROM visits WHERE office_id = ? AND day = ?`, o.ID, day).
		Scan(&b.Figures.Visits, &b.Figures.First, &b.Figures.Present, &b.Figures.Waiting, &b.Figures.Kiosk, &waitSum, &waitN)
	if err != nil {
		return Board{}, fmt.Errorf("board figures: %w", err)
	}
	b.Figures.Return = b.Figures.Visits - b.Figures.First
	waits := WaitTotal{Sum: time.Duration(waitSum) * time.Millisecond, N: int(waitN)}
	b.Figures.AvgWait, _ = waits.Average()
	b.Figures.HandedOver = waits.N

	rows, err := s.visitRows(ctx, o.ID, "v.day = ?", []any{day}, f, BoardLimit)
	if err != nil {
		return Board{}, fmt.Errorf("board: %w", err)
	}
	b.Rows = rows
	return b, nil
}

// visitRows lists the office's visits matching the days' condition (on
// v.day) and f, newest first, at most limit, phones masked.
func (s *Store) visitRows(ctx context.Context, officeID, dayCond string, dayArgs []any, f BoardFilter, limit int) ([]BoardRow, error) {
	q := strings.Builder{}
	q.WriteString(`SELECT v.id, v.arrived_at, v.name, v.title, p.phone, v.party_size, v.purpose, v.kind, v.via,
		COALESCE(v.consultant_id, ''), COALESCE(c.name, ''), v.area, v.handed_over_at, v.left_at, v.day, v.visitor_id
		FROM visits v JOIN visitors p ON p.id = v.visitor_id LEFT JOIN staff c ON c.id = v.consultant_id
		WHERE v.office_id = ? AND ` + dayCond)
	args := append([]any{officeID}, dayArgs...)
	switch f.Status {
	case BoardWaiting:
		q.WriteString(` AND v.left_at IS NULL AND v.handed_over_at IS NULL`)
	case BoardServing:
		q.WriteString(` AND v.left_at IS NULL AND v.handed_over_at IS NOT NULL`)
	case BoardLeft:
		q.WriteString(` AND v.left_at IS NOT NULL`)
	case BoardPresent:
		q.WriteString(` AND v.left_at IS NULL`)
	}
	if f.Purpose != "" {
		q.WriteString(` AND v.purpose = ?`)
		args = append(args, string(f.Purpose))
	}
	if f.ConsultantID != "" {
		q.WriteString(` AND v.consultant_id = ?`)
		args = append(args, f.ConsultantID)
	}
	if qs := strings.TrimSpace(FoldInput(f.Query)); qs != "" {
		if e164, err := NormalizePhone("q", qs); err == nil {
			// A whole number, however it was typed (010-12345678 转 801);
			// a landline also with any extension after it.
			base, _ := splitE164(e164)
			q.WriteString(` AND (p.phone = ? OR p.phone LIKE ?)`)
			args = append(args, e164, base+";ext=%")
		} else if digits, ok := phoneQuery(qs); ok {
			if strings.HasPrefix(qs, "+") {
				// The start of an international number: +86 139…
				q.WriteString(` AND p.phone LIKE ?`)
				args = append(args, "+"+digits+"%")
			} else {
				// Part of a number: match the national digits, so "86" does
				// not match every mainland number by its country code.
				q.WriteString(` AND (CASE WHEN p.phone LIKE '+86%' THEN substr(p.phone, 4) ELSE substr(p.phone, 2) END) LIKE ?`)
				args = append(args, "%"+digits+"%")
			}
		} else if namepy.IsQuery(qs) {
			// Pinyin (zhangmin, zm) or a Latin name: the names of these
			// days' visits that read so.
			names, err := s.pinyinNames(ctx, officeID, dayCond, dayArgs, qs)
			if err != nil {
				return nil, err
			}
			q.WriteString(` AND (v.name LIKE ? ESCAPE '\'`)
			args = append(args, "%"+escapeLike(qs)+"%")
			if len(names) > 0 {
				q.WriteString(` OR v.name IN (?` + strings.Repeat(`, ?`, len(names)-1) + `)`)
				for _, n := range names {
					args = append(args, n)
				}
			}
			q.WriteString(`)`)
		} else {
			q.WriteString(` AND v.name LIKE ? ESCAPE '\'`)
			args = append(args, "%"+escapeLike(qs)+"%")
		}
	}
	q.WriteString(` ORDER BY v.arrived_at DESC, v.id DESC LIMIT ?`)
	args = append(args, limit)
	rows, err := s.db.QueryContext(ctx, q.String(), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []BoardRow
	for rows.Next() {
		var r BoardRow
		var arrived int64
		var phone string
		var handed, left nullInt
		if err := rows.Scan(&r.VisitID, &arrived, &r.Name, &r.Title, &phone, &r.PartySize, &r.Purpose, &r.Kind, &r.Via,
			&r.ConsultantID, &r.ConsultantName, &r.Area, &handed, &left, &r.Day, &r.VisitorID); err != nil {
			return nil, err
		}
		r.ArrivedAt, r.HandedOverAt, r.LeftAt = fromMS(arrived), handed.time(), left.time()
		r.PhoneMasked = MaskPhone(phone)
		out = append(out, r)
	}
	return out, rows.Err()
}

// pinyinNames are the distinct visit names of the days that the pinyin
// query q reads (namepy.Match).
func (s *Store) pinyinNames(ctx context.Context, officeID, dayCond string, dayArgs []any, q string) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT v.name FROM visits v WHERE v.office_id = ? AND `+dayCond,
		append([]any{officeID}, dayArgs...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		if namepy.Match(n, q) {
			out = append(out, n)
		}
	}
	return out, rows.Err()
}

// phoneQuery reports whether a search looks like (part of) a phone number —
// digits with the spaces, dashes and + people type — and returns its digits.
func phoneQuery(s string) (string, bool) {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '+':
		default:
			return "", false
		}
	}
	return b.String(), b.Len() > 0
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// Returning is what the desk learns about a known phone number.
type Returning struct {
	VisitorID      string
	Name           string
	Title          string
	ConsultantID   string
	ConsultantName string
	Visits         int
	Recent         []PastVisit // newest first, at most 5
	// SourceID is the source channel of their latest visit that has one
	// ("" if none): how they first heard of the project rarely changes.
	SourceID string
	// OpenVisitID is the visitor's visit today that has not checked out
	// ("" if none): they are in the office now.
	OpenVisitID string
}

// PastVisit is one earlier visit of a returning visitor.
type PastVisit struct {
	ArrivedAt      time.Time
	Purpose        Purpose
	ConsultantName string
}

// LookupPhone finds the visitor with this phone number (as typed). ok is
// false for an unknown or invalid number.
func (s *Store) LookupPhone(ctx context.Context, phone string) (r Returning, ok bool, err error) {
	_, o, err := s.ids()
	if err != nil {
		return r, false, err
	}
	e164, verr := NormalizePhone("phone", phone)
	if verr != nil {
		return r, false, nil
	}
	err = s.db.QueryRowContext(ctx, `SELECT p.id, p.name, p.title, COALESCE(p.consultant_id, ''), COALESCE(c.name, ''),
		(SELECT count(*) FROM visits WHERE visitor_id = p.id)
		FROM visitors p LEFT JOIN staff c ON c.id = p.consultant_id
		WHERE p.phone = ? AND p.office_id = ? ORDER BY p.sync_ord, p.id LIMIT 1`, e164, o.ID).
		Scan(&r.VisitorID, &r.Name, &r.Title, &r.ConsultantID, &r.ConsultantName, &r.Visits)
	if isNoRows(err) {
		return r, false, nil
	}
	if err != nil {
		return r, false, fmt.Errorf("lookup phone: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT v.arrived_at, v.purpose, COALESCE(c.name, '') FROM visits v
		LEFT JOIN staff c ON c.id = v.consultant_id WHERE v.visitor_id = ? ORDER BY v.arrived_at DESC LIMIT 5`, r.VisitorID)
	if err != nil {
		return r, false, fmt.Errorf("lookup phone: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var pv PastVisit
		var at int64
		if err := rows.Scan(&at, &pv.Purpose, &pv.ConsultantName); err != nil {
			return r, false, fmt.Errorf("lookup phone: %w", err)
		}
		pv.ArrivedAt = fromMS(at)
		r.Recent = append(r.Recent, pv)
	}
	if err := rows.Err(); err != nil {
		return r, false, fmt.Errorf("lookup phone: %w", err)
	}
	err = s.db.QueryRowContext(ctx, `SELECT source_id FROM visits WHERE visitor_id = ? AND source_id IS NOT NULL
		ORDER BY arrived_at DESC LIMIT 1`, r.VisitorID).Scan(&r.SourceID)
	if err != nil && !isNoRows(err) {
		return r, false, fmt.Errorf("lookup phone: %w", err)
	}
	err = s.db.QueryRowContext(ctx, `SELECT id FROM visits WHERE visitor_id = ? AND office_id = ? AND day = ? AND left_at IS NULL
		ORDER BY arrived_at DESC LIMIT 1`, r.VisitorID, o.ID, s.Today()).Scan(&r.OpenVisitID)
	if err != nil && !isNoRows(err) {
		return r, false, fmt.Errorf("lookup phone: %w", err)
	}
	return r, true, nil
}

type nullInt struct {
	v     int64
	valid bool
}

func (n *nullInt) Scan(src any) error {
	switch x := src.(type) {
	case nil:
		n.valid = false
	case int64:
		n.v, n.valid = x, true
	default:
		return fmt.Errorf("want integer, got %T", src)
	}
	return nil
}

func (n nullInt) time() time.Time {
	if !n.valid {
		return time.Time{}
	}
	return fromMS(n.v)
}
