package roster

import "testing"

func TestCleanCell(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"  张三 ", "张三"},
		{"\u3000张三\u3000", "张三"},
		{"\ufeff\u200b张三\u200d\u00a0", "张三"},
		{"\t410102199001010014\r\n", "410102199001010014"},
		{"张 三", "张 三"}, // interior spaces are content
		{"'410102199001010014", "410102199001010014"},
		{" ' 410102199001010014 ", "410102199001010014"},
		{"''5", "'5"}, // only the one apostrophe Excel consumes
		{`="410102199001010014"`, "410102199001010014"},
		{` =" 41010219900101001X " `, "41010219900101001X"},
		{`=""`, ""},
		{`="a""b"`, `a"b`},
		{`="`, `="`},           // too short to be a text formula
		{`=A1`, `=A1`},         // a formula, not the text trick
		{`="abc`, `="abc`},     // unterminated: leave as written
		{`x="abc"`, `x="abc"`}, // only a leading = counts
		{"'", ""},
	}
	for _, tt := range tests {
		if got := cleanCell(tt.in); got != tt.want {
			t.Errorf("cleanCell(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
