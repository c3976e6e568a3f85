package data

import (
	"context"
	"database/sql"
	"slices"
	"testing"
)

// TestVagueWordsSync: the vague-word list is one record that travels
// (faq.vague_words), replaced whole; a second device approves against the
// same words.
func TestVagueWordsSync(t *testing.T) {
	ctx := context.Background()
	a, admin, clk := newFAQStore(t)
	mustOK(t, a.SetVagueWords(ctx, admin.ID, []string{"再议"}))
	mustOK(t, a.SetVagueWords(ctx, admin.ID, []string{"待定", "再说"}))
	_, office, _ := a.Device()
	log := &hqLog{scope: "office:" + office.ID}
	log.push(t, a)
	b := joinStore(t, office, "B", clk)
	log.pull(t, b, 3)
	got, err := b.VagueWords(ctx)
	mustOK(t, err)
	if !slices.Equal(got, []string{"待定", "再说"}) {
		t.Fatalf("device b: %q", got)
	}
	if countRows(t, b, "faq_vague_words") != 1 {
		t.Fatal("one record replaced, not one per save")
	}
	// An empty list restores the default everywhere.
	mustOK(t, a.SetVagueWords(ctx, admin.ID, nil))
	if got, _ := a.VagueWords(ctx); !slices.Equal(got, DefaultVagueWords) {
		t.Fatalf("cleared list: %q", got)
	}
}

// TestVagueWordsFromAnOlderDesk: a list an older desk kept in its settings
// stays in force until the first save, which replaces it with the record.
func TestVagueWordsFromAnOlderDesk(t *testing.T) {
	ctx := context.Background()
	s, admin, _ := newFAQStore(t)
	mustOK(t, s.SetSetting(ctx, settingVagueWords, "老词\n旧词"))
	got, err := s.VagueWords(ctx)
	mustOK(t, err)
	if !slices.Equal(got, []string{"老词", "旧词"}) {
		t.Fatalf("old list: %q", got)
	}
	mustOK(t, s.SetVagueWords(ctx, admin.ID, []string{"新词"}))
	if v, _ := s.Setting(ctx, settingVagueWords, ""); v != "" {
		t.Fatalf("old setting kept: %q", v)
	}
	if got, _ := s.VagueWords(ctx); !slices.Equal(got, []string{"新词"}) {
		t.Fatalf("saved list: %q", got)
	}
}

// fixtureV11: a version-11 database keeps its settings' list once migrated.
func fixtureV11(t *testing.T, db *sql.DB) func(*testing.T, *Store) {
	if _, err := db.Exec(`INSERT INTO settings (key, value) VALUES ('faq.vague_words', '老词')`); err != nil {
		t.Fatal(err)
	}
	return func(t *testing.T, s *Store) {
		got, err := s.VagueWords(context.Background())
		mustOK(t, err)
		if !slices.Equal(got, []string{"老词"}) || countRows(t, s, "faq_vague_words") != 0 {
			t.Fatalf("after migrating: %q", got)
		}
	}
}
