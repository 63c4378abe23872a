package roster

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

const hdr = "姓名,性别,身份证号,职业（工种）,等级,培训考核机构,工作单位,发证日期\n"

// zhang and li are complete rows matching hdr.
const (
	zhang = "张三,男,410102199001010014,钢筋工,五级,河南省建设培训中心,郑州一建,2024-01-15\n"
	li    = "李四,女,41010219900101002X,砌筑工,四级,河南省建设培训中心,,2024/1/15\n"
)

func zhangRow(n int) Row {
	return Row{n, "张三", "男", "410102199001010014", "钢筋工", "五级", "河南省建设培训中心", "郑州一建", "2024-01-15", false}
}

func liRow(n int) Row {
	return Row{n, "李四", "女", "41010219900101002X", "砌筑工", "四级", "河南省建设培训中心", "", "2024/1/15", false}
}

func gb18030(t testing.TB, s string) []byte {
	b, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func utf16le(t testing.TB, s string) []byte {
	b, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseCSV(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want []Row
	}{
		{"utf-8", []byte(hdr + zhang + li), []Row{zhangRow(2), liRow(3)}},
		{"utf-8 BOM", append([]byte("\ufeff"), hdr+zhang...), []Row{zhangRow(2)}},
		{"CRLF", []byte(strings.ReplaceAll(hdr+zhang+li, "\n", "\r\n")), []Row{zhangRow(2), liRow(3)}},
		{"no final newline", []byte(hdr + strings.TrimSuffix(li, "\n")), []Row{liRow(2)}},
		{"GB18030", gb18030(t, hdr+zhang+li), []Row{zhangRow(2), liRow(3)}},
		{
			// 4-byte GB18030 sequences (rare-character names) must survive too.
			"GB18030 4-byte", gb18030(t, hdr+"𠀀,男,1,钢筋工,五级,机构,,2024-01-15\n"),
			[]Row{{2, "𠀀", "男", "1", "钢筋工", "五级", "机构", "", "2024-01-15", false}},
		},
		{"UTF-16 tab", utf16le(t, strings.ReplaceAll(hdr+zhang, ",", "\t")), []Row{zhangRow(2)}},
		{"tab", []byte(strings.ReplaceAll(hdr+zhang, ",", "\t")), []Row{zhangRow(2)}},
		{"semicolon", []byte(strings.ReplaceAll(hdr+zhang, ",", ";")), []Row{zhangRow(2)}},
		{
			"header variants, any order, extras, no 工作单位",
			[]byte("序号,*发证时间, 姓　名 ,公民身份号码,职业(工种)*,等级,培训考核机构,性别,备注\n" +
				"1,2024-01-15,张三,410102199001010014,钢筋工,五级,河南省建设培训中心,男,补考\n"),
			[]Row{{2, "张三", "男", "410102199001010014", "钢筋工", "五级", "河南省建设培训中心", "", "2024-01-15", false}},
		},
		{
			"blank rows keep numbering",
			[]byte(hdr + "\n" + zhang + "   \n,,,,,,,\n\r\n" + "\u3000,\u200b\n" + li + "\n\n"),
			[]Row{zhangRow(3), liRow(8)},
		},
		{
			// Pre-numbered template rows: only 序号 is filled in.
			"rows with only unknown columns are blank",
			[]byte("序号," + hdr + "1," + zhang + "2,,,,,,,,\n3,\n"),
			[]Row{zhangRow(2)},
		},
		{
			"leading blank lines and a title row",
			[]byte("\n2024年培训合格人员名单,,,\n\n" + hdr + zhang),
			[]Row{zhangRow(5)},
		},
		{
			// Excel shows a quoted cell with a line break as one row.
			"multi-line cell counts as one row",
			[]byte(hdr + "张三,男,410102199001010014,钢筋工,五级,河南省建设培训中心,\"郑州\n一建\",2024-01-15\n" + li),
			[]Row{{2, "张三", "男", "410102199001010014", "钢筋工", "五级", "河南省建设培训中心", "郑州\n一建", "2024-01-15", false}, liRow(3)},
		},
		{
			"text-forcing tricks unwrapped",
			[]byte(hdr +
				`张三,男,="410102199001010014",钢筋工,五级,河南省建设培训中心,郑州一建,2024-01-15` + "\n" +
				`李四,女,"=""41010219900101002X""",砌筑工,四级,河南省建设培训中心,,'2024/1/15` + "\n"),
			[]Row{zhangRow(2), liRow(3)},
		},
		{
			"short and long rows",
			[]byte(hdr + "张三,男,410102199001010014\n" + strings.TrimSuffix(li, "\n") + ",多余,列\n"),
			[]Row{{2, "张三", "男", "410102199001010014", "", "", "", "", "", false}, liRow(3)},
		},
		{
			"cells trimmed",
			[]byte(hdr + " 张三 ,\u3000男\u3000,\t410102199001010014\t,钢筋工,五级,河南省建设培训中心,郑州一建\u200b,\ufeff2024-01-15\n"),
			[]Row{zhangRow(2)},
		},
		{"quoted fields", []byte(hdr + `"张三","男","410102199001010014","钢筋工","五级","河南省建设培训中心","郑州一建","2024-01-15"` + "\n"), []Row{zhangRow(2)}},
		{"header only", []byte(hdr), []Row{}},
		{"header then blanks", []byte(hdr + ",,,\n\n"), []Row{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseCSV(bytes.NewReader(tt.in))
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestParseCSVErrors(t *testing.T) {
	tests := []struct {
		name    string
		in      []byte
		want    string // exact error text
		missing []string
		dup     []string
	}{
		{name: "empty", in: nil, want: "文件为空"},
		{name: "whitespace", in: []byte(" \r\n\n"), want: "文件为空"},
		{name: "BOM only", in: []byte("\ufeff"), want: "文件为空"},
		{name: "only commas", in: []byte(",,,\n,,\n"), want: "文件为空"},
		{
			name: "missing columns", in: []byte("姓名,性别,职业,等级,培训考核机构\n" + zhang),
			want: "表头缺少列：身份证号、发证日期", missing: []string{"身份证号", "发证日期"},
		},
		{
			name: "missing columns, GB18030", in: gb18030(t, "姓名,性别,职业,等级,培训考核机构,发证日期\n"),
			want: "表头缺少列：身份证号", missing: []string{"身份证号"},
		},
		{
			name: "duplicate columns", in: []byte("工种," + hdr + zhang),
			want: "表头列重复：职业（工种）", dup: []string{"职业（工种）"},
		},
		{
			// No header-like row at all: report against the first row.
			name: "no header", in: []byte(zhang + li),
			want:    "表头缺少列：姓名、性别、身份证号、职业（工种）、等级、培训考核机构、发证日期",
			missing: []string{"姓名", "性别", "身份证号", "职业（工种）", "等级", "培训考核机构", "发证日期"},
		},
		{
			name: "too many columns", in: []byte(hdr + zhang + strings.Repeat(",", maxFields)),
			want: "CSV 格式错误：第 3 行超过 16384 列，不是有效的名单",
		},
		{
			name: "unclosed quote", in: []byte(hdr + "\"张三,男,410102199001010014\n" + li),
			want: "CSV 格式错误：第 2 行开始的单元格引号不配对（双引号未闭合，或引号内的双引号没有写成两个）",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := ParseCSV(bytes.NewReader(tt.in))
			if err == nil {
				t.Fatalf("no error; rows %v", rows)
			}
			if err.Error() != tt.want {
				t.Errorf("error %q, want %q", err, tt.want)
			}
			var he *HeaderError
			isHeader := errors.As(err, &he)
			if isHeader != (tt.missing != nil || tt.dup != nil) {
				t.Fatalf("errors.As(HeaderError) = %v for %v", isHeader, err)
			}
			if isHeader && (!reflect.DeepEqual(he.Missing, tt.missing) || !reflect.DeepEqual(he.Duplicate, tt.dup)) {
				t.Errorf("HeaderError %+v, want missing %v dup %v", he, tt.missing, tt.dup)
			}
		})
	}
}

// setLimits lowers the package limits for one test.
func setLimits(t *testing.T, rows int, bytes int64) {
	oldRows, oldBytes := maxRows, maxBytes
	maxRows, maxBytes = rows, bytes
	t.Cleanup(func() { maxRows, maxBytes = oldRows, oldBytes })
}

func TestLimits(t *testing.T) {
	setLimits(t, 2, 1<<20)
	blanks := hdr + zhang + "\n,,,\n" + li // blank rows do not count
	if rows, err := ParseCSV(strings.NewReader(blanks)); err != nil || len(rows) != 2 {
		t.Fatalf("at the row limit: %v, %v", rows, err)
	}
	_, err := ParseCSV(strings.NewReader(blanks + zhang))
	if err == nil || err.Error() != "数据行超过上限：最多 2 行，请拆分成多个文件后分别导入" {
		t.Errorf("over the row limit: %v", err)
	}

	in := hdr + zhang
	setLimits(t, MaxRows, int64(len(in)))
	if _, err := ParseCSV(strings.NewReader(in)); err != nil {
		t.Fatalf("at the size limit: %v", err)
	}
	setLimits(t, MaxRows, int64(len(in)-1))
	for _, parse := range []func(r *strings.Reader) error{
		func(r *strings.Reader) error { _, err := ParseCSV(r); return err },
		func(r *strings.Reader) error { _, err := ParseXLSX(r); return err },
	} {
		if err := parse(strings.NewReader(in)); err == nil || !strings.HasPrefix(err.Error(), "文件过大") {
			t.Errorf("over the size limit: %v", err)
		}
	}
}

func TestParseDispatch(t *testing.T) {
	tests := []struct {
		filename string
		want     string // error text, or "" for success
	}{
		{"名单.csv", ""},
		{"名单.CSV", ""},
		{"dir.v2/名单.Csv", ""},
		{"名单.xls", "无法识别的文件类型：.xls（请使用 .xlsx 或 .csv）"},
		{"名单.txt", "无法识别的文件类型：.txt（请使用 .xlsx 或 .csv）"},
		{"名单", `无法识别的文件类型："名单" 没有扩展名（请使用 .xlsx 或 .csv）`},
		{"名单.XLSX", "文件不是有效的 .xlsx 工作簿（如果是旧版 .xls 或 WPS 的 .et，请在 Excel/WPS 中另存为 .xlsx）"},
	}
	for _, tt := range tests {
		rows, err := Parse(strings.NewReader(hdr+zhang), tt.filename)
		switch {
		case tt.want == "" && (err != nil || len(rows) != 1):
			t.Errorf("Parse(%q) = %v, %v", tt.filename, rows, err)
		case tt.want != "" && (err == nil || err.Error() != tt.want):
			t.Errorf("Parse(%q) error %v, want %q", tt.filename, err, tt.want)
		}
	}
}
