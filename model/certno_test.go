package model

import (
	"errors"
	"math/rand/v2"
	"strconv"
	"testing"
)

func TestFormatCertNo(t *testing.T) {
	tests := []struct {
		year, serial int
		want         string
	}{
		{2026, 1, "HN2026000000018"},
		{2026, 2, "HN2026000000026"},
		{2019, 1, "HN2019000000012"},
		{2024, 5, "HN2024000000051"},
		{2026, 12345678, "HN2026123456787"},
	}
	for _, tt := range tests {
		got, err := FormatCertNo(tt.year, tt.serial)
		if err != nil || got != tt.want {
			t.Errorf("FormatCertNo(%d, %d) = %q, %v; want %q", tt.year, tt.serial, got, err, tt.want)
		}
		if len(got) != CertNoLen {
			t.Errorf("FormatCertNo(%d, %d) has %d characters, want %d", tt.year, tt.serial, len(got), CertNoLen)
		}
		if c := refCheck(t, got[2:14]); got[14] != c {
			t.Errorf("FormatCertNo(%d, %d) = %q, reference check character is %c", tt.year, tt.serial, got, c)
		}
	}
}

func TestFormatCertNoRange(t *testing.T) {
	tests := []struct{ year, serial int }{
		{999, 1}, {10000, 1}, {0, 1}, {-2026, 1},
		{2026, 0}, {2026, -1}, {2026, 100000000},
	}
	for _, tt := range tests {
		got, err := FormatCertNo(tt.year, tt.serial)
		if !errors.Is(err, ErrInvalid) || got != "" {
			t.Errorf("FormatCertNo(%d, %d) = %q, %v; want ErrInvalid", tt.year, tt.serial, got, err)
		}
	}
	for _, tt := range []struct{ year, serial int }{{1000, 1}, {9999, 99999999}} {
		if _, err := FormatCertNo(tt.year, tt.serial); err != nil {
			t.Errorf("FormatCertNo(%d, %d): %v", tt.year, tt.serial, err)
		}
	}
}

func TestCertNoRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	seen := map[byte]bool{}
	for i := 0; i < 5000; i++ {
		year, serial := 2019+r.IntN(30), 1+r.IntN(99999999)
		no, err := FormatCertNo(year, serial)
		if err != nil {
			t.Fatal(err)
		}
		if err := ValidateCertNo(no); err != nil {
			t.Fatalf("ValidateCertNo(FormatCertNo(%d, %d) = %q) = %v", year, serial, no, err)
		}
		y, _ := strconv.Atoi(no[2:6])
		s, _ := strconv.Atoi(no[6:14])
		if y != year || s != serial {
			t.Fatalf("%q reads back as %d/%d, want %d/%d", no, y, s, year, serial)
		}
		seen[no[14]] = true
	}
	if !seen['X'] {
		t.Error("no certificate number with check character X in 5000; the X case is untested")
	}
}

func TestValidateCertNoRejects(t *testing.T) {
	const shape = "证书编号格式不正确（应为HN开头的15位编号）"
	const check = "证书编号校验位错误"
	tests := []struct{ name, no, msg string }{
		{"empty", "", shape},
		{"prefix only", "HN", shape},
		{"14 chars", "HN202600000001", shape},
		{"16 chars", "HN20260000000181", shape},
		{"lower-case prefix (not normalised)", "hn2026000000018", shape},
		{"other province", "HA2026000000018", shape},
		{"letter in digits", "HN2026A00000018", shape},
		{"dash", "HN2026-00000018", shape},
		{"X in digits", "HN202600000X018", shape},
		{"full-width digit", "HN2026000000０18", shape},
		{"wrong check", "HN2026000000017", check},
		{"lower-case x check", "HN000000000001x", check},
		{"serial 0", "HN2026" + "00000000" + string(mod11_2("202600000000")), shape},
		{"year 0000", "HN000000000001X", shape},
		{"year 0999", "HN0999000000016", shape},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fieldErr(t, ValidateCertNo(tt.no), "证书编号", tt.msg, true)
		})
	}
}

// validCertNos returns valid numbers covering every check character.
func validCertNos(t *testing.T) []string {
	nos := []string{"HN2026000000018", "HN2026123456787"}
	need := map[byte]bool{}
	for c := range "0123456789X" {
		need["0123456789X"[c]] = true
	}
	for serial := 1; len(need) > 0 || len(nos) < 40; serial += 7919 {
		no, err := FormatCertNo(2026, serial)
		if err != nil {
			t.Fatal(err)
		}
		if need[no[14]] || len(nos) < 40 {
			delete(need, no[14])
			nos = append(nos, no)
		}
	}
	return nos
}

// The documented promise: every single mistyped digit is caught.
func TestCertNoCatchesEverySubstitution(t *testing.T) {
	for _, no := range validCertNos(t) {
		b := []byte(no)
		for i := 2; i < CertNoLen; i++ {
			orig := b[i]
			for _, c := range []byte("0123456789X") {
				if c == orig {
					continue
				}
				b[i] = c
				if err := ValidateCertNo(string(b)); err == nil {
					t.Errorf("%s: substitution at position %d gives %s, which validates", no, i+1, b)
				}
			}
			b[i] = orig
		}
	}
}

// The documented promise: every swap of two adjacent characters is caught.
func TestCertNoCatchesEveryAdjacentTransposition(t *testing.T) {
	swaps := 0
	for _, no := range validCertNos(t) {
		for i := 0; i+1 < CertNoLen; i++ {
			b := []byte(no)
			if b[i] == b[i+1] {
				continue // no change
			}
			b[i], b[i+1] = b[i+1], b[i]
			swaps++
			if err := ValidateCertNo(string(b)); err == nil {
				t.Errorf("%s: swapping positions %d and %d gives %s, which validates", no, i+1, i+2, b)
			}
		}
	}
	if swaps < 100 {
		t.Fatalf("only %d transpositions tried", swaps)
	}
}

func TestNormalizeAndLooksLikeCertNo(t *testing.T) {
	norm := []struct{ in, want string }{
		{" hn2026000000018 ", "HN2026000000018"},
		{"\u3000HN000000000001x\u3000", "HN000000000001X"},
		{"Hn2026000000018\n", "HN2026000000018"},
	}
	for _, tt := range norm {
		if got := NormalizeCertNo(tt.in); got != tt.want {
			t.Errorf("NormalizeCertNo(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if err := ValidateCertNo(NormalizeCertNo(" hn2026000000018\u3000")); err != nil {
		t.Errorf("normalised typed number: %v", err)
	}
	looks := []struct {
		in   string
		want bool
	}{
		{"HN2026000000018", true},
		{"hn2026", true},
		{"HN", true},
		{"H", false},
		{"", false},
		{"张三", false},
		{"410102199003070019", false},
	}
	for _, tt := range looks {
		if got := LooksLikeCertNo(tt.in); got != tt.want {
			t.Errorf("LooksLikeCertNo(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
