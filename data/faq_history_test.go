package data

import (
	"context"
	"testing"
	"time"
)

func TestFAQStatusEventsListEveryMoveInOrder(t *testing.T) {
	ctx := context.Background()
	s, admin, clk := newTestStore(t)
	in := FAQInput{Category: "parking", Question: "车位怎么卖？", Answer: "车位另售，每个 15 万元。"}
	v1, err := s.SaveFAQ(ctx, admin.ID, "", in)
	mustOK(t, err)
	clk.Advance(time.Minute)
	mustOK(t, s.SetFAQStatus(ctx, admin.ID, v1.EntryID, FAQReview, ""))
	clk.Advance(time.Minute)
	mustOK(t, s.SetFAQStatus(ctx, admin.ID, v1.EntryID, FAQDraft, "写明交付时间"))
	clk.Advance(time.Minute)
	in.Answer = "车位另售，每个 15 万元，2027 年 6 月交付。"
	_, err = s.SaveFAQ(ctx, admin.ID, v1.EntryID, in)
	mustOK(t, err)
	clk.Advance(time.Minute)
	mustOK(t, s.SetFAQStatus(ctx, admin.ID, v1.EntryID, FAQReview, ""))
	mustOK(t, s.SetFAQStatus(ctx, admin.ID, v1.EntryID, FAQApproved, ""))

	evs, err := s.FAQStatusEvents(ctx, v1.EntryID)
	mustOK(t, err)
	want := []struct {
		version int
		status  FAQStatus
	}{{1, FAQDraft}, {1, FAQReview}, {1, FAQDraft}, {2, FAQDraft}, {2, FAQReview}, {2, FAQApproved}}
	if len(evs) != len(want) {
		t.Fatalf("%d events: %+v", len(evs), evs)
	}
	for i, w := range want {
		e := evs[i]
		if e.Version != w.version || e.Status != w.status || e.By != admin.ID || e.EntryID != v1.EntryID {
			t.Errorf("event %d: %+v, want v%d %s", i, e, w.version, w.status)
		}
		if i > 0 && e.At.Before(evs[i-1].At) {
			t.Errorf("event %d out of order", i)
		}
	}
	if evs[2].Note != "写明交付时间" {
		t.Errorf("note %q", evs[2].Note)
	}
	none, err := s.FAQStatusEvents(ctx, "no-such-entry")
	mustOK(t, err)
	if len(none) != 0 {
		t.Fatalf("events of a missing entry: %v", none)
	}
}
