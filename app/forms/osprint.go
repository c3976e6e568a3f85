package forms

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"time"
)

// ErrNoPrinter says the computer has no printer to print to. The UI shows
// it as "no printer is set up: save the PDF and print it elsewhere".
var ErrNoPrinter = errors.New("no printer is set up on this computer")

// SendToPrinter hands a PDF file to the operating system to print: lp on
// Linux and macOS (to printer, or the default destination when printer is
// ""), the PDF viewer's print verb on Windows. It returns ErrNoPrinter
// (wrapped, with the reason) when there is nothing to print to.
func SendToPrinter(ctx context.Context, path, printer string) error {
	if runtime.GOOS == "windows" {
		return sendWindows(ctx, path, printer)
	}
	if _, err := exec.LookPath("lp"); err != nil {
		return fmt.Errorf("%w: the lp command is missing (install CUPS)", ErrNoPrinter)
	}
	if printer == "" {
		out, _ := exec.CommandContext(ctx, "lpstat", "-d").CombinedOutput()
		if !strings.Contains(string(out), "destination:") || strings.Contains(string(out), "no system default") {
			dests, _ := exec.CommandContext(ctx, "lpstat", "-e").Output()
			if names := strings.Fields(string(dests)); len(names) > 0 {
				return fmt.Errorf("%w as the default; printers: %s", ErrNoPrinter, strings.Join(names, ", "))
			}
			return fmt.Errorf("%w: no print queue", ErrNoPrinter)
		}
	}
	args := []string{"-t", "anchang"}
	if printer != "" {
		args = append(args, "-d", printer)
	}
	args = append(args, "--", path)
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "lp", args...)
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if strings.Contains(msg, "does not exist") || strings.Contains(msg, "No default destination") {
			return fmt.Errorf("%w: %s", ErrNoPrinter, msg)
		}
		return fmt.Errorf("lp %s: %v: %s", path, err, msg)
	}
	return nil
}

// Printers lists the print queues the operating system offers and names
// the default one ("" when there is none): lpstat on Linux and macOS, the
// Win32_Printer list on Windows. No queues is not an error; a missing lp
// or lpstat is ErrNoPrinter.
func Printers(ctx context.Context) (names []string, def string, err error) {
	if runtime.GOOS == "windows" {
		ps := "Get-CimInstance Win32_Printer | ForEach-Object { if ($_.Default) { '*' + $_.Name } else { $_.Name } }"
		out, err := exec.CommandContext(ctx, "powershell", "-NoProfile", "-NonInteractive", "-Command", ps).Output()
		if err != nil {
			return nil, "", fmt.Errorf("%w: %v", ErrNoPrinter, err)
		}
		for _, line := range strings.Split(string(out), "\n") {
			name := strings.TrimSpace(line)
			if n, ok := strings.CutPrefix(name, "*"); ok {
				name, def = n, n
			}
			if name != "" {
				names = append(names, name)
			}
		}
		return names, def, nil
	}
	if _, err := exec.LookPath("lpstat"); err != nil {
		return nil, "", fmt.Errorf("%w: the lpstat command is missing (install CUPS)", ErrNoPrinter)
	}
	// lpstat exits non-zero when the scheduler has no queues: that is "none".
	queues, _ := exec.CommandContext(ctx, "lpstat", "-e").Output()
	dflt, _ := exec.CommandContext(ctx, "lpstat", "-d").Output()
	names, def = parseLpstat(string(queues), string(dflt))
	return names, def, nil
}

// parseLpstat reads `lpstat -e` (one queue per line) and `lpstat -d`
// ("system default destination: NAME", or "no system default destination").
// The default is kept only when it is one of the queues.
func parseLpstat(queues, dflt string) (names []string, def string) {
	for _, line := range strings.Split(queues, "\n") {
		if name := strings.TrimSpace(line); name != "" && !strings.ContainsAny(name, " \t") {
			names = append(names, name)
		}
	}
	if _, after, ok := strings.Cut(dflt, "destination:"); ok && !strings.Contains(dflt, "no system default") {
		if d := strings.TrimSpace(after); slices.Contains(names, d) {
			def = d
		}
	}
	return names, def
}

// sendWindows prints through the PDF's default handler ("print" verb), or
// to a named printer with the "printto" verb.
func sendWindows(ctx context.Context, path, printer string) error {
	quote := func(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
	var ps string
	if printer == "" {
		ps = "if (-not (Get-CimInstance Win32_Printer | Where-Object Default)) { exit 3 }; " +
			"Start-Process -FilePath " + quote(path) + " -Verb Print"
	} else {
		ps = "Start-Process -FilePath " + quote(path) + " -Verb PrintTo -ArgumentList " + quote(`"`+printer+`"`)
	}
	out, err := exec.CommandContext(ctx, "powershell", "-NoProfile", "-NonInteractive", "-Command", ps).CombinedOutput()
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.ExitCode() == 3 {
		return fmt.Errorf("%w: no default printer", ErrNoPrinter)
	}
	if err != nil {
		return fmt.Errorf("print %s: %v: %s (is a PDF viewer installed?)", path, err, strings.TrimSpace(string(out)))
	}
	return nil
}

// openWait is how long Open waits for the opener to report a failure; a
// viewer still running after it is taken as opened.
const openWait = 3 * time.Second

// Open shows a file with the operating system's viewer for it: xdg-open on
// Linux, open on macOS, the default handler (rundll32
// url.dll,FileProtocolHandler) on Windows. It does not wait for the viewer
// to close.
func Open(path string) error {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", path)
	case "darwin":
		cmd = exec.Command("open", path)
	default:
		cmd = exec.Command("xdg-open", path)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("open %s: %v: %s", path, err, strings.TrimSpace(stderr.String()))
		}
	case <-time.After(openWait):
	}
	return nil
}
