package data

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"golang.org/x/crypto/argon2"
)

// Role is what a staff member may do on this device.
type Role string

const (
	RoleReceptionist Role = "receptionist" // 案场客服/前台
	RoleConsultant   Role = "consultant"   // 置业顾问
	RoleSupervisor   Role = "supervisor"   // 客服主管
	RoleAdmin        Role = "admin"        // 案场管理员
)

// Roles in the order the UI lists them.
var Roles = []Role{RoleReceptionist, RoleConsultant, RoleSupervisor, RoleAdmin}

func (r Role) valid() bool {
	for _, x := range Roles {
		if r == x {
			return true
		}
	}
	return false
}

// CanManageStaff: only the office admin adds staff and resets PINs.
func (r Role) CanManageStaff() bool { return r == RoleAdmin }

// CanCheckIn: registering visitors and running the rotation.
func (r Role) CanCheckIn() bool { return r != RoleConsultant }

// SeesFullPhone reports whether the role may see a customer's full number in
// the detail view. Consultants see it only for their own customers.
func (r Role) SeesFullPhone(own bool) bool { return r != RoleConsultant || own }

// MinPIN is the shortest PIN a new or changed PIN of the role may have:
// roles that see customers' personal data (names, full phone numbers) need
// MinPINLenPersonal digits, consultants MinPINLen.
func (r Role) MinPIN() int {
	if r == RoleConsultant {
		return MinPINLen
	}
	return MinPINLenPersonal
}

// Staff is a member of the office's staff.
type Staff struct {
	ID        string
	OfficeID  string
	Name      string
	Role      Role
	HasPIN    bool
	Active    bool
	CreatedAt time.Time

	// ShortPIN (set by SignIn only): the PIN just typed is shorter than
	// the role now asks for new PINs (Role.MinPIN); it still works, and the
	// desk asks the staff member to choose a longer one (ChangeOwnPIN).
	ShortPIN bool
}

// PIN policy and lock-out.
const (
	MinPINLen         = 4
	MinPINLenPersonal = 6 // admin, receptionist, supervisor: see Role.MinPIN
	MaxPINLen         = 8
	MaxPINFailures    = 5
	baseLockout       = 5 * time.Minute
	maxLockout        = time.Hour
	argonTime         = 2
	argonMemoryKiB    = 19 * 1024
	argonThreads      = 1
	argonKeyLen       = 32
	argonSaltLen      = 16
	argonPHCPrefix    = "$argon2id$v=19$"
	argonParamsFormat = "m=%d,t=%d,p=%d"
)

// checkPIN checks a new PIN for a staff member of role r.
func checkPIN(field, pin string, r Role) *Error {
	if pin == "" {
		return invalid(field, "err.field.required", nil)
	}
	if minLen := r.MinPIN(); len(pin) < minLen || len(pin) > MaxPINLen {
		return invalid(field, "err.pin.length", map[string]any{"Min": minLen, "Max": MaxPINLen})
	}
	for _, r := range pin {
		if r < '0' || r > '9' {
			return invalid(field, "err.pin.digits", nil)
		}
	}
	same, up, down := true, true, true
	for i := 1; i < len(pin); i++ {
		d := int(pin[i]) - int(pin[i-1])
		same = same && d == 0
		up = up && d == 1
		down = down && d == -1
	}
	if same || up || down {
		return invalid(field, "err.pin.weak", nil)
	}
	return nil
}

// hashPIN derives an argon2id hash as a PHC string with its parameters. It
// is never stored bare: newVerifier seals it with the office key.
func hashPIN(pin string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("pin salt: %w", err)
	}
	key := argon2.IDKey([]byte(pin), salt, argonTime, argonMemoryKiB, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return argonPHCPrefix + fmt.Sprintf(argonParamsFormat, argonMemoryKiB, argonTime, argonThreads) +
		"$" + b64.EncodeToString(salt) + "$" + b64.EncodeToString(key), nil
}

func verifyPIN(pin, phc string) bool {
	if !strings.HasPrefix(phc, argonPHCPrefix) {
		return false
	}
	parts := strings.Split(strings.TrimPrefix(phc, argonPHCPrefix), "$")
	if len(parts) != 3 {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[0], argonParamsFormat, &m, &t, &p); err != nil {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[1])
	want, err2 := b64.DecodeString(parts[2])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(pin), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// StaffInput is the staff form.
type StaffInput struct {
	Name string
	Role Role
	PIN  string // required for every role but consultant; "" keeps the old PIN on update
}

func (in *StaffInput) validate(creating bool) error {
	var err *Error
	if in.Name, err = CleanPersonName("name", in.Name); err != nil {
		return err
	}
	if !in.Role.valid() {
		return invalid("role", "err.field.required", nil)
	}
	if in.PIN == "" && creating && in.Role != RoleConsultant {
		return invalid("pin", "err.pin.required_role", nil)
	}
	in.PIN = FoldInput(in.PIN)
	if in.PIN != "" {
		if err = checkPIN("pin", in.PIN, in.Role); err != nil {
			return err
		}
	}
	return nil
}

const staffCols = `id, office_id, name, role, pin_hash != '', active, created_at`

func scanStaff(sc interface{ Scan(...any) error }) (Staff, error) {
	var st Staff
	var created int64
	err := sc.Scan(&st.ID, &st.OfficeID, &st.Name, &st.Role, &st.HasPIN, &st.Active, &created)
	st.CreatedAt = fromMS(created)
	return st, err
}

// ListStaff returns the office's staff, active first, by name.
func (s *Store) ListStaff(ctx context.Context, includeInactive bool) ([]Staff, error) {
	_, o, err := s.ids()
	if err != nil {
		return nil, err
	}
	q := `SELECT ` + staffCols + ` FROM staff WHERE office_id = ?`
	if !includeInactive {
		q += ` AND active = 1`
	}
	q += ` ORDER BY active DESC, name`
	rows, err := s.db.QueryContext(ctx, q, o.ID)
	if err != nil {
		return nil, fmt.Errorf("list staff: %w", err)
	}
	defer rows.Close()
	var out []Staff
	for rows.Next() {
		st, err := scanStaff(rows)
		if err != nil {
			return nil, fmt.Errorf("list staff: %w", err)
		}
		out = append(out, st)
	}
	return out, rows.Err()
}

// StaffByID returns one staff member.
func (s *Store) StaffByID(ctx context.Context, id string) (Staff, error) {
	st, err := scanStaff(s.db.QueryRowContext(ctx, `SELECT `+staffCols+` FROM staff WHERE id = ?`, id))
	if isNoRows(err) {
		return Staff{}, &Error{Code: ENOTFOUND, Key: "err.staff.not_found"}
	}
	if err != nil {
		return Staff{}, fmt.Errorf("staff %s: %w", id, err)
	}
	return st, nil
}

func findStaff(ctx context.Context, tx *txn, id string) (Staff, error) {
	st, err := scanStaff(tx.QueryRowContext(ctx, `SELECT `+staffCols+` FROM staff WHERE id = ?`, id))
	if isNoRows(err) {
		return Staff{}, &Error{Code: ENOTFOUND, Key: "err.staff.not_found"}
	}
	return st, err
}

// requireActor loads the acting staff member and checks a permission.
func requireActor(ctx context.Context, tx *txn, actorID string, allowed func(Role) bool) (Staff, error) {
	actor, err := findStaff(ctx, tx, actorID)
	if err != nil {
		return Staff{}, err
	}
	if !actor.Active || !allowed(actor.Role) {
		return Staff{}, &Error{Code: EFORBIDDEN, Key: "err.forbidden"}
	}
	return actor, nil
}

func insertStaff(ctx context.Context, tx *txn, st stamp, by string, in Staff, hash string) error {
	return record(ctx, tx, st.at, &staffSave{recStamp: newRecStamp(st, by), Name: in.Name, Role: in.Role, PINHash: hash, Active: in.Active, UpdatedAt: st.at})
}

// staffSave (staff.save v1) writes a staff member as they now are. The PIN
// verifier (the argon2id PHC hash sealed with the office key, see
// pinkey.go) travels so staff can sign in on any device of the office,
// offline; the PIN never does, and HQ cannot open the verifier.
type staffSave struct {
	recStamp
	Name      string `json:"name"`
	Role      Role   `json:"role"`
	PINHash   string `json:"pin_hash"` // sealed verifier; "" = cannot sign in
	Active    bool   `json:"active"`
	UpdatedAt int64  `json:"updated_at"`
}

func init() {
	registerMutation[staffSave](MutationSpec{Name: MutStaffSave, Version: 1, Entity: "staff", Owner: OwnerOffice, Replace: true, Rank: rankReference})
	registerReencoder(MutStaffSave, func(ctx context.Context, tx *txn, e OutboxEntry) (payload, error) {
		return readStaffSave(ctx, tx, e.RecordID)
	})
}

// readStaffSave is the staff row as a staff.save payload.
func readStaffSave(ctx context.Context, tx *txn, id string) (*staffSave, error) {
	var p staffSave
	var by sql.NullString
	err := tx.QueryRowContext(ctx, `SELECT id, office_id, device_id, created_at, created_by, name, role, pin_hash, active, updated_at FROM staff WHERE id = ?`, id).
		Scan(&p.ID, &p.OfficeID, &p.DeviceID, &p.CreatedAt, &by, &p.Name, &p.Role, &p.PINHash, &p.Active, &p.UpdatedAt)
	if isNoRows(err) {
		return nil, &Error{Code: ENOTFOUND, Key: "err.staff.not_found"}
	}
	if err != nil {
		return nil, fmt.Errorf("staff %s: %w", id, err)
	}
	p.CreatedBy = by.String
	return &p, nil
}

func (*staffSave) spec() *MutationSpec { return specOf(MutStaffSave, 1) }
func (*staffSave) refs() []Ref         { return nil }

func (p *staffSave) validate() error {
	if err := p.check(); err != nil {
		return err
	}
	if _, err := CleanPersonName("name", p.Name); err != nil {
		return err
	}
	if !p.Role.valid() {
		return invalid("role", "err.field.choice", nil)
	}
	if p.PINHash != "" && !validSealed(p.PINHash) && !validPHC(p.PINHash) {
		return invalid("pin_hash", "err.sync.pin_hash", nil)
	}
	if p.UpdatedAt <= 0 {
		return invalid("updated_at", "err.field.required", nil)
	}
	return nil
}

// validPHC reports whether h is an argon2id PHC string this program can verify.
func validPHC(h string) bool {
	if !strings.HasPrefix(h, argonPHCPrefix) || len(h) > 200 {
		return false
	}
	parts := strings.Split(strings.TrimPrefix(h, argonPHCPrefix), "$")
	if len(parts) != 3 {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[0], argonParamsFormat, &m, &t, &p); err != nil || m == 0 || m > 1<<20 || t == 0 || t > 16 || p == 0 {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[1])
	key, err2 := b64.DecodeString(parts[2])
	return err1 == nil && err2 == nil && len(salt) >= 8 && len(key) >= 16 && len(key) <= 64
}

// hqCheck: HQ takes no bare PIN hash (a desk from before the office key
// sends one): it would hold a value a PIN guess can be tested against.
func (p *staffSave) hqCheck() error {
	if p.PINHash != "" && !isSealed(p.PINHash) {
		return invalid("pin_hash", "err.sync.pin_bare", nil)
	}
	return nil
}

func (p *staffSave) apply(ctx context.Context, tx *txn, ac applyCtx) error {
	var old string
	if err := tx.QueryRowContext(ctx, `SELECT pin_hash FROM staff WHERE id = ?`, p.ID).Scan(&old); err != nil && !isNoRows(err) {
		return fmt.Errorf("write staff: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO staff (id, office_id, device_id, created_at, created_by, name, role, pin_hash, active, updated_at, sync_ord)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name, role = excluded.role, pin_hash = excluded.pin_hash,
		active = excluded.active, updated_at = excluded.updated_at, sync_ord = excluded.sync_ord WHERE `+replaceIfNewer,
		p.ID, p.OfficeID, p.DeviceID, p.CreatedAt, p.by(), p.Name, string(p.Role), p.PINHash, p.Active, p.UpdatedAt, ac.ord, ac.echoOrd()); err != nil {
		return fmt.Errorf("write staff: %w", err)
	}
	var now string
	if err := tx.QueryRowContext(ctx, `SELECT pin_hash FROM staff WHERE id = ?`, p.ID).Scan(&now); err != nil {
		return fmt.Errorf("write staff: %w", err)
	}
	if now != old && !tx.s.samePIN(p.ID, old, now) {
		// A new PIN clears this device's count of wrong ones (the same
		// PIN sealed again with the office key does not).
		if _, err := tx.ExecContext(ctx, `DELETE FROM signin_guard WHERE staff_id = ?`, p.ID); err != nil {
			return fmt.Errorf("reset lock-out: %w", err)
		}
	}
	return nil
}

// CreateStaff adds a staff member. Only an admin may.
func (s *Store) CreateStaff(ctx context.Context, actorID string, in StaffInput) (Staff, error) {
	if err := in.validate(true); err != nil {
		return Staff{}, err
	}
	st, err := s.stamp()
	if err != nil {
		return Staff{}, err
	}
	hash := ""
	if in.PIN != "" {
		if hash, err = s.newVerifier(ctx, st.id, in.PIN); err != nil {
			return Staff{}, err
		}
	}
	out := Staff{ID: st.id, OfficeID: st.office, Name: in.Name, Role: in.Role, HasPIN: hash != "", Active: true, CreatedAt: fromMS(st.at)}
	err = s.tx(ctx, func(tx *txn) error {
		if _, err := requireActor(ctx, tx, actorID, Role.CanManageStaff); err != nil {
			return err
		}
		return insertStaff(ctx, tx, st, actorID, out, hash)
	})
	if err != nil {
		return Staff{}, err
	}
	return out, nil
}

// UpdateStaff changes a staff member's name, role, PIN (when given) and
// active flag. An admin cannot demote or deactivate themself, so an office
// always keeps an admin.
func (s *Store) UpdateStaff(ctx context.Context, actorID, id string, in StaffInput, active bool) error {
	if err := in.validate(false); err != nil {
		return err
	}
	hash := ""
	if in.PIN != "" {
		var err error
		if hash, err = s.newVerifier(ctx, id, in.PIN); err != nil {
			return err
		}
	}
	at := ms(s.now())
	return s.tx(ctx, func(tx *txn) error {
		if _, err := requireActor(ctx, tx, actorID, Role.CanManageStaff); err != nil {
			return err
		}
		cur, err := findStaff(ctx, tx, id)
		if err != nil {
			return err
		}
		if id == actorID && (in.Role != RoleAdmin || !active) {
			return &Error{Code: ECONFLICT, Field: "role", Key: "err.staff.self_demote"}
		}
		if in.Role != RoleConsultant && !cur.HasPIN && hash == "" {
			return invalid("pin", "err.pin.required_role", nil)
		}
		p, err := readStaffSave(ctx, tx, id)
		if err != nil {
			return err
		}
		p.Name, p.Role, p.Active, p.UpdatedAt = in.Name, in.Role, active, at
		if hash != "" {
			p.PINHash = hash
		}
		return record(ctx, tx, at, p)
	})
}

// SignIn checks a staff member's PIN. After MaxPINFailures wrong PINs in a
// row the account is locked, for 5 minutes and then twice as long after each
// further failure (up to an hour); ELOCKED carries the minutes left.
func (s *Store) SignIn(ctx context.Context, staffID, pin string) (Staff, error) {
	pin = FoldInput(pin)
	var hash string
	var st Staff
	var failures int
	var lockedUntil int64
	row := s.db.QueryRowContext(ctx, `SELECT `+staffCols+`, pin_hash, COALESCE(g.failures, 0), COALESCE(g.locked_until, 0)
		FROM staff LEFT JOIN signin_guard g ON g.staff_id = staff.id WHERE staff.id = ?`, staffID)
	var created int64
	err := row.Scan(&st.ID, &st.OfficeID, &st.Name, &st.Role, &st.HasPIN, &st.Active, &created, &hash, &failures, &lockedUntil)
	if isNoRows(err) {
		return Staff{}, &Error{Code: ENOTFOUND, Key: "err.staff.not_found"}
	}
	if err != nil {
		return Staff{}, fmt.Errorf("sign in: %w", err)
	}
	st.CreatedAt = fromMS(created)
	if !st.Active || hash == "" {
		return Staff{}, &Error{Code: EFORBIDDEN, Key: "err.signin.no_pin"}
	}
	now := s.now()
	if left := fromMS(lockedUntil).Sub(now); left > 0 {
		return Staff{}, lockedErr(left)
	}
	phc, err := s.openVerifier(staffID, hash)
	if err != nil {
		return Staff{}, err
	}
	if verifyPIN(pin, phc) {
		if failures > 0 {
			if _, err := s.db.ExecContext(ctx, `DELETE FROM signin_guard WHERE staff_id = ?`, staffID); err != nil {
				return Staff{}, fmt.Errorf("sign in: %w", err)
			}
		}
		st.ShortPIN = len(pin) < st.Role.MinPIN()
		return st, nil
	}
	// Count the failure atomically, so simultaneous wrong PINs all count.
	var until int64
	err = s.tx(ctx, func(tx *txn) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO signin_guard (staff_id, failures, locked_until) VALUES (?, 1, 0)
			ON CONFLICT (staff_id) DO UPDATE SET failures = signin_guard.failures + 1 RETURNING failures`, staffID).Scan(&failures); err != nil {
			return err
		}
		if failures >= MaxPINFailures {
			d := baseLockout << min(failures-MaxPINFailures, 8)
			if d > maxLockout || d <= 0 {
				d = maxLockout
			}
			until = ms(now.Add(d))
		}
		_, err := tx.ExecContext(ctx, `UPDATE signin_guard SET locked_until = ? WHERE staff_id = ?`, until, staffID)
		return err
	})
	if err != nil {
		return Staff{}, fmt.Errorf("sign in: %w", err)
	}
	if until > 0 {
		return Staff{}, lockedErr(fromMS(until).Sub(now))
	}
	return Staff{}, &Error{Code: EINVALID, Field: "pin", Key: "err.signin.wrong_pin",
		Args: map[string]any{"Left": MaxPINFailures - failures}}
}

func lockedErr(left time.Duration) *Error {
	mins := int((left + time.Minute - 1) / time.Minute)
	return &Error{Code: ELOCKED, Field: "pin", Key: "err.signin.locked", Args: map[string]any{"Minutes": mins}}
}

// ChangeOwnPIN lets a signed-in staff member choose a new PIN: the current
// one is checked as at sign-in (wrong ones count towards the lock-out), the
// new one must meet the role's rules (Role.MinPIN) and differ from it.
func (s *Store) ChangeOwnPIN(ctx context.Context, staffID, oldPIN, newPIN string) error {
	st, err := s.SignIn(ctx, staffID, oldPIN)
	if err != nil {
		return err
	}
	newPIN = FoldInput(newPIN)
	if e := checkPIN("new_pin", newPIN, st.Role); e != nil {
		return e
	}
	if newPIN == FoldInput(oldPIN) {
		return invalid("new_pin", "err.pin.same", nil)
	}
	hash, err := s.newVerifier(ctx, staffID, newPIN)
	if err != nil {
		return err
	}
	return s.tx(ctx, func(tx *txn) error {
		p, err := readStaffSave(ctx, tx, staffID)
		if err != nil {
			return err
		}
		if !p.Active {
			return &Error{Code: EFORBIDDEN, Key: "err.forbidden"}
		}
		p.PINHash, p.UpdatedAt = hash, ms(s.now())
		return record(ctx, tx, p.UpdatedAt, p)
	})
}
