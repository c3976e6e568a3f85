package data

import (
	"context"
	"slices"
	"testing"
)

func sourceIDs(srcs []Source) []string {
	var ids []string
	for _, s := range srcs {
		ids = append(ids, s.ID)
	}
	return ids
}

// TestSourcesRenameHideOrder: an admin renames, hides and reorders the
// office's channels; check-in offers only the shown ones, in the new
// order, and refuses a hidden one; a visit recorded through a channel
// before it was hidden keeps showing it.
func TestSourcesRenameHideOrder(t *testing.T) {
	ctx := context.Background()
	s, admin, clk := newTestStore(t)
	all, err := s.AllSources(ctx)
	mustOK(t, err)
	if len(all) != len(DefaultSourceCodes) {
		t.Fatalf("%d sources", len(all))
	}
	walkin, referral := all[0], all[1]

	// A visit through "referral", then the channel is hidden.
	in := desk(t, s, "王芳", "13812345678")
	in.SourceID = referral.ID
	mustCheckIn(t, s, admin.ID, in)
	mustOK(t, s.SetSourceActive(ctx, admin.ID, referral.ID, false))
	shown, err := s.Sources(ctx)
	mustOK(t, err)
	if slices.Contains(sourceIDs(shown), referral.ID) || len(shown) != len(all)-1 {
		t.Fatalf("a hidden channel is still offered: %+v", shown)
	}
	log, err := s.DayLog(ctx, s.Today())
	mustOK(t, err)
	if len(log) != 1 || log[0].SourceCode != "referral" {
		t.Fatalf("the past visit lost its channel: %+v", log)
	}
	in = desk(t, s, "李强", "13900001111")
	in.SourceID = referral.ID
	_, err = s.CheckIn(ctx, admin.ID, in)
	if fe, ok := err.(FieldErrors); !ok || fe["source"] == nil || fe["source"].Key != "err.source.hidden" {
		t.Fatalf("check-in through a hidden channel: %v", err)
	}

	// Rename a built-in: it becomes the office's own, by name.
	got, err := s.RenameSource(ctx, admin.ID, walkin.ID, " 自然到访（路过） ")
	mustOK(t, err)
	if got.Code != "" || got.Name != "自然到访（路过）" {
		t.Fatalf("renamed %+v", got)
	}

	// Reverse the order (hidden ones included).
	ids := sourceIDs(all)
	slices.Reverse(ids)
	clk.Advance(1)
	mustOK(t, s.OrderSources(ctx, admin.ID, ids))
	after, err := s.AllSources(ctx)
	mustOK(t, err)
	if !slices.Equal(sourceIDs(after), ids) {
		t.Fatalf("order %v, want %v", sourceIDs(after), ids)
	}
	shown, _ = s.Sources(ctx)
	if shown[0].ID != ids[0] || shown[len(shown)-1].ID != walkin.ID {
		t.Fatalf("check-in order %v", sourceIDs(shown))
	}

	// Bring it back.
	mustOK(t, s.SetSourceActive(ctx, admin.ID, referral.ID, true))
	shown, _ = s.Sources(ctx)
	if len(shown) != len(all) {
		t.Fatalf("%d shown after bringing back", len(shown))
	}
}

// TestSourcesRefused: bad names, stale orders, the last shown channel and
// the wrong roles change nothing.
func TestSourcesRefused(t *testing.T) {
	ctx := context.Background()
	s, admin, _ := newTestStore(t)
	recep := mustStaff(t, s, admin, "李静", RoleReceptionist, "135792")
	all, _ := s.AllSources(ctx)
	custom, err := s.AddSource(ctx, admin.ID, "老带新活动")
	mustOK(t, err)
	ids := sourceIDs(all)
	cases := []struct {
		name string
		do   func() error
		key  string
	}{
		{"empty name", func() error { _, err := s.RenameSource(ctx, admin.ID, all[0].ID, " "); return err }, "err.field.required"},
		{"overlong", func() error {
			_, err := s.RenameSource(ctx, admin.ID, all[0].ID, "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一")
			return err
		}, "err.field.too_long"},
		{"control", func() error { _, err := s.RenameSource(ctx, admin.ID, all[0].ID, "网\x07络"); return err }, "err.field.control"},
		{"duplicate", func() error { _, err := s.RenameSource(ctx, admin.ID, all[0].ID, "老带新活动"); return err }, "err.source.duplicate"},
		{"unknown", func() error { _, err := s.RenameSource(ctx, admin.ID, "no-such-id", "新名"); return err }, "err.source.not_found"},
		{"receptionist renames", func() error { _, err := s.RenameSource(ctx, recep.ID, all[0].ID, "新名"); return err }, "err.forbidden"},
		{"receptionist hides", func() error { return s.SetSourceActive(ctx, recep.ID, all[0].ID, false) }, "err.forbidden"},
		{"stale order", func() error { return s.OrderSources(ctx, admin.ID, ids) }, "err.source.order_stale"}, // misses the custom one
		{"repeated id", func() error { return s.OrderSources(ctx, admin.ID, append(append([]string{}, ids...), ids[0])) }, "err.source.order_stale"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			outbox := countRows(t, s, "outbox")
			before, _ := s.AllSources(ctx)
			err := tc.do()
			e, ok := AsError(err)
			if fe, isFE := err.(FieldErrors); isFE {
				for _, v := range fe {
					e, ok = v, true
				}
			}
			if !ok || e.Key != tc.key {
				t.Fatalf("error %v, want %s", err, tc.key)
			}
			after, _ := s.AllSources(ctx)
			if !slices.Equal(before, after) || countRows(t, s, "outbox") != outbox {
				t.Fatal("a refused change changed the channels")
			}
		})
	}
	// Hiding every channel: the last one stays.
	for _, src := range append(all, custom)[1:] {
		mustOK(t, s.SetSourceActive(ctx, admin.ID, src.ID, false))
	}
	if err := s.SetSourceActive(ctx, admin.ID, all[0].ID, false); errKeyOf(err) != "err.source.last" {
		t.Fatalf("hiding the last channel: %v", err)
	}
}

// TestSourcesTravel: a rename, a hide and a new order reach another
// device of the office through HQ's log.
func TestSourcesTravel(t *testing.T) {
	ctx := context.Background()
	a, admin, clk := newTestStore(t)
	_, office, _ := a.Device()
	all, _ := a.AllSources(ctx)
	_, err := a.RenameSource(ctx, admin.ID, all[2].ID, "官网预约")
	mustOK(t, err)
	mustOK(t, a.SetSourceActive(ctx, admin.ID, all[0].ID, false))
	ids := sourceIDs(all)
	ids[0], ids[2] = ids[2], ids[0]
	mustOK(t, a.OrderSources(ctx, admin.ID, ids))
	log := &hqLog{scope: "office:" + office.ID}
	log.push(t, a)
	b := joinStore(t, office, "B", clk)
	log.pull(t, b, 50)
	got, err := b.AllSources(ctx)
	mustOK(t, err)
	want, _ := a.AllSources(ctx)
	if !slices.Equal(got, want) {
		t.Fatalf("device b:\n%+v\nwant\n%+v", got, want)
	}
	if got[0].Name != "官网预约" || got[2].Active {
		t.Fatalf("device b: %+v", got)
	}
}
