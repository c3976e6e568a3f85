package hq

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"

	hqsync "anchang/sync"
)

// Pull reads each scope's changes after its cursor, oldest first, at most
// limit per scope. A cursor below the scope's horizon (purged) or above its
// head (HQ restored from an older backup) gets Resync instead.
func (s *SQLStore) Pull(ctx context.Context, cursors map[string]int64, limit int) (map[string]hqsync.ScopePage, error) {
	return s.PullTips(ctx, cursors, nil, limit)
}

// PullTips is Pull that also checks, for each scope with a tip, that HQ's
// change at the cursor is the one the device was given the tip with; when it
// is not (HQ restored from a backup, then written past the cursor again by
// other devices), the scope gets Resync. Each page carries the tip of the
// change at its Next.
func (s *SQLStore) PullTips(ctx context.Context, cursors map[string]int64, tips map[string]string, limit int) (map[string]hqsync.ScopePage, error) {
	if limit <= 0 || limit > hqsync.MaxPullLimit {
		limit = hqsync.MaxPullLimit
	}
	out := make(map[string]hqsync.ScopePage, len(cursors))
	for scope, cursor := range cursors {
		var head, horizon int64
		var horizonTip string
		err := s.reads.QueryRowContext(ctx, s.q(`SELECT head, horizon, horizon_tip FROM hq_scopes WHERE scope = ?`), scope).Scan(&head, &horizon, &horizonTip)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("pull %s: %w", scope, err)
		}
		if cursor < horizon || cursor > head || cursor < 0 {
			out[scope] = hqsync.ScopePage{Changes: []hqsync.Change{}, Next: cursor, Head: head, Resync: true}
			continue
		}
		page := hqsync.ScopePage{Changes: []hqsync.Change{}, Next: cursor, Head: head}
		if tip := tips[scope]; tip != "" && cursor > 0 {
			at, err := s.tipAt(ctx, s.reads, scope, cursor, horizon, horizonTip)
			if err != nil {
				return nil, fmt.Errorf("pull %s: %w", scope, err)
			}
			if at != tip {
				out[scope] = hqsync.ScopePage{Changes: []hqsync.Change{}, Next: cursor, Head: head, Resync: true}
				continue
			}
			page.Tip = tip
		}
		if cursor < head {
			rows, err := s.reads.QueryContext(ctx, s.q(`SELECT seq, name, version, record_id, payload, deleted, origin_device, origin_seq, origin_epoch
				FROM hq_changes WHERE scope = ? AND seq > ? ORDER BY seq LIMIT ?`), scope, cursor, limit)
			if err != nil {
				return nil, fmt.Errorf("pull %s: %w", scope, err)
			}
			for rows.Next() {
				c, err := scanChange(rows)
				if err != nil {
					rows.Close()
					return nil, fmt.Errorf("pull %s: %w", scope, err)
				}
				page.Changes = append(page.Changes, c)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return nil, fmt.Errorf("pull %s: %w", scope, err)
			}
			if len(page.Changes) == 0 || page.Changes[0].Seq != cursor+1 {
				// Purged while we read: the rows after the cursor are gone.
				out[scope] = hqsync.ScopePage{Changes: []hqsync.Change{}, Next: cursor, Head: head, Resync: true}
				continue
			}
			if n := len(page.Changes); n > 0 {
				page.Next = page.Changes[n-1].Seq
			}
			if page.Next > page.Head {
				page.Head = page.Next // committed after the head was read
			}
			page.More = page.Next < page.Head
			page.Tip = ""
		}
		if page.Tip == "" && page.Next > 0 {
			if page.Tip, err = s.tipAt(ctx, s.reads, scope, page.Next, horizon, horizonTip); err != nil {
				return nil, fmt.Errorf("pull %s: %w", scope, err)
			}
		}
		out[scope] = page
	}
	return out, nil
}

// tipOf identifies one change in a scope's log: its origin (device, epoch,
// seq: the push's dedupe key) and its payload's hash. The same seq holding
// another change after a restore has another tip.
func tipOf(originDevice string, epoch, originSeq int64, hash string) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "%s\x00%d\x00%d\x00%s", originDevice, epoch, originSeq, hash))
	return hex.EncodeToString(sum[:12])
}

// tipAt is the tip of the change at seq ("" when there is none); at the
// horizon, where the row was purged, the tip kept with the horizon.
func (s *SQLStore) tipAt(ctx context.Context, q queryer, scope string, seq, horizon int64, horizonTip string) (string, error) {
	if seq <= 0 {
		return "", nil
	}
	if seq == horizon {
		return horizonTip, nil
	}
	var dev, hash string
	var epoch, oseq int64
	err := q.QueryRowContext(ctx, s.q(`SELECT origin_device, origin_epoch, origin_seq, hash FROM hq_changes WHERE scope = ? AND seq = ?`), scope, seq).
		Scan(&dev, &epoch, &oseq, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return tipOf(dev, epoch, oseq, hash), nil
}

func scanChange(sc interface{ Scan(...any) error }) (hqsync.Change, error) {
	var c hqsync.Change
	var payload string
	var deleted int
	if err := sc.Scan(&c.Seq, &c.Name, &c.Version, &c.RecordID, &payload, &deleted, &c.OriginDevice, &c.OriginSeq, &c.OriginEpoch); err != nil {
		return c, err
	}
	c.Payload = []byte(payload)
	c.Deleted = deleted != 0
	return c, nil
}

// Snapshot streams a scope's latest records (tombstones excluded) by rank
// then seq, from one consistent read: a single read transaction on SQLite
// (WAL: writers go on meanwhile), REPEATABLE READ on PostgreSQL. Rows go out
// one by one, so memory stays flat. It returns the count sent.
func (s *SQLStore) Snapshot(ctx context.Context, scope string, header func(hqsync.SnapshotHeader) error, each func(hqsync.Change) error) (int64, error) {
	opts := &sql.TxOptions{ReadOnly: true}
	if s.backend == Postgres {
		opts.Isolation = sql.LevelRepeatableRead
	} else {
		opts = nil // modernc: a plain (deferred) transaction on the read pool
	}
	tx, err := s.rdb.BeginTx(ctx, opts)
	if err != nil {
		return 0, fmt.Errorf("snapshot: %w", err)
	}
	defer tx.Rollback()
	var head, horizon int64
	var horizonTip string
	err = tx.QueryRowContext(ctx, s.q(`SELECT head, horizon, horizon_tip FROM hq_scopes WHERE scope = ?`), scope).Scan(&head, &horizon, &horizonTip)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("snapshot: %w", err)
	}
	tip, err := s.tipAt(ctx, tx, scope, head, horizon, horizonTip)
	if err != nil {
		return 0, fmt.Errorf("snapshot: %w", err)
	}
	var count int64
	if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM hq_records WHERE scope = ? AND deleted = 0`), scope).Scan(&count); err != nil {
		return 0, fmt.Errorf("snapshot: %w", err)
	}
	if err := header(hqsync.SnapshotHeader{Scope: scope, Cursor: head, Count: count, Tip: tip}); err != nil {
		return 0, err
	}
	rows, err := tx.QueryContext(ctx, s.q(`SELECT r.seq, r.name, r.version, r.record_id, r.payload, r.deleted, r.origin_device, r.origin_seq, 0
		FROM hq_records r WHERE r.scope = ? AND r.deleted = 0 ORDER BY r.snap_rank, r.seq`), scope)
	if err != nil {
		return 0, fmt.Errorf("snapshot: %w", err)
	}
	defer rows.Close()
	var n int64
	for rows.Next() {
		c, err := scanChange(rows)
		if err != nil {
			return n, fmt.Errorf("snapshot: %w", err)
		}
		if err := each(c); err != nil {
			return n, err
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return n, fmt.Errorf("snapshot: %w", err)
	}
	return n, nil
}

// SnapshotHolds is the first of versions a snapshot of scope would carry.
func (s *SQLStore) SnapshotHolds(ctx context.Context, scope string, versions []MutationVersion) (MutationVersion, bool, error) {
	for _, v := range versions {
		var one int
		err := s.reads.QueryRowContext(ctx, s.q(`SELECT 1 FROM hq_records WHERE scope = ? AND name = ? AND version = ? AND deleted = 0 LIMIT 1`), scope, v.Name, v.Version).Scan(&one)
		if err == nil {
			return v, true, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return MutationVersion{}, false, fmt.Errorf("snapshot %s: %w", scope, err)
		}
	}
	return MutationVersion{}, false, nil
}

// Purge removes log entries written before the cutoff (Unix ms) and moves
// each scope's horizon up to the last seq removed. The latest version of
// every record stays in hq_records (snapshots). It returns the rows removed.
func (s *SQLStore) Purge(ctx context.Context, before int64) (int64, error) {
	rows, err := s.rdb.QueryContext(ctx, s.q(`SELECT scope, MAX(seq) FROM hq_changes WHERE at < ? GROUP BY scope`), before)
	if err != nil {
		return 0, fmt.Errorf("purge: %w", err)
	}
	cut := map[string]int64{}
	for rows.Next() {
		var sc string
		var seq int64
		if err := rows.Scan(&sc, &seq); err != nil {
			rows.Close()
			return 0, fmt.Errorf("purge: %w", err)
		}
		cut[sc] = seq
	}
	rows.Close()
	scopes := make([]string, 0, len(cut))
	for sc := range cut {
		scopes = append(scopes, sc)
	}
	sort.Strings(scopes)
	var total int64
	for _, sc := range scopes {
		err := s.write(ctx, func(tx *sql.Tx) error {
			// The horizon moves first, under the scope's lock, so a pull
			// never reads a cursor as valid while its rows vanish.
			var h int64
			if err := tx.QueryRowContext(ctx, s.q(`SELECT horizon FROM hq_scopes WHERE scope = ?`+s.forUpdate()), sc).Scan(&h); err != nil {
				return err
			}
			if cut[sc] <= h {
				return nil
			}
			tip, err := s.tipAt(ctx, tx, sc, cut[sc], -1, "")
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, s.q(`UPDATE hq_scopes SET horizon = ?, horizon_tip = ? WHERE scope = ?`), cut[sc], tip, sc); err != nil {
				return err
			}
			res, err := tx.ExecContext(ctx, s.q(`DELETE FROM hq_changes WHERE scope = ? AND seq <= ?`), sc, cut[sc])
			if err != nil {
				return err
			}
			n, _ := res.RowsAffected()
			total += n
			return nil
		})
		if err != nil {
			return total, fmt.Errorf("purge %s: %w", sc, err)
		}
	}
	return total, nil
}
