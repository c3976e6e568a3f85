package data

import (
	"context"
	"database/sql"
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
		WHERE e.office_id = ? AND e.day = ? ORDER BY e.sync_ord DESC, e.id DESC LIMIT ?`, o.ID, day, limit)
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

// rotate checks a rotation action against the day's queue and records it.
func rotate(ctx context.Context, tx *txn, st stamp, by string, day, consultant, action, visitID string) error {
	q, err := loadQueue(ctx, tx, st.office, day)
	if err != nil {
		return err
	}
	if err := q.step(consultant, action); err != nil {
		return err
	}
	return record(ctx, tx, st.at, &rotationAction{recStamp: newRecStamp(st, by), Day: day, ConsultantID: consultant, Action: action, VisitID: visitID})
}

// rotRow is one consultant's place in a day's queue.
type rotRow struct {
	turn, served int
	status       string
	makeup       bool
}

// rotQueue is a day's queue: the consultants in it.
type rotQueue map[string]*rotRow

func loadQueue(ctx context.Context, tx *txn, office, day string) (rotQueue, error) {
	rows, err := tx.QueryContext(ctx, `SELECT consultant_id, turn, status, makeup, served FROM rotation WHERE office_id = ? AND day = ?`, office, day)
	if err != nil {
		return nil, fmt.Errorf("rotation: %w", err)
	}
	defer rows.Close()
	q := rotQueue{}
	for rows.Next() {
		var id string
		var r rotRow
		if err := rows.Scan(&id, &r.turn, &r.status, &r.makeup, &r.served); err != nil {
			return nil, fmt.Errorf("rotation: %w", err)
		}
		q[id] = &r
	}
	return q, rows.Err()
}

// step applies one action to the queue, or says why it is not allowed.
func (q rotQueue) step(consultant, action string) *Error {
	minTurn, maxTurn, first := 0, 0, true
	for _, r := range q {
		if r.status == StatusOff {
			continue
		}
		if first || r.turn < minTurn {
			minTurn = r.turn
		}
		if first || r.turn > maxTurn {
			maxTurn = r.turn
		}
		first = false
	}
	r, inQueue := q[consultant]
	onDuty := inQueue && r.status != StatusOff
	if !inQueue {
		r = &rotRow{}
	}
	switch action {
	case RotJoin:
		if onDuty {
			return &Error{Code: ECONFLICT, Key: "err.rotation.already_on"}
		}
		r.turn, r.status, r.makeup = maxTurn+1, StatusAvailable, false
	case RotLeave, RotBusy, RotAvailable, RotSkip, RotMakeup:
		if !onDuty {
			return &Error{Code: ECONFLICT, Key: "err.rotation.not_on"}
		}
		switch action {
		case RotLeave:
			r.status, r.makeup = StatusOff, false
		case RotBusy:
			r.status = StatusBusy
		case RotAvailable:
			r.status = StatusAvailable
		case RotSkip:
			r.turn, r.makeup = maxTurn+1, false
		case RotMakeup:
			r.turn, r.makeup = minTurn-1, true
		}
	case RotAssign:
		// A consultant taken off the queue (or never on it) can still be
		// given a visitor; only a queued one moves to the end.
		if onDuty {
			r.turn, r.makeup = maxTurn+1, false
			r.status = StatusBusy
		}
		r.served++
	case RotOwn:
		if onDuty {
			r.status = StatusBusy
		}
		r.served++
	default:
		return invalid("action", "err.rotation.action", nil)
	}
	if inQueue || action == RotJoin {
		q[consultant] = r
	}
	return nil
}

// write stores one consultant's row of the queue.
func (q rotQueue) write(ctx context.Context, tx *txn, office, day, consultant string) error {
	r, ok := q[consultant]
	if !ok {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO rotation (office_id, day, consultant_id, turn, status, makeup, served) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (office_id, day, consultant_id) DO UPDATE SET turn = excluded.turn, status = excluded.status, makeup = excluded.makeup, served = excluded.served`,
		office, day, consultant, r.turn, r.status, r.makeup, r.served); err != nil {
		return fmt.Errorf("rotation: %w", err)
	}
	return nil
}

// deriveRotation recomputes a day's queue from its actions in sync order.
// An action not allowed where it falls (two devices put the same
// consultant on duty offline) is kept in the log but passed over, the same
// on every device.
func deriveRotation(ctx context.Context, tx *txn, office, day string) error {
	rows, err := tx.QueryContext(ctx, `SELECT consultant_id, action FROM rotation_events WHERE office_id = ? AND day = ? ORDER BY sync_ord, id`, office, day)
	if err != nil {
		return fmt.Errorf("derive rotation: %w", err)
	}
	q := rotQueue{}
	for rows.Next() {
		var c, a string
		if err := rows.Scan(&c, &a); err != nil {
			rows.Close()
			return fmt.Errorf("derive rotation: %w", err)
		}
		_ = q.step(c, a) // not allowed here: passed over
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("derive rotation: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM rotation WHERE office_id = ? AND day = ?`, office, day); err != nil {
		return fmt.Errorf("derive rotation: %w", err)
	}
	for c := range q {
		if err := q.write(ctx, tx, office, day, c); err != nil {
			return err
		}
	}
	return nil
}

// rotationAction (rotation.action v1) is one action in a day's rotation.
type rotationAction struct {
	recStamp
	Day          string `json:"day"` // office-local YYYY-MM-DD
	ConsultantID string `json:"consultant_id"`
	Action       string `json:"action"`   // join | leave | busy | available | skip | makeup | assign | own
	VisitID      string `json:"visit_id"` // assign, own (and a check-out's available): the visit
}

func init() {
	registerMutation[rotationAction](MutationSpec{Name: MutRotationAction, Version: 1, Entity: "rotation_event", Owner: OwnerOffice, Rank: rankEvent})
	registerReencoder(MutRotationAction, func(ctx context.Context, tx *txn, e OutboxEntry) (payload, error) {
		var p rotationAction
		var by, v sql.NullString
		err := tx.QueryRowContext(ctx, `SELECT id, office_id, device_id, created_at, created_by, day, consultant_id, action, visit_id FROM rotation_events WHERE id = ?`, e.RecordID).
			Scan(&p.ID, &p.OfficeID, &p.DeviceID, &p.CreatedAt, &by, &p.Day, &p.ConsultantID, &p.Action, &v)
		p.CreatedBy, p.VisitID = by.String, v.String
		return &p, err
	})
}

func (*rotationAction) spec() *MutationSpec { return specOf(MutRotationAction, 1) }

func (p *rotationAction) refs() []Ref {
	r := []Ref{{Entity: "staff", ID: p.ConsultantID}}
	if p.VisitID != "" {
		r = append(r, Ref{Entity: "visit", ID: p.VisitID})
	}
	return r
}

func (p *rotationAction) validate() error {
	if err := p.check(); err != nil {
		return err
	}
	if err := checkIDs("consultant", p.ConsultantID); err != nil {
		return err
	}
	if err := checkUUID("visit", p.VisitID, false); err != nil {
		return err
	}
	if err := checkDay("day", p.Day, true); err != nil {
		return err
	}
	if err := checkChoice("action", p.Action, RotJoin, RotLeave, RotBusy, RotAvailable, RotSkip, RotMakeup, RotAssign, RotOwn); err != nil {
		return err
	}
	return nil
}

func (p *rotationAction) apply(ctx context.Context, tx *txn, ac applyCtx) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO rotation_events (id, office_id, device_id, created_at, created_by, day, consultant_id, action, visit_id, sync_ord)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULLIF(?, ''), ?)`+keepEarliestOrd,
		p.ID, p.OfficeID, p.DeviceID, p.CreatedAt, p.by(), p.Day, p.ConsultantID, p.Action, p.VisitID, ac.ord); err != nil {
		return fmt.Errorf("rotation event: %w", err)
	}
	if !ac.remote {
		// A local action comes after every other: one step of the queue.
		q, err := loadQueue(ctx, tx, p.OfficeID, p.Day)
		if err != nil {
			return err
		}
		if err := q.step(p.ConsultantID, p.Action); err != nil {
			return err
		}
		return q.write(ctx, tx, p.OfficeID, p.Day, p.ConsultantID)
	}
	return ac.rederive(ctx, tx, derivedRotation, p.OfficeID, p.Day, 0)
}
