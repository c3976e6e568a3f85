package hq

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"anchang/data"
	hqsync "anchang/sync"
)

// Bounds of the strings a mutation brings that HQ stores as keys.
const (
	maxNameLen = 100
	maxIDLen   = 200
)

// storable makes s valid UTF-8 of at most n bytes, for a rejection's record.
func storable(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	for len(s) > n {
		_, size := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-size]
	}
	return s
}

// classified is what a mutation's pure checks decided: its scope and record,
// or why it is rejected.
type classified struct {
	desc   data.Described
	scope  string
	hash   string
	reject *hqsync.WireError
	// review: an office's draft, copied to the review queue (scope "hq")
	// as well as stored in the office's scope.
	review bool
}

// classify checks one mutation without the database: the hash, the payload
// (describe), the owner against the device's role and the office against the
// device's office. The scope comes from the device, never from the body.
// epoch is the push's install epoch; hqOffice is the local office id every
// HQ device keeps (data.HQLocalOfficeID of this HQ's id).
func classify(dev Device, epoch int64, m *hqsync.Mutation, describe DescribeFunc, hqOffice string) classified {
	sum := sha256.Sum256(m.Payload)
	c := classified{hash: hex.EncodeToString(sum[:])}
	if m.Hash != c.hash {
		c.reject = &hqsync.WireError{Code: data.EINVALID, Key: "err.sync.hash"}
		return c
	}
	// What the database cannot store (PostgreSQL's TEXT refuses invalid
	// UTF-8; an index key has a size limit) is refused here, per mutation,
	// so it never fails the whole push and wedges the queue behind it.
	if !utf8.Valid(m.Payload) || !utf8.ValidString(m.Name) || !utf8.ValidString(m.RecordID) ||
		len(m.Name) > maxNameLen || len(m.RecordID) > maxIDLen {
		c.reject = &hqsync.WireError{Code: data.EINVALID, Key: "err.sync.payload"}
		return c
	}
	d, err := describe(m.Name, m.Version, m.Payload)
	if err != nil {
		if e, ok := data.AsError(err); ok {
			c.reject = &hqsync.WireError{Code: e.Code, Key: e.Key, Args: e.Args}
		} else {
			c.reject = &hqsync.WireError{Code: data.EINVALID, Key: "err.sync.payload"}
		}
		return c
	}
	c.desc = d
	switch {
	case d.RecordID != m.RecordID:
		c.reject = &hqsync.WireError{Code: data.EINVALID, Key: "err.sync.record_id"}
	case d.Spec.Owner == data.OwnerHQ && dev.ownHistory(epoch, m.Seq):
		// A standalone office's reference data (its FAQ manual, ...) recorded
		// before it enrolled: the office's own, in its scope.
		if d.OfficeID != "" && d.OfficeID != dev.OfficeID {
			c.reject = &hqsync.WireError{Code: data.EFORBIDDEN, Key: "err.sync.other_office"}
		} else {
			c.scope = hqsync.OfficeScope(dev.OfficeID)
		}
	case d.Spec.Owner == data.OwnerHQ && d.Draft && d.OfficeID == "" && dev.Role == hqsync.RoleOffice:
		// An office's draft of HQ's reference data (a new FAQ version, a
		// submission): in its scope, and copied to the review queue HQ
		// devices read, until an HQ device approves it.
		c.scope = hqsync.OfficeScope(dev.OfficeID)
		c.review = true
	case d.Spec.Owner == data.OwnerHQ && dev.Role != hqsync.RoleHQ:
		c.reject = &hqsync.WireError{Code: data.EFORBIDDEN, Key: "err.sync.hq_owned", Args: map[string]any{"Name": m.Name}}
	case d.Spec.Owner == data.OwnerHQ && d.OfficeID != "":
		// An HQ-owned record of one office (its office.setup): the office's
		// scope, written only by HQ.
		c.scope = hqsync.OfficeScope(d.OfficeID)
	case d.Spec.Owner == data.OwnerHQ:
		c.scope = hqsync.ScopeGlobal
	case dev.Role == hqsync.RoleHQ && hqOffice != "" && d.OfficeID == hqOffice:
		// An HQ device's own records (its staff): HQ's scope, shared by
		// every HQ device.
		c.scope = hqsync.ScopeHQ
	case dev.Role != hqsync.RoleOffice:
		c.reject = &hqsync.WireError{Code: data.EFORBIDDEN, Key: "err.sync.office_owned", Args: map[string]any{"Name": m.Name}}
	case d.OfficeID != dev.OfficeID:
		c.reject = &hqsync.WireError{Code: data.EFORBIDDEN, Key: "err.sync.other_office"}
	default:
		c.scope = hqsync.OfficeScope(dev.OfficeID)
	}
	return c
}

// recKey names a record at HQ.
type recKey struct{ entity, id string }

// held is what a push knows of a record at HQ: read once before the push
// writes, then kept up to date as the batch applies in seq order, so every
// mutation sees what sequential application would have shown it.
type held struct {
	scope   string
	seq     place // of its latest change
	name    string
	version int
	deleted bool
	origin  string
	payload string // only for the pushing device's own records
}

// receipt is a seq HQ holds from a device.
type receipt struct {
	hash, status, scope string
	scopeSeq            place
}

// place is a change's seq in its scope: known (n), or the n-th change of
// this push in the scope (rel), which becomes the scope's head before the
// push plus n once the push has the scope's lock. On PostgreSQL a push to
// one scope takes the lock and learns the head in the statement that
// writes (runWrites), so the lock is held for that statement and the
// commit only.
type place struct {
	n   int64
	rel bool
}

// relSeq is a rel place as a statement's argument (rows.writes).
type relSeq struct {
	scope string
	n     int64
}

// arg is p as a statement's argument in scope.
func (p place) arg(scope string) any {
	if p.rel {
		return relSeq{scope, p.n}
	}
	return p.n
}

// errRetryPush: a record the batch writes was inserted meanwhile by a push
// to another scope (a forged id racing on PostgreSQL), after this push read
// it absent. The transaction is rolled back and run again, and then sees it.
var errRetryPush = errors.New("a record of the push was written meanwhile in another scope")

// Push applies one push request in one transaction (docs/sync.md, Push):
// the device row is locked, then the scopes in sorted order; each scope's
// head is bumped under its lock, so a scope's seqs are dense and in commit
// order.
//
// The transaction reads what it needs in a few statements (the device, the
// receipts of seqs it already holds, and every record the batch writes or
// refers to, in one query), decides every mutation in Go in seq order, and
// writes everything in one statement per table on SQLite and in one
// statement on PostgreSQL, which also takes the scope's lock when the push
// goes to one scope: on PostgreSQL every statement is a round trip, and
// those made while the push holds its office's scope row are what the
// office's other devices wait for.
func (s *SQLStore) Push(ctx context.Context, dev Device, req *hqsync.PushRequest, describe DescribeFunc, now int64) (PushOutcome, error) {
	var out PushOutcome
	// The pure checks (the payload's hash, decoding and validation) run
	// before the transaction: on SQLite every push waits for the one write
	// transaction, on PostgreSQL for its office's scope row, and decoding a
	// hundred payloads there cost about a sixth of HQ's CPU under load.
	hqOffice, err := s.hqOffice(ctx)
	if err != nil {
		return PushOutcome{}, fmt.Errorf("push: %w", err)
	}
	pre := make([]classified, len(req.Mutations))
	for i := range req.Mutations {
		pre[i] = classify(dev, req.InstallEpoch, &req.Mutations[i], describe, hqOffice)
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		out = PushOutcome{Rejected: map[string]int{}}
		var revoked int64
		err := tx.QueryRowContext(ctx, s.q(`SELECT revoked_at FROM hq_devices WHERE id = ?`+s.forUpdate()), dev.ID).Scan(&revoked)
		if errors.Is(err, sql.ErrNoRows) {
			return coded(hqsync.CodeUnauthorized, "err.sync.no_device", nil)
		}
		if err != nil {
			return err
		}
		if revoked != 0 {
			return coded(hqsync.CodeRevoked, "err.sync.revoked", nil)
		}
		var last int64
		if err := tx.QueryRowContext(ctx, s.q(`INSERT INTO hq_device_seqs (device_id, install_epoch, last_seq) VALUES (?, ?, 0)
			ON CONFLICT (device_id, install_epoch) DO UPDATE SET last_seq = hq_device_seqs.last_seq RETURNING last_seq`),
			dev.ID, req.InstallEpoch).Scan(&last); err != nil {
			return err
		}

		// A retry's seqs: their receipts. The records the new ones write
		// and refer to: what HQ holds of them. These are read before the
		// scopes are locked, which is sound: the device's row lock keeps
		// its other pushes (the only writers of its own records, which
		// bornAgain compares) out; a record it refers to was committed
		// before the device could know of it; a record id another scope
		// takes meanwhile fails the upsert's count and the push is run
		// again (errRetryPush).
		var old []int64
		var keys []recKey
		for i := range req.Mutations {
			c := &pre[i]
			switch m := &req.Mutations[i]; {
			case m.Seq <= last:
				old = append(old, m.Seq)
			case c.reject == nil:
				keys = append(keys, recKey{c.desc.Spec.Entity, c.desc.RecordID})
				for _, ref := range c.desc.Refs {
					keys = append(keys, recKey{ref.Entity, ref.ID})
				}
			}
		}
		got, err := s.receipts(ctx, tx, dev.ID, req.InstallEpoch, old)
		if err != nil {
			return err
		}
		state, err := s.heldRecords(ctx, tx, dev.ID, keys)
		if err != nil {
			return err
		}

		// Every mutation decided in seq order, as if applied one by one.
		changes, receipts, rejections, records := s.rows(changeRows), s.rows(receiptRows), s.rows(rejectionRows), s.rows(recordRows)
		// A record written twice in the batch is written once, with the
		// last version (one statement may not touch a row twice).
		recRow := map[recKey]int{}
		count := map[string]int64{} // changes per scope
		type fix struct {
			i     int // in out.Response.Results
			scope string
			n     int64
		}
		var fixes []fix
		cur := last
		for i := range req.Mutations {
			m := &req.Mutations[i]
			c := pre[i]
			if m.Seq <= cur {
				r, stop := duplicateOf(m, c.hash, got)
				if r.Status == hqsync.StatusDuplicate && got[m.Seq].scopeSeq.rel {
					fixes = append(fixes, fix{len(out.Response.Results), r.Scope, got[m.Seq].scopeSeq.n})
				}
				out.Response.Results = append(out.Response.Results, r)
				if stop {
					break
				}
				out.Duplicates++
				continue
			}
			if m.Seq > cur+1 {
				out.Response.ResendFrom = cur + 1
				break
			}
			res := hqsync.PushResult{Seq: m.Seq}
			var at place
			if c.reject == nil {
				c.reject = missingRef(c, state)
			}
			if c.reject == nil {
				k := recKey{c.desc.Spec.Entity, c.desc.RecordID}
				h, ok := state[k]
				switch {
				case ok && h.scope != c.scope:
					c.reject = &hqsync.WireError{Code: data.EFORBIDDEN, Key: "err.sync.other_office"}
				case ok && bornAgain(c, h, dev.ID, m):
					// The same born-once record from the same device
					// under a new seq (an outbox renumbered after a
					// restored backup): acknowledged as what HQ holds.
					res.Status, res.Scope, at = hqsync.StatusDuplicate, h.scope, h.seq
					out.Duplicates++
				default:
					count[c.scope]++
					at = place{n: count[c.scope], rel: true}
					state[k] = held{scope: c.scope, seq: at, name: m.Name, version: m.Version, origin: dev.ID, payload: string(m.Payload)}
					put := func(k recKey, scope string, at place) {
						row := []any{k.entity, k.id, scope, at.arg(scope), c.desc.Spec.Rank, m.Name, m.Version, string(m.Payload), 0, dev.ID, m.Seq}
						if j, ok := recRow[k]; ok {
							copy(records.args[j*records.cols:], row)
						} else {
							recRow[k] = len(records.args) / records.cols
							records.add(row...)
						}
						changes.add(scope, at.arg(scope), k.entity, k.id, m.Name, m.Version, string(m.Payload), 0, dev.ID, req.InstallEpoch, m.Seq, c.hash, now)
					}
					put(k, c.scope, at)
					if c.review {
						// The review queue's copy, under its own entity so the
						// record lives in both scopes.
						count[hqsync.ScopeHQ]++
						put(recKey{hqsync.ReviewEntityPrefix + k.entity, k.id}, hqsync.ScopeHQ, place{n: count[hqsync.ScopeHQ], rel: true})
					}
					res.Status, res.Scope = hqsync.StatusApplied, c.scope
					out.Applied++
				}
			}
			if c.reject != nil {
				args, _ := json.Marshal(c.reject.Args)
				if c.reject.Args == nil {
					args = []byte("{}")
				}
				rejections.add(dev.ID, req.InstallEpoch, m.Seq, dev.OfficeID, storable(m.Name, maxNameLen), m.Version, c.reject.Code, c.reject.Key, string(args), now)
				res.Status, res.Error, at = hqsync.StatusRejected, c.reject, place{}
				out.Rejected[c.reject.Code]++
			}
			res.ScopeSeq = at.n
			if at.rel {
				fixes = append(fixes, fix{len(out.Response.Results), res.Scope, at.n})
			}
			receipts.add(dev.ID, req.InstallEpoch, m.Seq, c.hash, res.Status, res.Scope, at.arg(res.Scope))
			got[m.Seq] = receipt{hash: c.hash, status: res.Status, scope: res.Scope, scopeSeq: at}
			out.Response.Results = append(out.Response.Results, res)
			cur = m.Seq
		}
		for sc := range count {
			out.Touched = append(out.Touched, sc)
		}
		sort.Strings(out.Touched)

		// The scopes' heads. On PostgreSQL a push to one scope takes its
		// lock in the statement that writes (relative); otherwise the
		// scopes are locked here, in sorted order, and their seqs are
		// known before the writes.
		tables := []*rows{records, changes, receipts, rejections}
		relative := s.backend == Postgres && len(out.Touched) == 1
		base := map[string]int64{}
		var ws []write
		if !relative {
			for _, sc := range out.Touched {
				h, err := s.lockScope(ctx, tx, sc)
				if err != nil {
					return err
				}
				base[sc] = h
				ws = append(ws, write{sql: `UPDATE hq_scopes SET head = ? WHERE scope = ? AND head = ?`, args: []any{h + count[sc], sc, h},
					want: 1, wrong: fmt.Errorf("scope %s: head moved from %d (lock not held)", sc, h)})
			}
			for _, t := range tables {
				for j, a := range t.args {
					if r, ok := a.(relSeq); ok {
						t.args[j] = base[r.scope] + r.n
					}
				}
			}
		}
		ws = records.writes(ws, errRetryPush)
		ws = changes.writes(ws, nil)
		ws = receipts.writes(ws, nil)
		ws = rejections.writes(ws, nil)
		ws = append(ws,
			write{sql: `UPDATE hq_device_seqs SET last_seq = ? WHERE device_id = ? AND install_epoch = ?`, args: []any{cur, dev.ID, req.InstallEpoch}, want: -1},
			write{sql: `UPDATE hq_devices SET last_contact = ?,
				last_seq = CASE WHEN install_epoch <= ? THEN ? ELSE last_seq END,
				pending = CASE WHEN install_epoch <= ? THEN ? ELSE pending END,
				install_epoch = CASE WHEN install_epoch <= ? THEN ? ELSE install_epoch END
				WHERE id = ?`,
				args: []any{now, req.InstallEpoch, cur, req.InstallEpoch, req.Pending, req.InstallEpoch, req.InstallEpoch, dev.ID}, want: -1})
		var bump *scopeBump
		if relative {
			bump = &scopeBump{scope: out.Touched[0], n: count[out.Touched[0]]}
		}
		if err := s.runWrites(ctx, tx, ws, out.Touched, bump); err != nil {
			return err
		}
		if relative {
			base[bump.scope] = bump.base
		}
		for _, f := range fixes {
			out.Response.Results[f.i].ScopeSeq = base[f.scope] + f.n
		}
		out.Response.LastSeq = cur
		if s.beforeCommit != nil {
			return s.beforeCommit(ctx)
		}
		return nil
	})
	if err != nil {
		if _, ok := data.AsError(err); ok {
			return PushOutcome{}, err
		}
		return PushOutcome{}, fmt.Errorf("push: %w", err)
	}
	return out, nil
}

// bornAgain: the mutation is a born-once record HQ already holds, unchanged,
// from the same device (the same name, version and payload bytes, so the
// same hash): a renumbered outbox re-pushing it under a new seq, or a new
// install epoch. Acknowledging it as a duplicate keeps it in HQ's log once.
// A replaced record is applied again (a later change of it is a change).
func bornAgain(c classified, h held, deviceID string, m *hqsync.Mutation) bool {
	return !c.desc.Spec.Replace && !h.deleted && h.origin == deviceID &&
		h.name == m.Name && h.version == m.Version && h.payload == string(m.Payload)
}

// duplicateOf answers a seq HQ already holds: the same hash is acknowledged
// (with the change it is at HQ); another hash, or no receipt, is an
// integrity error that stops the batch.
func duplicateOf(m *hqsync.Mutation, hash string, got map[int64]receipt) (hqsync.PushResult, bool) {
	r, ok := got[m.Seq]
	if !ok || r.hash != hash || m.Hash != hash {
		return hqsync.PushResult{Seq: m.Seq, Status: hqsync.StatusIntegrity,
			Error: &hqsync.WireError{Code: hqsync.CodeIntegrity, Key: "err.sync.integrity", Args: map[string]any{"Seq": m.Seq}}}, true
	}
	res := hqsync.PushResult{Seq: m.Seq, Status: hqsync.StatusDuplicate}
	if r.status != hqsync.StatusRejected {
		res.Scope, res.ScopeSeq = r.scope, r.scopeSeq.n
	}
	return res, false
}

// missingRef: every record the mutation refers to exists at HQ in its scope
// or in global (held has them, with the batch's earlier records).
func missingRef(c classified, state map[recKey]held) *hqsync.WireError {
	for _, ref := range c.desc.Refs {
		if ref.Entity == c.desc.Spec.Entity && ref.ID == c.desc.RecordID {
			continue
		}
		if h, ok := state[recKey{ref.Entity, ref.ID}]; !ok || (h.scope != c.scope && h.scope != hqsync.ScopeGlobal) {
			return &hqsync.WireError{Code: data.ENOTFOUND, Key: "err.sync.missing_ref", Args: map[string]any{"Entity": ref.Entity}}
		}
	}
	return nil
}

// lockScope locks a scope's row (creating it) and returns its head.
func (s *SQLStore) lockScope(ctx context.Context, tx *sql.Tx, scope string) (int64, error) {
	var h int64
	err := tx.QueryRowContext(ctx, s.q(`SELECT head FROM hq_scopes WHERE scope = ?`+s.forUpdate()), scope).Scan(&h)
	if !errors.Is(err, sql.ErrNoRows) {
		return h, err
	}
	if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO hq_scopes (scope, head, horizon) VALUES (?, 0, 0) ON CONFLICT (scope) DO NOTHING`), scope); err != nil {
		return 0, err
	}
	err = tx.QueryRowContext(ctx, s.q(`SELECT head FROM hq_scopes WHERE scope = ?`+s.forUpdate()), scope).Scan(&h)
	return h, err
}

// receipts reads the receipts of seqs of a device's install epoch.
func (s *SQLStore) receipts(ctx context.Context, tx *sql.Tx, deviceID string, epoch int64, seqs []int64) (map[int64]receipt, error) {
	got := map[int64]receipt{}
	for len(seqs) > 0 {
		n := min(len(seqs), maxRowsPerInsert)
		args := []any{deviceID, epoch}
		for _, q := range seqs[:n] {
			args = append(args, q)
		}
		rs, err := tx.QueryContext(ctx, s.q(`SELECT seq, hash, status, scope, scope_seq FROM hq_receipts
			WHERE device_id = ? AND install_epoch = ? AND seq IN (?`+strings.Repeat(", ?", n-1)+`)`), args...)
		if err != nil {
			return nil, err
		}
		for rs.Next() {
			var q int64
			var r receipt
			if err := rs.Scan(&q, &r.hash, &r.status, &r.scope, &r.scopeSeq.n); err != nil {
				rs.Close()
				return nil, err
			}
			got[q] = r
		}
		if err := rs.Close(); err != nil {
			return nil, err
		}
		if err := rs.Err(); err != nil {
			return nil, err
		}
		seqs = seqs[n:]
	}
	return got, nil
}

// heldRecords reads what HQ holds of the records keys names, in one query
// (PostgreSQL: the keys as two arrays, so the query's text is always the
// same; SQLite: VALUES lists of prepared sizes, chunk). Payloads are read
// only for the device's own records (bornAgain compares them).
func (s *SQLStore) heldRecords(ctx context.Context, tx *sql.Tx, deviceID string, keys []recKey) (map[recKey]held, error) {
	state := make(map[recKey]held, len(keys))
	seen := make(map[recKey]bool, len(keys))
	uniq := keys[:0:0]
	for _, k := range keys {
		if !seen[k] {
			seen[k] = true
			uniq = append(uniq, k)
		}
	}
	for len(uniq) > 0 {
		n := len(uniq)
		var query string
		args := []any{deviceID}
		if s.backend == Postgres {
			es, ids := make([]string, n), make([]string, n)
			for i, k := range uniq {
				es[i], ids[i] = k.entity, k.id
			}
			args = append(args, es, ids)
			query = `SELECT ` + heldCols + ` FROM hq_records r JOIN unnest(?::text[], ?::text[]) AS k(entity, record_id)
				ON r.entity = k.entity AND r.record_id = k.record_id`
		} else {
			n = chunk(n)
			for _, k := range uniq[:n] {
				args = append(args, k.entity, k.id)
			}
			query = heldQuery(n)
		}
		var rs *sql.Rows
		var err error
		if st, ok := s.stmts[query]; ok {
			rs, err = tx.StmtContext(ctx, st).QueryContext(ctx, args...)
		} else {
			rs, err = tx.QueryContext(ctx, s.q(query), args...)
		}
		if err != nil {
			return nil, err
		}
		for rs.Next() {
			var k recKey
			var h held
			var deleted int
			if err := rs.Scan(&k.entity, &k.id, &h.scope, &h.seq.n, &h.name, &h.version, &deleted, &h.origin, &h.payload); err != nil {
				rs.Close()
				return nil, err
			}
			h.deleted = deleted != 0
			state[k] = h
		}
		if err := rs.Close(); err != nil {
			return nil, err
		}
		if err := rs.Err(); err != nil {
			return nil, err
		}
		uniq = uniq[n:]
	}
	return state, nil
}

// write is one statement of a push's writes. want ≥ 0 is the count of rows
// it must write; wrong is the error when it does not.
type write struct {
	sql   string // ? placeholders
	args  []any
	want  int64
	wrong error
}

// maxParamsPerStatement keeps a statement's parameters far below SQLite's
// and PostgreSQL's limits (32766 and 65535).
const maxParamsPerStatement = 30000

// scopeBump is, on PostgreSQL, the one scope a push writes to: runWrites
// adds n to its head in the same statement as the writes (taking its row
// lock there) and sets base to the head before.
type scopeBump struct {
	scope string
	n     int64
	base  int64
}

// runWrites runs a push's writes. On SQLite (in-process: a statement costs
// no round trip), one by one. On PostgreSQL, as few statements as the
// parameter limit allows, each a chain of data-modifying CTEs that counts
// the rows each wrote, with pg_notify for every scope touched (delivered on
// commit) and, with bump, the scope's head moved first (the CTE sb, whose
// base the rows' relSeq arguments add to).
func (s *SQLStore) runWrites(ctx context.Context, tx *sql.Tx, ws []write, touched []string, bump *scopeBump) error {
	if s.backend != Postgres {
		for _, w := range ws {
			var res sql.Result
			var err error
			if st, ok := s.stmts[w.sql]; ok {
				res, err = tx.StmtContext(ctx, st).ExecContext(ctx, w.args...)
			} else {
				res, err = tx.ExecContext(ctx, w.sql, w.args...)
			}
			if err != nil {
				return err
			}
			if w.want >= 0 {
				if n, err := res.RowsAffected(); err != nil {
					return err
				} else if n != w.want {
					return w.wrong
				}
			}
		}
		return nil
	}
	first := true
	for first || len(ws) > 0 {
		var b strings.Builder
		var args []any
		var sel []string
		b.WriteString("WITH ")
		if first && bump != nil {
			b.WriteString(`sb AS (INSERT INTO hq_scopes (scope, head, horizon) VALUES (?, ?, 0)
				ON CONFLICT (scope) DO UPDATE SET head = hq_scopes.head + excluded.head RETURNING head - ? AS base), `)
			args = append(args, bump.scope, bump.n, bump.n)
			sel = append(sel, "(SELECT base FROM sb)")
		}
		n := 0
		for n < len(ws) && (n == 0 || len(args)+len(ws[n].args) <= maxParamsPerStatement) {
			fmt.Fprintf(&b, "w%d AS (%s RETURNING 1), ", n, ws[n].sql)
			args = append(args, ws[n].args...)
			sel = append(sel, fmt.Sprintf("(SELECT count(*) FROM w%d)", n))
			n++
		}
		notify := "''"
		if n == len(ws) { // the last statement notifies
			for _, sc := range touched {
				notify += " || pg_notify(?, ?)::text"
				args = append(args, notifyChannel, sc)
			}
		}
		sel = append(sel, notify)
		query := strings.TrimSuffix(strings.TrimSuffix(b.String(), ", "), "WITH ") + " SELECT " + strings.Join(sel, ", ")
		counts := make([]int64, len(sel)-1)
		dest := make([]any, len(sel))
		for i := range counts {
			dest[i] = &counts[i]
		}
		var tail string
		dest[len(sel)-1] = &tail
		if err := tx.QueryRowContext(ctx, s.q(query), args...).Scan(dest...); err != nil {
			return err
		}
		if first && bump != nil {
			bump.base, counts = counts[0], counts[1:]
		}
		for i, w := range ws[:n] {
			if w.want >= 0 && counts[i] != w.want {
				return w.wrong
			}
		}
		ws = ws[n:]
		first = false
	}
	return nil
}

// putRecord writes the latest version of a record. A record that already
// lives in another scope is left alone and false returned (a forged id).
func (s *SQLStore) putRecord(ctx context.Context, tx *sql.Tx, scope string, seq int64, d data.Described, name string, version int, payload []byte, origin string, originSeq int64) (bool, error) {
	res, err := s.stmt(ctx, tx, sqlPutRecord).ExecContext(ctx,
		d.Spec.Entity, d.RecordID, scope, seq, d.Spec.Rank, name, version, string(payload), origin, originSeq)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

func (s *SQLStore) putChange(ctx context.Context, tx *sql.Tx, scope string, seq int64, d data.Described, name string, version int, payload []byte, origin string, epoch, originSeq int64, hash string, now int64) error {
	_, err := s.stmt(ctx, tx, sqlPutChange).ExecContext(ctx,
		scope, seq, d.Spec.Entity, d.RecordID, name, version, string(payload), origin, epoch, originSeq, hash, now)
	return err
}

// AppendHQ appends a change HQ authors itself (origin_device "hq") and
// returns its seq in the scope.
func (s *SQLStore) AppendHQ(ctx context.Context, c HQChange, now int64) (int64, error) {
	seqs, err := s.AppendHQAll(ctx, []HQChange{c}, now)
	if err != nil {
		return 0, err
	}
	return seqs[0], nil
}

// AppendHQAll appends changes HQ authors itself, in order, in one
// transaction: all of them or none. It returns each one's seq in its scope.
func (s *SQLStore) AppendHQAll(ctx context.Context, cs []HQChange, now int64) ([]int64, error) {
	seqs := make([]int64, len(cs))
	err := s.write(ctx, func(tx *sql.Tx) error {
		touched := map[string]bool{}
		for i, c := range cs {
			d := data.Described{Spec: data.MutationSpec{Name: c.Name, Version: c.Version, Entity: c.Entity, Rank: c.Rank}, RecordID: c.RecordID}
			sum := sha256.Sum256(c.Payload)
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO hq_scopes (scope, head, horizon) VALUES (?, 0, 0) ON CONFLICT (scope) DO NOTHING`), c.Scope); err != nil {
				return err
			}
			var seq int64
			if err := tx.QueryRowContext(ctx, s.q(`UPDATE hq_scopes SET head = head + 1 WHERE scope = ? RETURNING head`), c.Scope).Scan(&seq); err != nil {
				return err
			}
			ok, err := s.putRecord(ctx, tx, c.Scope, seq, d, c.Name, c.Version, c.Payload, HQOrigin, seq)
			if err != nil {
				return err
			}
			if !ok {
				return coded(data.ECONFLICT, "err.sync.other_office", nil)
			}
			if err := s.putChange(ctx, tx, c.Scope, seq, d, c.Name, c.Version, c.Payload, HQOrigin, 0, seq, hex.EncodeToString(sum[:]), now); err != nil {
				return err
			}
			seqs[i] = seq
			if s.backend == Postgres && !touched[c.Scope] {
				touched[c.Scope] = true
				if _, err := tx.ExecContext(ctx, `SELECT pg_notify($1, $2)`, notifyChannel, c.Scope); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		if _, ok := data.AsError(err); ok {
			return nil, err
		}
		return nil, fmt.Errorf("hq change: %w", err)
	}
	return seqs, nil
}
