-- Sync with HQ, part A: the order of events (sync_ord), the device's sync
-- state (identity, enrollment, cursors, rejections, secret) and the outbox's
-- acknowledgements. See docs/data.md (Sync) and docs/sync.md.

-- The outbox: acknowledgement and the payload format. format 0 = written
-- before the mutation registry (re-encoded once at open), 1 = typed JSON.
ALTER TABLE outbox ADD COLUMN format INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN ack_status TEXT NOT NULL DEFAULT '';   -- applied | duplicate | rejected, once pushed_at is set
ALTER TABLE outbox ADD COLUMN scope TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN scope_seq INTEGER NOT NULL DEFAULT 0;
CREATE INDEX outbox_record ON outbox (record_id);
CREATE INDEX outbox_format ON outbox (seq) WHERE format = 0;
CREATE INDEX outbox_acked ON outbox (pushed_at) WHERE pushed_at IS NOT NULL;

-- The device's letter in its office's ticket numbers, from HQ ('' = standalone).
ALTER TABLE device ADD COLUMN tag TEXT NOT NULL DEFAULT '';

-- sync_ord orders the records a state is derived from: HQ's seq in the
-- record's scope once HQ has it, else 1<<50 + the outbox seq of the change
-- that wrote it (pending). Existing rows were all made on this device and
-- none has been pushed: each takes the pending ord of its outbox row. A row
-- no outbox row ever carried (a FAQ version sent back to draft before this
-- version emitted it) takes 0: it was never synced, so no derivation counts
-- it after the events every device has.
ALTER TABLE office ADD COLUMN sync_ord INTEGER NOT NULL DEFAULT 0;
ALTER TABLE staff ADD COLUMN sync_ord INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sources ADD COLUMN sync_ord INTEGER NOT NULL DEFAULT 0;
ALTER TABLE visitors ADD COLUMN sync_ord INTEGER NOT NULL DEFAULT 0;
ALTER TABLE visits ADD COLUMN sync_ord INTEGER NOT NULL DEFAULT 0;
ALTER TABLE visit_events ADD COLUMN sync_ord INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rotation_events ADD COLUMN sync_ord INTEGER NOT NULL DEFAULT 0;
ALTER TABLE faq_categories ADD COLUMN sync_ord INTEGER NOT NULL DEFAULT 0;
ALTER TABLE faq_versions ADD COLUMN sync_ord INTEGER NOT NULL DEFAULT 0;
ALTER TABLE faq_status_events ADD COLUMN sync_ord INTEGER NOT NULL DEFAULT 0;
ALTER TABLE consult_log ADD COLUMN sync_ord INTEGER NOT NULL DEFAULT 0;
ALTER TABLE consult_handoffs ADD COLUMN sync_ord INTEGER NOT NULL DEFAULT 0;
ALTER TABLE consult_handoff_events ADD COLUMN sync_ord INTEGER NOT NULL DEFAULT 0;
ALTER TABLE faq_misses ADD COLUMN sync_ord INTEGER NOT NULL DEFAULT 0;

UPDATE office SET sync_ord = COALESCE((SELECT 1125899906842624 + max(o.seq) FROM outbox o WHERE o.record_id = office.id AND o.mutation = 'office.setup'), 0);
UPDATE staff SET sync_ord = COALESCE((SELECT 1125899906842624 + max(o.seq) FROM outbox o WHERE o.record_id = staff.id AND o.mutation = 'staff.save'), 0);
UPDATE sources SET sync_ord = COALESCE((SELECT 1125899906842624 + max(o.seq) FROM outbox o WHERE o.record_id = sources.id AND o.mutation = 'source.save'), 0);
UPDATE faq_categories SET sync_ord = COALESCE((SELECT 1125899906842624 + max(o.seq) FROM outbox o WHERE o.record_id = faq_categories.id AND o.mutation = 'faq.category'), 0);
UPDATE visits SET sync_ord = COALESCE((SELECT 1125899906842624 + min(o.seq) FROM outbox o WHERE o.record_id = visits.id AND o.mutation = 'visit.checkin'), 0);
UPDATE visitors SET sync_ord = COALESCE((SELECT min(v.sync_ord) FROM visits v WHERE v.visitor_id = visitors.id), 0);
UPDATE visit_events SET sync_ord = COALESCE((SELECT 1125899906842624 + min(o.seq) FROM outbox o WHERE o.record_id = visit_events.id AND o.mutation = 'visit.event'), 0);
UPDATE rotation_events SET sync_ord = COALESCE((SELECT 1125899906842624 + min(o.seq) FROM outbox o WHERE o.record_id = rotation_events.id AND o.mutation = 'rotation.action'), 0);
-- faq.save's record was the entry; the version is in the payload.
UPDATE faq_versions SET sync_ord = COALESCE((SELECT 1125899906842624 + min(o.seq) FROM outbox o
    WHERE o.record_id = faq_versions.entry_id AND o.mutation = 'faq.save' AND json_extract(o.payload, '$.version') = faq_versions.version), 0);
UPDATE faq_status_events SET sync_ord = COALESCE((SELECT 1125899906842624 + min(o.seq) FROM outbox o WHERE o.record_id = faq_status_events.id AND o.mutation = 'faq.status'), 0);
-- A version's first draft event is carried by its faq.save: it takes the
-- version's id (so the same event has the same id on every device) and ord.
UPDATE faq_status_events SET id = (SELECT v.id FROM faq_versions v WHERE v.entry_id = faq_status_events.entry_id AND v.version = faq_status_events.version),
    sync_ord = (SELECT v.sync_ord FROM faq_versions v WHERE v.entry_id = faq_status_events.entry_id AND v.version = faq_status_events.version)
    WHERE status = 'draft' AND rowid = (SELECT min(e.rowid) FROM faq_status_events e WHERE e.entry_id = faq_status_events.entry_id AND e.version = faq_status_events.version);
UPDATE consult_log SET sync_ord = COALESCE((SELECT 1125899906842624 + min(o.seq) FROM outbox o WHERE o.record_id = consult_log.id AND o.mutation = 'consult.log'), 0);
UPDATE consult_handoffs SET sync_ord = COALESCE((SELECT 1125899906842624 + min(o.seq) FROM outbox o WHERE o.record_id = consult_handoffs.id AND o.mutation = 'consult.handoff'), 0);
UPDATE consult_handoff_events SET sync_ord = COALESCE((SELECT 1125899906842624 + min(o.seq) FROM outbox o WHERE o.record_id = consult_handoff_events.id AND o.mutation = 'consult.handoff_done'), 0);
UPDATE faq_misses SET sync_ord = COALESCE((SELECT 1125899906842624 + min(o.seq) FROM outbox o WHERE o.record_id = faq_misses.id AND o.mutation = 'faq.miss'), 0);

DROP INDEX visit_events_visit;
CREATE INDEX visit_events_visit ON visit_events (visit_id, sync_ord);
DROP INDEX rotation_events_day;
CREATE INDEX rotation_events_day ON rotation_events (office_id, day, sync_ord);
DROP INDEX faq_status_events_entry;
CREATE INDEX faq_status_events_entry ON faq_status_events (entry_id, sync_ord);
CREATE INDEX consult_handoff_events_handoff ON consult_handoff_events (handoff_id, sync_ord);

-- Device-local: who this installation is and where it syncs. Exactly one
-- row once made (before setup too: a new device has an id before it joins
-- an office). Never synced.
CREATE TABLE sync_state (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    device_id      TEXT NOT NULL,
    install_epoch  INTEGER NOT NULL,
    hq_url         TEXT NOT NULL DEFAULT '',
    fingerprint    TEXT NOT NULL DEFAULT '',  -- pinned SHA-256 of HQ's certificate, hex; '' = system roots
    hq_id          TEXT NOT NULL DEFAULT '',
    role           TEXT NOT NULL DEFAULT '',  -- office | hq, while enrolled
    scopes         TEXT NOT NULL DEFAULT '[]',-- JSON array
    enrolled       INTEGER NOT NULL DEFAULT 0,
    enrolled_at    INTEGER NOT NULL DEFAULT 0,
    last_attempt   INTEGER NOT NULL DEFAULT 0,
    last_success   INTEGER NOT NULL DEFAULT 0,
    last_error_key TEXT NOT NULL DEFAULT '',
    skipped        INTEGER NOT NULL DEFAULT 0,-- pulled changes that could not be applied
    last_acked     INTEGER NOT NULL DEFAULT 0 -- the highest outbox seq HQ acknowledged (kept when rows are pruned)
);
INSERT INTO sync_state (id, device_id, install_epoch) SELECT 1, id, install_epoch FROM device LIMIT 1;

-- Device-local: the device's credential from enrollment. Never synced, never logged.
CREATE TABLE sync_secret (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    secret TEXT NOT NULL
);

-- Device-local: how far each scope has been pulled.
CREATE TABLE sync_cursors (
    scope  TEXT PRIMARY KEY,
    cursor INTEGER NOT NULL
);

-- Device-local: mutations HQ refused, to show the office.
CREATE TABLE sync_rejections (
    seq       INTEGER PRIMARY KEY,            -- the outbox seq
    mutation  TEXT NOT NULL,
    record_id TEXT NOT NULL,
    code      TEXT NOT NULL,
    key       TEXT NOT NULL,
    args      TEXT NOT NULL DEFAULT '{}',     -- JSON
    at        INTEGER NOT NULL
);
