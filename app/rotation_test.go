package app

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"anchang/data"
)

// queueNames is the rotation queue as the screen lists it.
func (h *harness) queueNames() string {
	h.t.Helper()
	r := h.u.shell.rotation
	var names []string
	for _, e := range r.entries {
		if e.Status != data.StatusOff {
			names = append(names, e.Name)
		}
	}
	return strings.Join(names, ",")
}

// rotationRowFor returns the rendered list row of a consultant.
func (h *harness) rotationRowFor(name string) *rotationRow {
	h.t.Helper()
	r := h.u.shell.rotation
	for i, e := range r.entries {
		if e.Name == name {
			row := newRotationRow(true)
			r.updateRow(i, row)
			return row
		}
	}
	h.t.Fatalf("%s not in the queue", name)
	return nil
}

func TestRotationScreenActionsChangeTheOrder(t *testing.T) {
	h := newHarness(t, true, "陈思远", "林晓雯", "王浩然")
	h.signInAs("李静")
	h.selectTab("顾问轮排")
	r := h.u.shell.rotation
	h.shows("暂无在岗空闲的置业顾问")

	// On duty in the order they are put on.
	for _, n := range []string{"林晓雯", "陈思远", "王浩然"} {
		selectOption(t, r.joinWho, n)
		test.Tap(r.join)
	}
	if got := h.queueNames(); got != "林晓雯,陈思远,王浩然" {
		t.Fatalf("queue %s", got)
	}
	h.shows("下一位接待：林晓雯", "林晓雯 上岗", "操作：李静")

	steps := []struct {
		who, button string
		queue, next string
	}{
		{"林晓雯", "跳过", "陈思远,王浩然,林晓雯", "陈思远"},
		{"陈思远", "忙碌", "陈思远,王浩然,林晓雯", "王浩然"},
		{"林晓雯", "补接", "林晓雯,陈思远,王浩然", "林晓雯"},
		{"陈思远", "恢复在岗", "林晓雯,陈思远,王浩然", "林晓雯"},
		{"林晓雯", "下岗", "陈思远,王浩然", "陈思远"},
	}
	for _, s := range steps {
		row := h.rotationRowFor(s.who)
		var tapped bool
		for _, b := range row.buttons() {
			if b.Text == s.button {
				test.Tap(b)
				tapped = true
			}
		}
		if !tapped {
			t.Fatalf("%s has no %s button", s.who, s.button)
		}
		if got := h.queueNames(); got != s.queue {
			t.Fatalf("after %s %s: queue %s, want %s", s.who, s.button, got, s.queue)
		}
		h.shows("下一位接待：" + s.next)
	}
	// Every action is in the log with who did it.
	h.shows("林晓雯 跳过本轮", "陈思远 设为忙碌", "林晓雯 补接", "陈思远 恢复在岗", "林晓雯 下岗")
	// An off-duty consultant can come back, at the end of the queue.
	test.Tap(h.rotationRowFor("林晓雯").leave)
	if got := h.queueNames(); got != "陈思远,王浩然,林晓雯" {
		t.Fatalf("after rejoin: %s", got)
	}
}
