-- The vague words an approved answer may not contain (HQ-owned reference
-- data, faq.vague_words): one record, the same id on every device, replaced
-- as a whole; the latest in HQ order wins. No row: the list a standalone
-- desk kept in settings (faq.vague_words) before, or DefaultVagueWords.
CREATE TABLE faq_vague_words (
    id         TEXT PRIMARY KEY,
    office_id  TEXT NOT NULL,
    device_id  TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    created_by TEXT,
    words      TEXT NOT NULL,          -- JSON: ["可能","大概",…]; [] restores the default
    sync_ord   INTEGER NOT NULL DEFAULT 0
);
