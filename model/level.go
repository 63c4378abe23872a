package model

import (
	"strings"
)

// Level is one of the five national vocational skill levels. The number is
// the 级: 5 is 五级/初级工, 1 is 一级/高级技师.
type Level int

var levelNames = [6][2]string{
	{},
	{"一级", "高级技师"},
	{"二级", "技师"},
	{"三级", "高级工"},
	{"四级", "中级工"},
	{"五级", "初级工"},
}

// Valid reports whether l is one of the five levels.
func (l Level) Valid() bool { return l >= 1 && l <= 5 }

// String is the form printed on the certificate: 四级/中级工.
func (l Level) String() string {
	if !l.Valid() {
		return ""
	}
	return levelNames[l][0] + "/" + levelNames[l][1]
}

// ParseLevel accepts the forms found in rosters: 四级, 中级工, 四级/中级工,
// 四级（中级工）, 中级, 4级, 4.
func ParseLevel(s string) (Level, error) {
	s = strings.TrimSpace(s)
	for _, sep := range []string{"/", "／", "（", "(", "、", " "} {
		if i := strings.Index(s, sep); i > 0 {
			l1, err1 := ParseLevel(s[:i])
			rest := strings.TrimRight(s[i+len(sep):], "）) ")
			l2, err2 := ParseLevel(rest)
			if err1 == nil && err2 == nil && l1 == l2 {
				return l1, nil
			}
			return 0, invalid("等级", "等级「"+s+"」前后不一致")
		}
	}
	for l := Level(1); l <= 5; l++ {
		n := levelNames[l]
		digit := string(rune('0' + int(l)))
		switch s {
		case n[0], n[1], strings.TrimSuffix(n[1], "工"), digit + "级", digit:
			return l, nil
		}
	}
	return 0, invalid("等级", "等级「"+s+"」无效，应为五级/初级工、四级/中级工、三级/高级工、二级/技师、一级/高级技师之一")
}
