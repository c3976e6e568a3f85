package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"anchang/assets"
	"anchang/cli/say"
	"anchang/data"
	"anchang/data/sheet"
)

// faqUsage is the help of the faq verb.
const faqUsage = `Usage:
  anchang faq import [--by NAME] FILE   import the manual from FILE (.csv or .xlsx): all rows or none
  anchang faq export FILE               export the manual to FILE (.csv or .xlsx)
  anchang faq search [--limit N] QUERY  ranked answers, one JSON object per line

The columns are described in docs/faq.md. Import needs an admin: --by names
one when the office has several.
`

// faqHit is one line of anchang faq search.
type faqHit struct {
	ID       string `json:"id"`
	Question string `json:"question"`
	Category string `json:"category"`
	Score    int    `json:"score"`
}

func faq(ctx context.Context, cfg Config, stdout, stderr io.Writer) error {
	if len(cfg.Args) == 0 {
		fmt.Fprint(stderr, faqUsage)
		return errors.New("faq: say import, export or search")
	}
	sub, args := cfg.Args[0], cfg.Args[1:]
	fs := flag.NewFlagSet("faq "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, faqUsage) }
	by := fs.String("by", "", "import: the admin doing it (name)")
	limit := fs.Int("limit", 20, "search: most results to print")
	if err := parseVerbFlags(fs, &cfg, args); err != nil {
		return err
	}
	rest := fs.Args()
	s, done, err := openFAQ(ctx, cfg, sub)
	if err != nil {
		return err
	}
	defer done()
	switch sub {
	case "import":
		if len(rest) != 1 {
			return errors.New("faq import: give one FILE")
		}
		return faqImport(ctx, s, *by, rest[0], stdout)
	case "export":
		if len(rest) != 1 {
			return errors.New("faq export: give one FILE")
		}
		return faqExport(ctx, s, rest[0], stdout)
	case "search":
		if len(rest) == 0 {
			return errors.New("faq search: give a QUERY")
		}
		if *limit < 1 {
			return errors.New("faq search: --limit must be at least 1")
		}
		return faqSearch(ctx, s, strings.Join(rest, " "), *limit, stdout, stderr)
	}
	fmt.Fprint(stderr, faqUsage)
	return fmt.Errorf("faq: unknown command %q", sub)
}

// openFAQ opens the store of a set-up device for sub. import takes the data
// directory; export and search run beside a running desk, load the starter
// manual on first use and record a search's miss when they can, and on a
// full or read-only disk still read. None creates a database that is not
// there.
func openFAQ(ctx context.Context, cfg Config, sub string) (*data.Store, func(), error) {
	var s *data.Store
	done := func() { s.Close() }
	var err error
	switch sub {
	case "import":
		s, done, err = openWrite(ctx, cfg)
	case "search", "export":
		if !data.DBExists(cfg.DataDir) {
			s, err = openRead(ctx, cfg) // says the directory holds no database
			break
		}
		s, err = data.Open(ctx, cfg.DataDir)
		if data.ErrorCode(err) == data.ESTORAGE {
			s, err = openRead(ctx, cfg)
		}
	default:
		s, err = openRead(ctx, cfg)
	}
	if err != nil {
		return nil, nil, err
	}
	if !s.IsSetUp() {
		done()
		return nil, nil, fmt.Errorf("%s is not set up yet: run the app (or anchang demo) first", cfg.DataDir)
	}
	if !s.ReadOnly() {
		if _, err := s.EnsureStarterFAQ(ctx, assets.StarterFAQ); err != nil && data.ErrorCode(err) != data.ESTORAGE {
			done()
			return nil, nil, err
		}
	}
	return s, done, nil
}

func faqImport(ctx context.Context, s *data.Store, by, path string, stdout io.Writer) error {
	actor, err := adminNamed(ctx, s, by)
	if err != nil {
		return err
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	t, err := sheet.Read(path, f)
	if err != nil {
		return say.Error(err)
	}
	res, err := s.ImportFAQ(ctx, actor.ID, t)
	if err != nil {
		return say.Error(err)
	}
	fmt.Fprintf(stdout, "imported %s: %d new, %d updated, %d unchanged\n", path, res.Created, res.Updated, res.Unchanged)
	return nil
}

// adminNamed is the active admin called name, or the only one when name is "".
func adminNamed(ctx context.Context, s *data.Store, name string) (data.Staff, error) {
	staff, err := s.ListStaff(ctx, false)
	if err != nil {
		return data.Staff{}, err
	}
	var admins []data.Staff
	var names []string
	for _, st := range staff {
		if st.Role.CanEditFAQ() && (name == "" || st.Name == name) {
			admins = append(admins, st)
			names = append(names, st.Name)
		}
	}
	switch {
	case len(admins) == 1:
		return admins[0], nil
	case len(admins) == 0 && name != "":
		return data.Staff{}, fmt.Errorf("no active admin named %q", name)
	case len(admins) == 0:
		return data.Staff{}, errors.New("this office has no active admin")
	}
	return data.Staff{}, fmt.Errorf("several admins (%s): say which with --by NAME", strings.Join(names, ", "))
}

func faqExport(ctx context.Context, s *data.Store, path string, stdout io.Writer) error {
	table, err := s.ExportFAQ(ctx)
	if err != nil {
		return say.Error(err)
	}
	var b bytes.Buffer
	if err := sheet.WriteFAQ(&b, path, table); err != nil {
		return say.Error(err)
	}
	n := len(table) - 1
	if err := data.WriteOwnerOnly(path, b.Bytes()); err != nil {
		return say.Error(err)
	}
	fmt.Fprintf(stdout, "exported %d entries to %s\n", n, path)
	return nil
}

func faqSearch(ctx context.Context, s *data.Store, query string, limit int, stdout, stderr io.Writer) error {
	res, err := s.SearchFAQ(ctx, query, limit)
	if err != nil {
		return err
	}
	if res.Total == 0 {
		// A miss is worth knowing at HQ, from any search box; not being
		// able to record it (a full disk) does not stop the answer.
		err := s.RecordFAQMiss(ctx, "", query)
		switch {
		case err == nil:
			fmt.Fprintf(stderr, "no answer for %q (recorded as a miss)\n", query)
		case data.ErrorCode(err) == data.EINVALID:
			fmt.Fprintf(stderr, "no answer for %q\n", query)
		default:
			fmt.Fprintf(stderr, "no answer for %q (not recorded as a miss: %v)\n", query, say.Error(err))
		}
		return nil
	}
	if res.Approximate {
		// Found by the question's words or by sound: the manual lacks the wording.
		if err := s.RecordFAQMiss(ctx, "", query); err != nil && data.ErrorCode(err) != data.EINVALID {
			return err
		}
		fmt.Fprintf(stderr, "no entry says %q; closest answers below (recorded as a miss)\n", query)
	}
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	for _, h := range res.Hits {
		if err := enc.Encode(faqHit{ID: h.Entry.EntryID, Question: h.Entry.Question, Category: h.Entry.Category, Score: h.Score}); err != nil {
			return err
		}
	}
	return nil
}
