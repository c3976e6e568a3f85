package app

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"anchang/assets"
	"anchang/data"
)

func loadLang(t *testing.T, code string) map[string]string {
	t.Helper()
	b, err := assets.Translations(code)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s.json: %v", code, err)
	}
	return m
}

// keyLike matches string literals that are translation keys.
var keyLike = regexp.MustCompile(`^(app|about|dialog|menu|demo|setup|signin|shell|tab|role|staff|purpose|area|kind|title|source|status|dur|checkin|consent|board|rot|rotation|settings|kiosk|print|ticket|sync|err)\.[a-z0-9_.]+[a-z0-9_]$`)

// usedKeys collects every key-like string literal in the Go files of dirs,
// and the keys built from the store's enumerations.
func usedKeys(t *testing.T, dirs ...string) []string {
	t.Helper()
	seen := map[string]bool{}
	for _, dir := range dirs {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			file, err := parser.ParseFile(token.NewFileSet(), f, src, 0)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(file, func(n ast.Node) bool {
				if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
					// In data/ only error keys are translations; the rest are mutation names.
					if s, err := strconv.Unquote(lit.Value); err == nil && keyLike.MatchString(s) &&
						(!strings.HasSuffix(dir, "data") || strings.HasPrefix(s, "err.")) {
						seen[s] = true
					}
				}
				return true
			})
		}
	}
	for _, r := range data.Roles {
		seen["role."+string(r)] = true
	}
	for _, p := range data.Purposes {
		seen["purpose."+string(p)] = true
	}
	for _, a := range data.Areas {
		seen["area."+string(a)] = true
	}
	for _, c := range data.DefaultSourceCodes {
		seen["source."+c] = true
	}
	for _, k := range []string{data.KindFirst, data.KindReturn} {
		seen["kind."+k] = true
		seen["board.kind."+k] = true
	}
	for _, s := range []string{data.StatusAvailable, data.StatusBusy, data.StatusOff} {
		seen["status."+s] = true
	}
	for _, a := range []string{data.RotJoin, data.RotLeave, data.RotBusy, data.RotAvailable, data.RotSkip, data.RotMakeup, data.RotAssign, data.RotOwn} {
		seen["rot.action."+a] = true
	}
	for _, s := range []string{data.BoardWaiting, data.BoardServing, data.BoardLeft, data.BoardPresent} {
		seen["board.status."+s] = true
	}
	for _, t := range []string{data.TitleMr, data.TitleMs} {
		seen["title."+t] = true
		seen["title."+t+".format"] = true
	}
	for _, m := range data.Mutations() {
		seen["sync.mut."+m.Name] = true
	}
	var keys []string
	for k := range seen {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func TestTranslationsComplete(t *testing.T) {
	zh, en := loadLang(t, "zh"), loadLang(t, "en")
	for k := range zh {
		if _, ok := en[k]; !ok {
			t.Errorf("en.json lacks %q", k)
		}
	}
	for k := range en {
		if _, ok := zh[k]; !ok {
			t.Errorf("zh.json lacks %q", k)
		}
	}
	used := usedKeys(t, ".", "../data")
	if len(used) < 100 {
		t.Fatalf("found only %d keys in the code; the scan is broken", len(used))
	}
	for _, k := range used {
		if zh[k] == "" {
			t.Errorf("zh.json lacks %q, used in the code", k)
		}
		if en[k] == "" {
			t.Errorf("en.json lacks %q, used in the code", k)
		}
	}
	// Template fields must match between the languages.
	field := regexp.MustCompile(`\{\{\s*\.(\w+)\s*\}\}`)
	for k, z := range zh {
		zf, ef := field.FindAllStringSubmatch(z, -1), field.FindAllStringSubmatch(en[k], -1)
		names := func(m [][]string) string {
			var s []string
			for _, x := range m {
				s = append(s, x[1])
			}
			sort.Strings(s)
			return strings.Join(s, ",")
		}
		if names(zf) != names(ef) {
			t.Errorf("%q: zh uses {%s}, en uses {%s}", k, names(zf), names(ef))
		}
	}
}

func TestTranslateSwitchesLanguage(t *testing.T) {
	defer SetLanguage("zh")
	SetLanguage("en")
	if got := T("err.field.too_long", map[string]any{"Max": 40, "Len": 41}); got != "Too long: at most 40 characters, this has 41." {
		t.Fatalf("en: %q", got)
	}
	SetLanguage("zh")
	if got := T("err.field.too_long", map[string]any{"Max": 40, "Len": 41}); got != "太长了：最多 40 个字，现在 41 个。" {
		t.Fatalf("zh: %q", got)
	}
	SetLanguage("fr")
	if Language() != "zh" {
		t.Fatalf("unknown language gave %q", Language())
	}
	if got := T("no.such.key"); got != "no.such.key" {
		t.Fatalf("missing key gave %q", got)
	}
}

func TestLanguageSwitchInSettingsRedrawsAndPersists(t *testing.T) {
	h := newHarness(t, true, "陈思远")
	h.signInAs("管理员")
	h.selectTab("设置")
	h.shows("来访登记", "语言")
	sel := findSelectWith(t, h, "English")
	sel.SetSelected("English")
	h.shows("Check-in", "Today's board", "Rotation", "Signed in: 管理员 (Office admin)")
	h.hides("来访登记")
	if v, _ := h.store.Setting(t.Context(), settingLanguage, ""); v != "en" {
		t.Fatalf("language setting %q", v)
	}
	// A new start of the app comes up in English.
	h.u.Start()
	h.shows("Staff sign-in", "Sign in")
}
