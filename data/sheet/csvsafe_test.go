package sheet

import "testing"

func TestCSVFormulaInjectionGuard(t *testing.T) {
	for _, tt := range []struct{ in, out string }{
		{`=HYPERLINK("http://evil","点击")`, `'=HYPERLINK("http://evil","点击")`},
		{"+86 138", "'+86 138"},
		{"- 首付三成", "'- 首付三成"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\t=1", "'\t=1"},
		{"贷款", "贷款"},
		{"'quoted", "''quoted"}, // a real leading apostrophe is guarded too: spreadsheets hide one
		{"''", "'''"},
		{"", ""},
	} {
		got := csvSafe([][]string{{tt.in}})[0][0]
		if got != tt.out {
			t.Errorf("csvSafe(%q) = %q, want %q", tt.in, got, tt.out)
		}
		if back := csvUnsafe(got); back != tt.in {
			t.Errorf("csvUnsafe(%q) = %q, want %q", got, back, tt.in)
		}
	}
}
