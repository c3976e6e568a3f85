package forms

import (
	"encoding/json"
	"sync"

	"anchang/assets"
	"anchang/data"
)

// The forms print enumerations (purpose, area, source, …) in Chinese with
// the English beside it, from the app's own translation files, so a term
// reads the same on screen and on paper.
var termsOnce struct {
	sync.Once
	zh, en map[string]string
}

func loadTerms() {
	termsOnce.zh, termsOnce.en = map[string]string{}, map[string]string{}
	for code, m := range map[string]map[string]string{"zh": termsOnce.zh, "en": termsOnce.en} {
		if b, err := assets.Translations(code); err == nil {
			_ = json.Unmarshal(b, &m) // a broken file shows keys; app tests guard the files
		}
	}
}

// term is the bilingual label of a translation key: "看房 Viewing". An
// unknown key prints as the key itself.
func term(key string) string {
	termsOnce.Do(loadTerms)
	zh, en := termsOnce.zh[key], termsOnce.en[key]
	switch {
	case zh == "" && en == "":
		return key
	case zh == "" || zh == en:
		return en
	case en == "":
		return zh
	}
	return zh + " " + en
}

// termZH is the Chinese label alone, for narrow table columns.
func termZH(key string) string {
	termsOnce.Do(loadTerms)
	if zh := termsOnce.zh[key]; zh != "" {
		return zh
	}
	return key
}

// sourceLabel names a source channel: a built-in one by its code, an
// office's own by its name.
func sourceLabel(code, name string, bilingual bool) string {
	switch {
	case code != "" && bilingual:
		return term("source." + code)
	case code != "":
		return termZH("source." + code)
	}
	return name
}

// personName is the name as addressed: 王先生 for a surname with a title.
func personName(name, title string) string {
	switch title {
	case data.TitleMr:
		return name + "先生"
	case data.TitleMs:
		return name + "女士"
	}
	return name
}
