package app

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/go-text/typesetting/segmenter"
)

// paragraph is running text wrapped to its width by Unicode's line-breaking
// rules (UAX #14, go-text/typesetting's segmenter, already linked by
// Fyne): a line never starts with closing punctuation (，。、；：？！）》”…)
// nor ends with opening punctuation (（《“), and a Latin word is never cut.
// Fyne's own word wrap breaks Chinese text, which has no spaces, after
// whatever character fills the line, so "，" and "。" often began a line
// of the privacy notice. Use it for notices and help text; short labels
// stay widget.Label.
type paragraph struct {
	widget.BaseWidget
	Text     string
	SizeName fyne.ThemeSizeName // theme.SizeNameText when ""

	lines []string // Text broken for width
	width float32  // the text width lines were broken for; 0 = not yet
}

func newParagraph(text string) *paragraph {
	p := &paragraph{Text: text}
	p.ExtendBaseWidget(p)
	return p
}

// SetText replaces the text and re-wraps it.
func (p *paragraph) SetText(text string) {
	p.Text = text
	p.width = 0
	p.Refresh()
}

// Lines is the text as it is broken now, one entry per line.
func (p *paragraph) Lines() []string { return p.lines }

func (p *paragraph) textSize() float32 {
	name := p.SizeName
	if name == "" {
		name = theme.SizeNameText
	}
	return theme.SizeForWidget(name, p)
}

func (p *paragraph) measure(s string) float32 {
	return fyne.MeasureText(s, p.textSize(), fyne.TextStyle{}).Width
}

func (p *paragraph) lineHeight() float32 {
	return fyne.MeasureText("国Ag", p.textSize(), fyne.TextStyle{}).Height + theme.SizeForWidget(theme.SizeNameLineSpacing, p)
}

// wrap breaks the text for a widget width; it reports whether the lines changed.
func (p *paragraph) wrap(width float32) bool {
	tw := width - 2*theme.SizeForWidget(theme.SizeNameInnerPadding, p)
	if tw <= 0 {
		tw = 1
	}
	if tw == p.width && p.lines != nil {
		return false
	}
	p.width = tw
	lines := breakLines(p.Text, tw, p.measure)
	same := len(lines) == len(p.lines)
	for i := 0; same && i < len(lines); i++ {
		same = lines[i] == p.lines[i]
	}
	p.lines = lines
	return !same
}

// Resize re-wraps the text for the new width; a change of lines changes
// the height the paragraph asks for.
func (p *paragraph) Resize(size fyne.Size) {
	if size == p.Size() && p.lines != nil {
		return
	}
	changed := p.wrap(size.Width)
	p.BaseWidget.Resize(size)
	if changed {
		p.Refresh()
	}
}

func (p *paragraph) CreateRenderer() fyne.WidgetRenderer {
	return &paragraphRenderer{p: p}
}

type paragraphRenderer struct {
	p     *paragraph
	texts []*canvas.Text
}

func (r *paragraphRenderer) Destroy() {}

func (r *paragraphRenderer) Objects() []fyne.CanvasObject {
	objs := make([]fyne.CanvasObject, len(r.texts))
	for i, t := range r.texts {
		objs[i] = t
	}
	return objs
}

// MinSize: narrow (the paragraph wraps to any width a layout gives it),
// and as tall as its lines at the current width.
func (r *paragraphRenderer) MinSize() fyne.Size {
	p := r.p
	pad := theme.SizeForWidget(theme.SizeNameInnerPadding, p)
	if p.lines == nil {
		if w := p.Size().Width; w > 0 {
			p.wrap(w)
		} else {
			p.lines = strings.Split(p.Text, "\n")
		}
	}
	return fyne.NewSize(p.measure("国国国国")+2*pad, float32(len(p.lines))*p.lineHeight()+2*pad)
}

func (r *paragraphRenderer) Layout(size fyne.Size) {
	p := r.p
	p.wrap(size.Width)
	r.sync()
	pad := theme.SizeForWidget(theme.SizeNameInnerPadding, p)
	lh := p.lineHeight()
	for i, t := range r.texts {
		t.Move(fyne.NewPos(pad, pad+float32(i)*lh))
		t.Resize(fyne.NewSize(size.Width-2*pad, lh))
	}
}

// sync makes one canvas text per line, in the theme's colour and size.
func (r *paragraphRenderer) sync() {
	p := r.p
	fg := theme.ColorForWidget(theme.ColorNameForeground, p)
	for len(r.texts) < len(p.lines) {
		r.texts = append(r.texts, &canvas.Text{})
	}
	r.texts = r.texts[:len(p.lines)]
	for i, t := range r.texts {
		t.Text, t.Color, t.TextSize = p.lines[i], fg, p.textSize()
	}
}

func (r *paragraphRenderer) Refresh() {
	p := r.p
	if p.width == 0 && p.Size().Width > 0 {
		p.wrap(p.Size().Width)
	}
	r.Layout(p.Size())
	for _, t := range r.texts {
		t.Refresh()
	}
}

// noLineStart is the punctuation a line may not begin with, kept to by a
// forced cut too (the segmenter keeps it everywhere else).
const noLineStart = "，。、；：？！）》」』】〕…”’,.;:?!)]}%"

// breakLines breaks text into lines no wider than width (as measure
// says), at the line-break opportunities of UAX #14, greedily. A newline
// always breaks; spaces at a break are dropped. A piece with no break
// opportunity wider than the line (a long number or address) is cut
// between characters, the one place a rule may give way.
func breakLines(text string, width float32, measure func(string) float32) []string {
	var out []string
	var seg segmenter.Segmenter
	for _, hard := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		if hard == "" {
			out = append(out, "")
			continue
		}
		seg.Init([]rune(hard))
		it := seg.LineIterator()
		cur := ""
		for it.Next() {
			chunk := string(it.Line().Text)
			if cur != "" && measure(strings.TrimRight(cur+chunk, " ")) <= width {
				cur += chunk
				continue
			}
			if cur != "" {
				out = append(out, strings.TrimRight(cur, " "))
			}
			cur = chunk
			// A chunk wider than a whole line: cut it.
			for measure(strings.TrimRight(cur, " ")) > width {
				rs := []rune(cur)
				n := 1
				for n < len(rs) && measure(string(rs[:n+1])) <= width {
					n++
				}
				// Even here, closing punctuation stays with what it closes.
				for n > 1 && n < len(rs) && strings.ContainsRune(noLineStart, rs[n]) {
					n--
				}
				if n >= len(rs) {
					break
				}
				out = append(out, string(rs[:n]))
				cur = string(rs[n:])
			}
		}
		out = append(out, strings.TrimRight(cur, " "))
	}
	return out
}
