package data

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// forbiddenInName reports a rune no accepted name may contain: any control
// or format character (whatever isControl says), or a pictograph.
func forbiddenInName(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == utf8.RuneError || isEmoji(r) ||
		unicode.Is(unicode.Zl, r) || unicode.Is(unicode.Zp, r)
}

func FuzzValidateCheckIn(f *testing.F) {
	for i, c := range nameCases {
		note := noteCases[i%len(noteCases)].in
		phone := phoneCases[i%len(phoneCases)].in
		f.Add(c.in, phone, note, "2")
	}
	for _, c := range phoneCases {
		f.Add("王芳", c.in, "", "")
	}
	for _, c := range noteCases {
		f.Add("王芳", "13812345678", c.in, " 3 ")
	}
	f.Add("\u200d", "+", "\r\n\x00", "-0")
	f.Fuzz(func(t *testing.T, name, phone, notes, party string) {
		in := CheckInInput{Name: name, Phone: phone, Notes: notes, PartySize: party, Purpose: PurposeViewing,
			SourceID: "src", Consent: true, Via: ViaDesk, InterestUnit: name, InterestBudget: notes}
		v, errs := validateCheckIn(in)
		for field, e := range errs {
			if e == nil || e.Code != EINVALID || e.Field != field || e.Key == "" {
				t.Fatalf("field %s: malformed error %#v", field, e)
			}
		}
		if errs["name"] == nil {
			if v.name == "" || !utf8.ValidString(v.name) || utf8.RuneCountInString(v.name) > MaxNameLen || v.name != strings.TrimSpace(v.name) {
				t.Fatalf("accepted name %q", v.name)
			}
			if !strings.Contains(FoldInput(name), v.name) {
				t.Fatalf("accepted name %q is not part of the input %q", v.name, name)
			}
			for _, r := range v.name {
				if forbiddenInName(r) {
					t.Fatalf("accepted name %q contains %U", v.name, r)
				}
			}
		} else if v.name != "" {
			t.Fatalf("refused name still set to %q", v.name)
		}
		if errs["phone"] == nil {
			checkE164(t, phone, v.phone)
		}
		if errs["notes"] == nil {
			if !utf8.ValidString(v.notes) || utf8.RuneCountInString(v.notes) > MaxNotesLen || strings.Contains(v.notes, "\r\n") {
				t.Fatalf("accepted notes %q", v.notes)
			}
			for _, r := range v.notes {
				if r != '\n' && r != '\t' && r != zwj && (unicode.IsControl(r) || unicode.Is(unicode.Cf, r)) {
					t.Fatalf("accepted notes %q contain %U", v.notes, r)
				}
			}
		}
		if errs["interest_unit"] == nil {
			for _, r := range v.unit {
				if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
					t.Fatalf("accepted line %q contains %U", v.unit, r)
				}
			}
		}
		if errs["party"] == nil && (v.party < 1 || v.party > MaxPartySize) {
			t.Fatalf("accepted party %d from %q", v.party, party)
		}
		// ValidateCheckIn agrees with the inner function.
		if got := ValidateCheckIn(in); len(got) != len(errs) {
			t.Fatalf("ValidateCheckIn %v, validateCheckIn %v", got, errs)
		}
	})
}

// checkE164 checks an accepted phone number: E.164, then ";ext=" and
// 1–6 digits for an extension.
func checkE164(t *testing.T, in, stored string) {
	t.Helper()
	e164, ext, hasExt := strings.Cut(stored, ";ext=")
	// libphonenumber allows national numbers of up to 17 digits (DE has 15),
	// a little longer than E.164's 15 in all.
	if len(e164) < 5 || len(e164) > 20 || e164[0] != '+' || strings.Trim(e164[1:], "0123456789") != "" {
		t.Fatalf("%q normalised to %q, not E.164", in, stored)
	}
	if hasExt && (ext == "" || len(ext) > 6 || strings.Trim(ext, "0123456789") != "") {
		t.Fatalf("%q normalised to %q: a bad extension", in, stored)
	}
	again, err := NormalizePhone("phone", stored)
	if err != nil || again != stored {
		t.Fatalf("%q → %q → %q, %v: not stable", in, stored, again, err)
	}
	// A mainland number is a mobile (1 and 10 digits more) or a landline
	// (area code without its 0, then 7–8 digits).
	if n := len(e164) - 3; strings.HasPrefix(e164, "+86") && !(n == 11 && e164[3] == '1') && !(n >= 9 && n <= 11 && e164[3] != '1') && !(n == 10 && strings.HasPrefix(e164, "+8610")) {
		t.Fatalf("%q accepted as mainland %q, neither a mobile nor a landline", in, stored)
	}
	e164 = stored
	m := MaskPhone(e164)
	if !strings.Contains(m, "****") || len(e164) >= 8 && strings.Contains(m, e164[len(e164)-8:]) {
		t.Fatalf("MaskPhone(%q) = %q", e164, m)
	}
	if FormatPhone(e164) == "" {
		t.Fatalf("FormatPhone(%q) empty", e164)
	}
}

func FuzzNormalizePhone(f *testing.F) {
	for _, c := range phoneCases {
		f.Add(c.in)
	}
	f.Add("0086")
	f.Add("+86")
	f.Add("00 00 86 138 1234 5678")
	f.Add("+86 (138) 1234-5678")
	f.Add("004920100000000000") // +49 201 with a 13-digit subscriber number: valid, 16 digits
	f.Add("+491680")            // valid, only 7 characters
	f.Fuzz(func(t *testing.T, in string) {
		e164, err := NormalizePhone("phone", in)
		if err != nil {
			if e164 != "" || err.Code != EINVALID || err.Field != "phone" {
				t.Fatalf("refused %q with %q, %#v", in, e164, err)
			}
			return
		}
		checkE164(t, in, e164)
		MaskPhone(in) // must not panic on anything
		FormatPhone(in)
	})
}
