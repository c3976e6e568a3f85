package photo

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"

	"anchang/data"
)

func mustOK(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func pngBytes(t testing.TB, w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = byte(i * 7)
	}
	var b bytes.Buffer
	mustOK(t, png.Encode(&b, img))
	return b.Bytes()
}

// pngHeader is the start of a PNG claiming a huge size: refused before
// any pixel is decoded.
func pngHeader(w, h int) []byte {
	var b bytes.Buffer
	png.Encode(&b, image.NewGray(image.Rect(0, 0, 1, 1)))
	out := b.Bytes()
	// IHDR: its type and 13 bytes of data at 12–28 (width and height
	// first), then their CRC
	binary.BigEndian.PutUint32(out[16:], uint32(w))
	binary.BigEndian.PutUint32(out[20:], uint32(h))
	binary.BigEndian.PutUint32(out[29:], crc32.ChecksumIEEE(out[12:29]))
	return out
}

// TestPrepareRefuses: what is not an image, or too big to take, is a
// coded error the desk shows.
func TestPrepareRefuses(t *testing.T) {
	big := make([]byte, data.MaxPhotoFileBytes+1)
	copy(big, pngBytes(t, 20, 20))
	for name, c := range map[string]struct {
		file []byte
		key  string
	}{
		"empty":      {nil, "err.photo.not_image"},
		"text":       {[]byte("这不是照片"), "err.photo.not_image"},
		"pdf":        {[]byte("%PDF-1.4\n"), "err.photo.not_image"},
		"cut short":  {pngBytes(t, 40, 40)[:60], "err.photo.not_image"},
		"too big":    {big, "err.photo.too_big"},
		"pixel bomb": {pngHeader(100000, 100000), "err.photo.too_big"},
	} {
		_, err := Prepare(c.file)
		var de *data.Error
		if !errors.As(err, &de) || de.Code != data.EINVALID || de.Key != c.key || de.Field != "photo" {
			t.Errorf("%s: %v, want %s", name, err, c.key)
		}
	}
}

// TestPrepareScales: a 12-megapixel camera photo is cut to PhotoMaxSide
// and MaxPhotoBytes; a small PNG keeps its size, as JPEG.
func TestPrepareScales(t *testing.T) {
	img := image.NewYCbCr(image.Rect(0, 0, 4000, 3000), image.YCbCrSubsampleRatio420)
	for i := range img.Y {
		img.Y[i] = byte(i % 251)
	}
	var cam bytes.Buffer
	mustOK(t, jpeg.Encode(&cam, img, &jpeg.Options{Quality: 95}))
	for _, c := range []struct {
		name string
		file []byte
		w, h int
	}{
		{"camera", cam.Bytes(), data.PhotoMaxSide, 1200},
		{"small png", pngBytes(t, 300, 200), 300, 200},
		{"tall", pngBytes(t, 500, 2000), 400, data.PhotoMaxSide},
	} {
		f, err := Prepare(c.file)
		mustOK(t, err)
		if f.Width != c.w || f.Height != c.h || len(f.JPEG) > data.MaxPhotoBytes {
			t.Fatalf("%s: %d×%d, %d bytes; want %d×%d", c.name, f.Width, f.Height, len(f.JPEG), c.w, c.h)
		}
		if cfg, err := jpeg.DecodeConfig(bytes.NewReader(f.JPEG)); err != nil || cfg.Width != c.w || cfg.Height != c.h {
			t.Fatalf("%s: stored photo: %v %+v", c.name, err, cfg)
		}
	}
}

// TestPhotoOrientation: a phone photo taken upright is stored sideways
// with an EXIF orientation; it is stored turned upright.
func TestPhotoOrientation(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 400, 200))
	for x := 0; x < 100; x++ { // a red block at the left
		for y := 0; y < 200; y++ {
			img.Set(x, y, color.RGBA{255, 0, 0, 255})
		}
	}
	var j bytes.Buffer
	mustOK(t, jpeg.Encode(&j, img, nil))
	for _, order := range []string{"MM", "II"} {
		tiff := []byte(order)
		u16 := func(v uint16) []byte {
			if order == "MM" {
				return []byte{byte(v >> 8), byte(v)}
			}
			return []byte{byte(v), byte(v >> 8)}
		}
		u32 := func(v uint32) []byte {
			if order == "MM" {
				return []byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}
			}
			return []byte{byte(v), byte(v >> 8), byte(v >> 16), byte(v >> 24)}
		}
		tiff = append(tiff, u16(42)...)
		tiff = append(tiff, u32(8)...)
		tiff = append(tiff, u16(1)...)                                            // one entry
		tiff = append(tiff, append(append(u16(0x0112), u16(3)...), u32(1)...)...) // orientation, SHORT, 1
		tiff = append(tiff, append(u16(6), 0, 0)...)                              // 6: turn 90° clockwise
		tiff = append(tiff, u32(0)...)
		seg := append([]byte("Exif\x00\x00"), tiff...)
		app1 := append([]byte{0xFF, 0xE1, byte((len(seg) + 2) >> 8), byte(len(seg) + 2)}, seg...)
		file := append(append([]byte{0xFF, 0xD8}, app1...), j.Bytes()[2:]...)
		if o := exifOrientation(file); o != 6 {
			t.Fatalf("%s: orientation %d", order, o)
		}
		f, err := Prepare(file)
		mustOK(t, err)
		if f.Width != 200 || f.Height != 400 {
			t.Fatalf("%s: stored %d×%d, want 200×400", order, f.Width, f.Height)
		}
		got, err := jpeg.Decode(bytes.NewReader(f.JPEG))
		mustOK(t, err)
		// the red block, at the left of the sensor's picture, is now at the top
		if r, g, _, _ := got.At(100, 20).RGBA(); r < 0xC000 || g > 0x4000 {
			t.Fatalf("%s: top is not red after turning", order)
		}
		if r, _, _, _ := got.At(100, 380).RGBA(); r > 0x4000 && r < 0xC000 {
			t.Fatalf("%s: bottom colour %x", order, r)
		}
	}
	if exifOrientation([]byte("not a jpeg")) != 1 || exifOrientation([]byte{0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xFF}) != 1 {
		t.Fatal("garbage has an orientation")
	}
}

// BenchmarkPrepare: a 12-megapixel phone photo checked, scaled to
// PhotoMaxSide and re-encoded (done off the UI goroutine when a photo is
// picked).
func BenchmarkPrepare(b *testing.B) {
	img := image.NewRGBA(image.Rect(0, 0, 4000, 3000))
	for y := 0; y < 3000; y++ {
		for x := 0; x < 4000; x++ {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), uint8(x ^ y), 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
		b.Fatal(err)
	}
	file := buf.Bytes()
	b.ResetTimer()
	for b.Loop() {
		f, err := Prepare(file)
		if err != nil || f.Width != data.PhotoMaxSide || f.Height != data.PhotoMaxSide*3/4 || len(f.JPEG) > data.MaxPhotoBytes {
			b.Fatalf("%d×%d %d bytes, %v", f.Width, f.Height, len(f.JPEG), err)
		}
	}
}
