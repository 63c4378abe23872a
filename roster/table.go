package roster

import "strings"

// headerScan is how many non-empty rows may precede the header. Templates
// commonly put a title ("2024年建筑施工特种作业人员培训名单") and perhaps a
// subtitle above it; beyond a few rows it is more likely not a roster at all.
const headerScan = 10

// table turns a stream of numbered rows into Rows. Both formats feed it, so
// header detection, blank-row skipping and the row limit behave identically.
type table struct {
	found    bool
	faulty   bool // a header-like row was found but is wrong
	idx      [numCols]int
	scanned  int          // non-empty rows seen while looking for the header
	firstErr *HeaderError // header error of the first non-empty row
	rows     []Row

	// convertDate, when set, rewrites the 发证日期 cell; ParseXLSX uses it to
	// turn date serial numbers into text. col is the 0-based cell index.
	convertDate func(col, number int, v string) string
	// idIsNumber, when set, tells whether the 身份证号 cell was stored as a
	// number (ParseXLSX); it is asked only of values that look rounded.
	idIsNumber func(col, number int) bool
}

// add consumes one row as read from the file; number is its spreadsheet row
// number. The cells slice may be reused by the caller after add returns.
func (t *table) add(number int, cells []string) error {
	if !t.found {
		return t.tryHeader(cells)
	}
	var vals [numCols]string
	blank := true
	for c, i := range t.idx {
		if i < 0 || i >= len(cells) {
			continue // absent optional column, or a short row: empty
		}
		v := cleanCell(cells[i])
		if c == colIssuedOn && t.convertDate != nil && v != "" {
			v = t.convertDate(i, number, v)
		}
		vals[c] = v
		blank = blank && v == ""
	}
	// Judged on roster columns only: templates come pre-numbered in 序号, and
	// such otherwise empty rows are not people.
	if blank {
		return nil
	}
	numericID := false
	if i := t.idx[colID]; t.idIsNumber != nil && looksRounded(vals[colID]) {
		numericID = t.idIsNumber(i, number)
	}
	if len(t.rows) >= maxRows {
		return errTooManyRows()
	}
	t.rows = append(t.rows, Row{
		Number:     number,
		Name:       vals[colName],
		Sex:        vals[colSex],
		IDNumber:   vals[colID],
		Occupation: vals[colOccupation],
		Level:      vals[colLevel],
		OrgName:    vals[colOrg],
		Employer:   vals[colEmployer],
		IssuedOn:   vals[colIssuedOn],
		IDIsNumber: numericID,
	})
	return nil
}

func (t *table) tryHeader(cells []string) error {
	empty := true
	for _, c := range cells {
		if cleanCell(c) != "" {
			empty = false
			break
		}
	}
	if empty {
		return nil
	}
	idx, known, herr := mapHeader(cells)
	if herr == nil {
		t.found, t.idx = true, idx
		return nil
	}
	// Two or more recognised titles means this is the header, just a faulty
	// one; a title line matches none.
	if known >= 2 {
		t.faulty = true
		return herr
	}
	if t.firstErr == nil {
		t.firstErr = herr
	}
	t.scanned++
	if t.scanned >= headerScan {
		return t.firstErr
	}
	return nil
}

// noRoster reports whether the input ended, or failed, without anything
// resembling a roster header, so another worksheet may hold the roster.
func (t *table) noRoster() bool { return !t.found && !t.faulty }

// finish returns the parsed rows once the input is exhausted. A file with a
// header but no data rows is not an error here: the caller decides whether
// an empty import is acceptable.
func (t *table) finish() ([]Row, error) {
	if !t.found {
		if t.firstErr != nil {
			return nil, t.firstErr
		}
		return nil, errEmpty
	}
	if t.rows == nil {
		t.rows = []Row{}
	}
	return t.rows, nil
}

// looksRounded tells the values an ID number takes once Excel has stored it
// as a number, keeping 15 significant digits: scientific notation, a
// decimal point, or 18 digits ending in 000.
func looksRounded(v string) bool {
	if strings.ContainsAny(v, "Ee.") {
		return true
	}
	return len(v) == 18 && strings.HasSuffix(v, "000")
}
