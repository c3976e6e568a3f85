-- Reception: source channels, visitors, visits and their events, and the
-- consultant rotation (轮排).

CREATE TABLE sources (
    id         TEXT PRIMARY KEY,
    office_id  TEXT NOT NULL,
    device_id  TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    created_by TEXT,
    code       TEXT NOT NULL DEFAULT '',  -- built-in channels have a code (translated); custom ones ''
    name       TEXT NOT NULL,             -- shown for custom channels
    sort       INTEGER NOT NULL,
    active     INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE visitors (
    id            TEXT PRIMARY KEY,
    office_id     TEXT NOT NULL,
    device_id     TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    created_by    TEXT,
    name          TEXT NOT NULL,
    title         TEXT NOT NULL DEFAULT '' CHECK (title IN ('', 'mr', 'ms')),
    phone         TEXT NOT NULL,          -- E.164
    consultant_id TEXT REFERENCES staff (id)  -- the consultant who owns this customer
);
CREATE INDEX visitors_phone ON visitors (phone);

CREATE TABLE visits (
    id              TEXT PRIMARY KEY,
    office_id       TEXT NOT NULL,
    device_id       TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    created_by      TEXT,                 -- staff id; NULL for kiosk self check-in
    visitor_id      TEXT NOT NULL REFERENCES visitors (id),
    name            TEXT NOT NULL,        -- as given at this visit
    title           TEXT NOT NULL DEFAULT '' CHECK (title IN ('', 'mr', 'ms')),
    arrived_at      INTEGER NOT NULL,
    day             TEXT NOT NULL,        -- office-local date, YYYY-MM-DD
    party_size      INTEGER NOT NULL CHECK (party_size BETWEEN 1 AND 50),
    purpose         TEXT NOT NULL CHECK (purpose IN ('viewing', 'consultation', 'signing', 'handover', 'complaint', 'other')),
    source_id       TEXT REFERENCES sources (id),
    kind            TEXT NOT NULL CHECK (kind IN ('first', 'return')),
    via             TEXT NOT NULL CHECK (via IN ('desk', 'kiosk')),
    interest_unit   TEXT NOT NULL DEFAULT '',
    interest_budget TEXT NOT NULL DEFAULT '',
    notes           TEXT NOT NULL DEFAULT '',
    consent_version TEXT NOT NULL,
    -- Current state, derived from visit_events in the same transaction.
    consultant_id   TEXT REFERENCES staff (id),
    assigned_at     INTEGER,
    handed_over_at  INTEGER,
    area            TEXT NOT NULL DEFAULT '',
    left_at         INTEGER
);
CREATE INDEX visits_day ON visits (office_id, day, arrived_at);
CREATE INDEX visits_visitor ON visits (visitor_id, arrived_at);

CREATE TABLE visit_events (
    id            TEXT PRIMARY KEY,
    office_id     TEXT NOT NULL,
    device_id     TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    created_by    TEXT,
    visit_id      TEXT NOT NULL REFERENCES visits (id),
    kind          TEXT NOT NULL CHECK (kind IN ('assign', 'handover', 'area', 'checkout')),
    consultant_id TEXT REFERENCES staff (id),
    area          TEXT NOT NULL DEFAULT ''
);
CREATE INDEX visit_events_visit ON visit_events (visit_id, created_at);

-- Every rotation action, with who and when.
CREATE TABLE rotation_events (
    id            TEXT PRIMARY KEY,
    office_id     TEXT NOT NULL,
    device_id     TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    created_by    TEXT,
    day           TEXT NOT NULL,
    consultant_id TEXT NOT NULL REFERENCES staff (id),
    action        TEXT NOT NULL CHECK (action IN ('join', 'leave', 'busy', 'available', 'skip', 'makeup', 'assign', 'own')),
    visit_id      TEXT REFERENCES visits (id)
);
CREATE INDEX rotation_events_day ON rotation_events (office_id, day, created_at);

-- The day's queue, derived from rotation_events in the same transaction.
CREATE TABLE rotation (
    office_id     TEXT NOT NULL,
    day           TEXT NOT NULL,
    consultant_id TEXT NOT NULL REFERENCES staff (id),
    turn          INTEGER NOT NULL,       -- lower goes first
    status        TEXT NOT NULL CHECK (status IN ('available', 'busy', 'off')),
    makeup        INTEGER NOT NULL DEFAULT 0,
    served        INTEGER NOT NULL DEFAULT 0,  -- visitors taken today
    PRIMARY KEY (office_id, day, consultant_id)
);
