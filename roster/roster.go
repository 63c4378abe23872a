// Package roster parses the training rosters that organisations upload
// (.csv or .xlsx) into rows of trimmed strings. It deliberately does not
// judge values: ID numbers, levels and dates are validated by the caller, so
// that every problem in a file can be reported at once with its row number.
package roster

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
)

// Row is one data row.
type Row struct {
	// Number is the row number a spreadsheet user sees: the header row is
	// normally 1, so the first data row is 2. Blank rows and any title rows
	// above the header are counted, so the number always points at the
	// right line when the file is opened in Excel or WPS.
	Number     int
	Name       string // 姓名
	Sex        string // 性别
	IDNumber   string // 身份证号
	Occupation string // 职业（工种）
	Level      string // 等级
	OrgName    string // 培训考核机构
	Employer   string // 工作单位 (optional column; empty when absent)
	IssuedOn   string // 发证日期, as written (the caller parses it); real Excel dates become YYYY-MM-DD
	// IDIsNumber is set when the workbook stored 身份证号 as a number:
	// Excel keeps 15 significant digits, so the last ones are already lost
	// and the value must not be trusted even if its check digit happens
	// to fit.
	IDIsNumber bool
}

// MaxRows bounds a roster (data rows, blank rows not counted); a larger file
// is refused rather than truncated so no one is silently left out.
const MaxRows = 200000

// MaxFileSize is the largest file Parse accepts. It keeps a mistaken or
// hostile upload from exhausting memory, since both formats are read whole.
const MaxFileSize = 64 << 20

// Limits as variables so tests can exercise them without 64 MiB inputs.
var (
	maxRows  = MaxRows
	maxBytes = int64(MaxFileSize)
)

var (
	errEmpty = errors.New("文件为空")
)

func errTooManyRows() error {
	return fmt.Errorf("数据行超过上限：最多 %d 行，请拆分成多个文件后分别导入", maxRows)
}

func errTooLarge() error {
	return fmt.Errorf("文件过大：超过 %d MiB 上限，请拆分成多个文件后分别导入", maxBytes>>20)
}

// Parse picks the format from the file name's extension (.csv, .xlsx;
// case-insensitive) and parses r.
func Parse(r io.Reader, filename string) ([]Row, error) {
	ext := strings.ToLower(filepath.Ext(filename))
	switch ext {
	case ".csv":
		return ParseCSV(r)
	case ".xlsx":
		return ParseXLSX(r)
	case "":
		return nil, fmt.Errorf("无法识别的文件类型：%q 没有扩展名（请使用 .xlsx 或 .csv）", filepath.Base(filename))
	default:
		return nil, fmt.Errorf("无法识别的文件类型：%s（请使用 .xlsx 或 .csv）", filepath.Ext(filename))
	}
}

// readLimited reads all of r but refuses more than maxBytes. Reading one
// byte past the limit is how an over-limit file is told apart from one that
// is exactly at the limit.
func readLimited(r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("读取文件失败：%w", err)
	}
	if int64(len(data)) > maxBytes {
		return nil, errTooLarge()
	}
	return data, nil
}
