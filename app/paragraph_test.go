package app

import (
	"strings"
	"testing"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
)

// findParagraph finds the first paragraph in o.
func findParagraph(o fyne.CanvasObject) *paragraph {
	switch w := o.(type) {
	case *paragraph:
		return w
	case *fyne.Container:
		for _, c := range w.Objects {
			if p := findParagraph(c); p != nil {
				return p
			}
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(w).Objects() {
			if p := findParagraph(c); p != nil {
				return p
			}
		}
	}
	return nil
}

// closing may never start a line, opening never end one (the Chinese
// line-breaking rules, 避头尾).
const (
	closingPunct = noLineStart
	openingPunct = "（《「『【〔“‘([{"
)

// cellWidth measures as a fixed-pitch terminal would: a CJK character is
// two cells, everything else one.
func cellWidth(s string) float32 {
	var w float32
	for _, r := range s {
		if r >= 0x2E80 {
			w += 2
		} else {
			w++
		}
	}
	return w
}

// checkLines fails on a line that breaks a rule.
func checkLines(t *testing.T, what string, text string, lines []string, width float32, measure func(string) float32) {
	t.Helper()
	for i, l := range lines {
		if l == "" {
			continue
		}
		first, _ := utf8.DecodeRuneInString(l)
		last, _ := utf8.DecodeLastRuneInString(l)
		if strings.ContainsRune(closingPunct, first) {
			t.Fatalf("%s, width %v: line %d starts with %q: %q", what, width, i, first, l)
		}
		if i < len(lines)-1 && lines[i+1] != "" && strings.ContainsRune(openingPunct, last) {
			t.Fatalf("%s, width %v: line %d ends with %q: %q", what, width, i, last, l)
		}
		if measure(l) > width {
			t.Fatalf("%s, width %v: line %d is %v wide: %q", what, width, i, measure(l), l)
		}
	}
	// Nothing is lost or added but the spaces at breaks.
	squash := func(s string) string { return strings.Join(strings.Fields(s), "") }
	if squash(strings.Join(lines, "")) != squash(text) {
		t.Fatalf("%s, width %v: the lines do not add up to the text", what, width)
	}
}

// TestBreakLinesChineseRules breaks the privacy notice and the guide's
// first-steps text, in both languages, at every width from 12 to 80 cells.
func TestBreakLinesChineseRules(t *testing.T) {
	texts := map[string]string{}
	for _, lang := range []string{"zh", "en"} {
		SetLanguage(lang)
		texts["notice "+lang] = T("consent.text") + "\n\n" + T("consent.agree.desk", map[string]any{"Box": T("checkin.consent.label")})
		texts["steps "+lang] = T("help.steps.text")
	}
	SetLanguage("zh")
	texts["mixed"] = "请在“设置 → 案场与本机”里修改（管理员）。编号 XHW-01、电话 400-800-1234，网址 https://example.com/a/very/long/path/that/never/breaks。"
	for name, text := range texts {
		for w := float32(12); w <= 80; w++ {
			checkLines(t, name, text, breakLines(text, w, cellWidth), w, cellWidth)
		}
	}
	// The rule at work: "，" would fit exactly at the start of the next line.
	lines := breakLines("一二三四，五六", 8, cellWidth)
	if len(lines) != 2 || lines[0] != "一二三" || lines[1] != "四，五六" {
		t.Fatalf("lines %q", lines)
	}
}

// TestConsentNoticeWrapsByTheRules: the notice the desk shows (and the
// kiosk's) is a paragraph whose lines keep the rules at the modal's width
// and narrower ones; the desk's names the desk's own check box and not
// the kiosk's button, and the kiosk's names its button.
func TestConsentNoticeWrapsByTheRules(t *testing.T) {
	for _, lang := range []string{"zh", "en"} {
		t.Run(lang, func(t *testing.T) {
			h := newHarness(t, true, "陈思远")
			SetLanguage(lang)
			h.signInAs("李静")
			h.u.shell.checkin.showConsent()
			o := findVisible(h, func(o fyne.CanvasObject) bool { _, ok := o.(*paragraph); return ok })
			if o == nil {
				t.Fatal("the notice is not a paragraph")
			}
			p := o.(*paragraph)
			if strings.Contains(p.Text, T("kiosk.confirm")) || !strings.Contains(p.Text, T("checkin.consent.label")) {
				t.Fatalf("the desk's notice names the wrong control:\n%s", p.Text)
			}
			for _, w := range []float32{560, 420, 300, 233} {
				p.Resize(fyne.NewSize(w, p.Size().Height))
				checkLines(t, "desk notice", p.Text, p.Lines(), w, func(s string) float32 { return p.measure(s) + 2*theme.InnerPadding() })
			}
			test.AssertObjectRendersToMarkup(t, "paragraph_notice_"+lang+".xml", p)

			h.u.showKiosk()
			k := h.kioskScreen()
			kp := findParagraph(k.consentView())
			if kp == nil || !strings.Contains(kp.Text, T("kiosk.confirm")) {
				t.Fatalf("the kiosk's notice does not name its button %q", T("kiosk.confirm"))
			}
		})
	}
}
