package forms

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jung-kurt/gofpdf"
	"rsc.io/qr"

	"anchang/assets"
)

// Meta is what every printed page carries besides the form's own content.
type Meta struct {
	Office    string    // the office's name
	Serial    string    // the printed record's serial number (derived, never a key)
	RecordID  string    // the record's id, printed as a QR code
	PrintedAt time.Time // when; it also picks the form version
	PrintedBy string    // staff name; "" for a print from the command line
	Version   string    // "" prints the newest version in effect
	// Loc is the office's time zone: the record's times print in it.
	// nil uses PrintedAt's.
	Loc *time.Location
}

// Serial is a record's serial number on a form: the office code, the
// office-local day and the record's number within that day
// (DEMO-20261123-0007). n < 1 leaves the number out.
func Serial(officeCode, day string, n int) string {
	s := officeCode + "-" + strings.ReplaceAll(day, "-", "")
	if n >= 1 {
		s += fmt.Sprintf("-%04d", n)
	}
	return s
}

// at formats a time in the office's zone; the zero time prints empty.
func (d *doc) at(t time.Time, layout string) string {
	if t.IsZero() {
		return ""
	}
	return t.In(d.meta.Loc).Format(layout)
}

const (
	fontFamily = "wqy"
	margin     = 12.0 // mm, left and right
	headerH    = 40.0 // mm from the top edge to the content
	footerH    = 16.0 // mm from the content's end to the bottom edge
	pad        = 1.2  // mm inside a cell
	ptMM       = 25.4 / 72
	lineGap    = 1.3 // line height / font size
)

// doc is one PDF being drawn: the content flows down the pages; the
// document-control marks are drawn on every page when it is finished, once
// the page count is known.
type doc struct {
	pdf  *gofpdf.Fpdf
	def  *Definition
	ver  Version
	meta Meta

	pageW, pageH float64
	left, right  float64 // content's x range
	top, bottom  float64 // content's y range

	size   float64          // current font size, pt
	widths map[rune]float64 // advance at 1 pt, mm
	qr     *qr.Code         // nil without a record id
	onPage func()           // run after each page break the content makes
	stroke bool             // drawing titles heavier
	// headerEnd is where a table's rows start on the current page, under
	// its repeated header; 0 outside tables.
	headerEnd float64
}

func newDoc(def *Definition, m Meta) (*doc, error) {
	if m.PrintedAt.IsZero() {
		m.PrintedAt = time.Now()
	}
	if m.Loc == nil {
		m.Loc = m.PrintedAt.Location()
	}
	m.PrintedAt = m.PrintedAt.In(m.Loc)
	ver, err := def.Choose(m.PrintedAt, m.Version)
	if err != nil {
		return nil, err
	}
	if _, err := fontCmap(); err != nil {
		return nil, err
	}
	orient := "P"
	if def.Landscape {
		orient = "L"
	}
	p := gofpdf.New(orient, "mm", "A4", "")
	p.SetAutoPageBreak(false, 0)
	p.SetMargins(margin, headerH, margin)
	p.SetCellMargin(0)
	// gofpdf writes into the font bytes it is given (padding tables as it
	// cuts the subset), so each document gets its own copy: the embedded
	// font is shared with the UI and with other documents being drawn.
	p.AddUTF8FontFromBytes(fontFamily, "", bytes.Clone(assets.Font))
	p.SetFont(fontFamily, "", 10)
	if p.Err() { // gofpdf reports a bad font only here
		return nil, fmt.Errorf("form font: %w", p.Error())
	}
	p.SetTitle(Printable(def.Title+" "+def.TitleEn), true)
	p.SetSubject(def.Number+" "+ver.Label, true)
	p.SetAuthor(Printable(m.Office), true)
	p.SetCreator("Anchang 案场前台", true)
	p.SetCreationDate(m.PrintedAt)
	p.SetModificationDate(m.PrintedAt)
	w, h := p.GetPageSize()
	d := &doc{pdf: p, def: def, ver: ver, meta: m, pageW: w, pageH: h,
		left: margin, right: w - margin, top: headerH, bottom: h - footerH, size: 10, widths: map[rune]float64{}}
	if m.RecordID != "" {
		if d.qr, err = qr.Encode(m.RecordID, qr.M); err != nil {
			return nil, fmt.Errorf("qr code: %w", err)
		}
	}
	p.AddPage()
	p.SetXY(d.left, d.top)
	return d, nil
}

// y is where the content continues.
func (d *doc) y() float64 { return d.pdf.GetY() }

func (d *doc) setY(y float64) { d.pdf.SetXY(d.left, y) }

// newPage starts a page and runs the content's page-break hook (a table
// repeats its header there).
func (d *doc) newPage() {
	d.pdf.AddPage()
	d.setY(d.top)
	d.font(d.size)
	if d.onPage != nil {
		d.onPage()
	}
}

// ensure starts a new page unless h mm fit below the current position.
func (d *doc) ensure(h float64) {
	if d.y()+h > d.bottom && d.y() > d.top+0.1 {
		d.newPage()
	}
}

func (d *doc) font(size float64) {
	d.size = size
	d.pdf.SetFont(fontFamily, "", size)
}

func lineHeight(size float64) float64 { return size * ptMM * lineGap }

// width is the advance of s at the current size, in mm.
func (d *doc) width(s string) float64 {
	var w float64
	for _, r := range s {
		w += d.runeWidth(r)
	}
	return w * d.size
}

func (d *doc) runeWidth(r rune) float64 {
	if w, ok := d.widths[r]; ok {
		return w
	}
	size := d.size
	d.pdf.SetFontSize(1)
	w := d.pdf.GetStringWidth(string(r))
	d.pdf.SetFontSize(size)
	d.widths[r] = w
	return w
}

// text draws one line with its top at y, aligned "L", "C" or "R" in the box
// from x of width w. s must be Printable and fit.
func (d *doc) text(x, y, w float64, s, align string) {
	tw := d.width(s)
	switch align {
	case "C":
		x += (w - tw) / 2
	case "R":
		x += w - tw
	}
	// baseline: the font's ascent is about 0.8 em above it
	base := y + (lineHeight(d.size)-d.size*ptMM)/2 + d.size*ptMM*0.82
	if d.stroke {
		d.pdf.SetTextRenderingMode(2)
		d.pdf.SetLineWidth(d.size * 0.012)
	}
	d.pdf.Text(x, base, s)
	if d.stroke {
		d.pdf.SetTextRenderingMode(0)
		d.pdf.SetLineWidth(0.2)
	}
}

// fit draws s on one line in the box, shrinking the font down to min pt
// and then cutting it with "…" (visible) when it still does not fit.
func (d *doc) fit(x, y, w float64, s string, size, min float64, align string) {
	s = Printable(s)
	d.font(size)
	for d.width(s) > w && d.size > min {
		d.font(d.size - 0.5)
	}
	if d.width(s) > w {
		rs := []rune(s)
		for len(rs) > 0 && d.width(string(rs)+"…") > w {
			rs = rs[:len(rs)-1]
		}
		s = string(rs) + "…"
	}
	d.text(x, y, w, s, align)
	d.font(size)
}

// finish draws every page's header and footer, then writes the PDF.
func (d *doc) finish(w io.Writer) error {
	n := d.pdf.PageCount()
	size := d.size
	for i := 1; i <= n; i++ {
		d.pdf.SetPage(i)
		d.pdf.SetDrawColor(0, 0, 0)
		d.pdf.SetFillColor(255, 255, 255)
		d.pdf.SetTextColor(0, 0, 0)
		d.pdf.SetLineWidth(0.2)
		d.header(i, n)
		d.footer(i, n)
	}
	d.pdf.SetPage(n)
	d.font(size)
	if err := d.pdf.Output(w); err != nil {
		return fmt.Errorf("write pdf %s: %w", d.def.Number, err)
	}
	return nil
}

func (d *doc) header(page, pages int) {
	const qrSize = 24.0
	x, w := d.left, d.right-d.left
	textW := w - qrSize - 4
	d.pdf.SetTextColor(80, 80, 80)
	d.fit(x, 8, textW, d.meta.Office, 9, 6, "L")
	d.pdf.SetTextColor(0, 0, 0)
	d.stroke = true
	d.fit(x, 13, textW, d.def.Title, 16, 10, "L")
	d.stroke = false
	d.fit(x, 20.5, textW, d.def.TitleEn, 10, 7, "L")
	if d.qr != nil {
		d.drawQR(d.right-qrSize, 6, qrSize)
	}
	// the control strip: number, version, effective date, serial, page
	y, h := 29.0, 9.0
	cells := []struct {
		label, value string
		weight       float64
	}{
		{"表单编号 Form No.", d.def.Number, 1.3},
		{"版本 Version", d.ver.Label, 0.7},
		{"生效日期 Effective", d.ver.Effective.Format(time.DateOnly), 1},
		{"流水号 Serial No.", d.meta.Serial, 1.5},
		{"页码 Page", fmt.Sprintf("第 %d 页 共 %d 页", page, pages), 1.1},
	}
	var total float64
	for _, c := range cells {
		total += c.weight
	}
	cx := x
	for _, c := range cells {
		cw := w * c.weight / total
		d.pdf.Rect(cx, y, cw, h, "D")
		d.pdf.SetTextColor(90, 90, 90)
		d.fit(cx+pad, y+0.4, cw-2*pad, c.label, 6.5, 5, "L")
		d.pdf.SetTextColor(0, 0, 0)
		d.fit(cx+pad, y+3.8, cw-2*pad, c.value, 9, 6, "L")
		cx += cw
	}
}

func (d *doc) footer(page, pages int) {
	y := d.pageH - footerH + 4
	d.pdf.SetDrawColor(120, 120, 120)
	d.pdf.Line(d.left, y, d.right, y)
	d.pdf.SetDrawColor(0, 0, 0)
	w := d.right - d.left
	printed := "打印 Printed " + d.meta.PrintedAt.Format("2006-01-02 15:04")
	if d.meta.PrintedBy != "" {
		printed += " · " + d.meta.PrintedBy
	}
	if d.meta.RecordID != "" {
		printed += " · 记录号 Record ID " + d.meta.RecordID
	}
	d.pdf.SetTextColor(80, 80, 80)
	d.fit(d.left, y+1.5, w*0.72, printed, 7, 5, "L")
	d.pdf.SetTextColor(0, 0, 0)
	d.fit(d.left+w*0.72, y+1.5, w*0.28, fmt.Sprintf("第 %d 页 共 %d 页 · Page %d of %d", page, pages, page, pages), 8, 6, "R")
}

// drawQR draws the record id's QR code as filled squares, one rectangle
// per horizontal run of dark modules.
func (d *doc) drawQR(x, y, size float64) {
	n := d.qr.Size
	quiet := 2
	m := size / float64(n+2*quiet)
	d.pdf.SetFillColor(0, 0, 0)
	for row := 0; row < n; row++ {
		for col := 0; col < n; {
			if !d.qr.Black(col, row) {
				col++
				continue
			}
			start := col
			for col < n && d.qr.Black(col, row) {
				col++
			}
			d.pdf.Rect(x+float64(quiet+start)*m, y+float64(quiet+row)*m, float64(col-start)*m, m*1.03, "F")
		}
	}
	d.pdf.SetFillColor(255, 255, 255)
}
