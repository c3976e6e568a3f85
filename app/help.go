package app

import (
	"regexp"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"anchang/docs"
)

// The Help menu: 快速上手 (the first steps after setup, in the desk's
// language) and 用户指南 (docs/guide.md, built in: no network), and 关于.

// guideSection is one "## " section of the guide.
type guideSection struct {
	title string
	// blocks are its headings ("### ", heading true) and paragraphs, in order.
	blocks []guideBlock
}

type guideBlock struct {
	text    string
	heading bool
}

var (
	mdImage = regexp.MustCompile(`!\[[^\]]*\]\([^)]*\)`)
	mdLink  = regexp.MustCompile(`\[([^\]]+)\]\([^)]*\)`)
)

// mdInline drops the inline markup a reader of plain text does not need.
func mdInline(s string) string {
	s = mdImage.ReplaceAllString(s, "")
	s = mdLink.ReplaceAllString(s, "$1")
	return strings.NewReplacer("**", "", "`", "").Replace(s)
}

// parseGuide splits the guide into its sections: paragraphs joined from
// their wrapped lines, list items one paragraph each, pictures and image
// tables left out (they live in docs/screenshots).
func parseGuide(md string) []guideSection {
	var out []guideSection
	var para []string
	flush := func() {
		if len(para) > 0 && len(out) > 0 {
			t := strings.TrimSpace(strings.Join(para, " "))
			if t != "" {
				out[len(out)-1].blocks = append(out[len(out)-1].blocks, guideBlock{text: t})
			}
		}
		para = nil
	}
	for _, line := range strings.Split(md, "\n") {
		trim := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(trim, "# "):
			flush()
		case strings.HasPrefix(trim, "## "):
			flush()
			out = append(out, guideSection{title: mdInline(strings.TrimPrefix(trim, "## "))})
		case strings.HasPrefix(trim, "### "):
			flush()
			if len(out) > 0 {
				out[len(out)-1].blocks = append(out[len(out)-1].blocks, guideBlock{text: mdInline(strings.TrimPrefix(trim, "### ")), heading: true})
			}
		case trim == "" || strings.HasPrefix(trim, "```"):
			flush()
		case strings.HasPrefix(trim, "|"):
			flush()
			var cells []string
			for _, c := range strings.Split(mdInline(trim), "|") {
				if c = strings.TrimSpace(c); strings.Trim(c, "-: ") != "" {
					cells = append(cells, c)
				}
			}
			if len(cells) > 0 {
				para = []string{strings.Join(cells, " · ")}
				flush()
			}
		case strings.HasPrefix(trim, "- ") || strings.HasPrefix(trim, "* ") || isNumbered(trim):
			flush()
			if strings.HasPrefix(trim, "- ") || strings.HasPrefix(trim, "* ") {
				trim = "• " + trim[2:]
			}
			para = append(para, mdInline(trim))
		default:
			if t := strings.TrimSpace(mdInline(trim)); t != "" {
				para = append(para, t)
			}
		}
	}
	flush()
	return out
}

// isNumbered reports whether a line starts a numbered list item ("2. ").
func isNumbered(s string) bool {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i > 0 && strings.HasPrefix(s[i:], ". ")
}

// helpScreen is the guide in a modal: its sections on the left, the
// chosen one on the right.
type helpScreen struct {
	u        *UI
	sections []guideSection
	list     *widget.List
	body     *fyne.Container
	scroll   *container.Scroll
	modal    *modal
}

// showGuide opens the guide at section (0 is 快速上手).
func (u *UI) showGuide(section int) *helpScreen {
	h := &helpScreen{u: u}
	steps := guideSection{title: T("help.steps.title")}
	for _, p := range strings.Split(T("help.steps.text"), "\n\n") {
		steps.blocks = append(steps.blocks, guideBlock{text: p})
	}
	h.sections = append([]guideSection{steps}, parseGuide(docs.Guide)...)
	h.body = container.NewVBox()
	h.scroll = container.NewVScroll(container.NewPadded(h.body))
	h.list = widget.NewList(func() int { return len(h.sections) },
		func() fyne.CanvasObject { return &widget.Label{Truncation: fyne.TextTruncateEllipsis} },
		func(i widget.ListItemID, o fyne.CanvasObject) { o.(*widget.Label).SetText(h.sections[i].title) })
	h.list.OnSelected = h.show
	split := container.NewHSplit(h.list, h.scroll)
	split.Offset = 0.3
	note := widget.NewLabel(T("help.guide.note"))
	note.Wrapping = fyne.TextWrapWord
	content := container.NewBorder(nil, note, nil, nil, split)
	h.modal = u.showModal(T("help.guide"), container.NewGridWrap(u.modalSize(1000, 700), content), T("dialog.close"))
	h.list.Select(section)
	u.guide = h
	return h
}

// show puts a section in the right pane.
func (h *helpScreen) show(i widget.ListItemID) {
	if i < 0 || i >= len(h.sections) {
		return
	}
	sec := h.sections[i]
	objs := []fyne.CanvasObject{heading(sec.title)}
	for _, b := range sec.blocks {
		if b.heading {
			objs = append(objs, heading(b.text))
		} else {
			objs = append(objs, newParagraph(b.text))
		}
	}
	h.body.Objects = objs
	h.body.Refresh()
	h.scroll.ScrollToTop()
}

// section finds a section by the start of its title.
func (h *helpScreen) section(prefix string) int {
	for i, s := range h.sections {
		if strings.HasPrefix(s.title, prefix) {
			return i
		}
	}
	return -1
}
