// Package pgtest gives tests a fresh database on a real PostgreSQL server.
//
// With $ANCHANG_TEST_PG set (a DSN of a role that may CREATE DATABASE) it
// uses that server. Otherwise it starts a throwaway cluster from
// /usr/lib/postgresql/*/bin (initdb + pg_ctl on a free loopback port in a
// temporary directory; as root, through `runuser -u postgres`), once per
// test binary, and stops it when the tests end. Without PostgreSQL installed
// the test fails, saying how to install it: it never skips.
//
// A package using it calls Main from its TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
)

var (
	mainCalled atomic.Bool
	once       sync.Once
	cl         *cluster
	clErr      error
	dbSeq      atomic.Int64
)

type cluster struct {
	admin  string // DSN of the admin database
	dir    string // "" when $ANCHANG_TEST_PG is used
	pgCtl  string
	asUser bool
}

// Main runs the tests and stops the cluster, if one was started.
func Main(m *testing.M) int {
	mainCalled.Store(true)
	code := m.Run()
	if cl != nil && cl.dir != "" {
		cl.stop()
	}
	return code
}

// DSN returns the DSN of a new, empty database for this test, dropped when
// the test ends.
func DSN(t testing.TB) string {
	t.Helper()
	if !mainCalled.Load() {
		t.Fatal("pgtest: call pgtest.Main from the package's TestMain")
	}
	once.Do(func() { cl, clErr = start() })
	if clErr != nil {
		t.Fatalf("pgtest: %v", clErr)
	}
	name := fmt.Sprintf("t%d_%d", os.Getpid(), dbSeq.Add(1))
	db, err := sql.Open("pgx", cl.admin)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := db.ExecContext(ctx, `CREATE DATABASE `+name); err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", cl.admin)
		if err != nil {
			return
		}
		defer db.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		db.ExecContext(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`)
	})
	u, _ := url.Parse(cl.admin)
	u.Path = "/" + name
	return u.String()
}

func start() (*cluster, error) {
	if dsn := os.Getenv("ANCHANG_TEST_PG"); dsn != "" {
		return &cluster{admin: dsn}, nil
	}
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(bins) == 0 {
		return nil, errors.New("PostgreSQL is not installed: run scripts/deps.sh (apt-get install postgresql), or set ANCHANG_TEST_PG to a DSN")
	}
	sort.Slice(bins, func(i, j int) bool { return version(bins[i]) > version(bins[j]) })
	bin := filepath.Dir(bins[0])
	c := &cluster{pgCtl: filepath.Join(bin, "pg_ctl"), asUser: os.Geteuid() == 0}
	dir, err := os.MkdirTemp("", "anchang-pg-")
	if err != nil {
		return nil, err
	}
	c.dir = dir
	pw := make([]byte, 12)
	rand.Read(pw)
	password := hex.EncodeToString(pw)
	pwfile := filepath.Join(dir, "pw")
	if err := os.WriteFile(pwfile, []byte(password+"\n"), 0o600); err != nil {
		return nil, err
	}
	data := filepath.Join(dir, "data")
	if c.asUser {
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, fmt.Errorf("running as root needs the postgres user (apt-get install postgresql): %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		for _, p := range []string{dir, pwfile} {
			if err := os.Chown(p, uid, gid); err != nil {
				return nil, err
			}
		}
	}
	if out, err := c.run(filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8",
		"--auth-local=trust", "--auth-host=scram-sha-256", "--pwfile="+pwfile, "--no-sync"); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("initdb: %v: %s", err, out)
	}
	// Test binaries run in parallel, each with its own cluster: a free port
	// may be taken between the probe and the start, so try a few.
	var port int
	for attempt := 0; ; attempt++ {
		if port, err = freePort(); err != nil {
			return nil, err
		}
		opts := fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %d -c unix_socket_directories=%s -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200", port, dir)
		out, err := c.run(c.pgCtl, "-D", data, "-o", opts, "-l", filepath.Join(dir, "log"), "-w", "-t", "60", "start")
		if err == nil {
			break
		}
		if attempt == 3 {
			log, _ := os.ReadFile(filepath.Join(dir, "log"))
			os.RemoveAll(dir)
			return nil, fmt.Errorf("pg_ctl start: %v: %s %s", err, out, log)
		}
		c.run(c.pgCtl, "-D", data, "-m", "immediate", "-w", "stop")
	}
	c.admin = (&url.URL{Scheme: "postgres", User: url.UserPassword("postgres", password),
		Host: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), Path: "/postgres", RawQuery: "sslmode=disable"}).String()
	return c, nil
}

func (c *cluster) run(name string, args ...string) ([]byte, error) {
	var cmd *exec.Cmd
	if c.asUser {
		cmd = exec.Command("runuser", append([]string{"-u", "postgres", "--", name}, args...)...)
	} else {
		cmd = exec.Command(name, args...)
	}
	cmd.Dir = c.dir
	return cmd.CombinedOutput()
}

func (c *cluster) stop() {
	c.run(c.pgCtl, "-D", filepath.Join(c.dir, "data"), "-m", "immediate", "-w", "stop")
	os.RemoveAll(c.dir)
}

func version(initdb string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(initdb))))
	return v
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
