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

// The tables a push writes, one row per mutation (records: per record):
// columns with their type on PostgreSQL ("text" or "bigint", the integer
// columns' arrays bigint too), the column a relSeq may be in.
var (
	changeRows    = newRowsSpec("hq_changes", "scope text, seq bigint, entity text, record_id text, name text, version bigint, payload text, deleted bigint, origin_device text, origin_epoch bigint, origin_seq bigint, hash text, at bigint", "seq", "")
	receiptRows   = newRowsSpec("hq_receipts", "device_id text, install_epoch bigint, seq bigint, hash text, status text, scope text, scope_seq bigint", "scope_seq", "")
	rejectionRows = newRowsSpec("hq_rejections", "device_id text, install_epoch bigint, seq bigint, office_id text, name text, version bigint, code text, err_key text, args text, at bigint", "", "")
	recordRows    = newRowsSpec("hq_records", "entity text, record_id text, scope text, seq bigint, snap_rank bigint, name text, version bigint, payload text, deleted bigint, origin_device text, origin_seq bigint", "seq",
		` ON CONFLICT (entity, record_id) DO UPDATE SET seq = excluded.seq, snap_rank = excluded.snap_rank, name = excluded.name,
			version = excluded.version, payload = excluded.payload, deleted = excluded.deleted,
			origin_device = excluded.origin_device, origin_seq = excluded.origin_seq
		WHERE hq_records.scope = excluded.scope`)
)

func newRowsSpec(table, cols, seqCol, tail string) rowsSpec {
	t := rowsSpec{tail: tail, seqCol: -1}
	for i, c := range strings.Split(cols, ", ") {
		name, typ, _ := strings.Cut(c, " ")
		t.names = append(t.names, name)
		t.types = append(t.types, typ)
		if name == seqCol {
			t.seqCol = i
		}
	}
	t.cols = len(t.names)
	t.head = "INSERT INTO " + table + " (" + strings.Join(t.names, ", ") + ") VALUES "
	return t
}

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
	head   string // INSERT INTO t (…) VALUES
	tail   string // after the values: ON CONFLICT …
	cols   int
	names  []string
	types  []string // PostgreSQL: text or bigint
	seqCol int      // the column that may hold a relSeq; -1 none
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
	if !r.chunked {
		if len(r.args) == 0 {
			return ws
		}
		return append(ws, r.unnest(wrong))
	}
	args := r.args
	for len(args) > 0 {
		n := min(len(args)/r.cols, maxRowsPerInsert)
		if r.chunked {
			n = chunk(n)
		}
		// SQLite: seqs are known before the writes (no relSeq).
		sqlText, vals := r.statement(n), args[:n*r.cols]
		w := write{sql: sqlText, args: vals, want: -1}
		if wrong != nil {
			w.want, w.wrong = int64(n), wrong
		}
		ws = append(ws, w)
		args = args[n*r.cols:]
	}
	return ws
}

// unnest is the PostgreSQL statement that writes all the rows: one array
// per column, so the statement's text and its 11 to 14 parameters are the
// same whatever the number of rows (prepared once per connection), where a
// VALUES list had a parameter per value for the driver to encode and the
// server to bind. A relSeq adds the base the statement's CTE sb moved
// (runWrites).
func (r *rows) unnest(wrong error) write {
	n := len(r.args) / r.cols
	args := make([]any, 0, r.cols+1)
	rel := make([]bool, n)
	anyRel := false
	for j := 0; j < r.cols; j++ {
		if r.types[j] == "text" {
			col := make([]string, n)
			for i := range col {
				col[i] = r.args[i*r.cols+j].(string)
			}
			args = append(args, col)
			continue
		}
		col := make([]int64, n)
		for i := range col {
			switch a := r.args[i*r.cols+j].(type) {
			case int:
				col[i] = int64(a)
			case int64:
				col[i] = a
			case relSeq:
				col[i], rel[i], anyRel = a.n, true, true
			default:
				panic(fmt.Sprintf("hq: %T in %s", a, r.names[j]))
			}
		}
		args = append(args, col)
	}
	sel := make([]string, r.cols)
	arrays := make([]string, r.cols)
	aliases := append([]string(nil), r.names...)
	for j, name := range r.names {
		sel[j] = "u." + name
		arrays[j] = "?::" + r.types[j] + "[]"
	}
	if anyRel {
		sel[r.seqCol] += " + CASE WHEN u.rel_ THEN (SELECT base FROM sb) ELSE 0 END"
		arrays = append(arrays, "?::boolean[]")
		aliases = append(aliases, "rel_")
		args = append(args, rel)
	}
	q := strings.TrimSuffix(r.head, " VALUES ") + " SELECT " + strings.Join(sel, ", ") +
		" FROM unnest(" + strings.Join(arrays, ", ") + ") AS u(" + strings.Join(aliases, ", ") + ")" + r.tail
	w := write{sql: q, args: args, want: -1}
	if wrong != nil {
		w.want, w.wrong = int64(n), wrong
	}
	return w
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
