// Package say words the store's coded errors and the command lines'
// messages for a terminal, in the language of $LANG (Chinese or English),
// from the desk's translation files. It links neither Fyne nor the
// printing forms, so the HQ binary says an import's problems exactly as
// `anchang faq import` does.
package say

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"text/template"

	"anchang/assets"
	"anchang/data"
)

// Lang is one language's translations, key → text/template.
type Lang map[string]string

// Local is the translations of $LC_ALL, $LC_MESSAGES or $LANG, the first
// set: Chinese for zh…, English otherwise.
func Local() Lang {
	code := "en"
	for _, v := range []string{os.Getenv("LC_ALL"), os.Getenv("LC_MESSAGES"), os.Getenv("LANG")} {
		if v != "" {
			if strings.HasPrefix(v, "zh") {
				code = "zh"
			}
			break
		}
	}
	m := Lang{}
	if b, err := assets.Translations(code); err == nil {
		_ = json.Unmarshal(b, &m)
	}
	return m
}

// Say fills the translation of key with args; the key itself if unknown.
func (l Lang) Say(key string, args map[string]any) string {
	text, ok := l[key]
	if !ok {
		return key
	}
	t, err := template.New(key).Option("missingkey=zero").Parse(text)
	if err != nil {
		return text
	}
	var b strings.Builder
	if err := t.Execute(&b, args); err != nil {
		return text
	}
	return b.String()
}

// Error turns a coded store error into its translated message (Local),
// with one line per bad row of an import and per problem of a lint; any
// other error is returned as it is.
func Error(err error) error { return Local().Error(err) }

// Error is the package's Error in l.
func (l Lang) Error(err error) error {
	e, ok := data.AsError(err)
	if !ok {
		return err
	}
	msg := l.Say(e.Key, e.Args)
	var rows data.FAQImportErrors
	if errors.As(err, &rows) {
		var b strings.Builder
		b.WriteString(msg)
		for _, r := range rows {
			b.WriteString("\n  " + l.Row(r))
		}
		msg = b.String()
	}
	var issues data.LintIssues
	if errors.As(err, &issues) {
		for _, is := range issues {
			msg += fmt.Sprintf("\n  %s %d–%d: %s", is.Field, is.Start, is.End, l.Say(is.Key, is.Args))
		}
	}
	return errors.New(msg)
}

// Row says where a problem of an import file is and what it is, as the
// desk's import screen does: 第 3 行 · 分类（category）：…
func (l Lang) Row(r data.FAQRowError) string {
	reason := l.Say(r.Key, r.Args)
	switch {
	case r.Line == 0:
		return reason
	case r.Column == "":
		return l.Say("faq.io.row", map[string]any{"Line": r.Line, "Reason": reason})
	}
	col := r.Column
	for _, k := range []string{"faq.io.col." + r.Column, "ticket.import.col." + r.Column} {
		if name, ok := l[k]; ok && !strings.EqualFold(name, r.Column) {
			col = l.Say("import.col_with_code", map[string]any{"Name": name, "Code": r.Column})
			break
		}
	}
	return l.Say("faq.io.row_column", map[string]any{"Line": r.Line, "Column": col, "Reason": reason})
}
