-- Events ordered for sync: ticket events, inspection results, follow-ups,
-- values and care revisit results get sync_ord, the order their derived
-- state is folded in (HQ's sequence number once HQ has ordered a change;
-- 2^50 + the outbox seq while it waits on this device). Rows already here
-- were all recorded on this device: they take their outbox row's place
-- (rowid order when there is none). The local numbers (seq, n) stay as
-- arrival numbers on this device; they no longer order anything.
-- Photos and signatures move out of the records into blobs, keyed by
-- their SHA-256, so a mutation carries the hash and the bytes travel apart.

ALTER TABLE ticket_events ADD COLUMN sync_ord INTEGER NOT NULL DEFAULT 0;
-- skipped: the derivation refused this event at its place in the order
-- (another device closed the ticket first, …); kept and shown, not folded.
ALTER TABLE ticket_events ADD COLUMN skipped INTEGER NOT NULL DEFAULT 0;
UPDATE ticket_events SET sync_ord = COALESCE(
    (SELECT 1125899906842624 + o.seq FROM outbox o WHERE o.mutation = 'ticket.event' AND o.record_id = ticket_events.id),
    CASE WHEN kind = 'opened' THEN (SELECT 1125899906842624 + o.seq FROM outbox o WHERE o.mutation = 'ticket.open' AND o.record_id = ticket_events.ticket_id) END,
    rowid);
CREATE INDEX ticket_events_ord ON ticket_events (ticket_id, sync_ord);

ALTER TABLE inspections ADD COLUMN sync_ord INTEGER NOT NULL DEFAULT 0;
UPDATE inspections SET sync_ord = COALESCE(
    (SELECT 1125899906842624 + o.seq FROM outbox o WHERE o.mutation = 'inspection.start' AND o.record_id = inspections.id), rowid);

ALTER TABLE inspection_completions ADD COLUMN sync_ord INTEGER NOT NULL DEFAULT 0;
UPDATE inspection_completions SET sync_ord = COALESCE(
    (SELECT 1125899906842624 + o.seq FROM outbox o WHERE o.mutation = 'inspection.complete' AND o.record_id = inspection_completions.id), rowid);

ALTER TABLE inspection_results ADD COLUMN sync_ord INTEGER NOT NULL DEFAULT 0;
UPDATE inspection_results SET sync_ord = COALESCE(
    (SELECT 1125899906842624 + o.seq FROM outbox o WHERE o.mutation = 'inspection.result' AND o.record_id = inspection_results.id), rowid);
CREATE INDEX inspection_results_ord ON inspection_results (inspection_id, item, sync_ord);

ALTER TABLE inspection_followups ADD COLUMN sync_ord INTEGER NOT NULL DEFAULT 0;
UPDATE inspection_followups SET sync_ord = COALESCE(
    (SELECT 1125899906842624 + o.seq FROM outbox o WHERE o.mutation = 'inspection.followup' AND o.record_id = inspection_followups.id), rowid);
CREATE INDEX inspection_followups_ord ON inspection_followups (defect_id, inspection_id, sync_ord);

ALTER TABLE inspection_values ADD COLUMN sync_ord INTEGER NOT NULL DEFAULT 0;
UPDATE inspection_values SET sync_ord = COALESCE(
    (SELECT 1125899906842624 + o.seq FROM outbox o WHERE o.mutation = 'inspection.value' AND o.record_id = inspection_values.id), rowid);
CREATE INDEX inspection_values_ord ON inspection_values (inspection_id, kind, code, sync_ord);

ALTER TABLE holiday_imports ADD COLUMN sync_ord INTEGER NOT NULL DEFAULT 0;
UPDATE holiday_imports SET sync_ord = COALESCE(
    (SELECT 1125899906842624 + o.seq FROM outbox o WHERE o.mutation = 'holiday.import' AND o.record_id = holiday_imports.id), rowid);
DROP INDEX holiday_imports_year;
CREATE INDEX holiday_imports_year ON holiday_imports (year, sync_ord);

-- Two devices may each record a revisit's result offline: both are kept,
-- the first in sync order is the result. (Nothing refers to this table,
-- so it is rebuilt without UNIQUE (revisit_id).)
CREATE TABLE care_revisit_results_new (
    id           TEXT PRIMARY KEY,
    office_id    TEXT NOT NULL,
    device_id    TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    created_by   TEXT NOT NULL,            -- who made the revisit
    revisit_id   TEXT NOT NULL REFERENCES care_revisits (id),
    at           INTEGER NOT NULL,         -- when the customer was reached
    method       TEXT NOT NULL CHECK (method IN ('phone', 'visit', 'sms')),
    satisfaction INTEGER NOT NULL CHECK (satisfaction BETWEEN 1 AND 5),
    quality      TEXT NOT NULL DEFAULT '',
    effect       TEXT NOT NULL DEFAULT '',
    shortcomings TEXT NOT NULL DEFAULT '',
    suggestions  TEXT NOT NULL DEFAULT '',
    note         TEXT NOT NULL DEFAULT '',
    ticket_id    TEXT REFERENCES tickets (id), -- the complaint an unsatisfactory result opened
    sync_ord     INTEGER NOT NULL DEFAULT 0
);
INSERT INTO care_revisit_results_new (id, office_id, device_id, created_at, created_by, revisit_id, at, method, satisfaction, quality, effect,
    shortcomings, suggestions, note, ticket_id, sync_ord)
SELECT id, office_id, device_id, created_at, created_by, revisit_id, at, method, satisfaction, quality, effect, shortcomings, suggestions, note, ticket_id,
    COALESCE((SELECT 1125899906842624 + o.seq FROM outbox o WHERE o.mutation = 'care_revisit.result' AND o.record_id = r.id), r.rowid)
FROM care_revisit_results r;
DROP TABLE care_revisit_results;
ALTER TABLE care_revisit_results_new RENAME TO care_revisit_results;
CREATE INDEX care_revisit_results_at ON care_revisit_results (office_id, at);
CREATE INDEX care_revisit_results_revisit ON care_revisit_results (revisit_id, sync_ord);

-- The built-in checklist (loaded on every device, never sent) takes the
-- id every device derives from it, with the inspections that use it.
-- Until now each device gave it an id of its own.
PRAGMA defer_foreign_keys = ON;
UPDATE inspections SET template_id = anchang_builtin_handover_id()
    WHERE template_id IN (SELECT id FROM inspection_templates WHERE code = 'handover' AND version = 1 AND created_by IS NULL);
DELETE FROM outbox WHERE mutation = 'inspection.template'
    AND record_id IN (SELECT id FROM inspection_templates WHERE code = 'handover' AND version = 1 AND created_by IS NULL);
UPDATE inspection_templates SET id = anchang_builtin_handover_id() WHERE code = 'handover' AND version = 1 AND created_by IS NULL;

-- Content-addressed bytes of photos and signatures. bytes is NULL for a
-- blob a pulled record refers to that has not been fetched yet; uploaded
-- is 1 once HQ holds it (or it came from HQ).
CREATE TABLE blobs (
    sha256     TEXT PRIMARY KEY,           -- lower-case hex
    bytes      BLOB,
    size       INTEGER NOT NULL,
    mime       TEXT NOT NULL,
    uploaded   INTEGER NOT NULL DEFAULT 0 CHECK (uploaded IN (0, 1)),
    created_at INTEGER NOT NULL
);
CREATE INDEX blobs_pending ON blobs (uploaded, created_at) WHERE bytes IS NOT NULL;
CREATE INDEX blobs_missing ON blobs (created_at) WHERE bytes IS NULL;

ALTER TABLE inspection_photos ADD COLUMN sha256 TEXT NOT NULL DEFAULT '';
ALTER TABLE inspection_photos ADD COLUMN size INTEGER NOT NULL DEFAULT 0;
INSERT OR IGNORE INTO blobs (sha256, bytes, size, mime, created_at)
SELECT anchang_sha256(jpeg), jpeg, length(jpeg), 'image/jpeg', created_at FROM inspection_photos WHERE length(jpeg) > 0;
UPDATE inspection_photos SET sha256 = anchang_sha256(jpeg), size = length(jpeg), jpeg = x'' WHERE length(jpeg) > 0;

ALTER TABLE inspection_completions ADD COLUMN owner_sig_sha256 TEXT NOT NULL DEFAULT '';
ALTER TABLE inspection_completions ADD COLUMN staff_sig_sha256 TEXT NOT NULL DEFAULT '';
INSERT OR IGNORE INTO blobs (sha256, bytes, size, mime, created_at)
SELECT anchang_sha256(owner_signature), owner_signature, length(owner_signature), 'image/png', created_at FROM inspection_completions WHERE length(owner_signature) > 0;
INSERT OR IGNORE INTO blobs (sha256, bytes, size, mime, created_at)
SELECT anchang_sha256(staff_signature), staff_signature, length(staff_signature), 'image/png', created_at FROM inspection_completions WHERE length(staff_signature) > 0;
UPDATE inspection_completions SET owner_sig_sha256 = anchang_sha256(owner_signature), owner_signature = NULL WHERE length(owner_signature) > 0;
UPDATE inspection_completions SET staff_sig_sha256 = anchang_sha256(staff_signature), staff_signature = NULL WHERE length(staff_signature) > 0;
