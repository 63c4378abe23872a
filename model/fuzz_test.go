package model

import (
	"strconv"
	"strings"
	"testing"
)

func FuzzValidateIDNumber(f *testing.F) {
	for _, s := range []string{
		"11010519491231002X",
		"410102199003070019",
		"410105198506120027",
		"41030519751120001X",
		"410102200002290023",
		"810000198001010022",
		"410102199003070018", // wrong check
		"41010219900230001X", // 30 February
		"11010519491231002x", // lower-case x
		"41010220260401001X", // future
		"41010219900307001",  // 17 digits
		"",
		"４１０１０２１９９００３０７００１９",
		"4101021990030700\x00X",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		err := ValidateIDNumber(id, "", testToday)
		_ = MaskIDNumber(id)
		_ = NormalizeIDNumber(id)
		if err != nil {
			return
		}
		if len(id) != 18 {
			t.Fatalf("accepted %q of length %d", id, len(id))
		}
		m := MaskIDNumber(id)
		if len(m) != 18 || m[:6] != id[:6] || m[14:] != id[14:] || m[6:14] != "********" {
			t.Fatalf("MaskIDNumber(%q) = %q, want 6 + 8 stars + 4", id, m)
		}
		if n := 18 - strings.Count(m, "*"); n != 10 {
			t.Fatalf("MaskIDNumber(%q) = %q shows %d characters, want 10", id, m, n)
		}
		// Exactly one sex agrees with the 17th digit.
		male := ValidateIDNumber(id, "男", testToday) == nil
		female := ValidateIDNumber(id, "女", testToday) == nil
		if male == female {
			t.Fatalf("%q: accepted as 男=%v, 女=%v; want exactly one", id, male, female)
		}
		// Any single mistyped digit among the first 17 is caught.
		b := []byte(id)
		for i := 0; i < 17; i++ {
			orig := b[i]
			for d := byte('0'); d <= '9'; d++ {
				if d == orig {
					continue
				}
				b[i] = d
				if ValidateIDNumber(string(b), "", testToday) == nil {
					t.Fatalf("%q accepted, and so is %q (position %d changed)", id, b, i+1)
				}
			}
			b[i] = orig
		}
	})
}

func FuzzValidateCertNo(f *testing.F) {
	for _, s := range []string{
		"HN2026000000018",
		"HN2026000000026",
		"HN2019000000012",
		"HN2026123456787",
		"HN2026000000017", // wrong check
		"HN000000000001X", // year 0000
		"HN0999000000016", // year 0999
		"HN2026000000000", // serial 0
		"hn2026000000018",
		"HN202600000001",
		"HN20260000000181",
		"HN2026-00000018",
		"",
		"HN",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, no string) {
		_ = LooksLikeCertNo(no)
		n := NormalizeCertNo(no)
		_ = ValidateCertNo(n)
		if ValidateCertNo(no) != nil {
			return
		}
		if len(no) != CertNoLen || !strings.HasPrefix(no, CertNoPrefix) {
			t.Fatalf("accepted %q of wrong shape", no)
		}
		year, err1 := strconv.Atoi(no[2:6])
		serial, err2 := strconv.Atoi(no[6:14])
		if err1 != nil || err2 != nil {
			t.Fatalf("accepted %q whose year/serial do not parse: %v %v", no, err1, err2)
		}
		again, err := FormatCertNo(year, serial)
		if err != nil {
			t.Fatalf("accepted %q, but FormatCertNo(%d, %d) fails: %v", no, year, serial, err)
		}
		if again != no {
			t.Fatalf("accepted %q, but FormatCertNo(%d, %d) = %q", no, year, serial, again)
		}
		if !LooksLikeCertNo(no) || NormalizeCertNo(no) != no {
			t.Fatalf("accepted %q is not recognised or not normal", no)
		}
	})
}
