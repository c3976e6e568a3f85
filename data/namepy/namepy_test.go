package namepy

import "testing"

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
