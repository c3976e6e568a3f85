package hqsync

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"anchang/assets"
)

// Every translation key sync and its CLI verbs use exists in both
// languages, with the same template fields.
func TestSyncKeysTranslated(t *testing.T) {
	langs := map[string]map[string]string{}
	for _, code := range []string{"zh", "en"} {
		b, err := assets.Translations(code)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s.json: %v", code, err)
		}
		langs[code] = m
		// A key twice (two branches adding it) would silently keep one.
		dec := json.NewDecoder(bytes.NewReader(b))
		seen := map[string]bool{}
		dec.Token()
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				t.Fatal(err)
			}
			if seen[k.(string)] {
				t.Errorf("%s.json has %q twice", code, k)
			}
			seen[k.(string)] = true
			if _, err := dec.Token(); err != nil {
				t.Fatal(err)
			}
		}
	}
	files, _ := filepath.Glob("*.go")
	more, _ := filepath.Glob("../cli/sync*.go")
	keyRE := regexp.MustCompile(`"((?:err\.sync|sync\.cli)\.[a-z_.]+)"`)
	fieldRE := regexp.MustCompile(`\{\{\s*\.(\w+)\s*\}\}`)
	n := 0
	for _, f := range append(files, more...) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range keyRE.FindAllStringSubmatch(string(b), -1) {
			n++
			zh, en := langs["zh"][m[1]], langs["en"][m[1]]
			if zh == "" || en == "" {
				t.Errorf("%s: %q missing (zh %t, en %t)", f, m[1], zh != "", en != "")
				continue
			}
			if a, b := len(fieldRE.FindAllString(zh, -1)), len(fieldRE.FindAllString(en, -1)); a != b {
				t.Errorf("%q: zh has %d fields, en %d", m[1], a, b)
			}
		}
	}
	if n < 15 {
		t.Fatalf("found only %d keys; the scan is broken", n)
	}
}
