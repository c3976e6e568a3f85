package data

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"time"
)

// The device's side of sync, in its own database: who this installation
// is, its enrollment at HQ, how far each scope has been pulled, what HQ
// acknowledged or refused, and applying what was pulled. The HTTP lives in
// sync/ (hqsync), which calls these. See docs/sync.md.

// SyncIdentity is who this installation is and where it syncs.
type SyncIdentity struct {
	DeviceID, DeviceName             string
	InstallEpoch                     int64
	OfficeID, OfficeCode, OfficeName string // "" before setup
	HasHistory                       bool   // the office has records of its own (anything in the outbox, pushed or not)
	Enrolled                         bool
	HQURL, Fingerprint               string // Fingerprint: pinned SHA-256 of HQ's cert, lowercase hex; "" = system roots
	Role, Tag                        string // "office" | "hq"; the ticket-number letter
	Scopes                           []string
	// HistoryUpto is the outbox seq the device's history will end at once
	// an enrollment has adopted its office (pending office.setup rows are
	// dropped and the rest renumbered then): HQ takes the HQ-owned
	// mutations up to it as the office's own (docs/sync.md, HQ-owned
	// reference data).
	HistoryUpto int64
	// Demo: a demo office's database, which never enrolls (CreateDemo).
	Demo bool
	// Importing: an import is under way (data/import_staged.go); an
	// enrollment would renumber the outbox under it, so it waits.
	Importing bool
}

// Enrollment is what HQ answered to an enrollment, with where HQ is.
type Enrollment struct {
	HQURL, Fingerprint, HQID         string
	DeviceID                         string
	OfficeID, OfficeCode, OfficeName string
	Role, Tag                        string
	Scopes                           []string
	Secret                           string
	DeviceName                       string
}

// Device roles at HQ (the same strings as the wire's).
const (
	SyncRoleOffice = "office"
	SyncRoleHQ     = "hq"
)

// ensureSyncState returns this installation's device id and install epoch,
// making the sync_state row with id and epoch when there is none yet.
func ensureSyncState(ctx context.Context, tx *txn, id string, epoch int64) (string, int64, error) {
	if _, err := tx.ExecContext(ctx, `INSERT INTO sync_state (id, device_id, install_epoch) VALUES (1, ?, ?) ON CONFLICT (id) DO NOTHING`, id, epoch); err != nil {
		return "", 0, fmt.Errorf("sync state: %w", err)
	}
	if err := tx.QueryRowContext(ctx, `SELECT device_id, install_epoch FROM sync_state WHERE id = 1`).Scan(&id, &epoch); err != nil {
		return "", 0, fmt.Errorf("sync state: %w", err)
	}
	return id, epoch, nil
}

// SyncIdentity returns this installation's identity. It works before setup
// too: a new device's id and install epoch are made the first time and kept.
func (s *Store) SyncIdentity(ctx context.Context) (SyncIdentity, error) {
	var id SyncIdentity
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM sync_state`).Scan(&n); err != nil {
		return id, fmt.Errorf("sync identity: %w", err)
	}
	if n == 0 {
		err := s.tx(ctx, func(tx *txn) error {
			_, _, err := ensureSyncState(ctx, tx, newID(), s.now().UnixNano())
			return err
		})
		if err != nil {
			return id, err
		}
	}
	var scopes string
	err := s.db.QueryRowContext(ctx, `SELECT st.device_id, st.install_epoch, st.enrolled, st.hq_url, st.fingerprint, st.role, st.scopes,
		COALESCE(d.name, ''), COALESCE(d.tag, ''), COALESCE(o.id, ''), COALESCE(o.code, ''), COALESCE(o.name, ''),
		COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'outbox'), 0) > 0 OR EXISTS (SELECT 1 FROM outbox),
		EXISTS (SELECT 1 FROM imports),
		COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'outbox'), 0) - CASE
			WHEN st.last_acked > 0 OR EXISTS (SELECT 1 FROM outbox WHERE pushed_at IS NOT NULL) THEN 0
			ELSE (SELECT count(*) FROM outbox WHERE mutation = ? AND pushed_at IS NULL) END
		FROM sync_state st LEFT JOIN device d ON d.id = st.device_id LEFT JOIN office o ON o.id = d.office_id WHERE st.id = 1`, MutOfficeSetup).
		Scan(&id.DeviceID, &id.InstallEpoch, &id.Enrolled, &id.HQURL, &id.Fingerprint, &id.Role, &scopes,
			&id.DeviceName, &id.Tag, &id.OfficeID, &id.OfficeCode, &id.OfficeName, &id.HasHistory, &id.Importing, &id.HistoryUpto)
	if err != nil {
		return id, fmt.Errorf("sync identity: %w", err)
	}
	if err := json.Unmarshal([]byte(scopes), &id.Scopes); err != nil {
		return id, fmt.Errorf("sync identity scopes: %w", err)
	}
	id.Demo = s.IsDemo()
	return id, nil
}

var (
	fingerprintRe = regexp.MustCompile(`^[0-9a-f]{64}$`)
	tagRe         = regexp.MustCompile(`^[A-Z]{0,2}$`)
)

// validate checks an enrollment before anything is written.
func (e *Enrollment) validate(deviceID string) error {
	bad := func(field string) error {
		return &Error{Code: EINVALID, Field: field, Key: "err.sync.enrollment", Err: fmt.Errorf("enrollment: bad %s", field)}
	}
	switch {
	case strings.TrimSpace(e.HQURL) == "":
		return bad("hq_url")
	case e.Fingerprint != "" && !fingerprintRe.MatchString(e.Fingerprint):
		return bad("fingerprint")
	case e.DeviceID != deviceID:
		return &Error{Code: ECONFLICT, Key: "err.sync.device_mismatch", Err: fmt.Errorf("enrollment for device %s, this is %s", e.DeviceID, deviceID)}
	case e.Secret == "":
		return bad("secret")
	case e.Role != SyncRoleOffice && e.Role != SyncRoleHQ:
		return bad("role")
	case !tagRe.MatchString(e.Tag):
		return bad("tag")
	}
	if e.Role == SyncRoleOffice {
		if checkUUID("office_id", e.OfficeID, true) != nil {
			return bad("office_id")
		}
		if !officeCodeRe.MatchString(e.OfficeCode) || len(e.OfficeCode) > MaxCodeLen {
			return bad("office_code")
		}
		if _, err := cleanLine("office_name", e.OfficeName, true, MaxOfficeLen); err != nil {
			return bad("office_name")
		}
	}
	return nil
}

// Enroll records an enrollment at HQ, in one transaction. A fresh store
// (not set up) becomes a device of HQ's office, whose records then come
// from HQ. A standalone office adopts HQ's office id: office_id is
// rewritten in every table and in every pending outbox payload, pending
// office.setup rows are dropped (HQ owns the office record) and, when
// nothing has been acknowledged yet, the outbox is renumbered so its seqs
// stay dense; the office's code and name become HQ's. The secret goes to a
// device-local table, never synced, never logged.
func (s *Store) Enroll(ctx context.Context, e Enrollment) error {
	e.HQURL = strings.TrimSpace(e.HQURL)
	e.Fingerprint = strings.ToLower(strings.ReplaceAll(e.Fingerprint, ":", ""))
	e.OfficeCode = strings.ToUpper(strings.TrimSpace(e.OfficeCode))
	e.OfficeName = strings.TrimSpace(e.OfficeName)
	if e.Scopes == nil {
		e.Scopes = []string{}
	}
	at := ms(s.now())
	err := s.tx(ctx, func(tx *txn) error {
		var demo int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM settings WHERE key = ?`, settingDemo).Scan(&demo); err != nil {
			return fmt.Errorf("enroll: %w", err)
		}
		if demo > 0 {
			return errDemoEnroll()
		}
		if err := noImportRunning(ctx, tx); err != nil {
			return errImportEnroll()
		}
		devID, epoch, err := ensureSyncState(ctx, tx, newID(), s.now().UnixNano())
		if err != nil {
			return err
		}
		if err := e.validate(devID); err != nil {
			return err
		}
		var curOffice string
		err = tx.QueryRowContext(ctx, `SELECT office_id FROM device WHERE id = ?`, devID).Scan(&curOffice)
		switch {
		case isNoRows(err):
			if err := enrollFresh(ctx, tx, e, devID, epoch, at); err != nil {
				return err
			}
		case err != nil:
			return fmt.Errorf("enroll: %w", err)
		case e.Role == SyncRoleHQ:
			return &Error{Code: ECONFLICT, Key: "err.sync.hq_on_office", Err: fmt.Errorf("hq enrollment of a device with an office")}
		default:
			if err := adoptOffice(ctx, tx, curOffice, e); err != nil {
				return err
			}
		}
		if e.DeviceName != "" {
			if _, err := tx.ExecContext(ctx, `UPDATE device SET name = ? WHERE id = ?`, e.DeviceName, devID); err != nil {
				return fmt.Errorf("enroll: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE device SET tag = ? WHERE id = ?`, e.Tag, devID); err != nil {
			return fmt.Errorf("enroll: %w", err)
		}
		scopes, _ := json.Marshal(e.Scopes)
		if _, err := tx.ExecContext(ctx, `UPDATE sync_state SET hq_url = ?, fingerprint = ?, hq_id = ?, role = ?, scopes = ?, enrolled = 1, enrolled_at = ?,
			last_error_key = '' WHERE id = 1`, e.HQURL, e.Fingerprint, e.HQID, e.Role, string(scopes), at); err != nil {
			return fmt.Errorf("enroll: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO sync_secret (id, secret) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET secret = excluded.secret`, e.Secret); err != nil {
			return fmt.Errorf("enroll: store secret: %w", err)
		}
		// A new enrollment pulls every scope from the start.
		if _, err := tx.ExecContext(ctx, `DELETE FROM sync_cursors`); err != nil {
			return fmt.Errorf("enroll: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := s.loadDevice(ctx); err != nil {
		return err
	}
	s.faqChanged()
	return nil
}

// enrollFresh makes the device and office rows of a store that was never
// set up. An HQ device has no office of its own; it gets a local one named
// after HQ so the desk works (its id is derived from HQ's id).
func enrollFresh(ctx context.Context, tx *txn, e Enrollment, devID string, epoch, at int64) error {
	officeID, code, name := e.OfficeID, e.OfficeCode, e.OfficeName
	if e.Role == SyncRoleHQ && officeID == "" {
		officeID = HQLocalOfficeID(e.HQID)
		if code == "" {
			code = "HQ"
		}
		if name == "" {
			name = "HQ"
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO office (id, office_id, device_id, created_at, code, name, time_zone) VALUES (?, ?, ?, ?, ?, ?, 'Asia/Shanghai')
		ON CONFLICT (id) DO UPDATE SET code = excluded.code, name = excluded.name`, officeID, officeID, devID, at, code, name); err != nil {
		return fmt.Errorf("enroll: office: %w", err)
	}
	devName := e.DeviceName
	if devName == "" {
		devName = code
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO device (id, office_id, device_id, created_at, name, install_epoch, tag) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		devID, officeID, devID, at, devName, epoch, e.Tag); err != nil {
		return fmt.Errorf("enroll: device: %w", err)
	}
	return nil
}

// adoptOffice makes a standalone office's records HQ's office's.
func adoptOffice(ctx context.Context, tx *txn, oldID string, e Enrollment) error {
	var oldCode string
	if err := tx.QueryRowContext(ctx, `SELECT code FROM office WHERE id = ?`, oldID).Scan(&oldCode); err != nil {
		return fmt.Errorf("enroll: office: %w", err)
	}
	newID := e.OfficeID
	if oldID != newID {
		tables, err := tablesWithColumn(ctx, tx, "office_id")
		if err != nil {
			return err
		}
		for _, t := range tables {
			if _, err := tx.ExecContext(ctx, `UPDATE "`+t+`" SET office_id = ? WHERE office_id = ?`, newID, oldID); err != nil {
				return fmt.Errorf("enroll: adopt office in %s: %w", t, err)
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE office SET id = ? WHERE id = ?`, newID, oldID); err != nil {
			return fmt.Errorf("enroll: adopt office: %w", err)
		}
	}
	// HQ owns the office record from now on: any version of it from HQ replaces this one.
	if _, err := tx.ExecContext(ctx, `UPDATE office SET code = ?, name = ?, sync_ord = 0 WHERE id = ?`, e.OfficeCode, e.OfficeName, newID); err != nil {
		return fmt.Errorf("enroll: office: %w", err)
	}
	if oldCode != e.OfficeCode {
		// FAQ versions scoped to this office name it by its code.
		if _, err := tx.ExecContext(ctx, `UPDATE faq_versions SET scope = ? WHERE scope = ?`, e.OfficeCode, oldCode); err != nil {
			return fmt.Errorf("enroll: faq scope: %w", err)
		}
	}
	if err := dropPendingOfficeSetup(ctx, tx); err != nil {
		return err
	}
	// Re-encode the pending payloads: the old office id (a UUID, so its
	// quoted form appears nowhere else) becomes HQ's, and a FAQ scope of the
	// old code the new one.
	rows, err := tx.QueryContext(ctx, `SELECT seq, record_id, payload FROM outbox WHERE pushed_at IS NULL ORDER BY seq`)
	if err != nil {
		return fmt.Errorf("enroll: outbox: %w", err)
	}
	type row struct {
		seq          int64
		record, body string
	}
	var todo []row
	oldQ, newQ := `"`+oldID+`"`, `"`+newID+`"`
	oldScope, newScope := `"scope":"`+oldCode+`"`, `"scope":"`+e.OfficeCode+`"`
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.seq, &r.record, &r.body); err != nil {
			rows.Close()
			return fmt.Errorf("enroll: outbox: %w", err)
		}
		b := strings.ReplaceAll(r.body, oldQ, newQ)
		if oldCode != e.OfficeCode {
			b = strings.ReplaceAll(b, oldScope, newScope)
		}
		if b != r.body || r.record == oldID {
			r.body = b
			todo = append(todo, r)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("enroll: outbox: %w", err)
	}
	for _, r := range todo {
		rec := r.record
		if rec == oldID {
			rec = newID
		}
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET payload = ?, hash = ?, record_id = ? WHERE seq = ?`, r.body, sha256Hex([]byte(r.body)), rec, r.seq); err != nil {
			return fmt.Errorf("enroll: outbox %d: %w", r.seq, err)
		}
	}
	return nil
}

// dropPendingOfficeSetup removes the office.setup rows not yet pushed. When
// HQ has acknowledged nothing from this device, the rows after them move
// down so the outbox's seqs stay dense (HQ refuses a gap), and the pending
// ords of the records they wrote move with them.
func dropPendingOfficeSetup(ctx context.Context, tx *txn) error {
	var acked int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM outbox WHERE pushed_at IS NOT NULL`).Scan(&acked); err != nil {
		return fmt.Errorf("enroll: outbox: %w", err)
	}
	var lastAcked int64
	if err := tx.QueryRowContext(ctx, `SELECT last_acked FROM sync_state WHERE id = 1`).Scan(&lastAcked); err != nil {
		return fmt.Errorf("enroll: outbox: %w", err)
	}
	if acked > 0 || lastAcked > 0 {
		return nil // pushed before: HQ refuses the office.setup, the office sees why
	}
	var drop []int64
	rows, err := tx.QueryContext(ctx, `SELECT seq FROM outbox WHERE mutation = ? AND pushed_at IS NULL ORDER BY seq`, MutOfficeSetup)
	if err != nil {
		return fmt.Errorf("enroll: outbox: %w", err)
	}
	for rows.Next() {
		var seq int64
		if err := rows.Scan(&seq); err != nil {
			rows.Close()
			return fmt.Errorf("enroll: outbox: %w", err)
		}
		drop = append(drop, seq)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(drop) == 0 {
		return err
	}
	for _, seq := range drop {
		if _, err := tx.ExecContext(ctx, `DELETE FROM outbox WHERE seq = ?`, seq); err != nil {
			return fmt.Errorf("enroll: drop office.setup: %w", err)
		}
	}
	// shift(x) = x - (number of dropped seqs below x), for outbox seqs and
	// for the pending ords that name them (pendingOrd + seq).
	if _, err := tx.ExecContext(ctx, `CREATE TEMP TABLE IF NOT EXISTS dropped_seqs (seq INTEGER PRIMARY KEY)`); err != nil {
		return fmt.Errorf("enroll: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM temp.dropped_seqs`); err != nil {
		return fmt.Errorf("enroll: %w", err)
	}
	for _, seq := range drop {
		if _, err := tx.ExecContext(ctx, `INSERT INTO temp.dropped_seqs (seq) VALUES (?)`, seq); err != nil {
			return fmt.Errorf("enroll: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE outbox SET seq = seq - (SELECT count(*) FROM temp.dropped_seqs d WHERE d.seq < outbox.seq)
		WHERE seq > ?`, drop[0]); err != nil {
		return fmt.Errorf("enroll: renumber outbox: %w", err)
	}
	tables, err := tablesWithColumn(ctx, tx, "sync_ord")
	if err != nil {
		return err
	}
	for _, t := range tables {
		if _, err := tx.ExecContext(ctx, `UPDATE "`+t+`" SET sync_ord = sync_ord - (SELECT count(*) FROM temp.dropped_seqs d WHERE d.seq < "`+t+`".sync_ord - ?)
			WHERE sync_ord > ?`, pendingOrd, pendingOrd+drop[0]); err != nil {
			return fmt.Errorf("enroll: renumber %s: %w", t, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE sqlite_sequence SET seq = (SELECT COALESCE(max(seq), 0) FROM outbox) WHERE name = 'outbox'`); err != nil {
		return fmt.Errorf("enroll: renumber outbox: %w", err)
	}
	_, err = tx.ExecContext(ctx, `DROP TABLE temp.dropped_seqs`)
	return err
}

// tablesWithColumn lists the tables of the main schema that have column col.
func tablesWithColumn(ctx context.Context, tx *txn, col string) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT m.name FROM sqlite_master m JOIN pragma_table_info(m.name) p
		WHERE m.type = 'table' AND p.name = ? ORDER BY m.name`, col)
	if err != nil {
		return nil, fmt.Errorf("tables with %s: %w", col, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// DeviceSecret is the credential HQ gave this device at enrollment.
func (s *Store) DeviceSecret(ctx context.Context) (string, error) {
	var secret string
	err := s.db.QueryRowContext(ctx, `SELECT secret FROM sync_secret WHERE id = 1`).Scan(&secret)
	if isNoRows(err) {
		return "", &Error{Code: ENOTFOUND, Key: "err.sync.not_enrolled"}
	}
	if err != nil {
		return "", fmt.Errorf("device secret: %w", err)
	}
	return secret, nil
}

// LeaveHQ forgets the enrollment and the secret. Every record and the
// outbox stay; the device works standalone as before.
func (s *Store) LeaveHQ(ctx context.Context) error {
	err := s.tx(ctx, func(tx *txn) error {
		for _, q := range []string{
			`UPDATE sync_state SET hq_url = '', fingerprint = '', hq_id = '', role = '', scopes = '[]', enrolled = 0, enrolled_at = 0, last_error_key = '' WHERE id = 1`,
			`DELETE FROM sync_secret`,
			`DELETE FROM sync_cursors`,
			`UPDATE device SET tag = ''`,
		} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("leave hq: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return s.loadDevice(ctx)
}

// PendingMutation is an outbox row waiting to be pushed.
type PendingMutation = OutboxEntry

// Push outcome statuses (the wire's).
const (
	PushApplied   = "applied"
	PushDuplicate = "duplicate"
	PushRejected  = "rejected"
)

// PushOutcome is HQ's answer for one pushed outbox row.
type PushOutcome struct {
	Seq      int64
	Status   string // PushApplied | PushDuplicate | PushRejected
	Scope    string
	ScopeSeq int64
	Code     string // for rejected: why, in data's codes
	Key      string
	Args     map[string]any
}

// AckPushed records HQ's answers in one transaction: each row is marked
// acknowledged (kept until PruneAcked: an HQ restored from an older backup
// may need it again) and each rejection is recorded to show the office.
func (s *Store) AckPushed(ctx context.Context, outs []PushOutcome) error {
	if len(outs) == 0 {
		return nil
	}
	at := ms(s.now())
	return s.tx(ctx, func(tx *txn) error {
		var maxSeq int64
		for _, o := range outs {
			switch o.Status {
			case PushApplied, PushDuplicate, PushRejected:
			default:
				return fmt.Errorf("ack pushed: seq %d: unknown status %q", o.Seq, o.Status)
			}
			var name, record string
			var version int
			err := tx.QueryRowContext(ctx, `SELECT mutation, version, record_id FROM outbox WHERE seq = ?`, o.Seq).Scan(&name, &version, &record)
			if isNoRows(err) {
				return fmt.Errorf("ack pushed: no outbox row %d", o.Seq)
			}
			if err != nil {
				return fmt.Errorf("ack pushed: %w", err)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE outbox SET pushed_at = ?, ack_status = ?, scope = ?, scope_seq = ? WHERE seq = ?`,
				at, o.Status, o.Scope, o.ScopeSeq, o.Seq); err != nil {
				return fmt.Errorf("ack pushed: %w", err)
			}
			if o.Status == PushRejected {
				args := o.Args
				if args == nil {
					args = map[string]any{}
				}
				b, err := json.Marshal(args)
				if err != nil {
					return fmt.Errorf("ack pushed: rejection args: %w", err)
				}
				if _, err := tx.ExecContext(ctx, `INSERT INTO sync_rejections (seq, mutation, record_id, code, key, args, at) VALUES (?, ?, ?, ?, ?, ?, ?)
					ON CONFLICT (seq) DO UPDATE SET code = excluded.code, key = excluded.key, args = excluded.args, at = excluded.at`,
					o.Seq, name, record, o.Code, o.Key, string(b), at); err != nil {
					return fmt.Errorf("ack pushed: rejection: %w", err)
				}
				if err := yieldRejected(ctx, tx, name, version, record, o.Seq); err != nil {
					return err
				}
			} else if _, err := tx.ExecContext(ctx, `DELETE FROM sync_rejections WHERE seq = ?`, o.Seq); err != nil {
				return fmt.Errorf("ack pushed: %w", err)
			}
			maxSeq = max(maxSeq, o.Seq)
		}
		_, err := tx.ExecContext(ctx, `UPDATE sync_state SET last_acked = max(last_acked, ?) WHERE id = 1`, maxSeq)
		return err
	})
}

// yieldRejected: a replaced record whose local change HQ refused keeps
// that change here (shown with the rejection) but no longer outranks what
// HQ has: the next version pulled replaces it, as on every other device.
func yieldRejected(ctx context.Context, tx *txn, name string, version int, record string, seq int64) error {
	spec := mutationSpecs[mutationKey{name, version}]
	if spec == nil || !spec.Replace {
		return nil
	}
	tables, err := tablesWithColumn(ctx, tx, "sync_ord")
	if err != nil {
		return err
	}
	for _, t := range tables {
		var hasID int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM pragma_table_info(?) WHERE name = 'id'`, t).Scan(&hasID); err != nil {
			return fmt.Errorf("ack pushed: %w", err)
		}
		if hasID == 0 {
			continue
		}
		if _, err := tx.ExecContext(ctx, `UPDATE "`+t+`" SET sync_ord = 0 WHERE id = ? AND sync_ord = ?`, record, pendingOrd+seq); err != nil {
			return fmt.Errorf("ack pushed: %s: %w", t, err)
		}
	}
	return nil
}

// LastAcked is the highest outbox seq HQ has acknowledged (0 = none).
func (s *Store) LastAcked(ctx context.Context) (int64, error) {
	var seq int64
	err := s.db.QueryRowContext(ctx, `SELECT max(COALESCE((SELECT last_acked FROM sync_state WHERE id = 1), 0),
		COALESCE((SELECT max(seq) FROM outbox WHERE pushed_at IS NOT NULL), 0))`).Scan(&seq)
	if err != nil {
		return 0, fmt.Errorf("last acked: %w", err)
	}
	return seq, nil
}

// Requeue makes the rows from fromSeq on pending again: HQ lost them (it
// was restored from an older backup) and they must be pushed again.
func (s *Store) Requeue(ctx context.Context, fromSeq int64) error {
	return s.tx(ctx, func(tx *txn) error {
		for _, q := range []string{
			`UPDATE outbox SET pushed_at = NULL, ack_status = '', scope = '', scope_seq = 0 WHERE seq >= ? AND pushed_at IS NOT NULL`,
			`DELETE FROM sync_rejections WHERE seq >= ?`,
			`UPDATE sync_state SET last_acked = min(last_acked, ? - 1) WHERE id = 1`,
		} {
			if _, err := tx.ExecContext(ctx, q, fromSeq); err != nil {
				return fmt.Errorf("requeue: %w", err)
			}
		}
		return nil
	})
}

// PruneAcked deletes acknowledged outbox rows acknowledged before before,
// and returns how many.
func (s *Store) PruneAcked(ctx context.Context, before time.Time) (int, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM outbox WHERE pushed_at IS NOT NULL AND pushed_at < ?`, ms(before))
	if err != nil {
		return 0, fmt.Errorf("prune outbox: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// Cursors is how far each scope has been pulled (absent or 0 = never).
func (s *Store) Cursors(ctx context.Context) (map[string]int64, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT scope, cursor FROM sync_cursors`)
	if err != nil {
		return nil, fmt.Errorf("cursors: %w", err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var sc string
		var c int64
		if err := rows.Scan(&sc, &c); err != nil {
			return nil, fmt.Errorf("cursors: %w", err)
		}
		out[sc] = c
	}
	return out, rows.Err()
}

// CursorTips are HQ's tips of the stored cursors, by scope ("" or absent:
// none yet). The tip names the change at the cursor; sent back with it,
// HQ answers resync when its log there is no longer what this device
// pulled (HQ restored from an older backup, then overtaken). Each is
// written with its cursor, so it survives a restart of the program.
func (s *Store) CursorTips(ctx context.Context) (map[string]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT scope, tip FROM sync_cursors WHERE tip != ''`)
	if err != nil {
		return nil, fmt.Errorf("cursor tips: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var sc, tip string
		if err := rows.Scan(&sc, &tip); err != nil {
			return nil, fmt.Errorf("cursor tips: %w", err)
		}
		out[sc] = tip
	}
	return out, rows.Err()
}

// PulledChange is one change of a scope's log at HQ.
type PulledChange struct {
	Seq          int64
	Name         string
	Version      int
	RecordID     string
	Payload      json.RawMessage
	Deleted      bool
	OriginDevice string
	OriginSeq    int64
	OriginEpoch  int64 // the origin's install epoch; 0 when HQ did not say (a snapshot)
}

// pullTarget is what applying pulled changes needs to know about this device.
type pullTarget struct {
	device, office, role string
	epoch                int64 // this device's install epoch
	derive               derivations
	applied, skipped     int
	// group are the decoded changes not applied yet (see flush).
	group []decodedChange
	// maxDerive is how many derivations may wait (see derivations).
	maxDerive int
}

// decodedChange is a pulled change decoded, waiting in a group.
type decodedChange struct {
	seq     int64
	name    string
	version int
	p       payload
	ac      applyCtx
}

// pulledGroup is how many pulled changes share one savepoint. A savepoint
// per change cost three statements and a copy of every page the change
// touched (its journal); a group pays that once, and only a group in
// which a change fails is applied again change by change.
const pulledGroup = 256

func (s *Store) pullTarget(ctx context.Context, tx *txn) (*pullTarget, error) {
	pt := &pullTarget{maxDerive: maxPendingDerivations}
	if s.deriveBatch > 0 {
		pt.maxDerive = s.deriveBatch
	}
	err := tx.QueryRowContext(ctx, `SELECT st.device_id, st.install_epoch, st.role, COALESCE(d.office_id, '') FROM sync_state st LEFT JOIN device d ON d.id = st.device_id WHERE st.id = 1`).
		Scan(&pt.device, &pt.epoch, &pt.role, &pt.office)
	if isNoRows(err) {
		return nil, &Error{Code: ENOTFOUND, Key: "err.sync.not_enrolled"}
	}
	if err != nil {
		return nil, fmt.Errorf("apply pulled: %w", err)
	}
	return pt, nil
}

// skip counts and logs a pulled change that is not applied: by its seq,
// never its payload.
func (pt *pullTarget) skip(scope string, seq int64, name string, version int, err error) {
	pt.skipped++
	slog.Warn("pulled change skipped", "scope", scope, "seq", seq, "mutation", name, "version", version, "code", ErrorCode(err), "key", errKey(err))
}

// decoded is a pulled change decoded (decode), or why it is skipped.
type decoded struct {
	c    decodedChange
	skip error // not applied: it does not decode or validate, or belongs to another office
	none bool  // nothing to apply (a tombstone)
}

// decode decodes and checks a pulled change; it reads nothing but pt's
// identity.
func (pt *pullTarget) decode(scope string, c PulledChange) decoded {
	if c.Deleted {
		// Tombstones come with the first mutation that deletes; none does yet.
		slog.Debug("pulled tombstone ignored", "scope", scope, "seq", c.Seq, "mutation", c.Name)
		return decoded{none: true}
	}
	d := decoded{c: decodedChange{seq: c.Seq, name: c.Name, version: c.Version}}
	_, p, err := decodeMutation(c.Name, c.Version, c.Payload)
	if err != nil {
		d.skip = err
		return d
	}
	if off := p.officeID(); off != "" && pt.role != SyncRoleHQ && off != pt.office {
		d.skip = &Error{Code: EFORBIDDEN, Key: "err.sync.other_office"}
		return d
	}
	d.c.p = p
	d.c.ac = applyCtx{remote: true, ord: c.Seq, derive: &pt.derive}
	// The device's own change coming back, of this install epoch (a seq
	// of an earlier epoch may be a waiting change's number now).
	if c.OriginDevice == pt.device && c.OriginSeq > 0 && (c.OriginEpoch == 0 || c.OriginEpoch == pt.epoch) {
		d.c.ac.echo = pendingOrd + c.OriginSeq
	}
	return d
}

// add takes the next pulled change, decoded. A change that did not decode
// or validate, or belongs to another office, is skipped at once; the
// others are applied in groups (flush), in the order they came.
func (pt *pullTarget) add(ctx context.Context, tx *txn, scope string, d decoded) error {
	switch {
	case d.none:
		return nil
	case d.skip != nil:
		pt.skip(scope, d.c.seq, d.c.name, d.c.version, d.skip)
		return nil
	}
	pt.group = append(pt.group, d.c)
	if len(pt.group) >= pulledGroup {
		return pt.flush(ctx, tx, scope)
	}
	return nil
}

// flush applies the waiting group in one savepoint. If a change of it
// fails, the group is rolled back and applied again one change per
// savepoint, so the failing change is skipped (rolled back, logged,
// counted) and the others applied, exactly as if each had had its own.
// Then, outside any savepoint, it runs the derivations asked for so far
// once enough are waiting (see derivations).
func (pt *pullTarget) flush(ctx context.Context, tx *txn, scope string) error {
	if err := pt.applyGroup(ctx, tx, scope); err != nil {
		return err
	}
	if pt.derive.pending() >= pt.maxDerive {
		if err := pt.derive.run(ctx, tx); err != nil {
			return fmt.Errorf("apply pulled: derive: %w", err)
		}
	}
	return nil
}

func (pt *pullTarget) applyGroup(ctx context.Context, tx *txn, scope string) error {
	if len(pt.group) == 0 {
		return nil
	}
	defer func() {
		clear(pt.group) // the payloads are not kept
		pt.group = pt.group[:0]
	}()
	if _, err := tx.ExecContext(ctx, `SAVEPOINT pulled_group`); err != nil {
		return fmt.Errorf("apply pulled: %w", err)
	}
	failed := false
	for _, g := range pt.group {
		if err := g.p.apply(ctx, tx, g.ac); err != nil {
			failed = true
			break
		}
	}
	if !failed {
		if _, err := tx.ExecContext(ctx, `RELEASE pulled_group`); err != nil {
			return fmt.Errorf("apply pulled: %w", err)
		}
		pt.applied += len(pt.group)
		return nil
	}
	for _, q := range []string{`ROLLBACK TO pulled_group`, `RELEASE pulled_group`} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("apply pulled: %w", err)
		}
	}
	// The derivations the rolled-back changes asked for stay asked: each
	// is asked again below, or derives state no change touched, as it is.
	for _, g := range pt.group {
		if err := pt.applyOne(ctx, tx, scope, g); err != nil {
			return err
		}
	}
	return nil
}

// applyOne applies one decoded change in its own savepoint; one that
// fails to apply is rolled back and skipped.
func (pt *pullTarget) applyOne(ctx context.Context, tx *txn, scope string, g decodedChange) error {
	if _, err := tx.ExecContext(ctx, `SAVEPOINT pulled`); err != nil {
		return fmt.Errorf("apply pulled: %w", err)
	}
	if err := g.p.apply(ctx, tx, g.ac); err != nil {
		for _, q := range []string{`ROLLBACK TO pulled`, `RELEASE pulled`} {
			if _, rerr := tx.ExecContext(ctx, q); rerr != nil {
				return fmt.Errorf("apply pulled: %w", rerr)
			}
		}
		pt.skip(scope, g.seq, g.name, g.version, err)
		return nil
	}
	if _, err := tx.ExecContext(ctx, `RELEASE pulled`); err != nil {
		return fmt.Errorf("apply pulled: %w", err)
	}
	pt.applied++
	return nil
}

// finish applies the last group, runs the re-derivations, counts the
// skipped changes and stores the scope's cursor with HQ's tip for it: the
// one end of a pull and of a snapshot, in the transaction that applied
// what the cursor covers.
func (pt *pullTarget) finish(ctx context.Context, tx *txn, scope string, cursor int64, tip string) error {
	if err := pt.flush(ctx, tx, scope); err != nil {
		return err
	}
	if err := pt.derive.run(ctx, tx); err != nil {
		return fmt.Errorf("apply pulled: derive: %w", err)
	}
	if pt.skipped > 0 {
		if _, err := tx.ExecContext(ctx, `UPDATE sync_state SET skipped = skipped + ? WHERE id = 1`, pt.skipped); err != nil {
			return fmt.Errorf("apply pulled: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO sync_cursors (scope, cursor, tip) VALUES (?, ?, ?)
		ON CONFLICT (scope) DO UPDATE SET cursor = excluded.cursor, tip = excluded.tip`,
		scope, cursor, tip); err != nil {
		return fmt.Errorf("store cursor: %w", err)
	}
	return nil
}

func errKey(err error) string {
	if e, ok := AsError(err); ok {
		return e.Key
	}
	return ""
}

// ApplyPulled applies a page of a scope's changes and the scope's new
// cursor with HQ's tip for it (see CursorTips) in one transaction. The
// page must follow the stored cursor with no gap and no overlap (else
// nothing is applied); an empty page at the cursor only stores the tip. Each change goes through
// the registry's apply; this device's own changes coming back take HQ's
// order; a replaced record with a newer local change not yet pushed keeps
// it. A change that cannot be applied is skipped (see applyOne).
func (s *Store) ApplyPulled(ctx context.Context, scope string, changes []PulledChange, next int64, tip string) error {
	err := s.tx(ctx, func(tx *txn) error {
		var cur int64
		err := tx.QueryRowContext(ctx, `SELECT cursor FROM sync_cursors WHERE scope = ?`, scope).Scan(&cur)
		if err != nil && !isNoRows(err) {
			return fmt.Errorf("apply pulled: %w", err)
		}
		want := cur
		for _, c := range changes {
			if c.Seq != want+1 {
				return &Error{Code: ECONFLICT, Key: "err.sync.gap", Err: fmt.Errorf("scope %s: change %d after %d", scope, c.Seq, want)}
			}
			want = c.Seq
		}
		if next != want {
			return &Error{Code: ECONFLICT, Key: "err.sync.gap", Err: fmt.Errorf("scope %s: next %d after %d", scope, next, want)}
		}
		pt, err := s.pullTarget(ctx, tx)
		if err != nil {
			return err
		}
		for _, c := range changes {
			if err := pt.add(ctx, tx, scope, pt.decode(scope, c)); err != nil {
				return err
			}
		}
		return pt.finish(ctx, tx, scope, next, tip)
	})
	if err != nil {
		return err
	}
	if len(changes) > 0 {
		s.pulled(ctx, Change{Kinds: pulledKinds(changes), Pulled: true})
	}
	return nil
}

// ApplySnapshot applies a scope's snapshot (ordered by rank, then seq) as
// it streams in, in one transaction (a stream cut short applies nothing),
// then sets the scope's cursor and its tip. Applying is idempotent: records already
// here are kept or replaced by the usual rules. Records this device has
// that the snapshot lacks are left as they are (HQ has no tombstones yet).
//
// Memory stays flat however large the office: the changes are applied in
// groups as they come, and the state they derive is re-derived in batches
// (see flush). The transaction's connection gets a larger page cache and
// in-memory savepoint journals while it runs (bulkTx). (Reading and
// decoding the stream on a goroutine of its own was tried: on a loaded
// machine every hand-over between the two waits for a time slice, and
// the bootstrap took twice as long.)
func (s *Store) ApplySnapshot(ctx context.Context, scope string, cursor int64, tip string, next func() (PulledChange, bool, error)) error {
	err := s.bulkTx(ctx, func(tx *txn) error {
		pt, err := s.pullTarget(ctx, tx)
		if err != nil {
			return err
		}
		for {
			c, ok, err := next()
			if err != nil {
				return fmt.Errorf("apply snapshot: %w", err)
			}
			if !ok {
				break
			}
			if err := pt.add(ctx, tx, scope, pt.decode(scope, c)); err != nil {
				return err
			}
		}
		return pt.finish(ctx, tx, scope, cursor, tip)
	})
	if err != nil {
		return err
	}
	s.pulled(ctx, Change{Pulled: true})
	return nil
}

// pulled refreshes what the store keeps in memory after pulled records
// committed, and tells the listeners and subscribers.
func (s *Store) pulled(ctx context.Context, c Change) {
	if err := s.loadDevice(ctx); err != nil {
		slog.Warn("reload device after pull", "err", err)
	}
	s.faqChanged()
	s.notify()
	s.changed(c)
}

// Rejection is a change HQ refused.
type Rejection struct {
	Seq       int64
	Mutation  string
	RecordID  string
	Code, Key string
	Args      map[string]any
	At        time.Time
}

// Rejections lists the changes HQ refused, oldest first.
func (s *Store) Rejections(ctx context.Context) ([]Rejection, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT seq, mutation, record_id, code, key, args, at FROM sync_rejections ORDER BY seq`)
	if err != nil {
		return nil, fmt.Errorf("rejections: %w", err)
	}
	defer rows.Close()
	var out []Rejection
	for rows.Next() {
		var r Rejection
		var args string
		var at int64
		if err := rows.Scan(&r.Seq, &r.Mutation, &r.RecordID, &r.Code, &r.Key, &args, &at); err != nil {
			return nil, fmt.Errorf("rejections: %w", err)
		}
		if err := json.Unmarshal([]byte(args), &r.Args); err != nil {
			return nil, fmt.Errorf("rejection %d args: %w", r.Seq, err)
		}
		r.At = fromMS(at)
		out = append(out, r)
	}
	return out, rows.Err()
}

// SyncStatus is what the top bar shows.
type SyncStatus struct {
	Enrolled     bool
	Pending      int // outbox rows not yet acknowledged
	Rejections   int
	Skipped      int // pulled changes this device could not apply
	LastSuccess  time.Time
	LastErrorKey string
	LastAttempt  time.Time
}

// SyncStatus returns the device's sync status.
func (s *Store) SyncStatus(ctx context.Context) (SyncStatus, error) {
	var st SyncStatus
	var success, attempt int64
	err := s.db.QueryRowContext(ctx, `SELECT COALESCE(st.enrolled, 0), COALESCE(st.last_success, 0), COALESCE(st.last_attempt, 0), COALESCE(st.last_error_key, ''),
		COALESCE(st.skipped, 0), (SELECT count(*) FROM outbox WHERE pushed_at IS NULL), (SELECT count(*) FROM sync_rejections)
		FROM (SELECT 1) LEFT JOIN sync_state st ON st.id = 1`).
		Scan(&st.Enrolled, &success, &attempt, &st.LastErrorKey, &st.Skipped, &st.Pending, &st.Rejections)
	if err != nil {
		return st, fmt.Errorf("sync status: %w", err)
	}
	if success > 0 {
		st.LastSuccess = fromMS(success)
	}
	if attempt > 0 {
		st.LastAttempt = fromMS(attempt)
	}
	return st, nil
}

// NoteSyncResult records a sync round's end: errKey "" for success, else
// the translation key of what went wrong.
func (s *Store) NoteSyncResult(ctx context.Context, at time.Time, errKey string) error {
	return s.tx(ctx, func(tx *txn) error {
		if _, _, err := ensureSyncState(ctx, tx, newID(), s.now().UnixNano()); err != nil {
			return err
		}
		q := `UPDATE sync_state SET last_attempt = ?1, last_error_key = ?2 WHERE id = 1`
		if errKey == "" {
			q = `UPDATE sync_state SET last_attempt = ?1, last_error_key = ?2, last_success = ?1 WHERE id = 1`
		}
		_, err := tx.ExecContext(ctx, q, ms(at), errKey)
		return err
	})
}

// OnChange registers fn to run after a commit that applied pulled changes
// or a snapshot, so open screens refresh. fn runs on a goroutine of the
// store's, not under any lock. cancel unregisters it.
func (s *Store) OnChange(fn func()) (cancel func()) {
	s.listenMu.Lock()
	defer s.listenMu.Unlock()
	if s.listeners == nil {
		s.listeners = map[int]func(){}
	}
	s.nextListener++
	id := s.nextListener
	s.listeners[id] = fn
	return func() {
		s.listenMu.Lock()
		delete(s.listeners, id)
		s.listenMu.Unlock()
	}
}

// OnLocalWrite registers fn to run after every commit that appended a
// change to the outbox — whoever wrote it (the desk, the kiosk, the
// command line) — so a sync loop can push it at once instead of at its
// next look at the outbox. fn runs on a goroutine of the store's, after
// the commit and not under any lock, so it never delays the writer; it
// should return quickly (a Kick). cancel unregisters it.
func (s *Store) OnLocalWrite(fn func()) (cancel func()) {
	s.listenMu.Lock()
	defer s.listenMu.Unlock()
	if s.writers == nil {
		s.writers = map[int]func(){}
	}
	s.nextListener++
	id := s.nextListener
	s.writers[id] = fn
	return func() {
		s.listenMu.Lock()
		delete(s.writers, id)
		s.listenMu.Unlock()
	}
}

// wrote tells the OnLocalWrite listeners.
func (s *Store) wrote() {
	s.listenMu.Lock()
	fns := make([]func(), 0, len(s.writers))
	for _, fn := range s.writers {
		fns = append(fns, fn)
	}
	s.listenMu.Unlock()
	if len(fns) == 0 {
		return
	}
	go func() {
		for _, fn := range fns {
			fn()
		}
	}()
}

func (s *Store) notify() {
	s.listenMu.Lock()
	fns := make([]func(), 0, len(s.listeners))
	for _, fn := range s.listeners {
		fns = append(fns, fn)
	}
	s.listenMu.Unlock()
	if len(fns) == 0 {
		return
	}
	go func() {
		for _, fn := range fns {
			fn()
		}
	}()
}
