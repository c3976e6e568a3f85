package hq

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
)

// The statements HQ's own changes (AppendHQ) run, prepared once per
// connection instead of parsed on every call. modernc's SQLite parses each
// statement it is handed anew, and for these small writes parsing cost more
// than running them (the load tool's CPU profile of HQ on SQLite once had
// 37% of HQ's CPU in sqlite3_prepare). A push writes its rows with
// multi-row statements instead (rows, sqlstore_push.go).
const (
	sqlPutRecord = `INSERT INTO hq_records (entity, record_id, scope, seq, snap_rank, name, version, payload, deleted, origin_device, origin_seq)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)
		ON CONFLICT (entity, record_id) DO UPDATE SET seq = excluded.seq, snap_rank = excluded.snap_rank, name = excluded.name,
			version = excluded.version, payload = excluded.payload, deleted = excluded.deleted,
			origin_device = excluded.origin_device, origin_seq = excluded.origin_seq
		WHERE hq_records.scope = excluded.scope`
	sqlPutChange = `INSERT INTO hq_changes (scope, seq, entity, record_id, name, version, payload, deleted, origin_device, origin_epoch, origin_seq, hash, at)
		VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?)`
)

var hotStatements = []string{sqlPutRecord, sqlPutChange}

// prepare prepares the hot statements on the write pool, after migrating
// and before any transaction (SQLite's write pool has one connection, which
// a transaction holds). database/sql then prepares each again on any other
// connection of the pool the first time a transaction there uses it.
func (s *SQLStore) prepare(ctx context.Context) error {
	s.reads = &readCache{db: s.rdb}
	qs := hotStatements
	if s.backend != Postgres {
		qs = append(qs[:len(qs):len(qs)], chunkStatements()...)
	}
	s.stmts = make(map[string]*sql.Stmt, len(qs))
	for _, q := range qs {
		st, err := s.db.PrepareContext(ctx, s.q(q))
		if err != nil {
			return fmt.Errorf("hq store: prepare: %w", err)
		}
		s.stmts[q] = st
	}
	return nil
}

// stmt is one of the hot statements inside tx.
func (s *SQLStore) stmt(ctx context.Context, tx *sql.Tx, query string) *sql.Stmt {
	return tx.StmtContext(ctx, s.stmts[query])
}

// The tables a push writes, one row per mutation (records: per record).
var (
	changeRows    = rowsSpec{head: `INSERT INTO hq_changes (scope, seq, entity, record_id, name, version, payload, deleted, origin_device, origin_epoch, origin_seq, hash, at) VALUES `, cols: 13}
	receiptRows   = rowsSpec{head: `INSERT INTO hq_receipts (device_id, install_epoch, seq, hash, status, scope, scope_seq) VALUES `, cols: 7}
	rejectionRows = rowsSpec{head: `INSERT INTO hq_rejections (device_id, install_epoch, seq, office_id, name, version, code, err_key, args, at) VALUES `, cols: 10}
	recordRows    = rowsSpec{head: `INSERT INTO hq_records (entity, record_id, scope, seq, snap_rank, name, version, payload, deleted, origin_device, origin_seq) VALUES `,
		tail: ` ON CONFLICT (entity, record_id) DO UPDATE SET seq = excluded.seq, snap_rank = excluded.snap_rank, name = excluded.name,
			version = excluded.version, payload = excluded.payload, deleted = excluded.deleted,
			origin_device = excluded.origin_device, origin_seq = excluded.origin_seq
		WHERE hq_records.scope = excluded.scope`, cols: 11}
)

// heldCols are the columns heldRecords reads.
const heldCols = `r.entity, r.record_id, r.scope, r.seq, r.name, r.version, r.deleted, r.origin_device, CASE WHEN r.origin_device = ? THEN r.payload ELSE '' END`

// heldQuery is heldRecords' query on SQLite for n keys.
func heldQuery(n int) string {
	return `SELECT ` + heldCols + ` FROM hq_records r WHERE (r.entity, r.record_id) IN (VALUES (?, ?)` + strings.Repeat(", (?, ?)", n-1) + `)`
}

// chunkSizes are the row counts of the multi-row statements SQLite runs
// prepared (prepare): a push of n rows runs n/100 statements of 100, then
// of 10, then single rows. Parsing a statement of 100 rows anew on every
// push cost a tenth of HQ's CPU on SQLite (cmd/anchang-load --profile).
var chunkSizes = []int{100, 10, 1}

// chunk is the size of the next statement for n rows on SQLite.
func chunk(n int) int {
	for _, c := range chunkSizes {
		if n >= c {
			return c
		}
	}
	return n
}

// chunkStatements are the statements prepare prepares on SQLite.
func chunkStatements() []string {
	var qs []string
	for _, n := range chunkSizes {
		qs = append(qs, heldQuery(n))
		for _, t := range []rowsSpec{changeRows, receiptRows, rejectionRows, recordRows} {
			qs = append(qs, t.statement(n))
		}
	}
	return qs
}

// rowsSpec is a table a push writes rows to.
type rowsSpec struct {
	head string // INSERT INTO t (…) VALUES
	tail string // after the values: ON CONFLICT …
	cols int
}

// statement is the INSERT of n rows with plain placeholders.
func (t rowsSpec) statement(n int) string {
	ph := "(?" + strings.Repeat(", ?", t.cols-1) + ")"
	return t.head + ph + strings.Repeat(", "+ph, n-1) + t.tail
}

// rows collects the rows of one table that a push writes for each mutation,
// to be written with multi-row INSERTs: on PostgreSQL every statement is a
// round trip made while the push holds its office's scope row, so one
// statement per table instead of one per mutation is what lets a busy
// office's pushes follow each other quickly.
type rows struct {
	rowsSpec
	chunked bool // SQLite: statements of chunkSizes rows
	args    []any
}

func (s *SQLStore) rows(t rowsSpec) *rows {
	return &rows{rowsSpec: t, chunked: s.backend != Postgres}
}

// maxRowsPerInsert keeps a statement's parameters far below SQLite's and
// PostgreSQL's limits (32766 and 65535).
const maxRowsPerInsert = 500

func (r *rows) add(args ...any) {
	if len(args) != r.cols {
		panic(fmt.Sprintf("hq: %d values for %d columns", len(args), r.cols))
	}
	r.args = append(r.args, args...)
}

// writes appends the statements that write the rows collected. With wrong
// set, each statement must write every one of its rows (an upsert whose
// WHERE refused one returns wrong).
func (r *rows) writes(ws []write, wrong error) []write {
	args := r.args
	for len(args) > 0 {
		n := min(len(args)/r.cols, maxRowsPerInsert)
		if r.chunked {
			n = chunk(n)
		}
		var sqlText string
		vals := args[:n*r.cols]
		if rel := hasRel(vals); !rel {
			sqlText = r.statement(n)
		} else {
			// A seq relative to the head the statement's CTE sb moved
			// (runWrites, PostgreSQL).
			var b strings.Builder
			b.WriteString(r.head)
			vals = nil
			for i := 0; i < n; i++ {
				if i > 0 {
					b.WriteString(", ")
				}
				b.WriteByte('(')
				for j, a := range args[i*r.cols : (i+1)*r.cols] {
					if j > 0 {
						b.WriteString(", ")
					}
					if q, ok := a.(relSeq); ok {
						b.WriteString("(SELECT base FROM sb) + ?")
						a = q.n
					} else {
						b.WriteByte('?')
					}
					vals = append(vals, a)
				}
				b.WriteByte(')')
			}
			b.WriteString(r.tail)
			sqlText = b.String()
		}
		w := write{sql: sqlText, args: vals, want: -1}
		if wrong != nil {
			w.want, w.wrong = int64(n), wrong
		}
		ws = append(ws, w)
		args = args[n*r.cols:]
	}
	return ws
}

func hasRel(args []any) bool {
	for _, a := range args {
		if _, ok := a.(relSeq); ok {
			return true
		}
	}
	return false
}

// readCache is the read pool with its statements prepared on first use and
// kept: the reads every request makes (a device's row for each
// authenticated request, a pull's heads, changes and tips). In the load
// tool's run of 3,000 long-polling devices on SQLite, parsing these was
// most of the CPU a pull cost. Only queries with a fixed text go through
// it (the cache is never cleared); a statement that fails to prepare runs
// unprepared.
type readCache struct {
	db *sql.DB
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

func (c *readCache) stmt(ctx context.Context, query string) *sql.Stmt {
	c.mu.Lock()
	st, ok := c.m[query]
	c.mu.Unlock()
	if ok {
		return st
	}
	st, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.m[query]; ok { // prepared meanwhile
		st.Close()
		return old
	}
	if c.m == nil {
		c.m = map[string]*sql.Stmt{}
	}
	c.m[query] = st
	return st
}

// QueryRowContext runs a fixed query (already rewritten with s.q) prepared.
func (c *readCache) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := c.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return c.db.QueryRowContext(ctx, query, args...)
}

// QueryContext runs a fixed query (already rewritten with s.q) prepared.
func (c *readCache) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := c.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return c.db.QueryContext(ctx, query, args...)
}
