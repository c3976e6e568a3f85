package data

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// copyDB copies the database file (after a checkpoint, so the WAL is in it)
// into a new directory: what a thief, a backup or an export gives away,
// without the key file beside it.
func copyDB(t *testing.T, s *Store) string {
	t.Helper()
	_, err := s.db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`)
	mustOK(t, err)
	b, err := os.ReadFile(s.Path())
	mustOK(t, err)
	dir := t.TempDir()
	mustOK(t, os.WriteFile(filepath.Join(dir, DBFileName), b, 0o600))
	return dir
}

func randomPINKey(t testing.TB) *pinKey {
	t.Helper()
	raw := make([]byte, pinKeyLen)
	_, err := rand.Read(raw)
	mustOK(t, err)
	k, err := newPINKey(raw)
	mustOK(t, err)
	return k
}

// TestStolenFileCannotConfirmPIN: a copy of the database alone does not
// confirm any PIN. The old attack (every 4–6 digit PIN against the stored
// value with the argon2id parameters) confirms none, not even the right
// one; the copy opened as a store without the key file refuses to check a
// PIN at all; and a wrong key opens nothing.
func TestStolenFileCannotConfirmPIN(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, admin, _ := newTestStore(t)
	recep := mustStaff(t, s, admin, "李静", RoleReceptionist, "135792")
	cons := mustStaff(t, s, admin, "陈思远", RoleConsultant, "4826")
	pins := map[string]string{admin.ID: "258014", recep.ID: "135792", cons.ID: "4826"}
	for id, pin := range pins {
		if _, err := s.SignIn(ctx, id, pin); err != nil {
			t.Fatalf("sign in on the device itself: %v", err)
		}
	}
	dir := copyDB(t, s)
	raw, err := os.ReadFile(filepath.Join(dir, DBFileName))
	mustOK(t, err)
	if bytes.Contains(raw, []byte("$argon2id$")) {
		t.Fatal("the database file holds a bare argon2id hash")
	}
	code, err := s.PINKeyCode(ctx, admin.ID)
	mustOK(t, err)
	k := s.pins.current()
	for _, secret := range []string{code, strings.ReplaceAll(code, "-", ""), string(k.raw)} {
		if bytes.Contains(raw, []byte(secret)) {
			t.Fatal("the database file holds the office key")
		}
	}

	// The old attack, on every stored value: every PIN of 4 to 6 digits.
	rows, err := s.db.Query(`SELECT id, pin_hash FROM staff WHERE pin_hash != ''`)
	mustOK(t, err)
	stored := map[string]string{}
	for rows.Next() {
		var id, h string
		mustOK(t, rows.Scan(&id, &h))
		stored[id] = h
	}
	mustOK(t, rows.Err())
	rows.Close()
	if len(stored) != 3 {
		t.Fatalf("%d stored verifiers", len(stored))
	}
	for id, h := range stored {
		if verifyPIN(pins[id], h) {
			t.Fatalf("the stored value alone confirms the right PIN of %s", id)
		}
		for n := 4; n <= 6; n++ {
			for i := 0; i < pow10(n); i++ {
				if verifyPIN(fmt.Sprintf("%0*d", n, i), h) {
					t.Fatalf("PIN %0*d confirmed from the stored value alone", n, i)
				}
			}
		}
		// A key that is not the office's opens nothing.
		if _, ok := randomPINKey(t).open(id, h); ok {
			t.Fatal("a random key opened a verifier")
		}
		// Nor does the right key with another staff member's id.
		if _, ok := k.open(admin.ID+"x", h); ok {
			t.Fatal("a verifier opened under another staff id")
		}
	}

	// The copy as a store: no key, no PIN checked, no key made.
	c, err := Open(ctx, dir)
	mustOK(t, err)
	defer c.Close()
	for id, pin := range pins {
		_, err := c.SignIn(ctx, id, pin)
		wantKey(t, err, EFORBIDDEN, "err.pinkey.needed")
	}
	if _, err := os.Stat(filepath.Join(dir, PINKeyFileName)); !os.IsNotExist(err) {
		t.Fatalf("opening the copy made a key file: %v", err)
	}
	// Nor can a new PIN be set there, which would fork the office's key.
	_, err = c.CreateStaff(ctx, admin.ID, StaffInput{Name: "张敏", Role: RoleReceptionist, PIN: "482615"})
	wantKey(t, err, EFORBIDDEN, "err.pinkey.needed")
}

func pow10(n int) int {
	p := 1
	for range n {
		p *= 10
	}
	return p
}

// TestPINKeyTypedIn: a device holding the office's records but not its key
// (a new device of the office, a database restored on another PC) takes
// the key typed from a device that has it; a typo or another office's key
// is refused with its reason and changes nothing.
func TestPINKeyTypedIn(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, admin, _ := newTestStore(t)
	recep := mustStaff(t, s, admin, "李静", RoleReceptionist, "135792")
	code, err := s.PINKeyCode(ctx, admin.ID)
	mustOK(t, err)
	_, err = s.PINKeyCode(ctx, recep.ID)
	wantKey(t, err, EFORBIDDEN, "err.forbidden")

	dir := copyDB(t, s)
	c, err := Open(ctx, dir)
	mustOK(t, err)
	defer c.Close()
	need, err := c.NeedsPINKey(ctx)
	mustOK(t, err)
	if !need {
		t.Fatal("NeedsPINKey = false without the key")
	}
	typo := []byte(code)
	typo[3] = map[bool]byte{true: 'B', false: 'A'}[typo[3] == 'A']
	other := randomPINKey(t).code()
	tests := []struct {
		name, code, key string
	}{
		{"empty", "", "err.pinkey.format"},
		{"too short", code[:20], "err.pinkey.format"},
		{"one letter wrong", string(typo), "err.pinkey.format"},
		{"not base32", strings.Repeat("1", 32), "err.pinkey.format"},
		{"another office's key", other, "err.pinkey.wrong"},
	}
	for _, tt := range tests {
		wantKey(t, c.SetPINKey(ctx, tt.code), EINVALID, tt.key)
		if _, err := os.Stat(filepath.Join(dir, PINKeyFileName)); !os.IsNotExist(err) {
			t.Fatalf("%s: a key file was written", tt.name)
		}
	}
	// Read as digits, the letters O, I and B still make the key.
	if k, err := parsePINKeyCode(strings.NewReplacer("O", "0", "I", "1", "B", "8").Replace(code)); err != nil || k.code() != code {
		t.Fatalf("key with 0/1/8 for O/I/B: %v", err)
	}
	// Typed in lower case with spaces, as a person might.
	before := countOutbox(t, c)
	mustOK(t, c.SetPINKey(ctx, strings.ToLower(strings.ReplaceAll(code, "-", " "))))
	if need, _ := c.NeedsPINKey(ctx); need {
		t.Fatal("NeedsPINKey after the key was set")
	}
	for id, pin := range map[string]string{admin.ID: "258014", recep.ID: "135792"} {
		if _, err := c.SignIn(ctx, id, pin); err != nil {
			t.Fatalf("sign in with the key typed in: %v", err)
		}
	}
	fi, err := os.Stat(filepath.Join(dir, PINKeyFileName))
	mustOK(t, err)
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v", fi.Mode().Perm())
	}
	// The same key: verifiers already sealed with it are not written again.
	if n := countOutbox(t, c) - before; n != 0 {
		t.Fatalf("%d outbox rows after taking the office's own key", n)
	}
}

func countOutbox(t testing.TB, s *Store) int {
	t.Helper()
	var n int
	mustOK(t, s.db.QueryRow(`SELECT count(*) FROM outbox`).Scan(&n))
	return n
}

// TestPINKeyFile: the key file is made with the first PIN, owner-only, is
// made owner-only again if someone opened it up, and a backup of the
// database does not contain it.
func TestPINKeyFile(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, dir)
	mustOK(t, err)
	if _, err := os.Stat(filepath.Join(dir, PINKeyFileName)); !os.IsNotExist(err) {
		t.Fatalf("a key file before any PIN: %v", err)
	}
	admin, err := s.Setup(ctx, SetupInput{OfficeName: "星河湾售楼处", OfficeCode: "XHW", DeviceName: "前台", AdminName: "管理员", AdminPIN: "258014"})
	mustOK(t, err)
	path := filepath.Join(dir, PINKeyFileName)
	fi, err := os.Stat(path)
	mustOK(t, err)
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, want 0600", fi.Mode().Perm())
	}
	code, err := s.PINKeyCode(ctx, admin.ID)
	mustOK(t, err)
	b, err := os.ReadFile(path)
	mustOK(t, err)
	if !strings.Contains(string(b), code) {
		t.Fatalf("key file %q lacks the code", b)
	}
	bk := filepath.Join(t.TempDir(), "b.db")
	mustOK(t, s.Backup(ctx, bk))
	raw, err := os.ReadFile(bk)
	mustOK(t, err)
	if bytes.Contains(raw, []byte(strings.ReplaceAll(code, "-", ""))) || bytes.Contains(raw, []byte(code)) {
		t.Fatal("the backup holds the key")
	}
	mustOK(t, s.Close())

	mustOK(t, os.Chmod(path, 0o644))
	s, err = Open(ctx, dir)
	mustOK(t, err)
	defer s.Close()
	fi, err = os.Stat(path)
	mustOK(t, err)
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v after open, want 0600", fi.Mode().Perm())
	}
	if _, err := s.SignIn(ctx, admin.ID, "258014"); err != nil {
		t.Fatal(err)
	}
	// A damaged key file stops the store from opening rather than
	// making a new key.
	mustOK(t, s.Close())
	mustOK(t, os.WriteFile(path, []byte("not a key\n"), 0o600))
	_, err = Open(ctx, dir)
	wantKey(t, err, EINVALID, "err.pinkey.file")
	if strings.Contains(err.Error(), code) {
		t.Fatalf("open with a damaged key file: %v", err)
	}
}

// TestPINKeyNeverLogged: making, showing, typing in and re-sealing with
// the key log its public id at most, never the key.
func TestPINKeyNeverLogged(t *testing.T) {
	var buf bytes.Buffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	defer slog.SetDefault(old)
	ctx := context.Background()
	s, admin, _ := newTestStore(t)
	mustStaff(t, s, admin, "李静", RoleReceptionist, "135792")
	code, err := s.PINKeyCode(ctx, admin.ID)
	mustOK(t, err)
	other := randomPINKey(t)
	// A verifier sealed with another key, then that key typed in: every
	// verifier is sealed again and logged as such.
	phc, err := hashPIN("482615")
	mustOK(t, err)
	st := mustStaff(t, s, admin, "张敏", RoleReceptionist, "482615")
	sealed, err := other.seal(st.ID, phc)
	mustOK(t, err)
	_, err = s.db.Exec(`UPDATE staff SET pin_hash = ? WHERE id = ?`, sealed, st.ID)
	mustOK(t, err)
	mustOK(t, s.SetPINKey(ctx, other.code()))
	if !strings.Contains(buf.String(), "office pin key") {
		t.Fatalf("nothing logged: %q", buf.String())
	}
	for _, c := range []string{code, other.code()} {
		for _, secret := range []string{c, strings.ReplaceAll(c, "-", "")} {
			if strings.Contains(buf.String(), secret) {
				t.Fatalf("the key is in the log: %s", buf.String())
			}
		}
	}
}

// TestUpgradeSealsEveryPIN: a database from before the office key (bare
// argon2id hashes, 4-digit PINs included) opens with every PIN working:
// the hashes are sealed in place with a new key and recorded as new
// staff.save versions, none of which carries a bare hash.
func TestUpgradeSealsEveryPIN(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	s, admin, _ := newTestStoreIn(t, dir)
	recep := mustStaff(t, s, admin, "李静", RoleReceptionist, "135792")
	cons := mustStaff(t, s, admin, "陈思远", RoleConsultant, "4826")
	none := mustStaff(t, s, admin, "王顾问", RoleConsultant, "")
	old := map[string]string{admin.ID: "2580", recep.ID: "1357", cons.ID: "4826"}
	for id, pin := range old {
		h, err := hashPIN(pin)
		mustOK(t, err)
		_, err = s.db.Exec(`UPDATE staff SET pin_hash = ? WHERE id = ?`, h, id)
		mustOK(t, err)
	}
	mustOK(t, s.Close())
	mustOK(t, os.Remove(filepath.Join(dir, PINKeyFileName)))
	var before int
	{
		s, err := Open(ctx, t.TempDir()) // an unrelated store: nothing to seal
		mustOK(t, err)
		s.Close()
	}
	s, err := Open(ctx, dir)
	mustOK(t, err)
	defer s.Close()
	mustOK(t, s.db.QueryRow(`SELECT count(*) FROM outbox`).Scan(&before))
	for id, pin := range old {
		var h string
		mustOK(t, s.db.QueryRow(`SELECT pin_hash FROM staff WHERE id = ?`, id).Scan(&h))
		if !isSealed(h) {
			t.Fatalf("%s: still bare after the upgrade", id)
		}
		st, err := s.SignIn(ctx, id, pin)
		if err != nil {
			t.Fatalf("%s: PIN %s after the upgrade: %v", id, pin, err)
		}
		if want := st.Role != RoleConsultant; st.ShortPIN != want {
			t.Fatalf("%s (%s): ShortPIN = %v, want %v", st.Name, st.Role, st.ShortPIN, want)
		}
	}
	if st, err := s.StaffByID(ctx, none.ID); err != nil || st.HasPIN {
		t.Fatalf("a consultant without a PIN got one: %+v %v", st, err)
	}
	// The new versions: one per sealed hash, sealed, ready for HQ.
	rows, err := s.db.Query(`SELECT payload FROM outbox WHERE mutation = ? ORDER BY seq DESC LIMIT 3`, MutStaffSave)
	mustOK(t, err)
	defer rows.Close()
	for rows.Next() {
		var b string
		mustOK(t, rows.Scan(&b))
		var p staffSave
		mustOK(t, json.Unmarshal([]byte(b), &p))
		if !isSealed(p.PINHash) {
			t.Fatalf("new staff.save carries %q", p.PINHash)
		}
		if _, err := DescribeMutation(MutStaffSave, 1, []byte(b)); err != nil {
			t.Fatalf("HQ would refuse the sealed version: %v", err)
		}
	}
	// Opened again: nothing more to seal.
	mustOK(t, s.Close())
	s, err = Open(ctx, dir)
	mustOK(t, err)
	var after int
	mustOK(t, s.db.QueryRow(`SELECT count(*) FROM outbox`).Scan(&after))
	if after != before {
		t.Fatalf("outbox %d → %d on a second open", before, after)
	}
}

// TestOfficeConvergesOnOneKey: two devices that each made a key (upgraded
// before they synced) converge once the key of one is typed on the other:
// verifiers sealed with the replaced key are sealed again, and it is kept
// to open what still arrives sealed with it.
func TestOfficeConvergesOnOneKey(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, admin, _ := newTestStore(t)
	recep := mustStaff(t, s, admin, "李静", RoleReceptionist, "135792")
	mine := s.pins.current()
	theirs := randomPINKey(t)
	phc, err := hashPIN("482615")
	mustOK(t, err)
	zm := mustStaff(t, s, admin, "张敏", RoleReceptionist, "482615")
	sealed, err := theirs.seal(zm.ID, phc)
	mustOK(t, err)
	_, err = s.db.Exec(`UPDATE staff SET pin_hash = ? WHERE id = ?`, sealed, zm.ID) // as pulled from the other device
	mustOK(t, err)
	_, err = s.SignIn(ctx, zm.ID, "482615")
	wantKey(t, err, EFORBIDDEN, "err.pinkey.needed")

	mustOK(t, s.SetPINKey(ctx, theirs.code()))
	rows, err := s.db.Query(`SELECT pin_hash FROM staff WHERE pin_hash != ''`)
	mustOK(t, err)
	for rows.Next() {
		var h string
		mustOK(t, rows.Scan(&h))
		if id, _, _ := splitSealed(h); id != theirs.id {
			t.Fatalf("a verifier still sealed with key %s", id)
		}
	}
	rows.Close()
	for id, pin := range map[string]string{admin.ID: "258014", recep.ID: "135792", zm.ID: "482615"} {
		if _, err := s.SignIn(ctx, id, pin); err != nil {
			t.Fatalf("sign in after converging: %v", err)
		}
	}
	// The replaced key still opens a late arrival sealed with it.
	phc2, err := hashPIN("135792")
	mustOK(t, err)
	late, err := mine.seal(recep.ID, phc2)
	mustOK(t, err)
	_, err = s.db.Exec(`UPDATE staff SET pin_hash = ? WHERE id = ?`, late, recep.ID)
	mustOK(t, err)
	if _, err := s.SignIn(ctx, recep.ID, "135792"); err != nil {
		t.Fatalf("a verifier sealed with the replaced key: %v", err)
	}
}

// TestLongerPINsForPersonalData: roles that see personal data need 6–8
// digits on a new or changed PIN, consultants 4–8; a shorter PIN from
// before keeps working and says so (ShortPIN), and ChangeOwnPIN replaces
// it; the lock-out still holds.
func TestLongerPINsForPersonalData(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, admin, _ := newTestStore(t)
	tests := []struct {
		role Role
		pin  string
		key  string // "" = accepted
	}{
		{RoleAdmin, "2581", "err.pin.length"},
		{RoleAdmin, "25813", "err.pin.length"},
		{RoleAdmin, "258136", ""},
		{RoleReceptionist, "4826", "err.pin.length"},
		{RoleReceptionist, "482615", ""},
		{RoleSupervisor, "36914", "err.pin.length"},
		{RoleSupervisor, "36914725", ""},
		{RoleConsultant, "4826", ""},
		{RoleConsultant, "482", "err.pin.length"},
		{RoleReceptionist, "111111", "err.pin.weak"},
	}
	for i, tt := range tests {
		name := fmt.Sprintf("员工%c", '甲'+rune(i))
		_, err := s.CreateStaff(ctx, admin.ID, StaffInput{Name: name, Role: tt.role, PIN: tt.pin})
		if tt.key == "" {
			mustOK(t, err)
			continue
		}
		wantKey(t, err, EINVALID, tt.key)
	}
	// A consultant made a receptionist keeps a 4-digit PIN only until it
	// is changed: the update with the short PIN is refused.
	c := mustStaff(t, s, admin, "陈思远", RoleConsultant, "4826")
	wantKey(t, s.UpdateStaff(ctx, admin.ID, c.ID, StaffInput{Name: c.Name, Role: RoleReceptionist, PIN: "4826"}, true), EINVALID, "err.pin.length")
	mustOK(t, s.UpdateStaff(ctx, admin.ID, c.ID, StaffInput{Name: c.Name, Role: RoleReceptionist}, true))
	st, err := s.SignIn(ctx, c.ID, "4826")
	mustOK(t, err)
	if !st.ShortPIN {
		t.Fatal("a receptionist's 4-digit PIN not flagged ShortPIN")
	}
	if st, err := s.SignIn(ctx, admin.ID, "258014"); err != nil || st.ShortPIN {
		t.Fatalf("6-digit admin PIN: ShortPIN %v, %v", st.ShortPIN, err)
	}

	// Changing it.
	wantKey(t, s.ChangeOwnPIN(ctx, c.ID, "4826", "4827"), EINVALID, "err.pin.length")
	wantKey(t, s.ChangeOwnPIN(ctx, c.ID, "4826", "123456"), EINVALID, "err.pin.weak")
	wantKey(t, s.ChangeOwnPIN(ctx, c.ID, "9999", "482615"), EINVALID, "err.signin.wrong_pin")
	mustOK(t, s.ChangeOwnPIN(ctx, c.ID, "4826", "482615"))
	if _, err := s.SignIn(ctx, c.ID, "4826"); ErrorCode(err) != EINVALID {
		t.Fatalf("old PIN after the change: %v", err)
	}
	if st, err := s.SignIn(ctx, c.ID, "482615"); err != nil || st.ShortPIN {
		t.Fatalf("new PIN: ShortPIN %v, %v", st.ShortPIN, err)
	}
	wantKey(t, s.ChangeOwnPIN(ctx, c.ID, "482615", "482615"), EINVALID, "err.pin.same")

	// The lock-out: 5 wrong PINs lock for 5 minutes, the right one too.
	for i := 0; i < MaxPINFailures; i++ {
		_, err = s.SignIn(ctx, c.ID, "000001")
	}
	wantKey(t, err, ELOCKED, "err.signin.locked")
	if e, _ := AsError(err); e.Args["Minutes"] != 5 {
		t.Fatalf("locked for %v minutes", e.Args["Minutes"])
	}
	_, err = s.SignIn(ctx, c.ID, "482615")
	wantCode(t, err, ELOCKED)
	wantCode(t, s.ChangeOwnPIN(ctx, c.ID, "482615", "482616"), ELOCKED)
}

// TestHQRefusesBarePINHash: HQ's check of a pushed staff.save (a desk from
// before the office key) refuses a bare argon2id hash, and takes a sealed
// verifier it cannot open; a device still applies a bare one it pulls.
func TestHQRefusesBarePINHash(t *testing.T) {
	t.Parallel()
	s, admin, _ := newTestStore(t)
	ctx := context.Background()
	p, err := func() (*staffSave, error) {
		var p *staffSave
		err := s.tx(ctx, func(tx *txn) error {
			var err error
			p, err = readStaffSave(ctx, tx, admin.ID)
			return err
		})
		return p, err
	}()
	mustOK(t, err)
	if !isSealed(p.PINHash) {
		t.Fatalf("payload carries %q", p.PINHash)
	}
	b, err := json.Marshal(p)
	mustOK(t, err)
	if _, err := DescribeMutation(MutStaffSave, 1, b); err != nil {
		t.Fatalf("sealed: %v", err)
	}
	bare, err := hashPIN("258014")
	mustOK(t, err)
	p.PINHash = bare
	b, err = json.Marshal(p)
	mustOK(t, err)
	_, err = DescribeMutation(MutStaffSave, 1, b)
	wantKey(t, err, EINVALID, "err.sync.pin_bare")
	if _, _, err := decodeMutation(MutStaffSave, 1, b); err != nil {
		t.Fatalf("a device refuses a bare hash it pulls: %v", err)
	}
	p.PINHash = pinSealPrefix + "0011aabb$" + strings.Repeat("A", 20)
	b, err = json.Marshal(p)
	mustOK(t, err)
	_, err = DescribeMutation(MutStaffSave, 1, b)
	wantKey(t, err, EINVALID, "err.sync.pin_hash")
}

// BenchmarkSignIn is the cost of one PIN check at the desk: argon2id
// (19 MiB, 2 passes) plus opening the sealed verifier.
func BenchmarkSignIn(b *testing.B) {
	s, admin, _ := newTestStore(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.SignIn(ctx, admin.ID, "258014"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPINOpen is what the office key adds to a PIN check: opening the
// sealed verifier (AES-256-GCM), without the argon2id hash.
func BenchmarkPINOpen(b *testing.B) {
	k := randomPINKey(b)
	phc, err := hashPIN("258014")
	if err != nil {
		b.Fatal(err)
	}
	sealed, err := k.seal("st-1", phc)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, ok := k.open("st-1", sealed); !ok {
			b.Fatal("not opened")
		}
	}
}

// TestResetLostPINKey: with the key lost everywhere, the PC's owner makes a
// new one and gives an admin a new PIN; staff whose verifier could not be
// opened have none (the admin gives them new ones); while the key is held,
// it is refused.
func TestResetLostPINKey(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	s, admin, _ := newTestStoreIn(t, dir)
	recep := mustStaff(t, s, admin, "李静", RoleReceptionist, "135792")
	cons := mustStaff(t, s, admin, "陈思远", RoleConsultant, "")
	_, err := s.ResetPINKey(ctx, "管理员", "369258")
	wantKey(t, err, ECONFLICT, "err.pinkey.not_lost")
	mustOK(t, s.Close())
	mustOK(t, os.Remove(filepath.Join(dir, PINKeyFileName)))
	s, err = Open(ctx, dir)
	mustOK(t, err)
	defer s.Close()
	before := countOutbox(t, s)
	_, err = s.ResetPINKey(ctx, "李静", "369258")
	wantKey(t, err, ENOTFOUND, "err.staff.not_found") // not an admin
	_, err = s.ResetPINKey(ctx, "管理员", "3692")
	wantKey(t, err, EINVALID, "err.pin.length")
	if _, err := os.Stat(filepath.Join(dir, PINKeyFileName)); !os.IsNotExist(err) {
		t.Fatal("a refused reset made a key")
	}
	cleared, err := s.ResetPINKey(ctx, "管理员", "369258")
	mustOK(t, err)
	if cleared != 1 {
		t.Fatalf("cleared %d, want the receptionist's", cleared)
	}
	if _, err := s.SignIn(ctx, admin.ID, "369258"); err != nil {
		t.Fatalf("admin with the new PIN: %v", err)
	}
	if st, _ := s.StaffByID(ctx, recep.ID); st.HasPIN {
		t.Fatal("the receptionist's unopenable verifier kept")
	}
	if need, _ := s.NeedsPINKey(ctx); need {
		t.Fatal("still asks for a key")
	}
	if n := countOutbox(t, s) - before; n != 2 {
		t.Fatalf("%d staff.save versions, want 2 (admin, receptionist)", n)
	}
	if st, _ := s.StaffByID(ctx, cons.ID); st.HasPIN {
		t.Fatal("a consultant without a PIN got one")
	}
	mustOK(t, s.UpdateStaff(ctx, admin.ID, recep.ID, StaffInput{Name: recep.Name, Role: recep.Role, PIN: "482615"}, true))
	if _, err := s.SignIn(ctx, recep.ID, "482615"); err != nil {
		t.Fatal(err)
	}
}
