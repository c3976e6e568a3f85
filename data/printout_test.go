package data

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestDayLogAndVisitRecord(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 15, 0, 0, 0, shanghai)
	s, _ := openFresh(t, now)
	res, err := s.LoadDemo(ctx, DemoOptions{Days: 2, PerDay: 30, Seed: 5})
	mustOK(t, err)
	day := s.Day(now)

	log, err := s.DayLog(ctx, day)
	mustOK(t, err)
	board, err := s.Board(ctx, day, BoardFilter{})
	mustOK(t, err)
	if len(log) == 0 || len(log) != board.Figures.Visits {
		t.Fatalf("day log has %d rows, the board counts %d visits", len(log), board.Figures.Visits)
	}
	for i, r := range log {
		if r.Ordinal != i+1 {
			t.Fatalf("row %d ordinal %d", i, r.Ordinal)
		}
		if i > 0 && r.ArrivedAt.Before(log[i-1].ArrivedAt) {
			t.Fatalf("row %d arrived before row %d", i, i-1)
		}
		if !strings.Contains(r.PhoneMasked, "****") {
			t.Fatalf("row %d phone not masked: %q", i, r.PhoneMasked)
		}
		if r.SourceCode == "" && r.SourceName == "" && r.Via != ViaKiosk {
			t.Fatalf("row %d: desk visit without a source", i)
		}
	}
	empty, err := s.DayLog(ctx, "2001-01-01")
	mustOK(t, err)
	if len(empty) != 0 {
		t.Fatalf("empty day: %d rows", len(empty))
	}

	// The record of the day's 3rd visit: its serial ordinal is 3; the
	// phone is masked without an actor, full for the admin.
	third := log[2]
	rec, err := s.VisitRecord(ctx, "", third.VisitID)
	mustOK(t, err)
	if rec.Ordinal != 3 || rec.Day != day || rec.Name != third.Name || rec.Phone != third.PhoneMasked {
		t.Fatalf("record %+v, want ordinal 3 of %s, %s %s", rec, day, third.Name, third.PhoneMasked)
	}
	if rec.SourceCode != third.SourceCode || rec.SourceName != third.SourceName {
		t.Fatalf("record source %q/%q, log %q/%q", rec.SourceCode, rec.SourceName, third.SourceCode, third.SourceName)
	}
	full, err := s.VisitRecord(ctx, res.AdminID, third.VisitID)
	mustOK(t, err)
	if !strings.HasPrefix(full.Phone, "+") || strings.Contains(full.Phone, "*") || full.Ordinal != 3 {
		t.Fatalf("admin record phone %q ordinal %d", full.Phone, full.Ordinal)
	}
	if _, err := s.VisitRecord(ctx, "", "no-such-visit"); ErrorCode(err) != ENOTFOUND {
		t.Fatalf("missing visit: %v", err)
	}
}
