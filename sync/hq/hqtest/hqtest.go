// Package hqtest starts a real HQ server for tests: HTTPS with a self-signed
// certificate on a loopback port, on SQLite (a file in t.TempDir()) or on a
// fresh PostgreSQL database (pgtest), with the admin verbs as methods.
//
//	func TestMain(m *testing.M) { os.Exit(hqtest.Main(m)) } // needed for hq.Postgres
//
//	h := hqtest.Start(t, hq.SQLite)
//	off := h.AddOffice("SH01", "上海一号案场")
//	code := h.Code("SH01")          // enrollment code for an office device
//	// client: URL h.URL, pin h.Fingerprint (or use h.Client())
package hqtest

import (
	"context"
	"crypto/tls"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"anchang/data"
	"anchang/sync/hq"
	"anchang/sync/hq/pgtest"
)

// Main runs a package's tests; call it from TestMain when any test starts a
// PostgreSQL-backed HQ.
func Main(m *testing.M) int { return pgtest.Main(m) }

// Options change the server started.
type Options struct {
	// Describe validates pushed payloads; default data.DescribeMutation.
	Describe hq.DescribeFunc
	// Now is HQ's clock; default time.Now.
	Now func() time.Time
	// Config, when set, adjusts the server's configuration last.
	Config func(*hq.Config)
	// Logger; default: discard.
	Logger *slog.Logger
	// Postgres, with backend hq.Postgres, is the database to use instead of
	// a fresh one: another HQ's DSN() starts a second replica of it.
	Postgres string
}

// HQ is a running HQ.
type HQ struct {
	URL         string // https://127.0.0.1:PORT
	Fingerprint string // SHA-256 of the certificate, lowercase hex
	Backend     string // hq.SQLite or hq.Postgres
	Store       *hq.SQLStore
	Server      *hq.Server

	t    testing.TB
	opts Options
	addr string
	dsn  string // SQLite path or PostgreSQL DSN
	cert tls.Certificate
	http *http.Server
	done chan struct{}
}

// Start starts HQ on backend (hq.SQLite or hq.Postgres); it stops when the
// test ends.
func Start(t testing.TB, backend string) *HQ { return StartWith(t, backend, Options{}) }

// StartWith starts HQ with options.
func StartWith(t testing.TB, backend string, opts Options) *HQ {
	t.Helper()
	if opts.Describe == nil {
		opts.Describe = data.DescribeMutation
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	dir := t.TempDir()
	h := &HQ{t: t, opts: opts, Backend: backend}
	switch backend {
	case hq.SQLite:
		h.dsn = filepath.Join(dir, "hq.db")
	case hq.Postgres:
		h.dsn = opts.Postgres
		if h.dsn == "" {
			h.dsn = pgtest.DSN(t)
		}
	default:
		t.Fatalf("hqtest: backend %q", backend)
	}
	var err error
	if h.cert, err = hq.SelfSignedCert(dir); err != nil {
		t.Fatal(err)
	}
	if h.Fingerprint, err = hq.Fingerprint(h.cert); err != nil {
		t.Fatal(err)
	}
	h.start("127.0.0.1:0")
	t.Cleanup(h.Stop)
	return h
}

func (h *HQ) start(addr string) {
	t := h.t
	t.Helper()
	ctx := context.Background()
	var err error
	if h.Backend == hq.SQLite {
		h.Store, err = hq.OpenSQLite(ctx, h.dsn)
	} else {
		h.Store, err = hq.OpenPostgres(ctx, h.dsn)
	}
	if err != nil {
		t.Fatal(err)
	}
	cfg := hq.Config{Store: h.Store, Describe: h.opts.Describe, Now: h.opts.Now, Logger: h.opts.Logger,
		DeviceRate: 1000, DeviceBurst: 1000, AddrRate: 1000, AddrBurst: 1000}
	if h.opts.Config != nil {
		h.opts.Config(&cfg)
	}
	h.Server, err = hq.New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	var l net.Listener
	for i := 0; ; i++ { // a restart rebinds the same port, which may linger
		l, err = net.Listen("tcp", addr)
		if err == nil || i == 50 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	h.addr = l.Addr().String()
	h.URL = "https://" + h.addr
	h.http = &http.Server{Handler: h.Server.Handler(), ReadHeaderTimeout: 10 * time.Second,
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{h.cert}, MinVersion: tls.VersionTLS12}}
	h.done = make(chan struct{})
	go func() {
		defer close(h.done)
		h.http.ServeTLS(l, "", "")
	}()
}

// Stop shuts HQ down gracefully (waiting pulls answer, in-flight pushes
// finish) and closes the store. Safe to call twice.
func (h *HQ) Stop() {
	if h.http == nil {
		return
	}
	h.Server.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	h.http.Shutdown(ctx)
	<-h.done
	h.Store.Close()
	h.http = nil
}

// Kill stops HQ at once: connections are cut, nothing is waited for.
func (h *HQ) Kill() {
	if h.http == nil {
		return
	}
	h.http.Close()
	h.Server.Close()
	<-h.done
	h.Store.Close()
	h.http = nil
}

// Restart stops HQ (if running) and starts it again on the same address,
// database and certificate.
func (h *HQ) Restart() {
	h.t.Helper()
	h.Stop()
	h.start(h.addr)
}

// DSN is the database: the SQLite file's path, or the PostgreSQL DSN (pass it
// as Options.Postgres to start another replica).
func (h *HQ) DSN() string { return h.dsn }

// Client is an HTTP client that trusts exactly this HQ's certificate.
func (h *HQ) Client() *http.Client {
	return &http.Client{Transport: &http.Transport{TLSClientConfig: hq.PinnedTLS(h.Fingerprint)}, Timeout: 60 * time.Second}
}

// AddOffice is `anchang-hq office add CODE NAME`.
func (h *HQ) AddOffice(code, name string) hq.Office {
	h.t.Helper()
	off, _, err := hq.AddOffice(context.Background(), h.Store, h.opts.Describe, code, name, h.opts.Now())
	if err != nil {
		h.t.Fatal(err)
	}
	return off
}

// Code is `anchang-hq code OFFICE_CODE`: a one-time enrollment code (24 h).
func (h *HQ) Code(officeCode string) string {
	h.t.Helper()
	c, _, err := hq.IssueEnrollCode(context.Background(), h.Store, officeCode, false, 24*time.Hour, h.opts.Now())
	if err != nil {
		h.t.Fatal(err)
	}
	return c
}

// HQCode is `anchang-hq code --hq`: a code enrolling an HQ device.
func (h *HQ) HQCode() string {
	h.t.Helper()
	c, _, err := hq.IssueEnrollCode(context.Background(), h.Store, hq.HQOfficeCode, true, 24*time.Hour, h.opts.Now())
	if err != nil {
		h.t.Fatal(err)
	}
	return c
}

// Revoke is `anchang-hq revoke DEVICE`.
func (h *HQ) Revoke(deviceID string) {
	h.t.Helper()
	if err := h.Store.Revoke(context.Background(), deviceID, h.opts.Now().UnixMilli()); err != nil {
		h.t.Fatal(err)
	}
}

// Devices is `anchang-hq devices`.
func (h *HQ) Devices() []hq.Device {
	h.t.Helper()
	d, err := h.Store.Devices(context.Background())
	if err != nil {
		h.t.Fatal(err)
	}
	return d
}

// Rejections is `anchang-hq rejections [--office CODE]` ("" for all).
func (h *HQ) Rejections(officeCode string) []hq.Rejection {
	h.t.Helper()
	ctx := context.Background()
	id := ""
	if officeCode != "" {
		off, err := h.Store.OfficeByCode(ctx, officeCode)
		if err != nil {
			h.t.Fatal(err)
		}
		id = off.ID
	}
	r, err := h.Store.Rejections(ctx, id, 1000)
	if err != nil {
		h.t.Fatal(err)
	}
	return r
}
