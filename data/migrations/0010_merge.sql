-- Merging what two devices wrote offline (docs/sync.md, Merge rules).
-- A care revisit scheduled by a signing or a completed handover has an id
-- made from its source and kind, so two devices completing one handover
-- offline make one revisit; sync_ord says whose schedule it keeps (the
-- first in HQ's order). Rows already here were all recorded on this
-- device: they take their outbox row's place (rowid order when none).
ALTER TABLE care_revisits ADD COLUMN sync_ord INTEGER NOT NULL DEFAULT 0;
UPDATE care_revisits SET sync_ord = COALESCE(
    (SELECT 1125899906842624 + o.seq FROM outbox o WHERE o.mutation = 'care_revisit.schedule' AND o.record_id = care_revisits.id), rowid);

-- The office's opening hours are an office record (office.hours), shared
-- by every device of the office; the latest in HQ's order wins. The
-- per-device setting office.opening_hours is read until the store moves
-- it here (Store.Open records it as the office's).
CREATE TABLE office_hours (
    id         TEXT PRIMARY KEY,
    office_id  TEXT NOT NULL,
    device_id  TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    created_by TEXT,
    days       TEXT NOT NULL,   -- ISO weekdays, "1234567"
    open       TEXT NOT NULL,   -- HH:MM
    close      TEXT NOT NULL,   -- HH:MM
    sync_ord   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX office_hours_office ON office_hours (office_id, sync_ord);
