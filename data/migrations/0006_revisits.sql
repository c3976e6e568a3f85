-- Care revisits (客户回访) that are not tickets: one week after a contract
-- is signed, 3 months and 1 year after a handover, and special (help
-- service) revisits the desk schedules. A revisit is scheduled once and
-- never edited; its result is a separate record, born once.

CREATE TABLE care_revisits (
    id            TEXT PRIMARY KEY,
    office_id     TEXT NOT NULL,
    device_id     TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    created_by    TEXT,                    -- NULL: a kiosk check-in scheduled it
    kind          TEXT NOT NULL CHECK (kind IN ('signing', 'move_in_3m', 'move_in_1y', 'special')),
    source_id     TEXT,                    -- the visit (signing) or inspection (move-in); NULL for special
    customer_name TEXT NOT NULL,
    phone         TEXT NOT NULL,           -- E.164
    place         TEXT NOT NULL DEFAULT '',
    note          TEXT NOT NULL DEFAULT '',
    due_from      INTEGER NOT NULL,
    due_to        INTEGER NOT NULL,
    CHECK (due_to >= due_from)
);
CREATE INDEX care_revisits_due ON care_revisits (office_id, due_to);
CREATE UNIQUE INDEX care_revisits_source ON care_revisits (source_id, kind) WHERE source_id IS NOT NULL;

-- The revisit record (回访记录表). Never updated; one per revisit.
CREATE TABLE care_revisit_results (
    id           TEXT PRIMARY KEY,
    office_id    TEXT NOT NULL,
    device_id    TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    created_by   TEXT NOT NULL,            -- who made the revisit
    revisit_id   TEXT NOT NULL UNIQUE REFERENCES care_revisits (id),
    at           INTEGER NOT NULL,         -- when the customer was reached
    method       TEXT NOT NULL CHECK (method IN ('phone', 'visit', 'sms')),
    satisfaction INTEGER NOT NULL CHECK (satisfaction BETWEEN 1 AND 5),
    quality      TEXT NOT NULL DEFAULT '',
    effect       TEXT NOT NULL DEFAULT '',
    shortcomings TEXT NOT NULL DEFAULT '',
    suggestions  TEXT NOT NULL DEFAULT '',
    note         TEXT NOT NULL DEFAULT '',
    ticket_id    TEXT REFERENCES tickets (id) -- the complaint an unsatisfactory result opened
);
CREATE INDEX care_revisit_results_at ON care_revisit_results (office_id, at);
