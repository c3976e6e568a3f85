package data

import (
	"context"
	"fmt"
	"time"
)

// Rotation actions (轮排). Every one is recorded with who and when.
const (
	RotJoin      = "join"      // 上岗: on duty, at the end of the queue
	RotLeave     = "leave"     // 下岗: off duty
	RotBusy      = "busy"      // 忙碌: skipped until available again
	RotAvailable = "available" // 恢复在岗: back on duty, keeps the place in the queue
	RotSkip      = "skip"      // 跳过: passes the turn, goes to the end
	RotMakeup    = "makeup"    // 补接: owed a turn, goes to the front
	RotAssign    = "assign"    // took a new visitor: uses the turn, goes to the end
	RotOwn       = "own"       // took their own returning customer: no turn used
)

// Consultant statuses in the rotation.
const (
	StatusAvailable = "available"
	StatusBusy      = "busy"
	StatusOff       = "off"
)

// RotationEntry is one consultant's place in today's queue.
type RotationEntry struct {
	ConsultantID string
	Name         string
	Turn         int
	Status       string
	Makeup       bool
	Served       int
	Next         bool // the one whose turn it is
}

// RotationEvent is one recorded action.
type RotationEvent struct {
	At             time.Time
	ConsultantID   string
	ConsultantName string
	Action         string
	ByName         string
	VisitID        string
}

// Rotation returns the day's queue: on-duty consultants in turn order, then
// those off duty. The first available one is marked Next.
func (s *Store) Rotation(ctx context.Context, day string) ([]RotationEntry, error) {
	_, o, err := s.ids()
	if err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT r.consultant_id, s.name, r.turn, r.status, r.makeup, r.served
		FROM rotation r JOIN staff s ON s.id = r.consultant_id
		WHERE r.office_id = ? AND r.day = ? ORDER BY r.status = 'off', r.turn`, o.ID, day)
	if err != nil {
		return nil, fmt.Errorf("rotation: %w", err)
	}
	defer rows.Close()
	var out []RotationEntry
	next := false
	for rows.Next() {
		var e RotationEntry
		if err := rows.Scan(&e.ConsultantID, &e.Name, &e.Turn, &e.Status, &e.Makeup, &e.Served); err != nil {
			return nil, fmt.Errorf("rotation: %w", err)
		}
		if !next && e.Status == StatusAvailable {
			e.Next, next = true, true
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// Today is the office-local date now.
func (s *Store) Today() string { return s.Day(s.now()) }

// RotationLog returns the day's recorded actions, newest first.
func (s *Store) RotationLog(ctx context.Context, day string, limit int) ([]RotationEvent, error) {
	_, o, err := s.ids()
	if err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT e.created_at, e.consultant_id, c.name, e.action, COALESCE(b.name, ''), COALESCE(e.visit_id, '')
		FROM rotation_events e JOIN staff c ON c.id = e.consultant_id LEFT JOIN staff b ON b.id = e.created_by
		WHERE e.office_id = ? AND e.day = ? ORDER BY e.created_at DESC, e.id DESC LIMIT ?`, o.ID, day, limit)
	if err != nil {
		return nil, fmt.Errorf("rotation log: %w", err)
	}
	defer rows.Close()
	var out []RotationEvent
	for rows.Next() {
		var e RotationEvent
		var at int64
		if err := rows.Scan(&at, &e.ConsultantID, &e.ConsultantName, &e.Action, &e.ByName, &e.VisitID); err != nil {
			return nil, fmt.Errorf("rotation log: %w", err)
		}
		e.At = fromMS(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// RotationAction applies a desk action (join, leave, busy, available, skip,
// makeup) to a consultant in today's queue.
func (s *Store) RotationAction(ctx context.Context, actorID, consultantID, action string) error {
	switch action {
	case RotJoin, RotLeave, RotBusy, RotAvailable, RotSkip, RotMakeup:
	default:
		return invalid("action", "err.rotation.action", nil)
	}
	st, err := s.stamp()
	if err != nil {
		return err
	}
	day := s.Day(fromMS(st.at))
	return s.tx(ctx, func(tx *txn) error {
		if _, err := requireActor(ctx, tx, actorID, Role.CanCheckIn); err != nil {
			return err
		}
		c, err := findStaff(ctx, tx, consultantID)
		if err != nil {
			return err
		}
		if !c.Active || c.Role != RoleConsultant {
			return invalid("consultant", "err.consultant.invalid", nil)
		}
		return rotate(ctx, tx, st, actorID, day, consultantID, action, "")
	})
}

// nextInTurn is the first available consultant in the day's queue, or "".
func nextInTurn(ctx context.Context, tx *txn, office, day string) (string, error) {
	var id string
	err := tx.QueryRowContext(ctx, `SELECT consultant_id FROM rotation WHERE office_id = ? AND day = ? AND status = 'available'
		ORDER BY turn LIMIT 1`, office, day).Scan(&id)
	if isNoRows(err) {
		return "", nil
	}
	return id, err
}

func onDuty(ctx context.Context, tx *txn, office, day, consultant string) bool {
	var status string
	err := tx.QueryRowContext(ctx, `SELECT status FROM rotation WHERE office_id = ? AND day = ? AND consultant_id = ?`, office, day, consultant).Scan(&status)
	return err == nil && status != StatusOff
}

// rotate records a rotation action and applies it to the day's queue.
func rotate(ctx context.Context, tx *txn, st stamp, by any, day, consultant, action, visitID string) error {
	var turn, served int
	var status string
	var makeup bool
	err := tx.QueryRowContext(ctx, `SELECT turn, status, makeup, served FROM rotation WHERE office_id = ? AND day = ? AND consultant_id = ?`,
		st.office, day, consultant).Scan(&turn, &status, &makeup, &served)
	inQueue := err == nil
	if err != nil && !isNoRows(err) {
		return fmt.Errorf("rotation: %w", err)
	}
	var minTurn, maxTurn int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(min(turn), 0), COALESCE(max(turn), 0) FROM rotation WHERE office_id = ? AND day = ? AND status != 'off'`,
		st.office, day).Scan(&minTurn, &maxTurn); err != nil {
		return fmt.Errorf("rotation: %w", err)
	}
	onDuty := inQueue && status != StatusOff
	switch action {
	case RotJoin:
		if onDuty {
			return &Error{Code: ECONFLICT, Key: "err.rotation.already_on"}
		}
		turn, status, makeup = maxTurn+1, StatusAvailable, false
	case RotLeave:
		if !onDuty {
			return &Error{Code: ECONFLICT, Key: "err.rotation.not_on"}
		}
		status, makeup = StatusOff, false
	case RotBusy:
		if !onDuty {
			return &Error{Code: ECONFLICT, Key: "err.rotation.not_on"}
		}
		status = StatusBusy
	case RotAvailable:
		if !onDuty {
			return &Error{Code: ECONFLICT, Key: "err.rotation.not_on"}
		}
		status = StatusAvailable
	case RotSkip:
		if !onDuty {
			return &Error{Code: ECONFLICT, Key: "err.rotation.not_on"}
		}
		turn, makeup = maxTurn+1, false
	case RotMakeup:
		if !onDuty {
			return &Error{Code: ECONFLICT, Key: "err.rotation.not_on"}
		}
		turn, makeup = minTurn-1, true
	case RotAssign:
		// A consultant taken off the queue (or never on it) can still be
		// given a visitor; only a queued one moves to the end.
		if onDuty {
			turn, makeup = maxTurn+1, false
			status = StatusBusy
		}
		served++
	case RotOwn:
		if onDuty {
			status = StatusBusy
		}
		served++
	}
	if inQueue || action == RotJoin {
		if _, err := tx.ExecContext(ctx, `INSERT INTO rotation (office_id, day, consultant_id, turn, status, makeup, served) VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (office_id, day, consultant_id) DO UPDATE SET turn = excluded.turn, status = excluded.status, makeup = excluded.makeup, served = excluded.served`,
			st.office, day, consultant, turn, status, makeup, served); err != nil {
			return fmt.Errorf("rotation: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO rotation_events (id, office_id, device_id, created_at, created_by, day, consultant_id, action, visit_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULLIF(?, ''))`, st.id, st.office, st.device, st.at, by, day, consultant, action, visitID); err != nil {
		return fmt.Errorf("rotation event: %w", err)
	}
	return emit(ctx, tx, st.at, MutRotationAction, 1, st.id, map[string]any{
		"id": st.id, "office_id": st.office, "device_id": st.device, "created_at": st.at, "created_by": by,
		"day": day, "consultant_id": consultant, "action": action, "visit_id": visitID,
	})
}
