package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"anchang/assets"
	"anchang/cli/say"
	"anchang/data"
	"anchang/sync/hq"
	"anchang/sync/hq/hqtest"
)

func runVerb(t *testing.T, dir, verb string, in string, args ...string) (int, string, string) {
	t.Helper()
	stdin = strings.NewReader(in)
	var out, errOut bytes.Buffer
	code := Run(context.Background(), Config{DataDir: dir, Verb: verb, Args: args}, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestEnrolAndSyncVerbs(t *testing.T) {
	t.Setenv("LANG", "en_US.UTF-8")
	t.Setenv("LC_ALL", "")
	t.Setenv("LC_MESSAGES", "")
	h := hqtest.Start(t, hq.SQLite)
	h.AddOffice("XHW", "星河湾售楼处")
	dir, s, _ := setUpStore(t)
	ctx := context.Background()
	if _, err := s.CheckIn(ctx, "", data.CheckInInput{Name: "王芳", Phone: "13800138000", PartySize: "2", Purpose: data.PurposeViewing, Consent: true, Via: data.ViaKiosk}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.EnsureStarterFAQ(ctx, assets.StarterFAQ); err != nil {
		t.Fatal(err)
	}
	s.Close()

	// A wrong code: the reason in English, nothing enrolled.
	code, out, errOut := runVerb(t, dir, "enrol", "", "--hq", h.URL, "--code", "WRNG-CODE-XXXX", "--fingerprint", h.Fingerprint)
	if code != 1 || !strings.Contains(errOut, say.Local().Say("err.sync.code_invalid", nil)) {
		t.Fatalf("wrong code: exit %d\n%s\n%s", code, out, errOut)
	}
	// No fingerprint: it is shown and asked for; "n" stops.
	c := h.Code("XHW")
	code, out, errOut = runVerb(t, dir, "enrol", "n\n", "--hq", h.URL, "--code", c)
	if code != 1 || !strings.Contains(strings.ToLower(strings.ReplaceAll(out, ":", "")), h.Fingerprint) || !strings.Contains(errOut, say.Local().Say("sync.cli.not_confirmed", nil)) {
		t.Fatalf("declined: exit %d\n%s\n%s", code, out, errOut)
	}
	// "y" enrolls with the same (unused) code.
	code, out, errOut = runVerb(t, dir, "enrol", "y\n", "--hq", h.URL, "--code", c, "--name", "前台一号机")
	if code != 0 || !strings.Contains(out, "Joined 星河湾售楼处 (XHW)") || !strings.Contains(out, "Loaded XHW: 1 records.") {
		t.Fatalf("enrol: exit %d\n%s\n%s", code, out, errOut)
	}
	// Enrolling twice is refused.
	if code, _, errOut = runVerb(t, dir, "enrol", "", "--hq", h.URL, "--code", h.Code("XHW"), "--fingerprint", h.Fingerprint); code != 1 || !strings.Contains(errOut, say.Local().Say("err.sync.already_enrolled", nil)) {
		t.Fatalf("second enrol: exit %d %s", code, errOut)
	}

	code, out, errOut = runVerb(t, dir, "sync", "")
	if code != 0 || !strings.Contains(out, "Pushed ") || !strings.Contains(out, "Pulled XHW:") {
		t.Fatalf("sync: exit %d\n%s\n%s", code, out, errOut)
	}
	t.Logf("first sync:\n%s", out)
	code, out, _ = runVerb(t, dir, "sync", "")
	if code != 0 || !strings.Contains(out, "Nothing to push or pull.") {
		t.Fatalf("idle sync: exit %d\n%s", code, out)
	}

	// A second device of the office gets the visit, in Chinese.
	t.Setenv("LANG", "zh_CN.UTF-8")
	dir2 := t.TempDir()
	code, out, errOut = runVerb(t, dir2, "enrol", "", "--hq", h.URL, "--code", h.Code("XHW"), "--fingerprint", hqFormat(h.Fingerprint))
	if code != 0 || !strings.Contains(out, "已加入 星河湾售楼处（XHW）") {
		t.Fatalf("second device: exit %d\n%s\n%s", code, out, errOut)
	}
	s2, err := data.Open(ctx, dir2)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if n, _ := s2.CountRows(ctx, "visits"); n != 1 {
		t.Fatalf("second device has %d visits", n)
	}
	// HQ down: the reason in Chinese, exit 1.
	h.Stop()
	if code, _, errOut = runVerb(t, dir2, "sync", ""); code != 1 || !strings.Contains(errOut, say.Local().Say("err.sync.unreachable", nil)) || !strings.Contains(errOut, "总部") {
		t.Fatalf("hq down: exit %d %s", code, errOut)
	}
}

// hqFormat writes a fingerprint as people copy it: AB:CD:…
func hqFormat(fp string) string {
	var b strings.Builder
	for i := 0; i < len(fp); i += 2 {
		if i > 0 {
			b.WriteByte(':')
		}
		b.WriteString(strings.ToUpper(fp[i : i+2]))
	}
	return b.String()
}

// An HQ device enrolled from the command line gets its first admin with
// --admin (the PIN typed on the next line, or from ANCHANG_ADMIN_PIN); a
// bad PIN is refused in the user's language and makes no one; without
// --admin it says how.
func TestEnrolHQDeviceFirstAdmin(t *testing.T) {
	t.Setenv("LANG", "en_US.UTF-8")
	t.Setenv("LC_ALL", "")
	t.Setenv("LC_MESSAGES", "")
	h := hqtest.Start(t, hq.SQLite)
	ctx := context.Background()
	tr := say.Local()
	staffOf := func(dir string) []data.Staff {
		t.Helper()
		s, err := data.Open(ctx, dir)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		st, err := s.ListStaff(ctx, true)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}

	// A bad PIN typed: refused with the reason, enrolled but nobody made.
	dir := t.TempDir()
	code, out, errOut := runVerb(t, dir, "enrol", "12\n", "--hq", h.URL, "--code", h.HQCode(), "--fingerprint", h.Fingerprint, "--admin", "总部管理员")
	if code != 1 || !strings.Contains(errOut, tr.Say("err.pin.length", map[string]any{"Min": data.RoleAdmin.MinPIN(), "Max": data.MaxPINLen})) {
		t.Fatalf("bad pin: exit %d\n%s\n%s", code, out, errOut)
	}
	if st := staffOf(dir); len(st) != 0 {
		t.Fatalf("bad pin made %d staff", len(st))
	}

	// The PIN on the next input line.
	dir = t.TempDir()
	code, out, errOut = runVerb(t, dir, "enrol", "258014\n", "--hq", h.URL, "--code", h.HQCode(), "--fingerprint", h.Fingerprint, "--admin", "总部管理员")
	if code != 0 || !strings.Contains(out, tr.Say("sync.cli.joined_hq", nil)) || !strings.Contains(out, tr.Say("sync.cli.first_admin_made", map[string]any{"Name": "总部管理员"})) {
		t.Fatalf("hq device: exit %d\n%s\n%s", code, out, errOut)
	}
	if strings.Contains(out+errOut, "258014") {
		t.Errorf("the PIN is printed:\n%s\n%s", out, errOut)
	}
	st := staffOf(dir)
	if len(st) != 1 || st[0].Role != data.RoleAdmin || st[0].Name != "总部管理员" {
		t.Fatalf("staff %+v", st)
	}
	// It reaches HQ's scope: a second HQ device gets it and needs no admin.
	if code, out, errOut = runVerb(t, dir, "sync", ""); code != 0 {
		t.Fatalf("sync: exit %d\n%s\n%s", code, out, errOut)
	}
	dir2 := t.TempDir()
	code, out, errOut = runVerb(t, dir2, "enrol", "", "--hq", h.URL, "--code", h.HQCode(), "--fingerprint", h.Fingerprint)
	if code != 0 || strings.Contains(out, tr.Say("sync.cli.first_admin_needed", nil)) {
		t.Fatalf("second hq device: exit %d\n%s\n%s", code, out, errOut)
	}
	if st2 := staffOf(dir2); len(st2) != 1 || st2[0].ID != st[0].ID {
		t.Fatalf("second hq device staff %+v", st2)
	}
	// Its admin signs in there once it has the PIN key of the first.
	if !strings.Contains(out, tr.Say("pinkey.cli.needed", nil)) {
		t.Fatalf("second hq device: no word of the PIN key\n%s", out)
	}
	code, key, errOut := runVerb(t, dir, "pinkey", "", "show")
	key = strings.TrimSpace(key)
	if code != 0 || len(key) != 39 {
		t.Fatalf("pinkey show: exit %d %q\n%s", code, key, errOut)
	}
	if code, _, errOut = runVerb(t, dir2, "pinkey", "", "show"); code != 1 || !strings.Contains(errOut, tr.Say("err.pinkey.needed", nil)) {
		t.Fatalf("pinkey show without the key: exit %d\n%s", code, errOut)
	}
	if code, _, errOut = runVerb(t, dir2, "pinkey", "AAAA-BBBB\n", "set"); code != 1 || !strings.Contains(errOut, tr.Say("err.pinkey.format", nil)) {
		t.Fatalf("pinkey set with a typo: exit %d\n%s", code, errOut)
	}
	if code, out, errOut = runVerb(t, dir2, "pinkey", key+"\n", "set"); code != 0 || !strings.Contains(out, tr.Say("pinkey.cli.set", nil)) || strings.Contains(out+errOut, key) {
		t.Fatalf("pinkey set: exit %d\n%s\n%s", code, out, errOut)
	}
	s2, err := data.Open(ctx, dir2)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s2.SignIn(ctx, st[0].ID, "258014"); err != nil {
		t.Fatalf("sign in on the second hq device: %v", err)
	}
	s2.Close()

	// Without --admin: how to make one.
	dir3 := t.TempDir()
	h2 := hqtest.Start(t, hq.SQLite)
	code, out, _ = runVerb(t, dir3, "enrol", "", "--hq", h2.URL, "--code", h2.HQCode(), "--fingerprint", h2.Fingerprint)
	if code != 0 || !strings.Contains(out, tr.Say("sync.cli.first_admin_needed", nil)) {
		t.Fatalf("no --admin: exit %d\n%s", code, out)
	}
	// From the environment.
	t.Setenv("ANCHANG_ADMIN_PIN", "135792")
	dir4 := t.TempDir()
	if code, out, errOut = runVerb(t, dir4, "enrol", "", "--hq", h2.URL, "--code", h2.HQCode(), "--fingerprint", h2.Fingerprint, "--admin", "李总"); code != 0 {
		t.Fatalf("pin from env: exit %d\n%s\n%s", code, out, errOut)
	}
	s4, err := data.Open(ctx, dir4)
	if err != nil {
		t.Fatal(err)
	}
	defer s4.Close()
	st4, _ := s4.ListStaff(ctx, true)
	if len(st4) != 1 {
		t.Fatalf("staff %+v", st4)
	}
	if _, err := s4.SignIn(ctx, st4[0].ID, "135792"); err != nil {
		t.Fatalf("sign in with the env PIN: %v", err)
	}
}
