package data

import (
	"strconv"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// NormalizePhone parses a phone number as typed (13812345678, 138 1234 5678,
// +86 138-1234-5678, 0044 7700 900123, …) and returns it in E.164. Numbers
// without a country code are read as mainland China's; mainland numbers must
// be mobiles, other countries' any valid number.
func NormalizePhone(field, in string) (string, *Error) {
	v, err := cleanLine(field, in, true, 32)
	if err != nil {
		return "", err
	}
	for _, r := range v {
		if !strings.ContainsRune("0123456789+-() .", r) {
			return "", invalid(field, "err.phone.chars", nil)
		}
	}
	if strings.HasPrefix(v, "00") {
		v = "+" + v[2:]
	}
	num, perr := phonenumbers.Parse(v, "CN")
	if perr != nil {
		return "", invalid(field, "err.phone.invalid", nil)
	}
	if !phonenumbers.IsValidNumber(num) {
		if num.GetCountryCode() == 86 {
			return "", invalid(field, "err.phone.cn_mobile", nil)
		}
		return "", invalid(field, "err.phone.invalid", nil)
	}
	if num.GetCountryCode() == 86 {
		switch phonenumbers.GetNumberType(num) {
		case phonenumbers.MOBILE, phonenumbers.FIXED_LINE_OR_MOBILE:
		default:
			return "", invalid(field, "err.phone.cn_mobile", nil)
		}
	}
	return phonenumbers.Format(num, phonenumbers.E164), nil
}

// MaskPhone hides the middle of a number for lists: +8613812345678 →
// 138****5678; other countries keep their code and last four digits.
func MaskPhone(e164 string) string {
	if strings.HasPrefix(e164, "+86") && len(e164) == 14 {
		n := e164[3:]
		return n[:3] + "****" + n[7:]
	}
	if len(e164) < 8 {
		return "****"
	}
	num, err := phonenumbers.Parse(e164, "")
	cc := ""
	if err == nil {
		cc = "+" + strconv.Itoa(int(num.GetCountryCode())) + " "
	}
	return cc + "****" + e164[len(e164)-4:]
}

// FormatPhone renders a full number for the detail view: mainland mobiles as
// 138 1234 5678, others in international format.
func FormatPhone(e164 string) string {
	if strings.HasPrefix(e164, "+86") && len(e164) == 14 {
		n := e164[3:]
		return n[:3] + " " + n[3:7] + " " + n[7:]
	}
	num, err := phonenumbers.Parse(e164, "")
	if err != nil {
		return e164
	}
	return phonenumbers.Format(num, phonenumbers.INTERNATIONAL)
}
