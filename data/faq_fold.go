package data

import (
	"log/slog"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/liuzl/gocc"
)

// Folding makes the text a receptionist types and the text of the manual
// comparable, one character for one so that offsets in the folded text are
// offsets in the original (the search highlights by them):
//
//   - traditional characters to simplified (車位 → 车位, 物業費 → 物业费),
//     by OpenCC's character table (TSCharacters, through github.com/liuzl/gocc,
//     which embeds it); a character OpenCC maps to more than one is kept;
//   - full-width ASCII to half-width (ＬＰＲ → lpr), the ideographic space
//     to a space;
//   - upper case to lower case.
//
// The same fold runs on the manual when it is indexed and on every query,
// and on the vague-word lint and the missed-query report (faq_misses.norm).

var (
	t2sOnce sync.Once
	t2sMap  map[rune]rune
)

// t2s is the traditional → simplified character map, built once from
// OpenCC's t2s conversion of every CJK character (about 20 ms).
func t2s() map[rune]rune {
	t2sOnce.Do(func() {
		t2sMap = map[rune]rune{}
		cc, err := gocc.New("t2s")
		if err != nil {
			slog.Error("traditional to simplified: conversion table not loaded", "err", err)
			return
		}
		var b strings.Builder
		var src []rune
		for _, rg := range [][2]rune{{0x3400, 0x4DBF}, {0x4E00, 0x9FFF}, {0xF900, 0xFAFF}} {
			for r := rg[0]; r <= rg[1]; r++ {
				b.WriteRune(r)
				b.WriteByte('\n') // one character a line: no phrase spans two
				src = append(src, r)
			}
		}
		out, err := cc.Convert(b.String())
		if err != nil {
			slog.Error("traditional to simplified: conversion failed", "err", err)
			return
		}
		lines := strings.Split(out, "\n")
		if len(lines) < len(src) {
			slog.Error("traditional to simplified: conversion lost lines", "got", len(lines), "want", len(src))
			return
		}
		for i, line := range lines[:len(src)] {
			if r, n := utf8.DecodeRuneInString(line); n == len(line) && r != src[i] && r != utf8.RuneError {
				t2sMap[src[i]] = r
			}
		}
	})
	return t2sMap
}

// foldText folds s as above, one character for one.
func foldText(s string) string {
	ts := t2s()
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			r -= 0xFEE0
		case r == 0x3000:
			r = ' '
		case r >= 0x3400:
			if x, ok := ts[r]; ok {
				return x
			}
		}
		return unicode.ToLower(r)
	}, s)
}
