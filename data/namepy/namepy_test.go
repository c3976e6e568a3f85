package namepy

import (
	"slices"
	"strings"
	"testing"
)

func TestMatch(t *testing.T) {
	tests := []struct {
		name, q string
		want    bool
	}{
		{"张敏", "zhangmin", true},
		{"张敏", "zm", true},
		{"张敏", "zhangm", true},
		{"张敏", "zmin", true},
		{"张敏", "ZHANG", true},
		{"张敏", "zhang min", true},
		{"张敏", "min", true}, // the given name
		{"张敏", "zhan", true},
		{"张敏", "li", false},
		{"张敏", "zhangmina", false},
		{"张敏", "mz", false}, // order matters
		{"吕强", "lvqiang", true},
		{"吕强", "luqiang", true},
		{"单田芳", "shan", true}, // heteronym
		{"单田芳", "dan", true},
		{"曾小贤", "zengxx", true},
		{"王", "", false},
		{"Tom 王", "wang", true},
		{"", "a", false},
	}
	for _, tt := range tests {
		if got := Match(tt.name, tt.q); got != tt.want {
			t.Errorf("Match(%q, %q) = %v, want %v", tt.name, tt.q, got, tt.want)
		}
	}
}

func TestIsQuery(t *testing.T) {
	for q, want := range map[string]bool{"zm": true, "Zhang Min": true, "xi'an": true, "": false, " ": false, "张": false, "138": false, "zm1": false} {
		if got := IsQuery(q); got != want {
			t.Errorf("IsQuery(%q) = %v, want %v", q, got, want)
		}
	}
}

func BenchmarkMatch(b *testing.B) {
	for b.Loop() {
		Match("欧阳明月", "oymy")
	}
}

func TestReadings(t *testing.T) {
	for _, c := range []struct {
		r    rune
		want []string
	}{
		{'张', []string{"zhang"}},
		{'吕', []string{"lv", "lu"}},
		{'单', []string{"dan", "shan", "chan"}},
		{'A', nil},
		{'，', nil},
	} {
		got := Readings(c.r)
		for _, w := range c.want {
			if !slices.Contains(got, w) {
				t.Errorf("Readings(%q) = %v, lacks %q", c.r, got, w)
			}
		}
		if len(c.want) == 0 && len(got) != 0 {
			t.Errorf("Readings(%q) = %v, want none", c.r, got)
		}
	}
}

func TestSortKey(t *testing.T) {
	names := []string{"王芳", "Tom", "陈思远", "李静", "欧阳明"}
	slices.SortFunc(names, func(a, b string) int { return strings.Compare(SortKey(a), SortKey(b)) })
	want := []string{"陈思远", "李静", "欧阳明", "Tom", "王芳"}
	if !slices.Equal(names, want) {
		t.Fatalf("sorted %v, want %v", names, want)
	}
}
