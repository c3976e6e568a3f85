package hq

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"time"
)

// The raw-insert baseline of the load tool (cmd/anchang-load): how fast
// this database takes the rows a push writes when nothing but plain
// multi-row INSERTs is done, so HQ's ingest rate can be judged against the
// database it runs on, not against a number from another machine.

// BaselineRow is one pushed mutation's rows: its change, its record and its
// receipt.
type BaselineRow struct {
	Scope     string
	Seq       int64 // in the scope
	Entity    string
	RecordID  string
	Name      string
	Version   int
	Rank      int
	Payload   []byte
	Device    string
	Epoch     int64
	OriginSeq int64
	Hash      string
	At        int64
}

// baselineTables are the tables a push writes a row in for each mutation;
// the baseline writes into scratch copies of them (same columns, keys and
// indexes), named hq_bl_*.
var baselineTables = []string{"hq_changes", "hq_records", "hq_receipts"}

func baselineDDL() []string {
	var out []string
	for _, stmt := range schema {
		for _, t := range baselineTables {
			if strings.Contains(stmt, " "+t+" (") {
				s := strings.ReplaceAll(stmt, " "+t+" (", " hq_bl_"+strings.TrimPrefix(t, "hq_")+" (")
				s = strings.ReplaceAll(s, "INDEX IF NOT EXISTS hq_", "INDEX IF NOT EXISTS hq_bl_")
				out = append(out, s)
			}
		}
	}
	return out
}

// InsertBaseline writes rows into fresh scratch copies of hq_changes,
// hq_records and hq_receipts with plain multi-row INSERTs (one statement per
// table per transaction), batch rows per transaction, from workers
// goroutines, through this store's own connection pool and settings, and
// returns the time taken. The scratch tables are dropped afterwards.
func (s *SQLStore) InsertBaseline(ctx context.Context, rows []BaselineRow, batch, workers int) (time.Duration, error) {
	if batch < 1 || workers < 1 {
		return 0, fmt.Errorf("baseline: batch %d, workers %d", batch, workers)
	}
	drop := func() error {
		for _, t := range baselineTables {
			if _, err := s.db.ExecContext(ctx, `DROP TABLE IF EXISTS hq_bl_`+strings.TrimPrefix(t, "hq_")); err != nil {
				return fmt.Errorf("baseline: %w", err)
			}
		}
		return nil
	}
	if err := drop(); err != nil {
		return 0, err
	}
	for _, stmt := range baselineDDL() {
		if _, err := s.db.ExecContext(ctx, s.pgType(stmt)); err != nil {
			return 0, fmt.Errorf("baseline: %w", err)
		}
	}
	defer drop()

	jobs := make(chan []BaselineRow)
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range jobs {
				if err := s.write(ctx, func(tx *sql.Tx) error { return s.insertBaseline(ctx, tx, b) }); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	var err error
feed:
	for i := 0; i < len(rows); i += batch {
		select {
		case jobs <- rows[i:min(i+batch, len(rows))]:
		case err = <-errs:
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	d := time.Since(start)
	if err == nil {
		select {
		case err = <-errs:
		default:
		}
	}
	if err != nil {
		return 0, fmt.Errorf("baseline: %w", err)
	}
	for _, t := range baselineTables {
		var n int
		if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM hq_bl_`+strings.TrimPrefix(t, "hq_")).Scan(&n); err != nil {
			return 0, fmt.Errorf("baseline: %w", err)
		}
		if n != len(rows) {
			return 0, fmt.Errorf("baseline: %s has %d rows, want %d", t, n, len(rows))
		}
	}
	return d, nil
}

func (s *SQLStore) insertBaseline(ctx context.Context, tx *sql.Tx, b []BaselineRow) error {
	var sb strings.Builder
	multi := func(head string, cols int) string {
		sb.Reset()
		sb.WriteString(head)
		ph := "(" + strings.TrimSuffix(strings.Repeat("?, ", cols), ", ") + ")"
		for i := range b {
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString(ph)
		}
		return s.q(sb.String())
	}
	args := make([]any, 0, len(b)*13)
	for _, r := range b {
		args = append(args, r.Scope, r.Seq, r.Entity, r.RecordID, r.Name, r.Version, string(r.Payload), 0, r.Device, r.Epoch, r.OriginSeq, r.Hash, r.At)
	}
	if _, err := tx.ExecContext(ctx, multi(`INSERT INTO hq_bl_changes (scope, seq, entity, record_id, name, version, payload, deleted, origin_device, origin_epoch, origin_seq, hash, at) VALUES `, 13), args...); err != nil {
		return err
	}
	args = args[:0]
	for _, r := range b {
		args = append(args, r.Entity, r.RecordID, r.Scope, r.Seq, r.Rank, r.Name, r.Version, string(r.Payload), 0, r.Device, r.OriginSeq)
	}
	if _, err := tx.ExecContext(ctx, multi(`INSERT INTO hq_bl_records (entity, record_id, scope, seq, snap_rank, name, version, payload, deleted, origin_device, origin_seq) VALUES `, 11), args...); err != nil {
		return err
	}
	args = args[:0]
	for _, r := range b {
		args = append(args, r.Device, r.Epoch, r.OriginSeq, r.Hash, "applied", r.Scope, r.Seq)
	}
	_, err := tx.ExecContext(ctx, multi(`INSERT INTO hq_bl_receipts (device_id, install_epoch, seq, hash, status, scope, scope_seq) VALUES `, 7), args...)
	return err
}
