package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"

	"anchang/cli/say"
	"anchang/data"
	hqsync "anchang/sync"
)

// stdin is where enrol reads the user's confirmation; tests replace it.
var stdin io.Reader = os.Stdin

// syncOptions are the hqsync options of the CLI verbs; tests add a transport
// or roots here.
var syncOptions = hqsync.Options{}

const enrolUsage = `Usage:
  anchang enrol --hq URL --code CODE [--fingerprint F] [--name NAME] [--admin NAME]

Joins this device to an office (or to HQ) with a one-time enrollment code
from HQ's admin, then loads the office's data. Without --fingerprint the
certificate fingerprint of HQ is shown to compare with the one HQ printed,
and asked to confirm. A standalone office's records go to HQ with it.

An HQ device (a code from anchang-hq code --hq) starts with no staff:
--admin NAME makes its first admin, with the PIN from the environment
variable ANCHANG_ADMIN_PIN or, without it, typed on the next line of the
input. (A second HQ device gets the first one's staff and needs none.)

A device joining an office (or HQ) whose staff have PINs needs the
office's PIN key, read with "anchang pinkey show" (or in Settings → Staff PIN key)
on a device that has it: from the environment variable ANCHANG_PIN_KEY at
enrolment, or later with "anchang pinkey set".
`

const syncUsage = `Usage:
  anchang sync

One round with HQ: push what this device recorded, pull what other devices
recorded; prints what moved and what HQ refused, and why.
`

func enrol(ctx context.Context, cfg Config, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("enrol", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, enrolUsage) }
	hq := fs.String("hq", "", "HQ's address, https://host:port")
	code := fs.String("code", "", "the one-time enrollment code")
	fp := fs.String("fingerprint", "", "HQ's certificate fingerprint (SHA-256), as HQ printed it")
	name := fs.String("name", "", "this device's name")
	admin := fs.String("admin", "", "an HQ device's first admin: their name (the PIN from ANCHANG_ADMIN_PIN or stdin)")
	if err := parseVerbFlags(fs, &cfg, cfg.Args); err != nil {
		return err
	}
	if *hq == "" || *code == "" || fs.NArg() != 0 {
		fmt.Fprint(stderr, enrolUsage)
		return errors.New("enrol: say --hq URL and --code CODE")
	}
	tr := say.Local()
	s, done, err := openWrite(ctx, cfg)
	if err != nil {
		return err
	}
	defer done()
	in := bufio.NewReader(stdin)
	if *fp == "" {
		got, err := hqsync.Probe(ctx, *hq)
		if err != nil {
			return say.Error(err)
		}
		fmt.Fprintln(stdout, tr.Say("sync.cli.fingerprint", map[string]any{"FP": hqsync.FormatFingerprint(got)}))
		fmt.Fprint(stdout, tr.Say("sync.cli.confirm", nil))
		line, _ := in.ReadString('\n')
		switch strings.ToLower(strings.TrimSpace(line)) {
		case "y", "yes", "是", "是的", "对":
		default:
			fmt.Fprintln(stdout)
			return errors.New(tr.Say("sync.cli.not_confirmed", nil))
		}
		*fp = got
	}
	opts := syncOptions
	opts.Logger = cliLogger(stderr)
	scopeName := func(scope string) string { return scope }
	lastTenth, lastDone := map[string]int64{}, map[string]int64{}
	res, err := hqsync.Enroll(ctx, s, hqsync.EnrollInput{
		HQURL: *hq, Fingerprint: *fp, Code: *code, DeviceName: *name,
		Joined: func(res hqsync.EnrollResult) {
			if res.Role == hqsync.RoleHQ {
				fmt.Fprintln(stdout, tr.Say("sync.cli.joined_hq", nil))
			} else {
				fmt.Fprintln(stdout, tr.Say("sync.cli.joined", map[string]any{"Name": res.OfficeName, "Code": res.OfficeCode, "Tag": res.Tag}))
			}
			scopeName = scopeNamer(ctx, s)
		},
		Progress: func(p hqsync.Progress) {
			// One line at the start, per tenth of a scope, and at its end.
			tenth := int64(10)
			if p.Total > 0 {
				tenth = p.Done * 10 / p.Total
			}
			last, seen := lastTenth[p.Scope]
			if seen && tenth == last && (p.Done != p.Total || lastDone[p.Scope] == p.Done) {
				return
			}
			lastTenth[p.Scope], lastDone[p.Scope] = tenth, p.Done
			fmt.Fprintln(stdout, tr.Say("sync.cli.loading", map[string]any{"Scope": scopeName(p.Scope), "Done": p.Done, "Total": p.Total}))
		},
	}, opts)
	if err != nil {
		return say.Error(err)
	}
	for _, scope := range sortedKeys(res.Loaded) {
		fmt.Fprintln(stdout, tr.Say("sync.cli.loaded", map[string]any{"Scope": scopeName(scope), "N": res.Loaded[scope]}))
	}
	if err := afterEnrol(ctx, s, stdout, tr); err != nil {
		return err
	}
	return firstAdmin(ctx, s, *admin, in, stdout, tr)
}

// firstAdmin makes an HQ device's first admin when it has none: name from
// --admin, the PIN from ANCHANG_ADMIN_PIN or the next input line (never a
// flag: the process list shows flags). Without --admin it says how.
func firstAdmin(ctx context.Context, s *data.Store, name string, in *bufio.Reader, stdout io.Writer, tr say.Lang) error {
	need, err := s.NeedsFirstAdmin(ctx)
	if err != nil || !need {
		return err
	}
	if strings.TrimSpace(name) == "" {
		fmt.Fprintln(stdout, tr.Say("sync.cli.first_admin_needed", nil))
		return nil
	}
	pin, ok := os.LookupEnv("ANCHANG_ADMIN_PIN")
	if !ok {
		fmt.Fprint(stdout, tr.Say("sync.cli.first_admin_pin", nil))
		pin, _ = in.ReadString('\n')
		fmt.Fprintln(stdout)
	}
	admin, err := s.CreateFirstAdmin(ctx, data.FirstAdminInput{Name: name, PIN: strings.TrimSpace(pin)})
	if err != nil {
		return say.Error(err)
	}
	fmt.Fprintln(stdout, tr.Say("sync.cli.first_admin_made", map[string]any{"Name": admin.Name}))
	return nil
}

// scopeNamer names the device's own office scope by the office's code
// (office:0193… reads as SH01); other scopes keep their names.
func scopeNamer(ctx context.Context, s *data.Store) func(string) string {
	_, office, err := s.Device()
	return func(scope string) string {
		if err == nil && office.ID != "" && scope == hqsync.OfficeScope(office.ID) {
			return office.Code
		}
		return scope
	}
}

func syncVerb(ctx context.Context, cfg Config, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sync", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, syncUsage) }
	if err := parseVerbFlags(fs, &cfg, cfg.Args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		fmt.Fprint(stderr, syncUsage)
		return errors.New("sync: no arguments")
	}
	tr := say.Local()
	s, done, err := openWrite(ctx, cfg)
	if err != nil {
		return err
	}
	defer done()
	opts := syncOptions
	opts.Logger = cliLogger(stderr)
	rep, err := hqsync.NewLoop(s, opts).Round(ctx)
	printReport(stdout, tr, rep, scopeNamer(ctx, s))
	if err != nil {
		return say.Error(err)
	}
	return nil
}

// printReport says what a round moved, in the user's language.
func printReport(w io.Writer, tr say.Lang, rep hqsync.Report, scopeName func(string) string) {
	if rep.Requeued > 0 {
		fmt.Fprintln(w, tr.Say("sync.cli.requeued", map[string]any{"Seq": rep.Requeued}))
	}
	if rep.NewEpoch != 0 {
		fmt.Fprintln(w, tr.Say("sync.cli.new_epoch", nil))
	}
	if rep.Pushed > 0 || len(rep.Rejected) > 0 {
		fmt.Fprintln(w, tr.Say("sync.cli.pushed", map[string]any{"Pushed": rep.Pushed, "Applied": rep.Applied, "Duplicates": rep.Duplicates, "Rejected": len(rep.Rejected)}))
	}
	if len(rep.Rejected) <= 10 {
		for _, r := range rep.Rejected {
			fmt.Fprintln(w, tr.Say("sync.cli.refused", map[string]any{"Seq": r.Seq, "Name": r.Name, "Reason": tr.Say(r.Key, r.Args)}))
		}
	} else {
		// Many refusals for one reason (a standalone office's own copy of
		// HQ's reference data, say): one line per kind and reason.
		type group struct {
			first, last int64
			n           int
			r           hqsync.Refusal
		}
		var order []string
		groups := map[string]*group{}
		for _, r := range rep.Rejected {
			k := r.Name + "\x00" + r.Key
			g, ok := groups[k]
			if !ok {
				g = &group{first: r.Seq, r: r}
				groups[k] = g
				order = append(order, k)
			}
			g.n++
			g.last = r.Seq
		}
		for _, k := range order {
			g := groups[k]
			fmt.Fprintln(w, tr.Say("sync.cli.refused_many", map[string]any{"N": g.n, "Name": g.r.Name, "First": g.first, "Last": g.last, "Reason": tr.Say(g.r.Key, g.r.Args)}))
		}
	}
	for _, scope := range sortedKeys(rep.Loaded) {
		fmt.Fprintln(w, tr.Say("sync.cli.loaded", map[string]any{"Scope": scopeName(scope), "N": rep.Loaded[scope]}))
	}
	if rep.BlobsUp > 0 || rep.BlobsDown > 0 {
		fmt.Fprintln(w, tr.Say("sync.cli.blobs", map[string]any{"Up": rep.BlobsUp, "Down": rep.BlobsDown}))
	}
	moved := rep.BlobsUp > 0 || rep.BlobsDown > 0
	for _, scope := range sortedKeys(rep.Pulled) {
		if n := rep.Pulled[scope]; n > 0 {
			moved = true
			fmt.Fprintln(w, tr.Say("sync.cli.pulled", map[string]any{"Scope": scopeName(scope), "N": n}))
		}
	}
	if !moved && rep.Pushed == 0 && len(rep.Loaded) == 0 && rep.Requeued == 0 && rep.NewEpoch == 0 {
		fmt.Fprintln(w, tr.Say("sync.cli.nothing", nil))
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// cliLogger logs warnings and errors only: the verbs print what matters.
func cliLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelWarn}))
}
