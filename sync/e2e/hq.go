package e2e

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	gosync "sync"
	"time"

	"anchang/data"
	"anchang/sync/hq"
)

// HQ is an HQ server run in this process on a loopback port over real TLS,
// on a SQLite file that outlives Kill and Restart (so a test can copy the
// file while HQ is down and put an old copy back). The tests that need HQ
// as a separate process use Proc (proc.go); the randomized campaign uses
// this one, which is cheaper to restart hundreds of times.
type HQ struct {
	Dir         string // HQ's data directory: hq.db and the certificate
	URL         string
	Fingerprint string
	Now         func() time.Time
	Logger      *slog.Logger
	// MinSchema, when set before a (re)start, refuses clients below it.
	MinSchema int
	// Postgres, when set, is the DSN of HQ's PostgreSQL database, used
	// instead of hq.db (a restart reopens it; nothing is copied).
	Postgres string

	life  gosync.Mutex // Kill, Stop, Start and Running may come from other goroutines
	addr  string
	cert  tls.Certificate
	store *hq.SQLStore
	srv   *hq.Server
	http  *http.Server
	done  chan struct{}
}

// DBPath is HQ's SQLite file.
func (h *HQ) DBPath() string { return filepath.Join(h.Dir, "hq.db") }

// StartHQ starts HQ in dir (made if missing) on a free loopback port.
func StartHQ(dir string, now func() time.Time) (*HQ, error) {
	return StartHQOn(dir, now, "")
}

// StartHQOn is StartHQ with HQ's store on the PostgreSQL database of DSN
// pg ("": SQLite in dir).
func StartHQOn(dir string, now func() time.Time, pg string) (*HQ, error) {
	if now == nil {
		now = time.Now
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	h := &HQ{Dir: dir, Now: now, Logger: slog.New(slog.DiscardHandler), Postgres: pg}
	var err error
	if h.cert, err = hq.SelfSignedCert(dir); err != nil {
		return nil, fmt.Errorf("hq cert: %w", err)
	}
	if h.Fingerprint, err = hq.Fingerprint(h.cert); err != nil {
		return nil, err
	}
	if err := h.start("127.0.0.1:0"); err != nil {
		return nil, err
	}
	return h, nil
}

func (h *HQ) start(addr string) error {
	ctx := context.Background()
	var st *hq.SQLStore
	var err error
	if h.Postgres != "" {
		st, err = hq.OpenPostgres(ctx, h.Postgres)
	} else {
		st, err = hq.OpenSQLite(ctx, h.DBPath())
	}
	if err != nil {
		return err
	}
	srv, err := hq.New(ctx, hq.Config{Store: st, Describe: data.DescribeMutation, Now: h.Now, Logger: h.Logger,
		DeviceRate: 10000, DeviceBurst: 10000, AddrRate: 10000, AddrBurst: 10000, MinSchema: h.MinSchema})
	if err != nil {
		st.Close()
		return err
	}
	var l net.Listener
	for i := 0; ; i++ { // a restart rebinds the same port, which may linger
		l, err = net.Listen("tcp", addr)
		if err == nil || i == 100 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		srv.Close()
		st.Close()
		return fmt.Errorf("hq listen: %w", err)
	}
	h.store, h.srv = st, srv
	h.addr = l.Addr().String()
	h.URL = "https://" + h.addr
	h.http = &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second, ErrorLog: nil,
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{h.cert}, MinVersion: tls.VersionTLS12}}
	h.http.ErrorLog = newDiscardLog()
	h.done = make(chan struct{})
	go func() {
		defer close(h.done)
		h.http.ServeTLS(l, "", "")
	}()
	return nil
}

// Store is HQ's store while it runs (nil while down).
func (h *HQ) Store() *hq.SQLStore {
	h.life.Lock()
	defer h.life.Unlock()
	return h.store
}

// Running says whether HQ serves.
func (h *HQ) Running() bool {
	h.life.Lock()
	defer h.life.Unlock()
	return h.http != nil
}

// Kill stops HQ at once: open connections are cut mid-request, nothing is
// waited for. What HQ committed stays in its file (WAL, synchronous=FULL).
func (h *HQ) Kill() {
	h.life.Lock()
	defer h.life.Unlock()
	if h.http == nil {
		return
	}
	h.http.Close()
	h.srv.Close()
	<-h.done
	h.store.Close()
	h.http, h.store, h.srv = nil, nil, nil
}

// Stop shuts HQ down gracefully.
func (h *HQ) Stop() {
	h.life.Lock()
	defer h.life.Unlock()
	if h.http == nil {
		return
	}
	h.srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	h.http.Shutdown(ctx)
	<-h.done
	h.store.Close()
	h.http, h.store, h.srv = nil, nil, nil
}

// Start starts a stopped HQ again on the same address, file and certificate.
func (h *HQ) Start() error {
	h.life.Lock()
	defer h.life.Unlock()
	if h.http != nil {
		return errors.New("hq already running")
	}
	return h.start(h.addr)
}

// Restart is Kill then Start.
func (h *HQ) Restart() error {
	h.Kill()
	return h.Start()
}

// AddOffice is `anchang-hq office add CODE NAME`.
func (h *HQ) AddOffice(ctx context.Context, code, name string) (hq.Office, error) {
	off, _, err := hq.AddOffice(ctx, h.store, data.DescribeMutation, code, name, h.Now())
	return off, err
}

// Code is `anchang-hq code OFFICE_CODE` (hqDevice: `code --hq`).
func (h *HQ) Code(ctx context.Context, officeCode string, hqDevice bool) (string, error) {
	c, _, err := hq.IssueEnrollCode(ctx, h.store, officeCode, hqDevice, 24*time.Hour, h.Now())
	return c, err
}

// CopyDB copies a stopped SQLite database (its file and any -wal/-shm left
// beside it) from src to dst; a missing side file is removed at dst.
func CopyDB(dst, src string) error {
	for _, suf := range []string{"", "-wal", "-shm"} {
		if _, err := os.Stat(src + suf); errors.Is(err, os.ErrNotExist) {
			if err := os.Remove(dst + suf); err != nil && !errors.Is(err, os.ErrNotExist) {
				return err
			}
			continue
		}
		if err := data.CopyFile(dst+suf, src+suf); err != nil { // HQ's database while HQ is down: a backup
			return err
		}
	}
	return nil
}

// Server is an HQ under test: in this process (*HQ) or the real
// anchang-hq process (*Proc).
type Server interface {
	Endpoint() (url, fingerprint string)
	Store() *hq.SQLStore
	DBPath() string
	Running() bool
	Kill()
	Stop()
	Start() error
	AddOffice(ctx context.Context, code, name string) (hq.Office, error)
	Code(ctx context.Context, officeCode string, hqDevice bool) (string, error)
}

// Endpoint is HQ's URL and certificate fingerprint.
func (h *HQ) Endpoint() (string, string) { return h.URL, h.Fingerprint }
