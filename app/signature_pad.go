package app

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// SignaturePad is a box to sign in with the mouse, a pen or a finger: each
// drag is a stroke. PNG renders the strokes in black on white for the
// record and the printed form.
type SignaturePad struct {
	widget.BaseWidget

	Hint      string // shown while empty
	OnChanged func() // after each stroke and after Clear
	Disabled  bool

	strokes [][]fyne.Position
	drawing bool
}

// NewSignaturePad makes an empty pad.
func NewSignaturePad(hint string) *SignaturePad {
	p := &SignaturePad{Hint: hint}
	p.ExtendBaseWidget(p)
	return p
}

// Empty reports whether nothing is drawn.
func (p *SignaturePad) Empty() bool { return len(p.strokes) == 0 }

// Clear removes every stroke.
func (p *SignaturePad) Clear() {
	p.strokes, p.drawing = nil, false
	p.Refresh()
	if p.OnChanged != nil {
		p.OnChanged()
	}
}

// Dragged extends the current stroke (or starts one at where the drag began).
func (p *SignaturePad) Dragged(e *fyne.DragEvent) {
	if p.Disabled {
		return
	}
	at := p.clamp(e.Position)
	if !p.drawing {
		start := p.clamp(e.Position.Subtract(e.Dragged))
		p.strokes = append(p.strokes, []fyne.Position{start})
		p.drawing = true
	}
	s := &p.strokes[len(p.strokes)-1]
	*s = append(*s, at)
	p.Refresh()
}

// DragEnd finishes the stroke.
func (p *SignaturePad) DragEnd() {
	if !p.drawing {
		return
	}
	p.drawing = false
	if p.OnChanged != nil {
		p.OnChanged()
	}
}

func (p *SignaturePad) clamp(pos fyne.Position) fyne.Position {
	s := p.Size()
	return fyne.NewPos(float32(math.Max(0, math.Min(float64(pos.X), float64(s.Width)))), float32(math.Max(0, math.Min(float64(pos.Y), float64(s.Height)))))
}

// MinSize is room for a signature.
func (p *SignaturePad) MinSize() fyne.Size { return fyne.NewSize(320, 130) }

// PNG renders the signature at twice the pad's size, black on white, or
// nil when empty.
func (p *SignaturePad) PNG() []byte {
	if p.Empty() {
		return nil
	}
	size := p.Size()
	if size.Width < 10 || size.Height < 10 {
		size = p.MinSize()
	}
	const scale = 2
	w, h := int(size.Width*scale), int(size.Height*scale)
	img := image.NewGray(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	for _, s := range p.strokes {
		for i := 1; i < len(s); i++ {
			line(img, float64(s[i-1].X*scale), float64(s[i-1].Y*scale), float64(s[i].X*scale), float64(s[i].Y*scale), 2.2)
		}
		if len(s) == 1 {
			line(img, float64(s[0].X*scale), float64(s[0].Y*scale), float64(s[0].X*scale), float64(s[0].Y*scale), 2.2)
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return nil
	}
	return b.Bytes()
}

// line stamps discs of radius r along the segment.
func line(img *image.Gray, x0, y0, x1, y1, r float64) {
	n := int(math.Max(math.Abs(x1-x0), math.Abs(y1-y0))) + 1
	for i := 0; i <= n; i++ {
		t := float64(i) / float64(n)
		cx, cy := x0+(x1-x0)*t, y0+(y1-y0)*t
		for y := int(cy - r); y <= int(cy+r); y++ {
			for x := int(cx - r); x <= int(cx+r); x++ {
				if (float64(x)-cx)*(float64(x)-cx)+(float64(y)-cy)*(float64(y)-cy) <= r*r && image.Pt(x, y).In(img.Rect) {
					img.SetGray(x, y, color.Gray{})
				}
			}
		}
	}
}

func (p *SignaturePad) CreateRenderer() fyne.WidgetRenderer {
	r := &padRenderer{p: p, bg: canvas.NewRectangle(color.White), base: canvas.NewLine(color.Gray{Y: 170}),
		hint: canvas.NewText("", color.Gray{Y: 150})}
	r.bg.StrokeColor = theme.Color(theme.ColorNameInputBorder)
	r.bg.StrokeWidth = 1
	r.bg.CornerRadius = 4
	r.hint.TextSize = theme.TextSize()
	r.update() // the hint shows from the first frame (TestGoldenSignaturePad)
	return r
}

type padRenderer struct {
	p     *SignaturePad
	bg    *canvas.Rectangle
	base  *canvas.Line
	hint  *canvas.Text
	lines []fyne.CanvasObject
}

func (r *padRenderer) Layout(size fyne.Size) {
	r.bg.Resize(size)
	y := size.Height * 0.75
	r.base.Position1 = fyne.NewPos(16, y)
	r.base.Position2 = fyne.NewPos(size.Width-16, y)
	r.hint.Resize(r.hint.MinSize())
	r.hint.Move(fyne.NewPos(18, y-r.hint.MinSize().Height-4))
}

func (r *padRenderer) MinSize() fyne.Size { return r.p.MinSize() }

func (r *padRenderer) Refresh() {
	r.update()
	canvas.Refresh(r.p)
}

// update takes the pad's hint and strokes.
func (r *padRenderer) update() {
	r.hint.Text = r.p.Hint
	if r.p.Empty() {
		r.hint.Show()
	} else {
		r.hint.Hide()
	}
	r.lines = r.lines[:0]
	for _, s := range r.p.strokes {
		for i := 1; i < len(s); i++ {
			l := canvas.NewLine(color.Black)
			l.StrokeWidth = 2.2
			l.Position1, l.Position2 = s[i-1], s[i]
			r.lines = append(r.lines, l)
		}
	}
	r.Layout(r.p.Size())
}

func (r *padRenderer) Objects() []fyne.CanvasObject {
	return append([]fyne.CanvasObject{r.bg, r.base, r.hint}, r.lines...)
}

func (r *padRenderer) Destroy() {}
