-- Imports written in chunks (docs/data.md, Imports). A row here is an
-- import under way: FAQ edits wait for it, and the outbox holds back every
-- change from first_seq on, so half an import is never sent. Its records
-- stay out of sight (a new entry has latest_version 0, an entry's derived
-- state is left as it was) until the last, short transaction derives them
-- and deletes the row. A row found at start is an import that did not
-- finish: it is rolled back (Store.Open).
CREATE TABLE imports (
    id         TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,            -- 'faq'
    started_at INTEGER NOT NULL,
    first_seq  INTEGER                   -- its first outbox row; NULL until a chunk is written
);

-- The import that wrote an outbox row (NULL: none), so that an unfinished
-- one can be taken out again.
ALTER TABLE outbox ADD COLUMN import_id TEXT;
CREATE INDEX outbox_import ON outbox (import_id) WHERE import_id IS NOT NULL;
