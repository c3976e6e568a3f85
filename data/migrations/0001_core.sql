-- Core: this device, its office, staff, device-local settings and the outbox.
-- Times are Unix milliseconds (UTC). Ids are UUIDv7 text.

-- Exactly one row: this installation.
CREATE TABLE device (
    id            TEXT PRIMARY KEY,
    office_id     TEXT NOT NULL,
    device_id     TEXT NOT NULL,          -- = id, kept for uniformity
    created_at    INTEGER NOT NULL,
    name          TEXT NOT NULL,
    install_epoch INTEGER NOT NULL        -- part of the outbox idempotency key
);

CREATE TABLE office (
    id         TEXT PRIMARY KEY,
    office_id  TEXT NOT NULL,             -- = id
    device_id  TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    created_by TEXT,
    code       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    time_zone  TEXT NOT NULL DEFAULT 'Asia/Shanghai'
);

CREATE TABLE staff (
    id         TEXT PRIMARY KEY,
    office_id  TEXT NOT NULL,
    device_id  TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    created_by TEXT,
    name       TEXT NOT NULL,
    role       TEXT NOT NULL CHECK (role IN ('receptionist', 'consultant', 'supervisor', 'admin')),
    pin_hash   TEXT NOT NULL DEFAULT '',  -- argon2id PHC string; '' = cannot sign in
    active     INTEGER NOT NULL DEFAULT 1,
    updated_at INTEGER NOT NULL
);
CREATE INDEX staff_office ON staff (office_id, active, name);

-- Device-local: failed PIN attempts and lock-outs. Never synced.
CREATE TABLE signin_guard (
    staff_id     TEXT PRIMARY KEY REFERENCES staff (id),
    failures     INTEGER NOT NULL,
    locked_until INTEGER NOT NULL
);

-- Device-local preferences (language, …). Never synced.
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Every change, appended in the same transaction as the change itself.
-- (device id, install epoch, seq) is the idempotency key of a push.
CREATE TABLE outbox (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    mutation   TEXT NOT NULL,             -- e.g. 'visit.checkin'
    version    INTEGER NOT NULL,          -- version of the mutation's payload
    record_id  TEXT NOT NULL,
    payload    TEXT NOT NULL,             -- JSON
    hash       TEXT NOT NULL,             -- sha256 of payload, hex
    created_at INTEGER NOT NULL,
    pushed_at  INTEGER                    -- NULL until HQ acknowledged it
);
CREATE INDEX outbox_pending ON outbox (seq) WHERE pushed_at IS NULL;
