-- The pull tip HQ gave with each scope's cursor (docs/sync.md, Pull), kept
-- with the cursor and written in the same transaction as the page or the
-- snapshot, so a program restarted after HQ was restored from an older
-- backup still sends it and HQ can answer resync. '' = none yet (HQ's next
-- page gives one).
ALTER TABLE sync_cursors ADD COLUMN tip TEXT NOT NULL DEFAULT '';
