// Command rssfloor is the smallest Fyne program, for scripts/measure-rss.sh
// --floor: one window of 1024×768 with one line of text, in Fyne's own theme
// or (with -cjk) with the app's embedded Chinese font as the theme font. Its
// resident memory is the floor any Fyne app starts from on the same display
// and GL driver, so the app's own share can be told apart from the
// toolkit's and the driver's.
package main

import (
	"flag"
	"image/color"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"anchang/assets"
)

// cjkTheme is Fyne's theme with the app's Chinese font for every style.
type cjkTheme struct{ fyne.Theme }

var cjkFont = fyne.NewStaticResource("wqy-microhei.ttf", assets.Font)

func (cjkTheme) Font(fyne.TextStyle) fyne.Resource { return cjkFont }
func (t cjkTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	return t.Theme.Color(n, v)
}

func main() {
	cjk := flag.Bool("cjk", false, "use the app's embedded Chinese font")
	flag.Parse()
	a := fyneapp.NewWithID("com.anchang.rssfloor")
	text := "hello"
	if *cjk {
		a.Settings().SetTheme(cjkTheme{theme.DefaultTheme()})
		text = "案场前台"
	}
	w := a.NewWindow("rssfloor")
	w.SetContent(widget.NewLabel(text))
	w.Resize(fyne.NewSize(1024, 768))
	w.ShowAndRun()
}
