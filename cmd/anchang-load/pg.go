package main

import (
	"context"
	"crypto/rand"
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
	"time"
)

// pgCluster is a throwaway PostgreSQL cluster started for one run (initdb +
// pg_ctl from /usr/lib/postgresql/*/bin, as the postgres user when run as
// root), with durable settings (fsync and synchronous_commit on: the
// figures are what a real HQ would see).
type pgCluster struct {
	dir    string
	pgCtl  string
	asUser bool
	admin  string // DSN of the postgres database
}

func startPG(ctx context.Context) (*pgCluster, error) {
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(bins) == 0 {
		return nil, errors.New("PostgreSQL is not installed (apt-get install postgresql), or pass --pg-dsn")
	}
	sort.Slice(bins, func(i, j int) bool { return pgVersion(bins[i]) > pgVersion(bins[j]) })
	bin := filepath.Dir(bins[0])
	c := &pgCluster{pgCtl: filepath.Join(bin, "pg_ctl"), asUser: os.Geteuid() == 0}
	dir, err := os.MkdirTemp("", "anchang-load-pg-")
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
	if c.asUser {
		u, err := user.Lookup("postgres")
		if err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("running as root needs the postgres user: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		for _, p := range []string{dir, pwfile} {
			if err := os.Chown(p, uid, gid); err != nil {
				os.RemoveAll(dir)
				return nil, err
			}
		}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	pgdata := filepath.Join(dir, "data")
	if out, err := c.run(ctx, filepath.Join(bin, "initdb"), "-D", pgdata, "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8",
		"--auth-local=trust", "--auth-host=scram-sha-256", "--pwfile="+pwfile, "--no-sync"); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("initdb: %v: %s", err, out)
	}
	opts := fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %d -c unix_socket_directories=%s -c max_connections=200 -c shared_buffers=128MB", port, dir)
	if out, err := c.run(ctx, c.pgCtl, "-D", pgdata, "-o", opts, "-l", filepath.Join(dir, "log"), "-w", "-t", "60", "start"); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "log"))
		os.RemoveAll(dir)
		return nil, fmt.Errorf("pg_ctl start: %v: %s %s", err, out, log)
	}
	c.admin = (&url.URL{Scheme: "postgres", User: url.UserPassword("postgres", password),
		Host: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), Path: "/postgres", RawQuery: "sslmode=disable"}).String()
	return c, nil
}

func (c *pgCluster) run(ctx context.Context, name string, args ...string) ([]byte, error) {
	var cmd *exec.Cmd
	if c.asUser {
		cmd = exec.CommandContext(ctx, "runuser", append([]string{"-u", "postgres", "--", name}, args...)...)
	} else {
		cmd = exec.CommandContext(ctx, name, args...)
	}
	cmd.Dir = c.dir
	return cmd.CombinedOutput()
}

func (c *pgCluster) stop() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c.run(ctx, c.pgCtl, "-D", filepath.Join(c.dir, "data"), "-m", "fast", "-w", "stop")
	os.RemoveAll(c.dir)
}

func pgVersion(initdb string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(initdb))))
	return v
}

// newDatabase creates an empty database with createdb (over the cluster's
// Unix socket, as postgres) and returns its DSN.
func (c *pgCluster) newDatabase(ctx context.Context, name string) (string, error) {
	u, err := url.Parse(c.admin)
	if err != nil {
		return "", err
	}
	out, err := c.run(ctx, filepath.Join(filepath.Dir(c.pgCtl), "createdb"), "-h", c.dir, "-p", u.Port(), "-U", "postgres", name)
	if err != nil {
		return "", fmt.Errorf("createdb %s: %v: %s", name, err, out)
	}
	u.Path = "/" + name
	return u.String(), nil
}
