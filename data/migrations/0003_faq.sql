-- Consultation FAQ (咨询应答手册): categories, entries with append-only
-- versions and status events, the consultation log, hand-offs to a
-- colleague and searches that found nothing.

-- Configurable categories; the built-in ones carry a code the UI translates.
CREATE TABLE faq_categories (
    id         TEXT PRIMARY KEY,
    office_id  TEXT NOT NULL,
    device_id  TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    created_by TEXT,
    code       TEXT NOT NULL UNIQUE,      -- e.g. 'loans'
    name_zh    TEXT NOT NULL,
    name_en    TEXT NOT NULL,
    sort       INTEGER NOT NULL,
    active     INTEGER NOT NULL DEFAULT 1
);

-- One row per entry: its identity plus the current state, derived from
-- faq_versions and faq_status_events in the same transaction.
CREATE TABLE faq_entries (
    id             TEXT PRIMARY KEY,
    office_id      TEXT NOT NULL,
    device_id      TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    created_by     TEXT,
    -- derived:
    latest_version INTEGER NOT NULL,      -- newest version (any status)
    latest_status  TEXT NOT NULL CHECK (latest_status IN ('draft', 'review', 'approved', 'retired')),
    live_version   INTEGER,               -- the approved version the desk answers from; NULL = none
    updated_at     INTEGER NOT NULL
);

-- Every version of every entry. Never updated, never deleted.
CREATE TABLE faq_versions (
    id           TEXT PRIMARY KEY,
    office_id    TEXT NOT NULL,
    device_id    TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    created_by   TEXT,                    -- the author of this version
    entry_id     TEXT NOT NULL REFERENCES faq_entries (id),
    version      INTEGER NOT NULL,
    category     TEXT NOT NULL,           -- faq_categories.code
    scope        TEXT NOT NULL DEFAULT '',-- '' = every project; else an office code
    question     TEXT NOT NULL,
    alternatives TEXT NOT NULL DEFAULT '[]', -- JSON array of strings
    answer       TEXT NOT NULL,
    question_en  TEXT NOT NULL DEFAULT '',
    answer_en    TEXT NOT NULL DEFAULT '',
    tags         TEXT NOT NULL DEFAULT '[]', -- JSON array of strings
    effective_on TEXT NOT NULL,           -- YYYY-MM-DD
    expires_on   TEXT NOT NULL DEFAULT '',-- YYYY-MM-DD or ''
    template     INTEGER NOT NULL DEFAULT 0, -- 1 = starter content, to be replaced
    UNIQUE (entry_id, version)
);
CREATE INDEX faq_versions_question ON faq_versions (scope, question);

-- Status changes of a version: draft → review → approved → retired (and
-- review → draft when sent back). Never updated, never deleted.
CREATE TABLE faq_status_events (
    id         TEXT PRIMARY KEY,
    office_id  TEXT NOT NULL,
    device_id  TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    created_by TEXT,                      -- who moved it (the approver for 'approved')
    entry_id   TEXT NOT NULL REFERENCES faq_entries (id),
    version    INTEGER NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('draft', 'review', 'approved', 'retired')),
    note       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX faq_status_events_entry ON faq_status_events (entry_id, version, created_at);

-- Which entries staff answered from, during a visit or standalone.
CREATE TABLE consult_log (
    id            TEXT PRIMARY KEY,
    office_id     TEXT NOT NULL,
    device_id     TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    created_by    TEXT,
    visit_id      TEXT REFERENCES visits (id),
    entry_id      TEXT NOT NULL REFERENCES faq_entries (id),
    entry_version INTEGER NOT NULL,
    query         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX consult_log_entry ON consult_log (entry_id, created_at);
CREATE INDEX consult_log_time ON consult_log (office_id, created_at);

-- A question not answered here, handed to a colleague, with a follow-up due.
-- ticket_id stays NULL until the tickets feature turns hand-offs into tickets.
CREATE TABLE consult_handoffs (
    id          TEXT PRIMARY KEY,
    office_id   TEXT NOT NULL,
    device_id   TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    created_by  TEXT,
    visit_id    TEXT REFERENCES visits (id),
    question    TEXT NOT NULL,
    to_role     TEXT NOT NULL CHECK (to_role IN ('loan', 'engineering', 'sales_manager', 'other')),
    to_staff_id TEXT REFERENCES staff (id),
    due_at      INTEGER NOT NULL,
    ticket_id   TEXT,
    -- current state, derived from consult_handoff_events:
    done_at     INTEGER,
    done_by     TEXT,
    done_note   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX consult_handoffs_open ON consult_handoffs (office_id, due_at) WHERE done_at IS NULL;

CREATE TABLE consult_handoff_events (
    id         TEXT PRIMARY KEY,
    office_id  TEXT NOT NULL,
    device_id  TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    created_by TEXT,
    handoff_id TEXT NOT NULL REFERENCES consult_handoffs (id),
    kind       TEXT NOT NULL CHECK (kind IN ('done')),
    note       TEXT NOT NULL DEFAULT ''
);

-- Searches that found nothing.
CREATE TABLE faq_misses (
    id         TEXT PRIMARY KEY,
    office_id  TEXT NOT NULL,
    device_id  TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    created_by TEXT,
    query      TEXT NOT NULL,             -- as typed, trimmed
    norm       TEXT NOT NULL              -- normalised, for counting
);
CREATE INDEX faq_misses_norm ON faq_misses (office_id, norm);
