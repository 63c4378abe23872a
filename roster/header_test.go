package roster

import (
	"errors"
	"reflect"
	"testing"
)

func TestNormHeaderAliases(t *testing.T) {
	tests := []struct {
		in   string
		want int // column, or -1 for unknown
	}{
		{"姓名", colName},
		{" 姓　名 ", colName},
		{"*姓名", colName},
		{"姓名*", colName},
		{"＊姓名", colName},
		{"\ufeff姓名", colName},
		{"性别", colSex},
		{"身份证号", colID},
		{"身份证号码", colID},
		{"公民身份号码", colID},
		{"身份证\n号码", colID},
		{"职业（工种）", colOccupation},
		{"职业(工种)", colOccupation},
		{"职业 ( 工种 )", colOccupation},
		{"职业", colOccupation},
		{"工种", colOccupation},
		{"职业/工种", colOccupation},
		{"职业／工种", colOccupation},
		{"等级", colLevel},
		{"培训考核机构", colOrg},
		{"工作单位", colEmployer},
		{"单位", colEmployer},
		{"发证日期", colIssuedOn},
		{"发证时间", colIssuedOn},
		{"序号", -1},
		{"备注", -1},
		{"", -1},
		{"姓名拼音", -1},
	}
	for _, tt := range tests {
		c, ok := aliases[normHeader(tt.in)]
		if !ok {
			c = -1
		}
		if c != tt.want {
			t.Errorf("header %q -> column %d, want %d", tt.in, c, tt.want)
		}
	}
}

func TestMapHeader(t *testing.T) {
	full := []string{"姓名", "性别", "身份证号", "职业（工种）", "等级", "培训考核机构", "工作单位", "发证日期"}
	tests := []struct {
		name    string
		cells   []string
		idx     [numCols]int
		wantErr *HeaderError
	}{
		{"canonical order", full, [numCols]int{0, 1, 2, 3, 4, 5, 6, 7}, nil},
		{
			"any order, extras, optional absent",
			[]string{"序号", "发证日期", "等级", "*身份证号码", "姓名", "备注", "工种", "培训考核机构", "性别"},
			[numCols]int{4, 8, 3, 6, 2, 7, -1, 1}, nil,
		},
		{
			"missing",
			[]string{"姓名", "性别", "职业", "等级", "培训考核机构"},
			[numCols]int{}, &HeaderError{Missing: []string{"身份证号", "发证日期"}},
		},
		{
			"duplicate via aliases",
			append([]string{"工种", "身份证号码"}, full...),
			[numCols]int{}, &HeaderError{Duplicate: []string{"身份证号", "职业（工种）"}},
		},
		{
			"missing and duplicate",
			[]string{"姓名", "姓名", "性别", "身份证号", "职业", "等级", "培训考核机构"},
			[numCols]int{}, &HeaderError{Missing: []string{"发证日期"}, Duplicate: []string{"姓名"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			idx, _, err := mapHeader(tt.cells)
			if !reflect.DeepEqual(err, tt.wantErr) {
				t.Fatalf("err = %#v, want %#v", err, tt.wantErr)
			}
			if err == nil && idx != tt.idx {
				t.Errorf("idx = %v, want %v", idx, tt.idx)
			}
		})
	}
}

func TestHeaderErrorMessage(t *testing.T) {
	tests := []struct {
		err  HeaderError
		want string
	}{
		{HeaderError{Missing: []string{"身份证号", "发证日期"}}, "表头缺少列：身份证号、发证日期"},
		{HeaderError{Duplicate: []string{"姓名"}}, "表头列重复：姓名"},
		{HeaderError{Missing: []string{"等级"}, Duplicate: []string{"姓名", "性别"}}, "表头缺少列：等级；表头列重复：姓名、性别"},
	}
	for _, tt := range tests {
		var err error = &tt.err
		if got := err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
		var he *HeaderError
		if !errors.As(err, &he) {
			t.Error("errors.As failed")
		}
	}
}
