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

	"anchang/cli/say"
	"anchang/data"
	"anchang/data/sheet"
)

// ticketsUsage is the help of the tickets verb.
const ticketsUsage = `Usage:
  anchang tickets list [--all]                       open tickets, most pressing first (--all: every ticket, newest first)
  anchang tickets ledger [--from DAY] [--to DAY] -o FILE.xlsx
                                                     the complaint ledger (投诉电子台账) of [from, to), by default the last 7 days
  anchang tickets holidays [--by NAME] FILE.json     import a year's official holiday schedule (holiday-cn JSON)
  anchang tickets import [--by NAME] FILE.csv|.xlsx  carry over the open matters of a paper or spreadsheet ledger
                                                     (columns in docs/data.md); all rows or none

Phones are masked. DAY is YYYY-MM-DD, office-local; --to is exclusive.
`

func tickets(ctx context.Context, cfg Config, stdout, stderr io.Writer) error {
	if len(cfg.Args) == 0 {
		fmt.Fprint(stderr, ticketsUsage)
		return errors.New("tickets: say list, ledger, holidays or import")
	}
	fs := flag.NewFlagSet("tickets", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, ticketsUsage) }
	all := fs.Bool("all", false, "list: every ticket")
	from := fs.String("from", "", "ledger: first day")
	to := fs.String("to", "", "ledger: day after the last")
	out := fs.String("o", "", "ledger: output .xlsx")
	by := fs.String("by", "", "holidays, import: the admin doing it (name)")
	sub := cfg.Args[0]
	if err := parseVerbFlags(fs, &cfg, cfg.Args[1:]); err != nil {
		return err
	}
	var s *data.Store
	var err error
	switch sub {
	case "list", "ledger": // only read: beside the desk, creating nothing
		s, err = openRead(ctx, cfg)
		if err == nil {
			defer s.Close()
		}
	default:
		var done func()
		s, done, err = openWrite(ctx, cfg)
		if err == nil {
			defer done()
		}
	}
	if err != nil {
		return err
	}
	if !s.IsSetUp() {
		return fmt.Errorf("%s is not set up yet: run the app (or anchang demo) first", cfg.DataDir)
	}
	loc := s.Location()
	switch sub {
	case "list":
		var rows []data.TicketRow
		if *all {
			rows, err = s.TicketList(ctx, data.TicketFilter{Limit: 100000})
		} else {
			rows, err = s.OpenTickets(ctx)
		}
		if err != nil {
			return err
		}
		for _, r := range rows {
			due := ""
			if !r.NextDue.IsZero() {
				due = r.Next + " " + r.NextDue.In(loc).Format("01-02 15:04") + " " + string(r.Due)
			}
			var flags []string
			if r.EscalationSuggested {
				flags = append(flags, "escalate")
			}
			if r.RevisitOverdue {
				flags = append(flags, "revisit-late")
			}
			fmt.Fprintf(stdout, "%s\t%s\t%s/%s/%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Number, r.OpenedAt.In(loc).Format("2006-01-02 15:04"),
				r.Kind, r.Category, r.Severity, r.State, r.CustomerName, r.Phone, r.OwnerName, due, strings.Join(flags, ","))
		}
		return nil
	case "ledger":
		if *out == "" || !strings.HasSuffix(strings.ToLower(*out), ".xlsx") {
			return errors.New("tickets ledger: -o FILE.xlsx is required")
		}
		now := time.Now().In(loc)
		end := time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 0, 0, loc)
		start := end.AddDate(0, 0, -7)
		for _, d := range []struct {
			v   string
			dst *time.Time
		}{{*from, &start}, {*to, &end}} {
			if d.v == "" {
				continue
			}
			t, err := time.ParseInLocation(time.DateOnly, d.v, loc)
			if err != nil {
				return fmt.Errorf("tickets ledger: %q is not a day (YYYY-MM-DD)", d.v)
			}
			*d.dst = t
		}
		if !end.After(start) {
			return errors.New("tickets ledger: --to must be after --from")
		}
		l, err := s.TicketLedger(ctx, data.LedgerFilter{From: start, To: end})
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		if err := sheet.WriteLedger(&buf, l, loc, nil); err != nil {
			return err
		}
		if err := data.WriteOwnerOnly(*out, buf.Bytes()); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%d tickets %s – %s → %s; repeat %d/%d, satisfaction %.2f (%d), responses on time %d/%d, resolutions on time %d/%d\n",
			len(l.Rows), start.Format(time.DateOnly), end.AddDate(0, 0, -1).Format(time.DateOnly), *out, l.Repeat.Num, l.Repeat.Den,
			l.SatisfactionAvg, l.SatisfactionN, l.ResponseOnTime.Num, l.ResponseOnTime.Den, l.ResolutionOnTime.Num, l.ResolutionOnTime.Den)
		return nil
	case "holidays":
		if fs.NArg() != 1 {
			return errors.New("tickets holidays: name one FILE.json")
		}
		b, err := os.ReadFile(fs.Arg(0))
		if err != nil {
			return fmt.Errorf("tickets holidays: %w", err)
		}
		actor, err := adminNamed(ctx, s, *by)
		if err != nil {
			return err
		}
		year, err := s.ImportHolidays(ctx, actor.ID, b)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "holiday schedule %d imported\n", year)
		return nil
	case "import":
		if fs.NArg() != 1 {
			return errors.New("tickets import: name one FILE.csv or FILE.xlsx")
		}
		f, err := os.Open(fs.Arg(0))
		if err != nil {
			return fmt.Errorf("tickets import: %w", err)
		}
		defer f.Close()
		actor, err := adminNamed(ctx, s, *by)
		if err != nil {
			return err
		}
		t, err := sheet.Read(filepath.Base(fs.Arg(0)), f)
		if err != nil {
			return say.Error(err)
		}
		n, err := s.ImportTickets(ctx, actor.ID, t)
		if err != nil {
			return say.Error(err)
		}
		fmt.Fprintf(stdout, "%d tickets carried over, owned by %s\n", n, actor.Name)
		return nil
	}
	fmt.Fprint(stderr, ticketsUsage)
	return fmt.Errorf("tickets: unknown %q", sub)
}
