package model

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// GlyphChecker reports the characters of s that no configured font can draw.
// The PDF renderer implements it; issuance refuses text it would print wrong.
type GlyphChecker interface {
	Missing(s string) []rune
}

// RawRow is one roster row as written, before validation.
type RawRow struct {
	Name, Sex, IDNumber, Occupation, Level, OrgName, Employer, IssuedOn string
}

// IssueRequest is a validated request to issue one certificate.
type IssueRequest struct {
	Row        int // roster row number, for reports; 0 when not from a roster
	Name       string
	Sex        string
	IDNumber   string
	Occupation string
	Level      Level
	OrgName    string
	Employer   string
	IssuedOn   time.Time
	Source     Source
	PaperNo    string
}

// ActiveKey is the uniqueness key of the certificate this request would make.
func (r *IssueRequest) ActiveKey() string { return ActiveKeyFor(r.IDNumber, r.Occupation, r.Level) }

// Parse validates every field and returns all problems at once, each a
// Chinese sentence an office clerk can fix in the spreadsheet. today bounds
// dates; glyphs may be nil (then printability is not checked).
func (raw RawRow) Parse(today time.Time, glyphs GlyphChecker) (IssueRequest, []error) {
	var errs []error
	req := IssueRequest{
		Name:       cleanText(raw.Name),
		Sex:        strings.TrimSuffix(cleanText(raw.Sex), "性"),
		IDNumber:   NormalizeIDNumber(raw.IDNumber),
		Occupation: cleanText(raw.Occupation),
		OrgName:    cleanText(raw.OrgName),
		Employer:   cleanText(raw.Employer),
		Source:     SourceElectronic,
	}
	if err := ValidateName(req.Name); err != nil {
		errs = append(errs, err)
	}
	sexOK := req.Sex == "男" || req.Sex == "女"
	if !sexOK {
		errs = append(errs, invalid("性别", "性别应为「男」或「女」"))
	}
	sexForCheck := req.Sex
	if !sexOK {
		sexForCheck = "" // do not report a second, derived error
	}
	if err := ValidateIDNumber(req.IDNumber, sexForCheck, today); err != nil {
		errs = append(errs, err)
	}
	errs = appendTextError(errs, "职业（工种）", req.Occupation, 64)
	if lvl, err := ParseLevel(raw.Level); err != nil {
		errs = append(errs, err)
	} else {
		req.Level = lvl
	}
	errs = appendTextError(errs, "培训考核机构", req.OrgName, 128)
	if utf8.RuneCountInString(req.Employer) > 128 {
		errs = append(errs, invalid("工作单位", "工作单位不能超过128个字"))
	}
	if d, err := ParseDate(strings.TrimSpace(raw.IssuedOn)); err != nil {
		errs = append(errs, err)
	} else if d.After(today) {
		errs = append(errs, invalid("发证日期", "发证日期不能晚于今天"))
	} else if d.Before(ElectronicStart) {
		errs = append(errs, invalid("发证日期", "发证日期不能早于2019-03-01（电子证书自该日起颁发）"))
	} else {
		req.IssuedOn = d
	}
	if glyphs != nil {
		for _, f := range []struct{ field, text string }{
			{"姓名", req.Name}, {"职业（工种）", req.Occupation}, {"培训考核机构", req.OrgName},
		} {
			if missing := glyphs.Missing(f.text); len(missing) > 0 {
				errs = append(errs, invalid(f.field, f.field+"中的字「"+string(missing)+"」无法用证书字体打印，请核对或联系管理员添加字体"))
			}
		}
	}
	return req, errs
}

// ValidateName checks a 姓名: Chinese characters, optionally with the middle
// dot of minority names (阿依古丽·买买提), or Latin letters and spaces for
// foreign holders.
func ValidateName(name string) error {
	const field = "姓名"
	n := utf8.RuneCountInString(name)
	if n == 0 {
		return invalid(field, "姓名不能为空")
	}
	if n > 32 {
		return invalid(field, "姓名不能超过32个字")
	}
	for _, r := range name {
		switch {
		case unicode.Is(unicode.Han, r):
		case r == '·' || r == '•' || r == '・':
		case r == ' ' || (r < 128 && unicode.IsLetter(r)):
		default:
			return invalid(field, "姓名含有无效字符「"+string(r)+"」")
		}
	}
	return nil
}

func appendTextError(errs []error, field, text string, max int) []error {
	n := utf8.RuneCountInString(text)
	if n == 0 {
		return append(errs, invalid(field, field+"不能为空"))
	}
	if n > max {
		return append(errs, invalid(field, field+"过长"))
	}
	for _, r := range text {
		if unicode.IsControl(r) {
			return append(errs, invalid(field, field+"含有控制字符"))
		}
	}
	return errs
}

// cleanText trims ASCII and full-width blanks and collapses inner runs of
// blanks, which copy-paste from other systems leaves behind.
func cleanText(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || r == '\u3000' || r == '\u200b' || r == '\ufeff'
	}), " ")
}
