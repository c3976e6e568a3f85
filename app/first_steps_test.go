package app

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"anchang/assets"
)

// TestFirstStepsAfterSetup: on a fresh office the board, the staff screen
// and the answers tab name the next step, each with a button that goes
// there; each card goes away once its step is done.
func TestFirstStepsAfterSetup(t *testing.T) {
	h := newHarness(t, true) // an admin and a receptionist, no consultant
	if _, err := h.store.EnsureStarterFAQ(context.Background(), assets.StarterFAQ); err != nil {
		t.Fatal(err)
	}
	h.signInAs("管理员")
	sh := h.u.shell
	h.selectTab("今日看板")
	if sh.board.next.step != stepConsultants {
		t.Fatalf("board step %d", sh.board.next.step)
	}
	h.shows("第 1 步（共 3 步）：添加置业顾问")
	test.Tap(sh.board.next.button)
	if sh.tabs.Items[sh.tabs.selected] != sh.staffTab {
		t.Fatal("the button did not open Staff")
	}
	st := sh.staff
	if h.focusedEntry() != st.name || st.role.Selected != T("role.consultant") {
		t.Fatalf("the staff form is not ready for a consultant (role %q)", st.role.Selected)
	}
	st.name.SetText("陈思远")
	test.Tap(st.save)
	h.shows("第 2 步（共 3 步）：让顾问上岗")
	test.Tap(st.next.button)
	if sh.tabs.Items[sh.tabs.selected] != sh.rotationTab {
		t.Fatal("the button did not open the rotation")
	}
	h.onDuty("陈思远")
	h.selectTab("今日看板")
	if sh.board.next.box.Visible() {
		t.Fatal("the board still shows a step with a consultant on duty")
	}

	// The answers tab: only the starter manual.
	h.selectTab("咨询应答")
	f := sh.faq
	if f.next.step != stepManual || !f.next.box.Visible() {
		t.Fatalf("answers step %d", f.next.step)
	}
	test.Tap(f.next.button)
	if sh.faqAdmin.pages.Items[sh.faqAdmin.pages.selected] != sh.faqAdmin.files {
		t.Fatal("the button did not open Import / export")
	}
	// A receptionist sees the step without a button.
	h.signInAs("李静")
	h.selectTab("咨询应答")
	if b := h.u.shell.faq.next.button; b.Visible() {
		t.Fatal("a receptionist is offered the import")
	}
	h.shows("请案场管理员导入本项目的手册")
}

// TestFirstStepsEnglish: the cards are translated.
func TestFirstStepsEnglish(t *testing.T) {
	h := newHarness(t, true)
	SetLanguage("en")
	h.signInAs("管理员")
	h.selectTab("Today's board")
	h.shows("Step 1 of 3: Add the sales consultants", "Add a consultant")
}

// TestHelpMenuGuide: the Help menu opens the getting-started page and the
// user guide built from docs/guide.md, and About.
func TestHelpMenuGuide(t *testing.T) {
	h := newHarness(t, true)
	h.signInAs("李静")
	menu := h.win.MainMenu()
	var help *fyne.Menu
	for _, m := range menu.Items {
		if m.Label == "帮助" {
			help = m
		}
	}
	if help == nil {
		t.Fatal("no 帮助 menu")
	}
	var labels []string
	for _, it := range help.Items {
		labels = append(labels, it.Label)
	}
	if got := strings.Join(labels, "|"); got != "快速上手|用户指南||关于案场前台" {
		t.Fatalf("help menu %q", got)
	}
	help.Items[1].Action()
	h.shows("用户指南", "来访登记 Check-in", "无需联网")
	g := h.u.guide
	i := g.section("设置 Settings")
	if i < 0 {
		t.Fatal("no Settings section")
	}
	g.list.Select(i)
	h.shows("案场与本机 Office and device")
	for _, s := range g.sections {
		for _, b := range s.blocks {
			if strings.Contains(b.text, "![") || strings.Contains(b.text, "**") || strings.Contains(b.text, "screenshots/") {
				t.Fatalf("markup left in %q: %q", s.title, b.text)
			}
		}
	}
	g.modal.Hide()
	help.Items[0].Action()
	h.shows("快速上手", "1．添加员工")
}

// TestParseGuide: sections, headings, joined paragraphs, list items, and
// no pictures.
func TestParseGuide(t *testing.T) {
	md := "# Guide\n\n## 一 One\nfirst line\nsecond **bold** line\n\n![shot](screenshots/x.png)\n\n### Sub\n- item `a`\n- item b\n\n| | |\n|---|---|\n| ![](a.png) | ![](b.png) |\n\n## Two\n1. step\n"
	got := parseGuide(md)
	want := []guideSection{
		{title: "一 One", blocks: []guideBlock{{text: "first line second bold line"}, {text: "Sub", heading: true}, {text: "• item a"}, {text: "• item b"}}},
		{title: "Two", blocks: []guideBlock{{text: "1. step"}}},
	}
	if len(got) != len(want) {
		t.Fatalf("sections %+v", got)
	}
	for i := range want {
		if got[i].title != want[i].title || len(got[i].blocks) != len(want[i].blocks) {
			t.Fatalf("section %d: %+v", i, got[i])
		}
		for j := range want[i].blocks {
			if got[i].blocks[j] != want[i].blocks[j] {
				t.Fatalf("section %d block %d: %+v, want %+v", i, j, got[i].blocks[j], want[i].blocks[j])
			}
		}
	}
}
