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
}

// classify checks one mutation without the database: the hash, the payload
// (describe), the owner against the device's role and the office against the
// device's office. The scope comes from the device, never from the body.
// epoch is the push's install epoch.
func classify(dev Device, epoch int64, m *hqsync.Mutation, describe DescribeFunc) classified {
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
		// submission): in its scope until an HQ device approves it.
		c.scope = hqsync.OfficeScope(dev.OfficeID)
	case d.Spec.Owner == data.OwnerHQ && dev.Role != hqsync.RoleHQ:
		c.reject = &hqsync.WireError{Code: data.EFORBIDDEN, Key: "err.sync.hq_owned", Args: map[string]any{"Name": m.Name}}
	case d.Spec.Owner == data.OwnerHQ && d.OfficeID != "":
		// An HQ-owned record of one office (its office.setup): the office's
		// scope, written only by HQ.
		c.scope = hqsync.OfficeScope(d.OfficeID)
	case d.Spec.Owner == data.OwnerHQ:
		c.scope = hqsync.ScopeGlobal
	case dev.Role != hqsync.RoleOffice:
		c.reject = &hqsync.WireError{Code: data.EFORBIDDEN, Key: "err.sync.office_owned", Args: map[string]any{"Name": m.Name}}
	case d.OfficeID != dev.OfficeID:
		c.reject = &hqsync.WireError{Code: data.EFORBIDDEN, Key: "err.sync.other_office"}
	default:
		c.scope = hqsync.OfficeScope(dev.OfficeID)
	}
	return c
}

// Push applies one push request in one transaction (docs/sync.md, Push):
// the device row is locked, then the scopes in sorted order; each scope's
// head is bumped under its lock, so a scope's seqs are dense and in commit
// order.
func (s *SQLStore) Push(ctx context.Context, dev Device, req *hqsync.PushRequest, describe DescribeFunc, now int64) (PushOutcome, error) {
	var out PushOutcome
	// The pure checks (the payload's hash, decoding and validation) run
	// before the transaction: on SQLite every push waits for the one write
	// transaction, on PostgreSQL for its office's scope row, and decoding a
	// hundred payloads there cost about a sixth of HQ's CPU under load.
	pre := make([]classified, len(req.Mutations))
	for i := range req.Mutations {
		pre[i] = classify(dev, req.InstallEpoch, &req.Mutations[i], describe)
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
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
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO hq_device_seqs (device_id, install_epoch, last_seq) VALUES (?, ?, 0) ON CONFLICT (device_id, install_epoch) DO NOTHING`),
			dev.ID, req.InstallEpoch); err != nil {
			return err
		}
		var last int64
		if err := tx.QueryRowContext(ctx, s.q(`SELECT last_seq FROM hq_device_seqs WHERE device_id = ? AND install_epoch = ?`),
			dev.ID, req.InstallEpoch).Scan(&last); err != nil {
			return err
		}

		// Pure checks first, to know which scopes to lock.
		cls := make([]classified, len(req.Mutations))
		want := map[string]bool{}
		for i := range req.Mutations {
			m := &req.Mutations[i]
			if m.Seq <= last {
				continue
			}
			cls[i] = pre[i]
			if cls[i].reject == nil {
				want[cls[i].scope] = true
			}
		}
		scopes := make([]string, 0, len(want))
		for sc := range want {
			scopes = append(scopes, sc)
		}
		sort.Strings(scopes)
		head := map[string]int64{}
		for _, sc := range scopes {
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO hq_scopes (scope, head, horizon) VALUES (?, 0, 0) ON CONFLICT (scope) DO NOTHING`), sc); err != nil {
				return err
			}
			var h int64
			if err := tx.QueryRowContext(ctx, s.q(`SELECT head FROM hq_scopes WHERE scope = ?`+s.forUpdate()), sc).Scan(&h); err != nil {
				return err
			}
			head[sc] = h
		}
		start := map[string]int64{}
		for k, v := range head {
			start[k] = v
		}

		// The change and receipt rows are written together, one statement
		// each (rows); a duplicate looks its receipt up, so they are written
		// before that too.
		changes := &rows{head: `INSERT INTO hq_changes (scope, seq, entity, record_id, name, version, payload, deleted, origin_device, origin_epoch, origin_seq, hash, at) VALUES `, cols: 13}
		receipts := &rows{head: `INSERT INTO hq_receipts (device_id, install_epoch, seq, hash, status, scope, scope_seq) VALUES `, cols: 7}
		flush := func() error {
			if err := s.flush(ctx, tx, changes); err != nil {
				return err
			}
			return s.flush(ctx, tx, receipts)
		}
		cur := last
		for i := range req.Mutations {
			m := &req.Mutations[i]
			if m.Seq <= cur {
				if err := flush(); err != nil {
					return err
				}
				r, stop, err := s.duplicate(ctx, tx, dev.ID, req.InstallEpoch, m)
				if err != nil {
					return err
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
			c := cls[i]
			if c.hash == "" { // seq was ≤ last before the batch, cannot happen past cur
				c = classify(dev, req.InstallEpoch, m, describe)
			}
			res := hqsync.PushResult{Seq: m.Seq}
			if c.reject == nil {
				rej, err := s.checkRefs(ctx, tx, c)
				if err != nil {
					return err
				}
				c.reject = rej
			}
			if c.reject == nil {
				seq := head[c.scope] + 1
				ok, err := s.putRecord(ctx, tx, c.scope, seq, c.desc, m.Name, m.Version, m.Payload, dev.ID, m.Seq)
				if err != nil {
					return err
				}
				if !ok {
					c.reject = &hqsync.WireError{Code: data.EFORBIDDEN, Key: "err.sync.other_office"}
				} else {
					head[c.scope] = seq
					changes.add(c.scope, seq, c.desc.Spec.Entity, c.desc.RecordID, m.Name, m.Version, string(m.Payload), 0, dev.ID, req.InstallEpoch, m.Seq, c.hash, now)
					res.Status, res.Scope, res.ScopeSeq = hqsync.StatusApplied, c.scope, seq
					out.Applied++
				}
			}
			if c.reject != nil {
				args, _ := json.Marshal(c.reject.Args)
				if c.reject.Args == nil {
					args = []byte("{}")
				}
				if _, err := s.stmt(ctx, tx, sqlPutRejection).ExecContext(ctx,
					dev.ID, req.InstallEpoch, m.Seq, dev.OfficeID, storable(m.Name, maxNameLen), m.Version, c.reject.Code, c.reject.Key, string(args), now); err != nil {
					return err
				}
				res.Status, res.Error = hqsync.StatusRejected, c.reject
				out.Rejected[c.reject.Code]++
			}
			receipts.add(dev.ID, req.InstallEpoch, m.Seq, c.hash, res.Status, res.Scope, res.ScopeSeq)
			out.Response.Results = append(out.Response.Results, res)
			cur = m.Seq
		}
		if err := flush(); err != nil {
			return err
		}

		for _, sc := range scopes {
			k := head[sc] - start[sc]
			if k == 0 {
				continue
			}
			var h int64
			if err := tx.QueryRowContext(ctx, s.q(`UPDATE hq_scopes SET head = head + ? WHERE scope = ? RETURNING head`), k, sc).Scan(&h); err != nil {
				return err
			}
			if h != head[sc] {
				return fmt.Errorf("scope %s: head %d, want %d (lock not held)", sc, h, head[sc])
			}
			out.Touched = append(out.Touched, sc)
			if s.backend == Postgres {
				if _, err := tx.ExecContext(ctx, `SELECT pg_notify($1, $2)`, notifyChannel, sc); err != nil {
					return err
				}
			}
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE hq_device_seqs SET last_seq = ? WHERE device_id = ? AND install_epoch = ?`),
			cur, dev.ID, req.InstallEpoch); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE hq_devices SET last_contact = ? WHERE id = ?`), now, dev.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE hq_devices SET last_seq = ?, install_epoch = ?, pending = ? WHERE id = ? AND install_epoch <= ?`),
			cur, req.InstallEpoch, req.Pending, dev.ID, req.InstallEpoch); err != nil {
			return err
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

// duplicate answers a seq HQ already has: the same hash is acknowledged;
// another hash is an integrity error that stops the batch.
func (s *SQLStore) duplicate(ctx context.Context, tx *sql.Tx, deviceID string, epoch int64, m *hqsync.Mutation) (hqsync.PushResult, bool, error) {
	var hash, status, scope string
	var scopeSeq int64
	err := s.stmt(ctx, tx, sqlReceipt).QueryRowContext(ctx,
		deviceID, epoch, m.Seq).Scan(&hash, &status, &scope, &scopeSeq)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return hqsync.PushResult{}, false, err
	}
	sum := sha256.Sum256(m.Payload)
	if err != nil || hash != hex.EncodeToString(sum[:]) || m.Hash != hash {
		return hqsync.PushResult{Seq: m.Seq, Status: hqsync.StatusIntegrity,
			Error: &hqsync.WireError{Code: hqsync.CodeIntegrity, Key: "err.sync.integrity", Args: map[string]any{"Seq": m.Seq}}}, true, nil
	}
	r := hqsync.PushResult{Seq: m.Seq, Status: hqsync.StatusDuplicate}
	if status == hqsync.StatusApplied {
		r.Scope, r.ScopeSeq = scope, scopeSeq
	}
	return r, false, nil
}

// checkRefs: every record the mutation refers to exists at HQ in its scope
// or in global.
func (s *SQLStore) checkRefs(ctx context.Context, tx *sql.Tx, c classified) (*hqsync.WireError, error) {
	for _, ref := range c.desc.Refs {
		if ref.Entity == c.desc.Spec.Entity && ref.ID == c.desc.RecordID {
			continue
		}
		var n int
		if err := s.stmt(ctx, tx, sqlRefExists).QueryRowContext(ctx,
			ref.Entity, ref.ID, c.scope).Scan(&n); err != nil {
			return nil, err
		}
		if n == 0 {
			return &hqsync.WireError{Code: data.ENOTFOUND, Key: "err.sync.missing_ref", Args: map[string]any{"Entity": ref.Entity}}, nil
		}
	}
	return nil, nil
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
	d := data.Described{Spec: data.MutationSpec{Name: c.Name, Version: c.Version, Entity: c.Entity, Rank: c.Rank}, RecordID: c.RecordID}
	sum := sha256.Sum256(c.Payload)
	var seq int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO hq_scopes (scope, head, horizon) VALUES (?, 0, 0) ON CONFLICT (scope) DO NOTHING`), c.Scope); err != nil {
			return err
		}
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
		if s.backend == Postgres {
			if _, err := tx.ExecContext(ctx, `SELECT pg_notify($1, $2)`, notifyChannel, c.Scope); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		if _, ok := data.AsError(err); ok {
			return 0, err
		}
		return 0, fmt.Errorf("hq change: %w", err)
	}
	return seq, nil
}
