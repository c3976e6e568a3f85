package app

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"anchang/assets"
)

// fontResource is the embedded CJK font, so Chinese renders on machines
// without CJK fonts; uiFontResource has only the characters of the app's
// own labels. The app itself draws no bold text (see modal.go); Fyne's
// buttons do, and their labels are always translations.
var (
	fontResource   = fyne.NewStaticResource("wqy-microhei.ttf", assets.Font)
	uiFontResource = fyne.NewStaticResource("wqy-microhei-ui.ttf", assets.UIFont)
)

// IconResource is the app icon; logoResource is the small one drawn in the window.
var (
	IconResource = fyne.NewStaticResource("icon.png", assets.Icon)
	logoResource = fyne.NewStaticResource("icon-128.png", assets.SmallIcon)
)

// Palette: a deep teal for the brand, warm gold as the accent.
var (
	colorPrimary    = color.NRGBA{R: 0x0F, G: 0x5C, B: 0x57, A: 0xFF}
	colorPrimaryDim = color.NRGBA{R: 0x0F, G: 0x5C, B: 0x57, A: 0x40}
	colorAccent     = color.NRGBA{R: 0xC9, G: 0x8A, B: 0x1B, A: 0xFF}
	colorBackground = color.NRGBA{R: 0xF6, G: 0xF5, B: 0xF1, A: 0xFF}
	colorInput      = color.NRGBA{R: 0xFF, G: 0xFF, B: 0xFF, A: 0xFF}
	colorForeground = color.NRGBA{R: 0x22, G: 0x2B, B: 0x2A, A: 0xFF}
	colorError      = color.NRGBA{R: 0xB4, G: 0x23, B: 0x18, A: 0xFF}
	colorSuccess    = color.NRGBA{R: 0x2E, G: 0x7D, B: 0x32, A: 0xFF}
	colorWarning    = color.NRGBA{R: 0xB2, G: 0x6A, B: 0x00, A: 0xFF}
	colorHeader     = color.NRGBA{R: 0xE7, G: 0xEE, B: 0xEC, A: 0xFF}
	colorPanel      = color.NRGBA{R: 0xFF, G: 0xFF, B: 0xFF, A: 0xFF}
	colorSecondary  = color.NRGBA{R: 0x4A, G: 0x56, B: 0x54, A: 0xFF}
)

// colorNameSecondary is text that is read but is not the point of a row
// (an inspection item's acceptance standard): darker than the
// placeholder grey, at least 4.5:1 on the background and on a panel.
const colorNameSecondary fyne.ThemeColorName = "anchang-secondary"

// deskTheme is the light theme of the staff desk, with the embedded font.
type deskTheme struct {
	textSize float32 // 0 = the default size
}

// NewTheme returns the desk theme.
func NewTheme() fyne.Theme { return &deskTheme{} }

// kioskTheme is the desk theme with large text and touch targets; scale
// is 1 on a 1024×768 screen and larger on bigger ones.
func kioskTheme(scale float32) fyne.Theme { return &deskTheme{textSize: 26 * scale} }

func (t *deskTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	switch n {
	case theme.ColorNamePrimary, theme.ColorNameHyperlink, theme.ColorNameFocus:
		if n == theme.ColorNameFocus {
			return colorPrimaryDim
		}
		return colorPrimary
	case theme.ColorNameBackground:
		return colorBackground
	case theme.ColorNameInputBackground:
		return colorInput
	case theme.ColorNameForeground:
		return colorForeground
	case theme.ColorNameError:
		return colorError
	case theme.ColorNameSuccess:
		return colorSuccess
	case theme.ColorNameWarning:
		return colorWarning
	case theme.ColorNameHeaderBackground, theme.ColorNameMenuBackground:
		return colorHeader
	case theme.ColorNameSelection:
		return colorPrimaryDim
	case colorNameHighlight:
		return colorAccent
	case colorNameSecondary:
		return colorSecondary
	}
	return theme.DefaultTheme().Color(n, theme.VariantLight)
}

func (t *deskTheme) Font(s fyne.TextStyle) fyne.Resource {
	if s.Bold {
		return uiFontResource
	}
	return fontResource
}

func (t *deskTheme) Icon(n fyne.ThemeIconName) fyne.Resource { return theme.DefaultTheme().Icon(n) }

func (t *deskTheme) Size(n fyne.ThemeSizeName) float32 {
	base := theme.DefaultTheme().Size(n)
	if t.textSize == 0 {
		switch n {
		case theme.SizeNameText:
			return 15
		case theme.SizeNameHeadingText:
			return 22
		}
		return base
	}
	scale := t.textSize / 14
	switch n {
	case theme.SizeNameText, theme.SizeNameHeadingText, theme.SizeNameSubHeadingText, theme.SizeNameCaptionText,
		theme.SizeNameInlineIcon, theme.SizeNamePadding, theme.SizeNameInnerPadding, theme.SizeNameLineSpacing:
		return base * scale
	}
	return base
}
