package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"anchang/cli/say"
	"anchang/data"
)

// TestPinkeyReset: the office's key lost everywhere; the PC's owner makes
// a new one and gives the admin a new PIN from the next input line, which
// is not printed. Refused while the key is there.
func TestPinkeyReset(t *testing.T) {
	ctx := context.Background()
	tr := say.Local()
	dir := t.TempDir()
	s, err := data.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	admin, err := s.Setup(ctx, data.SetupInput{OfficeName: "星河湾售楼处", OfficeCode: "XHW", DeviceName: "前台", AdminName: "管理员", AdminPIN: "258014"})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if code, _, errOut := runVerb(t, dir, "pinkey", "369258\n", "reset", "--admin", "管理员"); code != 1 || !strings.Contains(errOut, tr.Say("err.pinkey.not_lost", nil)) {
		t.Fatalf("reset with the key there: exit %d\n%s", code, errOut)
	}
	if err := os.Remove(filepath.Join(dir, data.PINKeyFileName)); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := runVerb(t, dir, "pinkey", "", "reset"); code != 1 || !strings.Contains(errOut, "--admin") {
		t.Fatalf("reset without --admin: exit %d\n%s", code, errOut)
	}
	code, out, errOut := runVerb(t, dir, "pinkey", "369258\n", "reset", "--admin", "管理员")
	if code != 0 || !strings.Contains(out, tr.Say("pinkey.cli.reset", map[string]any{"Name": "管理员", "Cleared": 0})) || strings.Contains(out+errOut, "369258") {
		t.Fatalf("reset: exit %d\n%s\n%s", code, out, errOut)
	}
	s, err = data.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.SignIn(ctx, admin.ID, "369258"); err != nil {
		t.Fatalf("sign in with the new PIN: %v", err)
	}
	if _, err := s.SignIn(ctx, admin.ID, "258014"); data.ErrorCode(err) != data.EINVALID {
		t.Fatalf("the old PIN: %v", err)
	}
}
