package app

import (
	"context"
	"testing"

	"anchang/data"
)

// fakeBoardStore is the board's narrow store with function fields; a call
// the test does not set panics on the nil embedded interface.
type fakeBoardStore struct {
	boardStore
	board func(ctx context.Context, day string, f data.BoardFilter) (data.Board, error)
}

func (f fakeBoardStore) Today() string { return "2026-11-23" }
func (f fakeBoardStore) ListStaff(context.Context, bool) ([]data.Staff, error) {
	return nil, nil
}
func (f fakeBoardStore) Board(ctx context.Context, day string, filter data.BoardFilter) (data.Board, error) {
	return f.board(ctx, day, filter)
}

// The board reads only its own small store (boardStore): given a fake, it
// shows what the fake returns, and a failure in the user's words.
func TestBoardOverItsNarrowStore(t *testing.T) {
	h := newHarness(t, true)
	h.signInAs("李静")
	h.selectTab("今日看板")
	b := h.u.shell.board
	var asked string
	b.store = fakeBoardStore{board: func(_ context.Context, day string, _ data.BoardFilter) (data.Board, error) {
		asked = day
		return data.Board{Rows: []data.BoardRow{{VisitID: "v1", Name: "赵", Title: data.TitleMs, ArrivedAt: h.clk.Now()}}}, nil
	}}
	b.reload()
	if asked != "2026-11-23" {
		t.Fatalf("the board asked for day %q", asked)
	}
	h.shows("赵女士")
	b.store = fakeBoardStore{board: func(context.Context, string, data.BoardFilter) (data.Board, error) {
		return data.Board{}, &data.Error{Code: data.ENOTFOUND, Key: "err.visit.not_found"}
	}}
	b.reload()
	h.shows(T("err.visit.not_found"))
}
