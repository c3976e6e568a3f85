package app

import (
	"sort"
	"strings"

	"github.com/mozillazg/go-pinyin"

	"anchang/data"
)

// namePinyinArgs reads each Han character in its usual (first) reading.
var namePinyinArgs = func() pinyin.Args {
	a := pinyin.NewArgs()
	a.Style = pinyin.Normal
	return a
}()

// nameSortKey orders Chinese names as a reader expects (by pinyin, 陈 before
// 李 before 王), not by code point; other letters keep their own place.
func nameSortKey(name string) string {
	var b strings.Builder
	for _, r := range name {
		if ps := pinyin.SinglePinyin(r, namePinyinArgs); len(ps) > 0 {
			b.WriteString(ps[0])
		} else {
			b.WriteString(strings.ToLower(string(r)))
		}
		b.WriteByte(' ')
	}
	return b.String()
}

// sortStaffForList puts the active staff first, each group by name in
// pinyin order.
func sortStaffForList(staff []data.Staff) {
	keys := make(map[string]string, len(staff))
	for _, st := range staff {
		keys[st.ID] = nameSortKey(st.Name)
	}
	sort.SliceStable(staff, func(i, j int) bool {
		if staff[i].Active != staff[j].Active {
			return staff[i].Active
		}
		return keys[staff[i].ID] < keys[staff[j].ID]
	})
}
