package forms

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// fakeCUPS puts lp and lpstat scripts first on PATH: lpstat prints what
// the case says, lp records its arguments or fails.
func fakeCUPS(t *testing.T, lpstatD, lpstatE string, lpFails bool) (argsFile string) {
	t.Helper()
	dir := t.TempDir()
	argsFile = filepath.Join(dir, "lp-args")
	lp := "#!/bin/sh\necho \"$@\" > " + argsFile + "\n"
	if lpFails {
		lp = "#!/bin/sh\necho 'lp: The printer or class does not exist.' >&2\nexit 1\n"
	}
	lpstat := "#!/bin/sh\ncase \"$1\" in\n-d) printf '%s' '" + lpstatD + "';;\n-e) printf '%s' '" + lpstatE + "';;\nesac\n"
	for name, body := range map[string]string{"lp": lp, "lpstat": lpstat} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	return argsFile
}

func TestSendToPrinter(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("lp is for Linux and macOS")
	}
	ctx := context.Background()

	args := fakeCUPS(t, "system default destination: Office\n", "Office\n", false)
	if err := SendToPrinter(ctx, "/tmp/form.pdf", ""); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(args); strings.TrimSpace(string(b)) != "-t anchang -- /tmp/form.pdf" {
		t.Fatalf("lp called with %q", b)
	}
	if err := SendToPrinter(ctx, "/tmp/form.pdf", "Front desk"); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(args); strings.TrimSpace(string(b)) != "-t anchang -d Front desk -- /tmp/form.pdf" {
		t.Fatalf("lp called with %q", b)
	}

	fakeCUPS(t, "no system default destination\n", "", false)
	if err := SendToPrinter(ctx, "/tmp/form.pdf", ""); !errors.Is(err, ErrNoPrinter) {
		t.Fatalf("no queue: %v", err)
	}
	fakeCUPS(t, "no system default destination\n", "PDF\nLaser\n", false)
	if err := SendToPrinter(ctx, "/tmp/form.pdf", ""); !errors.Is(err, ErrNoPrinter) || !strings.Contains(err.Error(), "PDF, Laser") {
		t.Fatalf("no default: %v", err)
	}
	fakeCUPS(t, "system default destination: Gone\n", "", true)
	if err := SendToPrinter(ctx, "/tmp/form.pdf", "Gone"); !errors.Is(err, ErrNoPrinter) {
		t.Fatalf("missing printer: %v", err)
	}

	t.Setenv("PATH", t.TempDir()) // no lp at all
	if err := SendToPrinter(ctx, "/tmp/form.pdf", ""); !errors.Is(err, ErrNoPrinter) {
		t.Fatalf("no lp: %v", err)
	}
}

func TestOpen(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the fake opener is xdg-open")
	}
	dir := t.TempDir()
	args := filepath.Join(dir, "args")
	write := func(body string) {
		if err := os.WriteFile(filepath.Join(dir, "xdg-open"), []byte("#!/bin/sh\n"+body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))

	write("echo \"$@\" > " + args + "\n")
	if err := Open("/tmp/预览 form.pdf"); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(args); strings.TrimSpace(string(b)) != "/tmp/预览 form.pdf" {
		t.Fatalf("xdg-open called with %q", b)
	}
	write("echo 'xdg-open: no method available for opening' >&2\nexit 3\n")
	if err := Open("/tmp/form.pdf"); err == nil || !strings.Contains(err.Error(), "no method available") {
		t.Fatalf("failing opener: %v", err)
	}
	t.Setenv("PATH", t.TempDir())
	if err := Open("/tmp/form.pdf"); err == nil {
		t.Fatal("no opener: no error")
	}
}

func TestParseLpstat(t *testing.T) {
	for _, c := range []struct {
		queues, dflt string
		want         []string
		def          string
	}{
		{"", "no system default destination\n", nil, ""},
		{"Office\nPDF\n", "system default destination: Office\n", []string{"Office", "PDF"}, "Office"},
		{"Office\nPDF\n", "no system default destination\n", []string{"Office", "PDF"}, ""},
		// A default that is not a queue any more (removed printer) is no default.
		{"PDF\n", "system default destination: Gone\n", []string{"PDF"}, ""},
		// Lines that are not queue names (an error on stdout) are skipped.
		{"lpstat: No destinations added.\nLaser\n", "", []string{"Laser"}, ""},
	} {
		got, def := parseLpstat(c.queues, c.dflt)
		if strings.Join(got, ",") != strings.Join(c.want, ",") || def != c.def {
			t.Errorf("parseLpstat(%q, %q) = %q, %q; want %q, %q", c.queues, c.dflt, got, def, c.want, c.def)
		}
	}
}

func TestPrinters(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("lpstat is for Linux and macOS")
	}
	fakeCUPS(t, "system default destination: Laser\n", "PDF\nLaser\n", false)
	names, def, err := Printers(context.Background())
	if err != nil || strings.Join(names, ",") != "PDF,Laser" || def != "Laser" {
		t.Fatalf("Printers = %q, %q, %v", names, def, err)
	}
	t.Setenv("PATH", t.TempDir())
	if _, _, err := Printers(context.Background()); !errors.Is(err, ErrNoPrinter) {
		t.Fatalf("without lpstat: %v", err)
	}
}
