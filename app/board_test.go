package app

import (
	"context"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"anchang/data"
)

// seedVisits checks three visitors in through the store, a minute apart.
func (h *harness) seedVisits() []data.Visit {
	h.t.Helper()
	ctx := context.Background()
	var out []data.Visit
	for _, v := range []struct{ name, phone, consultant string }{
		{"王芳", "13812345678", "陈思远"},
		{"李强", "13900001111", "林晓雯"},
		{"张伟", "+447911123456", ""},
	} {
		in := data.CheckInInput{Name: v.name, Phone: v.phone, Purpose: data.PurposeViewing, SourceID: h.firstSource(), Consent: true, Via: data.ViaDesk}
		if v.consultant != "" {
			in.ConsultantID = h.staffID(v.consultant)
		}
		visit, err := h.store.CheckIn(ctx, h.admin.ID, in)
		if err != nil {
			h.t.Fatal(err)
		}
		out = append(out, visit)
		h.clk.Advance(time.Minute)
	}
	return out
}

func (h *harness) board() *boardScreen {
	h.t.Helper()
	h.selectTab("今日看板")
	return h.u.shell.board
}

func TestBoardShowsFiguresFiltersAndChecksOut(t *testing.T) {
	h := newHarness(t, true, "陈思远", "林晓雯")
	h.onDuty("陈思远", "林晓雯")
	visits := h.seedVisits()
	h.signInAs("李静")
	b := h.board()
	// Nobody handed over yet: no average wait, not "0秒".
	h.figures(map[string]string{"visits": "3", "first": "3", "return": "0", "present": "3", "waiting": "3", "kiosk": "0", "avg_wait": "—"})
	h.shows("今日来访", "王芳", "138****5678", "+44 ****3456", "待分配")
	h.hides("13812345678", "7911123456")

	// Search by name and by phone digits.
	test.Type(b.search, "李")
	if len(b.rows) != 1 || b.rows[0].Name != "李强" {
		t.Fatalf("search 李: %v", b.rows)
	}
	b.search.SetText("5678")
	if len(b.rows) != 1 || b.rows[0].Name != "王芳" {
		t.Fatalf("search 5678: %v", b.rows)
	}
	b.search.SetText("%")
	if len(b.rows) != 0 {
		t.Fatalf("search %%: %v", b.rows)
	}
	h.shows("今天还没有符合条件的来访。")
	b.search.SetText("")

	// Hand over 王芳 in the negotiation area after a 4-minute wait.
	h.clk.Advance(time.Minute)
	b.selectVisit(visits[0].ID)
	h.shows("电话：138 1234 5678") // a receptionist sees the full number in the detail
	selectOption(t, b.area, "洽谈区")
	test.Tap(b.handOver)
	h.hides("来访详情") // the dialog closed after the hand-over
	h.shows("接待中")
	b.selectVisit(visits[0].ID)
	h.shows("接手，等待 4分钟")
	test.Tap(findButton(t, h, "关闭"))

	// Filter by status and consultant.
	selectOption(t, b.status, "接待中")
	if len(b.rows) != 1 || b.rows[0].Name != "王芳" {
		t.Fatalf("serving: %v", b.rows)
	}
	selectOption(t, b.status, "全部状态")
	selectOption(t, b.consultant, "林晓雯")
	if len(b.rows) != 1 || b.rows[0].Name != "李强" {
		t.Fatalf("consultant filter: %v", b.rows)
	}
	selectOption(t, b.consultant, "全部顾问")

	// One tap checks a visitor out from the row.
	var row int = -1
	for i, r := range b.rows {
		if r.VisitID == visits[0].ID {
			row = i
		}
	}
	cell := b.table.CreateCell()
	b.updateCell(widgetCell(row, len(boardColumns)-1), cell)
	test.Tap(cellButton(cell))
	h.figures(map[string]string{"visits": "3", "present": "2", "waiting": "2", "avg_wait": "4分钟"})
	h.shows("已离开")
	if err := h.store.CheckOut(context.Background(), h.admin.ID, visits[0].ID); data.ErrorCode(err) != data.ECONFLICT {
		t.Fatalf("second check-out: %v", err)
	}
	// 陈思远's only visitor left: he is available again.
	h.selectTab("顾问轮排")
	h.shows("陈思远")
	for _, e := range h.u.shell.rotation.entries {
		if e.Name == "陈思远" && e.Status != data.StatusAvailable {
			t.Fatalf("陈思远 is %s after his visitor left", e.Status)
		}
	}
}

func TestBoardMasksPhoneForOtherConsultantsCustomers(t *testing.T) {
	h := newHarness(t, true, "陈思远", "林晓雯")
	visits := h.seedVisits()
	// 林晓雯 needs a PIN-less sign-in path: the desk is opened for her directly.
	h.signInAs("林晓雯")
	b := h.board()
	// A consultant sees only their own visitors on the board…
	if len(b.rows) != 1 || b.rows[0].Name != "李强" {
		t.Fatalf("consultant board: %v", b.rows)
	}
	b.selectVisit(visits[1].ID)
	h.shows("电话：139 0000 1111")
	// …and someone else's customer only masked.
	b.selectVisit(visits[0].ID)
	h.shows("电话：138****5678")
	h.hides("138 1234 5678")
	if !b.handOver.Disabled() || !b.checkOut.Disabled() {
		t.Fatal("a consultant can act on the desk board")
	}
}

// figures checks the board's figure strip.
func (h *harness) figures(want map[string]string) {
	h.t.Helper()
	b := h.u.shell.board
	for name, v := range want {
		if got := b.figures[name].Text; got != v {
			h.t.Fatalf("figure %s = %q, want %q", name, got, v)
		}
	}
}
