package app

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"

	"anchang/assets"
	_ "anchang/localeenv" // before Fyne reads the locale (C.UTF-8)
)

// The app's strings live in assets/lang/{zh,en}.json, flat JSON in the
// fyne.io/fyne/v2/lang file format. Fyne's lang package follows the
// operating system's locale and cannot be switched at run time, so the app
// reads the same files with go-i18n (the library under lang) and keeps its
// own current language, which the user picks in Settings.

// Default language of the product.
const defaultLanguage = "zh"

type translator struct {
	mu        sync.RWMutex
	bundle    *i18n.Bundle
	localizer *i18n.Localizer
	lang      string
}

var tr = mustTranslator()

func mustTranslator() *translator {
	b := i18n.NewBundle(language.Chinese)
	b.RegisterUnmarshalFunc("json", json.Unmarshal)
	for _, code := range assets.Languages {
		data, err := assets.Translations(code)
		if err != nil {
			panic(fmt.Sprintf("translations %s: %v", code, err))
		}
		if _, err := b.ParseMessageFileBytes(data, code+".json"); err != nil {
			panic(fmt.Sprintf("translations %s: %v", code, err))
		}
	}
	t := &translator{bundle: b}
	t.set(defaultLanguage)
	return t
}

func (t *translator) set(code string) {
	ok := false
	for _, c := range assets.Languages {
		ok = ok || c == code
	}
	if !ok {
		code = defaultLanguage
	}
	t.mu.Lock()
	t.lang, t.localizer = code, i18n.NewLocalizer(t.bundle, code)
	t.mu.Unlock()
}

// SetLanguage switches the app's language ("zh" or "en"; anything else is zh).
func SetLanguage(code string) { tr.set(code) }

// Language is the current language code.
func Language() string {
	tr.mu.RLock()
	defer tr.mu.RUnlock()
	return tr.lang
}

// T translates key in the current language; args fill the template
// ({{.Max}}). A missing key shows the key itself and is logged, and the
// translation test fails on it.
func T(key string, args ...map[string]any) string {
	s, ok := translate(key, args...)
	if !ok {
		slog.Warn("missing translation", "key", key, "lang", Language())
		return key
	}
	return s
}

// translate is T that reports a missing key instead of logging it, for
// keys that come from elsewhere (HQ's reasons, mutation names).
func translate(key string, args ...map[string]any) (string, bool) {
	tr.mu.RLock()
	l := tr.localizer
	tr.mu.RUnlock()
	var data any
	if len(args) > 0 {
		data = args[0]
	}
	s, err := l.Localize(&i18n.LocalizeConfig{MessageID: key, TemplateData: data})
	if err != nil {
		return key, false
	}
	return s, true
}
