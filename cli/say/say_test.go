package say

import (
	"errors"
	"fmt"
	"testing"

	"anchang/data"
)

// TestError: a coded import error reads in $LANG's language with one line
// per bad row (the column by its translated name and code), the way both
// `anchang faq import` and `anchang-hq publish faq` say it; an uncoded
// error passes through unchanged.
func TestError(t *testing.T) {
	rows := data.FAQImportErrors{{Line: 3, Column: "category", Key: "err.field.required"}, {Line: 5, Key: "err.field.required"}, {Key: "err.field.required"}}
	err := fmt.Errorf("import: %w", &data.Error{Code: data.EINVALID, Key: "err.faq.import.rows", Args: map[string]any{"Count": 3}, Err: rows})
	for _, c := range []struct{ lang, want string }{
		{"zh_CN.UTF-8", "有 3 处错误，未导入任何内容。请按行号修改后重新导入。\n  第 3 行 · 分类（category）：必填。\n  第 5 行：必填。\n  必填。"},
		{"en_GB.UTF-8", "3 problems found; nothing was imported. Fix the lines listed and import again.\n  Line 3 · category: Required.\n  Line 5: Required.\n  Required."},
		{"C", "3 problems found; nothing was imported. Fix the lines listed and import again.\n  Line 3 · category: Required.\n  Line 5: Required.\n  Required."},
	} {
		t.Setenv("LC_ALL", "")
		t.Setenv("LC_MESSAGES", "")
		t.Setenv("LANG", c.lang)
		if got := Error(err).Error(); got != c.want {
			t.Errorf("LANG=%s:\n%s\nwant\n%s", c.lang, got, c.want)
		}
	}
	plain := errors.New("disk full")
	if Error(plain) != plain {
		t.Error("an uncoded error was rewritten")
	}
	if got := (Lang{}).Say("no.such.key", nil); got != "no.such.key" {
		t.Errorf("unknown key says %q", got)
	}
}
