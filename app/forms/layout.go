package forms

import (
	"strings"
	"unicode"
)

// noStart are the characters a Chinese line may not begin with (避头):
// closing punctuation stays with the character before it.
const noStart = "，。、；：？！）》」』】〕〉”’…—,.;:?!)]}%"

func breakable(r rune) bool {
	return unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r) ||
		(r >= 0x3000 && r <= 0x303F) || (r >= 0xFF00 && r <= 0xFFEF) || r == Placeholder
}

// wrap breaks s into lines no wider than w mm at the current font size:
// between any two Chinese characters, at spaces in other text, inside a
// word only when the word alone is wider than the line. Explicit line ends
// are kept. s must be Printable.
func (d *doc) wrap(s string, w float64) []string {
	var out []string
	for _, para := range strings.Split(s, "\n") {
		out = append(out, d.wrapLine([]rune(para), w)...)
	}
	return out
}

func (d *doc) wrapLine(rs []rune, w float64) []string {
	var lines []string
	for len(rs) > 0 {
		var width float64
		end, lastBreak := 0, -1
		for end < len(rs) {
			cw := d.runeWidth(rs[end]) * d.size
			if width+cw > w && end > 0 {
				break
			}
			width += cw
			end++
			if end < len(rs) && (rs[end] == ' ' || breakable(rs[end]) || breakable(rs[end-1])) {
				lastBreak = end
			}
		}
		if end < len(rs) {
			switch {
			case rs[end] == ' ':
			case lastBreak > 0 && !breakable(rs[end]) && !breakable(rs[end-1]):
				end = lastBreak // inside a word: back to the last break
			}
			// keep closing punctuation off the start of the next line
			for end > 1 && end < len(rs) && strings.ContainsRune(noStart, rs[end]) {
				end--
			}
		}
		lines = append(lines, strings.TrimRight(string(rs[:end]), " "))
		rs = rs[end:]
		for len(rs) > 0 && rs[0] == ' ' {
			rs = rs[1:]
		}
	}
	if len(lines) == 0 {
		lines = []string{""}
	}
	return lines
}

// pack lays options out on lines of width w, three spaces apart, each
// option whole unless it alone is wider than a line.
func (d *doc) pack(options []string, w float64) []string {
	const sep = "   "
	var lines []string
	cur := ""
	for _, o := range options {
		o = Printable(o)
		if cur != "" && d.width(cur+sep+o) <= w {
			cur += sep + o
			continue
		}
		if cur != "" {
			lines = append(lines, cur)
		}
		parts := d.wrapLine([]rune(o), w)
		lines = append(lines, parts[:len(parts)-1]...)
		cur = parts[len(parts)-1]
	}
	if cur != "" || len(lines) == 0 {
		lines = append(lines, cur)
	}
	return lines
}

// cell is one box of a row.
type cell struct {
	w     float64
	text  string
	size  float64 // pt; 0 = the row's
	align string  // "L" (default), "C", "R"
	shade bool    // a label or header cell
	// choices, when set, are options to tick ("□ 看房"), packed on lines
	// whole: a line breaks between options, never inside one that fits.
	choices []string
	lines   []string
}

// row draws boxes side by side, each text wrapped to its box, all as tall
// as the tallest (at least minH). A row that does not fit below moves to a
// new page; one taller than a whole page is split across pages, line by
// line, so nothing ever runs off the page or out of its box.
func (d *doc) row(cells []cell, size, minH float64) {
	lh := lineHeight(size)
	maxLines := 0
	for i := range cells {
		c := &cells[i]
		if c.size == 0 {
			c.size = size
		}
		d.font(c.size)
		if len(c.choices) > 0 {
			c.lines = d.pack(c.choices, c.w-2*pad)
		} else {
			c.lines = d.wrap(Printable(c.text), c.w-2*pad)
		}
		if len(c.lines) > maxLines {
			maxLines = len(c.lines)
		}
	}
	d.font(size)
	need := func(lines int) float64 { return max(float64(lines)*lh+2*pad, minH) }
	for {
		room := d.bottom - d.y()
		fresh := d.y() <= d.top+0.1 || (d.onPage != nil && d.freshBelowHeader())
		if need(maxLines) <= room {
			d.drawRow(cells, need(maxLines), maxLines)
			return
		}
		fits := int((room - 2*pad) / lh)
		if !fresh && (need(maxLines) <= d.bottom-d.top || fits < 1) {
			d.newPage()
			continue
		}
		if fits < 1 {
			fits = 1
		}
		d.drawRow(cells, room, fits)
		for i := range cells {
			switch c := &cells[i]; {
			case len(c.lines) > fits:
				c.lines = c.lines[fits:]
			case c.shade:
				c.lines = []string{"（续）cont."} // the label, continued
			default:
				c.lines = nil
			}
		}
		maxLines -= fits
		d.newPage()
	}
}

// freshBelowHeader reports whether nothing but a repeated table header is
// on the page yet.
func (d *doc) freshBelowHeader() bool { return d.y() <= d.headerEnd+0.1 }

func (d *doc) drawRow(cells []cell, h float64, n int) {
	x, y := d.left, d.y()
	for _, c := range cells {
		if c.shade {
			d.pdf.SetFillColor(236, 236, 236)
			d.pdf.Rect(x, y, c.w, h, "FD")
			d.pdf.SetFillColor(255, 255, 255)
		} else {
			d.pdf.Rect(x, y, c.w, h, "D")
		}
		d.font(c.size)
		clh := lineHeight(c.size)
		for i, l := range c.lines {
			if i >= n {
				break
			}
			d.text(x+pad, y+pad+float64(i)*clh, c.w-2*pad, l, c.align)
		}
		x += c.w
	}
	d.setY(y + h)
}

// column of a table: a title and a relative width.
type column struct {
	title  string
	weight float64
	align  string
}

// table draws a header row and the rows under it; after every page break
// the header is drawn again.
func (d *doc) table(cols []column, rows [][]string, size float64) {
	d.tableMin(cols, rows, size, 0)
}

// tableMin is table with every body row at least minH mm tall: room to
// write by hand on a blank form.
func (d *doc) tableMin(cols []column, rows [][]string, size, minH float64) {
	var total float64
	for _, c := range cols {
		total += c.weight
	}
	w := d.right - d.left
	widths := make([]float64, len(cols))
	for i, c := range cols {
		widths[i] = w * c.weight / total
	}
	header := func() {
		cells := make([]cell, len(cols))
		for i, c := range cols {
			cells[i] = cell{w: widths[i], text: c.title, shade: true, align: "C"}
		}
		saved := d.onPage
		d.onPage = nil
		d.row(cells, size-0.5, 0)
		d.onPage = saved
		d.headerEnd = d.y()
	}
	d.ensure(3 * lineHeight(size) * 2)
	header()
	d.onPage = header
	for _, r := range rows {
		cells := make([]cell, len(cols))
		for i := range cols {
			var t string
			if i < len(r) {
				t = r[i]
			}
			cells[i] = cell{w: widths[i], text: t, align: cols[i].align}
		}
		d.row(cells, size, minH)
	}
	d.onPage = nil
	d.headerEnd = 0
}

// field is a label and its value in a fields grid.
type field struct {
	label, value string
	weight       float64  // of the value box; 0 = 1
	choices      []string // options to tick instead of a value (boxes)
}

// fields draws one grid row of label/value pairs, labels shaded.
func (d *doc) fields(labelW, size, minH float64, fs ...field) {
	weight := func(f field) float64 {
		if f.weight <= 0 {
			return 1
		}
		return f.weight
	}
	var total float64
	for _, f := range fs {
		total += weight(f)
	}
	room := d.right - d.left - labelW*float64(len(fs))
	var cells []cell
	for _, f := range fs {
		wt := weight(f)
		cells = append(cells, cell{w: labelW, text: f.label, shade: true, size: size - 1},
			cell{w: room * wt / total, text: f.value, choices: f.choices})
	}
	d.row(cells, size, minH)
}

// section draws a section title bar.
func (d *doc) section(title string, size float64) {
	lh := lineHeight(size)
	d.ensure(lh*3 + 2)
	y := d.y() + 2
	d.pdf.SetFillColor(210, 210, 210)
	d.pdf.Rect(d.left, y, d.right-d.left, lh+2*pad, "F")
	d.pdf.SetFillColor(255, 255, 255)
	d.font(size)
	d.stroke = true
	d.fit(d.left+pad, y+pad, d.right-d.left-2*pad, title, size, size-2, "L")
	d.stroke = false
	d.setY(y + lh + 2*pad)
}

// paragraph draws wrapped text without a box.
func (d *doc) paragraph(s string, size float64) {
	d.font(size)
	lh := lineHeight(size)
	for _, l := range d.wrap(Printable(s), d.right-d.left) {
		d.ensure(lh)
		d.text(d.left, d.y(), d.right-d.left, l, "L")
		d.setY(d.y() + lh)
	}
}

// gap moves the content down h mm.
func (d *doc) gap(h float64) {
	if d.y()+h < d.bottom {
		d.setY(d.y() + h)
	}
}
