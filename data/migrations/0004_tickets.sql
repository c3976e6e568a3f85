-- Complaints, repairs, inquiries and suggestions (投诉 / 报修 / 咨询跟进 / 建议):
-- versioned SLA policies, imported holiday schedules, tickets and their
-- append-only events.

-- Every version of the SLA policy. HQ/admin edits append a version; a
-- ticket keeps the version it was opened under. Never updated.
CREATE TABLE sla_policies (
    id         TEXT PRIMARY KEY,
    office_id  TEXT NOT NULL,
    device_id  TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    created_by TEXT,
    version    INTEGER NOT NULL UNIQUE CHECK (version >= 1),
    rules      TEXT NOT NULL              -- JSON: {"rules":[...],"urgent":{...}} with limits as "4wh", "2wd", "1h", "sameday"
);

-- Holiday schedules imported for years the binary does not embed (the
-- newest import of a year wins). Never updated.
CREATE TABLE holiday_imports (
    id         TEXT PRIMARY KEY,
    office_id  TEXT NOT NULL,
    device_id  TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    created_by TEXT,
    year       INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    schedule   TEXT NOT NULL              -- the file as imported (assets/holidays format)
);
CREATE INDEX holiday_imports_year ON holiday_imports (year, created_at);

-- One row per ticket: what was recorded at opening (never changed) plus
-- the current state, derived from ticket_events in the same transaction.
CREATE TABLE tickets (
    id              TEXT PRIMARY KEY,
    office_id       TEXT NOT NULL,
    device_id       TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    created_by      TEXT,                 -- the staff member who opened it
    number          TEXT NOT NULL UNIQUE, -- human number: office code + date + daily sequence, e.g. SH01-20261123-003
    day             TEXT NOT NULL,        -- office-local date of opened_at, YYYY-MM-DD
    seq             INTEGER NOT NULL,     -- daily sequence within the office
    kind            TEXT NOT NULL CHECK (kind IN ('complaint', 'repair', 'inquiry', 'suggestion')),
    opened_at       INTEGER NOT NULL,     -- when the customer raised it
    occurred_at     INTEGER,              -- when the matter happened, if known
    project         TEXT NOT NULL DEFAULT '',
    building        TEXT NOT NULL DEFAULT '',
    unit            TEXT NOT NULL DEFAULT '',
    subject         TEXT NOT NULL DEFAULT '', -- person or department complained about
    description     TEXT NOT NULL,        -- what happened
    demand          TEXT NOT NULL DEFAULT '', -- the customer's demand
    customer_name   TEXT NOT NULL DEFAULT '',
    phone           TEXT NOT NULL DEFAULT '', -- E.164 or ''
    category        TEXT NOT NULL CHECK (category IN ('engineering', 'design', 'sales', 'property', 'service', 'other')),
    severity        TEXT NOT NULL CHECK (severity IN ('major', 'important', 'general', 'minor')),
    urgent          INTEGER NOT NULL DEFAULT 0 CHECK (urgent IN (0, 1)),
    department      TEXT NOT NULL DEFAULT '', -- responsible department
    visit_id        TEXT REFERENCES visits (id),
    handoff_id      TEXT REFERENCES consult_handoffs (id),
    policy_version  INTEGER NOT NULL,
    entry_due       INTEGER,
    response_due    INTEGER,
    escalation_due  INTEGER,
    resolution_due  INTEGER,
    -- current state, derived from ticket_events:
    state           TEXT NOT NULL CHECK (state IN ('open', 'acknowledged', 'responded', 'resolved', 'revisit_due', 'revisited', 'closed')),
    valid           INTEGER NOT NULL DEFAULT 1 CHECK (valid IN (0, 1)),
    owner_id        TEXT REFERENCES staff (id),
    escalation      INTEGER NOT NULL DEFAULT 0, -- highest escalation level reached (1 supervisor, 2 leadership)
    acknowledged_at INTEGER,
    responded_at    INTEGER,
    resolved_at     INTEGER,
    revisit_from    INTEGER,
    revisit_to      INTEGER,
    revisited_at    INTEGER,
    satisfaction    INTEGER,
    closed_at       INTEGER,
    close_reason    TEXT NOT NULL DEFAULT '',
    reopened        INTEGER NOT NULL DEFAULT 0,
    last_event_at   INTEGER NOT NULL,
    last_seq        INTEGER NOT NULL
);
CREATE INDEX tickets_open ON tickets (office_id, state, opened_at);
CREATE INDEX tickets_opened ON tickets (office_id, opened_at);
CREATE INDEX tickets_phone ON tickets (phone, opened_at);
CREATE INDEX tickets_unit ON tickets (project, building, unit, opened_at);

-- What happened to a ticket, in order. Never updated, never deleted.
CREATE TABLE ticket_events (
    id         TEXT PRIMARY KEY,
    office_id  TEXT NOT NULL,
    device_id  TEXT NOT NULL,
    created_at INTEGER NOT NULL,          -- when it was recorded
    created_by TEXT,                      -- who recorded it
    ticket_id  TEXT NOT NULL REFERENCES tickets (id),
    seq        INTEGER NOT NULL,          -- 1 = opened
    kind       TEXT NOT NULL CHECK (kind IN ('opened', 'acknowledged', 'assigned', 'escalated', 'responded', 'resolved', 'revisit_scheduled', 'revisited', 'closed', 'reopened', 'note')),
    at         INTEGER NOT NULL,          -- when it happened (may precede created_at by the entry delay)
    payload    TEXT NOT NULL DEFAULT '{}',-- JSON, by kind
    UNIQUE (ticket_id, seq)
);
CREATE INDEX ticket_events_at ON ticket_events (office_id, kind, at);
