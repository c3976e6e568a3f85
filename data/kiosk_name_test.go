package data

import (
	"context"
	"strings"
	"testing"
)

// A surname and title tapped at the kiosk never rename a known visitor:
// the visit keeps the name on record and its note says what was tapped; a
// tapped name that matches the record adds no note, and a new visitor is
// recorded as tapped.
func TestKioskDoesNotRenameKnownVisitor(t *testing.T) {
	ctx := context.Background()
	s, admin, _ := newTestStore(t)
	srcs, err := s.Sources(ctx)
	if err != nil || len(srcs) == 0 {
		t.Fatal(err)
	}
	src := srcs[0].ID
	if _, err := s.CheckIn(ctx, admin.ID, CheckInInput{Name: "王芳", Title: TitleMs, Phone: "13812345678", PartySize: "1",
		Purpose: PurposeViewing, SourceID: src, Consent: true, Via: ViaDesk}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		phone, name, title, wantName, wantTitle, wantNote string
	}{
		{"13812345678", "王", TitleMr, "王芳", TitleMs, "自助机登记时填写：王先生"},
		{"13812345678", "王芳", TitleMs, "王芳", TitleMs, ""},
		{"13900001111", "郑", TitleMs, "郑", TitleMs, ""},
	} {
		v, err := s.CheckIn(ctx, "", CheckInInput{Name: tt.name, Title: tt.title, Phone: tt.phone, PartySize: "1",
			Purpose: PurposeViewing, Consent: true, Via: ViaKiosk})
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.VisitDetail(ctx, admin.ID, v.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != tt.wantName || got.Title != tt.wantTitle || got.Notes != tt.wantNote {
			t.Errorf("%s %s%s: visit %q %q note %q; want %q %q note %q", tt.phone, tt.name, tt.title,
				got.Name, got.Title, got.Notes, tt.wantName, tt.wantTitle, tt.wantNote)
		}
	}
	var name, title string
	if err := s.db.QueryRowContext(ctx, `SELECT name, title FROM visitors WHERE phone = '+8613812345678'`).Scan(&name, &title); err != nil {
		t.Fatal(err)
	}
	if name != "王芳" || title != TitleMs || strings.Contains(name, "先生") {
		t.Fatalf("visitor renamed to %q %q", name, title)
	}
}
