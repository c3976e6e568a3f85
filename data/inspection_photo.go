package data

import (
	"bytes"
	"context"
	"fmt"
	"image"
	_ "image/gif" // photos picked from files may be GIF too
	"image/jpeg"
	_ "image/png"

	xdraw "golang.org/x/image/draw"
)

// Photos of defects are kept in the database as resized JPEG (at most
// PhotoMaxSide pixels on the long side, at most MaxPhotoBytes): the record
// and its photo commit in one transaction and are backed up together. The
// bytes are a blob keyed by their SHA-256 (blobs.go); the record's
// mutation carries the hash and the bytes travel to HQ apart. A photo
// straight off a phone (4–8 MB) is cut to about 150–400 KB.

// Photo limits.
const (
	MaxPhotoFileBytes = 25 << 20 // the file picked
	MaxPhotoPixels    = 60e6     // decoded size (a decompression bomb is refused before decoding)
	PhotoMaxSide      = 1600
	MaxPhotoBytes     = 600 << 10 // stored JPEG
)

// Photo is a stored defect photo.
type Photo struct {
	ID            string
	InspectionID  string
	Item          string
	Width, Height int
	JPEG          []byte
}

// PreparePhoto checks an image file (JPEG, PNG or GIF) and returns it as a
// JPEG no larger than PhotoMaxSide × PhotoMaxSide and MaxPhotoBytes. It is
// CPU work: callers run it off the UI goroutine.
func PreparePhoto(file []byte) ([]byte, int, int, error) {
	if len(file) == 0 {
		return nil, 0, 0, invalid("photo", "err.photo.not_image", nil)
	}
	if len(file) > MaxPhotoFileBytes {
		return nil, 0, 0, invalid("photo", "err.photo.too_big", map[string]any{"Max": MaxPhotoFileBytes >> 20})
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(file))
	if err != nil {
		return nil, 0, 0, invalid("photo", "err.photo.not_image", nil)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || float64(cfg.Width)*float64(cfg.Height) > MaxPhotoPixels {
		return nil, 0, 0, invalid("photo", "err.photo.too_big", map[string]any{"Max": MaxPhotoFileBytes >> 20})
	}
	img, _, err := image.Decode(bytes.NewReader(file))
	if err != nil {
		return nil, 0, 0, invalid("photo", "err.photo.not_image", nil)
	}
	img = orient(shrink(img, PhotoMaxSide), exifOrientation(file))
	b := img.Bounds()
	for q := 85; ; q -= 10 {
		var out bytes.Buffer
		if err := jpeg.Encode(&out, img, &jpeg.Options{Quality: q}); err != nil {
			return nil, 0, 0, fmt.Errorf("encode photo: %w", err)
		}
		if out.Len() <= MaxPhotoBytes || q <= 35 {
			if out.Len() > MaxPhotoBytes {
				return nil, 0, 0, invalid("photo", "err.photo.too_big", map[string]any{"Max": MaxPhotoFileBytes >> 20})
			}
			return out.Bytes(), b.Dx(), b.Dy(), nil
		}
	}
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

// AddInspectionPhoto stores a photo of an item of an open inspection (the
// file as picked; it is checked and resized here). Attach it to the
// item's defect with RecordResult.
func (s *Store) AddInspectionPhoto(ctx context.Context, actorID, inspectionID, item string, file []byte) (Photo, error) {
	jpg, w, h, err := PreparePhoto(file)
	if err != nil {
		return Photo{}, err
	}
	p := Photo{InspectionID: inspectionID, Item: item, Width: w, Height: h, JPEG: jpg}
	err = s.actorTx(ctx, actorID, canInspect, func(tx *txn, st stamp) error {
		tplID, kind, err := openInspection(ctx, tx, inspectionID)
		if err != nil {
			return err
		}
		if kind != InspectionHandover {
			return &Error{Code: ECONFLICT, Key: "err.inspection.no_checklist"}
		}
		if err := templateHasItem(ctx, tx, tplID, item); err != nil {
			return err
		}
		p.ID = st.id
		sha, err := putLocalBlob(ctx, tx, jpg, "image/jpeg", st.at)
		if err != nil {
			return err
		}
		return record(ctx, tx, st.at, &inspectionPhotoPayload{recStamp: newRecStamp(st, actorID), InspectionID: inspectionID, Item: item,
			Width: w, Height: h, SHA256: sha, Size: int64(len(jpg)), MIME: "image/jpeg"})
	})
	if err != nil {
		return Photo{}, err
	}
	return p, nil
}

// InspectionPhoto loads one photo. A photo recorded on another device
// whose bytes have not been fetched yet has an empty JPEG: show a
// placeholder.
func (s *Store) InspectionPhoto(ctx context.Context, id string) (Photo, error) {
	var p Photo
	err := s.db.QueryRowContext(ctx, `SELECT p.id, p.inspection_id, p.item, p.width, p.height, b.bytes FROM inspection_photos p
		LEFT JOIN blobs b ON b.sha256 = p.sha256 WHERE p.id = ?`, id).
		Scan(&p.ID, &p.InspectionID, &p.Item, &p.Width, &p.Height, &p.JPEG)
	if isNoRows(err) {
		return p, &Error{Code: ENOTFOUND, Key: "err.photo.not_found"}
	}
	if err != nil {
		return p, fmt.Errorf("photo %s: %w", id, err)
	}
	return p, nil
}
