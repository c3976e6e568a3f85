package app

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"anchang/data"
)

// TestFAQNewSearchClearsTheAnswer: typing a new search takes the previous
// answer off the pane at once, before any result is chosen, so it cannot
// be read out as the answer to the new question.
func TestFAQNewSearchClearsTheAnswer(t *testing.T) {
	h, f := faqDesk(t, "李静")
	test.Type(f.search, "公积金")
	f.list.Select(0)
	old := f.answer.String()
	if f.selected == nil || old == "" {
		t.Fatal("no answer shown")
	}
	h.shows("可以用公积金贷款吗？")

	f.search.SetText("车位")
	if f.selected != nil || f.answerBox.Visible() || !f.placeholder.Visible() {
		t.Fatalf("the previous answer stays after a new search (selected %v)", f.selected)
	}
	if strings.Contains(h.screen(), old[:min(len(old), 30)]) {
		t.Fatal("the previous answer's text is still on screen")
	}
	// Choosing a result of the new search shows it.
	f.list.Select(0)
	if f.selected == nil || !strings.Contains(f.selected.Question+f.selected.Answer, "车位") {
		t.Fatalf("selected %+v", f.selected)
	}
	// Clearing the box also clears the pane.
	f.search.SetText("")
	if f.selected != nil || f.answerBox.Visible() {
		t.Fatal("an emptied box keeps the answer")
	}
}

// TestTicketDetailCustomerOnTop: the customer's name, phone and unit are
// the first thing of the ticket's record pane, in view without scrolling,
// above the deadlines.
func TestTicketDetailCustomerOnTop(t *testing.T) {
	h := ticketDesk(t)
	in := data.TicketInput{Kind: data.TicketComplaint, Category: data.CatEngineering, Severity: data.SeverityGeneral,
		Project: "星河湾", Building: "3栋", Unit: "1502", Subject: "工程部", Description: "客厅墙面渗水，已三次报修未解决",
		Demand: "一周内修好并赔偿", Department: "工程部", CustomerName: "王芳", Phone: "13812345678"}
	if _, err := h.store.OpenTicket(context.Background(), h.staffID("李静"), in); err != nil {
		t.Fatal(err)
	}
	h.selectTab("工单")
	d := h.openFirstTicket()
	// Where each text sits in the record pane, from its top.
	pos := map[string]float32{}
	var walk func(o fyne.CanvasObject, y float32)
	walk = func(o fyne.CanvasObject, y float32) {
		y += o.Position().Y
		switch w := o.(type) {
		case *widget.Label:
			for _, k := range []string{"王芳", "138 1234 5678", "1502", T("ticket.deadlines"), T("ticket.f.description")} {
				if _, seen := pos[k]; !seen && strings.Contains(w.Text, k) {
					pos[k] = y + w.Size().Height
				}
			}
		case *fyne.Container:
			for _, c := range w.Objects {
				walk(c, y)
			}
		}
	}
	walk(d.left.Content, 0)
	view := d.left.Size().Height
	for _, k := range []string{"王芳", "138 1234 5678", "1502"} {
		y, ok := pos[k]
		if !ok || y > view {
			t.Fatalf("%q is at %v of a %v-high pane (found %v)", k, y, view, ok)
		}
		if y > pos[T("ticket.deadlines")] {
			t.Fatalf("%q comes after the deadlines", k)
		}
	}
}
