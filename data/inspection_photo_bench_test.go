package data

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"testing"
)

// BenchmarkPreparePhoto: a 12-megapixel phone photo checked, scaled to
// PhotoMaxSide and re-encoded (done off the UI goroutine when a photo is
// picked).
func BenchmarkPreparePhoto(b *testing.B) {
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
		out, w, h, err := PreparePhoto(file)
		if err != nil || w != PhotoMaxSide || h != PhotoMaxSide*3/4 || len(out) > MaxPhotoBytes {
			b.Fatalf("%d×%d %d bytes, %v", w, h, len(out), err)
		}
	}
}
