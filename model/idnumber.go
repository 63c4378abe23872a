package model

import (
	"strings"
	"time"
)

// The 18-character 公民身份号码 of GB 11643-1999:
//
//	positions 1-6   administrative region code (first two digits: province)
//	positions 7-14  date of birth YYYYMMDD
//	positions 15-17 sequence; the 17th digit is odd for men, even for women
//	position 18     ISO 7064 MOD 11-2 check character (0-9 or X)

// idWeights are 2^(17-i) mod 11 for i = 0..16, the MOD 11-2 weights.
var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// idCheckChars maps (sum mod 11) onto the check character.
const idCheckChars = "10X98765432"

// provinceCodes are the first two digits in use for mainland provinces,
// autonomous regions and municipalities (GB/T 2260), plus 71 (Taiwan in
// GB/T 2260) and 81/82/83, the codes of the residence permits for Hong Kong,
// Macao and Taiwan residents (address code 810000, 820000, 830000).
var provinceCodes = map[string]bool{
	"11": true, "12": true, "13": true, "14": true, "15": true,
	"21": true, "22": true, "23": true,
	"31": true, "32": true, "33": true, "34": true, "35": true, "36": true, "37": true,
	"41": true, "42": true, "43": true, "44": true, "45": true, "46": true,
	"50": true, "51": true, "52": true, "53": true, "54": true,
	"61": true, "62": true, "63": true, "64": true, "65": true,
	"71": true, "81": true, "82": true, "83": true,
}

// permitCodes are the province codes of 港澳台居民居住证 numbers, whose
// address code is the whole region: 810000, 820000, 830000.
var permitCodes = map[string]bool{"81": true, "82": true, "83": true}

// NormalizeIDNumber trims blanks and upper-cases a trailing x, the forms in
// which people commonly type an ID number.
func NormalizeIDNumber(s string) string {
	s = strings.TrimSpace(strings.Trim(s, "\u3000"))
	return strings.ToUpper(s)
}

// IDCheckChar computes the check character for the first 17 digits.
func IDCheckChar(first17 string) byte {
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(first17[i]-'0') * idWeights[i]
	}
	return idCheckChars[sum%11]
}

// ValidateIDNumber checks an already normalised ID number against
// GB 11643-1999 and, when sex is "男" or "女", that the sex digit agrees.
// today bounds the birth date (no one is born in the future).
func ValidateIDNumber(id, sex string, today time.Time) error {
	const field = "身份证号"
	if id == "" {
		return invalid(field, "身份证号不能为空")
	}
	if len(id) != 18 {
		return invalid(field, "身份证号应为18位")
	}
	for i := 0; i < 17; i++ {
		if id[i] < '0' || id[i] > '9' {
			return invalid(field, "身份证号前17位应为数字")
		}
	}
	last := id[17]
	if !(last >= '0' && last <= '9') && last != 'X' {
		return invalid(field, "身份证号末位应为数字或X")
	}
	if !provinceCodes[id[:2]] || (id[2:6] == "0000" && !permitCodes[id[:2]]) {
		return invalid(field, "身份证号地区码无效")
	}
	birth, err := time.ParseInLocation("20060102", id[6:14], ChinaZone)
	if err != nil {
		return invalid(field, "身份证号出生日期无效")
	}
	if birth.Year() < 1900 || birth.After(today) {
		return invalid(field, "身份证号出生日期无效")
	}
	if IDCheckChar(id) != last {
		return invalid(field, "身份证号校验位错误")
	}
	odd := (id[16]-'0')%2 == 1
	switch sex {
	case "男":
		if !odd {
			return invalid(field, "身份证号与性别不符（第17位奇数为男、偶数为女）")
		}
	case "女":
		if odd {
			return invalid(field, "身份证号与性别不符（第17位奇数为男、偶数为女）")
		}
	}
	return nil
}

// MaskIDNumber shows the region code and the last four characters only, the
// form used on every public surface: 410102********0014.
func MaskIDNumber(id string) string {
	if len(id) < 10 {
		return strings.Repeat("*", len(id))
	}
	return id[:6] + strings.Repeat("*", len(id)-10) + id[len(id)-4:]
}

// MakeIDNumber builds a valid ID number from its parts. Tests, benchmarks and
// demo data use it; production code never invents ID numbers.
func MakeIDNumber(region string, birth time.Time, seq int, male bool) string {
	seq %= 1000
	if male && seq%2 == 0 {
		seq++
	} else if !male && seq%2 == 1 {
		seq--
	}
	first17 := region + birth.Format("20060102") + pad3(seq)
	return first17 + string(IDCheckChar(first17))
}

func pad3(n int) string {
	b := []byte{'0' + byte(n/100%10), '0' + byte(n/10%10), '0' + byte(n%10)}
	return string(b)
}
