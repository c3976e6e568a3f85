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
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
)

// Cluster is a throwaway PostgreSQL cluster: initdb and pg_ctl from the
// newest /usr/lib/postgresql/*/bin, in a temporary directory, on a free
// loopback port, run as the postgres user (`runuser`) when this process is
// root. Stop removes it. The tests (DSN) and cmd/anchang-load start theirs
// with Start.
type Cluster struct {
	admin  string // DSN of the postgres database, as the postgres role
	dir    string
	pgCtl  string
	asUser bool
}

// Options of a cluster.
type Options struct {
	// Durable keeps fsync, synchronous_commit and full_page_writes on, as a
	// real server runs (the load tool's figures); off, the cluster is
	// faster and loses its data on a crash (tests).
	Durable bool
	// Settings are more server settings, each "name=value" (e.g.
	// "shared_buffers=128MB").
	Settings []string
}

// ErrNotInstalled: no PostgreSQL server binaries are installed.
var ErrNotInstalled = errors.New("PostgreSQL is not installed: run scripts/deps.sh (apt-get install postgresql)")

// Start initialises and starts a cluster. Parallel processes each start
// their own: a free port taken between the probe and the start is retried.
func Start(ctx context.Context, o Options) (*Cluster, error) {
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(bins) == 0 {
		return nil, ErrNotInstalled
	}
	sort.Slice(bins, func(i, j int) bool { return version(bins[i]) > version(bins[j]) })
	bin := filepath.Dir(bins[0])
	c := &Cluster{pgCtl: filepath.Join(bin, "pg_ctl"), asUser: os.Geteuid() == 0}
	dir, err := os.MkdirTemp("", "anchang-pg-")
	if err != nil {
		return nil, err
	}
	c.dir = dir
	fail := func(err error) (*Cluster, error) {
		os.RemoveAll(dir)
		return nil, err
	}
	pw := make([]byte, 12)
	rand.Read(pw)
	password := hex.EncodeToString(pw)
	pwfile := filepath.Join(dir, "pw")
	if err := os.WriteFile(pwfile, []byte(password+"\n"), 0o600); err != nil {
		return fail(err)
	}
	if c.asUser {
		u, err := user.Lookup("postgres")
		if err != nil {
			return fail(fmt.Errorf("running as root needs the postgres user (apt-get install postgresql): %w", err))
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		for _, p := range []string{dir, pwfile} {
			if err := os.Chown(p, uid, gid); err != nil {
				return fail(err)
			}
		}
	}
	data := filepath.Join(dir, "data")
	if out, err := c.run(ctx, filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8",
		"--auth-local=trust", "--auth-host=scram-sha-256", "--pwfile="+pwfile, "--no-sync"); err != nil {
		return fail(fmt.Errorf("initdb: %v: %s", err, out))
	}
	settings := []string{"max_connections=200"}
	if !o.Durable {
		settings = append(settings, "fsync=off", "synchronous_commit=off", "full_page_writes=off")
	}
	settings = append(settings, o.Settings...)
	var port int
	for attempt := 0; ; attempt++ {
		if port, err = freePort(); err != nil {
			return fail(err)
		}
		opts := fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %d -c unix_socket_directories=%s", port, dir)
		for _, s := range settings {
			opts += " -c " + s
		}
		out, err := c.run(ctx, c.pgCtl, "-D", data, "-o", opts, "-l", filepath.Join(dir, "log"), "-w", "-t", "60", "start")
		if err == nil {
			break
		}
		if attempt == 3 || ctx.Err() != nil {
			log, _ := os.ReadFile(filepath.Join(dir, "log"))
			return fail(fmt.Errorf("pg_ctl start: %v: %s %s", err, out, log))
		}
		c.run(context.WithoutCancel(ctx), c.pgCtl, "-D", data, "-m", "immediate", "-w", "stop")
	}
	c.admin = (&url.URL{Scheme: "postgres", User: url.UserPassword("postgres", password),
		Host: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), Path: "/postgres", RawQuery: "sslmode=disable"}).String()
	return c, nil
}

// Attach uses an existing server instead of starting one: admin is the DSN
// of a role that may create databases. Stop leaves that server running.
func Attach(admin string) *Cluster { return &Cluster{admin: admin} }

// AdminDSN is the DSN of the cluster's postgres database as the superuser.
func (c *Cluster) AdminDSN() string { return c.admin }

// CreateDatabase creates an empty database (name: lower-case letters,
// digits and _) and returns its DSN.
func (c *Cluster) CreateDatabase(ctx context.Context, name string) (string, error) {
	return createDatabase(ctx, c.admin, name)
}

// DropDatabase drops a database CreateDatabase made, closing its sessions.
func (c *Cluster) DropDatabase(ctx context.Context, name string) error {
	db, err := sql.Open("pgx", c.admin)
	if err != nil {
		return err
	}
	defer db.Close()
	if strings.Trim(name, "abcdefghijklmnopqrstuvwxyz0123456789_") != "" {
		return fmt.Errorf("database name %q: lower-case letters, digits and _ only", name)
	}
	if _, err := db.ExecContext(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
		return fmt.Errorf("drop database %s: %w", name, err)
	}
	return nil
}

// Stop stops the cluster and removes its directory.
func (c *Cluster) Stop() {
	if c.dir == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c.run(ctx, c.pgCtl, "-D", filepath.Join(c.dir, "data"), "-m", "immediate", "-w", "stop")
	os.RemoveAll(c.dir)
}

func (c *Cluster) run(ctx context.Context, name string, args ...string) ([]byte, error) {
	var cmd *exec.Cmd
	if c.asUser {
		cmd = exec.CommandContext(ctx, "runuser", append([]string{"-u", "postgres", "--", name}, args...)...)
	} else {
		cmd = exec.CommandContext(ctx, name, args...)
	}
	cmd.Dir = c.dir
	return cmd.CombinedOutput()
}

// createDatabase creates database name on the server of admin (a role that
// may CREATE DATABASE) and returns its DSN.
func createDatabase(ctx context.Context, admin, name string) (string, error) {
	if name == "" || strings.Trim(name, "abcdefghijklmnopqrstuvwxyz0123456789_") != "" {
		return "", fmt.Errorf("database name %q: lower-case letters, digits and _ only", name)
	}
	db, err := sql.Open("pgx", admin)
	if err != nil {
		return "", err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `CREATE DATABASE `+name); err != nil {
		return "", fmt.Errorf("create database %s: %w", name, err)
	}
	u, err := url.Parse(admin)
	if err != nil {
		return "", err
	}
	u.Path = "/" + name
	return u.String(), nil
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

// PID is the cluster's postmaster's process id (0 if unknown): its CPU time
// and its children's are the server's (cmd/anchang-load).
func (c *Cluster) PID() int {
	b, err := os.ReadFile(filepath.Join(c.dir, "data", "postmaster.pid"))
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	pid, _ := strconv.Atoi(strings.TrimSpace(line))
	return pid
}
