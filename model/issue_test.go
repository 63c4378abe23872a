package model

import (
	"errors"
	"sort"
	"strings"
	"testing"
	"time"
)

// stubGlyphs reports the runes of missing that occur in the text, and records
// what it was asked about.
type stubGlyphs struct {
	missing string
	asked   []string
}

func (g *stubGlyphs) Missing(s string) []rune {
	g.asked = append(g.asked, s)
	var out []rune
	for _, r := range s {
		if strings.ContainsRune(g.missing, r) {
			out = append(out, r)
		}
	}
	return out
}

var goodID = MakeIDNumber("410102", time.Date(1990, 3, 7, 0, 0, 0, 0, time.UTC), 1, true)

func goodRow() RawRow {
	return RawRow{
		Name: "张三", Sex: "男", IDNumber: goodID, Occupation: "砌筑工", Level: "四级/中级工",
		OrgName: "河南省建设教育协会", Employer: "郑州建工集团", IssuedOn: "2026-03-01",
	}
}

func fields(errs []error) []string {
	var out []string
	for _, err := range errs {
		var fe *FieldError
		if errors.As(err, &fe) {
			out = append(out, fe.Field)
		} else {
			out = append(out, "not a FieldError: "+err.Error())
		}
	}
	sort.Strings(out)
	return out
}

func TestParseGoodRow(t *testing.T) {
	req, errs := goodRow().Parse(testToday, &stubGlyphs{})
	if len(errs) != 0 {
		t.Fatalf("errors for a good row: %v", errs)
	}
	want := IssueRequest{
		Name: "张三", Sex: "男", IDNumber: goodID, Occupation: "砌筑工", Level: 4,
		OrgName: "河南省建设教育协会", Employer: "郑州建工集团",
		IssuedOn: time.Date(2026, 3, 1, 0, 0, 0, 0, ChinaZone), Source: SourceElectronic,
	}
	if !req.IssuedOn.Equal(want.IssuedOn) {
		t.Errorf("IssuedOn = %v, want %v", req.IssuedOn, want.IssuedOn)
	}
	req.IssuedOn = want.IssuedOn
	if req != want {
		t.Errorf("Parse =\n%+v\nwant\n%+v", req, want)
	}
}

func TestParseCleansText(t *testing.T) {
	row := RawRow{
		Name:       "\u3000阿依古丽·买买提\u3000",
		Sex:        " 女性\u3000",
		IDNumber:   "\u3000" + strings.ToLower("41010219880515018X") + " ",
		Occupation: "\u3000钢筋工\u3000",
		Level:      "\u3000五级（初级工）\u3000",
		OrgName:    "河南省\u3000\u3000建设  教育协会\t",
		Employer:   "\u200b\ufeff",
		IssuedOn:   "\u30002026年3月1日\u3000",
	}
	req, errs := row.Parse(testToday, nil)
	if len(errs) != 0 {
		t.Fatalf("errors: %v", errs)
	}
	got := []string{req.Name, req.Sex, req.IDNumber, req.Occupation, req.OrgName, req.Employer, FormatDate(req.IssuedOn)}
	want := []string{"阿依古丽·买买提", "女", "41010219880515018X", "钢筋工", "河南省 建设 教育协会", "", "2026-03-01"}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("field %d = %q, want %q", i, got[i], want[i])
		}
	}
	if req.Level != 5 {
		t.Errorf("Level = %v, want 5", req.Level)
	}
}

func TestParseReportsAllErrorsAtOnce(t *testing.T) {
	row := RawRow{
		Name: "张3", Sex: "未知", IDNumber: "410102199003070018", Occupation: "",
		Level: "六级", OrgName: "", Employer: strings.Repeat("单", 129), IssuedOn: "2026-02-30",
	}
	_, errs := row.Parse(testToday, nil)
	got := fields(errs)
	want := []string{"发证日期", "培训考核机构", "姓名", "工作单位", "性别", "等级", "职业（工种）", "身份证号"}
	sort.Strings(want)
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("error fields = %v, want %v (errors %v)", got, want, errs)
	}
	for _, err := range errs {
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("%v is not ErrInvalid", err)
		}
	}
}

func TestParseSingleErrors(t *testing.T) {
	today := testToday
	femaleID := MakeIDNumber("410105", time.Date(1985, 6, 12, 0, 0, 0, 0, time.UTC), 2, false)
	tests := []struct {
		name   string
		change func(*RawRow)
		field  string
		msg    string
	}{
		{"future issue date", func(r *RawRow) { r.IssuedOn = "2026-03-16" }, "发证日期", "发证日期不能晚于今天"},
		{"far future issue date", func(r *RawRow) { r.IssuedOn = "2027-01-01" }, "发证日期", "发证日期不能晚于今天"},
		{"before electronic start", func(r *RawRow) { r.IssuedOn = "2019-02-28" }, "发证日期", "发证日期不能早于2019-03-01（电子证书自该日起颁发）"},
		{"long before electronic start", func(r *RawRow) { r.IssuedOn = "2010-01-01" }, "发证日期", "发证日期不能早于2019-03-01（电子证书自该日起颁发）"},
		{"bad date form", func(r *RawRow) { r.IssuedOn = "明天" }, "发证日期", "格式不正确"},
		{"empty name", func(r *RawRow) { r.Name = "\u3000 " }, "姓名", "姓名不能为空"},
		{"digit in name", func(r *RawRow) { r.Name = "张三1" }, "姓名", "姓名含有无效字符「1」"},
		{"33-char name", func(r *RawRow) { r.Name = strings.Repeat("张", 33) }, "姓名", "姓名不能超过32个字"},
		{"sex mismatch", func(r *RawRow) { r.IDNumber = femaleID }, "身份证号", "身份证号与性别不符"},
		{"wrong check digit", func(r *RawRow) {
			r.IDNumber = goodID[:17] + string("0123456789X"[(strings.IndexByte("0123456789X", goodID[17])+1)%11])
		}, "身份证号", "身份证号校验位错误"},
		{"bad sex only", func(r *RawRow) { r.Sex = "M" }, "性别", "性别应为「男」或「女」"},
		{"level mismatch", func(r *RawRow) { r.Level = "四级/高级工" }, "等级", "前后不一致"},
		{"occupation too long", func(r *RawRow) { r.Occupation = strings.Repeat("工", 65) }, "职业（工种）", "职业（工种）过长"},
		{"control char in org", func(r *RawRow) { r.OrgName = "协会\x07" }, "培训考核机构", "培训考核机构含有控制字符"},
		{"employer too long", func(r *RawRow) { r.Employer = strings.Repeat("单", 129) }, "工作单位", "工作单位不能超过128个字"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			row := goodRow()
			tt.change(&row)
			req, errs := row.Parse(today, nil)
			if len(errs) != 1 {
				t.Fatalf("got %d errors %v, want exactly one", len(errs), errs)
			}
			fieldErr(t, errs[0], tt.field, tt.msg, false)
			if tt.field == "发证日期" && !req.IssuedOn.IsZero() {
				t.Errorf("IssuedOn = %v set despite the error", req.IssuedOn)
			}
		})
	}
}

func TestParseIssueDateBounds(t *testing.T) {
	for _, d := range []string{"2019-03-01", "2026-03-15", "2026-03-14", "20220101"} {
		row := goodRow()
		row.IssuedOn = d
		req, errs := row.Parse(testToday, nil)
		if len(errs) != 0 {
			t.Errorf("IssuedOn %s: %v", d, errs)
			continue
		}
		want, _ := ParseDate(d)
		if !req.IssuedOn.Equal(want) {
			t.Errorf("IssuedOn %s parsed as %v", d, req.IssuedOn)
		}
	}
}

func TestParseNames(t *testing.T) {
	for _, name := range []string{"阿依古丽·买买提", "阿依古丽•买买提", "阿依古丽・买买提", "John Smith", "欧阳娜娜", "李"} {
		row := goodRow()
		row.Name = name
		if req, errs := row.Parse(testToday, nil); len(errs) != 0 || req.Name != name {
			t.Errorf("name %q: %q %v", name, req.Name, errs)
		}
	}
	for _, name := range []string{"张-三", "张三。", "😀", "Zhang3", "张<b>"} {
		if err := ValidateName(name); err == nil {
			t.Errorf("ValidateName(%q) accepted", name)
		} else {
			fieldErr(t, err, "姓名", "姓名含有无效字符", false)
		}
	}
}

func TestParseGlyphs(t *testing.T) {
	tests := []struct {
		name    string
		row     RawRow
		missing string
		field   string
		char    string
	}{
		{"rare character in name", RawRow{Name: "王𪚥"}, "𪚥", "姓名", "「𪚥」"},
		{"two rare characters", RawRow{Name: "䶮龑"}, "䶮龑", "姓名", "「䶮龑」"},
		{"rare character in occupation", RawRow{Occupation: "砼工"}, "砼", "职业（工种）", "「砼」"},
		{"rare character in org", RawRow{OrgName: "堃达培训"}, "堃", "培训考核机构", "「堃」"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			row := goodRow()
			if tt.row.Name != "" {
				row.Name = tt.row.Name
			}
			if tt.row.Occupation != "" {
				row.Occupation = tt.row.Occupation
			}
			if tt.row.OrgName != "" {
				row.OrgName = tt.row.OrgName
			}
			g := &stubGlyphs{missing: tt.missing}
			_, errs := row.Parse(testToday, g)
			if len(errs) != 1 {
				t.Fatalf("got errors %v, want exactly one", errs)
			}
			fieldErr(t, errs[0], tt.field, tt.char, false)
			if !strings.Contains(errs[0].Error(), "无法用证书字体打印") {
				t.Errorf("message %q does not say the font cannot print it", errs[0])
			}
			// Without a checker the same row is fine.
			if _, errs := row.Parse(testToday, nil); len(errs) != 0 {
				t.Errorf("nil GlyphChecker: %v", errs)
			}
		})
	}
	// The checker sees the cleaned text, not the padding.
	g := &stubGlyphs{}
	row := goodRow()
	row.Name = "\u3000张三 "
	row.Parse(testToday, g)
	if len(g.asked) != 3 || g.asked[0] != "张三" {
		t.Errorf("GlyphChecker asked %q", g.asked)
	}
}

func TestActiveKey(t *testing.T) {
	a := IssueRequest{IDNumber: goodID, Occupation: "砌筑工", Level: 4}
	b := a
	if a.ActiveKey() != b.ActiveKey() || len(a.ActiveKey()) != 64 {
		t.Fatalf("ActiveKey not stable: %q", a.ActiveKey())
	}
	for _, c := range []IssueRequest{
		{IDNumber: goodID, Occupation: "砌筑工", Level: 3},
		{IDNumber: goodID, Occupation: "钢筋工", Level: 4},
		{IDNumber: "410105198506120027", Occupation: "砌筑工", Level: 4},
	} {
		if c.ActiveKey() == a.ActiveKey() {
			t.Errorf("%+v has the same ActiveKey as %+v", c, a)
		}
	}
}
