package forms

import (
	"bytes"
	"fmt"
	"image/png"

	"github.com/jung-kurt/gofpdf"
)

// signatures draws the sign-off row of the inspection form: the owner's,
// the accompanying staff member's and engineering's boxes. A signature
// drawn on screen (PNG) is placed in its box, scaled to fit and centred,
// with the date under the row; a box without one stays blank to sign on
// paper.
func (d *doc) signatures(labelW, size float64, in Inspection) {
	drawn := len(in.OwnerSignature) > 0 || len(in.StaffSignature) > 0
	minH := 13.0
	if drawn {
		minH = 20
	}
	d.ensure(minH + 8)
	top := d.y()
	d.fields(labelW, size, minH, field{label: "业主签名 Owner"}, field{label: "陪验人 Staff"}, field{label: "工程代表 Engineering"})
	h := d.y() - top
	boxW := (d.right - d.left - 3*labelW) / 3
	for i, sig := range [][]byte{in.OwnerSignature, in.StaffSignature} {
		if len(sig) == 0 {
			continue
		}
		x := d.left + float64(i+1)*labelW + float64(i)*boxW
		if err := d.image(fmt.Sprintf("signature-%d", i), sig, x+pad, top+pad, boxW-2*pad, h-2*pad); err != nil {
			d.pdf.SetError(err)
			return
		}
	}
	if drawn && !in.SignedAt.IsZero() {
		d.gap(1)
		d.paragraph("签署日期 Signed "+d.at(in.SignedAt, "2006-01-02 15:04"), 8.5)
	}
}

// image draws a PNG scaled to fit the box (x, y, w, h), centred.
func (d *doc) image(name string, b []byte, x, y, w, h float64) error {
	cfg, err := png.DecodeConfig(bytes.NewReader(b))
	if err != nil || cfg.Width == 0 || cfg.Height == 0 {
		return fmt.Errorf("%s: not a PNG image", name)
	}
	iw, ih := w, w*float64(cfg.Height)/float64(cfg.Width)
	if ih > h {
		iw, ih = h*float64(cfg.Width)/float64(cfg.Height), h
	}
	opt := gofpdfImagePNG
	d.pdf.RegisterImageOptionsReader(name, opt, bytes.NewReader(b))
	if d.pdf.Err() {
		return fmt.Errorf("%s: %w", name, d.pdf.Error())
	}
	d.pdf.ImageOptions(name, x+(w-iw)/2, y+(h-ih)/2, iw, ih, false, opt, 0, "")
	return nil
}

var gofpdfImagePNG = gofpdf.ImageOptions{ImageType: "PNG", ReadDpi: false}
