package data

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestCreateStaffPermissions(t *testing.T) {
	t.Parallel()
	s, admin, _ := newTestStore(t)
	ctx := context.Background()
	recep := mustStaff(t, s, admin, "李静", RoleReceptionist, "135792")
	super := mustStaff(t, s, admin, "刘主管", RoleSupervisor, "135792")
	cons := mustStaff(t, s, admin, "陈思远", RoleConsultant, "")
	gone := mustStaff(t, s, admin, "旧管理员", RoleAdmin, "246813")
	mustOK(t, s.UpdateStaff(ctx, admin.ID, gone.ID, StaffInput{Name: gone.Name, Role: RoleAdmin}, false))

	tests := []struct {
		name  string
		actor string
		code  string
	}{
		{"receptionist", recep.ID, EFORBIDDEN},
		{"supervisor", super.ID, EFORBIDDEN},
		{"consultant", cons.ID, EFORBIDDEN},
		{"inactive admin", gone.ID, EFORBIDDEN},
		{"unknown actor", "no-such-staff", ENOTFOUND},
		{"no actor", "", ENOTFOUND},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := countRows(t, s, "staff")
			outbox := countRows(t, s, "outbox")
			_, err := s.CreateStaff(ctx, tt.actor, StaffInput{Name: "新人", Role: RoleConsultant})
			wantCode(t, err, tt.code)
			if countRows(t, s, "staff") != before || countRows(t, s, "outbox") != outbox {
				t.Fatal("refused CreateStaff wrote rows")
			}
			err = s.UpdateStaff(ctx, tt.actor, cons.ID, StaffInput{Name: "改名", Role: RoleConsultant}, true)
			wantCode(t, err, tt.code)
		})
	}
	st, err := s.StaffByID(ctx, cons.ID)
	mustOK(t, err)
	if st.Name != "陈思远" {
		t.Fatalf("refused update changed the name to %q", st.Name)
	}
}

func TestStaffInputValidation(t *testing.T) {
	t.Parallel()
	s, admin, _ := newTestStore(t)
	ctx := context.Background()
	tests := []struct {
		name  string
		in    StaffInput
		field string
		key   string
	}{
		{"no name", StaffInput{Name: " ", Role: RoleConsultant}, "name", "err.field.required"},
		{"emoji name", StaffInput{Name: "陈😀", Role: RoleConsultant}, "name", "err.name.emoji"},
		{"bad role", StaffInput{Name: "陈", Role: "boss", PIN: "135792"}, "role", "err.field.required"},
		{"receptionist needs a PIN", StaffInput{Name: "陈", Role: RoleReceptionist}, "pin", "err.pin.required_role"},
		{"admin needs a PIN", StaffInput{Name: "陈", Role: RoleAdmin}, "pin", "err.pin.required_role"},
		{"short PIN", StaffInput{Name: "陈", Role: RoleReceptionist, PIN: "135"}, "pin", "err.pin.length"},
		{"long PIN", StaffInput{Name: "陈", Role: RoleReceptionist, PIN: "135792468"}, "pin", "err.pin.length"},
		{"PIN letters", StaffInput{Name: "陈", Role: RoleReceptionist, PIN: "13a792"}, "pin", "err.pin.digits"},
		{"PIN full-width digits folded, then too weak", StaffInput{Name: "陈", Role: RoleReceptionist, PIN: "００００００"}, "pin", "err.pin.weak"},
		{"PIN repeated", StaffInput{Name: "陈", Role: RoleReceptionist, PIN: "000000"}, "pin", "err.pin.weak"},
		{"PIN ascending", StaffInput{Name: "陈", Role: RoleReceptionist, PIN: "12345678"}, "pin", "err.pin.weak"},
		{"PIN descending", StaffInput{Name: "陈", Role: RoleReceptionist, PIN: "987654"}, "pin", "err.pin.weak"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.CreateStaff(ctx, admin.ID, tt.in)
			e, ok := AsError(err)
			if !ok || e.Code != EINVALID || e.Field != tt.field || e.Key != tt.key {
				t.Fatalf("got %v, want %s %s", err, tt.field, tt.key)
			}
		})
	}
	if n := countRows(t, s, "staff"); n != 1 {
		t.Fatalf("%d staff rows, want only the admin", n)
	}
}

func TestPINStoredHashed(t *testing.T) {
	t.Parallel()
	s, admin, _ := newTestStore(t)
	const pin = "25802580"
	r := mustStaff(t, s, admin, "李静", RoleReceptionist, pin)
	c := mustStaff(t, s, admin, "陈思远", RoleConsultant, "")
	if !r.HasPIN || c.HasPIN {
		t.Fatalf("HasPIN: receptionist %v consultant %v", r.HasPIN, c.HasPIN)
	}
	var hash, none string
	mustOK(t, s.db.QueryRow(`SELECT pin_hash FROM staff WHERE id = ?`, r.ID).Scan(&hash))
	mustOK(t, s.db.QueryRow(`SELECT pin_hash FROM staff WHERE id = ?`, c.ID).Scan(&none))
	// Stored sealed with the office key; inside, argon2id with its parameters.
	if !strings.HasPrefix(hash, pinSealPrefix) || strings.Contains(hash, pin) || strings.Contains(hash, "argon2") {
		t.Fatalf("pin_hash %q", hash)
	}
	phc, err := s.openVerifier(r.ID, hash)
	mustOK(t, err)
	if !strings.HasPrefix(phc, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("sealed hash %q", phc)
	}
	if parts := strings.Split(phc, "$"); len(parts) != 6 || len(parts[4]) != 22 || len(parts[5]) != 43 {
		t.Fatalf("hash %q: want salt of 16 and key of 32 bytes", phc)
	}
	if none != "" {
		t.Fatalf("consultant without PIN has hash %q", none)
	}
	// Same PIN, different salt.
	r2 := mustStaff(t, s, admin, "张敏", RoleReceptionist, pin)
	var hash2 string
	mustOK(t, s.db.QueryRow(`SELECT pin_hash FROM staff WHERE id = ?`, r2.ID).Scan(&hash2))
	if hash2 == hash {
		t.Fatal("two staff with the same PIN have the same hash")
	}
	// Neither the PIN nor anything else in plain form reaches the outbox.
	var payloads int
	mustOK(t, s.db.QueryRow(`SELECT count(*) FROM outbox WHERE instr(payload, ?) > 0`, pin).Scan(&payloads))
	if payloads != 0 {
		t.Fatalf("%d outbox payloads contain the PIN", payloads)
	}
}

func TestVerifyPIN(t *testing.T) {
	t.Parallel()
	h, err := hashPIN("258014")
	mustOK(t, err)
	tests := []struct {
		name, pin, hash string
		want            bool
	}{
		{"right", "258014", h, true},
		{"wrong", "2581", h, false},
		{"empty", "", h, false},
		{"prefix of right", "258", h, false},
		{"empty hash", "258014", "", false},
		{"bcrypt hash", "258014", "$2a$10$abcdefghijklmnopqrstuv", false},
		{"truncated", "258014", h[:len(h)-10], false},
		{"bad params", "258014", strings.Replace(h, "m=19456", "m=x", 1), false},
		{"no key", "258014", h[:strings.LastIndex(h, "$")+1], false},
	}
	for _, tt := range tests {
		if got := verifyPIN(tt.pin, tt.hash); got != tt.want {
			t.Errorf("%s: verifyPIN = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// signInStep is one attempt and what must come of it.
type signInStep struct {
	advance time.Duration // clock moves first
	pin     string
	code    string // "" for success
	args    map[string]any
}

func TestSignInLockout(t *testing.T) {
	t.Parallel()
	s, admin, clk := newTestStore(t)
	ctx := context.Background()
	const right, wrong = "135792", "246813"
	r := mustStaff(t, s, admin, "李静", RoleReceptionist, right)
	steps := []signInStep{
		{pin: right},
		{pin: wrong, code: EINVALID, args: map[string]any{"Left": 4}},
		{pin: wrong, code: EINVALID, args: map[string]any{"Left": 3}},
		{pin: right}, // resets the count
		{pin: wrong, code: EINVALID, args: map[string]any{"Left": 4}},
		{pin: wrong, code: EINVALID, args: map[string]any{"Left": 3}},
		{pin: wrong, code: EINVALID, args: map[string]any{"Left": 2}},
		{pin: wrong, code: EINVALID, args: map[string]any{"Left": 1}},
		{pin: wrong, code: ELOCKED, args: map[string]any{"Minutes": 5}}, // fifth: locked 5 minutes
		{pin: right, code: ELOCKED, args: map[string]any{"Minutes": 5}}, // the right PIN does not help
		{advance: 2 * time.Minute, pin: right, code: ELOCKED, args: map[string]any{"Minutes": 3}},
		{advance: 150 * time.Second, pin: wrong, code: ELOCKED, args: map[string]any{"Minutes": 1}}, // 30 s left, rounded up
		{advance: 30 * time.Second, pin: right},                                                     // lock over
		{pin: wrong, code: EINVALID, args: map[string]any{"Left": 4}},                               // counter was reset
	}
	runSignIn(t, s, clk, r.ID, steps)
	var rows int
	mustOK(t, s.db.QueryRowContext(ctx, `SELECT count(*) FROM signin_guard WHERE staff_id = ? AND failures = 1 AND locked_until = 0`, r.ID).Scan(&rows))
	if rows != 1 {
		t.Fatal("signin_guard does not hold one failure")
	}
}

func TestSignInLockDoubles(t *testing.T) {
	t.Parallel()
	s, admin, clk := newTestStore(t)
	const right, wrong = "135792", "246813"
	r := mustStaff(t, s, admin, "李静", RoleReceptionist, right)
	steps := []signInStep{
		{pin: wrong, code: EINVALID}, {pin: wrong, code: EINVALID}, {pin: wrong, code: EINVALID}, {pin: wrong, code: EINVALID},
		{pin: wrong, code: ELOCKED, args: map[string]any{"Minutes": 5}},
		{advance: 5 * time.Minute, pin: wrong, code: ELOCKED, args: map[string]any{"Minutes": 10}}, // sixth failure: 10 min
		{advance: 9 * time.Minute, pin: right, code: ELOCKED, args: map[string]any{"Minutes": 1}},
		{advance: time.Minute, pin: wrong, code: ELOCKED, args: map[string]any{"Minutes": 20}}, // seventh: 20 min
		{advance: 20 * time.Minute, pin: wrong, code: ELOCKED, args: map[string]any{"Minutes": 40}},
		{advance: 40 * time.Minute, pin: wrong, code: ELOCKED, args: map[string]any{"Minutes": 60}}, // capped at an hour
		{advance: 60 * time.Minute, pin: wrong, code: ELOCKED, args: map[string]any{"Minutes": 60}},
		{advance: 60 * time.Minute, pin: right},
		{pin: wrong, code: EINVALID, args: map[string]any{"Left": 4}},
	}
	runSignIn(t, s, clk, r.ID, steps)
}

func runSignIn(t *testing.T, s *Store, clk *testClock, id string, steps []signInStep) {
	t.Helper()
	ctx := context.Background()
	for i, st := range steps {
		clk.Advance(st.advance)
		got, err := s.SignIn(ctx, id, st.pin)
		if st.code == "" {
			if err != nil || got.ID != id {
				t.Fatalf("step %d: sign in = %+v, %v; want success", i, got, err)
			}
			continue
		}
		e, ok := AsError(err)
		if !ok || e.Code != st.code {
			t.Fatalf("step %d: err = %v, want %s", i, err, st.code)
		}
		if got.ID != "" {
			t.Fatalf("step %d: failed sign-in returned %+v", i, got)
		}
		for k, v := range st.args {
			if e.Args[k] != v {
				t.Fatalf("step %d: args %v, want %s=%v", i, e.Args, k, v)
			}
		}
	}
}

func TestSignInRefusals(t *testing.T) {
	t.Parallel()
	s, admin, _ := newTestStore(t)
	ctx := context.Background()
	c := mustStaff(t, s, admin, "陈思远", RoleConsultant, "")
	gone := mustStaff(t, s, admin, "张敏", RoleReceptionist, "135792")
	mustOK(t, s.UpdateStaff(ctx, admin.ID, gone.ID, StaffInput{Name: gone.Name, Role: RoleReceptionist}, false))

	_, err := s.SignIn(ctx, c.ID, "")
	wantKey(t, err, EFORBIDDEN, "err.signin.no_pin")
	_, err = s.SignIn(ctx, c.ID, "135792")
	wantKey(t, err, EFORBIDDEN, "err.signin.no_pin")
	_, err = s.SignIn(ctx, gone.ID, "135792")
	wantKey(t, err, EFORBIDDEN, "err.signin.no_pin")
	_, err = s.SignIn(ctx, "no-such-id", "135792")
	wantCode(t, err, ENOTFOUND)
	got, err := s.SignIn(ctx, admin.ID, "258014")
	mustOK(t, err)
	if got.ID != admin.ID || got.Role != RoleAdmin || !got.HasPIN || !got.Active || got.Name != "管理员" {
		t.Fatalf("signed in as %+v", got)
	}
}

func TestUpdateStaff(t *testing.T) {
	t.Parallel()
	s, admin, clk := newTestStore(t)
	ctx := context.Background()
	c := mustStaff(t, s, admin, "陈思远", RoleConsultant, "")

	// An admin cannot demote or deactivate themself.
	for _, tt := range []struct {
		name   string
		role   Role
		active bool
	}{
		{"demote", RoleSupervisor, true},
		{"deactivate", RoleAdmin, false},
		{"both", RoleReceptionist, false},
	} {
		err := s.UpdateStaff(ctx, admin.ID, admin.ID, StaffInput{Name: "管理员", Role: tt.role}, tt.active)
		wantKey(t, err, ECONFLICT, "err.staff.self_demote")
	}
	mustOK(t, s.UpdateStaff(ctx, admin.ID, admin.ID, StaffInput{Name: "王总", Role: RoleAdmin}, true))
	if st, _ := s.StaffByID(ctx, admin.ID); st.Name != "王总" || st.Role != RoleAdmin || !st.Active {
		t.Fatalf("admin after rename %+v", st)
	}
	if _, err := s.SignIn(ctx, admin.ID, "258014"); err != nil {
		t.Fatalf("rename without PIN lost the PIN: %v", err)
	}

	// A consultant without PIN cannot become a receptionist without one.
	err := s.UpdateStaff(ctx, admin.ID, c.ID, StaffInput{Name: c.Name, Role: RoleReceptionist}, true)
	wantKey(t, err, EINVALID, "err.pin.required_role")
	mustOK(t, s.UpdateStaff(ctx, admin.ID, c.ID, StaffInput{Name: c.Name, Role: RoleReceptionist, PIN: "135792"}, true))
	if _, err := s.SignIn(ctx, c.ID, "135792"); err != nil {
		t.Fatal(err)
	}
	err = s.UpdateStaff(ctx, admin.ID, "no-such-id", StaffInput{Name: "某", Role: RoleConsultant}, true)
	wantCode(t, err, ENOTFOUND)

	// A new PIN lifts a lock-out at once.
	for range MaxPINFailures {
		s.SignIn(ctx, c.ID, "246813")
	}
	_, err = s.SignIn(ctx, c.ID, "135792")
	wantCode(t, err, ELOCKED)
	clk.Advance(time.Minute)
	mustOK(t, s.UpdateStaff(ctx, admin.ID, c.ID, StaffInput{Name: c.Name, Role: RoleReceptionist, PIN: "864213"}, true))
	if n := countRows(t, s, "signin_guard"); n != 0 {
		t.Fatalf("%d signin_guard rows after new PIN", n)
	}
	if _, err := s.SignIn(ctx, c.ID, "135792"); ErrorCode(err) != EINVALID {
		t.Fatalf("old PIN after reset: %v", err)
	}
	if _, err := s.SignIn(ctx, c.ID, "864213"); err != nil {
		t.Fatalf("new PIN: %v", err)
	}

	// Deactivated staff are left out of the list and cannot sign in.
	mustOK(t, s.UpdateStaff(ctx, admin.ID, c.ID, StaffInput{Name: c.Name, Role: RoleReceptionist}, false))
	_, err = s.SignIn(ctx, c.ID, "864213")
	wantCode(t, err, EFORBIDDEN)
	active, err := s.ListStaff(ctx, false)
	mustOK(t, err)
	all, err := s.ListStaff(ctx, true)
	mustOK(t, err)
	if len(active) != 1 || len(all) != 2 || all[1].ID != c.ID || all[1].Active {
		t.Fatalf("active %+v all %+v", active, all)
	}
}

// TestSignInFailuresCountedUnderConcurrency: wrong PINs typed at the same
// moment on several screens all count towards the lock-out.
func TestSignInFailuresCountedUnderConcurrency(t *testing.T) {
	s, admin, _ := newTestStore(t)
	ctx := context.Background()
	recep := mustStaff(t, s, admin, "李静", RoleReceptionist, "135792")
	var wg sync.WaitGroup
	for range MaxPINFailures {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.SignIn(ctx, recep.ID, "9999")
		}()
	}
	wg.Wait()
	_, err := s.SignIn(ctx, recep.ID, "135792")
	wantCode(t, err, ELOCKED)
}
