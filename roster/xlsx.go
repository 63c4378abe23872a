package roster

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/xuri/excelize/v2"
)

// unzipLimit caps the decompressed size of a workbook. A 64 MiB .xlsx of
// plain text cells expands roughly tenfold; anything far beyond that is a
// zip bomb, not a roster.
const unzipLimit = 512 << 20

// ParseXLSX parses an Excel workbook. It reads the sheet that was active when
// the file was saved; if that sheet has no roster header (an instructions
// sheet, say) the other sheets are tried in order.
func ParseXLSX(r io.Reader) ([]Row, error) {
	data, err := readLimited(r)
	if err != nil {
		return nil, err
	}
	if len(data) == 0 {
		return nil, errEmpty
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: unzipLimit})
	if err != nil {
		return nil, xlsxOpenError(err)
	}
	defer f.Close()

	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, errEmpty
	}
	active := f.GetActiveSheetIndex()
	if active < 0 || active >= len(sheets) {
		active = 0
	}
	order := append([]string{sheets[active]}, sheets[:active]...)
	order = append(order, sheets[active+1:]...)

	var firstErr error
	for _, sheet := range order {
		rows, noRoster, err := parseSheet(f, sheet)
		if err != nil && len(sheets) > 1 {
			err = fmt.Errorf("工作表“%s”：%w", sheet, err)
		}
		// Only a sheet with no roster header at all is passed over. A sheet
		// whose header is recognisably a roster but wrong is reported, or
		// an outdated roster on a later sheet could be imported instead.
		if !noRoster {
			return rows, err
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	return nil, firstErr
}

// parseSheet parses one worksheet. noRoster reports that the sheet has no
// roster header, or could not be read as cells (a chart sheet).
func parseSheet(f *excelize.File, sheet string) (rows []Row, noRoster bool, err error) {
	// The iterator streams the sheet, so an oversized one is refused at
	// the row limit instead of being loaded whole first.
	it, err := f.Rows(sheet)
	if err != nil {
		return nil, true, fmt.Errorf("无法读取工作表：%w", err)
	}
	defer it.Close()
	t := table{convertDate: dateConverter(f, sheet), idIsNumber: numberCell(f, sheet)}
	// Next visits every row number, padding gaps in the XML with empty
	// rows, so counting calls gives the spreadsheet row number.
	for number := 1; it.Next(); number++ {
		// Raw values: the number format would otherwise render an ID
		// number stored as a number as "4.10102E+17" or with thousands
		// separators, and dates in whatever locale format the cell uses.
		cells, err := it.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, t.noRoster(), fmt.Errorf("第 %d 行无法读取：%w", number, err)
		}
		if err := t.add(number, cells); err != nil {
			return nil, t.noRoster(), err
		}
	}
	if err := it.Error(); err != nil {
		return nil, t.noRoster(), fmt.Errorf("无法读取工作表：%w", err)
	}
	rows, err = t.finish()
	return rows, t.noRoster(), err
}

// numberCell reports whether a cell holds a number rather than text.
func numberCell(f *excelize.File, sheet string) func(col, number int) bool {
	return func(col, number int) bool {
		axis, err := excelize.CoordinatesToCellName(col+1, number)
		if err != nil {
			return false
		}
		typ, err := f.GetCellType(sheet, axis)
		// An untyped cell with a value is a number in SpreadsheetML.
		return err == nil && (typ == excelize.CellTypeNumber || typ == excelize.CellTypeUnset)
	}
}

// dateConverter returns a function that renders a numeric cell formatted as
// a date as YYYY-MM-DD. A number without a date format is left alone: the
// user sees a plain number in Excel too, and the validator reports it.
func dateConverter(f *excelize.File, sheet string) func(col, number int, v string) string {
	date1904 := false
	if p, err := f.GetWorkbookProps(); err == nil && p.Date1904 != nil {
		date1904 = *p.Date1904
	}
	isDate := map[int]bool{} // by style ID; a roster uses only a handful
	return func(col, number int, v string) string {
		serial, err := strconv.ParseFloat(v, 64)
		// Upper bound is 9999-12-31, Excel's last date.
		if err != nil || math.IsNaN(serial) || serial <= 0 || serial >= 2958466 {
			return v
		}
		axis, err := excelize.CoordinatesToCellName(col+1, number)
		if err != nil {
			return v
		}
		style, err := f.GetCellStyle(sheet, axis)
		if err != nil {
			return v
		}
		d, ok := isDate[style]
		if !ok {
			d = styleIsDate(f, style)
			isDate[style] = d
		}
		if !d {
			return v
		}
		t, err := excelize.ExcelDateToTime(serial, date1904)
		if err != nil {
			return v
		}
		return t.Format("2006-01-02")
	}
}

func styleIsDate(f *excelize.File, id int) bool {
	st, err := f.GetStyle(id)
	if err != nil || st == nil {
		return false
	}
	if st.CustomNumFmt != nil {
		return isDateFormat(*st.CustomNumFmt)
	}
	return isBuiltinDateFmt(st.NumFmt)
}

// isBuiltinDateFmt reports the built-in number formats that show a date or
// time: the international ones (14-22, 45-47) and the East Asian ones that
// Chinese Excel and WPS use for 2024年1月15日 and the like (27-36, 50-58).
func isBuiltinDateFmt(id int) bool {
	return 14 <= id && id <= 22 || 27 <= id && id <= 36 || 45 <= id && id <= 47 || 50 <= id && id <= 58
}

// isDateFormat reports whether a custom number format code shows a date: it
// has a year or day token outside quoted literals, escapes and [..] sections
// (colours, locales like [$-804], [DBNum1]). Month alone is ambiguous with
// minutes and never appears without y or d in a date of issue.
func isDateFormat(code string) bool {
	for i := 0; i < len(code); i++ {
		switch c := code[i]; c {
		case '"':
			for i++; i < len(code) && code[i] != '"'; i++ {
			}
		case '\\', '_', '*':
			i++ // next character is literal (or padding)
		case '[':
			for i++; i < len(code) && code[i] != ']'; i++ {
			}
		case 'y', 'Y', 'd', 'D':
			return true
		}
	}
	return false
}

func xlsxOpenError(err error) error {
	switch {
	case errors.Is(err, zip.ErrFormat), errors.Is(err, excelize.ErrWorkbookFileFormat):
		return errors.New("文件不是有效的 .xlsx 工作簿（如果是旧版 .xls 或 WPS 的 .et，请在 Excel/WPS 中另存为 .xlsx）")
	case errors.Is(err, excelize.ErrWorkbookPassword):
		return errors.New("工作簿已加密，请取消密码后重新导入")
	}
	return fmt.Errorf("无法打开 .xlsx 文件：%w", err)
}
