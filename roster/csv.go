package roster

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

var utf8BOM = []byte{0xef, 0xbb, 0xbf}

// ParseCSV parses a comma-separated roster. The encoding is detected: UTF-8
// (with or without BOM), UTF-16 with BOM (Excel's "Unicode text"), and
// otherwise GB18030, which is what Excel on a Chinese Windows writes when
// saving as CSV.
func ParseCSV(r io.Reader) ([]Row, error) {
	data, err := readLimited(r)
	if err != nil {
		return nil, err
	}
	data, err = decodeText(data)
	if err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errEmpty
	}
	rows, err := parseCSV(data, false)
	if errors.Is(err, csv.ErrBareQuote) {
		// A quote inside an unquoted cell is almost always ="4101..." (the
		// Excel trick to keep ID numbers as text), which strict parsing
		// rejects. Strict parsing is tried first because it still catches a
		// quote that is never closed, which lazy parsing would silently
		// turn into one huge cell swallowing the following rows.
		rows, err = parseCSV(data, true)
	}
	if err != nil {
		return nil, csvError(err)
	}
	return rows, nil
}

// decodeText returns data as UTF-8 without a BOM.
func decodeText(data []byte) ([]byte, error) {
	switch {
	case bytes.HasPrefix(data, utf8BOM):
		// The BOM is trusted over a stray invalid byte (a damaged file);
		// the byte becomes U+FFFD so the validator flags that row rather
		// than passing malformed text downstream.
		return bytes.ToValidUTF8(data[len(utf8BOM):], []byte("\ufffd")), nil
	case bytes.HasPrefix(data, []byte{0xff, 0xfe}), bytes.HasPrefix(data, []byte{0xfe, 0xff}):
		out, err := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder().Bytes(data)
		if err != nil {
			return nil, fmt.Errorf("无法按 UTF-16 解码文件：%w", err)
		}
		return out, nil
	case utf8.Valid(data):
		return data, nil
	}
	// GB18030 is a superset of GBK and GB2312, and decoding never fails:
	// undecodable bytes become U+FFFD, which the validator then rejects with
	// a row number instead of the whole file failing here.
	out, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
	if err != nil {
		return nil, fmt.Errorf("无法识别文件编码（请另存为 UTF-8 或 GBK 编码的 CSV）：%w", err)
	}
	return out, nil
}

// sniffDelimiter picks the separator from the first line that has any: a
// comma wins, then tab (Excel "text" export), then semicolon (European
// locales). Files with title lines above the header are handled because a
// title line usually has no separator at all, or commas from Excel.
func sniffDelimiter(data []byte) rune {
	for n := 0; n < headerScan && len(data) > 0; n++ {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		switch {
		case bytes.IndexByte(line, ',') >= 0:
			return ','
		case bytes.IndexByte(line, '\t') >= 0:
			return '\t'
		case bytes.IndexByte(line, ';') >= 0:
			return ';'
		}
	}
	return ','
}

// maxFields is Excel's column limit. encoding/csv has no limit of its own
// and spends tens of bytes per field, so 64 MiB of commas would need gigabytes.
const maxFields = 16384

// checkWidth refuses lines with more cells than any spreadsheet can have,
// before encoding/csv allocates them. It counts per physical line, so a
// delimiter inside a quoted cell counts too; no real roster comes close.
func checkWidth(data []byte, delim byte) error {
	for line := 1; len(data) > 0; line++ {
		end := bytes.IndexByte(data, '\n')
		if end < 0 {
			end = len(data)
		}
		if end >= maxFields && bytes.Count(data[:end], []byte{delim}) >= maxFields {
			return fmt.Errorf("CSV 格式错误：第 %d 行超过 %d 列，不是有效的名单", line, maxFields)
		}
		data = data[min(end+1, len(data)):]
	}
	return nil
}

func parseCSV(data []byte, lazy bool) ([]Row, error) {
	delim := sniffDelimiter(data)
	if err := checkWidth(data, byte(delim)); err != nil {
		return nil, err
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma = delim
	cr.FieldsPerRecord = -1 // short and long rows are normal in hand-edited files
	cr.LazyQuotes = lazy
	cr.ReuseRecord = true

	var (
		t       table
		number  int   // spreadsheet row number of the last record
		endOff  int64 // input offset just after the last record
		endLine = 1   // physical line at which reading resumed after it
	)
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		// encoding/csv drops empty lines, but a spreadsheet shows them as
		// rows, so count the lines skipped between the previous record and
		// this one to keep numbers in step with what the user sees.
		start, _ := cr.FieldPos(0)
		number += 1 + start - endLine
		off := cr.InputOffset()
		endLine += bytes.Count(data[endOff:off], []byte{'\n'})
		endOff = off
		if err := t.add(number, rec); err != nil {
			return nil, err
		}
	}
	return t.finish()
}

// csvError translates encoding/csv errors; only quoting errors can occur
// with FieldsPerRecord < 0. Errors of our own pass through.
func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		switch {
		case errors.Is(pe.Err, csv.ErrQuote):
			return fmt.Errorf("CSV 格式错误：第 %d 行开始的单元格引号不配对（双引号未闭合，或引号内的双引号没有写成两个）", pe.StartLine)
		}
		return fmt.Errorf("CSV 格式错误：第 %d 行：%w", pe.Line, pe.Err)
	}
	return err
}
