package app

import (
	"context"
	"image/color"
	"math"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"anchang/data"
)

// TestInspectionRestOfRoomPasses: "the rest of this room is fine" asks
// first, saying how many items it will pass; cancel changes nothing;
// confirming records every unanswered item of that room as pass, one
// result per item, and leaves a defect a defect, a not-applicable as it
// was and the other rooms untouched.
func TestInspectionRestOfRoomPasses(t *testing.T) {
	h := newHarness(t, true)
	h.signInAs("李静")
	c := startInspection(t, h, "2单元1202")
	ctx := context.Background()
	stored := func() data.InspectionState {
		t.Helper()
		st, err := h.store.InspectionDetail(ctx, h.staffID("李静"), c.st.ID)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	entry := c.pages[0].items
	if len(entry) != 7 {
		t.Fatalf("entry has %d items", len(entry))
	}
	h.shows("本房间其余项合格（7）")

	// a defect and a not-applicable first
	test.Tap(c.rows["entry.viewer"].na)
	test.Tap(c.rows["entry.open"].defect)
	test.Type(findVisible(h, func(o fyne.CanvasObject) bool {
		e, ok := o.(*widget.Entry)
		return ok && e.PlaceHolder == T("insp.defect.desc.hint")
	}).(*widget.Entry), "关门时摩擦门槛石")
	test.Tap(findButton(t, h, "记录缺陷"))
	h.shows("已检 2/112 · 未检查 110 项 · 缺陷 1", "本房间其余项合格（5）")

	// cancel: nothing happens
	test.Tap(c.rest)
	h.shows("将把「入户门」中尚未检查的 5 项记为合格，每项单独记录。", "已判定的 2 项（其中缺陷 1 项）保持不变。")
	test.Tap(findButton(t, h, "取消"))
	h.hides("记为合格（5 项）")
	if st := stored(); len(st.Results) != 2 {
		t.Fatalf("cancel recorded %d results", len(st.Results))
	}
	h.shows("已检 2/112 · 未检查 110 项 · 缺陷 1")

	// confirm: the five others pass, each recorded on its own
	before := h.count("outbox")
	test.Tap(c.rest)
	test.Tap(findButton(t, h, "记为合格（5 项）"))
	st := stored()
	for _, it := range entry {
		want := data.ResultPass
		switch it.Key {
		case "entry.open":
			want = data.ResultDefect
		case "entry.viewer":
			want = data.ResultNA
		}
		if got := st.Results[it.Key].Result; got != want {
			t.Errorf("%s: %q, want %q", it.Key, got, want)
		}
	}
	if st.Results["entry.open"].Description != "关门时摩擦门槛石" {
		t.Errorf("the defect's description changed: %+v", st.Results["entry.open"])
	}
	if len(st.Results) != 7 || h.count("outbox")-before != 5 {
		t.Fatalf("%d results, %d records written, want 7 and 5 (one per item)", len(st.Results), h.count("outbox")-before)
	}
	h.shows("已检 7/112 · 未检查 105 项 · 缺陷 1", "本房间其余项合格（0）")
	if !c.rest.Disabled() {
		t.Error("the button is still enabled with nothing left to pass")
	}

	// the next room is untouched, and its button counts its own items
	c.nav.Select(1)
	h.shows("本房间其余项合格（6）")
	for k := range st.Results {
		if !strings.HasPrefix(k, "entry.") {
			t.Fatalf("another room's item %s was answered", k)
		}
	}
}

// TestInspectionStandardReadable: an item's acceptance standard is drawn
// at body size in a colour with at least 4.5:1 contrast on the page
// (WCAG AA), in both languages; it was caption-size placeholder grey.
func TestInspectionStandardReadable(t *testing.T) {
	for _, lang := range []string{"zh", "en"} {
		t.Run(lang, func(t *testing.T) {
			h := newHarness(t, true)
			h.signInAs("李静")
			c := startInspection(t, h, "2单元1202")
			SetLanguage(lang)
			c.showPage(0)
			it := c.pages[0].items[0]
			want := localName(it.Standard, it.StandardEn)
			o := findVisible(h, func(o fyne.CanvasObject) bool {
				tx, ok := o.(*canvas.Text)
				return ok && tx.Text != "" && strings.HasPrefix(want, tx.Text)
			})
			if o == nil {
				t.Fatalf("standard %q not drawn:\n%s", want, h.screen())
			}
			tx := o.(*canvas.Text)
			body := fyne.CurrentApp().Settings().Theme().Size(theme.SizeNameText)
			if tx.TextSize < body {
				t.Errorf("standard drawn at %.0f px, body text is %.0f", tx.TextSize, body)
			}
			for _, bg := range []color.Color{colorBackground, colorPanel} {
				if r := contrast(tx.Color, bg); r < 4.5 {
					t.Errorf("standard colour %v has contrast %.2f:1 on %v", tx.Color, r, bg)
				}
			}
		})
	}
}

// contrast is the WCAG contrast ratio of two colours.
func contrast(a, b color.Color) float64 {
	lum := func(c color.Color) float64 {
		r, g, b, _ := color.NRGBAModel.Convert(c).RGBA()
		ch := func(v uint32) float64 {
			x := float64(v>>8) / 255
			if x <= 0.03928 {
				return x / 12.92
			}
			return math.Pow((x+0.055)/1.055, 2.4)
		}
		return 0.2126*ch(r) + 0.7152*ch(g) + 0.0722*ch(b)
	}
	la, lb := lum(a), lum(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// TestUnitHistoryAgreesWithSummary: the unit history of an inspection in
// progress with a defect says the same as its checklist: the row counts
// the defect and the unchecked items, and the defect list shows that
// defect (in progress), not "没有发现问题"; the inspections list says it
// too. In English likewise.
func TestUnitHistoryAgreesWithSummary(t *testing.T) {
	for _, lang := range []string{"zh", "en"} {
		t.Run(lang, func(t *testing.T) {
			h := newHarness(t, true)
			h.signInAs("李静")
			SetLanguage(lang)
			c := startInspection(t, h, "2单元1202")
			test.Tap(c.rows["entry.leaf"].pass)
			test.Tap(c.rows["entry.open"].defect)
			test.Type(findVisible(h, func(o fyne.CanvasObject) bool {
				e, ok := o.(*widget.Entry)
				return ok && e.PlaceHolder == T("insp.defect.desc.hint")
			}).(*widget.Entry), "关门时摩擦门槛石")
			test.Tap(findButton(t, h, T("insp.defect.save")))
			summary := map[string]string{"zh": "进行中 · 已检 2/112 · 未检查 110 项 · 缺陷 1",
				"en": "In progress · 2/112 · 110 unchecked · defects 1"}[lang]
			h.shows(summary)

			test.Tap(findButton(t, h, T("insp.history")))
			h.shows(summary, T("insp.history.defects", map[string]any{"N": 1}), "关门时摩擦门槛石", T("insp.verdict.in_progress"))
			h.hides(T("insp.history.no_defects"))

			test.Tap(findButton(t, h, T("insp.back")))
			h.shows(summary)
		})
	}
}
