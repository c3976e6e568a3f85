package data

import (
	"context"
	"slices"
	"testing"
)

// Each commit that writes records tells the subscribers which kinds it
// wrote, on the committing goroutine; a refused write tells nothing; a
// cancelled subscription hears nothing more.
func TestSubscribeTellsWhatChanged(t *testing.T) {
	s, admin, _ := newTestStore(t)
	ctx := context.Background()
	var got []Change
	cancel := s.Subscribe(func(c Change) { got = append(got, c) })

	mustStaff(t, s, admin, "陈思远", RoleConsultant, "")
	if _, err := s.CheckIn(ctx, admin.ID, CheckInInput{Name: "王芳", Title: TitleMs, Phone: "13812345678", PartySize: "1",
		Purpose: PurposeViewing, SourceID: firstSource(t, s), Consent: true, Via: ViaDesk}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CheckIn(ctx, admin.ID, CheckInInput{Name: "", Phone: "1"}); err == nil {
		t.Fatal("a bad check-in was accepted")
	}
	if len(got) != 2 {
		t.Fatalf("%d changes told, want 2 (staff, visit): %+v", len(got), got)
	}
	if !got[0].Touches("staff") || got[0].Touches("visit") || got[0].Pulled {
		t.Errorf("creating staff told %+v", got[0])
	}
	if !got[1].Touches("visit") || got[1].Touches("ticket") || !slices.IsSorted(got[1].Kinds) {
		t.Errorf("a check-in told %+v", got[1])
	}
	cancel()
	mustStaff(t, s, admin, "刘主管", RoleSupervisor, "246813")
	if len(got) != 2 {
		t.Fatalf("a cancelled subscription heard %+v", got[2:])
	}
}

func TestChangeTouchesAndMerge(t *testing.T) {
	visit := Change{Kinds: []string{"visit", "visit_event"}}
	ticket := Change{Kinds: []string{"ticket"}, Pulled: true}
	any := Change{Pulled: true}
	for _, c := range []struct {
		c     Change
		kinds []string
		want  bool
	}{
		{visit, []string{"visit_event"}, true},
		{visit, []string{"ticket", "staff"}, false},
		{any, []string{"ticket"}, true},
		{visit.Merge(ticket), []string{"ticket"}, true},
		{visit.Merge(ticket), []string{"staff"}, false},
		{visit.Merge(any), []string{"staff"}, true},
	} {
		if got := c.c.Touches(c.kinds...); got != c.want {
			t.Errorf("%+v touches %v = %v, want %v", c.c, c.kinds, got, c.want)
		}
	}
	if m := visit.Merge(ticket); !m.Pulled || !slices.Equal(m.Kinds, []string{"ticket", "visit", "visit_event"}) {
		t.Errorf("merge = %+v", m)
	}
}
