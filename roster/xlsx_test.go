package roster

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

var header = []any{"姓名", "性别", "身份证号", "职业（工种）", "等级", "培训考核机构", "工作单位", "发证日期"}

// sheetSpec describes one worksheet: rows keyed by spreadsheet row number.
type sheetSpec struct {
	name string
	rows map[int][]any
	// dateFmt, when non-empty, is applied to column H of every data row:
	// "14" for the built-in short date, otherwise a custom format code.
	dateFmt string
}

func buildXLSX(t testing.TB, active int, date1904 bool, sheets ...sheetSpec) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if date1904 {
		if err := f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &date1904}); err != nil {
			t.Fatal(err)
		}
	}
	for i, s := range sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", s.name); err != nil {
				t.Fatal(err)
			}
		} else if _, err := f.NewSheet(s.name); err != nil {
			t.Fatal(err)
		}
		style := 0
		switch s.dateFmt {
		case "":
		case "14":
			style = newStyle(t, f, &excelize.Style{NumFmt: 14})
		default:
			style = newStyle(t, f, &excelize.Style{CustomNumFmt: &s.dateFmt})
		}
		for n, cells := range s.rows {
			axis, _ := excelize.CoordinatesToCellName(1, n)
			if err := f.SetSheetRow(s.name, axis, &cells); err != nil {
				t.Fatal(err)
			}
			if style != 0 && n > 1 {
				if err := f.SetCellStyle(s.name, "H"+itoa(n), "H"+itoa(n), style); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	f.SetActiveSheet(active)
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func newStyle(t testing.TB, f *excelize.File, s *excelize.Style) int {
	id, err := f.NewStyle(s)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func itoa(n int) string { axis, _ := excelize.CoordinatesToCellName(1, n); return axis[1:] }

func roster(rows ...[]any) map[int][]any {
	m := map[int][]any{1: header}
	for i, r := range rows {
		m[i+2] = r
	}
	return m
}

func person(id any, date any) []any {
	return []any{"张三", "男", id, "钢筋工", "五级", "河南省建设培训中心", "郑州一建", date}
}

func personRow(n int, id, date string) Row {
	return Row{n, "张三", "男", id, "钢筋工", "五级", "河南省建设培训中心", "郑州一建", date, false}
}

func TestParseXLSX(t *testing.T) {
	const id = "410102199001010014"
	day := time.Date(2024, 1, 15, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		active   int
		date1904 bool
		sheets   []sheetSpec
		want     []Row
	}{
		{
			name:   "text cells",
			sheets: []sheetSpec{{name: "名单", rows: roster(person(id, "2024-01-15"), person(" ="+`"`+id+`"`, "2024.1.15"))}},
			want:   []Row{personRow(2, id, "2024-01-15"), personRow(3, id, "2024.1.15")},
		},
		{
			// excelize gives time.Time the built-in date-time format 22.
			name:   "date cell from time.Time",
			sheets: []sheetSpec{{name: "名单", rows: roster(person(id, day), person(id, day.Add(15*time.Hour)))}},
			want:   []Row{personRow(2, id, "2024-01-15"), personRow(3, id, "2024-01-15")},
		},
		{
			name:   "serial with built-in short date",
			sheets: []sheetSpec{{name: "名单", rows: roster(person(id, 45306)), dateFmt: "14"}},
			want:   []Row{personRow(2, id, "2024-01-15")},
		},
		{
			name:   "serial with Chinese custom date format",
			sheets: []sheetSpec{{name: "名单", rows: roster(person(id, 45306)), dateFmt: `[$-804]yyyy"年"m"月"d"日";@`}},
			want:   []Row{personRow(2, id, "2024-01-15")},
		},
		{
			name:     "1904 date system",
			date1904: true,
			sheets:   []sheetSpec{{name: "名单", rows: roster(person(id, 45306-1462)), dateFmt: "yyyy-mm-dd"}},
			want:     []Row{personRow(2, id, "2024-01-15")},
		},
		{
			// A number the user sees as a number stays one; so does text in
			// a date-formatted cell.
			name:   "numbers without date format, text with one",
			sheets: []sheetSpec{{name: "名单", rows: roster(person(id, 45306))}},
			want:   []Row{personRow(2, id, "45306")},
		},
		{
			name:   "text in date-formatted column",
			sheets: []sheetSpec{{name: "名单", rows: roster(person(id, "2024年1月15日")), dateFmt: "14"}},
			want:   []Row{personRow(2, id, "2024年1月15日")},
		},
		{
			// Precision is already lost in the file: the row says so, so
			// the validator rejects it even if the check digit happened to fit.
			name:   "ID stored as a number",
			sheets: []sheetSpec{{name: "名单", rows: roster(person(4.10102199001e17, "2024-01-15"))}},
			want:   []Row{numericIDRow(personRow(2, "410102199001000000", "2024-01-15"))},
		},
		{
			name: "title rows above header, blank rows between",
			sheets: []sheetSpec{{name: "名单", rows: map[int][]any{
				2: {"2024年第一期培训合格人员名单"},
				3: {nil, "填报单位：某某公司"},
				4: append([]any{}, header...),
				5: person(id, "2024-01-15"),
				7: {nil, nil, nil, nil, nil, nil, nil, nil, "备注"},
				8: person(id, "2024-01-16"),
			}}},
			want: []Row{personRow(5, id, "2024-01-15"), personRow(8, id, "2024-01-16")},
		},
		{
			name:   "active sheet is read",
			active: 1,
			sheets: []sheetSpec{
				{name: "旧名单", rows: roster(person(id, "2023-01-01"))},
				{name: "新名单", rows: roster(person(id, "2024-01-15"))},
			},
			want: []Row{personRow(2, id, "2024-01-15")},
		},
		{
			name: "instructions sheet skipped",
			sheets: []sheetSpec{
				{name: "填表说明", rows: map[int][]any{1: {"身份证号请设置为文本格式"}, 2: {"日期格式为 2024-01-15"}}},
				{name: "空白"},
				{name: "名单", rows: roster(person(id, "2024-01-15"))},
			},
			want: []Row{personRow(2, id, "2024-01-15")},
		},
		{name: "header only", sheets: []sheetSpec{{name: "名单", rows: roster()}}, want: []Row{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := buildXLSX(t, tt.active, tt.date1904, tt.sheets...)
			got, err := ParseXLSX(bytes.NewReader(data))
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestParseXLSXErrors(t *testing.T) {
	const id = "410102199001010014"
	bad := map[int][]any{1: {"姓名", "性别", "工种", "等级", "培训考核机构", "发证日期"}, 2: person(id, "2024-01-15")}
	tests := []struct {
		name    string
		sheets  []sheetSpec
		want    string
		missing []string
	}{
		{name: "empty workbook", sheets: []sheetSpec{{name: "Sheet1"}}, want: "文件为空"},
		{
			name:    "missing columns",
			sheets:  []sheetSpec{{name: "Sheet1", rows: bad}},
			want:    "表头缺少列：身份证号",
			missing: []string{"身份证号"},
		},
		{
			// The faulty roster on the active sheet is reported; the valid
			// one elsewhere must not be imported in its place.
			name: "faulty active sheet is not bypassed",
			sheets: []sheetSpec{
				{name: "名单", rows: bad},
				{name: "旧名单", rows: roster(person(id, "2023-01-01"))},
			},
			want:    "工作表“名单”：表头缺少列：身份证号",
			missing: []string{"身份证号"},
		},
		{
			name: "no roster on any sheet",
			sheets: []sheetSpec{
				{name: "说明", rows: map[int][]any{1: {"请按模板填写"}}},
				{name: "空白"},
			},
			want:    "工作表“说明”：表头缺少列：姓名、性别、身份证号、职业（工种）、等级、培训考核机构、发证日期",
			missing: []string{"姓名", "性别", "身份证号", "职业（工种）", "等级", "培训考核机构", "发证日期"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := ParseXLSX(bytes.NewReader(buildXLSX(t, 0, false, tt.sheets...)))
			if err == nil {
				t.Fatalf("no error; rows %+v", rows)
			}
			if err.Error() != tt.want {
				t.Errorf("error %q, want %q", err, tt.want)
			}
			var he *HeaderError
			if errors.As(err, &he) != (tt.missing != nil) || tt.missing != nil && !reflect.DeepEqual(he.Missing, tt.missing) {
				t.Errorf("HeaderError = %+v, want missing %v", he, tt.missing)
			}
		})
	}

	for _, in := range []string{"", "not a zip", "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 old .xls"} {
		_, err := ParseXLSX(strings.NewReader(in))
		if err == nil {
			t.Errorf("ParseXLSX(%q): no error", in)
		}
	}
}

func TestParseXLSXTooManyRows(t *testing.T) {
	setLimits(t, 2, MaxFileSize)
	data := buildXLSX(t, 0, false, sheetSpec{name: "名单", rows: roster(person("1", "2"), person("1", "2"), person("1", "2"))})
	_, err := ParseXLSX(bytes.NewReader(data))
	if err == nil || err.Error() != "数据行超过上限：最多 2 行，请拆分成多个文件后分别导入" {
		t.Errorf("err = %v", err)
	}
}

func TestIsDateFormat(t *testing.T) {
	tests := []struct {
		code string
		want bool
	}{
		{"yyyy-mm-dd", true},
		{"yyyy/m/d", true},
		{`yyyy"年"m"月"d"日"`, true},
		{`[$-804]yyyy"年"m"月"d"日";@`, true},
		{"[DBNum1][$-804]yyyy\"年\"m\"月\"d\"日\"", true},
		{"d-mmm-yy", true},
		{"m/d/yy h:mm", true},
		{"General", false},
		{"0", false},
		{"@", false},
		{"0.00E+00", false},
		{"mm:ss", false},
		{"[Red]0.00", false},
		{`"day"0`, false},
		{`\d0`, false},
		{`#,##0_);[Red](#,##0)`, false},
	}
	for _, tt := range tests {
		if got := isDateFormat(tt.code); got != tt.want {
			t.Errorf("isDateFormat(%q) = %v, want %v", tt.code, got, tt.want)
		}
	}
}

func numericIDRow(r Row) Row { r.IDIsNumber = true; return r }
