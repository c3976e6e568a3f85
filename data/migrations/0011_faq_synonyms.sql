-- The manual's synonym list (HQ-owned reference data, faq.synonyms): one
-- record, the same id on every device, replaced as a whole; the latest in
-- HQ order wins. No row: the built-in starter list (DefaultFAQSynonyms).
CREATE TABLE faq_synonyms (
    id         TEXT PRIMARY KEY,
    office_id  TEXT NOT NULL,
    device_id  TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    created_by TEXT,
    groups     TEXT NOT NULL,          -- JSON: [{"word":"车位","variants":["停车位","车库"]}, …]
    sync_ord   INTEGER NOT NULL DEFAULT 0
);
