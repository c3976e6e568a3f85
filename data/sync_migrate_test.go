package data

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"testing"
)

// fixtureV6 is a database from before sync (schema 6): the v5 rows and
// their outbox rows as the inline payloads of old wrote them. After
// migrating, every outbox row of a converted mutation is typed JSON that
// decodes strictly, its hash is the sha256 of its payload, and its seq is
// unchanged; every synced row has a sync_ord.
func fixtureV6(t *testing.T, db *sql.DB) func(*testing.T, *Store) {
	check5 := fixtureV5(t, db)
	var before []int64
	rows, err := db.Query(`SELECT seq FROM outbox ORDER BY seq`)
	mustOK(t, err)
	for rows.Next() {
		var seq int64
		mustOK(t, rows.Scan(&seq))
		before = append(before, seq)
	}
	mustOK(t, rows.Err())
	rows.Close()
	return func(t *testing.T, s *Store) {
		check5(t, s)
		checkReencoded(t, s, before)
	}
}

// checkReencoded checks the outbox after a migration: the seqs before are
// all still there, and every row of a mutation with a reencoder is typed.
func checkReencoded(t *testing.T, s *Store, before []int64) {
	t.Helper()
	rows, err := s.db.Query(`SELECT seq, mutation, version, payload, hash, format FROM outbox ORDER BY seq`)
	mustOK(t, err)
	defer rows.Close()
	seen := map[int64]bool{}
	for rows.Next() {
		var seq int64
		var name, payload, hash string
		var version, format int
		mustOK(t, rows.Scan(&seq, &name, &version, &payload, &hash, &format))
		seen[seq] = true
		sum := sha256.Sum256([]byte(payload))
		if hash != hex.EncodeToString(sum[:]) && format == 1 {
			t.Errorf("outbox %d %s: hash is not the payload's", seq, name)
		}
		if reencoders[name] == nil {
			continue
		}
		if format != 1 {
			t.Errorf("outbox %d %s not re-encoded: %s", seq, name, payload)
			continue
		}
		spec := mutationSpecs[mutationKey{name, version}]
		if spec == nil {
			t.Errorf("outbox %d: %s v%d not registered", seq, name, version)
			continue
		}
		if _, err := spec.decode([]byte(payload)); err != nil {
			t.Errorf("outbox %d %s: %v", seq, name, err)
		}
	}
	mustOK(t, rows.Err())
	for _, seq := range before {
		if !seen[seq] {
			t.Errorf("outbox row %d lost in migration", seq)
		}
	}
	_ = context.Background
}
