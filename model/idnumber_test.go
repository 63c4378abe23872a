package model

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

func TestRefCheckMatchesStandardExamples(t *testing.T) {
	// The examples printed in GB 11643-1999 itself, so the reference
	// implementation of the tests is anchored to the standard.
	for _, id := range []string{"11010519491231002X", "440524188001010014"} {
		if got := withCheck(t, id[:17]); got != id {
			t.Errorf("reference check of %s = %s", id, got)
		}
	}
}

func TestValidateIDNumberAccepts(t *testing.T) {
	tests := []struct {
		id, sex string
	}{
		{"11010519491231002X", "女"}, // the standard's own example, X check character
		{"11010519491231002X", ""},
		{withCheck(t, "82000019800101001"), "男"}, // Macao residence permit
		{withCheck(t, "83000019800101001"), "男"}, // Taiwan residence permit
		{"410102199003070019", "男"},
		{"410105198506120027", "女"},
		{"41030519751120001X", "男"}, // X check character, male
		{"41010219880515018X", "女"},
		{"410102200002290023", "女"}, // 29 February of a leap year
		{"410303199201010030", ""},
		{withCheck(t, "41010219900307001"), "男"},
		{withCheck(t, "81000019800101002"), "女"}, // Hong Kong residence permit
		{withCheck(t, "41010219000101001"), "男"}, // earliest accepted year
		{withCheck(t, "41010220260315001"), "男"}, // born "today"
		{MakeIDNumber("410102", time.Date(1975, 11, 20, 0, 0, 0, 0, time.UTC), 1, true), "男"},
	}
	for _, tt := range tests {
		t.Run(tt.id+tt.sex, func(t *testing.T) {
			if err := ValidateIDNumber(tt.id, tt.sex, testToday); err != nil {
				t.Fatalf("ValidateIDNumber(%q, %q) = %v, want nil", tt.id, tt.sex, err)
			}
		})
	}
}

func TestValidateIDNumberRejects(t *testing.T) {
	tests := []struct {
		name, id, sex, msg string
	}{
		{"empty", "", "", "身份证号不能为空"},
		{"17 chars", "41010219900307001", "", "身份证号应为18位"},
		{"19 chars", "4101021990030700190", "", "身份证号应为18位"},
		{"15-digit old form", "410102900307001", "", "身份证号应为18位"},
		{"full-width digit", "41010219900307001９", "", "身份证号应为18位"}, // 20 bytes
		{"letter in body", "4101021990030700A9", "", "身份证号前17位应为数字"},
		{"X in body", "41010219900307X019", "", "身份证号前17位应为数字"},
		{"lower-case x not normalised", "11010519491231002x", "", "身份证号末位应为数字或X"},
		{"letter last", "41010219900307001A", "", "身份证号末位应为数字或X"},
		{"wrong check digit", "410102199003070018", "", "身份证号校验位错误"},
		{"wrong check X", "41010219900307001X", "", "身份证号校验位错误"},
		{"X where digit due", "41030319920101003X", "", "身份证号校验位错误"},
		{"province 00", withCheck(t, "00010219900307001"), "", "身份证号地区码无效"},
		{"province 99", withCheck(t, "99010219900307001"), "", "身份证号地区码无效"},
		{"province 10", withCheck(t, "10010219900307001"), "", "身份证号地区码无效"},
		{"region 0000", withCheck(t, "41000019900307001"), "", "身份证号地区码无效"},
		{"region 110000", withCheck(t, "11000019900307001"), "", "身份证号地区码无效"},
		{"30 February", withCheck(t, "41010219900230001"), "", "身份证号出生日期无效"},
		{"29 February non-leap", withCheck(t, "41010219900229001"), "", "身份证号出生日期无效"},
		{"month 13", withCheck(t, "41010219901301001"), "", "身份证号出生日期无效"},
		{"day 00", withCheck(t, "41010219900100001"), "", "身份证号出生日期无效"},
		{"standard example born 1880", "440524188001010014", "", "身份证号出生日期无效"},
		{"before 1900", withCheck(t, "41010218991231001"), "", "身份证号出生日期无效"},
		{"future birth", withCheck(t, "41010220260401001"), "", "身份证号出生日期无效"},
		{"born tomorrow", withCheck(t, "41010220260316001"), "", "身份证号出生日期无效"},
		{"far future", withCheck(t, "41010230000101001"), "", "身份证号出生日期无效"},
		{"female digit, 男", "410105198506120027", "男", "身份证号与性别不符"},
		{"male digit, 女", "410102199003070019", "女", "身份证号与性别不符"},
		{"male X, 女", "41030519751120001X", "女", "身份证号与性别不符"},
		{"female X, 男", "11010519491231002X", "男", "身份证号与性别不符"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateIDNumber(tt.id, tt.sex, testToday)
			fieldErr(t, err, "身份证号", tt.msg, !strings.HasPrefix(tt.msg, "身份证号与性别不符"))
		})
	}
}

// Every check character but the right one is refused with the check message.
func TestValidateIDNumberEveryWrongCheckChar(t *testing.T) {
	for _, id := range []string{"11010519491231002X", "410303199201010030", "410102199003070019", "41030519751120001X"} {
		for _, c := range "0123456789X" {
			if byte(c) == id[17] {
				continue
			}
			bad := id[:17] + string(c)
			fieldErr(t, ValidateIDNumber(bad, "", testToday), "身份证号", "身份证号校验位错误", true)
		}
	}
}

func TestNormalizeIDNumber(t *testing.T) {
	tests := []struct{ in, want string }{
		{"11010519491231002x", "11010519491231002X"},
		{"  11010519491231002x\t", "11010519491231002X"},
		{"\u300041010219900307001９\u3000", "41010219900307001９"},
		{"\u3000 410102199003070019 \u3000", "410102199003070019"},
	}
	for _, tt := range tests {
		if got := NormalizeIDNumber(tt.in); got != tt.want {
			t.Errorf("NormalizeIDNumber(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	// A normalised lower-case x form validates.
	if err := ValidateIDNumber(NormalizeIDNumber(" 11010519491231002x\u3000"), "女", testToday); err != nil {
		t.Errorf("normalised lower-case x: %v", err)
	}
}

func TestMaskIDNumber(t *testing.T) {
	tests := []struct{ in, want string }{
		{"410102199001010014", "410102********0014"},
		{"11010519491231002X", "110105********002X"},
		{"410102900307001", "410102*****7001"}, // 15-digit old form
		{"4101020014", "4101020014"},
		{"123456789", "*********"},
		{"", ""},
	}
	for _, tt := range tests {
		got := MaskIDNumber(tt.in)
		if got != tt.want {
			t.Errorf("MaskIDNumber(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	// The birth date never shows on a masked 18-digit number.
	id := "410102199001010014"
	if m := MaskIDNumber(id); strings.Contains(m, "19900101") || strings.Contains(m, "1990") {
		t.Errorf("MaskIDNumber(%q) = %q leaks the birth date", id, m)
	}
	c := Certificate{IDNumber: id}
	if got := c.MaskedIDNumber(); got != "410102********0014" {
		t.Errorf("Certificate.MaskedIDNumber() = %q", got)
	}
}

func TestMakeIDNumber(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	regions := []string{"410102", "410105", "110105", "440524", "650102", "810000"}
	for i := 0; i < 2000; i++ {
		region := regions[r.IntN(len(regions))]
		birth := time.Date(1940+r.IntN(80), time.January, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, r.IntN(366))
		seq := r.IntN(5000)
		male := r.IntN(2) == 0
		id := MakeIDNumber(region, birth, seq, male)
		sex, other := "女", "男"
		if male {
			sex, other = "男", "女"
		}
		if len(id) != 18 || id[:6] != region || id[6:14] != birth.Format("20060102") {
			t.Fatalf("MakeIDNumber(%s, %s, %d, %v) = %q: wrong layout", region, birth.Format("20060102"), seq, male, id)
		}
		if want := withCheck(t, id[:17]); id != want {
			t.Fatalf("MakeIDNumber = %q, reference check gives %q", id, want)
		}
		if err := ValidateIDNumber(id, sex, testToday); err != nil {
			t.Fatalf("MakeIDNumber(%s, %s, %d, male=%v) = %q does not validate: %v", region, birth.Format("20060102"), seq, male, id, err)
		}
		if err := ValidateIDNumber(id, other, testToday); err == nil {
			t.Fatalf("%q validated as both sexes", id)
		}
	}
}

// IDCheckChar is the MOD 11-2 of the certificate number: the same algorithm
// over 17 digits must give the same character.
func TestMod112AgreesWithIDCheckChar(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	b := make([]byte, 17)
	seen := map[byte]bool{}
	for i := 0; i < 20000; i++ {
		for j := range b {
			b[j] = byte('0' + r.IntN(10))
		}
		s := string(b)
		got, want := mod11_2(s), IDCheckChar(s)
		if got != want {
			t.Fatalf("mod11_2(%s) = %c, IDCheckChar = %c", s, got, want)
		}
		if ref := refCheck(t, s); got != ref {
			t.Fatalf("mod11_2(%s) = %c, reference = %c", s, got, ref)
		}
		seen[got] = true
	}
	if len(seen) != 11 {
		t.Errorf("only %d distinct check characters seen, want all 11", len(seen))
	}
}
