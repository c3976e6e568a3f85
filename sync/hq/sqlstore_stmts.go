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
	s.stmts = make(map[string]*sql.Stmt, len(hotStatements))
	for _, q := range hotStatements {
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

// rows collects the rows of one table that a push writes for each mutation,
// to be written with multi-row INSERTs: on PostgreSQL every statement is a
// round trip made while the push holds its office's scope row, so one
// statement per table instead of one per mutation is what lets a busy
// office's pushes follow each other quickly.
type rows struct {
	head string // INSERT INTO t (…) VALUES
	tail string // after the values: ON CONFLICT …
	cols int
	args []any
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
		var b strings.Builder
		b.WriteString(r.head)
		ph := "(?" + strings.Repeat(", ?", r.cols-1) + ")"
		var vals []any // args with relSeq, rewritten
		for i := 0; i < n; i++ {
			if i > 0 {
				b.WriteString(", ")
			}
			row := args[i*r.cols : (i+1)*r.cols]
			rel := false
			for _, a := range row {
				if _, ok := a.(relSeq); ok {
					rel = true
				}
			}
			if !rel {
				b.WriteString(ph)
				vals = append(vals, row...)
				continue
			}
			// A seq relative to the head the statement's CTE sb
			// moved (runWrites).
			b.WriteByte('(')
			for j, a := range row {
				if j > 0 {
					b.WriteString(", ")
				}
				if r, ok := a.(relSeq); ok {
					b.WriteString("(SELECT base FROM sb) + ?")
					a = r.n
				} else {
					b.WriteByte('?')
				}
				vals = append(vals, a)
			}
			b.WriteByte(')')
		}
		b.WriteString(r.tail)
		w := write{sql: b.String(), args: vals, want: -1}
		if wrong != nil {
			w.want, w.wrong = int64(n), wrong
		}
		ws = append(ws, w)
		args = args[n*r.cols:]
	}
	return ws
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
