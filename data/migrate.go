package data

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migration is one numbered schema step.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations are the embedded NNNN_name.sql files in order; the version of a
// database is the number of the last one applied (PRAGMA user_version).
var migrations = mustLoadMigrations(migrationFS)

// SchemaVersion is the schema this binary writes.
var SchemaVersion = len(migrations)

func mustLoadMigrations(fsys fs.FS) []migration {
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		panic(err)
	}
	sort.Strings(names)
	var out []migration
	for i, n := range names {
		base := path.Base(n)
		num, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil || num != i+1 {
			panic(fmt.Sprintf("migration %s: want number %04d", base, i+1))
		}
		b, err := fs.ReadFile(fsys, n)
		if err != nil {
			panic(err)
		}
		out = append(out, migration{version: num, name: base, sql: string(b)})
	}
	return out
}

func userVersion(ctx context.Context, db *sql.DB) (int, error) {
	var v int
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return v, nil
}

// migrate applies the pending migrations, each in its own transaction that
// also records its number in PRAGMA user_version. The version is read again
// inside each write transaction (BEGIN IMMEDIATE), so two processes opening a
// new database at once apply each step once: the second waits, then finds it
// done. An up-to-date database is not written to at all.
func migrate(ctx context.Context, db *sql.DB, ms []migration) error {
	cur, err := userVersion(ctx, db)
	if err != nil {
		return err
	}
	for {
		if cur > len(ms) {
			return &Error{Code: ESCHEMA, Key: "err.db.newer",
				Args: map[string]any{"Found": cur, "Supported": len(ms)},
				Err:  fmt.Errorf("database schema %d is newer than this program's %d", cur, len(ms))}
		}
		if cur == len(ms) {
			return nil
		}
		if cur, err = migrateStep(ctx, db, ms); err != nil {
			return err
		}
	}
}

// migrateStep applies the next migration, if any is still pending once the
// write lock is held, and returns the version it leaves.
func migrateStep(ctx context.Context, db *sql.DB, ms []migration) (int, error) {
	tx, err := db.BeginTx(ctx, nil) // IMMEDIATE, by the DSN
	if err != nil {
		return 0, fmt.Errorf("migrate: %w", err)
	}
	defer tx.Rollback()
	var cur int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&cur); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	if cur >= len(ms) {
		return cur, nil
	}
	m := ms[cur]
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return 0, fmt.Errorf("migration %s: %w", m.name, err)
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", m.version)); err != nil {
		return 0, fmt.Errorf("migration %s: %w", m.name, err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("migration %s: %w", m.name, err)
	}
	return m.version, nil
}
