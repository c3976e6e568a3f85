// Package assets serves the files embedded in the binary: the CJK font, the
// icon and the translations.
package assets

import (
	"embed"
	"io/fs"
)

// FontFile is WenQuanYi Micro Hei as a single TrueType font (Apache-2.0, see
// fonts/LICENSE-wqy-microhei.txt). It covers CJK, Latin and digits, and works
// both as a Fyne theme font and in gofpdf.
const FontFile = "fonts/wqy-microhei.ttf"

//go:embed fonts/wqy-microhei.ttf
var Font []byte

//go:embed icon.png
var Icon []byte

//go:embed lang/*.json
var langFS embed.FS

// Languages are the translation files' language codes, the default first.
var Languages = []string{"zh", "en"}

// Translations returns the flat-JSON translation file for a language
// ("zh", "en"), in the fyne.io/fyne/v2/lang file format.
func Translations(code string) ([]byte, error) {
	return fs.ReadFile(langFS, "lang/"+code+".json")
}
