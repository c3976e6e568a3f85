package cli

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"anchang/data"
)

func TestParseDataDirPrecedence(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_DATA_HOME", "")
	t.Setenv(EnvDataDir, "")
	var stderr bytes.Buffer

	cfg, err := Parse(nil, &stderr)
	if err != nil {
		t.Fatal(err)
	}
	def, _ := DefaultDataDir()
	if cfg.DataDir != def || cfg.Verb != "" || cfg.Width != 1024 || cfg.Height != 768 {
		t.Fatalf("defaults: %+v (default dir %s)", cfg, def)
	}
	if !strings.HasPrefix(def, home) {
		t.Fatalf("default dir %s not under HOME", def)
	}

	t.Setenv("XDG_DATA_HOME", filepath.Join(home, "xdg"))
	if d, _ := DefaultDataDir(); d != filepath.Join(home, "xdg", "anchang") && filepath.Separator == '/' {
		t.Fatalf("XDG_DATA_HOME ignored: %s", d)
	}

	t.Setenv(EnvDataDir, "/from/env")
	cfg, _ = Parse([]string{"demo", "--days", "3"}, &stderr)
	if cfg.DataDir != "/from/env" || cfg.Verb != "demo" || strings.Join(cfg.Args, " ") != "--days 3" {
		t.Fatalf("env: %+v", cfg)
	}
	cfg, _ = Parse([]string{"--data-dir", "/from/flag", "--window-size", "1920x1080", "demo"}, &stderr)
	if cfg.DataDir != "/from/flag" || cfg.Width != 1920 || cfg.Height != 1080 {
		t.Fatalf("flag: %+v", cfg)
	}
	for _, bad := range [][]string{{"--window-size", "big"}, {"--window-size", "10x10"}, {"--no-such-flag"}} {
		if _, err := Parse(bad, &stderr); err == nil {
			t.Errorf("Parse(%v) accepted", bad)
		}
	}
}

func TestRunDemoFillsTheDataDir(t *testing.T) {
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	code := Run(context.Background(), Config{DataDir: dir, Verb: "demo", Args: []string{"--days", "2", "--per-day", "10"}}, &out, &errOut)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "PIN "+data.DemoAdminPIN) {
		t.Fatalf("output does not say how to sign in:\n%s", out.String())
	}
	s, err := data.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	n, err := s.CountRows(context.Background(), "visits")
	if err != nil || n == 0 {
		t.Fatalf("visits %d %v", n, err)
	}
	if n, err := s.CountRows(context.Background(), "faq_entries"); err != nil || n < 60 {
		t.Fatalf("starter manual not loaded with the demo: %d %v", n, err)
	}
	if _, err := s.SignIn(context.Background(), adminID(t, s), data.DemoAdminPIN); err != nil {
		t.Fatalf("demo admin cannot sign in: %v", err)
	}
}

func adminID(t *testing.T, s *data.Store) string {
	t.Helper()
	staff, err := s.ListStaff(context.Background(), false)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range staff {
		if st.Role == data.RoleAdmin {
			return st.ID
		}
	}
	t.Fatal("no admin")
	return ""
}

func TestRunRefusesBadInput(t *testing.T) {
	for _, tt := range []struct {
		cfg  Config
		code int
		says string
	}{
		{Config{DataDir: t.TempDir(), Verb: "frobnicate"}, 2, "unknown command"},
		{Config{DataDir: t.TempDir(), Verb: "demo", Args: []string{"--days", "0"}}, 1, "--days must be"},
		{Config{DataDir: t.TempDir(), Verb: "demo", Args: []string{"--days", "x"}}, 1, "invalid value"},
	} {
		var out, errOut bytes.Buffer
		if code := Run(context.Background(), tt.cfg, &out, &errOut); code != tt.code || !strings.Contains(errOut.String(), tt.says) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tt.cfg.Args, code, errOut.String(), tt.code, tt.says)
		}
	}
}
