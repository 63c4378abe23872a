package roster

import (
	"strings"
)

// Column indexes into Row's fields, in the order they are reported.
const (
	colName = iota
	colSex
	colID
	colOccupation
	colLevel
	colOrg
	colEmployer
	colIssuedOn
	numCols
)

// colTitles are the canonical header names, used in error messages so a user
// can copy them straight into the file.
var colTitles = [numCols]string{
	"姓名", "性别", "身份证号", "职业（工种）", "等级", "培训考核机构", "工作单位", "发证日期",
}

// optional columns may be absent from the header; every other one is required.
var optional = [numCols]bool{colEmployer: true}

// aliases maps a normalised header (see normHeader) to its column. The
// variants are those found in the templates organisations actually use.
var aliases = map[string]int{
	"姓名":      colName,
	"性别":      colSex,
	"身份证号":    colID,
	"身份证号码":   colID,
	"身份证":     colID,
	"公民身份号码":  colID,
	"公民身份证号码": colID,
	"职业(工种)":  colOccupation,
	"职业/工种":   colOccupation,
	"职业":      colOccupation,
	"工种":      colOccupation,
	"等级":      colLevel,
	"培训考核机构":  colOrg,
	"工作单位":    colEmployer,
	"单位":      colEmployer,
	"发证日期":    colIssuedOn,
	"发证时间":    colIssuedOn,
}

// headerNorm folds the full-width punctuation that Chinese input methods
// produce by default into the ASCII forms used in aliases.
var headerNorm = strings.NewReplacer("（", "(", "）", ")", "／", "/")

// normHeader reduces a header cell to the form used as a key in aliases.
// Spaces are removed everywhere, not just at the edges, because templates
// often pad two-character titles for alignment ("姓　名") or wrap them with
// Alt+Enter; the "*" marks a required column in many templates.
func normHeader(s string) string {
	s = strings.Map(func(r rune) rune {
		if isTrimmable(r) {
			return -1
		}
		return r
	}, s)
	s = strings.Trim(s, "*＊")
	return headerNorm.Replace(s)
}

// HeaderError is returned when the header row is missing required columns or
// names a column more than once. Missing and Duplicate hold canonical column
// names (e.g. "职业（工种）") in the order of the roster layout.
type HeaderError struct{ Missing, Duplicate []string }

func (e *HeaderError) Error() string {
	var parts []string
	if len(e.Missing) > 0 {
		parts = append(parts, "表头缺少列："+strings.Join(e.Missing, "、"))
	}
	if len(e.Duplicate) > 0 {
		parts = append(parts, "表头列重复："+strings.Join(e.Duplicate, "、"))
	}
	if len(parts) == 0 {
		return "表头有误"
	}
	return strings.Join(parts, "；")
}

// mapHeader finds each roster column in a header row. idx[c] is the cell
// index of column c, or -1. known counts cells that matched an alias, which
// lets the caller tell a broken header from a title line above it.
func mapHeader(cells []string) (idx [numCols]int, known int, err *HeaderError) {
	for c := range idx {
		idx[c] = -1
	}
	var dup [numCols]bool
	for i, cell := range cells {
		c, ok := aliases[normHeader(cell)]
		if !ok {
			continue // unknown columns (序号, 备注, ...) are allowed and ignored
		}
		known++
		if idx[c] >= 0 {
			dup[c] = true
			continue
		}
		idx[c] = i
	}
	var he HeaderError
	for c := range numCols {
		if idx[c] < 0 && !optional[c] {
			he.Missing = append(he.Missing, colTitles[c])
		}
		if dup[c] {
			he.Duplicate = append(he.Duplicate, colTitles[c])
		}
	}
	if he.Missing != nil || he.Duplicate != nil {
		return idx, known, &he
	}
	return idx, known, nil
}
