package e2e

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"anchang/sync/hq"
)

// Proc is HQ as the real anchang-hq process on loopback, with its SQLite
// file in Dir. Kill sends SIGKILL; Stop, SIGTERM (a graceful shutdown).
// The admin verbs run as the same binary (office add, code), as an
// operator would while HQ serves; the checks read HQ's file through a
// store of their own (Store).
type Proc struct {
	Bin string // the anchang-hq binary
	Dir string // --data-dir
	// Postgres, when set, is the DSN HQ keeps its store in (--postgres);
	// the data directory then holds only the certificate.
	Postgres string

	url, fp string
	addr    string // host:port kept across restarts
	cmd     *exec.Cmd
	exited  chan struct{}
	admin   *hq.SQLStore
	Stderr  io.Writer // the process's stderr (default: discarded)
	// Args are more flags for the server, used from the next Start.
	Args []string
}

// BuildHQ builds cmd/anchang-hq into dir and returns the binary's path.
func BuildHQ(ctx context.Context, dir string) (string, error) {
	bin := filepath.Join(dir, "anchang-hq")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "anchang/cmd/anchang-hq")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build anchang-hq: %v\n%s", err, out)
	}
	return bin, nil
}

// StartProc starts HQ from bin with its data in dir on a free loopback
// port, and waits until it prints its address and fingerprint.
func StartProc(bin, dir string) (*Proc, error) { return StartProcWith(bin, dir, "") }

// StartProcWith starts HQ on PostgreSQL (dsn) or, with "", on SQLite.
func StartProcWith(bin, dir, dsn string) (*Proc, error) {
	p := &Proc{Bin: bin, Dir: dir, Postgres: dsn, addr: "127.0.0.1:0"}
	if err := p.Start(); err != nil {
		return nil, err
	}
	return p, nil
}

// Start starts the process (again, on the same port).
func (p *Proc) Start() error {
	if p.cmd != nil {
		return errors.New("hq process already running")
	}
	var last error
	for i := 0; i < 50; i++ { // a restart rebinds the same port, which may linger
		if last = p.start(); last == nil {
			return nil
		}
		if p.addr == "127.0.0.1:0" {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	return last
}

func (p *Proc) start() error {
	cmd := exec.Command(p.Bin, append(p.storeArgs("--listen", p.addr, "--log-level", "error"), p.Args...)...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if p.Stderr != nil {
		cmd.Stderr = p.Stderr
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start anchang-hq: %w", err)
	}
	exited := make(chan struct{})
	lines := make(chan string, 4)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			default:
			}
		}
		close(lines)
		cmd.Wait()
		close(exited)
	}()
	var url, fp string
	timeout := time.After(60 * time.Second)
	for url == "" || fp == "" {
		select {
		case l, ok := <-lines:
			if !ok {
				<-exited
				return fmt.Errorf("anchang-hq exited before serving: %v", cmd.ProcessState)
			}
			if rest, ok := strings.CutPrefix(l, "anchang-hq: serving "); ok {
				url, _, _ = strings.Cut(rest, " ")
			}
			if rest, ok := strings.CutPrefix(l, "anchang-hq: certificate SHA-256 fingerprint "); ok {
				fp = strings.TrimSpace(rest)
			}
		case <-timeout:
			cmd.Process.Kill()
			<-exited
			return errors.New("anchang-hq did not print its address and fingerprint in 60 s")
		}
	}
	p.cmd, p.exited, p.url, p.fp = cmd, exited, url, fp
	p.addr = strings.TrimPrefix(url, "https://")
	return nil
}

// storeArgs are the flags naming HQ's store, then more.
func (p *Proc) storeArgs(more ...string) []string {
	args := []string{"--data-dir", p.Dir}
	if p.Postgres != "" {
		args = append(args, "--postgres", p.Postgres)
	}
	return append(args, more...)
}

// Endpoint is HQ's URL and certificate fingerprint, as it printed them.
func (p *Proc) Endpoint() (string, string) { return p.url, p.fp }

// DBPath is HQ's SQLite file.
func (p *Proc) DBPath() string { return filepath.Join(p.Dir, "hq.db") }

// Running says whether the process runs.
func (p *Proc) Running() bool { return p.cmd != nil }

// Kill sends SIGKILL and waits for the process to die.
func (p *Proc) Kill() { p.signal(syscall.SIGKILL) }

// Stop sends SIGTERM and waits for the graceful shutdown.
func (p *Proc) Stop() { p.signal(syscall.SIGTERM) }

func (p *Proc) signal(sig syscall.Signal) {
	if p.cmd != nil {
		p.cmd.Process.Signal(sig)
		<-p.exited
		p.cmd = nil
	}
	p.closeAdmin()
}

func (p *Proc) closeAdmin() {
	if p.admin != nil {
		p.admin.Close()
		p.admin = nil
	}
}

// Store is a store of the test's own on HQ's file, for the checks (opened
// on first use, closed when HQ stops so its file can be copied).
func (p *Proc) Store() *hq.SQLStore {
	if p.admin == nil {
		var st *hq.SQLStore
		var err error
		if p.Postgres != "" {
			st, err = hq.OpenPostgres(context.Background(), p.Postgres)
		} else {
			st, err = hq.OpenSQLite(context.Background(), p.DBPath())
		}
		if err != nil {
			panic(fmt.Sprintf("open hq's store: %v", err))
		}
		p.admin = st
	}
	return p.admin
}

// verb runs an admin verb of the binary and returns its stdout.
func (p *Proc) verb(ctx context.Context, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, p.Bin, p.storeArgs(args...)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("anchang-hq %s: %v: %s", strings.Join(args, " "), err, stderr.String())
	}
	return string(out), nil
}

// AddOffice runs `anchang-hq office add CODE NAME`.
func (p *Proc) AddOffice(ctx context.Context, code, name string) (hq.Office, error) {
	if _, err := p.verb(ctx, "office", "add", code, name); err != nil {
		return hq.Office{}, err
	}
	return p.Store().OfficeByCode(ctx, code)
}

// Code runs `anchang-hq code OFFICE_CODE [--hq]` and returns the code.
func (p *Proc) Code(ctx context.Context, officeCode string, hqDevice bool) (string, error) {
	args := []string{"code", officeCode}
	if hqDevice {
		args = []string{"code", "--hq"}
	}
	out, err := p.verb(ctx, args...)
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(out), nil
}
