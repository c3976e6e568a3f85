package data

import (
	"context"
	"fmt"
	"log/slog"
)

// A device whose store was restored from its own older backup reuses its
// device id, install epoch and outbox seqs: HQ holds the seqs the device
// used after the backup (with other records) and would refuse the next new
// record under one of them (integrity). HQ keys receipts by device,
// install epoch and seq, so the device starts a new install epoch and
// numbers its waiting changes from 1 under it (docs/sync.md, A device's own
// backup restored).

// EpochRenewal is what RenewInstallEpoch did.
type EpochRenewal struct {
	Renewed    bool  // false: the epoch was already not the one asked about
	Epoch      int64 // the device's install epoch now
	Renumbered int   // pending outbox rows, now seqs 1…Renumbered
	Dropped    int   // acknowledged rows of the old epoch removed
}

// renewEpochStep, when set (tests), runs between the steps of a renewal
// inside its transaction, to show that a kill anywhere loses nothing.
var renewEpochStep func(step string)

// OutboxHighWater is the highest outbox seq this device ever used in its
// install epoch: the outbox's AUTOINCREMENT counter (kept when rows are
// pruned) or HQ's acknowledgement, whichever is higher. HQ holding a
// higher seq of this epoch means the store went back in time (restored
// from a backup).
func (s *Store) OutboxHighWater(ctx context.Context) (int64, error) {
	var hw int64
	err := s.db.QueryRowContext(ctx, `SELECT max(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'outbox'), 0),
		COALESCE((SELECT last_acked FROM sync_state WHERE id = 1), 0), COALESCE((SELECT max(seq) FROM outbox), 0))`).Scan(&hw)
	if err != nil {
		return 0, fmt.Errorf("outbox high water: %w", err)
	}
	return hw, nil
}

// RenewInstallEpoch starts a new install epoch when the device's epoch is
// still from (else it does nothing: a renewal already happened, so calling
// it again is harmless). In one transaction:
//   - the acknowledged rows of the old epoch are removed (HQ holds them
//     under it; they are never pushed again) and the records they wrote
//     take the order HQ gave them, as their echo would have;
//   - the pending rows are renumbered 1, 2, … in their order, and the
//     records they wrote keep their pending order under the new numbers;
//   - the old epoch's rejections stay listed, renumbered below 1 so the new
//     epoch's seqs never meet them;
//   - the outbox counter, the acknowledged seq and the epoch (sync_state
//     and the device row) are set for the new epoch.
//
// The new epoch is the clock's nanoseconds, and always above the old one.
func (s *Store) RenewInstallEpoch(ctx context.Context, from int64) (EpochRenewal, error) {
	var out EpochRenewal
	step := func(name string) {
		if renewEpochStep != nil {
			renewEpochStep(name)
		}
	}
	err := s.tx(ctx, func(tx *txn) error {
		out = EpochRenewal{}
		var cur int64
		var dev string
		err := tx.QueryRowContext(ctx, `SELECT install_epoch, device_id FROM sync_state WHERE id = 1`).Scan(&cur, &dev)
		if isNoRows(err) {
			return &Error{Code: ENOTFOUND, Key: "err.sync.not_enrolled"}
		}
		if err != nil {
			return fmt.Errorf("renew epoch: %w", err)
		}
		out.Epoch = cur
		if cur != from {
			return nil
		}
		var hw int64
		if err := tx.QueryRowContext(ctx, `SELECT max(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'outbox'), 0),
			(SELECT last_acked FROM sync_state WHERE id = 1), COALESCE((SELECT max(seq) FROM outbox), 0),
			COALESCE((SELECT max(seq) FROM sync_rejections), 0))`).Scan(&hw); err != nil {
			return fmt.Errorf("renew epoch: %w", err)
		}
		tables, err := tablesWithColumn(ctx, tx, "sync_ord")
		if err != nil {
			return err
		}
		exec := func(q string, args ...any) (int64, error) {
			res, err := tx.ExecContext(ctx, q, args...)
			if err != nil {
				return 0, fmt.Errorf("renew epoch: %w", err)
			}
			return res.RowsAffected()
		}

		// The records the acknowledged rows wrote take HQ's order (the
		// scope seq HQ acknowledged them with); a refused one, which HQ
		// never ordered, goes before every change still waiting.
		step("acked-ords")
		for _, t := range tables {
			if _, err := exec(`UPDATE "`+t+`" SET sync_ord = COALESCE((SELECT CASE WHEN o.scope_seq > 0 THEN o.scope_seq ELSE ?1 END
				FROM outbox o WHERE o.pushed_at IS NOT NULL AND ?1 + o.seq = "`+t+`".sync_ord), sync_ord)
				WHERE sync_ord > ?1 AND sync_ord - ?1 IN (SELECT seq FROM outbox WHERE pushed_at IS NOT NULL)`, pendingOrd); err != nil {
				return err
			}
		}
		step("drop-acked")
		n, err := exec(`DELETE FROM outbox WHERE pushed_at IS NOT NULL`)
		if err != nil {
			return err
		}
		out.Dropped = int(n)

		// Rejections of the old epoch: seq - hw, all below 1, through
		// values far below both ranges so no two rows ever meet.
		step("rejections")
		const far = int64(1) << 52
		if _, err := exec(`UPDATE sync_rejections SET seq = -seq - ?`, far); err != nil {
			return err
		}
		if _, err := exec(`UPDATE sync_rejections SET seq = -(seq + ?) - ?`, far, hw); err != nil {
			return err
		}

		// The pending rows: old seq → rank, through negative seqs.
		step("renumber")
		for _, q := range []string{
			`CREATE TEMP TABLE IF NOT EXISTS epoch_seqs (old INTEGER PRIMARY KEY, new INTEGER NOT NULL)`,
			`DELETE FROM temp.epoch_seqs`,
			`INSERT INTO temp.epoch_seqs (old, new) SELECT seq, row_number() OVER (ORDER BY seq) FROM outbox`,
			`UPDATE outbox SET seq = -seq`,
			`UPDATE outbox SET seq = (SELECT m.new FROM temp.epoch_seqs m WHERE m.old = -outbox.seq)`,
		} {
			if _, err := exec(q); err != nil {
				return err
			}
		}
		step("pending-ords")
		for _, t := range tables {
			if _, err := exec(`UPDATE "`+t+`" SET sync_ord = ?1 + (SELECT m.new FROM temp.epoch_seqs m WHERE m.old = "`+t+`".sync_ord - ?1)
				WHERE sync_ord > ?1 AND sync_ord - ?1 IN (SELECT old FROM temp.epoch_seqs)`, pendingOrd); err != nil {
				return err
			}
		}
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM temp.epoch_seqs`).Scan(&out.Renumbered); err != nil {
			return fmt.Errorf("renew epoch: %w", err)
		}
		if _, err := exec(`DROP TABLE temp.epoch_seqs`); err != nil {
			return err
		}

		step("epoch")
		epoch := max(s.now().UnixNano(), cur+1)
		for _, q := range []struct {
			sql  string
			args []any
		}{
			{`DELETE FROM sqlite_sequence WHERE name = 'outbox'`, nil},
			{`INSERT INTO sqlite_sequence (name, seq) SELECT 'outbox', ? WHERE ? > 0`, []any{out.Renumbered, out.Renumbered}},
			{`UPDATE sync_state SET install_epoch = ?, last_acked = 0 WHERE id = 1`, []any{epoch}},
			{`UPDATE device SET install_epoch = ? WHERE id = ?`, []any{epoch, dev}},
		} {
			if _, err := exec(q.sql, q.args...); err != nil {
				return err
			}
		}
		out.Renewed, out.Epoch = true, epoch
		step("done")
		return nil
	})
	if err != nil {
		return EpochRenewal{}, err
	}
	if out.Renewed {
		slog.Warn("new install epoch: the outbox had diverged from hq (store restored from a backup?)",
			"old_epoch", from, "epoch", out.Epoch, "renumbered", out.Renumbered, "dropped", out.Dropped)
		if err := s.loadDevice(ctx); err != nil {
			return out, err
		}
	}
	return out, nil
}
