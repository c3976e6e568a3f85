package assets

import (
	"embed"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

// China's public holidays and make-up working days (调休) as published by the
// State Council, in the NateScarlet/holiday-cn format (MIT, see
// holidays/LICENSE): one file per year. Later years are added by an HQ admin.
//
//go:embed holidays/*.json
var holidayFS embed.FS

// HolidayYears returns the embedded schedules by year.
func HolidayYears() (map[int][]byte, error) {
	names, err := fs.Glob(holidayFS, "holidays/*.json")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	out := map[int][]byte{}
	for _, n := range names {
		year, err := strconv.Atoi(strings.TrimSuffix(path.Base(n), ".json"))
		if err != nil {
			continue
		}
		b, err := fs.ReadFile(holidayFS, n)
		if err != nil {
			return nil, err
		}
		out[year] = b
	}
	return out, nil
}
