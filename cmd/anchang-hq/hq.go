package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"anchang/cli/say"
	"anchang/data"
	"anchang/sync/hq"
)

// Main is the program: ParseFlags, then Run until the context ends, then
// Close.
type Main struct {
	DataDir       string
	Listen        string
	Postgres      string
	CertFile      string
	KeyFile       string
	Hosts         string // extra names for the self-signed certificate
	RetentionDays int
	LogLevel      string
	MinSchema     int

	// verb flags
	HQ     bool
	TTL    time.Duration
	Office string

	Args []string // the verb and its arguments; empty: serve

	Stdout, Stderr io.Writer
	Now            func() time.Time

	store *hq.SQLStore
	srv   *hq.Server
	http  *http.Server
	ln    net.Listener
	ready chan struct{} // closed once listening
	mu    sync.Mutex
}

// NewMain makes a Main writing to the process's stdout and stderr.
func NewMain() *Main {
	return &Main{Stdout: os.Stdout, Stderr: os.Stderr, Now: time.Now, ready: make(chan struct{})}
}

const usage = `usage:
  anchang-hq --data-dir DIR [--listen 127.0.0.1:8443] [--postgres DSN] [--cert FILE --key FILE]
  anchang-hq --data-dir DIR office add CODE NAME
  anchang-hq --data-dir DIR office rename CODE NAME
  anchang-hq --data-dir DIR office list
  anchang-hq --data-dir DIR code OFFICE_CODE [--hq] [--ttl 24h]
  anchang-hq --data-dir DIR devices
  anchang-hq --data-dir DIR revoke DEVICE
  anchang-hq --data-dir DIR rejections [--office CODE]
  anchang-hq --data-dir DIR purge [--days 30]
  anchang-hq --data-dir DIR import faq FILE.csv|FILE.xlsx
  anchang-hq --data-dir DIR import template FILE.json
  anchang-hq --data-dir DIR import holidays FILE.json
(with --postgres DSN instead of, or beside, --data-dir)`

// ParseFlags reads flags and the verb; flags may come before or after it.
func (m *Main) ParseFlags(args []string) error {
	fs := flag.NewFlagSet("anchang-hq", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&m.DataDir, "data-dir", "", "directory of HQ's SQLite database, certificate and key")
	fs.StringVar(&m.Listen, "listen", "127.0.0.1:8443", "address to serve HTTPS on")
	fs.StringVar(&m.Postgres, "postgres", os.Getenv("ANCHANG_HQ_POSTGRES"), "PostgreSQL DSN (default: SQLite in --data-dir)")
	fs.StringVar(&m.CertFile, "cert", "", "TLS certificate (PEM); default: a self-signed one in --data-dir")
	fs.StringVar(&m.KeyFile, "key", "", "TLS key (PEM) for --cert")
	fs.StringVar(&m.Hosts, "hosts", "", "comma-separated extra host names or IPs for the self-signed certificate")
	fs.IntVar(&m.RetentionDays, "retention-days", 30, "keep the change log this many days (purge, and the hourly purge)")
	fs.IntVar(&m.RetentionDays, "days", 30, "purge: keep this many days")
	fs.StringVar(&m.LogLevel, "log-level", "info", "debug, info, warn or error")
	fs.IntVar(&m.MinSchema, "min-schema", 0, "answer 426 update_required to clients whose Anchang-Schema is below this")
	fs.BoolVar(&m.HQ, "hq", false, "code: enroll an HQ device")
	fs.DurationVar(&m.TTL, "ttl", 24*time.Hour, "code: how long the code is valid")
	fs.StringVar(&m.Office, "office", "", "rejections: only this office")
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return fmt.Errorf("%v\n%s", err, usage)
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
	m.Args = pos
	if m.DataDir == "" && m.Postgres == "" {
		return fmt.Errorf("--data-dir or --postgres is needed\n%s", usage)
	}
	if (m.CertFile == "") != (m.KeyFile == "") {
		return errors.New("--cert and --key go together")
	}
	if len(m.Args) == 0 && m.CertFile == "" && m.DataDir == "" {
		return errors.New("serving needs --data-dir (for the self-signed certificate) or --cert and --key")
	}
	return nil
}

func (m *Main) openStore(ctx context.Context) error {
	var err error
	if m.Postgres != "" {
		m.store, err = hq.OpenPostgres(ctx, m.Postgres)
	} else {
		if err := os.MkdirAll(m.DataDir, 0o700); err != nil {
			return err
		}
		m.store, err = hq.OpenSQLite(ctx, filepath.Join(m.DataDir, "hq.db"))
	}
	return err
}

// Run serves, or runs the verb.
func (m *Main) Run(ctx context.Context) error {
	if err := m.openStore(ctx); err != nil {
		return err
	}
	if len(m.Args) > 0 {
		return m.admin(ctx)
	}
	return m.serve(ctx)
}

// Close closes the store (Run has already shut the server down).
func (m *Main) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.store != nil {
		err := m.store.Close()
		m.store = nil
		return err
	}
	return nil
}

// Addr is the address served, once Ready is closed.
func (m *Main) Addr() string { return m.ln.Addr().String() }

// Ready is closed once the server listens.
func (m *Main) Ready() <-chan struct{} { return m.ready }

func (m *Main) logger() *slog.Logger {
	var lv slog.Level
	lv.UnmarshalText([]byte(m.LogLevel))
	return slog.New(slog.NewJSONHandler(m.Stderr, &slog.HandlerOptions{Level: lv}))
}

func (m *Main) serve(ctx context.Context) error {
	log := m.logger()
	var cert tls.Certificate
	var err error
	if m.CertFile != "" {
		cert, err = tls.LoadX509KeyPair(m.CertFile, m.KeyFile)
	} else {
		var hosts []string
		for _, h := range strings.Split(m.Hosts, ",") {
			if h = strings.TrimSpace(h); h != "" {
				hosts = append(hosts, h)
			}
		}
		if host, _, err := net.SplitHostPort(m.Listen); err == nil && host != "" && host != "0.0.0.0" && host != "::" {
			hosts = append(hosts, host)
		}
		cert, err = hq.SelfSignedCert(m.DataDir, hosts...)
	}
	if err != nil {
		return fmt.Errorf("certificate: %w", err)
	}
	fp, err := hq.Fingerprint(cert)
	if err != nil {
		return err
	}
	m.srv, err = hq.New(ctx, hq.Config{Store: m.store, Describe: data.DescribeMutation, Logger: log, Now: m.Now, MinSchema: m.MinSchema})
	if err != nil {
		return err
	}
	m.ln, err = net.Listen("tcp", m.Listen)
	if err != nil {
		m.srv.Close()
		return err
	}
	m.http = &http.Server{
		Handler:           m.srv.Handler(),
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12},
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	backend := "sqlite"
	if m.Postgres != "" {
		backend = "postgres"
	}
	fmt.Fprintf(m.Stdout, "anchang-hq: serving https://%s (%s)\n", m.ln.Addr(), backend)
	fmt.Fprintf(m.Stdout, "anchang-hq: certificate SHA-256 fingerprint %s\n", fp)
	log.Info("serving", "addr", m.ln.Addr().String(), "backend", backend, "fingerprint", fp)
	close(m.ready)

	errc := make(chan error, 1)
	go func() { errc <- m.http.ServeTLS(m.ln, "", "") }()
	purge := time.NewTicker(time.Hour)
	defer purge.Stop()
	m.purge(ctx, log)
	for {
		select {
		case err := <-errc:
			m.srv.Close()
			return err
		case <-purge.C:
			m.purge(ctx, log)
			continue
		case <-ctx.Done():
		}
		break
	}
	// Graceful: not ready, waiting pulls answer, in-flight pushes finish.
	log.Info("shutting down")
	m.srv.Close()
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err = m.http.Shutdown(sctx)
	<-errc
	log.Info("stopped")
	return err
}

func (m *Main) purge(ctx context.Context, log *slog.Logger) {
	before := m.Now().AddDate(0, 0, -m.RetentionDays).UnixMilli()
	n, err := m.store.Purge(ctx, before)
	if err != nil {
		log.Error("purge", "err", err)
		return
	}
	if n > 0 {
		log.Info("purged", "changes", n, "days", m.RetentionDays)
	}
}

func (m *Main) admin(ctx context.Context) error {
	out := m.Stdout
	verb, args := m.Args[0], m.Args[1:]
	need := func(n int, shape string) error {
		if len(args) != n {
			return fmt.Errorf("usage: anchang-hq %s", shape)
		}
		return nil
	}
	switch verb {
	case "office":
		if len(args) > 0 && args[0] == "list" {
			offs, err := m.store.Offices(ctx)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "CODE\tNAME\tID\tCREATED")
			for _, o := range offs {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", o.Code, o.Name, o.ID, ms(o.CreatedAt))
			}
			return tw.Flush()
		}
		if len(args) >= 3 && args[0] == "rename" {
			off, err := hq.RenameOffice(ctx, m.store, data.DescribeMutation, args[1], strings.Join(args[2:], " "), m.Now())
			if err != nil {
				return explain(err)
			}
			fmt.Fprintf(out, "office %s renamed: %s (its devices show it after their next sync)\n", off.Code, off.Name)
			return nil
		}
		if len(args) < 3 || args[0] != "add" {
			return errors.New("usage: anchang-hq office add CODE NAME | office rename CODE NAME | office list")
		}
		off, recorded, err := hq.AddOffice(ctx, m.store, data.DescribeMutation, args[1], strings.Join(args[2:], " "), m.Now())
		if err != nil {
			return explain(err)
		}
		fmt.Fprintf(out, "office %s added: %s (id %s)\n", off.Code, off.Name, off.ID)
		if !recorded {
			fmt.Fprintln(out, "note: this build's data package does not know office.setup yet; the office's record was not written to its scope")
		}
		return nil
	case "code":
		if !m.HQ {
			if err := need(1, "code OFFICE_CODE [--ttl 24h] | code --hq"); err != nil {
				return err
			}
		} else if len(args) > 1 {
			return errors.New("usage: anchang-hq code --hq [--ttl 24h]")
		}
		officeCode := hq.HQOfficeCode
		if len(args) == 1 {
			officeCode = args[0]
		}
		code, off, err := hq.IssueEnrollCode(ctx, m.store, officeCode, m.HQ, m.TTL, m.Now())
		if err != nil {
			return explain(err)
		}
		fmt.Fprintf(out, "%s\n", code)
		fmt.Fprintf(m.Stderr, "one-time enrollment code for %s (%s), valid until %s\n", off.Code, off.Name, m.Now().Add(m.TTL).Format(time.DateTime))
		return nil
	case "devices":
		devs, err := m.store.Devices(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tOFFICE\tROLE\tTAG\tNAME\tLAST CONTACT\tLAST SEQ\tPENDING\tREVOKED")
		for _, d := range devs {
			pending := "-"
			if d.Pending >= 0 {
				pending = fmt.Sprint(d.Pending)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\n", d.ID, d.OfficeCode, d.Role, d.Tag, d.Name, ms(d.LastContact), d.LastSeq, pending, ms(d.RevokedAt))
		}
		return tw.Flush()
	case "revoke":
		if err := need(1, "revoke DEVICE"); err != nil {
			return err
		}
		if err := m.store.Revoke(ctx, args[0], m.Now().UnixMilli()); err != nil {
			return explain(err)
		}
		fmt.Fprintf(out, "device %s revoked; its next request is refused\n", args[0])
		return nil
	case "rejections":
		officeID := ""
		if m.Office != "" {
			off, err := m.store.OfficeByCode(ctx, m.Office)
			if err != nil {
				return explain(err)
			}
			officeID = off.ID
		}
		rej, err := m.store.Rejections(ctx, officeID, 500)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "AT\tOFFICE\tDEVICE\tSEQ\tMUTATION\tCODE\tREASON")
		for _, r := range rej {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s v%d\t%s\t%s\n", ms(r.At), r.OfficeCode, r.DeviceID, r.Seq, r.Name, r.Version, r.Code, r.Key)
		}
		return tw.Flush()
	case "import":
		// Publishes to global, for every office: a manual, a checklist
		// template or a year's holidays, in the formats the desk imports.
		if err := need(2, "import faq|template|holidays FILE"); err != nil {
			return err
		}
		f, err := os.Open(args[1])
		if err != nil {
			return err
		}
		defer f.Close()
		res, err := hq.Publish(ctx, m.store, args[0], filepath.Base(args[1]), f, m.Now())
		if err != nil {
			if _, ok := data.AsError(err); ok {
				return say.Error(err)
			}
			return err
		}
		switch args[0] {
		case hq.PublishFAQ:
			fmt.Fprintf(out, "published to every office: %d new entries, %d updated, %d unchanged (%d changes)\n", res.FAQ.Created, res.FAQ.Updated, res.FAQ.Unchanged, res.Changes)
		case hq.PublishTemplate:
			fmt.Fprintf(out, "published to every office: inspection template %s (%d changes)\n", res.Template, res.Changes)
		case hq.PublishHolidays:
			fmt.Fprintf(out, "published to every office: the %d holiday schedule (%d changes)\n", res.Year, res.Changes)
		}
		return nil
	case "purge":
		before := m.Now().AddDate(0, 0, -m.RetentionDays).UnixMilli()
		n, err := m.store.Purge(ctx, before)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "purged %d changes older than %d days\n", n, m.RetentionDays)
		return nil
	}
	return fmt.Errorf("unknown verb %q\n%s", verb, usage)
}

func ms(v int64) string {
	if v == 0 {
		return "-"
	}
	return time.UnixMilli(v).Format(time.DateTime)
}

// explain turns a coded error into words for the terminal.
func explain(err error) error {
	e, ok := data.AsError(err)
	if !ok {
		return err
	}
	msg := map[string]string{
		"err.office_code.chars":        "an office code is 1–16 letters, digits, - or _ (and not HQ)",
		"err.sync.office_name":         "an office name is 1–60 characters",
		"err.sync.office_exists":       "an office with this code exists",
		"err.sync.no_office":           "no office with this code (see: office list)",
		"err.sync.no_device":           "no device with this id (see: devices)",
		"err.sync.unknown_mutation":    "this build does not know the mutation",
		"err.sync.device_other_office": "the device is enrolled in another office",
	}[e.Key]
	if msg == "" {
		return err
	}
	return errors.New(msg)
}
