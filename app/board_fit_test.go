package app

import (
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
)

// The board's columns fit a 1024-pixel window in both languages (the
// English board once lost its Action column off the right edge).
func TestBoardColumnsFit1024(t *testing.T) {
	test.NewTempApp(t).Settings().SetTheme(NewTheme())
	defer SetLanguage("zh")
	for _, lang := range []string{"zh", "en"} {
		SetLanguage(lang)
		widths := columnWidths()
		sum := theme.Padding() * float32(len(widths)+2)
		for _, w := range widths {
			sum += w
		}
		// 1024 less the page's padding and the table's scroll bar.
		if sum > 1024-4*theme.Padding()-16 {
			t.Errorf("%s: the board's columns need %.0f px, more than a 1024-pixel window has (%v)", lang, sum, widths)
		}
	}
}
