package app

import (
	"sort"

	"anchang/data"
	"anchang/data/namepy"
)

// sortStaffForList puts the active staff first, each group by name in
// pinyin order.
func sortStaffForList(staff []data.Staff) {
	keys := make(map[string]string, len(staff))
	for _, st := range staff {
		keys[st.ID] = namepy.SortKey(st.Name)
	}
	sort.SliceStable(staff, func(i, j int) bool {
		if staff[i].Active != staff[j].Active {
			return staff[i].Active
		}
		return keys[staff[i].ID] < keys[staff[j].ID]
	})
}
