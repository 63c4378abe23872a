package model

import (
	"strings"
	"testing"
)

func TestParseLevelAccepts(t *testing.T) {
	tests := []struct {
		in   string
		want Level
	}{
		{"五级", 5}, {"初级工", 5}, {"初级", 5}, {"5级", 5}, {"5", 5},
		{"五级/初级工", 5}, {"五级／初级工", 5}, {"初级工/五级", 5},
		{"四级（中级工）", 4}, {"四级(中级工)", 4}, {"中级", 4}, {"4级", 4}, {"四级", 4},
		{"中级工", 4}, {"四级、中级工", 4}, {"四级 中级工", 4}, {"  四级/中级工  ", 4},
		{"三级", 3}, {"高级工", 3}, {"高级", 3}, {"三级/高级工", 3},
		{"二级", 2}, {"技师", 2}, {"2级", 2}, {"二级（技师）", 2},
		{"一级", 1}, {"高级技师", 1}, {"一级/高级技师", 1}, {"1", 1},
	}
	for _, tt := range tests {
		got, err := ParseLevel(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseLevel(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestParseLevelRejects(t *testing.T) {
	tests := []struct{ in, msg string }{
		{"六级", "无效"},
		{"6级", "无效"},
		{"6", "无效"},
		{"0", "无效"},
		{"", "无效"},
		{"特级", "无效"},
		{"四级/高级工", "前后不一致"},
		{"四级（高级工）", "前后不一致"},
		{"五级/中级工", "前后不一致"},
		{"三级/六级", "前后不一致"},
		{"四级/", "前后不一致"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseLevel(tt.in)
			if got != 0 {
				t.Errorf("ParseLevel(%q) = %v, want 0", tt.in, got)
			}
			fieldErr(t, err, "等级", tt.msg, false)
		})
	}
}

func TestLevelString(t *testing.T) {
	want := map[Level]string{1: "一级/高级技师", 2: "二级/技师", 3: "三级/高级工", 4: "四级/中级工", 5: "五级/初级工"}
	for l := Level(-1); l <= 7; l++ {
		s := l.String()
		if l.Valid() != (want[l] != "") {
			t.Errorf("Level(%d).Valid() = %v", l, l.Valid())
		}
		if s != want[l] {
			t.Errorf("Level(%d).String() = %q, want %q", l, s, want[l])
		}
		if l.Valid() {
			back, err := ParseLevel(s)
			if err != nil || back != l {
				t.Errorf("ParseLevel(%q) = %v, %v; want %v", s, back, err, l)
			}
		}
	}
	// The error message lists the valid forms.
	_, err := ParseLevel("六级")
	for _, s := range want {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not mention %s", err, s)
		}
	}
}
