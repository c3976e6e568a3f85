package data

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
)

const sqlText = `Robert'); DROP TABLE visits;--`

// fieldCase is one input to a single-field validator: either the cleaned
// value it must return (key == "") or the translation key of its error.
type fieldCase struct {
	name string
	in   string
	want string         // cleaned value when accepted
	key  string         // error key when refused
	args map[string]any // expected error args, when they matter
}

func runFieldCases(t *testing.T, field string, clean func(string) (string, *Error), cases []fieldCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := clean(tc.in)
			if tc.key == "" {
				if err != nil {
					t.Fatalf("refused %q: %v", tc.in, err)
				}
				if got != tc.want {
					t.Fatalf("cleaned %q to %q, want %q", tc.in, got, tc.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("accepted %q as %q, want %s", tc.in, got, tc.key)
			}
			if err.Code != EINVALID || err.Field != field || err.Key != tc.key {
				t.Fatalf("error %v (field %q), want %s on %s", err, err.Field, tc.key, field)
			}
			if got != "" {
				t.Fatalf("refused input still returned %q", got)
			}
			for k, v := range tc.args {
				if err.Args[k] != v {
					t.Fatalf("args %v, want %s=%v", err.Args, k, v)
				}
			}
		})
	}
}

var (
	maxName    = strings.Repeat("王", MaxNameLen)
	maxNameExt = strings.Repeat("𠀀", MaxNameLen) // four bytes each: limits count characters, not bytes
	paste10k   = strings.Repeat("王", 10000)
)

// nameCases are also the seeds of FuzzValidateCheckIn.
var nameCases = []fieldCase{
	{name: "empty", in: "", key: "err.field.required"},
	{name: "spaces only", in: "   ", key: "err.field.required"},
	{name: "tabs and newlines only", in: " \t\n\r ", key: "err.field.required"},
	{name: "ideographic spaces only", in: "\u3000\u3000", key: "err.field.required"},
	{name: "trimmed", in: "  王芳\u3000", want: "王芳"},
	{name: "trailing newline trimmed", in: "王芳\n", want: "王芳"},
	{name: "at max", in: maxName, want: maxName},
	{name: "one over max", in: maxName + "芳", key: "err.field.too_long", args: map[string]any{"Max": MaxNameLen, "Len": MaxNameLen + 1}},
	{name: "at max astral", in: maxNameExt, want: maxNameExt},
	{name: "one over max astral", in: maxNameExt + "𠀀", key: "err.field.too_long", args: map[string]any{"Max": MaxNameLen, "Len": MaxNameLen + 1}},
	{name: "max after trimming", in: "  " + maxName + "  ", want: maxName},
	{name: "10k paste", in: paste10k, key: "err.field.too_long", args: map[string]any{"Len": 10000}},
	{name: "NUL", in: "王\x00芳", key: "err.field.control"},
	{name: "ESC", in: "王\x1b[31m芳", key: "err.field.control"},
	{name: "bell", in: "\a王芳", key: "err.field.control"},
	{name: "DEL", in: "王\x7f芳", key: "err.field.control"},
	{name: "C1 control", in: "王\u0085芳", key: "err.field.control"},
	{name: "inner newline", in: "王\n芳", key: "err.field.control"},
	{name: "bidi override", in: "王\u202e芳", key: "err.field.control"},
	{name: "bidi isolate", in: "王\u2066芳", key: "err.field.control"},
	{name: "zero-width space", in: "王\u200b芳", key: "err.field.control"},
	{name: "BOM", in: "\ufeff王芳", key: "err.field.control"},
	{name: "invalid utf-8", in: "王\xff芳", key: "err.field.encoding"},
	{name: "replacement char", in: "王\ufffd芳", key: "err.field.control"},
	{name: "emoji", in: "王😀", key: "err.name.emoji"},
	{name: "emoji only", in: "😀", key: "err.name.emoji"},
	{name: "emoji skin tone", in: "王👍🏻", key: "err.name.emoji"},
	{name: "flag", in: "🇨🇳王芳", key: "err.name.emoji"},
	{name: "dingbat", in: "王芳✂", key: "err.name.emoji"},
	{name: "misc symbol", in: "王☀芳", key: "err.name.emoji"},
	{name: "variation selector", in: "王\ufe0f芳", key: "err.name.emoji"},
	{name: "zwj emoji sequence", in: "王👨\u200d👩\u200d👧", key: "err.field.control"},
	{name: "sql", in: sqlText, key: "err.name.chars", args: map[string]any{"Char": ")"}},
	{name: "digits", in: "王芳2", key: "err.name.chars", args: map[string]any{"Char": "2"}},
	{name: "html", in: "<b>王芳</b>", key: "err.name.chars", args: map[string]any{"Char": "<"}},
	{name: "nbsp inside folds to a space", in: "王\u00a0芳", want: "王 芳"},
	{name: "ideographic space inside folds to a space", in: "王\u3000芳", want: "王 芳"},
	{name: "punctuation only", in: "·-.", key: "err.name.chars"},
	{name: "rare CJK ext A", in: "䶮", want: "䶮"},
	{name: "rare CJK ext B", in: "𠀀", want: "𠀀"},
	{name: "rare CJK in name", in: "王䶮𠀀", want: "王䶮𠀀"},
	{name: "middle dot", in: "阿卜杜·热合曼", want: "阿卜杜·热合曼"},
	{name: "bullet as middle dot", in: "阿卜杜•热合曼", want: "阿卜杜•热合曼"},
	{name: "compound surname", in: "欧阳娜娜", want: "欧阳娜娜"},
	{name: "latin apostrophe", in: "O'Brien", want: "O'Brien"},
	{name: "latin curly apostrophe", in: "O’Brien", want: "O’Brien"},
	{name: "latin hyphen spaces dot", in: "Jean-Luc M. Picard", want: "Jean-Luc M. Picard"},
	{name: "accents precomposed", in: "José Müller", want: "José Müller"},
	{name: "accents combining", in: "Jose\u0301", want: "Jose\u0301"},
	{name: "vietnamese", in: "Nguyễn Văn An", want: "Nguyễn Văn An"},
	{name: "hangul", in: "김민준", want: "김민준"},
	{name: "japanese kana", in: "さくら", want: "さくら"},
}

func TestCleanPersonName(t *testing.T) {
	runFieldCases(t, "name", func(v string) (string, *Error) { return CleanPersonName("name", v) }, nameCases)
}

var notesMax = strings.Repeat("记", MaxNotesLen)

// noteCases are also fuzz seeds.
var noteCases = []fieldCase{
	{name: "empty", in: "", want: ""},
	{name: "whitespace only", in: " \n\t ", want: ""},
	{name: "at max", in: notesMax, want: notesMax},
	{name: "one over max", in: notesMax + "记", key: "err.field.too_long", args: map[string]any{"Max": MaxNotesLen, "Len": MaxNotesLen + 1}},
	{name: "10k paste", in: paste10k, key: "err.field.too_long", args: map[string]any{"Len": 10000}},
	{name: "multi-line and tabs", in: "意向三房\r\n预算\t300万\n", want: "意向三房\n预算\t300万"},
	{name: "crlf counts as one", in: strings.Repeat("记\r\n", MaxNotesLen/2), want: strings.TrimSpace(strings.Repeat("记\n", MaxNotesLen/2))},
	{name: "emoji", in: "客户很满意👍😀", want: "客户很满意👍😀"},
	{name: "emoji with variation selector", in: "❤️ 喜欢样板间", want: "❤️ 喜欢样板间"},
	{name: "emoji skin tone", in: "👍🏽", want: "👍🏽"},
	{name: "flag emoji", in: "🇭🇰 香港客户", want: "🇭🇰 香港客户"},
	{name: "zwj emoji sequence", in: "👨\u200d👩\u200d👧 一家三口", want: "👨\u200d👩\u200d👧 一家三口"},
	{name: "sql verbatim", in: sqlText, want: sqlText},
	{name: "quotes and percent", in: `50% 首付 "现金" O'Neil \ _`, want: `50% 首付 "现金" O'Neil \ _`},
	{name: "NUL", in: "备注\x00", key: "err.field.control"},
	{name: "ESC", in: "备注\x1b[2J", key: "err.field.control"},
	{name: "bidi override", in: "备注\u202e", key: "err.field.control"},
	{name: "zero-width space", in: "备\u200b注", key: "err.field.control"},
	{name: "invalid utf-8", in: "备注\xc3", key: "err.field.encoding"},
}

func TestCleanNotes(t *testing.T) {
	runFieldCases(t, "notes", func(v string) (string, *Error) { return cleanText("notes", v, MaxNotesLen) }, noteCases)
}

func TestCleanLineOptional(t *testing.T) {
	at := strings.Repeat("房", MaxInterestLen)
	runFieldCases(t, "interest_unit", func(v string) (string, *Error) {
		return cleanLine("interest_unit", v, false, MaxInterestLen)
	}, []fieldCase{
		{name: "empty is fine", in: "", want: ""},
		{name: "spaces are empty", in: "   ", want: ""},
		{name: "at max", in: at, want: at},
		{name: "one over", in: at + "房", key: "err.field.too_long", args: map[string]any{"Max": MaxInterestLen, "Len": MaxInterestLen + 1}},
		{name: "emoji allowed", in: "128㎡四房🏠", want: "128㎡四房🏠"},
		{name: "newline refused", in: "三房\n两厅", key: "err.field.control"},
		{name: "NUL refused", in: "三房\x00", key: "err.field.control"},
		{name: "bidi refused", in: "\u202e三房", key: "err.field.control"},
	})
}

// phoneCases: want is the E.164 form of an accepted number. The numbers
// are real-format: mainland mobiles, landlines with the local lengths of
// their cities (Beijing, Shanghai, Guangzhou and Shenzhen 8 digits,
// Urumqi 7), and Hong Kong, Macau and Taiwan numbers as their residents
// write them at home.
var phoneCases = []fieldCase{
	{name: "plain mobile", in: "13812345678", want: "+8613812345678"},
	{name: "spaces", in: "138 1234 5678", want: "+8613812345678"},
	{name: "dashes", in: "138-1234-5678", want: "+8613812345678"},
	{name: "padded", in: "  13812345678  ", want: "+8613812345678"},
	{name: "parentheses", in: "(138) 1234 5678", want: "+8613812345678"},
	{name: "plus 86", in: "+86 138 1234 5678", want: "+8613812345678"},
	{name: "plus 86 compact", in: "+8613812345678", want: "+8613812345678"},
	{name: "0086", in: "008613812345678", want: "+8613812345678"},
	{name: "0086 spaced", in: "0086 138 1234 5678", want: "+8613812345678"},
	{name: "newer prefix 198", in: "198 1234 5678", want: "+8619812345678"},

	{name: "full-width digits", in: "１３８１２３４５６７８", want: "+8613812345678"},
	{name: "full-width plus and digits", in: "＋８６ １３８ １２３４ ５６７８", want: "+8613812345678"},
	{name: "ideographic and no-break spaces", in: "138\u30001234\u00a05678", want: "+8613812345678"},
	{name: "full-width landline", in: "０１０－１２３４５６７８", want: "+861012345678"},

	{name: "Beijing landline", in: "010-12345678", want: "+861012345678"},
	{name: "Beijing landline spaced", in: "010 1234 5678", want: "+861012345678"},
	{name: "Beijing landline +86", in: "+86 10 1234 5678", want: "+861012345678"},
	{name: "Beijing landline +86 with its 0", in: "+86 010 1234 5678", want: "+861012345678"},
	{name: "Shanghai landline 0086", in: "0086 21 6612 3456", want: "+862166123456"},
	{name: "Guangzhou landline", in: "020-81234567", want: "+862081234567"},
	{name: "Shenzhen landline", in: "0755-82345678", want: "+8675582345678"},
	{name: "Shenzhen landline in parentheses", in: "(0755) 8234 5678", want: "+8675582345678"},
	{name: "Urumqi 7-digit landline", in: "0991-1234567", want: "+869911234567"},
	{name: "extension 转", in: "010-12345678 转 801", want: "+861012345678;ext=801"},
	{name: "extension 转 no spaces", in: "010-12345678转801", want: "+861012345678;ext=801"},
	{name: "extension 分机", in: "0755-82345678 分机 8001", want: "+8675582345678;ext=8001"},
	{name: "extension after a dash", in: "010-12345678-801", want: "+861012345678;ext=801"},
	{name: "extension ext.", in: "+86 755 8234 5678 ext. 8001", want: "+8675582345678;ext=8001"},
	{name: "extension x", in: "021-66123456x12", want: "+862166123456;ext=12"},
	{name: "extension #", in: "021-66123456#12", want: "+862166123456;ext=12"},

	{name: "UK mobile", in: "+44 7911 123456", want: "+447911123456"},
	{name: "UK mobile 0044", in: "0044 7911 123456", want: "+447911123456"},
	{name: "US", in: "+1 415 555 2671", want: "+14155552671"},
	{name: "Hong Kong", in: "+852 9123 4567", want: "+85291234567"},
	{name: "Macau", in: "+853 6612 3456", want: "+85366123456"},
	{name: "Taiwan", in: "+886 912 345 678", want: "+886912345678"},
	{name: "Taiwan full-width plus", in: "＋886 912 345 678", want: "+886912345678"},

	{name: "Hong Kong mobile without +852", in: "9123 4567", key: "err.phone.local", args: map[string]any{"Len": 8}},
	{name: "Macau mobile without +853", in: "6612 3456", key: "err.phone.local", args: map[string]any{"Len": 8}},
	{name: "Hong Kong landline without +852", in: "2812 3456", key: "err.phone.local", args: map[string]any{"Len": 8}},
	{name: "Taiwan mobile without +886", in: "0912-345-678", key: "err.phone.outside_mainland"},
	{name: "Taiwan mobile without +886, compact", in: "0912345678", key: "err.phone.outside_mainland"},
	{name: "Shanghai number without its area code", in: "6612 3456", key: "err.phone.local"},
	{name: "Shenzhen landline one digit short", in: "0755-1234567", key: "err.phone.cn_landline", args: map[string]any{"Area": "0755", "Want": "8", "Len": 7}},
	{name: "Beijing landline one digit short", in: "010-1234567", key: "err.phone.cn_landline", args: map[string]any{"Area": "010", "Want": "8", "Len": 7}},
	{name: "Hangzhou landline one digit short", in: "0571-8888888", key: "err.phone.cn_landline", args: map[string]any{"Area": "0571", "Want": "8", "Len": 7}},
	{name: "Beijing's 5-digit service number", in: "010-10000", key: "err.phone.cn_landline", args: map[string]any{"Area": "010", "Want": "8", "Len": 5}},
	{name: "400 service number", in: "400 123 4567", key: "err.phone.cn_service"},
	{name: "800 service number", in: "800 810 8888", key: "err.phone.cn_service"},
	{name: "bank service number", in: "95588", key: "err.phone.invalid"},
	// 07700 900000–900999 is Ofcom's range reserved for drama; it is never
	// assigned, and libphonenumber does not call it valid.
	{name: "UK drama range", in: "+44 7700 900123", key: "err.phone.invalid_in", args: map[string]any{"Code": "+44"}},
	{name: "empty", in: "", key: "err.field.required"},
	{name: "blank", in: "   ", key: "err.field.required"},
	{name: "ideographic spaces only", in: "\u3000\u3000", key: "err.field.required"},
	{name: "too short", in: "12345", key: "err.phone.cn_mobile", args: map[string]any{"Len": 5}},
	{name: "ten digits", in: "1381234567", key: "err.phone.cn_mobile", args: map[string]any{"Len": 10}},
	{name: "twelve digits", in: "138123456789", key: "err.phone.cn_mobile", args: map[string]any{"Len": 12}},
	{name: "unassigned prefix 128", in: "12812345678", key: "err.phone.cn_mobile", args: map[string]any{"Len": 11}},
	{name: "letters", in: "abc", key: "err.phone.chars"},
	{name: "letter inside", in: "1381234567O", key: "err.phone.chars"},
	{name: "sql", in: "138'; DROP TABLE visitors;--", key: "err.phone.chars"},
	{name: "plus only", in: "+", key: "err.phone.invalid"},
	{name: "NUL", in: "138\x0012345678", key: "err.field.control"},
	{name: "10k paste", in: strings.Repeat("1", 10000), key: "err.field.too_long"},
}

func TestNormalizePhone(t *testing.T) {
	runFieldCases(t, "phone", func(v string) (string, *Error) { return NormalizePhone("phone", v) }, phoneCases)
}

func TestMaskAndFormatPhone(t *testing.T) {
	tests := []struct{ e164, mask, format string }{
		{"+8613812345678", "138****5678", "138 1234 5678"},
		{"+8619812345678", "198****5678", "198 1234 5678"},
		{"+447911123456", "+44 ****3456", "+44 7911 123456"},
		{"+14155552671", "+1 ****2671", "+1 415-555-2671"},
		{"+85291234567", "+852 ****4567", "+852 9123 4567"},
		{"+123", "****", ""},
		{"", "****", ""},
	}
	for _, tt := range tests {
		if got := MaskPhone(tt.e164); got != tt.mask {
			t.Errorf("MaskPhone(%q) = %q, want %q", tt.e164, got, tt.mask)
		}
		if got := FormatPhone(tt.e164); tt.format != "" && got != tt.format {
			t.Errorf("FormatPhone(%q) = %q, want %q", tt.e164, got, tt.format)
		}
		if m := MaskPhone(tt.e164); len(tt.e164) > 8 && strings.Contains(m, tt.e164[len(tt.e164)-8:]) {
			t.Errorf("MaskPhone(%q) = %q shows too much", tt.e164, m)
		}
	}
}

// goodForm is a complete, valid check-in form (the source is any non-empty
// id: ValidateCheckIn does not look it up).
func goodForm() CheckInInput {
	return CheckInInput{Name: "王芳", Title: TitleNone, Phone: "13812345678", PartySize: "2", Purpose: PurposeViewing,
		SourceID: "src", InterestUnit: "三房", InterestBudget: "300万", Notes: "备注", Consent: true, Via: ViaDesk}
}

func TestValidateCheckIn(t *testing.T) {
	tests := []struct {
		name string
		edit func(*CheckInInput)
		want map[string]string // field → key; empty means valid
	}{
		{"valid", func(*CheckInInput) {}, nil},
		{"empty form", func(in *CheckInInput) { *in = CheckInInput{} }, map[string]string{
			"name": "err.field.required", "phone": "err.field.required", "purpose": "err.field.choose",
			"source": "err.field.choose", "consent": "err.consent.required"}},
		{"whitespace everywhere", func(in *CheckInInput) {
			in.Name, in.Phone, in.PartySize, in.InterestUnit, in.Notes = " ", "\t", "  ", "  ", "\n"
		}, map[string]string{"name": "err.field.required", "phone": "err.field.required"}},
		{"kiosk needs no source", func(in *CheckInInput) { in.Via, in.SourceID = ViaKiosk, "" }, nil},
		{"desk needs a source", func(in *CheckInInput) { in.SourceID = "" }, map[string]string{"source": "err.field.choose"}},
		{"unknown via is desk", func(in *CheckInInput) { in.Via, in.SourceID = "web", "" }, map[string]string{"source": "err.field.choose"}},
		{"title mr", func(in *CheckInInput) { in.Name, in.Title = "王", TitleMr }, nil},
		{"title ms", func(in *CheckInInput) { in.Name, in.Title = "王", TitleMs }, nil},
		{"bad title", func(in *CheckInInput) { in.Title = "mrs" }, map[string]string{"title": "err.field.choice"}},
		{"bad purpose", func(in *CheckInInput) { in.Purpose = "shopping" }, map[string]string{"purpose": "err.field.choose"}},
		{"party empty is one", func(in *CheckInInput) { in.PartySize = "" }, nil},
		{"party max", func(in *CheckInInput) { in.PartySize = " 50 " }, nil},
		{"party zero", func(in *CheckInInput) { in.PartySize = "0" }, map[string]string{"party": "err.party.range"}},
		{"party over", func(in *CheckInInput) { in.PartySize = "51" }, map[string]string{"party": "err.party.range"}},
		{"party negative", func(in *CheckInInput) { in.PartySize = "-1" }, map[string]string{"party": "err.party.range"}},
		{"party words", func(in *CheckInInput) { in.PartySize = "两" }, map[string]string{"party": "err.party.range"}},
		{"party huge", func(in *CheckInInput) { in.PartySize = "99999999999999999999" }, map[string]string{"party": "err.party.range"}},
		{"name at max", func(in *CheckInInput) { in.Name = maxName }, nil},
		{"name over max", func(in *CheckInInput) { in.Name = maxName + "王" }, map[string]string{"name": "err.field.too_long"}},
		{"name 10k paste", func(in *CheckInInput) { in.Name = paste10k }, map[string]string{"name": "err.field.too_long"}},
		{"name control", func(in *CheckInInput) { in.Name = "王\x1b芳" }, map[string]string{"name": "err.field.control"}},
		{"name bidi", func(in *CheckInInput) { in.Name = "王\u202e芳" }, map[string]string{"name": "err.field.control"}},
		{"name zwsp", func(in *CheckInInput) { in.Name = "王\u200b芳" }, map[string]string{"name": "err.field.control"}},
		{"name emoji", func(in *CheckInInput) { in.Name = "王芳😀" }, map[string]string{"name": "err.name.emoji"}},
		{"name sql", func(in *CheckInInput) { in.Name = sqlText }, map[string]string{"name": "err.name.chars"}},
		{"rare CJK name", func(in *CheckInInput) { in.Name = "龚䶮𠀀" }, nil},
		{"middle dot name", func(in *CheckInInput) { in.Name = "阿卜杜·热合曼" }, nil},
		{"notes emoji", func(in *CheckInInput) { in.Notes = "👍😀" }, nil},
		{"notes sql", func(in *CheckInInput) { in.Notes = sqlText }, nil},
		{"notes at max", func(in *CheckInInput) { in.Notes = notesMax }, nil},
		{"notes over max", func(in *CheckInInput) { in.Notes = notesMax + "!" }, map[string]string{"notes": "err.field.too_long"}},
		{"notes NUL", func(in *CheckInInput) { in.Notes = "a\x00" }, map[string]string{"notes": "err.field.control"}},
		{"unit over max", func(in *CheckInInput) { in.InterestUnit = strings.Repeat("房", MaxInterestLen+1) }, map[string]string{"interest_unit": "err.field.too_long"}},
		{"budget newline", func(in *CheckInInput) { in.InterestBudget = "300\n万" }, map[string]string{"interest_budget": "err.field.control"}},
		{"Hong Kong number without +852", func(in *CheckInInput) { in.Phone = "9123 4567" }, map[string]string{"phone": "err.phone.local"}},
		{"phone letters", func(in *CheckInInput) { in.Phone = "abc" }, map[string]string{"phone": "err.phone.chars"}},
		{"no consent", func(in *CheckInInput) { in.Consent = false }, map[string]string{"consent": "err.consent.required"}},
		{"everything wrong", func(in *CheckInInput) {
			*in = CheckInInput{Name: "😀", Title: "x", Phone: "12345", PartySize: "0", Purpose: "x", InterestUnit: "\x00",
				InterestBudget: "\u202e", Notes: paste10k}
		}, map[string]string{"name": "err.name.emoji", "title": "err.field.choice", "phone": "err.phone.cn_mobile",
			"party": "err.party.range", "purpose": "err.field.choose", "source": "err.field.choose",
			"interest_unit": "err.field.control", "interest_budget": "err.field.control", "notes": "err.field.too_long",
			"consent": "err.consent.required"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := goodForm()
			tt.edit(&in)
			errs := ValidateCheckIn(in)
			got := map[string]string{}
			for f, e := range errs {
				if e == nil || e.Code != EINVALID || e.Field != f {
					t.Fatalf("field %s: error %v does not name its field", f, e)
				}
				got[f] = e.Key
			}
			if len(got) != len(tt.want) || !maps.Equal(got, tt.want) {
				t.Fatalf("errors %v, want %v", got, tt.want)
			}
		})
	}
}

func TestValidateCheckInCleans(t *testing.T) {
	in := goodForm()
	in.Name, in.Phone, in.PartySize, in.InterestUnit, in.Notes, in.Via = " 王芳 ", "+86 138-1234-5678", " 3 ", " 三房 ", " a\r\nb ", ""
	v, errs := validateCheckIn(in)
	if len(errs) != 0 {
		t.Fatal(errs)
	}
	want := checkInValues{name: "王芳", phone: "+8613812345678", party: 3, unit: "三房", notes: "a\nb", via: ViaDesk,
		source: "src", budget: "300万", purpose: PurposeViewing}
	if v != want {
		t.Fatalf("got %+v\nwant %+v", v, want)
	}
}

// TestCheckInInvalidWritesNothing: a refused form returns every field's
// error as FieldErrors and leaves the database untouched.
func TestCheckInInvalidWritesNothing(t *testing.T) {
	s, admin, _ := newTestStore(t)
	ctx := context.Background()
	src := firstSource(t, s)
	forms := map[string]CheckInInput{
		"empty":                      {},
		"emoji name":                 {Name: "王😀", Phone: "13812345678", Purpose: PurposeViewing, SourceID: src, Consent: true},
		"sql name":                   {Name: sqlText, Phone: "13812345678", Purpose: PurposeViewing, SourceID: src, Consent: true},
		"control name":               {Name: "王\x00芳", Phone: "13812345678", Purpose: PurposeViewing, SourceID: src, Consent: true},
		"10k name":                   {Name: paste10k, Phone: "13812345678", Purpose: PurposeViewing, SourceID: src, Consent: true},
		"Taiwan number without +886": {Name: "王芳", Phone: "0912-345-678", Purpose: PurposeViewing, SourceID: src, Consent: true},
		"no consent":                 {Name: "王芳", Phone: "13812345678", Purpose: PurposeViewing, SourceID: src},
		"notes too long":             {Name: "王芳", Phone: "13812345678", Purpose: PurposeViewing, SourceID: src, Consent: true, Notes: paste10k},
		"notes with bidi":            {Name: "王芳", Phone: "13812345678", Purpose: PurposeViewing, SourceID: src, Consent: true, Notes: "\u202e"},
		"unknown source":             {Name: "王芳", Phone: "13812345678", Purpose: PurposeViewing, SourceID: "no-such-source", Consent: true},
		"kiosk party 51":             {Name: "王芳", Phone: "13812345678", Purpose: PurposeViewing, SourceID: "", Consent: true, Via: ViaKiosk, PartySize: "51"},
	}
	// One valid visit first, so "nothing written" is not trivially an empty table.
	mustCheckIn(t, s, admin.ID, desk(t, s, "李雷", "13900000001"))
	before := snapshotCounts(t, s)
	for _, name := range slices.Sorted(maps.Keys(forms)) {
		in := forms[name]
		t.Run(name, func(t *testing.T) {
			v, err := s.CheckIn(ctx, admin.ID, in)
			var fe FieldErrors
			if !errors.As(err, &fe) || len(fe) == 0 {
				t.Fatalf("err = %v (%T), want FieldErrors", err, err)
			}
			if v.ID != "" {
				t.Fatalf("returned a visit %+v", v)
			}
			if name != "unknown source" { // looked up only in the transaction
				want := ValidateCheckIn(in)
				if !maps.EqualFunc(fe, want, func(a, b *Error) bool { return a.Key == b.Key }) {
					t.Fatalf("CheckIn errors %v, ValidateCheckIn %v", fe, want)
				}
			}
			if msg := err.Error(); strings.Contains(msg, "王") || strings.Contains(msg, "138") {
				t.Fatalf("error text carries personal data: %q", msg)
			}
			wantUnchanged(t, s, before)
		})
	}
}

// TestSQLTextIsData: SQL-looking text is refused in a name by its
// characters, and stored verbatim (and harmlessly) in the notes.
func TestSQLTextIsData(t *testing.T) {
	s, admin, _ := newTestStore(t)
	ctx := context.Background()
	in := desk(t, s, sqlText, "13812345678")
	_, err := s.CheckIn(ctx, admin.ID, in)
	var fe FieldErrors
	if !errors.As(err, &fe) || fe["name"] == nil || fe["name"].Key != "err.name.chars" {
		t.Fatalf("sql name: %v", err)
	}
	in = desk(t, s, "王芳", "13812345678")
	in.Notes = sqlText
	in.InterestUnit = "'; DELETE FROM visitors; --"
	v := mustCheckIn(t, s, admin.ID, in)
	var tables int
	mustOK(t, s.db.QueryRow(`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('visits', 'visitors')`).Scan(&tables))
	if tables != 2 {
		t.Fatalf("%d of visits/visitors tables left", tables)
	}
	if n := countRows(t, s, "visits"); n != 1 {
		t.Fatalf("%d visits", n)
	}
	if n := countRows(t, s, "visitors"); n != 1 {
		t.Fatalf("%d visitors", n)
	}
	var notes, unit string
	mustOK(t, s.db.QueryRow(`SELECT notes, interest_unit FROM visits WHERE id = ?`, v.ID).Scan(&notes, &unit))
	if notes != sqlText || unit != in.InterestUnit {
		t.Fatalf("stored notes %q unit %q", notes, unit)
	}
	d, err := s.VisitDetail(ctx, admin.ID, v.ID)
	mustOK(t, err)
	if d.Notes != sqlText {
		t.Fatalf("detail notes %q", d.Notes)
	}
}

// TestUnusualTextRoundTrips: what validation accepts comes back unchanged.
func TestUnusualTextRoundTrips(t *testing.T) {
	s, admin, _ := newTestStore(t)
	ctx := context.Background()
	tests := []struct{ name, notes string }{
		{"䶮", "客户很满意👍😀"},
		{"𠀀", "👨\u200d👩\u200d👧 一家三口"},
		{"阿卜杜·热合曼", "❤️ 多行\n第二行\t制表"},
		{maxNameExt, notesMax},
	}
	for i, tt := range tests {
		in := desk(t, s, tt.name, testPhone(i))
		in.Notes = tt.notes
		if IsBareSurname(tt.name) {
			in.Title = TitleMs // a lone surname needs 先生/女士 (the guide)
		}
		v := mustCheckIn(t, s, admin.ID, in)
		d, err := s.VisitDetail(ctx, admin.ID, v.ID)
		mustOK(t, err)
		if d.Name != tt.name || d.Notes != tt.notes || v.Name != tt.name || v.Notes != tt.notes {
			t.Errorf("round trip %q/%q: got %q/%q", tt.name, tt.notes, d.Name, d.Notes)
		}
		b, err := s.Board(ctx, s.Today(), BoardFilter{Query: tt.name})
		mustOK(t, err)
		found := false
		for _, r := range b.Rows {
			found = found || r.VisitID == v.ID
			if !strings.Contains(r.Name, tt.name) {
				t.Errorf("board query %q matched %q", tt.name, r.Name)
			}
		}
		if !found {
			t.Errorf("board query %q: visit not found in %d rows", tt.name, len(b.Rows))
		}
	}
}
