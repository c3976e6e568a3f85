package cli

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/uuid"

	"anchang/app/forms"
	"anchang/data"
)

const printUsage = `Usage:
  anchang print --list                         name the forms
  anchang print FORM --demo -o FILE.pdf        render FORM with demo data
  anchang print FORM --id RECORD -o FILE.pdf   render a stored record
                                               (service-record, revisit-record:
                                               a ticket's id or number)
  anchang print FORM --blank -o FILE.pdf       render it empty, to fill in by hand
Flags:
  --version A/0   print this version (the old one may be printed for 10 days
                  after a new one takes effect); the newest by default
  -o -            writes the PDF to standard output
  --send          also print the saved PDF (lp, or the PDF viewer on Windows)
  --printer NAME  print to this printer rather than the default one
Phone numbers print masked from the command line.
`

// printVerb renders a form to PDF without a window.
func printVerb(ctx context.Context, cfg Config, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("print", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, printUsage) }
	list := fs.Bool("list", false, "name the forms")
	demo := fs.Bool("demo", false, "render with demo data")
	blank := fs.Bool("blank", false, "render the form empty")
	id := fs.String("id", "", "the stored record to render")
	out := fs.String("o", "", "output PDF file, - for standard output")
	version := fs.String("version", "", "form version, e.g. A/0")
	send := fs.Bool("send", false, "send the saved PDF to the printer")
	printer := fs.String("printer", "", "printer name (default: the system's default)")
	// FORM may stand before, between or after the flags.
	if err := parseVerbFlags(fs, &cfg, cfg.Args); err != nil {
		return err
	}
	var name string
	if rest := fs.Args(); len(rest) > 0 {
		name = rest[0]
		if len(rest) > 1 {
			return fmt.Errorf("unexpected %q\n\n%s", strings.Join(rest[1:], " "), printUsage)
		}
	}
	now := time.Now()
	if *list {
		return listForms(stdout, now)
	}
	def, ok := forms.Lookup(name)
	switch {
	case name == "":
		return fmt.Errorf("name a form (anchang print --list)\n\n%s", printUsage)
	case !ok:
		return fmt.Errorf("no form %q (anchang print --list names them)", name)
	case btoi(*demo)+btoi(*id != "")+btoi(*blank) != 1:
		return fmt.Errorf("give one of --demo, --id or --blank\n\n%s", printUsage)
	case *out == "":
		return fmt.Errorf("-o FILE.pdf is required")
	case *send && *out == "-":
		return fmt.Errorf("--send prints a saved file: give -o FILE.pdf")
	}
	opt := forms.PrintOptions{Now: now, Version: *version}
	var pdf bytes.Buffer
	switch {
	case *blank:
		// the office's name when there is one
		m := forms.Meta{PrintedAt: now, Version: *version}
		if s, err := openRead(ctx, cfg); err == nil {
			if _, o, err := s.Device(); err == nil {
				m.Office, m.Loc = o.Name, s.Location()
			}
			s.Close()
		}
		if err := forms.Blank(&pdf, def, m); err != nil {
			return err
		}
	case *demo:
		if err := printDemo(ctx, &pdf, def, opt); err != nil {
			return err
		}
	default:
		s, err := openRead(ctx, cfg)
		if err != nil {
			return err
		}
		defer s.Close()
		if _, err := forms.Print(ctx, &pdf, s, def, *id, opt); err != nil {
			return err
		}
	}
	if *out == "-" {
		_, err := stdout.Write(pdf.Bytes())
		return err
	}
	if err := writeFile(*out, pdf.Bytes()); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "%s %s → %s (%d KB)\n", def.Number, def.Title, *out, (pdf.Len()+1023)/1024)
	if !*send {
		return nil
	}
	abs, err := filepath.Abs(*out)
	if err != nil {
		return err
	}
	if err := forms.SendToPrinter(ctx, abs, *printer); err != nil {
		if errors.Is(err, forms.ErrNoPrinter) {
			return fmt.Errorf("%w — the PDF is saved as %s", err, *out)
		}
		return err
	}
	fmt.Fprintf(stderr, "sent to the printer\n")
	return nil
}

func listForms(w io.Writer, now time.Time) error {
	for _, d := range forms.All() {
		var vs []string
		for _, v := range d.Printable(now) {
			vs = append(vs, v.Label+" ("+v.Effective.Format(time.DateOnly)+")")
		}
		if len(vs) == 0 {
			vs = []string{"not in effect yet"}
		}
		fmt.Fprintf(w, "%-22s %-14s %-20s %s %s; --id: %s\n", d.Name, d.Number, strings.Join(vs, ", "), d.Title, d.TitleEn, d.RecordHelp())
	}
	return nil
}

// printDemo renders def from demo data made in a temporary store: the
// demo office's last full day, up to 17:00 office time.
func printDemo(ctx context.Context, w io.Writer, def *forms.Definition, opt forms.PrintOptions) error {
	dir, err := os.MkdirTemp("", "anchang-print-demo-")
	if err != nil {
		return fmt.Errorf("demo store: %w", err)
	}
	defer os.RemoveAll(dir)
	s, err := data.Open(ctx, dir)
	if err != nil {
		return err
	}
	defer s.Close()
	loc := s.Location()
	now := opt.Now.In(loc)
	clock := time.Date(now.Year(), now.Month(), now.Day(), 17, 0, 0, 0, loc)
	if clock.After(now) {
		clock = clock.AddDate(0, 0, -1)
	}
	s.Now = func() time.Time { return clock }
	if _, err := s.LoadDemo(ctx, data.DemoOptions{Days: 1, PerDay: 70, Seed: 1}); err != nil {
		return fmt.Errorf("demo data: %w", err)
	}
	day := s.Day(clock)
	switch def {
	case forms.VisitorRegistration:
		rows, err := s.DayLog(ctx, day)
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			return errors.New("demo data: no visits")
		}
		pick := rows[0] // a visit that went all the way, with an interest noted
		for _, r := range rows {
			if !r.LeftAt.IsZero() && r.InterestUnit != "" {
				pick = r
				break
			}
		}
		_, err = forms.Print(ctx, w, s, def, pick.VisitID, opt)
		return err
	case forms.DailyLog:
		_, err := forms.Print(ctx, w, s, def, day, opt)
		return err
	}
	_, office, err := s.Device()
	if err != nil {
		return err
	}
	m := forms.Meta{Office: office.Name, Serial: forms.Serial(office.Code, s.Day(opt.Now), 1), RecordID: uuid.NewString(),
		PrintedAt: opt.Now, Version: opt.Version, Loc: loc}
	return forms.Demo(w, def, m)
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// writeFile writes the PDF next to path and renames it into place, so a
// failed run never leaves half a file.
func writeFile(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".anchang-*.pdf")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
