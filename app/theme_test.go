package app

import (
	"bytes"
	"testing"

	"github.com/go-text/typesetting/font"

	"anchang/assets"
)

func parseFont(t *testing.T, b []byte) *font.Face {
	t.Helper()
	f, err := font.ParseTTF(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestUIFontCoversTheLabels: bold text (Fyne's button labels) uses the
// small UI font; every character of every translation must be in it, or a
// button would show a box. If this fails, run scripts/subset-fonts.sh.
func TestUIFontCoversTheLabels(t *testing.T) {
	ui := parseFont(t, assets.UIFont)
	for _, code := range assets.Languages {
		for key, text := range loadLang(t, code) {
			for _, r := range text {
				if r < 0x20 {
					continue
				}
				if _, ok := ui.NominalGlyph(r); !ok {
					t.Errorf("%s.json %s: %q (U+%04X) is not in the UI font; run scripts/subset-fonts.sh", code, key, r, r)
				}
			}
		}
	}
}

// TestFontCoversNames: the main font has the characters of real names,
// including those outside GB2312, and Latin.
func TestFontCoversNames(t *testing.T) {
	f := parseFont(t, assets.Font)
	for _, r := range "王芳喆堃犇淼昇玥琮婧瑄禛頔阿卜杜·热合曼ÉéÜüSmith0123456789" {
		if _, ok := f.NominalGlyph(r); !ok {
			t.Errorf("%q (U+%04X) is not in the font", r, r)
		}
	}
	if len(assets.UIFont) > len(assets.Font)/10 {
		t.Errorf("the UI font is %d bytes, not much smaller than the full one", len(assets.UIFont))
	}
}
