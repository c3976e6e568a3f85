package hqsync_test

import (
	"context"
	"testing"

	"anchang/assets"
	"anchang/data"
	hqsync "anchang/sync"
	"anchang/sync/hq"
	"anchang/sync/hq/hqtest"
)

// A standalone demo office with its FAQ manual enrolls: nothing is refused,
// HQ keeps the manual in the office's scope, a second device of the office
// gets it, another office's device does not. HQ-owned data recorded after
// enrolling is refused as before.
func TestStandaloneManualReachesHQ(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	// HQ's rule is tested on both backends in sync/hq
	// (TestStandaloneHistoryOfHQOwnedData); here the devices' side.
	for _, backend := range []string{hq.SQLite} {
		t.Run(backend, func(t *testing.T) {
			h := hqtest.Start(t, backend)
			h.AddOffice("SH01", "上海一号案场")
			h.AddOffice("SH02", "上海二号案场")
			a := fresh(t, nil)
			demo, err := a.s.LoadDemo(ctx, data.DemoOptions{Days: 2, PerDay: 5, Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := a.s.EnsureStarterFAQ(ctx, assets.StarterFAQ); err != nil {
				t.Fatal(err)
			}
			entries, versions, events := a.count("faq_entries"), a.count("faq_versions"), a.count("faq_status_events")
			if entries == 0 {
				t.Fatal("the demo office has no manual")
			}
			a.mustEnroll(h, h.Code("SH01"), quiet())
			var refused []hqsync.Refusal
			for range 100 {
				rep := a.round(quiet())
				refused = append(refused, rep.Rejected...)
				if a.pending() == 0 {
					break
				}
			}
			if len(refused) != 0 || a.pending() != 0 {
				t.Fatalf("%d refused (first %+v), %d pending", len(refused), refused[0], a.pending())
			}

			b := fresh(t, nil)
			b.mustEnroll(h, h.Code("SH01"), quiet())
			if b.count("faq_entries") != entries || b.count("faq_versions") != versions || b.count("faq_status_events") != events {
				t.Errorf("the office's second device has %d entries, %d versions, %d status events; the office %d, %d, %d",
					b.count("faq_entries"), b.count("faq_versions"), b.count("faq_status_events"), entries, versions, events)
			}
			c := fresh(t, nil)
			c.mustEnroll(h, h.Code("SH02"), quiet())
			if n := c.count("faq_entries") + c.count("faq_versions"); n != 0 {
				t.Errorf("another office's device has %d FAQ rows", n)
			}

			// After enrolling, the office drafts and submits (its scope at
			// HQ, its other device gets them); approving and categories are
			// HQ's: refused on the device with a coded error.
			v, err := a.s.SaveFAQ(ctx, demo.AdminID, "", data.FAQInput{Category: "other", Question: "样板间几点开放？", Answer: "每天九点到十八点。", EffectiveOn: "2026-12-01"})
			if err != nil {
				t.Fatal(err)
			}
			if err := a.s.SetFAQStatus(ctx, demo.AdminID, v.EntryID, data.FAQReview, ""); err != nil {
				t.Fatal(err)
			}
			if rep := a.round(quiet()); len(rep.Rejected) != 0 || a.pending() != 0 {
				t.Errorf("draft and submission: %+v, %d pending", rep.Rejected, a.pending())
			}
			b.round(quiet())
			if b.count("faq_entries") != entries+1 {
				t.Errorf("the office's other device has %d entries, want %d", b.count("faq_entries"), entries+1)
			}
			c.round(quiet())
			if n := c.count("faq_entries"); n != 0 {
				t.Errorf("another office's device has %d FAQ entries", n)
			}
			for name, err := range map[string]error{
				"approve":  a.s.SetFAQStatus(ctx, demo.AdminID, v.EntryID, data.FAQApproved, ""),
				"category": a.s.AddFAQCategory(ctx, demo.AdminID, data.FAQCategory{Code: "later", NameZH: "之后"}),
				"synonyms": a.s.SetFAQSynonyms(ctx, demo.AdminID, []data.FAQSynonym{{Word: "车位", Variants: []string{"车格"}}}),
			} {
				if e, ok := data.AsError(err); !ok || e.Key != "err.sync.approved_at_hq" {
					t.Errorf("%s on an enrolled office device: %v", name, err)
				}
			}
			if a.pending() != 0 {
				t.Errorf("%d pending after refused writes", a.pending())
			}
		})
	}
}
