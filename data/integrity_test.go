package data

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"testing"
)

// fillMisses writes n rows (and their index entries and outbox rows).
func fillMisses(t testing.TB, s *Store, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		mustOK(t, s.RecordFAQMiss(context.Background(), "", fmt.Sprintf("地下车位第 %d 号怎么卖", i)))
	}
}

// corruptIndex overwrites the b-tree header of the database's last index
// page, as a failing disk would: the file still opens, only a check (or
// using that index) finds it. The database must be closed (no WAL).
func corruptIndex(t testing.TB, path string) {
	t.Helper()
	db, err := sql.Open("sqlite", dsn(path, true))
	mustOK(t, err)
	var pageSize, root int
	mustOK(t, db.QueryRow("PRAGMA page_size").Scan(&pageSize))
	mustOK(t, db.QueryRow("SELECT rootpage FROM sqlite_schema WHERE type = 'index' AND rootpage > 0 ORDER BY rootpage DESC LIMIT 1").Scan(&root))
	db.Close()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	mustOK(t, err)
	defer f.Close()
	_, err = f.WriteAt(bytes.Repeat([]byte{0xff}, 12), int64(root-1)*int64(pageSize))
	mustOK(t, err)
}

// A damaged database is found when the desk starts: Open says so in plain
// words (EDAMAGED, the way back in the message) and writes nothing.
func TestOpenFindsDamage(t *testing.T) {
	s, _, _ := newTestStore(t)
	fillMisses(t, s, 50)
	dir, path := s.Dir(), s.Path()
	s.Close()
	corruptIndex(t, path)
	before, _ := os.ReadFile(path)
	_, err := Open(context.Background(), dir)
	wantKey(t, err, EDAMAGED, "err.db.damaged")
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Fatal("Open wrote into the damaged database")
	}
}

// Damage that happens while the desk runs is found by the scheduled check;
// from then on nothing is written and every write says why.
func TestMaintainFindsDamageAndStopsWrites(t *testing.T) {
	s, _, _ := newTestStore(t)
	ctx := context.Background()
	fillMisses(t, s, 50)
	mustOK(t, s.Maintain(ctx))
	// Let every connection close (and the WAL fold back) after each use,
	// then damage the file under the open store.
	s.db.SetMaxIdleConns(0)
	mustOK(t, s.db.PingContext(ctx))
	corruptIndex(t, s.Path())
	before, _ := os.ReadFile(s.Path())

	err := s.Maintain(ctx)
	wantKey(t, err, EDAMAGED, "err.db.damaged")
	if !s.Damaged() {
		t.Fatal("store not marked damaged")
	}
	err = s.RecordFAQMiss(ctx, "", "还有没有车位")
	wantKey(t, err, EDAMAGED, "err.db.damaged")
	if after, _ := os.ReadFile(s.Path()); !bytes.Equal(before, after) {
		t.Fatal("a write went into the damaged database")
	}
	if _, err := os.Stat(s.Path() + "-wal"); err == nil {
		if fi, _ := os.Stat(s.Path() + "-wal"); fi.Size() > 0 {
			t.Fatalf("WAL grew to %d bytes after damage", fi.Size())
		}
	}
	// No backup is made of a damaged database.
	_, err = s.BackupNow(ctx)
	wantCode(t, err, EDAMAGED)
	if have, _ := ListBackups(s.Dir()); len(have) != 1 {
		t.Fatalf("%d backups, want the one from before the damage", len(have))
	}
}
