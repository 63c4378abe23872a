package roster

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzParseCSV(f *testing.F) {
	f.Add([]byte(hdr + zhang + li))
	f.Add([]byte("\ufeff" + hdr + zhang))
	f.Add(gb18030(f, hdr+zhang+"\n,,,\n"+li))
	f.Add(gb18030(f, "姓名,性别\n张三"))
	f.Add(utf16le(f, strings.ReplaceAll(hdr+zhang, ",", "\t")))
	f.Add([]byte{0xff, 0xfe, 0x00})
	f.Add([]byte(hdr + `"张三,男,"410102199001010014` + "\n" + li))          // unclosed quote
	f.Add([]byte(hdr + `张"三,男,="4101"",x"y"z,"a""b,` + "\n"))             // bare and stray quotes
	f.Add([]byte(hdr + `="张三",'男,="",=",'` + "\n\"多\n行\",\r\n\r\n" + li)) // tricks, CRLF, multi-line
	f.Add([]byte("\n\n标题\n" + strings.ReplaceAll(hdr+zhang, ",", ";")))
	f.Add([]byte(",,,\n\n"))
	f.Add([]byte{})

	f.Fuzz(func(t *testing.T, data []byte) {
		rows, err := ParseCSV(bytes.NewReader(data))
		if err != nil {
			return
		}
		prev := 1 // the header is on row 1 at the earliest
		for _, r := range rows {
			if r.Number <= prev {
				t.Fatalf("row number %d after %d", r.Number, prev)
			}
			prev = r.Number
			vals := []string{r.Name, r.Sex, r.IDNumber, r.Occupation, r.Level, r.OrgName, r.Employer, r.IssuedOn}
			if strings.Join(vals, "") == "" {
				t.Fatalf("blank row %d returned", r.Number)
			}
			for _, v := range vals {
				if !utf8.ValidString(v) || strings.TrimFunc(v, isTrimmable) != v {
					t.Fatalf("row %d: untrimmed or invalid cell %q", r.Number, v)
				}
			}
		}
	})
}
