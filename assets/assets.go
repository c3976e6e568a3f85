// Package assets serves the files embedded in the binary: the CJK font, the
// icon and the translations.
package assets

import (
	"embed"
	"io/fs"
)

// Font is WenQuanYi Micro Hei as a single TrueType font (Apache-2.0, see
// fonts/LICENSE-wqy-microhei.txt), without Korean Hangul: every CJK
// character of GBK, Latin and digits. It works both as a Fyne theme font and
// in gofpdf. scripts/subset-fonts.sh makes it.
//
//go:embed fonts/wqy-microhei.ttf
var Font []byte

// UIFont is the same font with only the characters of the app's own labels
// (assets/lang) and ASCII: Fyne draws button labels bold and parses the
// theme font once per style, so the bold style gets this small face.
//
//go:embed fonts/wqy-microhei-ui.ttf
var UIFont []byte

//go:embed icon.png
var Icon []byte

// SmallIcon is the icon at 128×128, for drawing inside the window: decoding
// the 512-pixel one for a 72-pixel logo would hold megabytes of pixels.
//
//go:embed icon-128.png
var SmallIcon []byte

//go:embed lang/*.json
var langFS embed.FS

// StarterFAQ is the consultation manual (咨询应答手册) a new device starts
// with: realistic entries about the fictional project 星河湾, in zh-CN with
// English, marked as a template ("template": true) for the company to
// replace. data.Store.EnsureStarterFAQ loads it.
//
//go:embed faq/starter.json
var StarterFAQ []byte

// Languages are the translation files' language codes, the default first.
var Languages = []string{"zh", "en"}

// Translations returns the flat-JSON translation file for a language
// ("zh", "en"), in the fyne.io/fyne/v2/lang file format.
func Translations(code string) ([]byte, error) {
	return fs.ReadFile(langFS, "lang/"+code+".json")
}
