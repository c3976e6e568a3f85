package data

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// An import is written in chunks, so that the desk's writes keep flowing
// (a 20,000-row manual held the write lock for 6–17 s in one transaction,
// and a check-in waiting behind it failed after the 5 s busy timeout), and
// it is still all or nothing:
//
//  1. The file is read and every row checked and planned — the complete
//     list of changes — with no write lock held (reads only).
//  2. A short transaction registers the import (table imports). From then
//     on FAQ edits are refused (err.import.running) and the outbox holds
//     back everything from the import's first row on (PendingOutbox), so
//     HQ never receives half an import.
//  3. The changes are recorded (outbox row and record, as any write) in
//     chunks of at most importChunkTime each, their outbox rows tagged
//     with the import's id. Between chunks the import waits while a desk
//     write is waiting for the lock. Nothing shows yet: a new entry has
//     latest_version 0 and the derived state of an entry (its newest and
//     live version) is left as it was.
//  4. One short transaction derives every entry the import touched, set-
//     based, and deletes the imports row: the whole import appears at once.
//
// A failure or a cancelled context before step 4 rolls it back
// (rollbackImport: its records and outbox rows taken out, the outbox rows
// after them renumbered so the seqs stay dense, as HQ requires). After a
// crash or a kill, RecoverImports does, which whoever holds the data
// directory (LockDir: the desk at start, a writing CLI verb) calls — not
// Open, which a reading verb may call beside a desk that is importing.

// importChunkTime is how long one chunk of an import may hold the write
// lock; importChunkMax bounds its changes.
var (
	importChunkTime = 40 * time.Millisecond
	importChunkMax  = 2000
)

// importYieldMax bounds how long an import waits between two chunks for
// desk writes to go first.
const importYieldMax = time.Second

// importUndo lists, for each mutation an import records, how to delete
// the rows it wrote; in each statement the subquery is the record ids of
// the import's outbox rows of that mutation (?1 the import, ?2 the
// mutation). A faq.save writes the version and its draft status event
// under the version's id; a ticket.open the ticket and its opening event.
const importRecords = `(SELECT record_id FROM outbox WHERE import_id = ?1 AND mutation = ?2)`

var importUndo = map[string][]string{
	MutFAQSave:     {`DELETE FROM faq_status_events WHERE id IN ` + importRecords, `DELETE FROM faq_versions WHERE id IN ` + importRecords},
	MutFAQStatus:   {`DELETE FROM faq_status_events WHERE id IN ` + importRecords},
	MutFAQCategory: {`DELETE FROM faq_categories WHERE id IN ` + importRecords},
	MutTicketOpen:  {`DELETE FROM ticket_events WHERE ticket_id IN ` + importRecords, `DELETE FROM tickets WHERE id IN ` + importRecords},
}

// importStep writes one change of an import in the chunk's transaction.
type importStep func(ctx context.Context, tx *txn) error

// recordSteps are steps that record payloads.
func recordSteps(at int64, ps []payload) []importStep {
	out := make([]importStep, len(ps))
	for i, p := range ps {
		out[i] = func(ctx context.Context, tx *txn) error { return record(ctx, tx, at, p) }
	}
	return out
}

func (s *Store) hook(stage string, n int) {
	if s.importHook != nil {
		s.importHook(stage, n)
	}
}

// beginImport registers an import of kind by actor (allowed to do it),
// refusing while another one is under way.
func (s *Store) beginImport(ctx context.Context, actorID string, allowed func(Role) bool, kind string) (string, error) {
	// What an earlier process left unfinished goes first (this one holds
	// the directory: an import writes).
	if err := s.RecoverImports(ctx); err != nil {
		return "", err
	}
	id := newID()
	s.importMu.Lock()
	s.lastImport = importStats{}
	if s.importing == nil {
		s.importing = map[string]bool{}
	}
	s.importing[id] = true
	s.importMu.Unlock()
	err := s.actorTx(ctx, actorID, allowed, func(tx *txn, st stamp) error {
		if err := noImportRunning(ctx, tx); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO imports (id, kind, started_at) VALUES (?, ?, ?)`, id, kind, st.at)
		return err
	})
	if err != nil {
		s.importDone(id)
		return "", err
	}
	return id, nil
}

// errImportEnroll refuses an enrollment while an import is under way:
// adopting HQ's office renumbers the outbox, and the import's rows in it
// are counted from where it began (docs/data.md, imports).
func errImportEnroll() error {
	return &Error{Code: ECONFLICT, Key: "err.import.enrol", Err: errors.New("enroll: an import is under way")}
}

func (s *Store) importDone(id string) {
	s.importMu.Lock()
	delete(s.importing, id)
	s.importMu.Unlock()
}

// noImportRunning refuses a change while an import is under way (an FAQ
// edit would number its version as one the import is writing).
func noImportRunning(ctx context.Context, tx *txn) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM imports`).Scan(&n); err != nil {
		return fmt.Errorf("imports: %w", err)
	}
	if n > 0 {
		return &Error{Code: ECONFLICT, Key: "err.import.running"}
	}
	return nil
}

// runImport records steps in chunks under the import id, then finishes it
// with finish (which derives what the steps touched) in one transaction
// that also deletes the imports row. On any error the import is rolled
// back and the error returned.
// deferDerive: the chunks collect the re-derivations their records ask
// for and finish does them (the FAQ: its entries stay as they were until
// the end); otherwise each chunk derives what it writes (tickets).
func (s *Store) runImport(ctx context.Context, id string, steps []importStep, deferDerive bool, finish func(ctx context.Context, tx *txn) error) error {
	defer s.importDone(id)
	err := s.writeImport(ctx, id, steps, deferDerive, finish)
	if err != nil {
		if rerr := s.rollbackImport(context.WithoutCancel(ctx), id); rerr != nil {
			slog.Error("import rollback failed; retried at the next start", "import", id, "err", rerr)
		}
	}
	return err
}

func (s *Store) writeImport(ctx context.Context, id string, steps []importStep, deferDerive bool, finish func(ctx context.Context, tx *txn) error) error {
	chunk := 0
	for i := 0; i < len(steps); {
		s.yieldToDesk()
		if err := ctx.Err(); err != nil {
			return err
		}
		next := i
		t0 := time.Now()
		err := s.importTx(ctx, func(tx *txn) error {
			tx.importID = id
			if deferDerive {
				tx.derive = &derivations{} // derived at the end
			}
			start := time.Now()
			for next < len(steps) {
				if err := steps[next](ctx, tx); err != nil {
					return err
				}
				next++
				if next-i >= importChunkMax || time.Since(start) >= importChunkTime {
					break
				}
			}
			if i == 0 {
				if _, err := tx.ExecContext(ctx, `UPDATE imports SET first_seq = (SELECT min(seq) FROM outbox WHERE import_id = ?1) WHERE id = ?1`, id); err != nil {
					return fmt.Errorf("import: %w", err)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		i = next
		chunk++
		s.noteImportTx(time.Since(t0), false)
		s.hook("chunk", chunk)
	}
	s.yieldToDesk()
	if err := ctx.Err(); err != nil {
		return err
	}
	s.hook("finish", chunk)
	t0 := time.Now()
	defer func() { s.noteImportTx(time.Since(t0), true) }()
	return s.importTx(ctx, func(tx *txn) error {
		if err := finish(ctx, tx); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM imports WHERE id = ?`, id)
		if err != nil {
			return fmt.Errorf("import: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("import %s: no longer registered", id)
		}
		return nil
	})
}

// importStats are the figures of the last import's transactions, each
// from begin (waiting for the lock included) to commit.
type importStats struct {
	chunks  int
	longest time.Duration // the longest chunk
	finish  time.Duration // the last transaction
}

func (s *Store) noteImportTx(d time.Duration, finish bool) {
	s.importMu.Lock()
	defer s.importMu.Unlock()
	if finish {
		s.lastImport.finish = d
		return
	}
	if s.lastImport.chunks == 0 {
		s.lastImport.longest = 0
	}
	s.lastImport.chunks++
	s.lastImport.longest = max(s.lastImport.longest, d)
}

// importTx is tx for an import's own transactions: they do not count as
// desk writes waiting (deskWaiting).
func (s *Store) importTx(ctx context.Context, fn func(*txn) error) error {
	if err := s.writable(); err != nil {
		return err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return s.failed(fmt.Errorf("begin: %w", err))
	}
	return s.runTx(ctx, tx, fn)
}

// yieldToDesk waits, up to importYieldMax, while desk writes wait for the
// write lock: SQLite's lock is not fair, and an import starting its next
// chunk at once could win it again and again.
func (s *Store) yieldToDesk() {
	for deadline := time.Now().Add(importYieldMax); s.deskWaiting.Load() > 0 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
}

// rollbackImport takes an unfinished import out: the records its outbox
// rows name, the entries it created, its outbox rows (the later ones
// renumbered so the seqs stay dense: none of them has been pushed, the
// outbox held them back), and its imports row. The entries it touched are
// derived again from what remains.
func (s *Store) rollbackImport(ctx context.Context, id string) error {
	return s.importTx(ctx, func(tx *txn) error {
		var touched string
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(json_group_array(DISTINCT json_extract(payload, '$.entry_id')), '[]') FROM outbox
			WHERE import_id = ? AND mutation IN (?, ?)`, id, MutFAQSave, MutFAQStatus).Scan(&touched); err != nil {
			return fmt.Errorf("import rollback: %w", err)
		}
		for name, stmts := range importUndo {
			for _, q := range stmts {
				if _, err := tx.ExecContext(ctx, q, id, name); err != nil {
					return fmt.Errorf("import rollback: %s: %w", name, err)
				}
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM faq_entries WHERE latest_version = 0 AND id IN (SELECT value FROM json_each(?))
			AND NOT EXISTS (SELECT 1 FROM faq_versions v WHERE v.entry_id = faq_entries.id)`, touched); err != nil {
			return fmt.Errorf("import rollback: entries: %w", err)
		}
		if err := deriveFAQEntries(ctx, tx, touched); err != nil {
			return err
		}
		if err := dropOutboxRows(ctx, tx, `SELECT seq FROM outbox WHERE import_id = ?`, id); err != nil {
			return fmt.Errorf("import rollback: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM imports WHERE id = ?`, id); err != nil {
			return fmt.Errorf("import rollback: %w", err)
		}
		return nil
	})
}

// RecoverImports rolls back the imports a crash or a kill left unfinished
// (every one this Store is not writing). Only the holder of the data
// directory may call it (see LockDir): the desk at start, a writing verb.
func (s *Store) RecoverImports(ctx context.Context) error {
	if s.readOnly {
		return nil
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id FROM imports ORDER BY started_at`)
	if err != nil {
		return fmt.Errorf("imports: %w", err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return fmt.Errorf("imports: %w", err)
		}
		s.importMu.Lock()
		live := s.importing[id]
		s.importMu.Unlock()
		if !live {
			ids = append(ids, id)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("imports: %w", err)
	}
	for _, id := range ids {
		slog.Warn("rolling back an import that did not finish", "import", id)
		if err := s.rollbackImport(ctx, id); err != nil {
			return err
		}
	}
	if len(ids) > 0 {
		s.faqChanged()
	}
	return nil
}

// deriveFAQEntries derives the entries named in ids (a JSON array), set-
// based, as deriveFAQEntry does one: the newest version and status from
// the last status event in sync order, the live version from the last
// approval or retirement.
func deriveFAQEntries(ctx context.Context, tx *txn, ids string) error {
	_, err := tx.ExecContext(ctx, `WITH ev AS (SELECT e.entry_id, e.version, e.status, e.created_at,
			row_number() OVER (PARTITION BY e.entry_id ORDER BY e.sync_ord DESC, e.id DESC) AS rn
			FROM faq_status_events e WHERE e.entry_id IN (SELECT value FROM json_each(?1)))
		UPDATE faq_entries SET latest_version = ev.version, latest_status = ev.status, updated_at = ev.created_at,
			live_version = (SELECT CASE WHEN l.status = 'approved' THEN l.version END FROM faq_status_events l
				WHERE l.entry_id = faq_entries.id AND l.status IN ('approved', 'retired') ORDER BY l.sync_ord DESC, l.id DESC LIMIT 1)
		FROM ev WHERE ev.entry_id = faq_entries.id AND ev.rn = 1`, ids)
	if err != nil {
		return fmt.Errorf("derive faq entries: %w", err)
	}
	return nil
}

// dropOutboxRows deletes the outbox rows whose seqs query selects (none
// pushed yet) and moves the rows after them down so the seqs stay dense
// (HQ refuses a gap), and the pending ords that name them (pendingOrd +
// seq) with them.
func dropOutboxRows(ctx context.Context, tx *txn, query string, args ...any) error {
	if _, err := tx.ExecContext(ctx, `CREATE TEMP TABLE IF NOT EXISTS dropped_seqs (seq INTEGER PRIMARY KEY)`); err != nil {
		return fmt.Errorf("drop outbox rows: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM temp.dropped_seqs`); err != nil {
		return fmt.Errorf("drop outbox rows: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO temp.dropped_seqs (seq) `+query, args...); err != nil {
		return fmt.Errorf("drop outbox rows: %w", err)
	}
	var first, pushed int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(min(seq), 0) FROM temp.dropped_seqs`).Scan(&first); err != nil {
		return fmt.Errorf("drop outbox rows: %w", err)
	}
	if first == 0 {
		_, err := tx.ExecContext(ctx, `DROP TABLE temp.dropped_seqs`)
		return err
	}
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM outbox WHERE seq >= ? AND pushed_at IS NOT NULL`, first).Scan(&pushed); err != nil {
		return fmt.Errorf("drop outbox rows: %w", err)
	}
	if pushed > 0 {
		return fmt.Errorf("drop outbox rows: %d rows from seq %d on were pushed", pushed, first)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM outbox WHERE seq IN (SELECT seq FROM temp.dropped_seqs)`); err != nil {
		return fmt.Errorf("drop outbox rows: %w", err)
	}
	// shift(x) = x - (number of dropped seqs below x). Ascending order, so
	// no row moves onto a seq still taken.
	if _, err := tx.ExecContext(ctx, `UPDATE outbox SET seq = seq - (SELECT count(*) FROM temp.dropped_seqs d WHERE d.seq < outbox.seq)
		WHERE seq > ?`, first); err != nil {
		return fmt.Errorf("drop outbox rows: renumber outbox: %w", err)
	}
	tables, err := tablesWithColumn(ctx, tx, "sync_ord")
	if err != nil {
		return err
	}
	for _, t := range tables {
		if _, err := tx.ExecContext(ctx, `UPDATE "`+t+`" SET sync_ord = sync_ord - (SELECT count(*) FROM temp.dropped_seqs d WHERE d.seq < "`+t+`".sync_ord - ?)
			WHERE sync_ord > ?`, pendingOrd, pendingOrd+first); err != nil {
			return fmt.Errorf("drop outbox rows: renumber %s: %w", t, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE sqlite_sequence SET seq = (SELECT COALESCE(max(seq), 0) FROM outbox) WHERE name = 'outbox'`); err != nil {
		return fmt.Errorf("drop outbox rows: renumber outbox: %w", err)
	}
	_, err = tx.ExecContext(ctx, `DROP TABLE temp.dropped_seqs`)
	return err
}
