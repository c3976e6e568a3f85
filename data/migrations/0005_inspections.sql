-- Handover inspection (交付验房): checklist templates owned by HQ, the
-- inspections of units, and everything recorded during one as append-only
-- events: item results, follow-ups of earlier defects, meter readings and
-- keys, photos, signatures and completion. The current state is derived
-- (latest event wins, ordered by the per-inspection number n).

-- One version of a checklist template. Never updated: a revision is a new
-- row with the next version.
CREATE TABLE inspection_templates (
    id         TEXT PRIMARY KEY,
    office_id  TEXT NOT NULL,
    device_id  TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    created_by TEXT,                       -- NULL: the built-in default
    code       TEXT NOT NULL,              -- 'handover'
    version    INTEGER NOT NULL,
    name       TEXT NOT NULL,
    name_en    TEXT NOT NULL DEFAULT '',
    body       TEXT NOT NULL,              -- JSON: rooms, items, standards, meters, keys
    items      INTEGER NOT NULL,           -- number of checklist items
    UNIQUE (code, version)
);

-- One inspection of a unit, and its current state (derived in the same
-- transaction as each event).
CREATE TABLE inspections (
    id           TEXT PRIMARY KEY,
    office_id    TEXT NOT NULL,
    device_id    TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    created_by   TEXT,
    template_id  TEXT NOT NULL REFERENCES inspection_templates (id),
    kind         TEXT NOT NULL CHECK (kind IN ('handover', 'reinspection')),
    project      TEXT NOT NULL,
    building     TEXT NOT NULL,
    unit         TEXT NOT NULL,
    unit_key     TEXT NOT NULL,            -- project|building|unit, normalised: the unit's history
    owners       TEXT NOT NULL,            -- JSON array of names
    phone        TEXT NOT NULL,            -- E.164
    inspected_on TEXT NOT NULL,            -- YYYY-MM-DD
    inspector_id TEXT NOT NULL REFERENCES staff (id),
    -- derived:
    status       TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'completed')),
    answered     INTEGER NOT NULL DEFAULT 0,
    defects      INTEGER NOT NULL DEFAULT 0,
    completed_at INTEGER,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX inspections_unit ON inspections (unit_key, created_at);
CREATE INDEX inspections_status ON inspections (status, updated_at);

-- Every tick of a checklist item. Never updated: the latest (highest n)
-- per item is its result.
CREATE TABLE inspection_results (
    id            TEXT PRIMARY KEY,
    office_id     TEXT NOT NULL,
    device_id     TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    created_by    TEXT,
    inspection_id TEXT NOT NULL REFERENCES inspections (id),
    n             INTEGER NOT NULL,        -- order within the inspection
    item          TEXT NOT NULL,           -- template item key, 'kitchen.gas'
    result        TEXT NOT NULL CHECK (result IN ('pass', 'defect', 'na', '')),
    description   TEXT NOT NULL DEFAULT '',
    location      TEXT NOT NULL DEFAULT '',
    photos        TEXT NOT NULL DEFAULT '[]', -- JSON array of inspection_photos ids
    UNIQUE (inspection_id, n)
);
CREATE INDEX inspection_results_item ON inspection_results (inspection_id, item, n);

-- A later inspection's verdict on an earlier open defect (the defect is
-- the inspection_results row that recorded it). Latest per defect wins.
CREATE TABLE inspection_followups (
    id            TEXT PRIMARY KEY,
    office_id     TEXT NOT NULL,
    device_id     TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    created_by    TEXT,
    inspection_id TEXT NOT NULL REFERENCES inspections (id),
    n             INTEGER NOT NULL,
    defect_id     TEXT NOT NULL REFERENCES inspection_results (id),
    outcome       TEXT NOT NULL CHECK (outcome IN ('fixed', 'not_fixed', '')),
    note          TEXT NOT NULL DEFAULT '',
    UNIQUE (inspection_id, n)
);
CREATE INDEX inspection_followups_defect ON inspection_followups (defect_id, inspection_id, n);

-- The defects a later inspection carries: the open defects of the unit
-- when it started.
CREATE TABLE inspection_carried (
    id            TEXT PRIMARY KEY,
    office_id     TEXT NOT NULL,
    device_id     TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    created_by    TEXT,
    inspection_id TEXT NOT NULL REFERENCES inspections (id),
    defect_id     TEXT NOT NULL REFERENCES inspection_results (id),
    sort          INTEGER NOT NULL,
    UNIQUE (inspection_id, defect_id)
);

-- Meter readings and keys handed over. Latest per (kind, code) wins.
CREATE TABLE inspection_values (
    id            TEXT PRIMARY KEY,
    office_id     TEXT NOT NULL,
    device_id     TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    created_by    TEXT,
    inspection_id TEXT NOT NULL REFERENCES inspections (id),
    n             INTEGER NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('meter', 'key')),
    code          TEXT NOT NULL,
    value         TEXT NOT NULL,           -- a reading ('0003.20') or a count ('3'); '' clears
    UNIQUE (inspection_id, n)
);

-- Photos of defects: resized JPEG, at most 1600 px and 600 KB.
CREATE TABLE inspection_photos (
    id            TEXT PRIMARY KEY,
    office_id     TEXT NOT NULL,
    device_id     TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    created_by    TEXT,
    inspection_id TEXT NOT NULL REFERENCES inspections (id),
    item          TEXT NOT NULL,
    width         INTEGER NOT NULL,
    height        INTEGER NOT NULL,
    jpeg          BLOB NOT NULL
);
CREATE INDEX inspection_photos_inspection ON inspection_photos (inspection_id);

-- Completion: the signatures (PNG, drawn on screen) or the choice to sign
-- on paper. One per inspection.
CREATE TABLE inspection_completions (
    id              TEXT PRIMARY KEY,
    office_id       TEXT NOT NULL,
    device_id       TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    created_by      TEXT,
    inspection_id   TEXT NOT NULL UNIQUE REFERENCES inspections (id),
    paper_sign      INTEGER NOT NULL,
    owner_signature BLOB,
    staff_signature BLOB
);

-- The repair ticket opened for a defect: one per defect, so opening them
-- again opens none twice.
CREATE TABLE inspection_defect_tickets (
    id            TEXT PRIMARY KEY,
    office_id     TEXT NOT NULL,
    device_id     TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    created_by    TEXT,
    inspection_id TEXT NOT NULL REFERENCES inspections (id),
    defect_id     TEXT NOT NULL UNIQUE REFERENCES inspection_results (id),
    ticket_id     TEXT NOT NULL REFERENCES tickets (id)
);
