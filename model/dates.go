package model

import (
	"regexp"
	"strconv"
	"time"
)

// ChinaZone is the zone every date in this domain is meant in. Fixed rather
// than loaded, so the binary does not depend on the machine's tzdata.
var ChinaZone = time.FixedZone("CST", 8*3600)

// ElectronicStart is the day electronic certificates began (豫建办人〔2019〕25号 二).
var ElectronicStart = time.Date(2019, 3, 1, 0, 0, 0, 0, ChinaZone)

var datePattern = regexp.MustCompile(`^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$`)

// ParseDate reads the date forms offices write: 2026-03-01, 2026/3/1,
// 2026.3.1, 2026年3月1日, 20260301. The result is midnight China time.
func ParseDate(s string) (time.Time, error) {
	var y, m, d int
	if len(s) == 8 && isDigits(s) {
		y, _ = strconv.Atoi(s[:4])
		m, _ = strconv.Atoi(s[4:6])
		d, _ = strconv.Atoi(s[6:])
	} else if len(s) == 10 && s[4] == '-' && s[7] == '-' && isDigits(s[:4]+s[5:7]+s[8:]) {
		// The stored form (FormatDate), read on every lookup: no regexp.
		y, _ = strconv.Atoi(s[:4])
		m, _ = strconv.Atoi(s[5:7])
		d, _ = strconv.Atoi(s[8:])
	} else if g := datePattern.FindStringSubmatch(s); g != nil {
		y, _ = strconv.Atoi(g[1])
		m, _ = strconv.Atoi(g[2])
		d, _ = strconv.Atoi(g[3])
	} else {
		return time.Time{}, invalid("发证日期", "发证日期「"+s+"」格式不正确，应为YYYY-MM-DD")
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, ChinaZone)
	if t.Year() != y || int(t.Month()) != m || t.Day() != d {
		return time.Time{}, invalid("发证日期", "发证日期「"+s+"」不是有效日期")
	}
	return t, nil
}

// FormatDate is the ISO form stored in the database and shown to operators.
func FormatDate(t time.Time) string { return t.In(ChinaZone).Format("2006-01-02") }

// ChineseDate is the form printed on certificates and pages: 2026年3月1日.
func ChineseDate(t time.Time) string {
	t = t.In(ChinaZone)
	return strconv.Itoa(t.Year()) + "年" + strconv.Itoa(int(t.Month())) + "月" + strconv.Itoa(t.Day()) + "日"
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
