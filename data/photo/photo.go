// Package photo turns a picked image file into the photo the store keeps:
// it wraps the image decoders and golang.org/x/image's scaler so that the
// data package, and the HQ binary that links it, do not.
package photo

import (
	"bytes"
	"fmt"
	"image"
	_ "image/gif" // photos picked from files may be GIF too
	"image/jpeg"
	_ "image/png"

	xdraw "golang.org/x/image/draw"

	"anchang/data"
)

// Prepare checks an image file (JPEG, PNG or GIF) and returns it as a
// JPEG no larger than data.PhotoMaxSide on a side and data.MaxPhotoBytes,
// turned upright by its EXIF orientation, for data.Store.AddInspectionPhoto.
// A file that is not an image, or too big, is a *data.Error (EINVALID).
// It is CPU work: callers run it off the UI goroutine.
func Prepare(file []byte) (data.PhotoFile, error) {
	if len(file) == 0 {
		return data.PhotoFile{}, invalid("err.photo.not_image", nil)
	}
	tooBig := map[string]any{"Max": data.MaxPhotoFileBytes >> 20}
	if len(file) > data.MaxPhotoFileBytes {
		return data.PhotoFile{}, invalid("err.photo.too_big", tooBig)
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(file))
	if err != nil {
		return data.PhotoFile{}, invalid("err.photo.not_image", nil)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || float64(cfg.Width)*float64(cfg.Height) > data.MaxPhotoPixels {
		return data.PhotoFile{}, invalid("err.photo.too_big", tooBig)
	}
	img, _, err := image.Decode(bytes.NewReader(file))
	if err != nil {
		return data.PhotoFile{}, invalid("err.photo.not_image", nil)
	}
	img = orient(shrink(img, data.PhotoMaxSide), exifOrientation(file))
	b := img.Bounds()
	for q := 85; ; q -= 10 {
		var out bytes.Buffer
		if err := jpeg.Encode(&out, img, &jpeg.Options{Quality: q}); err != nil {
			return data.PhotoFile{}, fmt.Errorf("encode photo: %w", err)
		}
		if out.Len() <= data.MaxPhotoBytes || q <= 35 {
			if out.Len() > data.MaxPhotoBytes {
				return data.PhotoFile{}, invalid("err.photo.too_big", tooBig)
			}
			return data.PhotoFile{JPEG: out.Bytes(), Width: b.Dx(), Height: b.Dy()}, nil
		}
	}
}

func invalid(key string, args map[string]any) *data.Error {
	return &data.Error{Code: data.EINVALID, Field: "photo", Key: key, Args: args}
}

// shrink scales img down so that neither side exceeds side, with
// golang.org/x/image/draw's Catmull-Rom filter (widened for down-scaling,
// so fine detail such as a crack averages out instead of aliasing).
func shrink(img image.Image, side int) image.Image {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w <= side && h <= side {
		return img
	}
	nw, nh := side, h*side/w
	if h > w {
		nw, nh = w*side/h, side
	}
	out := image.NewRGBA(image.Rect(0, 0, max(nw, 1), max(nh, 1)))
	xdraw.CatmullRom.Scale(out, out.Bounds(), img, b, xdraw.Src, nil)
	return out
}
