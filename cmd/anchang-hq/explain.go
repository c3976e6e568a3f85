package main

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"text/template"

	"anchang/assets"
	"anchang/data"
)

// explainImport turns an import's coded error into the desk's translated
// message, one line per bad row, in the language of $LANG (Chinese or
// English), as `anchang faq import` says it. (The desk's cli package links
// the printing forms, which the HQ binary must not.)
func explainImport(err error) error {
	e, ok := data.AsError(err)
	if !ok {
		return err
	}
	tr := translations()
	msg := tr.say(e.Key, e.Args)
	var rows data.FAQImportErrors
	if errors.As(err, &rows) {
		var b strings.Builder
		b.WriteString(msg)
		for _, r := range rows {
			b.WriteString("\n  " + tr.row(r))
		}
		msg = b.String()
	}
	return errors.New(msg)
}

type lang map[string]string

// row says where a problem of an import file is and what it is, as the
// desk's import screen does: 第 3 行 · 分类（category）：…
func (l lang) row(r data.FAQRowError) string {
	reason := l.say(r.Key, r.Args)
	switch {
	case r.Line == 0:
		return reason
	case r.Column == "":
		return l.say("faq.io.row", map[string]any{"Line": r.Line, "Reason": reason})
	}
	col := r.Column
	for _, k := range []string{"faq.io.col." + r.Column, "ticket.import.col." + r.Column} {
		if name, ok := l[k]; ok && !strings.EqualFold(name, r.Column) {
			col = l.say("import.col_with_code", map[string]any{"Name": name, "Code": r.Column})
			break
		}
	}
	return l.say("faq.io.row_column", map[string]any{"Line": r.Line, "Column": col, "Reason": reason})
}

func translations() lang {
	code := "en"
	for _, v := range []string{os.Getenv("LC_ALL"), os.Getenv("LC_MESSAGES"), os.Getenv("LANG")} {
		if v != "" {
			if strings.HasPrefix(v, "zh") {
				code = "zh"
			}
			break
		}
	}
	m := lang{}
	if b, err := assets.Translations(code); err == nil {
		_ = json.Unmarshal(b, &m)
	}
	return m
}

// say fills the translation of key with args; the key itself if unknown.
func (l lang) say(key string, args map[string]any) string {
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
