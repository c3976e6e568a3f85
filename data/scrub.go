package data

import (
	"regexp"
	"strings"
)

// Placeholders that replace personal numbers in stored search misses.
const (
	scrubPhone = "[电话]"
	scrubID    = "[证件号]"
)

var (
	// numberRun is a run of digits, possibly broken by spaces, dashes or
	// dots (138 1234 5678, 021-6234-5678), with a leading + and a
	// trailing X (an ID card's check digit).
	numberRun = regexp.MustCompile(`\+?\d(?:[\d .\-]*\d)?[xX]?`)
	// idCard is a mainland resident ID number: 18 characters (birth date
	// inside, check digit or X) or the old 15 digits.
	idCard = regexp.MustCompile(`^(\d{6}(18|19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])\d{3}[\dxX]|\d{15})$`)
	// isoDay is a date, which is left alone.
	isoDay = regexp.MustCompile(`^\d{4}[-.]\d{1,2}[-.]\d{1,2}$`)
)

// scrubPersonal replaces phone-like and ID-card-like numbers in a search
// query with placeholders before it is stored or sent to HQ: staff type a
// visitor's number into the search box by mistake, and a miss is kept and
// synced word for word. A run of 7 or more digits counts as a phone;
// shorter numbers (rooms, prices, years) and dates stay.
func scrubPersonal(q string) string {
	return numberRun.ReplaceAllStringFunc(q, func(m string) string {
		bare := strings.NewReplacer(" ", "", "-", "", ".", "", "+", "").Replace(m)
		switch {
		case idCard.MatchString(bare):
			return scrubID
		case isoDay.MatchString(m):
			return m
		}
		digits := 0
		for _, r := range bare {
			if r >= '0' && r <= '9' {
				digits++
			}
		}
		if digits >= 7 {
			return scrubPhone
		}
		return m
	})
}
