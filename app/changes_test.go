package app

import (
	"testing"

	"fyne.io/fyne/v2/test"

	"anchang/data"
	hqsync "anchang/sync"
	"anchang/sync/hq"
	"anchang/sync/hq/hqtest"
)

// A visit checked in on desk A reaches desk B through a real HQ: B's board
// shows it as soon as B's sync round applies the pull (data.Store's
// ApplyPulled tells the UI, which reloads the screens that show visits);
// nothing calls a screen. A change the board does not show (a care
// revisit) leaves it alone.
func TestPulledRecordRefreshesTheBoard(t *testing.T) {
	srv := hqtest.Start(t, hq.SQLite)
	srv.AddOffice("SH01", "上海一号案场")
	ctx := t.Context()

	a := newHarness(t, true, "陈思远")
	hqA, loopA := a.realHQ()
	if err := hqA.Enroll(ctx, hqsync.EnrollInput{HQURL: srv.URL, Fingerprint: srv.Fingerprint, Code: srv.Code("SH01")}); err != nil {
		t.Fatal(err)
	}
	if _, err := loopA.Round(ctx); err != nil {
		t.Fatal(err)
	}

	b := newHarness(t, false)
	hqB, loopB := b.realHQ()
	if err := hqB.Enroll(ctx, hqsync.EnrollInput{HQURL: srv.URL, Fingerprint: srv.Fingerprint, Code: srv.Code("SH01"), DeviceName: "前台二号机"}); err != nil {
		t.Fatal(err)
	}
	b.useHQ(hqB)
	b.signInAs("李静")
	b.selectTab("今日看板")
	b.hides("王先生")
	board := b.u.shell.board
	loads := board.loadSeq

	if _, err := a.store.CheckIn(ctx, a.admin.ID, data.CheckInInput{Name: "王", Title: data.TitleMr, Phone: "13800138000",
		Purpose: data.PurposeViewing, SourceID: a.firstSource(), Consent: true, Via: data.ViaDesk}); err != nil {
		t.Fatal(err)
	}
	if _, err := loopA.Round(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := loopB.Round(ctx); err != nil {
		t.Fatal(err)
	}
	b.shows("王先生")
	if board.loadSeq != loads+1 {
		t.Errorf("the pull reloaded the board %d times, want once", board.loadSeq-loads)
	}

	loads = board.loadSeq
	now := a.clk.Now()
	if _, err := a.store.ScheduleSpecialRevisit(ctx, a.admin.ID, data.SpecialRevisitInput{CustomerName: "赵女士", Phone: "13900001111", Place: "3栋1502",
		From: now, To: now.AddDate(0, 0, 7)}); err != nil {
		t.Fatal(err)
	}
	if _, err := loopA.Round(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := loopB.Round(ctx); err != nil {
		t.Fatal(err)
	}
	if board.loadSeq != loads {
		t.Errorf("a pulled care revisit reloaded the board %d times", board.loadSeq-loads)
	}
}

// Checking in on the desk refreshes the board through the store's change,
// once; the check-in screen does not reload it.
func TestCheckInRefreshesOtherScreensThroughTheStore(t *testing.T) {
	h := newHarness(t, true, "陈思远")
	h.onDuty("陈思远")
	h.signInAs("李静")
	board := h.u.shell.board.loadSeq
	c := h.checkIn()
	fillCheckIn(t, c, "13812345678", "王芳")
	test.Tap(c.submit)
	if h.u.shell.board.loadSeq != board+1 {
		t.Errorf("the check-in reloaded the board %d times, want once", h.u.shell.board.loadSeq-board)
	}
}
