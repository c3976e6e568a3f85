package hq

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"anchang/data"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	"github.com/jackc/pgxlisten"
	_ "modernc.org/sqlite" // database/sql driver "sqlite"
)

// Backend names.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// SQLStore is the Store on SQLite or PostgreSQL: the same SQL through
// database/sql, with ? placeholders rewritten for PostgreSQL.
type SQLStore struct {
	stmts map[string]*sql.Stmt // the hot statements on db (sqlstore_stmts.go)
	reads *readCache           // rdb with its fixed reads prepared (sqlstore_stmts.go)

	backend string
	dsn     string  // PostgreSQL DSN (for the listener's own connection)
	db      *sql.DB // writes (SQLite: one connection, BEGIN IMMEDIATE)
	rdb     *sql.DB // reads (SQLite: a pool; PostgreSQL: the same as db)

	// beforeCommit, in tests, runs at the end of every push transaction;
	// an error rolls it back.
	beforeCommit func(ctx context.Context) error

	hqOfficeID atomic.Pointer[string] // data.HQLocalOfficeID of hq_id, once read
}

// OpenSQLite opens (creating and migrating) HQ's SQLite database at path:
// WAL, synchronous=FULL, a busy timeout so the admin verbs can write while
// the server runs.
func OpenSQLite(ctx context.Context, path string) (*SQLStore, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("hq store: %w", err)
	}
	base := "file:" + (&url.URL{Path: abs}).EscapedPath() +
		"?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)"
	w, err := sql.Open("sqlite", base+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("hq store: %w", err)
	}
	w.SetMaxOpenConns(1)
	r, err := sql.Open("sqlite", base)
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("hq store: %w", err)
	}
	r.SetMaxOpenConns(32) // snapshots hold a reader each while they stream
	s := &SQLStore{backend: SQLite, db: w, rdb: r}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.prepare(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// OpenPostgres opens HQ's store on PostgreSQL, creating or migrating its
// schema under an advisory lock, so several replicas may start at once.
func OpenPostgres(ctx context.Context, dsn string) (*SQLStore, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("hq store: %w", err)
	}
	db.SetMaxOpenConns(32)
	db.SetMaxIdleConns(8)
	db.SetConnMaxIdleTime(5 * time.Minute)
	s := &SQLStore{backend: Postgres, dsn: dsn, db: db, rdb: db}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.prepare(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Backend is SQLite or Postgres.
func (s *SQLStore) Backend() string { return s.backend }

// Close closes the database.
func (s *SQLStore) Close() error {
	err := s.db.Close()
	if s.rdb != s.db {
		err = errors.Join(err, s.rdb.Close())
	}
	return err
}

// Ping checks the database answers.
func (s *SQLStore) Ping(ctx context.Context) error {
	var one int
	return s.rdb.QueryRowContext(ctx, `SELECT 1`).Scan(&one)
}

// q rewrites ? placeholders to $n on PostgreSQL. The SQL here never has a
// literal question mark.
func (s *SQLStore) q(query string) string {
	if s.backend != Postgres {
		return query
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}

// forUpdate is the row-lock suffix (SQLite's write transaction already holds
// the database's one write lock).
func (s *SQLStore) forUpdate() string {
	if s.backend == Postgres {
		return " FOR UPDATE"
	}
	return ""
}

// write runs fn in a write transaction, retrying PostgreSQL's serialization
// failures and deadlocks (which the lock order should make rare) and a push
// that raced another scope's push for a record id (errRetryPush).
func (s *SQLStore) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	for attempt := 0; ; attempt++ {
		tx, err := s.db.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("begin: %w", err)
		}
		err = fn(tx)
		if err == nil {
			err = tx.Commit()
		} else {
			tx.Rollback()
		}
		var pe *pgconn.PgError
		if err != nil && attempt < 3 && (errors.Is(err, errRetryPush) || errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")) {
			continue
		}
		return err
	}
}

const schemaVersion = 3

// schema is written for SQLite; pgType adapts the types for PostgreSQL.
var schema = []string{
	`CREATE TABLE IF NOT EXISTS hq_meta (k TEXT PRIMARY KEY, v TEXT NOT NULL)`,
	`CREATE TABLE IF NOT EXISTS hq_offices (
		id TEXT PRIMARY KEY, code TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
		created_at BIGINT NOT NULL, history_from TEXT NOT NULL DEFAULT '')`,
	`CREATE TABLE IF NOT EXISTS hq_devices (
		id TEXT PRIMARY KEY, office_id TEXT NOT NULL REFERENCES hq_offices(id),
		role TEXT NOT NULL, tag TEXT NOT NULL, name TEXT NOT NULL, secret_hash TEXT NOT NULL,
		install_epoch BIGINT NOT NULL, last_seq BIGINT NOT NULL DEFAULT 0,
		pending BIGINT NOT NULL DEFAULT -1, last_contact BIGINT NOT NULL DEFAULT 0,
		enrolled_at BIGINT NOT NULL, revoked_at BIGINT NOT NULL DEFAULT 0,
		UNIQUE (office_id, tag))`,
	`CREATE TABLE IF NOT EXISTS hq_device_seqs (
		device_id TEXT NOT NULL, install_epoch BIGINT NOT NULL, last_seq BIGINT NOT NULL,
		PRIMARY KEY (device_id, install_epoch))`,
	`CREATE TABLE IF NOT EXISTS hq_enroll_codes (
		code_hash TEXT PRIMARY KEY, office_id TEXT NOT NULL, role TEXT NOT NULL,
		created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL,
		used_at BIGINT NOT NULL DEFAULT 0, used_by TEXT NOT NULL DEFAULT '')`,
	`CREATE TABLE IF NOT EXISTS hq_scopes (
		scope TEXT PRIMARY KEY, head BIGINT NOT NULL DEFAULT 0, horizon BIGINT NOT NULL DEFAULT 0)`,
	`CREATE TABLE IF NOT EXISTS hq_changes (
		scope TEXT NOT NULL, seq BIGINT NOT NULL, entity TEXT NOT NULL, record_id TEXT NOT NULL,
		name TEXT NOT NULL, version INTEGER NOT NULL, payload TEXT NOT NULL,
		deleted INTEGER NOT NULL DEFAULT 0, origin_device TEXT NOT NULL,
		origin_epoch BIGINT NOT NULL, origin_seq BIGINT NOT NULL, hash TEXT NOT NULL, at BIGINT NOT NULL,
		PRIMARY KEY (scope, seq))`,
	`CREATE INDEX IF NOT EXISTS hq_changes_at ON hq_changes (at)`,
	`CREATE TABLE IF NOT EXISTS hq_records (
		entity TEXT NOT NULL, record_id TEXT NOT NULL, scope TEXT NOT NULL, seq BIGINT NOT NULL,
		snap_rank INTEGER NOT NULL, name TEXT NOT NULL, version INTEGER NOT NULL, payload TEXT NOT NULL,
		deleted INTEGER NOT NULL DEFAULT 0, origin_device TEXT NOT NULL, origin_seq BIGINT NOT NULL,
		PRIMARY KEY (entity, record_id))`,
	`CREATE INDEX IF NOT EXISTS hq_records_snapshot ON hq_records (scope, snap_rank, seq)`,
	`CREATE TABLE IF NOT EXISTS hq_receipts (
		device_id TEXT NOT NULL, install_epoch BIGINT NOT NULL, seq BIGINT NOT NULL,
		hash TEXT NOT NULL, status TEXT NOT NULL, scope TEXT NOT NULL DEFAULT '', scope_seq BIGINT NOT NULL DEFAULT 0,
		PRIMARY KEY (device_id, install_epoch, seq))`,
	`CREATE TABLE IF NOT EXISTS hq_rejections (
		device_id TEXT NOT NULL, install_epoch BIGINT NOT NULL, seq BIGINT NOT NULL,
		office_id TEXT NOT NULL, name TEXT NOT NULL, version INTEGER NOT NULL,
		code TEXT NOT NULL, err_key TEXT NOT NULL, args TEXT NOT NULL, at BIGINT NOT NULL,
		PRIMARY KEY (device_id, install_epoch, seq))`,
	`CREATE INDEX IF NOT EXISTS hq_rejections_office ON hq_rejections (office_id, at)`,
	`CREATE TABLE IF NOT EXISTS hq_blobs (
		sha256 TEXT PRIMARY KEY, size BIGINT NOT NULL, received BIGINT NOT NULL,
		complete INTEGER NOT NULL DEFAULT 0, created_at BIGINT NOT NULL)`,
	`CREATE TABLE IF NOT EXISTS hq_blob_chunks (
		sha256 TEXT NOT NULL, off BIGINT NOT NULL, data BLOB NOT NULL, PRIMARY KEY (sha256, off))`,
	`CREATE TABLE IF NOT EXISTS hq_keys (id INTEGER PRIMARY KEY, secret TEXT NOT NULL, created_at BIGINT NOT NULL)`,
}

func (s *SQLStore) pgType(stmt string) string {
	if s.backend != Postgres {
		return stmt
	}
	return strings.ReplaceAll(stmt, " BLOB ", " BYTEA ")
}

// migrateLock is the advisory lock key replicas take while migrating.
const migrateLock = 0x616e6368 // "anch"

func (s *SQLStore) migrate(ctx context.Context) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("hq store: %w", err)
	}
	defer conn.Close()
	if s.backend == Postgres {
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, migrateLock); err != nil {
			return fmt.Errorf("hq store: migration lock: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, migrateLock)
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("hq store: %w", err)
	}
	defer tx.Rollback()
	var have int
	if _, err := tx.ExecContext(ctx, schema[0]); err != nil {
		return fmt.Errorf("hq store: migrate: %w", err)
	}
	var v string
	switch err := tx.QueryRowContext(ctx, s.q(`SELECT v FROM hq_meta WHERE k = 'schema'`)).Scan(&v); {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return fmt.Errorf("hq store: migrate: %w", err)
	default:
		have, _ = strconv.Atoi(v)
	}
	if have > schemaVersion {
		return fmt.Errorf("hq store: the database has schema %d, newer than this HQ (%d): update HQ", have, schemaVersion)
	}
	if have < 1 {
		for _, stmt := range schema[1:] {
			if _, err := tx.ExecContext(ctx, s.pgType(stmt)); err != nil {
				return fmt.Errorf("hq store: migrate: %w", err)
			}
		}
	}
	if have < 2 {
		// 2: the tip of the change at the horizon, so a cursor there can
		// still be checked after its row was purged.
		if _, err := tx.ExecContext(ctx, `ALTER TABLE hq_scopes ADD COLUMN horizon_tip TEXT NOT NULL DEFAULT ''`); err != nil {
			return fmt.Errorf("hq store: migrate: %w", err)
		}
	}
	if have < 3 {
		// 3: where a standalone office's device's own history ends, so its
		// HQ-owned mutations up to there go to its office's scope.
		for _, stmt := range []string{
			`ALTER TABLE hq_devices ADD COLUMN history_epoch BIGINT NOT NULL DEFAULT 0`,
			`ALTER TABLE hq_devices ADD COLUMN history_upto BIGINT NOT NULL DEFAULT 0`,
		} {
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("hq store: migrate: %w", err)
			}
		}
	}
	now := time.Now().UnixMilli()
	key := make([]byte, 32)
	rand.Read(key)
	for _, st := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO hq_meta (k, v) VALUES ('schema', ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v`, []any{strconv.Itoa(schemaVersion)}},
		{`INSERT INTO hq_meta (k, v) VALUES ('hq_id', ?) ON CONFLICT (k) DO NOTHING`, []any{uuid.Must(uuid.NewV7()).String()}},
		{`INSERT INTO hq_keys (id, secret, created_at) VALUES (1, ?, ?) ON CONFLICT (id) DO NOTHING`, []any{base64.RawURLEncoding.EncodeToString(key), now}},
		{`INSERT INTO hq_offices (id, code, name, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`, []any{HQOfficeID, HQOfficeCode, "HQ", now}},
		{`INSERT INTO hq_scopes (scope, head, horizon) VALUES ('global', 0, 0) ON CONFLICT (scope) DO NOTHING`, nil},
	} {
		if _, err := tx.ExecContext(ctx, s.q(st.sql), st.args...); err != nil {
			return fmt.Errorf("hq store: migrate: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("hq store: migrate: %w", err)
	}
	return nil
}

// HQID is this HQ installation's id.
// hqOffice is the local office id every HQ device keeps: its office-owned
// records (its staff) go to the scope "hq".
func (s *SQLStore) hqOffice(ctx context.Context) (string, error) {
	if p := s.hqOfficeID.Load(); p != nil {
		return *p, nil
	}
	id, err := s.HQID(ctx)
	if err != nil {
		return "", err
	}
	o := data.HQLocalOfficeID(id)
	s.hqOfficeID.Store(&o)
	return o, nil
}

func (s *SQLStore) HQID(ctx context.Context) (string, error) {
	var id string
	if err := s.rdb.QueryRowContext(ctx, `SELECT v FROM hq_meta WHERE k = 'hq_id'`).Scan(&id); err != nil {
		return "", fmt.Errorf("hq id: %w", err)
	}
	return id, nil
}

// SigningKey is the token signing key every replica shares.
func (s *SQLStore) SigningKey(ctx context.Context) ([]byte, error) {
	var k string
	if err := s.rdb.QueryRowContext(ctx, `SELECT secret FROM hq_keys WHERE id = 1`).Scan(&k); err != nil {
		return nil, fmt.Errorf("signing key: %w", err)
	}
	b, err := base64.RawURLEncoding.DecodeString(k)
	if err != nil {
		return nil, fmt.Errorf("signing key: %w", err)
	}
	return b, nil
}

// notifyChannel is the PostgreSQL channel a push notifies with its scope.
const notifyChannel = "anchang_hq"

// Listen calls wake with the scope of every change any replica commits
// (PostgreSQL NOTIFY, sent inside the writing transaction so it arrives only
// on commit), and with "" after each (re)connect, since a notification may
// have been missed meanwhile. It returns when ctx ends. On SQLite there are
// no other replicas: it waits for ctx.
func (s *SQLStore) Listen(ctx context.Context, wake func(scope string)) error {
	if s.backend != Postgres {
		<-ctx.Done()
		return nil
	}
	l := &pgxlisten.Listener{
		Connect:        func(ctx context.Context) (*pgx.Conn, error) { return pgx.Connect(ctx, s.dsn) },
		ReconnectDelay: time.Second,
	}
	l.Handle(notifyChannel, listenHandler{wake})
	err := l.Listen(ctx)
	if ctx.Err() != nil {
		return nil
	}
	return err
}

type listenHandler struct{ wake func(string) }

func (h listenHandler) HandleNotification(_ context.Context, n *pgconn.Notification, _ *pgx.Conn) error {
	h.wake(n.Payload)
	return nil
}

func (h listenHandler) HandleBacklog(context.Context, string, *pgx.Conn) error {
	h.wake("")
	return nil
}
