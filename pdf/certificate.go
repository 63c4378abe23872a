package pdf

import (
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Certificate is everything printed on the certificate (附件1 layout).
type Certificate struct {
	Occupation string    // 职业（工种）
	Level      string    // 等级 display text, e.g. "四级/中级工"
	Name       string    // 姓名
	Sex        string    // 性别 "男"/"女"
	IDNumber   string    // 身份证号 (printed in full on the holder's own certificate)
	CertNo     string    // 证书编号
	OrgName    string    // 培训考核机构
	IssuedOn   time.Time // 发证时间, printed as "2026年3月1日"
	VerifyURL  string    // encoded into the QR code
	Website    string    // query site printed in the footer line
	Revoked    bool      // overlays a red "已注销" mark
}

// chinaTime is Beijing time. China has had no daylight saving since 1991,
// so a fixed zone is exact and avoids depending on a tzdata install.
var chinaTime = time.FixedZone("CST", 8*3600)

// issuedDate formats the issue date the way Chinese official documents do,
// without zero padding. The date is taken in Beijing time so that an
// instant stored in UTC prints the calendar day the holder saw.
func issuedDate(t time.Time) string {
	t = t.In(chinaTime)
	b := strconv.AppendInt(nil, int64(t.Year()), 10)
	b = append(b, "年"...)
	b = strconv.AppendInt(b, int64(t.Month()), 10)
	b = append(b, "月"...)
	b = strconv.AppendInt(b, int64(t.Day()), 10)
	return string(append(b, "日"...))
}

// ErrMissingGlyph is wrapped by Render's error when some character of the
// certificate cannot be drawn by any configured font. A certificate with a
// blank where a name character should be is worse than no certificate.
var ErrMissingGlyph = errors.New("no configured font can draw a character")

// validate rejects certificates that would print something misleading.
func (c *Certificate) validate() error {
	switch {
	case c.Name == "":
		return errors.New("pdf: certificate has no holder name")
	case c.CertNo == "":
		return errors.New("pdf: certificate has no number")
	case c.VerifyURL == "":
		return errors.New("pdf: certificate has no verification URL for the QR code")
	case c.IssuedOn.IsZero():
		return errors.New("pdf: certificate has no issue date")
	}
	return nil
}

// missingError names the undrawable characters with their code points, so
// an operator can tell which font to add.
func missingError(field string, rs []rune) error {
	s := ""
	for i, r := range rs {
		if i > 0 {
			s += " "
		}
		s += fmt.Sprintf("%q(U+%04X)", r, r)
	}
	return fmt.Errorf("pdf: %s: %w: %s", field, ErrMissingGlyph, s)
}
