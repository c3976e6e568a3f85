package data

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// NormalizePhone reads a customer's phone number as typed and returns it in
// E.164, the form every phone is stored and compared in. An extension, if
// any, follows the number as ";ext=NNN" (RFC 3966's extension parameter):
// +861012345678;ext=801. Before anything else the input is folded
// (FoldInput: full-width digits, ideographic and no-break spaces), and the
// full-width ＋－（） a Chinese input method types are read as +-().
//
// Accepted, as libphonenumber's metadata knows them to be real:
//   - mainland mobiles: 13812345678, 138 1234 5678, +86 138-1234-5678;
//   - mainland landlines with their area code: 010-12345678,
//     (0755) 8234 5678, 0991-1234567, +86 10 1234 5678, 0086 21 6612 3456;
//   - either with an extension: 010-12345678 转 801, 010-12345678-801,
//     010-12345678 ext 801, x801 or #801 (1–6 digits);
//   - any other country's or region's valid number written with + or 00 and
//     its code: +852 9123 4567, 0044 7911 123456.
//
// Refused, with a key that says what is wrong with this number:
//   - err.phone.chars: a character that is not part of a phone number;
//   - err.phone.outside_mainland: a Hong Kong, Macau or Taiwan number
//     written without its code (0912-345-678), which must start with +852,
//     +853 or +886;
//   - err.phone.local: 7–8 digits without an area code (6612 3456), which
//     is a mainland landline missing its area code or a Hong Kong / Macau
//     number missing its code;
//   - err.phone.cn_mobile: a mainland mobile of the wrong length or an
//     unassigned prefix;
//   - err.phone.cn_landline: a landline whose local number has the wrong
//     length for its area code (0755-1234567: Shenzhen's are 8 digits);
//   - err.phone.cn_area: a 0… number whose area code does not exist;
//   - err.phone.cn_service: a 400/800 company hotline, not a person's phone;
//   - err.phone.invalid: anything else, or another country's invalid number.
//
// A mainland number is never required to be a mobile: every phone the desk
// records is a contact to call back (visits, tickets, inspections,
// revisits), and a landline is as good for that.
func NormalizePhone(field, in string) (string, *Error) {
	v, err := cleanLine(field, phoneFolder.Replace(in), true, 32)
	if err != nil {
		return "", err
	}
	main, ext := splitExtension(v)
	for _, r := range main {
		if !strings.ContainsRune("0123456789+-() .", r) {
			return "", invalid(field, "err.phone.chars", nil)
		}
	}
	if strings.HasPrefix(main, "00") {
		main = "+" + main[2:]
	}
	num, perr := phonenumbers.Parse(main, "CN")
	if perr != nil || num.GetNationalNumber() == 0 {
		return "", invalid(field, "err.phone.invalid", nil)
	}
	intl := strings.HasPrefix(main, "+")
	if num.GetCountryCode() != 86 {
		if !phonenumbers.IsValidNumber(num) {
			return "", invalid(field, "err.phone.invalid_in", map[string]any{"Code": "+" + strconv.Itoa(int(num.GetCountryCode()))})
		}
		return withExt(num, ext), nil
	}
	if e := checkMainland(field, num, digitsOf(main), intl); e != nil {
		return "", e
	}
	return withExt(num, ext), nil
}

// phoneFolder reads the full-width signs of a Chinese input method as
// their ASCII forms (FoldInput does the digits and spaces).
var phoneFolder = strings.NewReplacer("＋", "+", "－", "-", "（", "(", "）", ")", "—", "-", "–", "-", "＃", "#")

// extRe finds an extension after a number: 转 801, 分机 801, ext 801,
// ext. 801, x801, #801.
var extRe = regexp.MustCompile(`(?i)^(.*?\d)\s*(?:转|分机|ext\.?|x|#|;ext=)\s*(\d{1,6})$`)

// dashExtRe is the other way a mainland extension is written: a dash and
// 1–6 digits after a complete landline (010-12345678-801).
var dashExtRe = regexp.MustCompile(`^(0\d{2,3}[- ]?\d{7,8})\s*-\s*(\d{1,6})$`)

func splitExtension(v string) (main, ext string) {
	if m := extRe.FindStringSubmatch(v); m != nil {
		return strings.TrimSpace(m[1]), m[2]
	}
	if m := dashExtRe.FindStringSubmatch(v); m != nil {
		if num, err := phonenumbers.Parse(m[1], "CN"); err == nil && phonenumbers.IsValidNumber(num) {
			return m[1], m[2]
		}
	}
	return v, ""
}

func withExt(num *phonenumbers.PhoneNumber, ext string) string {
	e := phonenumbers.Format(num, phonenumbers.E164)
	if ext != "" {
		e += ";ext=" + ext
	}
	return e
}

func digitsOf(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// checkMainland says what is wrong with a +86 number, or nil when it is a
// mobile or a landline. digits are the digits as typed; intl is whether
// the country code was.
func checkMainland(field string, num *phonenumbers.PhoneNumber, digits string, intl bool) *Error {
	national := strconv.FormatUint(num.GetNationalNumber(), 10)
	if phonenumbers.IsValidNumber(num) {
		switch phonenumbers.GetNumberType(num) {
		case phonenumbers.MOBILE, phonenumbers.FIXED_LINE_OR_MOBILE:
			return nil
		case phonenumbers.FIXED_LINE, phonenumbers.VOIP:
			// libphonenumber also calls a city's short service numbers
			// valid (010-10000); a person's line has 7 or 8 digits.
			area := areaCode(national)
			if n := len(national) - len(area); n < 7 {
				return invalid(field, "err.phone.cn_landline", map[string]any{"Area": "0" + area, "Want": strings.Join(localLengths(area), "/"), "Len": n})
			}
			return nil
		case phonenumbers.TOLL_FREE, phonenumbers.SHARED_COST:
			return invalid(field, "err.phone.cn_service", nil)
		}
		return invalid(field, "err.phone.invalid", nil)
	}
	if !intl {
		// Written as a local number: first see whether it is a number of
		// Hong Kong, Macau or Taiwan missing its code.
		elsewhere := false
		for _, region := range []string{"HK", "MO", "TW"} {
			if n, err := phonenumbers.Parse(digits, region); err == nil && phonenumbers.IsValidNumber(n) {
				elsewhere = true
			}
		}
		switch {
		case (len(digits) == 7 || len(digits) == 8) && digits[0] != '0' && digits[0] != '1':
			return invalid(field, "err.phone.local", map[string]any{"Len": len(digits)})
		case elsewhere:
			return invalid(field, "err.phone.outside_mainland", nil)
		case digits[0] != '0' && digits[0] != '1':
			return invalid(field, "err.phone.invalid", nil)
		}
	}
	// A mobile starts with 1; a landline with its area code, 0 as typed
	// at home, none after +86 (where Beijing's 10 also starts with 1).
	mobile := digits[0] == '1'
	if intl {
		mobile = national[0] == '1' && !strings.HasPrefix(national, "10")
	}
	if mobile {
		return invalid(field, "err.phone.cn_mobile", map[string]any{"Len": len(national)})
	}
	area := areaCode(national)
	want := localLengths(area)
	if len(want) == 0 {
		return invalid(field, "err.phone.cn_area", map[string]any{"Area": "0" + area})
	}
	return invalid(field, "err.phone.cn_landline", map[string]any{"Area": "0" + area, "Want": strings.Join(want, "/"), "Len": len(national) - len(area)})
}

// areaCode is the area code (without its 0) a mainland landline starts
// with: two digits for Beijing (10) and the 2x cities, three for the rest.
func areaCode(national string) string {
	if strings.HasPrefix(national, "10") || strings.HasPrefix(national, "2") {
		return national[:min(2, len(national))]
	}
	return national[:min(3, len(national))]
}

// localLengths are the lengths ("7", "8") of the local numbers that
// libphonenumber knows for area, found by trying numbers of each length
// with every usual first digit; none when the area code is not one.
func localLengths(area string) []string {
	var out []string
	for _, n := range []int{7, 8} {
		for first := '2'; first <= '8'; first++ {
			probe := area + string(first) + strings.Repeat("1", n-1)
			if num, err := phonenumbers.Parse("0"+probe, "CN"); err == nil && phonenumbers.IsValidNumber(num) &&
				phonenumbers.GetNumberType(num) == phonenumbers.FIXED_LINE {
				out = append(out, strconv.Itoa(n))
				break
			}
		}
	}
	return out
}

// splitE164 parts a stored number from its extension.
func splitE164(stored string) (e164, ext string) {
	e164, ext, _ = strings.Cut(stored, ";ext=")
	return e164, ext
}

// IsMobile reports whether a stored number is a mobile (it can receive
// SMS): a mainland mobile, or another country's mobile.
func IsMobile(stored string) bool {
	e164, _ := splitE164(stored)
	num, err := phonenumbers.Parse(e164, "")
	if err != nil {
		return false
	}
	t := phonenumbers.GetNumberType(num)
	return t == phonenumbers.MOBILE || t == phonenumbers.FIXED_LINE_OR_MOBILE
}

// MaskPhone hides the middle of a number for lists: +8613812345678 →
// 138****5678; a mainland landline keeps its area code, +861012345678 →
// 010 ****5678; other countries keep their code and last four digits. An
// extension is left out.
func MaskPhone(stored string) string {
	e164, _ := splitE164(stored)
	if strings.HasPrefix(e164, "+86") && len(e164) == 14 && e164[3] == '1' {
		n := e164[3:]
		return n[:3] + "****" + n[7:]
	}
	if len(e164) < 8 {
		return "****"
	}
	num, err := phonenumbers.Parse(e164, "")
	if err == nil && num.GetCountryCode() == 86 {
		national := strconv.FormatUint(num.GetNationalNumber(), 10)
		return "0" + areaCode(national) + " ****" + e164[len(e164)-4:]
	}
	cc := ""
	if err == nil {
		cc = "+" + strconv.Itoa(int(num.GetCountryCode())) + " "
	}
	return cc + "****" + e164[len(e164)-4:]
}

// FormatPhone renders a full number for the detail view: mainland mobiles as
// 138 1234 5678, mainland landlines as 010 1234 5678, others in
// international format; an extension as " ext. 801".
func FormatPhone(stored string) string {
	e164, ext := splitE164(stored)
	suffix := ""
	if ext != "" {
		suffix = " ext. " + ext
	}
	if strings.HasPrefix(e164, "+86") && len(e164) == 14 && e164[3] == '1' {
		n := e164[3:]
		return n[:3] + " " + n[3:7] + " " + n[7:] + suffix
	}
	num, err := phonenumbers.Parse(e164, "")
	if err != nil {
		return stored
	}
	if num.GetCountryCode() == 86 {
		return phonenumbers.Format(num, phonenumbers.NATIONAL) + suffix
	}
	return phonenumbers.Format(num, phonenumbers.INTERNATIONAL) + suffix
}
