package data

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Field limits, in characters (runes).
const (
	MaxNameLen     = 40
	MaxOfficeLen   = 60
	MaxCodeLen     = 20
	MaxInterestLen = 60
	MaxNotesLen    = 500
	MaxPartySize   = 50
)

// inputFolder folds what a Chinese input method or a pasted web page puts
// in place of plain characters: full-width digits (１３８ from an IME in
// full-width mode) and the ideographic, no-break, narrow no-break and figure
// spaces. Chinese punctuation (，（）：) is text, not a slip, and stays.
var inputFolder = strings.NewReplacer(
	"０", "0", "１", "1", "２", "2", "３", "3", "４", "4",
	"５", "5", "６", "6", "７", "7", "８", "8", "９", "9",
	"\u3000", " ", "\u00a0", " ", "\u202f", " ", "\u2007", " ",
)

// FoldInput is the one fold every validator applies to what a user typed,
// before checking it: full-width digits become 0–9 and the ideographic and
// no-break spaces a plain space (see inputFolder). The user did type
// digits and spaces; they are read as such rather than refused.
func FoldInput(s string) string { return inputFolder.Replace(s) }

// cleanLine folds (FoldInput), trims a single-line field and checks its
// length and characters. Control characters (including newlines) are
// refused, not stripped: the user sees what is wrong rather than a
// silently changed value.
func cleanLine(field, v string, required bool, max int) (string, *Error) {
	if !utf8.ValidString(v) {
		return "", invalid(field, "err.field.encoding", nil)
	}
	v = strings.TrimSpace(FoldInput(v))
	if v == "" {
		if required {
			return "", invalid(field, "err.field.required", nil)
		}
		return "", nil
	}
	if n := utf8.RuneCountInString(v); n > max {
		return "", invalid(field, "err.field.too_long", map[string]any{"Max": max, "Len": n})
	}
	for _, r := range v {
		if isControl(r) {
			return "", invalid(field, "err.field.control", nil)
		}
	}
	return v, nil
}

// cleanText is cleanLine for multi-line text: newlines and tabs are allowed,
// and the zero-width joiner that emoji sequences (👨‍👩‍👧) are made of.
func cleanText(field, v string, max int) (string, *Error) {
	if !utf8.ValidString(v) {
		return "", invalid(field, "err.field.encoding", nil)
	}
	v = strings.TrimSpace(FoldInput(strings.ReplaceAll(v, "\r\n", "\n")))
	if n := utf8.RuneCountInString(v); n > max {
		return "", invalid(field, "err.field.too_long", map[string]any{"Max": max, "Len": n})
	}
	for _, r := range v {
		if r != '\n' && r != '\t' && r != zwj && isControl(r) {
			return "", invalid(field, "err.field.control", nil)
		}
	}
	return v, nil
}

const zwj = '\u200d'

// isControl reports C0/C1 controls, and format characters that hide or
// reorder text (zero-width, bidi overrides).
func isControl(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == utf8.RuneError
}

// isEmoji reports pictographs and their modifiers.
func isEmoji(r rune) bool {
	switch {
	case r >= 0x1F000 && r <= 0x1FAFF, // mahjong … symbols and pictographs ext-A
		r >= 0x2600 && r <= 0x27BF, // misc symbols, dingbats
		r >= 0xFE00 && r <= 0xFE0F, // variation selectors
		r == 0x200D,                // zero-width joiner
		r >= 0x1F1E6 && r <= 0x1F1FF:
		return true
	}
	return false
}

// CleanPersonName validates a person's name: letters of any script
// (including rare CJK), spaces, the middle dot of transliterated names,
// hyphen, apostrophe and full stop.
func CleanPersonName(field, v string) (string, *Error) {
	v, err := cleanLine(field, v, true, MaxNameLen)
	if err != nil {
		return "", err
	}
	letters := 0
	for _, r := range v {
		switch {
		case unicode.IsLetter(r) || unicode.Is(unicode.Han, r):
			letters++
		case isEmoji(r): // before IsMark: variation selectors are marks
			return "", invalid(field, "err.name.emoji", nil)
		case unicode.IsMark(r), r == ' ', r == '·', r == '•', r == '-', r == '\'', r == '.', r == '’':
		default:
			return "", invalid(field, "err.name.chars", map[string]any{"Char": string(r)})
		}
	}
	if letters == 0 {
		return "", invalid(field, "err.name.chars", map[string]any{"Char": v[:1]})
	}
	return v, nil
}
