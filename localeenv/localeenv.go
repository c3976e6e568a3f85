// Package localeenv makes a "C.UTF-8" or "POSIX.UTF-8" locale read as the
// plain C locale it is before Fyne's lang package looks at it: Fyne takes
// the "C" of "C.UTF-8" for a language tag and logs "Error parsing user
// locale C: language: tag is not well-formed" on every start and every
// command-line verb. Blank-import it; Go initialises it before any
// fyne.io package, which sorts after it and depends on more.
package localeenv

import (
	"os"
	"strings"
)

func init() { Fix() }

// Fix sets LANGUAGE=en, which only Fyne's locale lookup reads under a C
// locale (gettext ignores LANGUAGE there), when the locale in effect is C
// or POSIX with an encoding. Nothing else in the environment changes, so
// programs the desk starts (printing) see the same locale.
func Fix() {
	for _, env := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		v := os.Getenv(env)
		if v == "" {
			continue
		}
		if IsC(v) && v != "C" && v != "POSIX" && os.Getenv("LANGUAGE") == "" {
			os.Setenv("LANGUAGE", "en")
		}
		return
	}
}

// IsC reports whether a locale value is the C (POSIX) locale, with or
// without an encoding: C, C.UTF-8, C.utf8, POSIX.
func IsC(v string) bool {
	name, _, _ := strings.Cut(v, ".")
	return name == "C" || name == "POSIX"
}
