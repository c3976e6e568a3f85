package data

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
)

// The office PIN key (docs/data.md, "Staff PINs"). A staff member's PIN
// verifier is the argon2id hash of the PIN (PHC string) sealed with
// AES-256-GCM under a key derived from a random 128-bit office key. The key
// lives beside the database in PINKeyFileName (0600), never in the
// database, never in a backup the database makes, never in a log, never at
// HQ; every device of an office holds the same key, typed in from a device
// that has it (PINKeyCode → SetPINKey). So a copy of the database file,
// or of HQ's store, holds no value a PIN guess can be tested against.

// PINKeyFileName is the key file in the data directory.
const PINKeyFileName = "pin.key"

const (
	pinKeyLen     = 16 // random bytes of an office key
	pinKeySumLen  = 4  // checksum bytes in its code (catches typos): 32 characters in all
	pinSealPrefix = "$anchang-pin$v=1$k="
	pinKeyHeader  = "# anchang office PIN key: keep it secret; the first key is the current one"
)

var pinB32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// pinKey is one office key.
type pinKey struct {
	raw  []byte
	id   string // short public id: which key sealed a verifier
	aead cipher.AEAD
}

func newPINKey(raw []byte) (*pinKey, error) {
	if len(raw) != pinKeyLen {
		return nil, errors.New("pin key: wrong length")
	}
	id := sha256.Sum256(append([]byte("anchang pin key id\x00"), raw...))
	k := sha256.Sum256(append([]byte("anchang pin seal v1\x00"), raw...))
	block, err := aes.NewCipher(k[:])
	if err != nil {
		return nil, fmt.Errorf("pin key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("pin key: %w", err)
	}
	return &pinKey{raw: bytes.Clone(raw), id: hex.EncodeToString(id[:4]), aead: aead}, nil
}

// code is the key as a person types it: base32 with a checksum, in groups
// of four.
func (k *pinKey) code() string {
	sum := sha256.Sum256(k.raw)
	s := pinB32.EncodeToString(append(bytes.Clone(k.raw), sum[:pinKeySumLen]...))
	var b strings.Builder
	for i := 0; i < len(s); i += 4 {
		if i > 0 {
			b.WriteByte('-')
		}
		b.WriteString(s[i:min(i+4, len(s))])
	}
	return b.String()
}

// parsePINKeyCode reads a typed key code: case, spaces and dashes do not
// matter, full-width characters are folded; a typo fails the checksum.
func parsePINKeyCode(code string) (*pinKey, error) {
	c := strings.ToUpper(FoldInput(code))
	c = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '\t', '\r', '\n':
			return -1
		case '0': // digits base32 lacks, read for the letters they resemble
			return 'O'
		case '1':
			return 'I'
		case '8':
			return 'B'
		}
		return r
	}, c)
	b, err := pinB32.DecodeString(c)
	if err != nil || len(b) != pinKeyLen+pinKeySumLen {
		return nil, &Error{Code: EINVALID, Field: "pin_key", Key: "err.pinkey.format"}
	}
	sum := sha256.Sum256(b[:pinKeyLen])
	if !bytes.Equal(sum[:pinKeySumLen], b[pinKeyLen:]) {
		return nil, &Error{Code: EINVALID, Field: "pin_key", Key: "err.pinkey.format"}
	}
	return newPINKey(b[:pinKeyLen])
}

// seal seals a PHC hash for one staff member (the id is bound in, so a
// verifier cannot be moved to another person).
func (k *pinKey) seal(staffID, phc string) (string, error) {
	nonce := make([]byte, k.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("pin seal: %w", err)
	}
	ct := k.aead.Seal(nonce, nonce, []byte(phc), []byte("staff:"+staffID))
	return pinSealPrefix + k.id + "$" + base64.RawStdEncoding.EncodeToString(ct), nil
}

func (k *pinKey) open(staffID, sealed string) (string, bool) {
	id, ct, ok := splitSealed(sealed)
	if !ok || id != k.id || len(ct) < k.aead.NonceSize() {
		return "", false
	}
	n := k.aead.NonceSize()
	pt, err := k.aead.Open(nil, ct[:n], ct[n:], []byte("staff:"+staffID))
	if err != nil {
		return "", false
	}
	return string(pt), true
}

// splitSealed returns a sealed verifier's key id and ciphertext.
func splitSealed(s string) (string, []byte, bool) {
	rest, ok := strings.CutPrefix(s, pinSealPrefix)
	if !ok {
		return "", nil, false
	}
	id, b64, ok := strings.Cut(rest, "$")
	if !ok || len(id) != 8 {
		return "", nil, false
	}
	if _, err := hex.DecodeString(id); err != nil {
		return "", nil, false
	}
	ct, err := base64.RawStdEncoding.DecodeString(b64)
	if err != nil {
		return "", nil, false
	}
	return id, ct, true
}

// validSealed reports whether s is a sealed verifier in the form this
// program writes (nonce, tag and a PHC string's worth of ciphertext).
func validSealed(s string) bool {
	_, ct, ok := splitSealed(s)
	return ok && len(s) <= 400 && len(ct) >= 12+16+40
}

func isSealed(s string) bool { return strings.HasPrefix(s, pinSealPrefix) }

// pinKeys is the device's key file, read at Open: the current key first,
// then keys it replaced (kept to open verifiers still sealed with them).
type pinKeys struct {
	mu   sync.RWMutex
	dir  string
	keys []*pinKey
}

func (pk *pinKeys) path() string { return filepath.Join(pk.dir, PINKeyFileName) }

// load reads the key file, if any, and makes it the owner's only.
func (pk *pinKeys) load() error {
	b, err := os.ReadFile(pk.path())
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read pin key: %w", err)
	}
	// Windows has no Unix modes (the per-user directory's ACL protects it);
	// on read-only storage the mode cannot change and the key still reads.
	if fi, err := os.Stat(pk.path()); err == nil && runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		if err := os.Chmod(pk.path(), 0o600); err != nil {
			slog.Warn("pin key file is readable by others and could not be made owner-only", "file", pk.path(), "err", err)
		} else {
			slog.Warn("pin key file was readable by others; now owner-only", "file", pk.path())
		}
	}
	var keys []*pinKey
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, err := parsePINKeyCode(line)
		if err != nil {
			return &Error{Code: EINVALID, Key: "err.pinkey.file", Args: map[string]any{"File": pk.path()},
				Err: fmt.Errorf("pin key file %s: a line is not a key", pk.path())}
		}
		keys = append(keys, k)
	}
	pk.mu.Lock()
	pk.keys = keys
	pk.mu.Unlock()
	return nil
}

// save writes keys as the key file, owner-only, atomically.
func (pk *pinKeys) save(keys []*pinKey) error {
	var b strings.Builder
	b.WriteString(pinKeyHeader + "\n")
	for _, k := range keys {
		b.WriteString(k.code() + "\n")
	}
	f, err := os.CreateTemp(pk.dir, ".pin.key-*")
	if err != nil {
		return fmt.Errorf("write pin key: %w", err)
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return fmt.Errorf("write pin key: %w", err)
	}
	if _, err := f.WriteString(b.String()); err != nil {
		f.Close()
		return fmt.Errorf("write pin key: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("write pin key: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write pin key: %w", err)
	}
	if err := os.Rename(tmp, pk.path()); err != nil {
		return fmt.Errorf("write pin key: %w", err)
	}
	syncDir(pk.dir)
	pk.keys = keys
	return nil
}

func (pk *pinKeys) current() *pinKey {
	pk.mu.RLock()
	defer pk.mu.RUnlock()
	if len(pk.keys) == 0 {
		return nil
	}
	return pk.keys[0]
}

func (pk *pinKeys) byID(id string) *pinKey {
	pk.mu.RLock()
	defer pk.mu.RUnlock()
	for _, k := range pk.keys {
		if k.id == id {
			return k
		}
	}
	return nil
}

// errNeedPINKey: a verifier is sealed with an office key this device does
// not hold (a new device of the office, a database restored on another PC).
func errNeedPINKey() *Error {
	return &Error{Code: EFORBIDDEN, Field: "pin_key", Key: "err.pinkey.needed"}
}

// openVerifier returns the PHC hash a stored verifier holds: a sealed one
// opened with the office key, a bare one (a database from before the key,
// not yet sealed) as it is.
func (s *Store) openVerifier(staffID, stored string) (string, error) {
	if !isSealed(stored) {
		return stored, nil
	}
	id, _, ok := splitSealed(stored)
	if !ok {
		return "", &Error{Code: EFORBIDDEN, Key: "err.signin.no_pin"}
	}
	k := s.pins.byID(id)
	if k == nil {
		return "", errNeedPINKey()
	}
	phc, ok := k.open(staffID, stored)
	if !ok {
		return "", &Error{Code: EFORBIDDEN, Key: "err.signin.no_pin"}
	}
	return phc, nil
}

// samePIN reports whether two stored verifiers of a staff member hold the
// same argon2id hash (one sealed again, with a new nonce or key).
func (s *Store) samePIN(staffID, a, b string) bool {
	if s == nil || a == "" || b == "" {
		return false
	}
	x, err1 := s.openVerifier(staffID, a)
	y, err2 := s.openVerifier(staffID, b)
	return err1 == nil && err2 == nil && x == y
}

// newVerifier hashes a new PIN with argon2id and seals it with the office
// key, making the key when the office has none (no verifier here is sealed
// with a key this device lacks).
func (s *Store) newVerifier(ctx context.Context, staffID, pin string) (string, error) {
	k, err := s.ensurePINKey(ctx)
	if err != nil {
		return "", err
	}
	phc, err := hashPIN(pin)
	if err != nil {
		return "", err
	}
	return k.seal(staffID, phc)
}

// ensurePINKey returns the current office key, making one if this device
// has none and holds no verifier sealed with another: the first device of
// an office makes it, the others are given it.
func (s *Store) ensurePINKey(ctx context.Context) (*pinKey, error) {
	s.pins.mu.Lock()
	defer s.pins.mu.Unlock()
	if len(s.pins.keys) > 0 {
		return s.pins.keys[0], nil
	}
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM staff WHERE pin_hash LIKE '$anchang-pin$%'`).Scan(&n); err != nil {
		return nil, fmt.Errorf("pin key: %w", err)
	}
	if n > 0 {
		return nil, errNeedPINKey()
	}
	raw := make([]byte, pinKeyLen)
	if _, err := rand.Read(raw); err != nil {
		return nil, fmt.Errorf("pin key: %w", err)
	}
	k, err := newPINKey(raw)
	if err != nil {
		return nil, err
	}
	if err := s.pins.save([]*pinKey{k}); err != nil {
		return nil, err
	}
	slog.Info("office pin key made", "key_id", k.id)
	return k, nil
}

// PINKeyCode is the device's office key as a code to type on another device
// of the office (Settings → 员工 PIN 密钥, `anchang pinkey show`). Only an active
// admin may see it. ENOTFOUND when this device has no key yet (no PIN was
// set here), err.pinkey.needed when the office has one this device lacks.
func (s *Store) PINKeyCode(ctx context.Context, actorID string) (string, error) {
	if err := s.tx(ctx, func(tx *txn) error {
		_, err := requireActor(ctx, tx, actorID, Role.CanManageStaff)
		return err
	}); err != nil {
		return "", err
	}
	return s.pinKeyCode(ctx)
}

func (s *Store) pinKeyCode(ctx context.Context) (string, error) {
	if k := s.pins.current(); k != nil {
		return k.code(), nil
	}
	if need, err := s.NeedsPINKey(ctx); err != nil || need {
		if err == nil {
			err = errNeedPINKey()
		}
		return "", err
	}
	return "", &Error{Code: ENOTFOUND, Key: "err.pinkey.none"}
}

// PINKeyCodeLocal is PINKeyCode for the command line, run by the PC's
// owner, who can read the key file anyway.
func (s *Store) PINKeyCodeLocal(ctx context.Context) (string, error) { return s.pinKeyCode(ctx) }

// NeedsPINKey reports whether some active staff member's verifier is
// sealed with an office key this device does not hold: they cannot sign in
// here until the key is typed in (SetPINKey).
func (s *Store) NeedsPINKey(ctx context.Context) (bool, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT pin_hash FROM staff WHERE active = 1 AND pin_hash LIKE '$anchang-pin$%'`)
	if err != nil {
		return false, fmt.Errorf("needs pin key: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			return false, fmt.Errorf("needs pin key: %w", err)
		}
		if id, _, ok := splitSealed(h); ok && s.pins.byID(id) == nil {
			return true, nil
		}
	}
	return false, rows.Err()
}

// SetPINKey takes the office key typed from another device of the office.
// It must open a verifier held here (or, with none sealed here, is simply
// taken); it becomes the current key, keys it replaces are kept to open
// old verifiers, and every verifier this device can open is sealed again
// with it (new staff.save versions), so the office converges on one key.
func (s *Store) SetPINKey(ctx context.Context, code string) error {
	k, err := parsePINKeyCode(code)
	if err != nil {
		return err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, pin_hash FROM staff WHERE pin_hash LIKE '$anchang-pin$%'`)
	if err != nil {
		return fmt.Errorf("set pin key: %w", err)
	}
	sealed, opened := 0, 0
	for rows.Next() {
		var id, h string
		if err := rows.Scan(&id, &h); err != nil {
			rows.Close()
			return fmt.Errorf("set pin key: %w", err)
		}
		sealed++
		if _, ok := k.open(id, h); ok {
			opened++
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("set pin key: %w", err)
	}
	if sealed > 0 && opened == 0 {
		return &Error{Code: EINVALID, Field: "pin_key", Key: "err.pinkey.wrong"}
	}
	s.pins.mu.Lock()
	keys := []*pinKey{k}
	for _, old := range s.pins.keys {
		if old.id != k.id {
			keys = append(keys, old)
		}
	}
	err = s.pins.save(keys)
	s.pins.mu.Unlock()
	if err != nil {
		return err
	}
	slog.Info("office pin key set", "key_id", k.id)
	return s.resealVerifiers(ctx)
}

// resealVerifiers seals, with the current key, every verifier this device
// can open that is bare (a database from before the key) or sealed with an
// older key, recording each as a new staff.save version so HQ and the other
// devices get it. Without a key it makes one only when no verifier here is
// sealed with another (ensurePINKey); otherwise bare verifiers stay as
// they are, still checked here, until the key is typed in.
func (s *Store) resealVerifiers(ctx context.Context) error {
	if s.readOnly || s.damaged.Load() {
		return nil
	}
	type row struct{ id, h string }
	var todo []row
	rows, err := s.db.QueryContext(ctx, `SELECT id, pin_hash FROM staff WHERE pin_hash != '' ORDER BY id`)
	if err != nil {
		return fmt.Errorf("seal pins: %w", err)
	}
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.h); err != nil {
			rows.Close()
			return fmt.Errorf("seal pins: %w", err)
		}
		todo = append(todo, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("seal pins: %w", err)
	}
	cur := s.pins.current()
	var bare bool
	for _, r := range todo {
		bare = bare || !isSealed(r.h)
	}
	if cur == nil && bare {
		if cur, err = s.ensurePINKey(ctx); err != nil {
			if ErrorCode(err) == EFORBIDDEN {
				return nil // waits for the office key
			}
			return err
		}
	}
	if cur == nil {
		return nil
	}
	at := ms(s.now())
	n := 0
	err = s.tx(ctx, func(tx *txn) error {
		for _, r := range todo {
			var phc string
			if !isSealed(r.h) {
				phc = r.h
			} else if id, _, ok := splitSealed(r.h); !ok || id == cur.id {
				continue
			} else if k := s.pins.byID(id); k == nil {
				continue
			} else if phc, ok = k.open(r.id, r.h); !ok {
				continue
			}
			p, err := readStaffSave(ctx, tx, r.id)
			if err != nil {
				return err
			}
			if p.PINHash != r.h {
				continue // changed meanwhile
			}
			if p.PINHash, err = cur.seal(r.id, phc); err != nil {
				return err
			}
			if err := record(ctx, tx, at, p); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("seal pins: %w", err)
	}
	if n > 0 {
		slog.Info("staff pin verifiers sealed with the office key", "staff", n, "key_id", cur.id)
	}
	return nil
}

// ResetPINKey is the way back when the office's PIN key is lost everywhere
// (a standalone office whose PC and written code are both gone): a new key
// is made, the named active admin gets a new PIN, verifiers this device can
// still open are sealed with the new key, and those it cannot are cleared —
// those staff get new PINs from the admin. Each change is a new staff.save
// version. It is for the PC's owner (the command line): whoever can run it
// can already change the database. Refused while this device opens every
// verifier it holds (err.pinkey.not_lost: show the key instead).
func (s *Store) ResetPINKey(ctx context.Context, adminName, pin string) (cleared int, err error) {
	name, e := CleanPersonName("admin", adminName)
	if e != nil {
		return 0, e
	}
	pin = FoldInput(pin)
	if e := checkPIN("pin", pin, RoleAdmin); e != nil {
		return 0, e
	}
	need, err := s.NeedsPINKey(ctx)
	if err != nil {
		return 0, err
	}
	if !need {
		return 0, &Error{Code: ECONFLICT, Key: "err.pinkey.not_lost"}
	}
	var adminID string
	err = s.db.QueryRowContext(ctx, `SELECT id FROM staff WHERE name = ? AND role = ? AND active = 1 ORDER BY id LIMIT 1`, name, RoleAdmin).Scan(&adminID)
	if isNoRows(err) {
		return 0, &Error{Code: ENOTFOUND, Field: "admin", Key: "err.staff.not_found"}
	}
	if err != nil {
		return 0, fmt.Errorf("reset pin key: %w", err)
	}
	raw := make([]byte, pinKeyLen)
	if _, err := rand.Read(raw); err != nil {
		return 0, fmt.Errorf("reset pin key: %w", err)
	}
	k, err := newPINKey(raw)
	if err != nil {
		return 0, err
	}
	phc, err := hashPIN(pin)
	if err != nil {
		return 0, err
	}
	s.pins.mu.Lock()
	keys := append([]*pinKey{k}, s.pins.keys...)
	err = s.pins.save(keys)
	s.pins.mu.Unlock()
	if err != nil {
		return 0, err
	}
	slog.Warn("office pin key reset: a new key made", "key_id", k.id)
	at := ms(s.now())
	err = s.tx(ctx, func(tx *txn) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, pin_hash FROM staff WHERE pin_hash != '' OR id = ? ORDER BY id`, adminID)
		if err != nil {
			return err
		}
		type row struct{ id, h string }
		var all []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.id, &r.h); err != nil {
				rows.Close()
				return err
			}
			all = append(all, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, r := range all {
			p, err := readStaffSave(ctx, tx, r.id)
			if err != nil {
				return err
			}
			switch old, oerr := s.openVerifier(r.id, r.h); {
			case r.id == adminID:
				p.PINHash, err = k.seal(r.id, phc)
			case oerr == nil:
				p.PINHash, err = k.seal(r.id, old)
			default:
				p.PINHash = ""
				cleared++
			}
			if err != nil {
				return err
			}
			p.UpdatedAt = at
			if err := record(ctx, tx, at, p); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("reset pin key: %w", err)
	}
	return cleared, nil
}
