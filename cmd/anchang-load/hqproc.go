package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"anchang/data"
	"anchang/sync/hq"
)

// HQ runs in a child process: this same binary started with the hidden verb
// "serve", which runs the real HQ server (package sync/hq: hq.New over
// hq.OpenSQLite or hq.OpenPostgres) on HTTPS with a self-signed certificate
// on a loopback port. A child of its own keeps HQ's RSS, goroutines and CPU
// profile apart from the simulated devices'.

// serveReady is the one line the child prints on stdout once it listens.
type serveReady struct {
	URL         string `json:"url"`
	Fingerprint string `json:"fingerprint"`
	PID         int    `json:"pid"`
}

// serveMain is `anchang-load serve`: HQ until stdin closes or SIGTERM.
func serveMain(args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	backend := fs.String("backend", hq.SQLite, "sqlite or postgres")
	db := fs.String("db", "", "SQLite file or PostgreSQL DSN")
	certDir := fs.String("cert-dir", "", "directory of HQ's certificate")
	cpuProfile := fs.String("cpuprofile", "", "write HQ's CPU profile here")
	deviceRate := fs.Float64("device-rate", 0, "requests per second per device (0: HQ's default)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	setNoFile()
	ctx := context.Background()
	var st *hq.SQLStore
	var err error
	if *backend == hq.Postgres {
		st, err = hq.OpenPostgres(ctx, *db)
	} else {
		st, err = hq.OpenSQLite(ctx, *db)
	}
	if err != nil {
		return err
	}
	defer st.Close()
	cert, err := hq.SelfSignedCert(*certDir)
	if err != nil {
		return err
	}
	fp, err := hq.Fingerprint(cert)
	if err != nil {
		return err
	}
	// HQ's own limits per device (0: its defaults); enrolling thousands of
	// devices from one address needs the per-address limit lifted.
	cfg := hq.Config{Store: st, Describe: data.DescribeMutation, AddrRate: 1e6, AddrBurst: 1e6}
	if *deviceRate > 0 {
		cfg.DeviceRate, cfg.DeviceBurst = *deviceRate, int(*deviceRate)+1
	}
	srv, err := hq.New(ctx, cfg)
	if err != nil {
		return err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second,
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}}
	done := make(chan error, 1)
	go func() { done <- hs.ServeTLS(l, "", "") }()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer func() { pprof.StopCPUProfile(); f.Close() }()
	}
	line, _ := json.Marshal(serveReady{URL: "https://" + l.Addr().String(), Fingerprint: fp, PID: os.Getpid()})
	fmt.Println(string(line))

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, os.Interrupt)
	eof := make(chan struct{})
	go func() { io.Copy(io.Discard, os.Stdin); close(eof) }()
	select {
	case <-stop:
	case <-eof:
	case err := <-done:
		return err
	}
	srv.Close()
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return hs.Shutdown(sctx)
}

// hqProc is a running HQ child.
type hqProc struct {
	serveReady
	Backend string
	DB      string
	cmd     *exec.Cmd
	stdin   io.WriteCloser
}

// hqOptions start a child.
type hqOptions struct {
	Backend    string
	DB         string // SQLite path or PostgreSQL DSN
	Dir        string // its certificate's directory
	CPUProfile string
	DeviceRate float64
}

// startHQ starts HQ in a child process and waits until it listens.
func startHQ(ctx context.Context, o hqOptions) (*hqProc, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	args := []string{"serve", "--backend", o.Backend, "--db", o.DB, "--cert-dir", o.Dir,
		"--device-rate", strconv.FormatFloat(o.DeviceRate, 'f', -1, 64)}
	if o.CPUProfile != "" {
		args = append(args, "--cpuprofile", o.CPUProfile)
	}
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), childEnv+"=1")
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &hqProc{Backend: o.Backend, DB: o.DB, cmd: cmd, stdin: stdin}
	got := make(chan error, 1)
	go func() {
		line, err := bufio.NewReader(out).ReadString('\n')
		if err != nil {
			got <- fmt.Errorf("hq child: %w", err)
			return
		}
		got <- json.Unmarshal([]byte(line), &p.serveReady)
		io.Copy(io.Discard, out)
	}()
	select {
	case err = <-got:
	case <-time.After(2 * time.Minute):
		err = errors.New("hq child: not ready after 2 minutes")
	case <-ctx.Done():
		err = ctx.Err()
	}
	if err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		return nil, err
	}
	return p, nil
}

// stop shuts the child down gracefully (it writes its CPU profile).
func (p *hqProc) stop() error {
	p.stdin.Close()
	t := time.AfterFunc(30*time.Second, func() { p.cmd.Process.Kill() })
	defer t.Stop()
	return p.cmd.Wait()
}

// rss is the child's resident set and its peak (VmRSS, VmHWM), in bytes.
func (p *hqProc) rss() (cur, peak int64) { return procRSS(p.PID) }

func procRSS(pid int) (cur, peak int64) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		n, _ := strconv.ParseInt(f[1], 10, 64)
		switch f[0] {
		case "VmRSS:":
			cur = n << 10
		case "VmHWM:":
			peak = n << 10
		}
	}
	return cur, peak
}

// resetPeak resets the child's VmHWM (Linux: write 5 to clear_refs).
func resetPeak(pid int) {
	os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0)
}

// setNoFile raises the open-files limit to its hard maximum.
func setNoFile() uint64 {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		return 0
	}
	if rl.Cur < rl.Max {
		rl.Cur = rl.Max
		syscall.Setrlimit(syscall.RLIMIT_NOFILE, &rl)
	}
	return rl.Cur
}
