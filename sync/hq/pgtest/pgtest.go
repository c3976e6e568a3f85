// Package pgtest gives tests a fresh database on a real PostgreSQL server,
// and starts throwaway PostgreSQL clusters (Start, for tests and for
// cmd/anchang-load).
//
// With $ANCHANG_TEST_PG set (a DSN of a role that may CREATE DATABASE) DSN
// uses that server. Otherwise it starts a throwaway cluster (Start, fsync
// off), once per test binary, and Main stops it when the tests end. Without
// PostgreSQL installed the test fails, saying how to install it: it never
// skips.
//
// A package using it calls Main from its TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
//
// The package does not import testing (TB and M are the parts of
// testing.TB and *testing.M it uses), so a program may use Start without
// linking the testing package.
package pgtest

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// TB is the part of testing.TB that DSN uses.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
	Cleanup(func())
}

// M is the part of *testing.M that Main uses.
type M interface{ Run() int }

var (
	mainCalled atomic.Bool
	once       sync.Once
	admin      string   // DSN of the admin database
	cl         *Cluster // nil when $ANCHANG_TEST_PG is used
	clErr      error
	dbSeq      atomic.Int64
)

// Main runs the tests and stops the cluster, if one was started.
func Main(m M) int {
	mainCalled.Store(true)
	code := m.Run()
	if cl != nil {
		cl.Stop()
	}
	return code
}

// DSN returns the DSN of a new, empty database for this test, dropped when
// the test ends.
func DSN(t TB) string {
	t.Helper()
	if !mainCalled.Load() {
		t.Fatalf("pgtest: call pgtest.Main from the package's TestMain")
	}
	once.Do(func() {
		if dsn := os.Getenv("ANCHANG_TEST_PG"); dsn != "" {
			admin = dsn
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		cl, clErr = Start(ctx, Options{})
		if clErr == ErrNotInstalled {
			clErr = fmt.Errorf("%w, or set ANCHANG_TEST_PG to a DSN", clErr)
		}
		if cl != nil {
			admin = cl.AdminDSN()
		}
	})
	if clErr != nil {
		t.Fatalf("pgtest: %v", clErr)
	}
	name := fmt.Sprintf("t%d_%d", os.Getpid(), dbSeq.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	dsn, err := createDatabase(ctx, admin, name)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", admin)
		if err != nil {
			return
		}
		defer db.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		db.ExecContext(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`)
	})
	return dsn
}
