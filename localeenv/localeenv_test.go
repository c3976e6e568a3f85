package localeenv

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

func TestFix(t *testing.T) {
	tests := []struct {
		lcAll, lang, language string
		want                  string
	}{
		{"", "C.UTF-8", "", "en"},
		{"", "C.utf8", "", "en"},
		{"", "POSIX.UTF-8", "", "en"},
		{"C.UTF-8", "zh_CN.UTF-8", "", "en"}, // LC_ALL wins
		{"", "C", "", ""},                    // go-locale handles plain C itself
		{"", "zh_CN.UTF-8", "", ""},
		{"", "C.UTF-8", "zh_CN", "zh_CN"}, // the user's own LANGUAGE stays
		{"", "", "", ""},
	}
	for _, tt := range tests {
		t.Setenv("LC_ALL", tt.lcAll)
		t.Setenv("LC_MESSAGES", "")
		t.Setenv("LANG", tt.lang)
		t.Setenv("LANGUAGE", tt.language)
		Fix()
		if got := os.Getenv("LANGUAGE"); got != tt.want {
			t.Errorf("LC_ALL=%q LANG=%q LANGUAGE=%q: LANGUAGE=%q, want %q", tt.lcAll, tt.lang, tt.language, got, tt.want)
		}
	}
}

// The real binary under LANG=C.UTF-8 runs a verb without Fyne's locale
// error on stderr.
func TestNoLocaleErrorFromTheBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the client")
	}
	bin := t.TempDir() + "/anchang"
	build := exec.Command("go", "build", "-o", bin, "anchang")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	for _, lang := range []string{"C.UTF-8", "C", "POSIX"} {
		cmd := exec.Command(bin, "--data-dir", t.TempDir(), "faq", "search", "交房")
		cmd.Env = append(os.Environ(), "LANG="+lang, "LC_ALL=", "LC_MESSAGES=", "LANGUAGE=")
		out, _ := cmd.CombinedOutput()
		if strings.Contains(string(out), "locale") || strings.Contains(string(out), "not well-formed") {
			t.Errorf("LANG=%s:\n%s", lang, out)
		}
	}
}
