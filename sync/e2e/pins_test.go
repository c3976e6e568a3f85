package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"anchang/data"
)

// TestPINsAcrossAnOffice: staff PINs with the office key, through a real
// HQ process. The second device of an office gets the staff by sync but
// cannot check their PINs until an admin types in the office's PIN key
// read on the first; then every PIN works there, and a PIN changed there
// works on the first after sync. HQ's store, log and database file hold
// only sealed verifiers: no value a PIN guess could be tested against.
func TestPINsAcrossAnOffice(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	h := startHQ(t)
	o := newOffice(t, ctx, h, "PINS", "星河湾", 2)
	a, b := o.devices[0], o.devices[1]
	recep, err := a.Store.CreateStaff(ctx, a.Actor, data.StaffInput{Name: "李静", Role: data.RoleReceptionist, PIN: "135792"})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []*Device{a, b, a} {
		if err := d.SyncUntilQuiet(ctx, 5); err != nil {
			t.Fatal(err)
		}
	}
	pins := map[string]string{a.Actor: "258014", recep.ID: "135792"}

	// b has the staff but not the key.
	if _, err := b.Store.StaffByID(ctx, recep.ID); err != nil {
		t.Fatalf("the receptionist did not reach the second device: %v", err)
	}
	if need, err := b.Store.NeedsPINKey(ctx); err != nil || !need {
		t.Fatalf("second device NeedsPINKey = %v, %v", need, err)
	}
	for id, pin := range pins {
		if _, err := b.Store.SignIn(ctx, id, pin); errKey(err) != "err.pinkey.needed" {
			t.Fatalf("sign in without the key: %v", err)
		}
	}
	code, err := a.Store.PINKeyCode(ctx, a.Actor)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Store.SetPINKey(ctx, code); err != nil {
		t.Fatal(err)
	}
	for id, pin := range pins {
		if _, err := b.Store.SignIn(ctx, id, pin); err != nil {
			t.Fatalf("sign in on the second device with the key: %v", err)
		}
	}

	// A PIN changed on b works on a.
	if err := b.Store.ChangeOwnPIN(ctx, recep.ID, "135792", "246813"); err != nil {
		t.Fatal(err)
	}
	for _, d := range []*Device{b, a} {
		if err := d.SyncUntilQuiet(ctx, 5); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := a.Store.SignIn(ctx, recep.ID, "246813"); err != nil {
		t.Fatalf("the PIN changed on the second device, on the first: %v", err)
	}
	if _, err := a.Store.SignIn(ctx, recep.ID, "135792"); errKey(err) != "err.signin.wrong_pin" {
		t.Fatalf("the old PIN on the first device: %v", err)
	}

	// HQ holds no verifier it could test: every staff.save it has, current
	// or in its log, carries a sealed value, and the file has no argon2 hash.
	scope := "office:" + o.hq.ID
	log, err := HQLog(ctx, h.Store(), scope)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := HQRecords(ctx, h.Store(), scope)
	if err != nil {
		t.Fatal(err)
	}
	var all []json.RawMessage
	for _, c := range log {
		if c.Name == data.MutStaffSave {
			all = append(all, c.Payload)
		}
	}
	for _, c := range recs["staff"] {
		all = append(all, c.Payload)
	}
	if len(all) < 4 {
		t.Fatalf("%d staff.save payloads at HQ", len(all))
	}
	for _, p := range all {
		var s struct {
			PINHash string `json:"pin_hash"`
		}
		if err := json.Unmarshal(p, &s); err != nil {
			t.Fatal(err)
		}
		if s.PINHash != "" && !strings.HasPrefix(s.PINHash, "$anchang-pin$") {
			t.Fatalf("HQ holds a verifier it can test: %s", s.PINHash)
		}
		if bytes.Contains(p, []byte("argon2")) {
			t.Fatalf("HQ holds an argon2 hash: %s", p)
		}
	}
	h.Stop()
	for _, f := range []string{h.DBPath(), h.DBPath() + "-wal"} {
		raw, err := os.ReadFile(f)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(raw, []byte("$argon2id$")) {
			t.Fatalf("%s holds an argon2id hash", filepath.Base(f))
		}
		if bytes.Contains(raw, []byte(strings.ReplaceAll(code, "-", ""))) || bytes.Contains(raw, []byte(code)) {
			t.Fatalf("%s holds the office key", filepath.Base(f))
		}
	}
}
