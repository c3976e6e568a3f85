package data

import (
	"context"
	"fmt"
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

// PhotoFile is a photo ready to store: a JPEG at most PhotoMaxSide on a
// side and MaxPhotoBytes, as data/photo.Prepare makes it from the file
// picked (decoding and scaling images is that package's work, so that the
// store, and HQ, link no image codecs).
type PhotoFile struct {
	JPEG          []byte
	Width, Height int
}

// check refuses what Prepare would not have made: not a JPEG, too big,
// or a size outside the limits (the same rule as a photo arriving by sync).
func (f PhotoFile) check() error {
	if len(f.JPEG) < 3 || f.JPEG[0] != 0xFF || f.JPEG[1] != 0xD8 || f.JPEG[2] != 0xFF {
		return invalid("photo", "err.photo.not_image", nil)
	}
	if len(f.JPEG) > MaxPhotoBytes || f.Width <= 0 || f.Height <= 0 || f.Width > PhotoMaxSide || f.Height > PhotoMaxSide {
		return invalid("photo", "err.photo.too_big", map[string]any{"Max": MaxPhotoFileBytes >> 20})
	}
	return nil
}

// AddInspectionPhoto stores a photo of an item of an open inspection
// (photo.Prepare makes f from the file picked). Attach it to the item's
// defect with RecordResult.
func (s *Store) AddInspectionPhoto(ctx context.Context, actorID, inspectionID, item string, f PhotoFile) (Photo, error) {
	if err := f.check(); err != nil {
		return Photo{}, err
	}
	jpg, w, h := f.JPEG, f.Width, f.Height
	p := Photo{InspectionID: inspectionID, Item: item, Width: w, Height: h, JPEG: jpg}
	err := s.actorTx(ctx, actorID, canInspect, func(tx *txn, st stamp) error {
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
