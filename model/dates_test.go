package model

import (
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	march1 := time.Date(2026, 3, 1, 0, 0, 0, 0, ChinaZone)
	tests := []struct {
		in   string
		want time.Time
	}{
		{"2026-03-01", march1},
		{"2026/3/1", march1},
		{"2026.3.1", march1},
		{"2026年3月1日", march1},
		{"2026年03月01日", march1},
		{"2026 年 3 月 1 日", march1},
		{"2026年3月1", march1},
		{"20260301", march1},
		{"2026-3-01", march1},
		{"2024-02-29", time.Date(2024, 2, 29, 0, 0, 0, 0, ChinaZone)},
		{"2019-03-01", ElectronicStart},
	}
	for _, tt := range tests {
		got, err := ParseDate(tt.in)
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("ParseDate(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			continue
		}
		if _, off := got.Zone(); off != 8*3600 {
			t.Errorf("ParseDate(%q) zone offset %d, want China time", tt.in, off)
		}
		if FormatDate(got) != tt.want.Format("2006-01-02") {
			t.Errorf("FormatDate(ParseDate(%q)) = %q", tt.in, FormatDate(got))
		}
	}
}

func TestParseDateRejects(t *testing.T) {
	tests := []struct{ in, msg string }{
		{"2026-02-30", "不是有效日期"},
		{"20260230", "不是有效日期"},
		{"2025-02-29", "不是有效日期"},
		{"2026-13-01", "不是有效日期"},
		{"2026-00-10", "不是有效日期"},
		{"2026-04-31", "不是有效日期"},
		{"2026年2月30日", "不是有效日期"},
		{"", "格式不正确"},
		{"2026-03", "格式不正确"},
		{"26-3-1", "格式不正确"},
		{"2026-03-01 10:00", "格式不正确"},
		{"2026030", "格式不正确"},
		{"202603011", "格式不正确"},
		{"March 1, 2026", "格式不正确"},
		{"２０２６-03-01", "格式不正确"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseDate(tt.in)
			if !got.IsZero() {
				t.Errorf("ParseDate(%q) = %v, want zero time", tt.in, got)
			}
			fieldErr(t, err, "发证日期", tt.msg, false)
		})
	}
}

func TestFormatDateUsesChinaTime(t *testing.T) {
	// 16:30 UTC on 28 February is already 1 March in China.
	utc := time.Date(2026, 2, 28, 16, 30, 0, 0, time.UTC)
	if got := FormatDate(utc); got != "2026-03-01" {
		t.Errorf("FormatDate(%v) = %q, want 2026-03-01", utc, got)
	}
	if got := ChineseDate(utc); got != "2026年3月1日" {
		t.Errorf("ChineseDate(%v) = %q, want 2026年3月1日", utc, got)
	}
	if got := ChineseDate(time.Date(2026, 12, 31, 0, 0, 0, 0, ChinaZone)); got != "2026年12月31日" {
		t.Errorf("ChineseDate = %q", got)
	}
	c := Certificate{IssuedOn: "2026-03-01"}
	if !c.IssuedDate().Equal(time.Date(2026, 3, 1, 0, 0, 0, 0, ChinaZone)) {
		t.Errorf("IssuedDate() = %v", c.IssuedDate())
	}
}
