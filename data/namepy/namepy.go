// Package namepy is the pinyin index: the readings of Han characters, and
// names found by pinyin as receptionists type it: whole syllables
// (zhangmin), initials (zm), or a mix (zhangm, zmin). It wraps
// github.com/mozillazg/go-pinyin so that the data and app packages do not.
package namepy

import (
	"slices"
	"strings"
	"unicode"

	"github.com/mozillazg/go-pinyin"
)

var args = func() pinyin.Args {
	a := pinyin.NewArgs()
	a.Style = pinyin.Normal
	a.Heteronym = true // 单 reads dan and shan; 曾 zeng and ceng
	return a
}()

// Readings are a Han character's readings without tones (every one of a
// heteronym), ü also as u (lv, lu); none for another character.
func Readings(r rune) []string {
	ps := pinyin.SinglePinyin(r, args)
	for _, p := range ps {
		if strings.Contains(p, "v") {
			if u := strings.ReplaceAll(p, "v", "u"); !slices.Contains(ps, u) {
				ps = append(ps, u)
			}
		}
	}
	return ps
}

// firstReading reads each Han character in its usual (first) reading.
var firstReading = func() pinyin.Args {
	a := pinyin.NewArgs()
	a.Style = pinyin.Normal
	return a
}()

// SortKey orders Chinese names as a reader expects (by pinyin, 陈 before
// 李 before 王), not by code point; other letters keep their own place.
func SortKey(name string) string {
	var b strings.Builder
	for _, r := range name {
		if ps := pinyin.SinglePinyin(r, firstReading); len(ps) > 0 {
			b.WriteString(ps[0])
		} else {
			b.WriteString(strings.ToLower(string(r)))
		}
		b.WriteByte(' ')
	}
	return b.String()
}

// IsQuery reports whether q looks like pinyin: ASCII letters only, with
// spaces or apostrophes between syllables allowed.
func IsQuery(q string) bool {
	n := 0
	for _, r := range q {
		switch {
		case r < unicode.MaxASCII && unicode.IsLetter(r):
			n++
		case r == ' ' || r == '\'':
		default:
			return false
		}
	}
	return n > 0
}

// Match reports whether the pinyin query q reads a run of name's
// characters from its first character (a surname) or from any later one
// (a given name): each character is matched by a whole syllable or by its
// first letters, the last one by any start of a syllable. ü may be typed
// as v or u. Case, spaces and apostrophes in q are ignored.
func Match(name, q string) bool {
	q = strings.Map(func(r rune) rune {
		if r == ' ' || r == '\'' {
			return -1
		}
		return unicode.ToLower(r)
	}, q)
	if q == "" {
		return false
	}
	var slots [][]string
	for _, r := range name {
		if !unicode.Is(unicode.Han, r) {
			continue
		}
		slots = append(slots, Readings(r))
	}
	for start := range slots {
		if matchFrom(slots[start:], q) {
			return true
		}
	}
	return false
}

// matchFrom: q is read by slots[0], slots[1], … in order.
func matchFrom(slots [][]string, q string) bool {
	if q == "" {
		return true
	}
	if len(slots) == 0 {
		return false
	}
	for _, p := range slots[0] {
		// Any start of the syllable: "z", "zh", "zha", "zhang".
		for n := min(len(p), len(q)); n >= 1; n-- {
			if p[:n] == q[:n] && matchFrom(slots[1:], q[n:]) {
				return true
			}
		}
	}
	return false
}
