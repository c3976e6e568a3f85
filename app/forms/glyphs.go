package forms

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"unicode"

	"github.com/go-text/typesetting/font"
	ot "github.com/go-text/typesetting/font/opentype"
	"github.com/go-text/typesetting/font/opentype/tables"

	"anchang/assets"
)

// Placeholder stands in for a character the embedded font cannot print
// (a rare CJK character such as 𠀀, an emoji): visible on paper and in the
// PDF's text, never silently dropped. An emoji sequence (with joiners,
// variation selectors, skin tones, a flag's pair) becomes one placeholder.
const Placeholder = '□'

var cmapOnce struct {
	sync.Once
	cmap font.Cmap
	err  error
}

// fontCmap parses the embedded font's character map once.
func fontCmap() (font.Cmap, error) {
	cmapOnce.Do(func() {
		ld, err := ot.NewLoader(bytes.NewReader(assets.Font))
		if err != nil {
			cmapOnce.err = fmt.Errorf("read font: %w", err)
			return
		}
		raw, err := ld.RawTable(ot.MustNewTag("cmap"))
		if err != nil {
			cmapOnce.err = fmt.Errorf("font cmap: %w", err)
			return
		}
		tb, _, err := tables.ParseCmap(raw)
		if err != nil {
			cmapOnce.err = fmt.Errorf("font cmap: %w", err)
			return
		}
		cmapOnce.cmap, _, cmapOnce.err = font.ProcessCmap(tb, 0)
		if cmapOnce.err != nil {
			cmapOnce.err = fmt.Errorf("font cmap: %w", cmapOnce.err)
		}
	})
	return cmapOnce.cmap, cmapOnce.err
}

// Covered reports whether the embedded font has a glyph for r.
func Covered(r rune) bool {
	cm, err := fontCmap()
	if err != nil {
		return false
	}
	_, ok := cm.Lookup(r)
	return ok
}

// attaches reports whether r belongs to the character before it: joiners,
// variation selectors, skin-tone modifiers, tag characters, combining marks.
func attaches(r rune) bool {
	switch {
	case r == 0x200D, r == 0x20E3,
		r >= 0xFE00 && r <= 0xFE0F, r >= 0xE0100 && r <= 0xE01EF,
		r >= 0x1F3FB && r <= 0x1F3FF, r >= 0xE0020 && r <= 0xE007F:
		return true
	}
	return unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r)
}

func regional(r rune) bool { return r >= 0x1F1E6 && r <= 0x1F1FF }

// Printable returns s with every character the font lacks replaced by
// Placeholder, tabs as spaces and line ends as "\n"; other control
// characters are replaced too. Text that needs no change is returned as is.
func Printable(s string) string {
	cm, err := fontCmap()
	ok := func(r rune) bool {
		if err != nil {
			return r < 0x80
		}
		_, found := cm.Lookup(r)
		return found
	}
	clean := true
	for _, r := range s {
		if r == '\t' || r == '\r' || (r != '\n' && unicode.IsControl(r)) || !ok(r) && r != '\n' {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	s = strings.ReplaceAll(s, "\r\n", "\n")
	rs := []rune(s)
	placed := false // the last thing written is a placeholder for a sequence
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case r == '\n':
			b.WriteRune(r)
			placed = false
		case r == '\t':
			b.WriteByte(' ')
			placed = false
		case r == '\r':
			b.WriteByte('\n')
			placed = false
		case r >= 0xFE00 && r <= 0xFE0F:
			// a presentation selector: no character of its own
		case placed && attaches(r):
			// part of the sequence already replaced; a joiner also takes the next character
			if r == 0x200D && i+1 < len(rs) {
				i++
			}
		case unicode.IsControl(r) || !ok(r):
			b.WriteRune(Placeholder)
			placed = true
			if regional(r) && i+1 < len(rs) && regional(rs[i+1]) {
				i++ // a flag is a pair of regional indicators
			}
		default:
			b.WriteRune(r)
			placed = false
		}
	}
	return b.String()
}
