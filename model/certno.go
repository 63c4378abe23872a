package model

import (
	"fmt"
	"strconv"
)

// 证书编号 rule (also in the README):
//
//	HN YYYY NNNNNNNN C
//	│  │    │        └ check character: ISO 7064 MOD 11-2 over the 12 digits (0-9 or X)
//	│  │    └ serial within the year of issue, from 00000001, in order of issue
//	│  └ year of issue (发证日期)
//	└ province prefix (河南)
//
// Example: HN2026000000018. The check character catches every single mistyped
// digit and every swap of two adjacent digits, so a query with a typo is
// answered "编号有误" without asking the database.
const (
	CertNoPrefix = "HN"
	CertNoLen    = 2 + 4 + 8 + 1
	maxSerial    = 99999999
)

// mod11_2 returns the ISO 7064 MOD 11-2 check character of a digit string.
// It is the same algorithm as the 身份证号 check character.
func mod11_2(digits string) byte {
	p := 0
	for i := 0; i < len(digits); i++ {
		p = (p + int(digits[i]-'0')) * 2 % 11
	}
	c := (12 - p) % 11
	if c == 10 {
		return 'X'
	}
	return byte('0' + c)
}

// FormatCertNo builds the 证书编号 for a year and serial.
func FormatCertNo(year, serial int) (string, error) {
	if year < 1000 || year > 9999 {
		return "", fmt.Errorf("certificate year %d out of range: %w", year, ErrInvalid)
	}
	if serial < 1 || serial > maxSerial {
		return "", fmt.Errorf("certificate serial %d out of range 1..%d: %w", serial, maxSerial, ErrInvalid)
	}
	digits := fmt.Sprintf("%04d%08d", year, serial)
	return CertNoPrefix + digits + string(mod11_2(digits)), nil
}

// NormalizeCertNo upper-cases and trims what a person typed.
func NormalizeCertNo(s string) string {
	return NormalizeIDNumber(s) // same treatment: trim blanks, upper-case x
}

// ValidateCertNo checks the shape and check character of a normalised 证书编号.
func ValidateCertNo(no string) error {
	const field = "证书编号"
	if len(no) != CertNoLen || no[:2] != CertNoPrefix {
		return invalid(field, "证书编号格式不正确（应为HN开头的15位编号）")
	}
	digits := no[2:14]
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return invalid(field, "证书编号格式不正确（应为HN开头的15位编号）")
		}
	}
	if mod11_2(digits) != no[14] {
		return invalid(field, "证书编号校验位错误")
	}
	// Only what FormatCertNo can issue: year 1000-9999, serial from 1.
	if year, _ := strconv.Atoi(digits[:4]); year < 1000 {
		return invalid(field, "证书编号格式不正确（应为HN开头的15位编号）")
	}
	if serial, _ := strconv.Atoi(digits[4:]); serial == 0 {
		return invalid(field, "证书编号格式不正确（应为HN开头的15位编号）")
	}
	return nil
}

// LooksLikeCertNo tells free text (a WeChat message, a query box) that is
// meant as a 证书编号 apart from a name, before it is validated.
func LooksLikeCertNo(s string) bool {
	return len(s) >= 2 && (s[:2] == CertNoPrefix || s[:2] == "hn")
}
