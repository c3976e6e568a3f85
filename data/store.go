// Package data holds the domain types, their validation and the local SQLite
// store. It is the only package that speaks SQL.
package data

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"
	_ "time/tzdata" // offices keep their own time zone on any OS

	"github.com/google/uuid"
	_ "modernc.org/sqlite"
)

// DBFileName is the name of the local database inside the data directory.
const DBFileName = "anchang.db"

// Store is the local database of one device.
type Store struct {
	db       *sql.DB
	path     string
	readOnly bool        // OpenReadOnly
	damaged  atomic.Bool // an integrity check failed: no more writes
	demo     atomic.Bool // a demo office's database (CreateDemo)

	// Now is the clock; tests replace it.
	Now func() time.Time

	stmtMu sync.Mutex
	stmts  map[string]*sql.Stmt // prepared statements by query
	closed bool

	mu     sync.RWMutex
	device *Device // nil until setup is done
	office *Office
	loc    *time.Location

	faq faqCache // the in-memory FAQ search index

	pins pinKeys // the office PIN key (pinkey.go), from the key file

	// deskWaiting counts the writes waiting for the write lock in tx: an
	// import lets them go first between its chunks (import_staged.go).
	deskWaiting atomic.Int32
	// importHook, when set (tests), is called at each stage of an import.
	importHook func(stage string, n int)
	importMu   sync.Mutex
	importing  map[string]bool // the imports this Store is writing
	lastImport importStats

	// deriveBatch, when set (tests), replaces maxPendingDerivations.
	deriveBatch int

	listenMu     sync.Mutex
	listeners    map[int]func() // OnChange
	writers      map[int]func() // OnLocalWrite
	subscribers  map[int]func(Change)
	nextListener int
}

// DSN returns the connection string for the database at path (any path: it
// is escaped as a file: URI): every pooled connection gets WAL,
// synchronous=FULL, foreign keys and a busy timeout, and write transactions
// begin IMMEDIATE so read-then-write never deadlocks.
func DSN(path string) string { return dsn(path, false) }

var timeNow = time.Now

// Open opens (creating if needed) the store in dir and brings its schema up to
// date. A database written by a newer version is refused with ESCHEMA; a
// damaged one (quick_check at start, see CheckIntegrity) with EDAMAGED; a
// full, read-only or unreadable disk with ESTORAGE. The database and its
// WAL are the owner's only (0600), the directory 0700 when Open makes it.
func Open(ctx context.Context, dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, storageErr(fmt.Errorf("create data dir: %w", err), dir)
	}
	path := filepath.Join(dir, DBFileName)
	if err := ownerOnly(path); err != nil {
		return nil, storageErr(err, dir)
	}
	db, err := sql.Open("sqlite", DSN(path))
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	db.SetMaxOpenConns(4)
	db.SetConnMaxIdleTime(5 * time.Minute)
	s := &Store{db: db, path: path, Now: timeNow, pins: pinKeys{dir: dir}}
	fail := func(err error) (*Store, error) {
		db.Close()
		return nil, openErr(err, dir)
	}
	if err := s.pins.load(); err != nil {
		db.Close()
		return nil, err
	}
	if err := retryBusy(ctx, func() error { return s.startCheck(ctx) }); err != nil {
		return fail(err)
	}
	if err := retryBusy(ctx, func() error { return migrate(ctx, db, migrations) }); err != nil {
		return fail(err)
	}
	if err := s.reencodeOutbox(ctx); err != nil {
		return fail(err)
	}
	if err := s.loadDevice(ctx); err != nil {
		return fail(err)
	}
	if err := s.loadDemoMark(ctx); err != nil {
		return fail(err)
	}
	if err := s.resealVerifiers(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open: %w", err)
	}
	if err := s.moveOfficeHours(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open: %w", err)
	}
	return s, nil
}

// Close closes the prepared statements and the database.
func (s *Store) Close() error {
	s.stmtMu.Lock()
	for _, st := range s.stmts {
		st.Close()
	}
	s.stmts = nil
	s.closed = true
	s.stmtMu.Unlock()
	return s.db.Close()
}

// Path is the database file.
func (s *Store) Path() string { return s.path }

func newID() string { return uuid.Must(uuid.NewV7()).String() }

func (s *Store) now() time.Time { return s.Now() }

// Time is the store's clock now (Now). The desk takes its time from here,
// and its time zone from Location, so a screen and the records it shows
// agree on what "now" and "today" are.
func (s *Store) Time() time.Time { return s.Now() }

// ms converts a time to the stored form: Unix milliseconds.
func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v int64) time.Time { return time.UnixMilli(v) }

func nullMS(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return fromMS(v.Int64)
}

// tx runs fn in one write transaction (BEGIN IMMEDIATE by the DSN).
// A full or read-only disk and a damaged database come back as coded
// errors (see storageErr); after damage is found nothing more is written.
func (s *Store) tx(ctx context.Context, fn func(*txn) error) error {
	if err := s.writable(); err != nil {
		return err
	}
	s.deskWaiting.Add(1)
	tx, err := s.db.BeginTx(ctx, nil)
	s.deskWaiting.Add(-1)
	if err != nil {
		return s.failed(fmt.Errorf("begin: %w", err))
	}
	return s.runTx(ctx, tx, fn)
}

// bulkCacheKiB is the page cache of a bulk transaction's connection (a
// snapshot's): the pages it writes stay in memory instead of spilling to
// the WAL before the commit and being read back from it. SQLite's default
// is 2,000 KiB.
const bulkCacheKiB = 16 << 10

// bulkTx is tx for a transaction that writes a great many rows (a
// snapshot). It runs on a connection of its own which, while it runs, has
// a page cache of bulkCacheKiB and keeps its temporary files — the
// journals of its savepoints — in memory (temp_store: otherwise the
// journal moves to a file once it passes 64 KiB, and every statement of
// the transaction writes to it); the connection's settings are restored
// after, or it is closed.
func (s *Store) bulkTx(ctx context.Context, fn func(*txn) error) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer conn.Close()
	var cache, temp int64
	if err := conn.QueryRowContext(ctx, `PRAGMA cache_size`).Scan(&cache); err != nil {
		return fmt.Errorf("begin: cache size: %w", err)
	}
	if err := conn.QueryRowContext(ctx, `PRAGMA temp_store`).Scan(&temp); err != nil {
		return fmt.Errorf("begin: temp store: %w", err)
	}
	defer func() {
		_, err := conn.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf(`PRAGMA cache_size = %d`, cache))
		if err == nil {
			_, err = conn.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf(`PRAGMA temp_store = %d`, temp))
		}
		if err != nil {
			// Not back to the pool with the bulk settings: closed instead.
			conn.Raw(func(any) error { return driver.ErrBadConn })
		}
	}()
	for _, q := range []string{fmt.Sprintf(`PRAGMA cache_size = %d`, -bulkCacheKiB), `PRAGMA temp_store = MEMORY`} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("begin: %s: %w", q, err)
		}
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	return s.runTx(ctx, tx, fn)
}

// runTx runs fn in tx and commits it, or rolls it back if fn fails.
func (s *Store) runTx(ctx context.Context, tx *sql.Tx, fn func(*txn) error) error {
	t := &txn{Tx: tx, s: s}
	defer func() { s.prepareMissed(context.WithoutCancel(ctx), t.missed) }()
	if err := fn(t); err != nil {
		tx.Rollback()
		return s.failed(err)
	}
	if err := tx.Commit(); err != nil {
		return s.failed(fmt.Errorf("commit: %w", err))
	}
	if t.outbox {
		s.wrote()
	}
	if len(t.kinds) > 0 {
		c := Change{Kinds: kindsOf(t.kinds)}
		if c.Touches("office") {
			// The subscribers read the office from memory (Device).
			if err := s.loadDevice(context.WithoutCancel(ctx)); err != nil {
				slog.Warn("reload device after office change", "err", err)
			}
		}
		s.changed(c)
	}
	return nil
}

// txn is a write transaction whose statements come from the store's cache
// of prepared statements: a check-in runs about twenty statements, and
// parsing their SQL each time cost more than the commit's fsync. A query
// not in the cache yet runs unprepared and is prepared after the
// transaction ends: preparing it on the pool during the transaction could
// wait for a connection that is itself waiting for this transaction's lock.
type txn struct {
	*sql.Tx
	s      *Store
	missed []string
	// local are the statements bound to this transaction: the store's
	// cached ones it ran, and the queries not in the store's cache,
	// prepared on this transaction's own connection the second time they
	// run in it (a page of pulled changes or a snapshot runs a few queries
	// many times).
	local map[string]*sql.Stmt
	// outbox is set when the transaction appended an outbox row: its
	// commit tells the OnLocalWrite listeners.
	outbox bool
	// importID is set in a chunk of an import (import_staged.go): its
	// outbox rows carry it, and derive collects the re-derivations its
	// records ask for, which run at the import's end instead.
	importID string
	derive   *derivations
	// kinds are the kinds of record its mutations wrote (Subscribe).
	kinds []string
}

// stmt returns the cached statement bound to this transaction, or nil.
func (t *txn) stmt(ctx context.Context, query string) *sql.Stmt {
	if st := t.local[query]; st != nil {
		return st
	}
	t.s.stmtMu.Lock()
	st := t.s.stmts[query]
	t.s.stmtMu.Unlock()
	if st != nil {
		// Bound to this transaction once: every Tx.StmtContext call adds a
		// statement the transaction keeps until it ends.
		if t.local == nil {
			t.local = map[string]*sql.Stmt{}
		}
		ts := t.Tx.StmtContext(ctx, st)
		t.local[query] = ts
		return ts
	}
	if st, ok := t.local[query]; ok {
		if st == nil { // second run: prepare it here
			p, err := t.Tx.PrepareContext(ctx, query)
			if err != nil {
				return nil
			}
			t.local[query] = p
			return p
		}
		return st
	}
	if t.local == nil {
		t.local = map[string]*sql.Stmt{}
	}
	t.local[query] = nil
	t.missed = append(t.missed, query)
	return nil
}

func (t *txn) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := t.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return t.Tx.ExecContext(ctx, query, args...)
}

func (t *txn) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := t.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return t.Tx.QueryContext(ctx, query, args...)
}

func (t *txn) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := t.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return t.Tx.QueryRowContext(ctx, query, args...)
}

// prepareMissed prepares, outside any transaction, the queries a
// transaction ran unprepared. A query that fails to prepare is left out.
func (s *Store) prepareMissed(ctx context.Context, queries []string) {
	for _, q := range queries {
		s.stmtMu.Lock()
		_, ok := s.stmts[q]
		s.stmtMu.Unlock()
		if ok {
			continue
		}
		st, err := s.db.PrepareContext(ctx, q)
		if err != nil {
			continue
		}
		s.stmtMu.Lock()
		switch {
		case s.closed || s.stmts[q] != nil:
			st.Close() // closed store, or prepared meanwhile
		default:
			if s.stmts == nil {
				s.stmts = map[string]*sql.Stmt{}
			}
			s.stmts[q] = st
		}
		s.stmtMu.Unlock()
	}
}

// stamp is what every record carries.
type stamp struct {
	id, office, device string
	at                 int64
}

func (s *Store) stamp() (stamp, error) {
	d, _, err := s.ids()
	if err != nil {
		return stamp{}, err
	}
	return stamp{id: newID(), office: d.OfficeID, device: d.ID, at: ms(s.now())}, nil
}

func (s *Store) ids() (*Device, *Office, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.device == nil {
		return nil, nil, &Error{Code: ENOTSETUP, Key: "err.not_setup"}
	}
	return s.device, s.office, nil
}

// Location is the office's time zone (Asia/Shanghai until setup says otherwise).
func (s *Store) Location() *time.Location {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.loc != nil {
		return s.loc
	}
	return shanghai
}

var shanghai = mustLoc("Asia/Shanghai")

// DefaultLocation is an office's time zone until setup says otherwise
// (Asia/Shanghai).
func DefaultLocation() *time.Location { return shanghai }

func mustLoc(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

// Day is the office-local calendar date of t, as YYYY-MM-DD.
func (s *Store) Day(t time.Time) string { return t.In(s.Location()).Format(time.DateOnly) }

var errNoRows = sql.ErrNoRows

func isNoRows(err error) bool { return errors.Is(err, errNoRows) }

// newIDAt makes a UUIDv7 whose time part is t, for records born in the past
// (demo data). Ids made now use newID.
func newIDAt(t time.Time) string {
	u := uuid.Must(uuid.NewV7())
	ms := uint64(t.UnixMilli())
	for i := 0; i < 6; i++ {
		u[i] = byte(ms >> (40 - 8*i))
	}
	return u.String()
}

// countable are the tables CountRows may count.
var countable = map[string]bool{"visits": true, "visitors": true, "visit_events": true, "rotation_events": true, "staff": true, "outbox": true, "sources": true, "faq_entries": true, "faq_versions": true, "faq_status_events": true, "tickets": true, "ticket_events": true, "sla_policies": true, "holiday_imports": true, "care_revisits": true, "care_revisit_results": true, "inspections": true, "inspection_results": true}

// CountRows counts the rows of one of the store's tables (for status
// displays and tests).
func (s *Store) CountRows(ctx context.Context, table string) (int, error) {
	if !countable[table] {
		return 0, fmt.Errorf("count rows: table %q not countable", table)
	}
	var n int
	if err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM "+table).Scan(&n); err != nil {
		return 0, fmt.Errorf("count %s: %w", table, err)
	}
	return n, nil
}

// anyRole lets every active staff member act.
func anyRole(Role) bool { return true }

// actorTx runs fn in one write transaction after checking that the acting
// staff member is active and allowed; st stamps the records fn writes.
func (s *Store) actorTx(ctx context.Context, actorID string, allowed func(Role) bool, fn func(tx *txn, st stamp) error) error {
	st, err := s.stamp()
	if err != nil {
		return err
	}
	return s.tx(ctx, func(tx *txn) error {
		if _, err := requireActor(ctx, tx, actorID, allowed); err != nil {
			return err
		}
		return fn(tx, st)
	})
}
