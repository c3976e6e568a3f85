package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"anchang/cli/say"
	"anchang/data"
)

const pinkeyUsage = `Usage:
  anchang pinkey show     print this office's PIN key, to type in on another
                          device of the office (or keep somewhere safe)
  anchang pinkey set      take the office's PIN key, from ANCHANG_PIN_KEY or
                          typed on the next line of the input
  anchang pinkey reset --admin NAME
                          the key is lost everywhere: make a new one and give
                          the admin NAME a new PIN (from ANCHANG_ADMIN_PIN or
                          the next input line); staff whose PIN this device
                          cannot open any more get new PINs from the admin

Staff PINs are checked against values sealed with the office's PIN key,
kept in pin.key beside the database and never in it: a device that joins an
office, or a database restored on another PC, needs the key before staff
can sign in there. The key is never a flag (the process list shows flags).
`

// EnvPINKey is the environment variable pinkey set and enrol read the
// office's PIN key from.
const EnvPINKey = "ANCHANG_PIN_KEY"

func pinkeyVerb(ctx context.Context, cfg Config, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("pinkey", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, pinkeyUsage) }
	admin := fs.String("admin", "", "reset: the admin who gets a new PIN")
	if err := parseVerbFlags(fs, &cfg, cfg.Args); err != nil {
		return err
	}
	if fs.NArg() != 1 || (fs.Arg(0) != "show" && fs.Arg(0) != "set" && fs.Arg(0) != "reset") || (fs.Arg(0) == "reset") != (*admin != "") {
		fmt.Fprint(stderr, pinkeyUsage)
		return errors.New("pinkey: say show, set or reset --admin NAME")
	}
	tr := say.Local()
	if fs.Arg(0) == "show" {
		s, err := openRead(ctx, cfg)
		if err != nil {
			return err
		}
		defer s.Close()
		code, err := s.PINKeyCodeLocal(ctx)
		if err != nil {
			return say.Error(err)
		}
		fmt.Fprintln(stdout, code)
		return nil
	}
	s, done, err := openWrite(ctx, cfg)
	if err != nil {
		return err
	}
	defer done()
	if fs.Arg(0) == "reset" {
		pin, ok := os.LookupEnv("ANCHANG_ADMIN_PIN")
		if !ok {
			fmt.Fprint(stdout, tr.Say("pinkey.cli.new_pin", nil))
			pin, _ = bufio.NewReader(stdin).ReadString('\n')
			fmt.Fprintln(stdout)
		}
		cleared, err := s.ResetPINKey(ctx, *admin, strings.TrimSpace(pin))
		if err != nil {
			return say.Error(err)
		}
		fmt.Fprintln(stdout, tr.Say("pinkey.cli.reset", map[string]any{"Name": *admin, "Cleared": cleared}))
		return nil
	}
	if err := setPINKey(ctx, s, bufio.NewReader(stdin), stdout, tr); err != nil {
		return err
	}
	fmt.Fprintln(stdout, tr.Say("pinkey.cli.set", nil))
	return nil
}

// setPINKey takes the key from ANCHANG_PIN_KEY or the next input line.
func setPINKey(ctx context.Context, s *data.Store, in *bufio.Reader, stdout io.Writer, tr say.Lang) error {
	code, ok := os.LookupEnv(EnvPINKey)
	if !ok {
		fmt.Fprint(stdout, tr.Say("pinkey.cli.prompt", nil))
		code, _ = in.ReadString('\n')
		fmt.Fprintln(stdout)
	}
	if err := s.SetPINKey(ctx, strings.TrimSpace(code)); err != nil {
		return say.Error(err)
	}
	return nil
}

// afterEnrol: a device that joined an office whose staff PINs are sealed
// with a key it lacks takes it from ANCHANG_PIN_KEY, or says how.
func afterEnrol(ctx context.Context, s *data.Store, stdout io.Writer, tr say.Lang) error {
	need, err := s.NeedsPINKey(ctx)
	if err != nil || !need {
		return err
	}
	if _, ok := os.LookupEnv(EnvPINKey); !ok {
		fmt.Fprintln(stdout, tr.Say("pinkey.cli.needed", nil))
		return nil
	}
	if err := setPINKey(ctx, s, nil, stdout, tr); err != nil {
		return err
	}
	fmt.Fprintln(stdout, tr.Say("pinkey.cli.set", nil))
	return nil
}
